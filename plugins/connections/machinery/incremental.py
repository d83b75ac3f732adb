"""Warm builds render again only the pages and feeds whose inputs changed.

Pelican's content cache spares a warm build the reading of unchanged stories
(the plugin has it compare files by their digest, not their modification
time: content_cache.py); this module spares it the rendering of unchanged
pages. Every page gets a key, the digest of what makes it:

- what makes every file: the versions of Python, Pelican, Jinja, Markdown,
  feedgen and lxml, the source of this plugin, the settings, the day of the
  build;
- its template and every template that one extends, includes or imports
  (their sources);
- the value of every variable those templates name, as the page's context
  holds it. Values are digested by kind: text, numbers, dates and
  containers by what they hold; a story or page by its fields (its text,
  headers, people, events...; a story it holds, a translation say, by its
  source file's digest, address and title) and by where each `{filename}`,
  `{static}` and mention link in its text leads now; a person or event by
  what describes it; a tag, category or author by its name and address; a
  page of a list by the stories on it and its place among the pages;
- each list of a person or event (their stories, the stories they wrote,
  the people met at an event...) that the page read when it was last
  rendered, each on its own: `registry.Listing` records each read while a
  page renders (a `ListRead`), so a person's page that shows how many
  stories they wrote is not rendered again when a story that tags them is
  edited (the page of their list that shows it is); and the answers it asked of
  `tag_slugs_with_pages` / `category_slugs_with_pages` (`registry.PagesOf`:
  whether its own tags have a page, not every tag of the blog).

A page whose key is the one recorded for its file by the last build, and
whose file is still the one that build wrote (same size and modification
time), is neither rendered nor written, and no signal is sent for it (a
plugin listening to `content_written`, such as pelican-seo, would otherwise
edit it again). Every file written sends `content_written` once. With
CONNECTIONS_WORKERS above 1, the pages of a batch (parallel_writing.py) are
keyed together once the batch is known, on every core (`OutputCache.decide`).

Where the cache cannot know what a page depends on, the page is rendered:

- a template that uses a filter, test or global that neither Jinja, Pelican
  nor this plugin defines (one in the settings file, or another plugin's):
  its code and whatever it reads are out of sight, so every page made with
  that template renders on every build;
- a template that names its includes with a variable, or reads a
  paginator's whole list (`articles_paginator.object_list`);
- a value of a kind not listed above;
- any other function or object of the settings file's own (anywhere but
  JINJA_FILTERS, JINJA_GLOBALS and JINJA_TESTS): every page renders.

Records are kept per output folder and survive an interrupted build
(output_records.py). It is on when Pelican's content cache is (CACHE_CONTENT
records, LOAD_CONTENT_CACHE uses them); CONNECTIONS_OUTPUT_CACHE = False
turns it off.
"""

import datetime
import functools
import hashlib
import html
import importlib.metadata
import logging
import os
import re
import sys
import sysconfig
from pathlib import Path
from urllib.parse import unquote, urlparse

from jinja2 import meta, nodes
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import Writer

from ..linking.record import Record
from ..linking.record import state
from ..model.registry import LISTINGS, Answer, Entity, ListRead, PagesOf
from ..output.pages import build_day
from ..output.related import StoryLink
from . import parallel_reading
from .output_records import Records
from .parallel_writing import Job, render, run_in_workers

logger = logging.getLogger(__name__)

# Pages a worker keys at the least (OutputCache.decide): a key takes a
# fraction of a millisecond, a worker's start tens of them.
MIN_KEYS_PER_WORKER = 250

