"""Connection Stories: people and events as first-class parts of a Pelican blog.

`register()` only wires Pelican's signals to the functions below; each piece
of work lives in the module named for it.
"""

import logging

from pelican import signals
from pelican.contents import Article, Page

from . import comments, content_cache, privacy
from . import settings as _settings
from .calendar import CalendarGenerator
from .connection_map import MapGenerator
from .content_memo import release_written_story
from .diagnostics import Findings
from .feeds import FeedsGenerator
from .generator import ConnectionsGenerator
from .incremental import IncrementalWriter
from .redirects import RedirectsGenerator
from .linking import STATE_KEY, Linker, state_of
from .brackets import BracketsExtension
from .markdown_reader import use_reusing_reader
from .mentions import MentionExtension
from .registry import Registry
from .reach import ReachGenerator, connections_absolute_url, connections_share_image
from .related import on_articles_read
from .safe_urls import is_safe_link
from .search import SearchGenerator
from .structured_data import connections_jsonld, connections_page_jsonld
from .summaries import story_description, story_summary
from .taxonomies import file_in_members

logger = logging.getLogger(__name__)


def initialized(pelican):
    """Defaults, the mention syntax, and the template helpers."""
    settings = pelican.settings
    _settings.apply_defaults(settings)
    _settings.adopt_blog(settings)
    extensions = settings.setdefault("MARKDOWN", {}).setdefault("extensions", [])
    if not any(isinstance(e, MentionExtension) for e in extensions):
        extensions.append(MentionExtension())
    # Python-Markdown's links in linear time (brackets.py): never a hang on
    # unclosed brackets.
    if not any(isinstance(e, BracketsExtension) for e in extensions):
        extensions.append(BracketsExtension())
    # Each build makes its own Jinja environment, so templates need no check
    # for changes on every include (a stat per include otherwise).
    settings.setdefault("JINJA_ENVIRONMENT", {}).setdefault("auto_reload", False)
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


def start_build(generator):
    """Each build (every autoreload too) reads the profiles afresh."""
    settings = generator.settings
    findings = Findings()
    registry = Registry(settings, findings).load(settings["PATH"])
    generator.context[STATE_KEY] = Linker(settings, registry, findings)


def link_content(content):
    if isinstance(content, (Article, Page)):
        linker = state_of(content)
        if linker is not None:
            linker.link(content)


def get_generators(pelican):
    # ConnectionsGenerator first: the feeds read what it gathers; the sitemap
    # (ReachGenerator) once every page is known. Redirects last: an old
    # address where the site writes a page of its own is left to it.
    return (ConnectionsGenerator, FeedsGenerator, CalendarGenerator, MapGenerator,
            SearchGenerator, ReachGenerator, RedirectsGenerator)


def get_writer(pelican):
    return IncrementalWriter


def register():
    signals.initialized.connect(initialized)
    signals.article_generator_init.connect(start_build)
    signals.content_object_init.connect(link_content)
    signals.content_object_init.connect(comments.prepare)
    signals.get_generators.connect(get_generators)
    signals.get_writer.connect(get_writer)
    signals.readers_init.connect(use_reusing_reader)
    signals.content_written.connect(release_written_story)
    signals.article_generator_pretaxonomy.connect(file_in_members)
    signals.article_generator_finalized.connect(on_articles_read)
    signals.static_generator_finalized.connect(privacy.drop_hidden_pictures)
