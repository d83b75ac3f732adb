"""Linking stories to the people and events they tag.

On Pelican's `content_object_init` (for a story read fresh or from the content
cache alike) the `Linker`:

- resolves the `People:` and `Events:` metadata and the story's author
  through the registry,
- turns each mention element that the Markdown extension left in the HTML
  (story and summary) into the final mention: a link to the entity's page,
  its first name only, or, for a private person, plain text that never names
  them,
- and records on the story `people`, `events` (what the site may show) and
  `tagged_people` (everyone tagged, private people included, for the
  author's own bookkeeping and the check command), in its record (linked.py).

Mention links are Pelican intrasite links, `{filename}/@person/<slug>`, that
the generator registers in `generated_content`; Pelican makes them relative
on pages and absolute in feeds, like any `{filename}` link. Pelican fills in
a story's links each time a page, a summary or a feed shows it; a mention
link comes out the same for every page at the same depth, so `MentionLinks`
has Pelican fill in each (link, page address) once per build and reuses it.
"""

import html
import re

from markupsafe import escape

from . import linked, privacy, safe_urls, slugs, source
from .names import split_list

MENTION_ELEMENT = re.compile(
    r'<a class="mention" data-mention="(?P<kind>person|event)"'
    r'(?: data-ref="(?P<ref>[^"]*)")?>(?P<text>.*?)</a>',
    re.S,
)

STATE_KEY = "connections"


def state_of(content):
    """The build's Linker, reached through a content object's shared context."""
    context = getattr(content, "_context", None)
    return context.get(STATE_KEY) if context else None


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

    # --- where things are written, for messages ---------------------------

    def _source(self, path):
        from . import source

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

        def replace(m):
            kind = m.group("kind")
            shown = html.unescape(m.group("text"))
            ref = html.unescape(m.group("ref")) if m.group("ref") is not None else None
            name = ref if ref is not None else shown
            sigil = "@" if kind == "person" else "#"
            entity = self.registry.resolve(
                kind, name, path and (lambda: self._where_mention(path, sigil, shown))
            )
            if entity is None:
                return str(escape(shown))
            if found is not None:
                found.append(entity)
            return mention_html(entity, shown if ref is not None else None)

        return MENTION_ELEMENT.sub(replace, text)

    # --- stories ------------------------------------------------------------

    def link(self, content):
        """Resolve one story's (or page's) tags and mentions."""
        path = content.source_path
        if path and source.may_miss_colon(content._content):
            src = self._source(path)
            no_colon = source.missing_colon(src)
            if no_colon:
                self.findings.warning(src.path, *no_colon)
        for key, message in slugs.address_problems(content, self.settings):
            self.findings.error(*self._where_field(path, key, ""), message)
        found = []
        content._content = self.render(content._content, path, found)
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
        for author in getattr(content, "authors", []) or []:
            person = self.registry.resolve(
                "person", author.name,
                path and (lambda: self._where_field(path, "author", author.name)),
            )
            if person is not None:
                authors.append(person)
        people = unique(tagged["person"])
        linked.keep(
            content,
            people=[p for p in people if p.listed],
            tagged_people=people,
            events=unique(tagged["event"]),
            author_people=authors,
        )
        if summary is not None:
            linked.keep(content, summary_source=summary)  # see summaries.py


def mention_html(entity, shown=None):
    """The final HTML of a mention; `shown` is the author's own display text."""
    if not entity.listed:
        return f'<span class="mention">{escape(shown or entity.display_name)}</span>'
    text = escape(shown or entity.display_name)
    if entity.kind == "person":
        css = "mention u-category h-card"
    else:
        css = "mention mention-event u-category"
    return f'<a class="{css}" href="{{filename}}/{entity.link_key}">{text}</a>'


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
    from .registry import shown_path

    return shown_path(path, None)
