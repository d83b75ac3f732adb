"""A story's summary, with its links made for the page that shows it.

Pelican fills in the links of a `Summary:` header once, for the site root,
and its `get_summary(siteurl)` ignores `siteurl`; with RELATIVE_URLS a
summary's mention links then break on every page below the root (a person's
page, a tag page) and in feeds. The linker keeps the summary as written
(`article.summary_source`, links not yet filled in); `summary_html` fills
them in for any page or feed, and truncates a summary made from the content
the way Pelican does, once per story.
"""

from jinja2 import pass_context
from markupsafe import Markup
from pelican.utils import (
    strip_toc_elements_from_html,
    truncate_html_paragraphs,
    truncate_html_words,
)

from .record import keep


def summary_html(article, siteurl):
    """The summary's HTML for a page or feed at `siteurl`.

    The summary is cut once per story, from the content with its links not yet
    filled in (cutting counts words outside tags, so it cuts the same place),
    and only that short text has its links filled in for each page: a story
    shown on many list pages is neither re-cut nor copied whole per page.
    """
    return article._update_content(summary_source(article), siteurl)


def summary_source(article):
    """The summary with its links not yet filled in, cut once and kept."""
    source = getattr(article, "summary_source", None)
    if source is None:
        source = cut(article._content or "", article.settings)
        keep(article, summary_source=source)
    return source


def cut(content, settings):
    """Pelican's summary of a story's content (SUMMARY_MAX_PARAGRAPHS,
    SUMMARY_MAX_LENGTH, SUMMARY_END_SUFFIX)."""
    if settings.get("SUMMARY_MAX_PARAGRAPHS") is not None:
        content = truncate_html_paragraphs(content, settings["SUMMARY_MAX_PARAGRAPHS"])
    if settings.get("SUMMARY_MAX_LENGTH") is not None:
        content = truncate_html_words(
            content, settings["SUMMARY_MAX_LENGTH"], settings.get("SUMMARY_END_SUFFIX", "…")
        )
    return strip_toc_elements_from_html(content)


@pass_context
def story_summary(ctx, article):
    """`{{ story_summary(article) }}`: the summary, its links right for this page."""
    siteurl = ctx.get("localsiteurl")
    if siteurl is None:
        siteurl = ctx.get("SITEURL", "")
    return Markup(summary_html(article, siteurl))


def story_description(article):
    """`{{ story_description(article) }}`: the summary as plain text (for
    `<meta name="description">`). Tags go, so its links need no filling in."""
    return Markup(summary_source(article)).striptags()
