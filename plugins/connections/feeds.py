"""Feeds: RSS 2.0 and Atom 1.0 (and, when asked, JSON Feed 1.1) for the whole
site, for every person and for every event, written with feedgen.

- The site feed holds every published story.
- A person's feed holds the stories that tag them and the stories they wrote
  (authors are people: there is no separate author feed).
- An event's feed holds the stories that tag it.

Only what the site may show goes in: feeds exist for listed people only,
names are display names (a first-name person is their first name), and a
private person is never an author or a category of an entry.

An entry's id is a tag: URI built from the story's identity (identity.py), so
it survives a new title or slug: `tag:<authority>,<day>:<identity>`, where
the authority is CONNECTIONS_FEED_ID_AUTHORITY or the host of FEED_DOMAIN /
SITEURL and the day is the identity's own date (2000-01-01 for an `Id:` that
does not start with one).

Two builds of the same content write the same bytes: every date in a feed
comes from the stories (a feed is as new as its newest entry), never from
the clock.
"""

import datetime
import html
import json
import logging
import os
import re
from urllib.parse import quote, urljoin, urlparse

from feedgen.feed import FeedGenerator
from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import (
    sanitised_join,
    set_date_tzinfo,
)

from .identity import story_id
from .summaries import summary_html

logger = logging.getLogger(__name__)

# The formats and their media types; FEED_SETTINGS names each (kind, format) setting.
FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml",
           "json": "application/feed+json"}
FEED_SETTINGS = {
    kind: {fmt: f"{prefix}_FEED_{fmt.upper()}" for fmt in FORMATS}
    for kind, prefix in (("site", "SITE"), ("person", "PERSON"), ("event", "EVENT"))
}

# Pelican's own feed settings, and what their `{...}` is filled with.
PELICAN_FEEDS = (
    ("FEED_ATOM", None), ("FEED_RSS", None),
    ("FEED_ALL_ATOM", None), ("FEED_ALL_RSS", None),
    ("CATEGORY_FEED_ATOM", "categories"), ("CATEGORY_FEED_RSS", "categories"),
    ("AUTHOR_FEED_ATOM", "authors"), ("AUTHOR_FEED_RSS", "authors"),
    ("TAG_FEED_ATOM", "tags"), ("TAG_FEED_RSS", "tags"),
    ("TRANSLATION_FEED_ATOM", "lang"), ("TRANSLATION_FEED_RSS", "lang"),
)

# Characters XML 1.0 forbids (or discourages: C1 controls) and lxml refuses.
_NOT_XML = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]"
)
_URL_ATTRIBUTE = re.compile(
    r"""(?P<before><[^>]+?\s(?:href|src|poster|cite)\s*=\s*)(?P<q>["'])(?P<url>.*?)(?P=q)""",
    re.I | re.S,
)
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}")
NO_DATE = "2000-01-01"
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def clean(text):
    """Text safe in XML: every character XML forbids is dropped."""
    return _NOT_XML.sub("", text or "")


def plain(text):
    """A title or a name as plain text (markup in it stays literal text)."""
    return clean(str(text)).strip()


def feed_base(settings):
    """Where feed links point: FEED_DOMAIN, else SITEURL, else '' (root-relative)."""
    return str(settings.get("FEED_DOMAIN") or settings.get("SITEURL") or "").rstrip("/")


def absolute(base, url):
    """A site-relative URL under `base` ('/...' when the base is unknown)."""
    return f"{base}/{(url or '').lstrip('/')}"


def absolutize(html_text, page_url):
    """Every relative href/src in `html_text` resolved against `page_url`."""

    def replace(m):
        url = m.group("url")
        if not url or _HAS_SCHEME.match(url) or url.startswith("//"):
            return m.group(0)
        return f"{m.group('before')}{m.group('q')}{urljoin(page_url, url)}{m.group('q')}"

    return _URL_ATTRIBUTE.sub(replace, html_text or "")


