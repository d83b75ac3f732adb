"""Templates for any theme: the plugin's defaults, and a missing `Template:`.

The plugin ships person, event, people and events pages (templates/ beside
this file). They are found after every template of the theme, of
THEME_TEMPLATES_OVERRIDES and of Pelican's simple theme, so a theme's own
person.html always wins; they extend the theme's base.html, so the pages
have its stylesheet and layout.
"""

import logging
import os

from jinja2 import ChoiceLoader, FileSystemLoader

from ..model import source as sourcefile
from ..model.registry import shown_path

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")

logger = logging.getLogger(__name__)


def theme_has(generator, name, what):
    """Whether the theme (or the plugin's defaults) has template `name`; a
    page only the project's theme draws (the map, search) is left out of a
    theme without it, and said once, rather than stopping the build."""
    from pelican.generators import PelicanTemplateNotFound

    try:
        generator.get_template(name)
        return True
    except PelicanTemplateNotFound:
        logger.info(
            "connections: the theme has no %s.html, so the site has no %s; copy "
            "%s.html (and what it includes) from the project's theme to add it",
            name, what, name,
        )
        return False


def with_default_templates(loader):
    """`loader`, then the plugin's own templates."""
    return ChoiceLoader([loader, FileSystemLoader(TEMPLATES)])


def fall_back_from_missing_templates(context, get_template, findings):
    """A story or page whose `Template:` the theme does not have would stop
    Pelican halfway through writing: it is written with the default
    template instead, and said once."""
    from pelican.generators import PelicanTemplateNotFound

    checked = {}
    for key in ("articles", "drafts", "hidden_articles", "pages", "hidden_pages",
                "draft_pages"):
        for content in context.get(key, []) or []:
            for one in [content, *getattr(content, "translations", [])]:
                name = getattr(one, "template", None)
                default = getattr(one, "default_template", None)
                if not name or name == default:
                    continue
                if name not in checked:
                    try:
                        get_template(name)
                        checked[name] = True
                    except PelicanTemplateNotFound:
                        checked[name] = False
                if checked[name]:
                    continue
                src = sourcefile.read(one.source_path, shown_path(one.source_path, None))
                line, column = sourcefile.header_line(src, "template")
                findings.warning(
                    src.path, line, column,
                    f"the theme has no template '{name}' (Template: {name}), so this "
                    f"is written with '{default}' instead; add {name}.html to your "
                    "theme's templates or remove the line",
                )
                one.template = default
