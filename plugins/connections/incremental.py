"""Warm builds render again only the pages and feeds whose inputs changed.

Pelican's content cache spares a warm build the reading of unchanged stories;
this module spares it the rendering of unchanged pages. Every file written
gets a fingerprint: a hash of

- its template and every template that one extends, includes or imports;
- the value of every variable those templates name, as the page's context
  holds it (a story, a person, the stories of one list page...), and the
  code of every filter and test they use;
- the lists of every person and event whose stories, people or events the
  page read when it was last rendered (`registry.Listing` tells);
- what any page may depend on: the settings, the versions of Pelican, Jinja,
  Markdown, feedgen and of this plugin's code, the day of the build, and the
  URL of every piece of content and static file (a story's links to others).

When a file's fingerprint is the one recorded by the last build, and the file
is still the one that build wrote (same size and modification time), it is not
rendered or written again. Anything else, including a template that names its
includes with a variable, is rendered as before, so a page is never stale; the
benchmark and `tests/test_incremental.py` compare warm builds with cold ones,
byte for byte.

How values are fingerprinted: strings, numbers, dates and containers by what
they hold; a story or page by every attribute it carries (its text, headers,
URL, people, events...), and a story it holds (a translation) by every
attribute too, but the stories that one holds by their URL and title; a
person or event by what describes it (name, URL, profile, privacy), and,
when a page read them, by the stories, events and people listed with it; a
page of a paginated list by the stories on it and its place among the pages;
a tag, category or author by its name and URL; a function by its code. A
template that reads the whole list of a paginator
(`articles_paginator.object_list`) is always rendered.

It is on when Pelican's content cache is (CACHE_CONTENT records, and
LOAD_CONTENT_CACHE uses, the fingerprints beside Pelican's cache in
CACHE_PATH); CONNECTIONS_OUTPUT_CACHE = False turns it off.
"""

import datetime
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
import types
from pathlib import Path

from jinja2 import meta, nodes
from pelican import signals
from pelican.contents import Content
from pelican.paginator import Page, Paginator
from pelican.urlwrappers import URLWrapper
from pelican.utils import sanitised_join
from pelican.writers import Writer

from .generator import build_day
from .linking import STATE_KEY
from .linked import Record
from .registry import LISTINGS, Entity, Listing

logger = logging.getLogger(__name__)

RECORD_FILE = "connections-output.json"
FORMAT = 2

# Settings that change how a build runs, not what it writes.
RUN_SETTINGS = {
    "LOAD_CONTENT_CACHE", "CACHE_CONTENT", "CACHE_PATH", "CHECK_MODIFIED_METHOD",
    "CONTENT_CACHING_LAYER", "GZIP_CACHE", "DELETE_OUTPUT_DIRECTORY",
    "OUTPUT_RETENTION", "LOG_FILTER", "WRITE_SELECTED", "DEBUG",
}
# Attributes of a story that are worked out from the others when a page is
# rendered, or that hold the whole build.
DERIVED_ATTRIBUTES = {"_context", "settings", "_url_memo"}
# Where an entity keeps its lists (registry.Listing), by their names.
LISTED_WITH = {f"_{name}": name for name in LISTINGS}
PACKAGES = ("pelican", "jinja2", "markdown", "feedgen", "lxml", "markupsafe")


def enabled(settings):
    return bool(settings.get("CONNECTIONS_OUTPUT_CACHE", True)) and bool(
        settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")
    )