def id_authority(settings):
    explicit = settings.get("CONNECTIONS_FEED_ID_AUTHORITY")
    if explicit:
        explicit = str(explicit).strip().lower()
        return urlparse(explicit).hostname if "://" in explicit else explicit
    return urlparse(feed_base(settings)).hostname or "localhost"


def tag_uri(authority, identity):
    """`tag:<authority>,<day>:<identity>` (RFC 4151) for a story's identity."""
    day = identity[:10] if _DATED.match(identity) else NO_DATE
    specific = quote(identity, safe="-._~:@!$&'()*+,;=/?")
    return f"tag:{authority},{day}:{specific}"


def newest_first(articles):
    """Stories newest first; one date's stories in a stable order."""
    unique = {id(a): a for a in articles}.values()
    return sorted(unique, key=lambda a: (a.date, story_id(a)), reverse=True)


class Entry:
    """One story as every feed shows it (computed once per build)."""

    def __init__(self, article, feeds):
        settings = feeds.settings
        base = feeds.base
        zone = settings.get("TIMEZONE")
        self.article = article
        self.title = plain(article.title)
        self.link = absolute(base, article.url)
        self.id = tag_uri(feeds.authority, story_id(article))
        self.published = set_date_tzinfo(article.date, zone)
        modified = getattr(article, "modified", None)
        self.updated = set_date_tzinfo(modified, zone) if modified else self.published
        self.authors = [
            {"name": plain(p.display_name), "uri": absolute(base, p.url)}
            for p in getattr(article, "author_people", [])
            if p.listed
        ]
        self.categories = [
            {"term": plain(p.display_name), "scheme": feeds.schemes["person"]}
            for p in getattr(article, "people", [])
            if p.listed
        ] + [
            {"term": plain(e.display_name), "scheme": feeds.schemes["event"]}
            for e in getattr(article, "events", [])
        ]
        content_base = base or "/"
        self.content = clean(absolutize(article.get_content(content_base), self.link))
        self.summary = clean(absolutize(summary_html(article, content_base), self.link))