# Settings that change how a build runs, not what it writes.
RUN_SETTINGS = {
    "LOAD_CONTENT_CACHE", "CACHE_CONTENT", "CACHE_PATH", "CHECK_MODIFIED_METHOD",
    "CONTENT_CACHING_LAYER", "GZIP_CACHE", "DELETE_OUTPUT_DIRECTORY",
    "OUTPUT_RETENTION", "LOG_FILTER", "WRITE_SELECTED", "DEBUG", "OUTPUT_PATH",
}
# Template helpers: judged per page (a page using one of the user's renders).
TEMPLATE_HELPERS = ("JINJA_FILTERS", "JINJA_GLOBALS", "JINJA_TESTS")
# Fields of a story worked out from the others, or that hold the whole build.
DERIVED_FIELDS = {"_context", "settings", "_url_memo"}
# Where an entity keeps its lists (registry.Listing), by their names.
LISTED_WITH = {f"_{name}": name for name in LISTINGS}
PACKAGES = ("pelican", "jinja2", "markdown", "feedgen", "lxml", "markupsafe")
# Code whose version the key holds: its functions and objects are known by name.
KNOWN_CODE = ("connections", "pelican", "jinja2", "markupsafe", "markdown", "feedgen")


_STDLIB = tuple(os.path.abspath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib"))


def enabled(settings):
    return bool(settings.get("CONNECTIONS_OUTPUT_CACHE", True)) and bool(
        settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")
    )


class Unknown(Exception):
    """A value whose digest can't be known: the page renders."""


def _digest(text):
    return _digest_bytes(text.encode("utf-8", "surrogatepass"))


def _digest_bytes(data):
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def known_code(module):
    """Whether code of `module` is covered by the key's code version."""
    if not module:
        return False
    top = module.split(".", 1)[0]
    if module.startswith("pelican.plugins."):  # other plugins: not ours to know
        return False
    if top in KNOWN_CODE or top == "builtins":
        return True
    if top not in sys.stdlib_module_names:
        return False
    # Python's own (not a settings file that happens to be called site.py).
    found = getattr(sys.modules.get(module), "__file__", None)
    return found is None or os.path.abspath(found).startswith(_STDLIB)


def _module_of(value):
    if isinstance(value, functools.partial):
        return _module_of(value.func)
    module = getattr(value, "__module__", None) if callable(value) and hasattr(
        value, "__qualname__") else type(value).__module__
    return module


class Digests:
    """Digests of what pages are made from, by kind (see the module's docstring)."""

    def __init__(self, context=None):
        self.context = context or {}
        self._memo = {}  # (id, kind) -> (object, digest): the object is kept alive
        self._sources = {}  # source path -> digest of the file's bytes
        self._inside = 0  # > 0 while digesting the fields of a story
        self._targets = {}  # a link as written -> what it leads to

    def _memoized(self, value, kind, make):
        key = (id(value), kind)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = (value, make(value))
        return hit[1]

    def known(self, content):
        """The digest of a story or page met at the top of a page, if made."""
        hit = self._memo.get((id(content), "content"))
        return hit[1] if hit is not None else None

    def seed(self, content, digest):
        """A story's digest made by a worker, from the same story (forked)."""
        self._memo.setdefault((id(content), "content"), (content, digest))

    def of(self, value, depth=0):
        kind = type(value)
        if kind is str:
            return f"s{len(value)}:{value}"
        of = self.of
        if kind is list or kind is tuple:  # text items inline: the usual ones
            return "[" + ",".join([
                f"s{len(v)}:{v}" if type(v) is str else of(v, depth + 1) for v in value
            ]) + "]"
        if kind is dict:
            return "{" + ",".join([
                (f"s{len(k)}:{k}" if type(k) is str else of(k, depth + 1)) + ":"
                + (f"s{len(v)}:{v}" if type(v) is str else of(v, depth + 1))
                for k, v in value.items()
            ]) + "}"
        if value is None or kind is bool or kind is int or kind is float:
            return repr(value)
        if isinstance(value, str):  # Markup is rendered unescaped: not the same
            return f"{kind.__name__}{len(value)}:{value}"
        if isinstance(value, (datetime.date, datetime.time)):
            zone = getattr(value, "tzinfo", None)
            return f"{kind.__name__}({value.isoformat()},{zone})"
        if isinstance(value, datetime.tzinfo):
            return f"tz({value})"
        if depth > 12:
            raise Unknown("too deep")
        if isinstance(value, Content):
            if self._inside:  # a story another holds (a translation...): by who it is
                return self._memoized(value, "held", self._held)
            return self._memoized(value, "content", self._content)
        if isinstance(value, Entity):
            return self._memoized(value, "card", self._card)
        if isinstance(value, URLWrapper):
            return self._memoized(value, "wrapper", self._wrapper)
        if isinstance(value, Page):
            return self._page(value)
        if isinstance(value, StoryLink):  # a neighbour or related story, on many pages
            return self._memoized(value, "story-link", self._story_link)
        if isinstance(value, Record):  # what linking knows of a story
            return "Record" + self.of(value.fingerprinted(), depth + 1)
        if isinstance(value, Paginator):
            return (f"Paginator({value.name!r},{value.url!r},{value.per_page},"
                    f"{value.orphans},{value.count},{value.num_pages})")
        if isinstance(value, (list, tuple)):
            return "[" + ",".join([self.of(v, depth + 1) for v in value]) + "]"
        if isinstance(value, PagesOf):  # its answers are the page's reads (with_reads)
            return f"PagesOf({value.kind})"
        if isinstance(value, frozenset):  # as a build keeps them: asked per page
            return self._memoized(value, "set", lambda v: self._set(v, depth))
        if isinstance(value, set):
            return self._set(value, depth)
        if isinstance(value, dict):
            return self.of(dict(value), depth)
        if isinstance(value, re.Pattern):
            return f"re({value.pattern!r},{value.flags})"
        if callable(value):  # the same filters and globals, page after page
            return self._memoized(value, "code", lambda v: self._code(v, depth))
        return self._code(value, depth)

    def _code(self, value, depth):
        """A function, class or object of known code, by its name (and an
        object by its fields); anything else can't be known."""
        module = _module_of(value)
        if not known_code(module):
            raise Unknown(f"{module}.{getattr(value, '__qualname__', type(value).__qualname__)}")
        if isinstance(value, functools.partial):
            return (f"partial({self._code(value.func, depth + 1)},"
                    f"{self.of(list(value.args), depth + 1)},"
                    f"{self.of(dict(value.keywords), depth + 1)})")
        if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
            inner = getattr(value, "__self__", None)
            name = f"{module}.{value.__qualname__}"
            if inner is not None and not isinstance(inner, type(sys)):
                return f"method({name},{self.of(inner, depth + 1)})"
            return f"code({name})"
        own = getattr(value, "__dict__", None)
        if own is None:
            shown = repr(value)
            if " at 0x" in shown:  # says where it is, not what
                raise Unknown(f"{module}.{type(value).__qualname__}")
            return f"{module}.{type(value).__qualname__}:{shown}"
        own = {k: v for k, v in own.items() if k not in DERIVED_FIELDS}
        return f"{module}.{type(value).__qualname__}{self.of(own, depth + 1)}"

    def _set(self, value, depth):
        return "{" + ",".join(sorted(self.of(item, depth + 1) for item in value)) + "}"

    def source(self, path):
        """The digest of a source file's bytes ('' when it can't be read)."""
        if path not in self._sources:
            try:
                with open(path, "rb") as f:
                    self._sources[path] = _digest_bytes(f.read())
            except (OSError, TypeError):
                self._sources[path] = ""
        return self._sources[path]

    def _content(self, content):
        """A story or page by its fields, and where its links lead."""
        own = {k: v for k, v in vars(content).items() if k not in DERIVED_FIELDS}
        self._inside += 1
        try:
            fields = self.of(own, 1)
        finally:
            self._inside -= 1
        return _digest(type(content).__qualname__ + fields + self.links(content))

    def _held(self, content):
        try:
            url, save_as = content.url, content.save_as
        except KeyError:  # a kind of content without URL settings (a profile)
            url = save_as = None
        return (f"{type(content).__qualname__}({content.source_path!r},"
                f"{self.source(content.source_path)},{url!r},{save_as!r},"
                f"{self.of(getattr(content, 'title', None))},"
                f"{self.of(getattr(content, 'lang', None))},"
                f"{self.of(getattr(content, 'status', None))})")

    def links(self, content):
        """Where each intrasite link in a story's text leads in this build:
        the address of the story, page, person, event or file it names."""
        texts = [getattr(content, "_content", None), getattr(content, "_summary", None),
                 content.metadata.get("summary") if hasattr(content, "metadata") else None]
        texts = [t for t in texts if t and "{" in t]
        if not texts:
            return ""
        try:
            pattern = content._get_intrasite_link_regex()
        except (AttributeError, KeyError):
            raise Unknown("intrasite links") from None
        found = []
        for text in texts:
            for m in pattern.finditer(text):
                what, value = m.group("what"), m.group("value")
                found.append(f"{what}:{value}>{self._target(content, what, value)}")
        return "|links:" + ",".join(found)

    def _target(self, content, what, value):
        if what not in ("filename", "static", "attach"):
            return "settings"  # {tag}, {category}, {author}, {index}: from the settings
        memo = (what, value) if value.startswith("/") else (what, value, content.relative_dir)
        found = self._targets.get(memo)
        if found is None:
            found = self._targets[memo] = self._find_target(content, value)
        return found

    def _find_target(self, content, value):
        """What Pelican's link filler would find for `value` (the path as
        written, unquoted, or unescaped; in either table)."""
        url = urlparse(value)
        keys = []
        for path in (url.path, unquote(url.path), urlparse(html.unescape(value)).path):
            key = path[1:] if path.startswith("/") else content.get_relative_source_path(
                os.path.join(content.relative_dir, path))
            if key not in keys:
                keys.append(key)
        for table in ("generated_content", "static_content"):
            known = self.context.get(table, {})
            for key in keys:
                item = known.get(key)
                if item is not None:
                    return f"{table}:{key}:{_address(item)}"
        return "none"

    def _card(self, entity):
        """A person or event by what describes it (not the lists kept with it)."""
        own = {k: v for k, v in vars(entity).items()
               if k not in LISTED_WITH and k not in DERIVED_FIELDS}
        return _digest(type(entity).__qualname__ + self._outside(own))

    def _outside(self, value):
        """`value`'s digest as if met at the top of a page: a person's is the
        same whichever story it was first met in (it is memoized)."""
        inside, self._inside = self._inside, 0
        try:
            return self.of(value, 1)
        finally:
            self._inside = inside

    def listed(self, read):
        """One list a page read of a person or event (a ListRead: the
        stories, events or people listed with it), with what describes it;
        an answer a page read from a PagesOf, by its value."""
        if isinstance(read, Answer):
            return repr(read.value)
        return self._memoized(read.entity, f"list:{read.name}",
                              lambda entity: self._listed(entity, read.name))

    def _listed(self, entity, name):
        value = vars(entity).get(f"_{name}")
        if isinstance(value, (list, tuple)):
            listed = "".join(self._listing(item) for item in value)
        else:
            listed = self._outside(value)
        return _digest(self._memoized(entity, "card", self._card) + f"|{name}|" + listed)

    def _listing(self, item):
        if isinstance(item, tuple):  # (person, count)
            return "(" + ",".join(self._listing(i) for i in item) + ")"
        return self._outside(item)

    def _story_link(self, link):
        return "StoryLink" + self.of(vars(link), 1)

    def _wrapper(self, wrapper):
        return f"{type(wrapper).__qualname__}({wrapper.name!r},{wrapper.slug!r},{wrapper.url!r})"

    def _page(self, page):
        return (f"Page({page.full_name!r},{page.base_url!r},{page.number},"
                f"{page.paginator.num_pages},{self.of(page.object_list, 1)})")


def _address(item):
    """(url, save_as) of what a `{filename}` or `{static}` link may point at."""
    try:
        return getattr(item, "url", None), getattr(item, "save_as", None)
    except KeyError:  # a kind of content without URL settings
        return None, None


class TemplateInputs:
    """What a template and the templates it pulls in use: the variables they
    name, the filters and tests they apply, and a digest of their sources;
    None when they cannot all be known."""

    def __init__(self, environment, records):
        self.env = environment
        self.records = records  # analyses kept from the last build, and this one's
        self._known = {}

    def of(self, name):
        if name not in self._known:
            self._known[name] = self._find(name)
        return self._known[name]

    def _find(self, name):
        seen, todo, digests = set(), [name], []
        names, filters, tests = set(), set(), set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            try:
                source, *_ = self.env.loader.get_source(self.env, current)
            except Exception:  # noqa: BLE001 - Jinja reports it when rendering
                return None
            digest = _digest(f"{current}\0{source}")
            found = self.records.templates.get(digest)
            if found is None:
                found = self.records.analyses.get(digest)
                if found is None:
                    found = _analyse(self.env.parse(source))
                self.records.templates[digest] = found
            if found is False:
                return None
            used, pulled, applied, tested = found
            names.update(used)
            filters.update(applied)
            tests.update(tested)
            todo.extend(pulled)
            digests.append(digest)
        return sorted(names), sorted(filters), sorted(tests), _digest("".join(sorted(digests)))


def _analyse(tree):
    """[variables named, templates pulled in, filters, tests], or False when
    what it reads or pulls in can't be known."""
    if not _reads_paginators_safely(tree):
        return False
    pulled = list(meta.find_referenced_templates(tree))
    if None in pulled:  # {% include some_variable %}
        return False
    filters = sorted({node.name for node in tree.find_all(nodes.Filter)})
    tests = sorted({node.name for node in tree.find_all(nodes.Test)})
    return [sorted(meta.find_undeclared_variables(tree)), pulled, filters, tests]


def _reads_paginators_safely(tree):
    """A paginator's whole list is read only through a page (`*_page.object_list`)."""
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else (
            node.arg.value if isinstance(node.arg, nodes.Const) else None)
        if attr == "object_list" and not (
            isinstance(node.node, nodes.Name) and node.node.name.endswith("_page")
        ):
            return False
    return True


_CODE_VERSION = []


def code_version():
    """The code's version, worked out once per process (as it was imported,
    not as it may be edited while a build runs)."""
    if not _CODE_VERSION:
        _CODE_VERSION.append(_code_version())
    return _CODE_VERSION[0]


def _code_version():
    parts = [sys.version]
    for package in PACKAGES:
        try:
            parts.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=none")
    plugin = Path(__file__).resolve().parent.parent  # every sub-package's code
    for path in sorted(plugin.rglob("*.py")):
        parts.append(path.relative_to(plugin).as_posix() + _digest(path.read_text(encoding="utf-8")))
    return "".join(parts)


def entities_named(names, context):
    """The lists of people and events (`kind.list/slug`) and the answers of
    a PagesOf (`kind-page/slug`) named in the records, as this build knows
    them; None when one of them is gone."""
    if not names:
        return []
    registry = state(context).registry
    found = []
    for name in names:
        kind, _, slug = name.partition("/")
        if kind.endswith("-page"):  # an answer from tag_slugs_with_pages...
            asked = context.get(f"{kind[:-len('-page')]}_slugs_with_pages")
            if not isinstance(asked, PagesOf):
                return None
            found.append(asked.answer(slug))
            continue
        kind, _, listing = kind.partition(".")
        entity = registry.entities.get(kind, {}).get(slug)
        if entity is None or listing not in LISTINGS:
            return None
        found.append(ListRead(entity, listing))
    return found


class OutputCache:
    """The keys of one build's pages and feeds, and the records of the last one."""

    def __init__(self, settings, output_path):
        self.settings = settings
        self.output_path = output_path
        self.records = Records(settings, output_path)
        self.code = code_version()
        self.digests = None
        self._base = None
        self._inputs = {}
        self.rendered = self.skipped = 0

    def _digests(self, context):
        if self.digests is None:
            self.digests = Digests(context)
        return self.digests

    def base(self, context):
        """What every file depends on, worked out once per build; None when
        the settings hold code the cache can't see into."""
        if self._base is None:
            digests = self._digests(context)
            settings = {k: v for k, v in self.settings.items()
                        if k not in RUN_SETTINGS and k not in TEMPLATE_HELPERS}
            try:
                shown = digests.of(settings)
                self._base = _digest(
                    self.code + shown + digests.of(build_day(self.settings)))
            except Unknown as exc:
                logger.info(
                    "connections: the settings hold %s, code the output cache can't "
                    "see into, so every page and feed is rendered", exc,
                )
                self._base = False
        return self._base or None

    def page_key(self, template, localcontext):
        """The key of one page's template and context, or None when it
        can't be known (`with_reads` adds the lists the page reads)."""
        base = self.base(localcontext)
        if base is None:
            return None
        found = self._inputs_of(template)
        if found is None:
            return None
        env = template.environment
        names, filters, tests, source = found
        digests = self._digests(localcontext)
        page_url = localcontext.get("SITEURL"), localcontext.get("localsiteurl")
        parts = [base, localcontext.get("output_file", ""), repr(page_url), template.name, source]
        try:
            for name in names:
                if name in localcontext:
                    parts.append(f"{name}={digests.of(localcontext[name])}")
                elif name in env.globals:
                    parts.append(f"{name}~{digests.of(env.globals[name])}")
            for table, used in (("|", filters), ("?", tests)):
                functions = env.filters if table == "|" else env.tests
                parts.extend(f"{table}{name}={digests.of(functions.get(name))}" for name in used)
        except Unknown:
            return None
        return _digest("\n".join(parts))

    def _inputs_of(self, template):
        """What the template uses (TemplateInputs.of), or None."""
        env = template.environment
        inputs = self._inputs.get(id(env))
        if inputs is None:
            inputs = self._inputs[id(env)] = (env, TemplateInputs(env, self.records))
        return inputs[1].of(template.name) if template.name else None

    def with_reads(self, key, entities):
        """`key` with the lists of the people and events a page read; and
        their names for the records."""
        named = sorted(((f"{e.kind}/{e.slug}", e) for e in entities), key=lambda ne: ne[0])
        listed = self.digests.listed
        return _digest(key + "".join(f"\n{n}={listed(e)}" for n, e in named)), [
            n for n, _ in named]

    def read_before(self, target, context):
        """The people and events the page last written to `target` read, as
        this build knows them; None when one of them is gone."""
        return entities_named(self.records.reads(target), context)

    def decide(self, pages, workers):
        """(key, unchanged) of each of `pages` (template, context, target)
        whose key is asked at once (a batch's: IncrementalWriter.finish_batch):
        worked out on every core (contiguous runs, each in a process forked
        from the build but the first), and the digests of the stories they
        hold brought back to this build's, which the pages after them read."""
        decided = [None] * len(pages)

        def one(i):
            template, localcontext, target = pages[i]
            key = self.page_key(template, localcontext)
            reads = self.read_before(target, localcontext) if key is not None else None
            same = reads is not None and self.records.matches(
                target, self.with_reads(key, reads)[0])
            stories = []
            if key is not None:  # the stories it names, digested for its key
                for name in self._inputs_of(template)[0]:
                    value = localcontext.get(name)
                    digest = self.digests.known(value) if isinstance(value, Content) else None
                    if digest:
                        stories.append((name, digest))
            return key, same, stories

        def done(i, result):
            key, same, stories = result
            localcontext = pages[i][1]
            for name, digest in stories:
                self._digests(localcontext).seed(localcontext[name], digest)
            decided[i] = key, same

        run_in_workers([functools.partial(one, i) for i in range(len(pages))], workers, done,
                       "pages", per_worker=MIN_KEYS_PER_WORKER, verb="checking",
                       doing="checking pages against the last build")
        return decided

    def feed_key(self, context, *parts):
        base = self.base(context)
        if base is None:
            return None
        digests = self._digests(context)
        try:
            return _digest("\n".join([base, "feed"] + [digests.of(p) for p in parts]))
        except Unknown:
            return None


class IncrementalWriter(Writer):
    """Pelican's writer, that neither renders nor writes a page whose key
    did not change, and sends `content_written` for every file it writes,
    once, and for no other. Between `start_batch` and `finish_batch` (the
    story pages, then the lists) the pages are keyed together, on every core
    (OutputCache.decide), and those it must render are rendered together, on
    every core (parallel_writing.py), with or without the output cache."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self.cache = OutputCache(self.settings, output_path) if enabled(self.settings) else None
        self._seen = set()
        self._batch = None
        if self.cache is not None:
            # Weakly connected: the records are saved once this build is done.
            signals.finalized.connect(self._finished)

    def write_file(self, name, template, context, relative_urls=False, paginated=None,
                   template_name=None, override_output=False, url=None, **kwargs):
        if not name or (self.cache is None and self._batch is None):
            return super().write_file(name, template, context, relative_urls, paginated,
                                      template_name, override_output, url, **kwargs)
        for save_as, localcontext in self._pages(
            name, context, relative_urls, paginated, template_name, url, kwargs
        ):
            self._write_page(template, context, localcontext, save_as, override_output)

    def start_batch(self):
        """From now on pages are rendered together, by CONNECTIONS_WORKERS
        processes, at `finish_batch` (parallel_writing.py)."""
        self._batch = [] if parallel_reading.worker_count(self.settings) > 1 else None

    @property
    def batching(self):
        return self._batch is not None

    def finish_batch(self):
        """Key the batch's pages (on every core: OutputCache.decide), then
        render and write those that changed; each is recorded and said, in
        their order, once on disk (`_written`)."""
        jobs, self._batch = self._batch, None
        if jobs and self.cache is not None:
            jobs = self._changed(jobs)
        if jobs:
            self.run_together([job.run for job in jobs], "pages",
                              lambda i, names: self._written(jobs[i], names))

    def _changed(self, jobs):
        """The jobs whose page changed since the last build, keyed and
        journaled (before any worker writes); the others stay as they are."""
        decided = self.cache.decide([(j.template, j.localcontext, j.target) for j in jobs],
                                    parallel_reading.worker_count(self.settings))
        changed = []
        for job, (key, same) in zip(jobs, decided):
            if same:
                self.cache.records.kept(job.target)
                self.cache.skipped += 1
                continue
            self.cache.rendered += 1
            job.key = key
            self.cache.records.writing(job.target)
            changed.append(job)
        return changed

    def run_together(self, tasks, what, done=lambda i, result: None):
        """Run `tasks` (each writes files of its own, independent of the
        others) on every core (parallel_writing.run_in_workers)."""
        run_in_workers(tasks, parallel_reading.worker_count(self.settings), done, what)

    def drop_batch(self):
        """The build failed while pages were being batched: none is written
        (nor journaled: their files are the last build's, as it recorded them)."""
        self._batch = None

    def _pages(self, name, context, relative_urls, paginated, template_name, url, kwargs):
        """(save_as, context) of each page `write_file` makes, as Pelican's
        writer makes them (pagination included)."""

        def local(save_as, extra):
            localcontext = context.copy()
            localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
            if relative_urls:
                relative_url = path_to_url(get_relative_path(save_as))
                localcontext["SITEURL"] = relative_url
                localcontext["localsiteurl"] = relative_url
            localcontext["output_file"] = save_as
            localcontext.update(extra)
            return localcontext

        if paginated is None:
            paginated = {k: v for k, v in kwargs.items() if k in {"articles", "dates"}}
        if not (paginated and template_name in self.settings["PAGINATED_TEMPLATES"]):
            yield name, local(name, kwargs)
            return
        per_page = (self.settings["PAGINATED_TEMPLATES"][template_name]
                    or self.settings["DEFAULT_PAGINATION"])
        paginators = {key: Paginator(name, url, val, self.settings, per_page)
                      for key, val in paginated.items()}
        for number in range(next(iter(paginators.values())).num_pages):
            extra = kwargs.copy()
            for key, paginator in paginators.items():
                page = paginator.page(number + 1)
                extra.update({
                    f"{key}_paginator": paginator,
                    f"{key}_page": page,
                    f"{key}_previous_page": paginator.page(number) if number > 0 else None,
                    f"{key}_next_page": paginator.page(number + 2)
                    if number + 1 < paginator.num_pages else None,
                })
            yield page.save_as, local(page.save_as, extra)

    def _write_page(self, template, context, localcontext, save_as, override):
        if localcontext["localsiteurl"]:
            context["localsiteurl"] = localcontext["localsiteurl"]
        target = sanitised_join(self.output_path, save_as)
        if self._batch is not None and not override and target not in self._written_files \
                and target not in self._overridden_files:
            # Keyed with the batch's other pages, on every core (finish_batch);
            # as written already: a second write is refused or let through
            # as Pelican's writer does.
            self._seen.add(target)
            self._claim(target, override)
            self._batch.append(Job(template, context, localcontext, target, None))
            return
        key = None
        if self.cache is not None:
            key = self.cache.page_key(template, localcontext)
            if self._unchanged(target, key, localcontext):
                self._claim(target, override)  # as written: a second write is still refused
                return
        output, reads = render(template, localcontext)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if self.cache is not None:
            if key is None:
                self.cache.records.writing(target)
            else:
                self.cache.records.writing(target, *self.cache.with_reads(key, reads))
        with self._open_w(target, "utf-8", override=override) as f:
            f.write(output)
        logger.info('Writing "%s"', target)
        signals.content_written.send(target, context=localcontext)

    def _written(self, job, names):
        """A page of a batch is on disk: recorded and said as `_write_page`
        records and says one."""
        if self.cache is not None and job.key is not None:
            reads = entities_named(names, job.context)
            if reads is not None:
                self.cache.records.written(job.target, *self.cache.with_reads(job.key, reads))
        logger.info('Writing "%s"', job.target)
        signals.content_written.send(job.target, context=job.localcontext)

    def _open_w(self, filename, encoding, override=False):
        """Any other file Pelican's writer writes (its own feeds, when on) is
        journaled and recorded too, never skipped."""
        if self.cache is not None and filename not in self.cache.records.pending:
            self.cache.records.writing(filename)
        return super()._open_w(filename, encoding, override)

    def _unchanged(self, target, key, context):
        if target in self._seen:  # written twice in one build: let Pelican decide
            return False
        self._seen.add(target)
        reads = self.cache.read_before(target, context) if key is not None else None
        if reads is not None and self.cache.records.unchanged(
            target, self.cache.with_reads(key, reads)[0]
        ):
            self.cache.skipped += 1
            return True
        self.cache.rendered += 1
        return False

    def _claim(self, target, override):
        """Pelican's bookkeeping of a file written, without writing it."""
        if override:
            self._overridden_files.add(target)
        self._written_files.add(target)

    def _finished(self, pelican):
        signals.finalized.disconnect(self._finished)
        records = self.cache.records
        removed = records.remove_left_over()
        records.save()
        logger.info(
            "connections: %d files rendered, %d unchanged since the last build, "
            "%d no longer made removed%s",
            self.cache.rendered, self.cache.skipped, removed,
            " (the last build was interrupted: everything rendered)"
            if records.interrupted else "",
        )