class Records:
    """What the last build wrote: {path in output: [fingerprint, size,
    mtime_ns, reads]}, where `reads` names the people and events whose lists
    the page read ("person/<slug>"), and the fingerprint covers those lists."""

    def __init__(self, settings):
        self.file = Path(settings["CACHE_PATH"]) / RECORD_FILE
        self.use = bool(settings.get("LOAD_CONTENT_CACHE"))
        self.keep = bool(settings.get("CACHE_CONTENT"))
        self.previous, self.analyses = self._load() if self.use else ({}, {})
        self.templates = {}  # the analyses of this build's templates
        self.current = {}
        self.pending = {}  # target -> (fingerprint, reads), for files being written
        # A build that stops half-way must not leave records of files it
        # may have rewritten since.
        if self.file.exists():
            self.file.unlink()

    def _load(self):
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, {}
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return {}, {}
        return data.get("files", {}), data.get("templates", {})

    def reads(self, target):
        """What the page the last build wrote to `target` read ([] if nothing)."""
        record = self.previous.get(target)
        return record[3] if record is not None else []

    def unchanged(self, target, key):
        """True when `target` is still what the last build wrote for `key`."""
        record = self.previous.get(target)
        if record is None or record[0] != key:
            return False
        try:
            stat = os.stat(target)
        except OSError:
            return False
        if [stat.st_size, stat.st_mtime_ns] != record[1:3]:
            return False
        self.current[target] = record
        return True

    def wrote(self, target, key, reads=()):
        """`target` is being written for `key` (None: it can't be known)."""
        self.current.pop(target, None)
        if key is not None:
            self.pending[target] = (key, list(reads))

    def remove_left_over(self, output_path):
        """Delete what the last build wrote and this one did not (a story
        deleted, a person made private), unless someone changed it since:
        a warm build leaves the same files as a cold one."""
        removed = 0
        for target, record in self.previous.items():
            if target in self.current or target in self.pending:
                continue
            try:
                stat = os.stat(target)
            except OSError:
                continue
            if [stat.st_size, stat.st_mtime_ns] != record[1:3]:
                continue
            os.remove(target)
            removed += 1
            folder = os.path.dirname(target)
            while os.path.abspath(folder) != os.path.abspath(output_path):
                try:
                    os.rmdir(folder)
                except OSError:
                    break
                folder = os.path.dirname(folder)
        return removed

    def save(self):
        if not self.keep:
            return
        for target, (key, reads) in self.pending.items():
            try:
                stat = os.stat(target)
            except OSError:
                continue
            self.current[target] = [key, stat.st_size, stat.st_mtime_ns, reads]
        self.pending = {}
        self.file.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "files": self.current, "templates": self.templates}
        tmp = self.file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
        os.replace(tmp, self.file)


def _digest(text):
    return _digest_bytes(text.encode("utf-8", "surrogatepass"))


