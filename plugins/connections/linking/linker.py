"""Linking stories to the people and events they tag.

On Pelican's `content_object_init` (for a story read fresh or from the content
cache alike) the `Linker`:

- resolves the `People:` and `Events:` metadata and the story's author
  through the registry,
- turns each mention element that the Markdown extension left in the HTML
  (story and summary) into the final mention: a link to the entity's page,
  its first name only, or, for a private person, plain text that never names
  them,
- and records on the story `people`, `events` and `author_people`, only
  what the site may show, in its record (linked.py); private people it tags
  or was written by stay in the Linker (`tagged`), for the check, never on
  the story where a template could reach them. The story's own header
  copies (`metadata`, Pelican's `author`/`authors`) are rewritten the same way.

Mention links are Pelican intrasite links, `{filename}/@person/<slug>`, that
the generator registers in `generated_content`; Pelican makes them relative
on pages and absolute in feeds, like any `{filename}` link. Pelican fills in
a story's links each time a page, a summary or a feed shows it; a mention
link comes out the same for every page at the same depth, so `MentionLinks`
has Pelican fill in each (link, page address) once per build and reuses it.
"""

import html
import re

from markdown import Markdown
from markupsafe import escape

from ..model import control_chars
from ..model import safe_urls
from ..model import slugs
from ..model import source
from ..model.names import split_list
from ..model.registry import KINDS
from . import privacy
from . import record as linked

MENTION_ELEMENT = re.compile(
    r'<(?P<tag>a|span) class="mention" data-mention="(?P<kind>person|event)"'
    r'(?: data-ref="(?P<ref>[^"]*)")?>(?P<text>.*?)</(?P=tag)>',
    re.S,
)
# A mention element, or where a link opens or closes: a mention inside a
# link's text (a `<span>` mention element, or one inside a link written in
# raw HTML) is shown as text, never as a link in a link. The `<` all three
# begin with stands first, alone: the regular expression engine then looks
# for it quickly and tries the rest only there (a tenth of the time).
_MENTION_OR_LINK = re.compile(
    "<(?:" + MENTION_ELEMENT.pattern[1:] + r"|(?P<open>a\b[^>]*>)|(?P<close>/a\s*>))",
    re.S | re.I,
)

class MentionLinks:
    """Mention links filled in once per build for each page address.

    Pelican's `Content._update_content` calls the content's `_link_replacer`
    for every `{filename}` link (a URL parse, a lookup, a join and an unparse
    each: about 6% of a build). A mention link's target is a path from the
    content root (`/@person/<slug>`), so what Pelican makes of it depends on
    the link and the page's site URL only, never on the story it is in: the
    first one is filled in by Pelican's own code, the rest are reused. A
    linked story fills its links in through `fill` (linked.py)."""

    PREFIXES = ("/@person/", "/@event/")

    def __init__(self):
        self._filled = {}  # (siteurl, the link as written) -> the link filled in

    def fill(self, pelicans, siteurl, m):
        """The link `m` filled in for `siteurl`; `pelicans` is the story's
        own `_link_replacer`."""
        if not m.group("value").startswith(self.PREFIXES):
            return pelicans(siteurl, m)
        key = (siteurl, m.group(0))
        done = self._filled.get(key)
        if done is None:
            done = self._filled[key] = pelicans(siteurl, m)
        return done


