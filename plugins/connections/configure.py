"""The plugin's part of a site's settings: what `initialized` does.

`configure(settings)` fills in the defaults, says which Pelican settings it
changes, adds the mention syntax and linear-time links and raw HTML to
Markdown, hands templates their helpers and turns off what would serve stale
people and events. Pelican calls it through the `initialized` signal; the content check
calls it directly, so both read the settings alike.
"""

import logging

from . import settings as _settings
from .comments import providers as comments
from .linking.mentions import MentionExtension
from .linking.summaries import story_description, story_summary
from .machinery import content_cache
from .machinery.brackets import BracketsExtension
from .machinery.unclosed_tags import UnclosedTagsExtension
from .model import control_chars
from .model.safe_urls import is_safe_link
from .output.reach import connections_absolute_url, connections_share_image
from .output.structured_data import connections_jsonld, connections_page_jsonld

logger = logging.getLogger(__name__)


def configure(settings):
    """Defaults, the mention syntax, and the template helpers."""
    _settings.apply_defaults(settings)
    _settings.adopt_blog(settings)
    extensions = settings.setdefault("MARKDOWN", {}).setdefault("extensions", [])
    if not any(isinstance(e, MentionExtension) for e in extensions):
        extensions.append(MentionExtension())
    # Python-Markdown's links in linear time (brackets.py): never a hang on
    # unclosed brackets.
    if not any(isinstance(e, BracketsExtension) for e in extensions):
        extensions.append(BracketsExtension())
    # ... and raw HTML too, where `<` opens a tag that never ends
    # (unclosed_tags.py).
    if not any(isinstance(e, UnclosedTagsExtension) for e in extensions):
        extensions.append(UnclosedTagsExtension())
    # Each build makes its own Jinja environment, so templates need no check
    # for changes on every include (a stat per include otherwise).
    settings.setdefault("JINJA_ENVIRONMENT", {}).setdefault("auto_reload", False)
    # A name's right-to-left override never turns the text after it around.
    settings["JINJA_ENVIRONMENT"].setdefault("finalize", control_chars.closed_directions)
    settings.setdefault("JINJA_GLOBALS", {}).update(
        connections_jsonld=connections_jsonld,
        connections_page_jsonld=connections_page_jsonld,
        connections_absolute_url=connections_absolute_url,
        connections_share_image=connections_share_image,
        story_summary=story_summary,
        story_description=story_description,
    )
    # `{% if url is safe_url %}`: the one rule for a link's address (safe_urls.py).
    settings.setdefault("JINJA_TESTS", {}).update(safe_url=is_safe_link)
    # Stories are linked to people and events after they are read, every
    # build: a cache of whole story objects would serve stale links.
    if settings.get("CONTENT_CACHING_LAYER") == "generator":
        logger.warning(
            "connections: CONTENT_CACHING_LAYER = 'generator' would serve stale "
            "people and events from the cache; using 'reader' instead"
        )
        settings["CONTENT_CACHING_LAYER"] = "reader"
    comments.check_settings(settings)
    content_cache.check_settings(settings)
    return settings