def _digest_bytes(data):
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class Fingerprints:
    """Stable fingerprints of template values (see the module's docstring)."""

    def __init__(self):
        self._memo = {}  # (id, kind) -> (object, fingerprint): the object is kept alive
        self._inside = 0  # > 0 while fingerprinting what a story holds
        self._modules = {}  # module name -> digest of its source file

    def _memoized(self, value, kind, make):
        key = (id(value), kind)
        hit = self._memo.get(key)
        if hit is None:
            hit = self._memo[key] = (value, make(value))
        return hit[1]

    def of(self, value, depth=0):
        kind = type(value)
        if kind is str:
            return f"s{len(value)}:{value}"
        if kind is list or kind is tuple:
            return "[" + ",".join([self.of(v, depth + 1) for v in value]) + "]"
        if kind is dict:
            return "{" + ",".join([
                f"{self.of(k, depth + 1)}:{self.of(v, depth + 1)}" for k, v in value.items()
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
            return _unstable(value)
        if isinstance(value, Content):
            if self._inside > 1:  # a translation's translations: by who they are
                return self._identity(value)
            if self._inside:
                return self._memoized(value, "held", self._content)
            return self._memoized(value, "content", self._content)
        if isinstance(value, Entity):
            return self._memoized(value, "card", self._card)
        if isinstance(value, URLWrapper):
            return self._memoized(value, "wrapper", self._wrapper)
        if isinstance(value, Page):
            return self._page(value)
        if isinstance(value, Record):  # what linking knows of a story
            return "Record" + self.of(value.fingerprinted(), depth + 1)
        if isinstance(value, Paginator):
            return (f"Paginator({value.name!r},{value.url!r},{value.per_page},"
                    f"{value.orphans},{value.count},{value.num_pages})")
        if isinstance(value, (list, tuple)):
            return "[" + ",".join([self.of(v, depth + 1) for v in value]) + "]"
        if isinstance(value, frozenset):  # as a build keeps them: asked per page
            return self._memoized(value, "set", lambda v: self._set(v, depth))
        if isinstance(value, set):
            return self._set(value, depth)
        if isinstance(value, dict):
            return self.of(dict(value), depth)
        if isinstance(value, type):
            return self._memoized(value, "class", self._class)
        if callable(value) and hasattr(value, "__qualname__"):
            return self._memoized(value, "callable", lambda v: self._callable(v, depth))
        if hasattr(value, "__dict__"):
            return f"{kind.__qualname__}{self.of(vars(value), depth + 1)}"
        shown = repr(value)
        if " at 0x" not in shown:  # a compiled pattern, a Decimal...: says what it is
            return f"{kind.__qualname__}:{shown}"
        return _unstable(value)

    def _set(self, value, depth):
        return "{" + ",".join(sorted(self.of(item, depth + 1) for item in value)) + "}"

    def listed(self, entity):
        """A person or event with the stories, events and people listed with it."""
        return self._memoized(entity, "listed", self._listed)

    def _content(self, content):
        """Every attribute; what it holds (a translation...) by every
        attribute too, the stories held by those by who they are: stories
        that point at each other end."""
        own = {k: v for k, v in vars(content).items() if k not in DERIVED_ATTRIBUTES}
        self._inside += 1
        try:
            return _digest(type(content).__qualname__ + self.of(own, 1))
        finally:
            self._inside -= 1

    def _identity(self, content):
        try:
            url = content.url
        except KeyError:  # a kind of content without URL settings (a profile)
            url = None
        return (f"{type(content).__qualname__}({content.source_path!r},{url!r},"
                f"{self.of(getattr(content, 'title', None))},"
                f"{self.of(getattr(content, 'lang', None))})")

    def _card(self, entity):
        own = {k: v for k, v in vars(entity).items()
               if k not in LISTED_WITH and k not in DERIVED_ATTRIBUTES}
        return _digest(type(entity).__qualname__ + self._outside(own))

    def _listed(self, entity):
        own = vars(entity)
        listed = []
        for key in sorted(LISTED_WITH):
            value = own.get(key)
            if isinstance(value, (list, tuple)):
                listed.extend(self._listing(item) for item in value)
            else:
                listed.append(self._outside(value))
            listed.append("|")
        return _digest(self._card(entity) + "".join(listed))

    def _outside(self, value):
        """`value`'s fingerprint as if met at the top of a page: a person's
        is the same whichever story it was first met in."""
        inside, self._inside = self._inside, 0
        try:
            return self.of(value, 1)
        finally:
            self._inside = inside

    def _listing(self, item):
        if isinstance(item, tuple):  # (person, count)
            return "(" + ",".join(self._listing(i) for i in item) + ")"
        return self._outside(item)

    def _wrapper(self, wrapper):
        return f"{type(wrapper).__qualname__}({wrapper.name!r},{wrapper.slug!r},{wrapper.url!r})"

    def _page(self, page):
        return (f"Page({page.full_name!r},{page.base_url!r},{page.number},"
                f"{page.paginator.num_pages},{self.of(page.object_list, 1)})")

    def _callable(self, function, depth):
        """A function by its code, defaults and closure (a filter edited in
        pelicanconf.py keeps its name); a method also by its object."""
        name = f"{getattr(function, '__module__', '')}.{function.__qualname__}"
        inner = getattr(function, "__func__", None)
        if inner is not None:  # a bound method
            return (f"method({self.of(inner, depth + 1)},"
                    f"{self.of(getattr(function, '__self__', None), depth + 1)})")
        code = getattr(function, "__code__", None)
        if code is None:  # written in C, or a callable object: its class says
            return f"callable({name},{self._class(type(function))})"
        closure = [cell.cell_contents for cell in function.__closure__ or ()]
        parts = (function.__defaults__, function.__kwdefaults__, closure)
        return f"function({name},{_code(code)},{self.of(parts, depth + 1)})"

    def _class(self, cls):
        """A class by its name and the source of the module it is written in."""
        module = getattr(cls, "__module__", "") or ""
        if module not in self._modules:
            path = getattr(sys.modules.get(module), "__file__", None)
            try:
                with open(path, "rb") as f:
                    self._modules[module] = _digest_bytes(f.read())
            except (OSError, TypeError):
                self._modules[module] = "builtin"
        return f"class({module}.{cls.__qualname__},{self._modules[module]})"


def _code(code):
    """A digest of what compiled code does: its bytecode, names and constants
    (marshal's bytes vary from one process to the next; line numbers don't
    change what a function returns)."""
    parts = [code.co_code.hex(), repr(code.co_names), repr(code.co_varnames),
             repr(code.co_freevars), repr(code.co_cellvars)]
    parts.extend(_constant(const) for const in code.co_consts)
    return _digest("\0".join(parts))


def _constant(value):
    if isinstance(value, types.CodeType):
        return _code(value)
    if isinstance(value, tuple):
        return "(" + ",".join(_constant(v) for v in value) + ")"
    if isinstance(value, frozenset):  # its order varies from one process to the next
        return "frozenset" + repr(sorted(_constant(v) for v in value))
    return repr(value)


def _unstable(value):
    """A value we cannot fingerprint: never the same twice, so the page renders."""
    return f"unknown({type(value).__qualname__},{os.urandom(8).hex()})"


class TemplateInputs:
    """What a template and the templates it pulls in use: the variables they
    name, the filters and tests they apply, and a hash of their sources; None
    when they cannot all be known."""

    def __init__(self, environment, records):
        self.env = environment
        self.records = records
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
            known = self.records.templates
            found = known.get(digest)
            if found is None:
                found = self.records.analyses.get(digest)
                if found is None:
                    found = _analyse(self.env.parse(source))
                known[digest] = found
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


def _address(item):
    """(url, save_as) of what a `{filename}` or `{static}` link may point at."""
    try:
        return getattr(item, "url", None), getattr(item, "save_as", None)
    except KeyError:  # a kind of content without URL settings
        return None, None


def _code_version():
    parts = []
    for package in PACKAGES:
        try:
            parts.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=none")
    here = Path(__file__).resolve().parent
    for path in sorted(here.glob("*.py")):
        parts.append(path.name + _digest(path.read_text(encoding="utf-8")))
    return "".join(parts)


class OutputCache:
    """Fingerprints for one build, and the records of the last one."""

    def __init__(self, settings, output_path):
        self.settings = settings
        self.output_path = output_path
        self.records = Records(settings)
        self.fingerprints = Fingerprints()
        self._base = None
        self._inputs = {}
        self.rendered = self.skipped = 0

    def base(self, context):
        """What every file depends on, computed once per build."""
        if self._base is None:
            fp = self.fingerprints
            settings = {k: v for k, v in self.settings.items() if k not in RUN_SETTINGS}
            links = {
                name: _address(item)
                for table in ("generated_content", "static_content")
                for name, item in sorted(context.get(table, {}).items())
            }
            self._base = _digest(
                _code_version() + fp.of(settings) + fp.of(links) + fp.of(build_day(self.settings))
            )
        return self._base

    def page_key(self, template, localcontext):
        """The fingerprint of one page's template and context, or None when
        it can't be known (`with_reads` adds the lists the page reads)."""
        env = template.environment
        inputs = self._inputs.get(id(env))
        if inputs is None:
            inputs = self._inputs[id(env)] = (env, TemplateInputs(env, self.records))
        found = inputs[1].of(template.name) if template.name else None
        if found is None:
            return None
        names, filters, tests, source = found
        fp = self.fingerprints
        parts = [self.base(localcontext), template.name, source]
        for name in names:
            if name in localcontext:
                parts.append(f"{name}={fp.of(localcontext[name])}")
            elif name in env.globals:
                parts.append(f"{name}~{fp.of(env.globals[name])}")
        for table, used in (("|", filters), ("?", tests)):
            functions = env.filters if table == "|" else env.tests
            parts.extend(f"{table}{name}={fp.of(functions.get(name))}" for name in used)
        return _digest("\n".join(parts))

    def with_reads(self, key, entities):
        """`key` with the lists of the people and events a page read; and
        their names for the records."""
        named = sorted((f"{e.kind}/{e.slug}", e) for e in entities)
        listed = self.fingerprints.listed
        return _digest(key + "".join(f"\n{n}={listed(e)}" for n, e in named)), [
            n for n, _ in named]

    def read_before(self, target, context):
        """The people and events the page last written to `target` read, as
        this build knows them; None when one of them is gone."""
        names = self.records.reads(target)
        if not names:
            return []
        registry = context[STATE_KEY].registry
        found = []
        for name in names:
            kind, _, slug = name.partition("/")
            entity = registry.entities.get(kind, {}).get(slug)
            if entity is None:
                return None
            found.append(entity)
        return found

    def feed_key(self, context, *parts):
        fp = self.fingerprints
        return _digest("\n".join([self.base(context), "feed"] + [fp.of(p) for p in parts]))


class IncrementalWriter(Writer):
    """Pelican's writer, skipping pages whose fingerprint did not change."""

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings)
        self.cache = OutputCache(self.settings, output_path) if enabled(self.settings) else None
        self._skip = set()
        self._seen = set()
        if self.cache is not None:
            # Weakly connected: the records are saved once this build is done.
            signals.finalized.connect(self._finished)

    def write_file(self, name, template, context, *args, **kwargs):
        if self.cache is not None and name:
            template = _Fingerprinted(template, self)
        return super().write_file(name, template, context, *args, **kwargs)

    def unchanged(self, path, key, context):
        """True (and the file counted as written) when `path` needs no writing."""
        target = sanitised_join(self.output_path, path)
        if target in self._seen:  # written twice in one build: let Pelican decide
            return False
        self._seen.add(target)
        reads = self.cache.read_before(target, context) if key is not None else None
        if reads is not None and self.cache.records.unchanged(
            target, self.cache.with_reads(key, reads)[0]
        ):
            self._skip.add(target)
            self.cache.skipped += 1
            return True
        self.cache.rendered += 1
        return False

    def wrote(self, path, key, reads):
        """`path` was rendered from `key`, reading the lists of `reads`."""
        target = sanitised_join(self.output_path, path)
        if key is None:
            self.cache.records.wrote(target, None)
        else:
            self.cache.records.wrote(target, *self.cache.with_reads(key, reads))

    def _open_w(self, filename, encoding, override=False):
        if filename in self._skip:
            self._skip.discard(filename)
            if override:
                self._overridden_files.add(filename)
            self._written_files.add(filename)
            return open(os.devnull, "w", encoding=encoding)
        return super()._open_w(filename, encoding, override)

    def _finished(self, pelican):
        signals.finalized.disconnect(self._finished)
        records = self.cache.records
        removed = records.remove_left_over(self.output_path)
        records.save()
        logger.info(
            "connections: %d files rendered, %d unchanged since the last build, "
            "%d no longer made removed",
            self.cache.rendered, self.cache.skipped, removed,
        )


class _Fingerprinted:
    """A template that is rendered only when its page's fingerprint changed."""

    def __init__(self, template, writer):
        self.template = template
        self.writer = writer

    def __getattr__(self, name):
        return getattr(self.template, name)

    def render(self, localcontext):
        path = localcontext["output_file"]
        key = self.writer.cache.page_key(self.template, localcontext)
        if self.writer.unchanged(path, key, localcontext):
            return ""
        reads = {}
        Listing.readers.append(reads)
        try:
            output = self.template.render(localcontext)
        finally:
            Listing.readers.pop()
        self.writer.wrote(path, key, reads.values())
        return output