class Linker:
    def __init__(self, settings, registry, findings):
        self.settings = settings
        self.registry = registry
        self.findings = findings
        self.mention_links = MentionLinks()
        self._sources = {}
        # Private people a story tags or was written by: kept here, for the
        # check and the author's bookkeeping, never on the story, where a
        # template could reach them.
        self.unlisted = {}
        self.identities = None  # {file key: identity}, given by the generator

    def tagged(self, content):
        """Everyone `content` tags or was written by, private people included."""
        return list(getattr(content, "people", [])) + self.unlisted.get(id(content), [])

    # --- where things are written, for messages ---------------------------

    def _source(self, path):
        from ..model import source

        if path not in self._sources:
            self._sources[path] = source.read(path, _shown(path))
        return self._sources[path]

    def _where_field(self, path, key, name):
        src = self._source(path)
        f = src.get(key)
        if f is None:
            return src.path, 1, 1
        col = f.value.find(name)
        return src.path, f.line, f.column + max(col, 0)

    def _report_script(self, path, value, scheme):
        """A link whose address would run script (safe_urls.defuse_script_links)."""
        if not path:
            return
        src = self._source(path)
        line, column = src.locate(html.unescape(value))
        if (line, column) == (1, 1):
            line, column = src.locate(value)
        self.findings.warning(
            src.path, line, column,
            f"a link to a '{scheme}:' address would run script on your site; it is "
            "published as plain text, linking nowhere: link to an http:// or https:// "
            "address instead",
        )

    def _where_mention(self, path, sigil, written):
        src = self._source(path)
        line, col = src.locate(f"{sigil}[{written}", src.body_line)
        return src.path, line, col

    # --- mentions -----------------------------------------------------------

    def profile_bodies(self, markdown_settings):
        """(entity, HTML) for each profile with a body (a bio, an event's
        description): its Markdown converted, its mentions resolved, findings
        pointing into the profile. The build and the check both read them so."""
        md = None
        for entity in self.registry.all("person") + self.registry.all("event"):
            if not entity.source or not entity.source.body.strip():
                continue
            if md is None:
                md = Markdown(**markdown_settings)
            html = md.reset().convert(entity.source.body)
            yield entity, self.render(html, entity.source.path)

    def render(self, text, path=None, found=None):
        """HTML with every mention element resolved; entities go into `found`.
        Links to a private person's profile or picture are left out first
        (privacy.hide_links), and so are addresses that would run script
        (safe_urls.defuse_script_links)."""
        text = privacy.hide_links(text, path, self)
        text = safe_urls.defuse_script_links(text, lambda value, scheme: self._report_script(
            path, value, scheme))
        if not text or 'class="mention"' not in text:
            return text

        depth = 0

        def replace(m):
            nonlocal depth
            if m.group("open"):
                depth += 1
                return m.group(0)
            if m.group("close"):
                depth = max(depth - 1, 0)
                return m.group(0)
            kind = m.group("kind")
            shown = html.unescape(m.group("text"))
            ref = html.unescape(m.group("ref")) if m.group("ref") is not None else None
            name = ref if ref is not None else shown
            sigil = KINDS[kind].sigil
            entity = self.registry.resolve(
                kind, name, path and (lambda: self._where_mention(path, sigil, shown))
            )
            if entity is None:
                return str(escape(shown))
            if found is not None:
                found.append(entity)
            in_link = depth > 0 or m.group("tag") == "span"
            return mention_html(entity, shown if ref is not None else None, in_link)

        return _MENTION_OR_LINK.sub(replace, text)

    def _report_crowded_paragraphs(self, path):
        """A paragraph of thousands of mentions is slow to convert:
        Python-Markdown's inline work grows with the square of a paragraph's
        inline markup past a few thousand items (its own cost, emphasis and
        links alike: 16,000 mentions in one paragraph take about 1 s, 32,000
        about 5 s). Said where it starts, so the author knows why and what to
        do; the story is built as written."""
        src = self._source(path)
        line, count, start = src.body_line, 0, src.body_line
        for text in src.body.split("\n") + [""]:
            if text.strip():
                count += text.count("@[") + text.count("#[")
            else:
                if count > CROWDED_PARAGRAPH:
                    self.findings.warning(
                        src.path, start, 1,
                        f"this paragraph has {count:,} mentions, and Markdown's time grows "
                        f"with the square of a paragraph's mentions past a few thousand "
                        f"(1 s at 16,000, 5 s at 32,000); split it into paragraphs of at "
                        f"most {CROWDED_PARAGRAPH:,} (a blank line between them)")
                count, start = 0, line + 1
            line += 1

    # --- stories ------------------------------------------------------------

    def link(self, content):
        """Resolve one story's (or page's) tags and mentions."""
        path = content.source_path
        if path and source.may_miss_colon(content._content):
            src = self._source(path)
            no_colon = source.missing_colon(src)
            if no_colon:
                self.findings.warning(src.path, *no_colon)
        linked.record(content)  # from now on its address is worked out once (record.py)
        for key, message in slugs.address_problems(content, self.settings):
            self.findings.error(*self._where_field(path, key, ""), message)
        found = []
        content._content = self.render(content._content, path, found)
        if path and len(found) > CROWDED_PARAGRAPH:
            self._report_crowded_paragraphs(path)
        summary = None
        if "summary" in content.metadata:
            summary = self.render(content.metadata["summary"], path, found)
            content.metadata["summary"] = summary
            content._summary = summary
        tagged = {"person": [], "event": []}
        for key, kind in (("people", "person"), ("events", "event")):
            value = content.metadata.get(key)
            if not value:
                continue
            for name in split_list(value):
                entity = self.registry.resolve(
                    kind, name, path and (lambda: self._where_field(path, key, name))
                )
                if entity is not None:
                    tagged[kind].append(entity)
        for entity in found:
            tagged[entity.kind].append(entity)
        authors = []
        shown_authors = []  # Pelican's Author objects, as the site may show them
        for author in getattr(content, "authors", []) or []:
            person = self.registry.resolve(
                "person", author.name,
                path and (lambda: self._where_field(path, "author", author.name)),
            )
            if person is None:
                shown_authors.append(author)
                continue
            authors.append(person)
            if person.listed:
                shown_authors.append(_as_author(author, person))
        people = unique(tagged["person"])
        unlisted = [p for p in people + authors if not p.listed]
        if unlisted:
            self.unlisted[id(content)] = unlisted
        listed, events = [p for p in people if p.listed], unique(tagged["event"])
        if path and len(listed) + len(events) > CROWDED_STORY:
            src = self._source(path)
            where = (self._where_field(path, "people", "") if src.get("people") is not None
                     else (src.path, src.body_line, 1))  # its mentions, from its first line
            self.findings.note(
                *where,
                f"this story tags {len(listed) + len(events):,} people and events, more "
                f"than {CROWDED_STORY:,}: in each of their feeds it is its title, link and "
                f"summary, and the map ties them to its events and authors, not to one "
                f"another (the whole story in each of their feeds, and every pair of them "
                f"on the map, would grow with the square of its names)")
        linked.keep(
            content,
            people=listed,
            events=events,
            author_people=[p for p in authors if p.listed],
        )
        _scrub(content, people, shown_authors)
        if summary is not None:
            linked.keep(content, summary_source=summary)  # see summaries.py