class FeedsGenerator(Generator):
    """Writes the site's, every listed person's and every event's feeds."""

    def generate_context(self):
        self.base = feed_base(self.settings)
        self.authority = id_authority(self.settings)
        # A category's scheme is the directory of people or events, when
        # there is one and the feeds know the site's address.
        self.schemes = {
            kind: absolute(self.base, self.settings.get(f"{key}_URL"))
            if self.settings.get(f"{key}_SAVE_AS") and _HAS_SCHEME.match(self.base) else None
            for kind, key in (("person", "PEOPLE"), ("event", "EVENTS"))
        }
        self.paths = self._paths()
        self._entries = {}
        for kind, entities in (("person", self.context.get("people", [])),
                               ("event", self.context.get("events", []))):
            for entity in entities:
                if not entity.listed:
                    continue
                for fmt in FORMATS:
                    path = self._path(kind, fmt, entity)
                    setattr(entity, f"feed_{fmt}_url", path or "")
        self._skip = self._pelican_collisions()
        if not self.base:
            logger.info(
                "connections: neither FEED_DOMAIN nor SITEURL is set, so feed links "
                "are root-relative ('/...'); publishconf.py sets FEED_DOMAIN for the "
                "published site"
            )

    # --- settings -----------------------------------------------------------

    def _paths(self):
        """{(kind, format): pattern} for the feeds that are on."""
        paths = {}
        for kind, formats in FEED_SETTINGS.items():
            for fmt, name in formats.items():
                value = self.settings.get(name)
                if not value:
                    continue
                if not isinstance(value, str):
                    logger.warning(
                        "connections: %s must be a path such as %r, not %r; "
                        "that feed is not written",
                        name, _example(kind, fmt), value,
                    )
                    continue
                if kind != "site" and "{slug}" not in value:
                    logger.warning(
                        "connections: %s = %r has no '{slug}', so every %s would "
                        "share one file; write it like %r. That feed is not written",
                        name, value, kind, _example(kind, fmt),
                    )
                    continue
                paths[kind, fmt] = value.lstrip("/")
        return paths

    def _path(self, kind, fmt, entity=None):
        pattern = self.paths.get((kind, fmt))
        if not pattern:
            return None
        return pattern.format(slug=entity.slug) if entity is not None else pattern

    def _pelican_collisions(self):
        """Paths of ours that Pelican's own feeds (when turned on) also write."""
        theirs = {}
        for name, fill in PELICAN_FEEDS:
            pattern = self.settings.get(name)
            if not pattern or not isinstance(pattern, str):
                continue
            for path in _expand(pattern, fill, self.context):
                theirs.setdefault(path.lstrip("/"), name)
        ours = [(self._path("site", fmt), FEED_SETTINGS["site"][fmt]) for fmt in FORMATS]
        for kind, key in (("person", "people"), ("event", "events")):
            for entity in self.context.get(key, []):
                if entity.listed:
                    ours += [(self._path(kind, fmt, entity), FEED_SETTINGS[kind][fmt])
                             for fmt in FORMATS]
        skip = set()
        for path, ours_name in ours:
            if path and path in theirs:
                logger.warning(
                    "connections: Pelican's %s and the plugin's %s both write %s; "
                    "Pelican's feed is kept and the plugin's is not written. Set "
                    "%s = None in your settings (the plugin's feeds replace "
                    "Pelican's) or give %s another path",
                    theirs[path], ours_name, path, theirs[path], ours_name,
                )
                skip.add(path)
        return skip

    # --- content ------------------------------------------------------------

    def entry(self, article):
        key = id(article)
        if key not in self._entries:
            self._entries[key] = Entry(article, self)
        return self._entries[key]

    # --- output -------------------------------------------------------------

    def feeds(self):
        """(kind, entity, title, description, page url, stories) for each feed."""
        site = plain(Markup(self.settings.get("SITENAME", "")).striptags())
        subtitle = plain(Markup(self.settings.get("SITESUBTITLE") or "").striptags())
        yield ("site", None, site, subtitle or f"Stories from {site}", "",
               self.context.get("articles", []))
        for person in self.context.get("people", []):
            if not person.listed:
                continue
            name = plain(person.display_name)
            yield ("person", person, f"{name} · {site}",
                   f"Stories with or by {name} on {site}", person.url,
                   list(person.articles) + list(getattr(person, "authored", [])))
        for event in self.context.get("events", []):
            name = plain(event.display_name)
            yield ("event", event, f"{name} · {site}", f"Stories from {name} on {site}",
                   event.url, event.articles)

    def generate_output(self, writer):
        limit = self.settings.get("FEED_MAX_ITEMS")
        stories_newest = newest_first(self.context.get("articles", []))
        fallback = self.entry(stories_newest[0]).updated if stories_newest else EPOCH
        site = plain(Markup(self.settings.get("SITENAME", "")).striptags())
        written = {}
        for kind, entity, title, description, page_url, stories in self.feeds():
            paths = {}
            for fmt in FORMATS:
                path = self._path(kind, fmt, entity)
                if not path or path in self._skip:
                    continue
                if path in written:
                    logger.warning(
                        "connections: %s and %s both give the feed path %s; "
                        "give one of them another path",
                        written[path], FEED_SETTINGS[kind][fmt], path,
                    )
                    continue
                written[path] = FEED_SETTINGS[kind][fmt]
                paths[fmt] = path
            if not paths:
                continue
            entries = [self.entry(a) for a in newest_first(stories)[:limit]]
            feed = Feed(
                feed_id=tag_uri(self.authority, _feed_key(kind, entity)),
                title=title,
                description=description,
                page=absolute(self.base, page_url),
                updated=max((e.updated for e in entries), default=fallback),
                site=site,
                language=self.settings.get("DEFAULT_LANG") or None,
                summary_only=bool(self.settings.get("CONNECTIONS_FEED_SUMMARY_ONLY")),
                entries=entries,
            )
            for fmt, path in paths.items():
                self._write(path, feed.render(fmt, absolute(self.base, path)))

    def _write(self, path, data):
        target = sanitised_join(self.output_path, path)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as f:
            f.write(data)
        logger.info('Writing "%s"', target)


