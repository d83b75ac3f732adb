"""Reach: sitemap.xml, robots.txt, and what a shared link or a crawler reads
in a page's head (canonical address, Open Graph and Twitter card).

Why not pelican-sitemap or pelican-seo (both were read for this):
- pelican-sitemap collects pages from the `content_written` signal and gives
  every page that is not a story or page (person, event, tag, index pages)
  the build's clock time as `lastmod`: the sitemap's bytes change on every
  build (a warm build is no longer the same as a cold one) and crawlers are
  told every list page changed. It also lists 404.html. Here a person's,
  event's, tag's or list page's `lastmod` is its newest story's date.
- pelican-seo's Open Graph, Twitter and canonical tags are written by
  reopening every written HTML file on `content_written` and editing it,
  which the warm build (incremental.py) cannot see: a page skipped as
  unchanged would keep, or lose, what was edited in. Here the tags come from
  the theme's templates (partials/share_meta.html), so they are part of
  each page's fingerprint. Its robots.txt is four lines; it is written here
  with the sitemap's address.

Both files are written by `ReachGenerator.generate_output` from the build's
context, in a stable order, so two builds of one content write the same
bytes. A sitemap needs absolute addresses: without an absolute SITEURL (the
local build, RELATIVE_URLS) none is written, and robots.txt names none.
"""

import datetime
import logging
import os
import re
from urllib.parse import urljoin
from xml.sax.saxutils import escape

from jinja2 import pass_context
from pelican.generators import Generator

from ..linking.record import state

logger = logging.getLogger(__name__)

_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.I)


def site_base(settings):
    """The site's absolute address without a trailing slash, or "" when the
    build has none (a local build with relative URLs)."""
    base = settings.get("CONNECTIONS_SITE_URL") or settings.get("SITEURL") or ""
    return base.rstrip("/") if re.match(r"https?://", base) else ""


def absolute(base, url):
    if not base or url is None:
        return ""
    if re.match(r"https?://", url):
        return url
    return f"{base}/{url.lstrip('/')}"


@pass_context
def connections_absolute_url(ctx, url):
    """`{{ connections_absolute_url(article.url) }}`: the page's absolute
    address, or "" when the build has no absolute SITEURL. An output path
    ("tag/index.html") becomes its address ("tag/")."""
    return absolute(site_base(ctx), re.sub(r"(^|/)index\.html$", r"\1", url or ""))


@pass_context
def connections_share_image(ctx, article=None, person=None):
    """The absolute address of the picture a shared link shows: a story's
    first image, else its first public author's avatar; a person's avatar
    when public. "" when there is none or the build has no absolute SITEURL."""
    base = site_base(ctx)
    if not base:
        return ""
    if article is not None:
        content = getattr(article, "content", "") or ""
        found = _IMG.search(content) if "<img" in content else None
        if found:
            import html

            src = html.unescape(found.group(1).strip("\"'"))
            if src and not src.startswith("data:"):
                return urljoin(absolute(base, article.url), src)
        for author in getattr(article, "author_people", []) or []:
            if author.visibility == "public" and author.avatar:
                return absolute(base, author.avatar)
        return ""
    if person is not None and person.visibility == "public" and person.avatar:
        return absolute(base, person.avatar)
    return ""


def _day(value):
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return value.isoformat()


def _newest(articles):
    best = None
    for article in articles:
        when = getattr(article, "modified", None) or article.date
        if best is None or when > best:
            best = when
    return best


class ReachGenerator(Generator):
    """Writes sitemap.xml and robots.txt after every page is known."""

    def generate_context(self):
        pass

    def entries(self):
        """(absolute URL, lastmod day or None) of every published page."""
        base = site_base(self.settings)
        ctx = self.context
        articles = ctx.get("articles", [])
        out = {}

        def add(url, when):
            if url is None:
                return
            loc = absolute(base, re.sub(r"(^|/)index\.html$", r"\1", url)) if url else base + "/"
            if loc and loc not in out:
                out[loc] = _day(when)

        newest = _newest(articles)
        add("", newest)  # the index
        s = self.settings
        for setting in ("ARCHIVES_SAVE_AS", "TAGS_SAVE_AS", "CATEGORIES_SAVE_AS"):
            save_as = s.get(setting)
            if save_as:
                url = s.get(setting.replace("SAVE_AS", "URL")) or save_as
                add(url, newest)
        for article in articles:
            if article.save_as:
                add(article.url, getattr(article, "modified", None) or article.date)
            for translation in getattr(article, "translations", []):
                if translation.save_as and translation.status == "published":
                    add(translation.url, getattr(translation, "modified", None) or translation.date)
        for page in ctx.get("pages", []):
            if page.save_as:
                add(page.url, getattr(page, "modified", None) or getattr(page, "date", None)
                    or _mtime(page.source_path))
        for plural in ("tags", "categories"):
            if not s.get(("TAG" if plural == "tags" else "CATEGORY") + "_SAVE_AS"):
                continue
            for item, stories in ctx.get(plural, []):
                add(item.url, _newest(stories))
        people = ctx.get("people", [])
        events = ctx.get("events", [])
        if s.get("PEOPLE_SAVE_AS") and people:
            add(s["PEOPLE_URL"], newest)
        if s.get("EVENTS_SAVE_AS") and events:
            add(s["EVENTS_URL"], newest)
        for entity in people + events:
            if entity.save_as:
                stories = list(entity.articles) + list(getattr(entity, "authored", []))
                add(entity.url, _newest(stories))
        for url in ctx.get("connections_sitemap_extra", []):
            add(url, newest)
        return sorted(out.items())

    def generate_output(self, writer):
        if state(self.context) is None:
            return
        base = site_base(self.settings)
        sitemap = self.settings.get("CONNECTIONS_SITEMAP")
        robots = self.settings.get("CONNECTIONS_ROBOTS")
        sitemap_url = absolute(base, sitemap) if sitemap else ""
        if sitemap and not base:
            logger.info(
                "connections: no %s written: a sitemap needs absolute addresses and "
                "SITEURL (%r) is not one; `make publish` writes it", sitemap,
                self.settings.get("SITEURL", ""),
            )
        elif sitemap:
            lines = ['<?xml version="1.0" encoding="UTF-8"?>',
                     '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
            for loc, day in self.entries():
                mod = f"<lastmod>{day}</lastmod>" if day else ""
                lines.append(f"<url><loc>{escape(loc)}</loc>{mod}</url>")
            lines.append("</urlset>")
            self._write(sitemap, "\n".join(lines) + "\n")
        if robots:
            text = "User-agent: *\nAllow: /\n"
            if sitemap_url:
                text += f"\nSitemap: {sitemap_url}\n"
            self._write(robots, text)

    def _write(self, name, text):
        target = os.path.join(self.output_path, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        data = text.encode("utf-8")
        try:
            with open(target, "rb") as f:
                if f.read() == data:  # unchanged: keep the file (and its time)
                    return
        except OSError:
            pass
        with open(target, "wb") as f:
            f.write(data)


def _mtime(path):
    try:
        return datetime.date.fromtimestamp(os.stat(path).st_mtime)
    except (OSError, TypeError):
        return None