# More mentions than this in one paragraph are worth a word (see
# Linker._report_crowded_paragraphs).
CROWDED_PARAGRAPH = 5000
# A story tagging more people and events than this is, in their own feeds,
# an entry with its summary and only that feed's person or event
# (output/feeds.py), and on the map it ties them to its events and authors
# only (output/connection_map.py): n feeds holding a story of n names, and
# its n * n pairs, grow as n squared (4,000 names took 290 s and 11 GB, for
# 4.5 GB of feeds and a 1.1 GB map).
CROWDED_STORY = 200


def crowded(content):
    """A story tagging more people and events than CROWDED_STORY (its
    people as the site may show them)."""
    return len(getattr(content, "people", []) or []) + len(
        getattr(content, "events", []) or []) > CROWDED_STORY


def _as_author(author, person):
    """Pelican's Author for a listed person: their shown name and page."""
    if author.name == person.display_name and author.slug == person.slug:
        return author
    shown = type(author)(person.display_name, author.settings)
    shown.slug = person.slug
    return shown


def _scrub(content, people, shown_authors):
    """Privacy is decided here, not in templates: the story's own copies of
    its header (`metadata`, and the attributes Pelican made of it) name only
    who the site may show, as the site shows them."""
    meta = content.metadata
    if "people" in meta:
        meta["people"] = ", ".join(p.display_name for p in people if p.listed)
    content.__dict__.pop("people", None)
    content.__dict__.pop("events", None)
    if "authors" in meta or "author" in meta or hasattr(content, "authors"):
        if shown_authors:
            meta["authors"] = content.authors = shown_authors
            meta["author"] = content.author = shown_authors[0]
        else:
            for key in ("author", "authors"):
                meta.pop(key, None)
                content.__dict__.pop(key, None)
            content.authors = []


def mention_html(entity, shown=None, in_link=False):
    """The final HTML of a mention; `shown` is the author's own display text.
    Inside a link's text it is the name alone (a private person's shown as
    everywhere else). A direction override it opens ends with it."""
    text = escape(control_chars.closed_directions(str(shown or entity.display_name)))
    if not entity.listed or in_link:
        return f'<span class="mention">{text}</span>'

    return f'<a class="{entity.mention_class}" href="{{filename}}/{entity.link_key}">{text}</a>'


def unique(items):
    """`items` without repeats (by identity), in their first order."""
    seen = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _shown(path):
    from ..model.registry import shown_path

    return shown_path(path, None)