class Feed:
    """One feed's stories, rendered as Atom, RSS or JSON Feed bytes."""

    def __init__(self, **fields):
        self.__dict__.update(fields)
        self._fg = None

    def render(self, fmt, self_url):
        if fmt == "json":
            return self._json(self_url)
        fg = self._feedgen()
        # feedgen makes the last link the RSS <channel><link>: self first.
        fg.link(href=self_url, rel="self", type=FORMATS[fmt], replace=True)
        fg.link(href=self.page, rel="alternate", type="text/html")
        if fmt == "atom":
            return fg.atom_str(pretty=True, encoding="UTF-8")
        return fg.rss_str(pretty=True, encoding="UTF-8")

    def _feedgen(self):
        """The feedgen feed (built once, shared by the Atom and RSS output)."""
        if self._fg is not None:
            return self._fg
        fg = self._fg = FeedGenerator()
        fg.load_extension("dc", atom=False, rss=True)
        fg.id(self.feed_id)
        fg.title(self.title)
        fg.description(self.description)  # Atom <subtitle>, RSS <description>
        fg.author({"name": self.site})
        if self.language:
            fg.language(self.language)
        fg.updated(self.updated)
        for e in self.entries:
            fe = fg.add_entry(order="append")  # feedgen prepends by default
            fe.id(e.id)
            fe.title(e.title)
            fe.link(href=e.link, rel="alternate", type="text/html")
            fe.published(e.published)
            fe.updated(e.updated)
            for author in e.authors:
                fe.author(author)
                fe.dc.dc_creator(author["name"])
            for category in e.categories:
                fe.category({k: v for k, v in category.items() if v})
            if e.summary:
                fe.summary(e.summary, type="html")
            if not self.summary_only and e.content:
                fe.content(e.content, type="html")
        return fg

    def _json(self, self_url):
        items = []
        for e in self.entries:
            item = {"id": e.id, "url": e.link, "title": e.title}
            if self.summary_only or not e.content:
                item["content_html"] = e.summary
            else:
                item["content_html"] = e.content
            summary = plain(html.unescape(Markup(e.summary).striptags()))
            if summary:
                item["summary"] = summary
            item["date_published"] = e.published.isoformat()
            item["date_modified"] = e.updated.isoformat()
            if e.authors:
                item["authors"] = [{"name": a["name"], "url": a["uri"]} for a in e.authors]
            if e.categories:
                item["tags"] = [c["term"] for c in e.categories]
            items.append(item)
        data = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": self.title,
            "home_page_url": self.page,
            "feed_url": self_url,
            "description": self.description,
            "authors": [{"name": self.site}],
        }
        if self.language:
            data["language"] = self.language
        data["items"] = items
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _feed_key(kind, entity):
    if kind == "site":
        return "feed:site"
    return f"feed:{kind}:{entity.slug}"


def _example(kind, fmt):
    folder = {"person": "people/", "event": "events/"}.get(kind, "")
    stem = "{slug}" if kind != "site" else "all"
    ext = {"atom": "atom.xml", "rss": "rss.xml", "json": "json"}[fmt]
    return f"feeds/{folder}{stem}.{ext}"


def _expand(pattern, fill, context):
    """The paths one of Pelican's feed settings writes in this build."""
    if fill is None:
        return [pattern]
    if fill == "lang":
        langs = {getattr(a, "lang", None) for a in context.get("articles", [])}
        return [pattern.format(lang=lang) for lang in langs if lang]
    paths = []
    for item in context.get(fill, []):
        thing = item[0] if isinstance(item, tuple) else item
        try:
            paths.append(pattern.format(slug=thing.slug))
        except (KeyError, IndexError, AttributeError):
            continue
    return paths
