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

A story is in many feeds (the site's, each of its people's and events'), so
its entry is built by feedgen and serialised once per format (EntryWriter),
when the first feed that holds it is written; every feed splices in those
bytes, which are exactly what feedgen writes for the entry inside a whole
feed, and they are dropped once the last feed that holds the story is
written.
"""

import datetime
import functools
import html
import json
import logging
import os
import re
from typing import NamedTuple
from urllib.parse import quote, urlparse

from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import Markup
from pelican.generators import Generator
from pelican.utils import (
    sanitised_join,
    set_date_tzinfo,
)

from ..linking.linker import crowded
from ..linking.summaries import summary_html
from ..model.identity import story_id
from . import run_together, write_whole
from .absolute_links import HAS_SCHEME as _HAS_SCHEME
from .absolute_links import absolutize

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


def content_html(article, siteurl):
    """The story's content with its links filled in for `siteurl`.

    Pelican's `get_content` keeps its result per (story, siteurl) for the whole
    run; the feeds' base is rarely a page's, so asking it would keep another
    copy of every story. Its copy is used when a page already made one.
    """
    known = getattr(article.get_content, "cache", {}).get((article, siteurl))
    if known is not None:
        return known
    source = article._get_content() if hasattr(article, "_get_content") else article._content
    return article._update_content(source, siteurl)


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


def sort_key(article):
    """Newest-first order: the date, then the identity (for one minute's stories)."""
    return (article.date, story_id(article))


def newest_first(articles, key=sort_key):
    """Stories newest first; one date's stories in a stable order.

    `key` is `sort_key` or a cached equivalent (a feed generator sorts many
    feeds and computes each story's key once)."""
    unique = {id(a): a for a in articles}.values()
    return sorted(unique, key=key, reverse=True)


def plain_time(d):
    """`d` as a plain datetime (same instant, zone and fold): Pelican's
    SafeDatetime formats about ten times slower, and feedgen formats every
    RSS date with strftime."""
    if d is None or type(d) is datetime.datetime:
        return d
    return datetime.datetime(d.year, d.month, d.day, d.hour, d.minute, d.second,
                             d.microsecond, d.tzinfo, fold=d.fold)


class Entry:
    """One story as every feed shows it: the story's part of any feed.

    Made once, when the first feed that holds the story is written, and
    serialised at once (EntryWriter); only the serialised bytes are kept."""

    def __init__(self, article, feeds, only=None):
        """`only`: the person or event of the feed the entry is for, where
        the story is crowded (`crowded`): the entry is its summary, and its
        categories that person or event alone."""
        base = feeds.base
        self.title = plain(article.title)
        self.link = absolute(base, article.url)
        self.id = tag_uri(feeds.authority, feeds.story_id(article))
        self.published, self.updated = feeds.dates(article)
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
        if only is not None:
            self.categories = [{"term": plain(only.display_name),
                                "scheme": feeds.schemes[only.kind]}]
        content_base = base or "/"
        # The summary first: when it is cut from the content, the content
        # it filled in for this base is reused (content_html).
        self.summary = absolutize(clean(summary_html(article, content_base)), self.link)
        self.content = None if only is not None else absolutize(
            clean(content_html(article, content_base)), self.link)


# What feedgen writes after a feed's last entry (pretty-printed): a feed's
# entries are the last children of <feed> (Atom) and <channel> (RSS).
XML_TAILS = {"atom": b"</feed>\n", "rss": b"  </channel>\n</rss>\n"}
# Stands in for a story's content while its entry is serialised (see EntryWriter).
CONTENT_MARK = "\ue000connections-content\ue000"


def split_tail(data, fmt):
    """A feed's serialisation less what follows its entries."""
    tail = XML_TAILS[fmt]
    if not data.endswith(tail):
        raise RuntimeError(f"connections: feedgen's {fmt} output does not end as expected")
    return data[: -len(tail)]


def escaped(text):
    """`text` as lxml writes it in an element (UTF-8 bytes)."""
    element = etree.Element("c")
    element.text = text
    return etree.tostring(element, encoding="UTF-8")[3:-4]


class EntryWriter:
    """Serialises a story's entry once per format, as it reads in every feed.

    feedgen builds the entry (FeedEntry.atom_entry / rss_entry, the calls its
    atom_str / rss_str make for every entry of a feed) and it is serialised
    inside a feed of feedgen's own making, the carrier, whose root has the
    namespaces of every feed: the bytes cut from the carrier have the
    indentation and namespace prefixes the entry has in any feed, and a feed
    is its feed-level serialisation with its entries' bytes spliced in where
    feedgen puts entries (after everything else).

    A fragment is a tuple of byte strings. The full content, the bulk of an
    entry, is serialised once and shared by the Atom and the RSS fragment:
    the entry is serialised with CONTENT_MARK in its place.
    """

    def __init__(self, summary_only):
        self.summary_only = summary_only
        fg = self._carrier = FeedGenerator()
        _extensions(fg)
        fg.id("urn:connections:carrier")
        fg.title("carrier")
        fg.description("carrier")
        fg.link(href="http://localhost/", rel="alternate")
        fg.updated(EPOCH)  # a fixed date: feedgen would take the clock's
        atom = fg._create_atom()[0]
        rss = fg._create_rss()[0]
        self._roots = {"atom": (atom, atom), "rss": (rss, rss.find("channel"))}
        self._heads = {fmt: split_tail(self._serialise(fmt), fmt) for fmt in XML_TAILS}
        self._mark = CONTENT_MARK.encode("utf-8")

    def _serialise(self, fmt, entry=None):
        root, parent = self._roots[fmt]
        if entry is None:
            return etree.tostring(root, pretty_print=True, encoding="UTF-8")
        parent.append(entry)
        try:
            return etree.tostring(root, pretty_print=True, encoding="UTF-8")
        finally:
            parent.remove(entry)

    def fragments(self, entry, formats):
        """{format: (bytes, ...)} of `entry` for each of `formats`."""
        out = {}
        xml = [fmt for fmt in formats if fmt in XML_TAILS]
        if xml:
            fe = self._carrier.add_entry()  # an entry with the carrier's extensions
            self._carrier.remove_entry(fe)
            content = None if self.summary_only else entry.content
            share = bool(content) and CONTENT_MARK not in content
            _fill(fe, entry, content if not share else CONTENT_MARK)
            shared = escaped(content) if share else None
            for fmt in xml:
                element = fe.atom_entry() if fmt == "atom" else fe.rss_entry()
                data = split_tail(self._serialise(fmt, element), fmt)
                head = self._heads[fmt]
                if not data.startswith(head):
                    raise RuntimeError(
                        f"connections: feedgen's {fmt} output does not start as expected")
                data = data[len(head):]
                if share:
                    before, mark, after = data.partition(self._mark)
                    if not mark or self._mark in after:
                        raise RuntimeError(
                            f"connections: a {fmt} entry does not hold its content once")
                    out[fmt] = (before, shared, after)
                else:
                    out[fmt] = (data,)
        if "json" in formats:
            out["json"] = (_json_item(entry, self.summary_only),)
        return out


def _extensions(fg):
    fg.load_extension("dc", atom=False, rss=True)


def _fill(fe, e, content):
    """feedgen's entry `fe` made from Entry `e`, with `content` (None: none)."""
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
    if content:
        fe.content(content, type="html")


def _json_item(e, summary_only):
    """A JSON Feed item, indented as it sits in a feed's `items`."""
    item = {"id": e.id, "url": e.link, "title": e.title}
    if summary_only or not e.content:
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
    # JSON strings hold no raw line break, so indenting every line is safe.
    text = json.dumps(item, ensure_ascii=False, indent=2)
    return ("    " + text.replace("\n", "\n    ")).encode("utf-8")


class FeedPlan(NamedTuple):
    """One feed to write: whose ("site", "person", "event"), its title and
    description, the page it belongs to, its stories and {format: path}."""

    kind: str
    entity: object  # the Person or Event, None for the site's feed
    title: str
    description: str
    page_url: str
    stories: list
    paths: dict = None  # set by _plan


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
        self._ids = {}
        self._dates = {}
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

    # --- a story's facts, computed once per build ---------------------------

    def story_id(self, article):
        key = id(article)
        if key not in self._ids:
            self._ids[key] = story_id(article)
        return self._ids[key]

    def order(self, article):
        """`sort_key(article)`, its identity computed once."""
        return (article.date, self.story_id(article))

    def dates(self, article):
        """(published, updated) in the site's time zone, as plain datetimes."""
        key = id(article)
        if key not in self._dates:
            zone = self.settings.get("TIMEZONE")
            published = plain_time(set_date_tzinfo(article.date, zone))
            modified = getattr(article, "modified", None)
            updated = plain_time(set_date_tzinfo(modified, zone)) if modified else published
            self._dates[key] = (published, updated)
        return self._dates[key]

    # --- output -------------------------------------------------------------

    def feeds(self):
        """A FeedPlan (no paths yet, every story) for each feed."""
        site = plain(Markup(self.settings.get("SITENAME", "")).striptags())
        subtitle = plain(Markup(self.settings.get("SITESUBTITLE") or "").striptags())
        yield FeedPlan("site", None, site, subtitle or f"Stories from {site}", "",
                       self.context.get("articles", []))
        for person in self.context.get("people", []):
            if not person.listed:
                continue
            name = plain(person.display_name)
            yield FeedPlan("person", person, f"{name} · {site}",
                           f"Stories with or by {name} on {site}", person.url,
                           list(person.articles) + list(getattr(person, "authored", [])))
        for event in self.context.get("events", []):
            name = plain(event.display_name)
            yield FeedPlan("event", event, f"{name} · {site}",
                           f"Stories from {name} on {site}", event.url, event.articles)

    def _plan(self):
        """A FeedPlan for each feed to write, with its paths and its newest stories: FEED_MAX_ITEMS
        for the site's, CONNECTIONS_ENTITY_FEED_MAX_ITEMS for a person's or an
        event's (None: FEED_MAX_ITEMS too)."""
        site_limit = self.settings.get("FEED_MAX_ITEMS")
        entity_limit = self.settings.get("CONNECTIONS_ENTITY_FEED_MAX_ITEMS")
        if entity_limit is None:
            entity_limit = site_limit
        plans = []
        written = {}
        for plan in self.feeds():
            kind, entity = plan.kind, plan.entity
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
            if paths:
                limit = site_limit if kind == "site" else entity_limit
                stories = newest_first(plan.stories, key=self.order)[:limit]
                plans.append(plan._replace(stories=stories, paths=paths))
        return plans

    def generate_output(self, writer):
        site = plain(Markup(self.settings.get("SITENAME", "")).striptags())
        summary_only = bool(self.settings.get("CONNECTIONS_FEED_SUMMARY_ONLY"))
        articles = self.context.get("articles", [])
        newest = max(articles, key=self.order) if articles else None
        fallback = self.dates(newest)[1] if newest is not None else EPOCH
        plans = self._unchanged_left_out(self._plan(), getattr(writer, "cache", None), fallback)
        # How many more feeds need each story's entry in each format: a
        # story's bytes are made for its first feed and dropped after its last.
        self._uses = {}
        for plan in plans:
            for article in plan.stories:
                if plan.kind != "site" and crowded(article):
                    continue  # an entry of its own in each (`_fragment`)
                for fmt in plan.paths:
                    key = (id(article), fmt)
                    self._uses[key] = self._uses.get(key, 0) + 1
        self._fragments = {}
        self._writer = EntryWriter(summary_only)
        try:
            if self._keys is not None:  # journaled before any is written
                for plan in plans:
                    for path in plan.paths.values():
                        self._keys[0].records.writing(self._target(path),
                                                      self._keys[1].get(path))
            # Feeds are independent of one another: written on every core.
            run_together(writer, [functools.partial(self._write_feeds, plan, site, fallback)
                                  for plan in plans], "feeds")
        finally:
            self._fragments = self._uses = self._writer = self._keys = None

    def _write_feeds(self, plan, site, fallback):
        """The feeds of one plan, in each of its formats."""
        stories = plan.stories
        feed = Feed(
            feed_id=tag_uri(self.authority, _feed_key(plan.kind, plan.entity)),
            title=plan.title,
            description=plan.description,
            page=absolute(self.base, plan.page_url),
            updated=max((self.dates(a)[1] for a in stories), default=fallback),
            site=site,
            language=self.settings.get("DEFAULT_LANG") or None,
        )
        own = {}  # the entries of crowded stories, made for this feed
        for fmt, path in plan.paths.items():
            entries = [self._fragment(a, fmt, plan, own) for a in stories]
            self._write(path, feed.render(fmt, absolute(self.base, path), entries))
            del entries
            for article in stories:
                if id(article) not in own:
                    self._release(article, fmt)

    def _unchanged_left_out(self, plans, cache, fallback):
        """The plans without the feeds a warm build need not write again
        (incremental.py): same stories, same feed, file as last written."""
        self._keys = None
        if cache is None:
            return plans
        keys = {}
        left = []
        for plan in plans:
            paths = plan.paths
            for fmt, path in list(paths.items()):
                # The fallback date (the site's newest story) shows only in a
                # feed without stories: a new story elsewhere changes no other feed.
                key = keys[path] = cache.feed_key(
                    self.context, plan.kind, plan.entity, plan.title, plan.description,
                    plan.page_url, fmt, path, None if plan.stories else fallback, plan.stories,
                )
                if cache.records.unchanged(self._target(path), key):
                    cache.skipped += 1
                    del paths[fmt]
                else:
                    cache.rendered += 1
            if paths:
                left.append(plan)
        self._keys = (cache, keys)
        return left

    def _target(self, path):
        return sanitised_join(self.output_path, path)

    def _fragment(self, article, fmt, plan, own):
        """The story's entry in `fmt`, serialised (once for all its feeds;
        a crowded story's once for each person's or event's feed, in `own`)."""
        key = id(article)
        if plan.kind != "site" and crowded(article):
            if key not in own:
                own[key] = self._writer.fragments(
                    Entry(article, self, only=plan.entity), list(plan.paths))
            return own[key][fmt]
        made = self._fragments.get(key)
        if made is None:
            formats = [f for f in FORMATS if self._uses.get((key, f))]
            made = self._fragments[key] = self._writer.fragments(Entry(article, self), formats)
        return made[fmt]

    def _release(self, article, fmt):
        key = id(article)
        self._uses[key, fmt] -= 1
        if not self._uses[key, fmt]:
            made = self._fragments[key]
            del made[fmt]
            if not made:
                del self._fragments[key]

    def _write(self, path, pieces):
        target = self._target(path)
        write_whole(target, pieces)
        logger.info('Writing "%s"', target)


class Feed:
    """One feed: feedgen's feed-level elements and its stories' entries."""

    def __init__(self, **fields):
        self.__dict__.update(fields)
        self._fg = None

    def render(self, fmt, self_url, entries):
        """The feed's bytes, as a list of pieces: `entries` are its stories'
        entries in `fmt`, newest first, each a tuple of bytes (EntryWriter)."""
        if fmt == "json":
            return self._json(self_url, entries)
        fg = self._feedgen()
        # feedgen makes the last link the RSS <channel><link>: self first.
        fg.link(href=self_url, rel="self", type=FORMATS[fmt], replace=True)
        fg.link(href=self.page, rel="alternate", type="text/html")
        if fmt == "atom":
            data = fg.atom_str(pretty=True, encoding="UTF-8")
        else:
            data = fg.rss_str(pretty=True, encoding="UTF-8")
        return [split_tail(data, fmt), *(p for e in entries for p in e), XML_TAILS[fmt]]

    def _feedgen(self):
        """The feedgen feed without entries (shared by the Atom and RSS output)."""
        if self._fg is not None:
            return self._fg
        fg = self._fg = FeedGenerator()
        _extensions(fg)
        fg.id(self.feed_id)
        fg.title(self.title)
        fg.description(self.description)  # Atom <subtitle>, RSS <description>
        fg.author({"name": self.site})
        if self.language:
            fg.language(self.language)
        fg.updated(self.updated)
        return fg

    def _json(self, self_url, entries):
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
        # json.dumps(data + items, indent=2), with each item serialised once.
        head = json.dumps(data, ensure_ascii=False, indent=2)[:-2]  # less "\n}"
        if not entries:
            return [(head + ',\n  "items": []\n}\n').encode("utf-8")]
        pieces = [(head + ',\n  "items": [\n').encode("utf-8")]
        for i, entry in enumerate(entries):
            if i:
                pieces.append(b",\n")
            pieces.extend(entry)
        pieces.append(b"\n  ]\n}\n")
        return pieces


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
