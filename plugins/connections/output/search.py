"""Full-text search of the stories with Pagefind, built with the site.

Pagefind (the `pagefind[bin]` package ships its binary) indexes the story
pages once they are written (`output.story_pages_written`), while the
build goes on writing the rest, into `pagefind/` in the output: a static
index that works on any host and offline. Only story pages are indexed:
the theme marks a story's article `data-pagefind-body`
(partials/search_filters.html), and once any page has that mark Pagefind
leaves out the pages without it. Each story carries
its filters (`data-pagefind-filter`): person, event, tag and year. The people
are the story's `people`, so a private person is never there and a
first-name person only by their first name; the text indexed is the page's
own, where a private person shows as their placeholder.

The search page (CONNECTIONS_SEARCH_SAVE_AS, "search/index.html") loads
Pagefind's JavaScript API (pagefind.js) when the reader opens it, through
the theme's js/search.js; no other page loads any of it. Pagefind's ready-
made UI is not used: it inserts filter values (people's names) as HTML, so a
name of markup would become markup on the search page; search.js inserts
every name and title as text.
CONNECTIONS_SEARCH = False turns all of it off.

Pagefind is given the story pages alone (linked into a folder of their own),
in parts of at most about STORIES_PER_PART stories (`split`): Pagefind
cannot add a page to an index, so a warm build indexes again only the parts
whose pages it rewrote (`_part_state`), and the search page merges the parts
in the browser (Pagefind's `mergeIndex`). One Pagefind indexes the parts
one after the other while the build writes the rest of the site; the parts
still left once it has are indexed at once, as many as CONNECTIONS_WORKERS
(a cold build of 5,000 stories had 11 of its 16 parts left then, and
waited 3 s less). When Pagefind fails, the build
fails with Pagefind's own message, never with a half-written index left
looking finished: each part is written to a folder beside and swapped in
once the whole site is written (`finalized`); a build that fails before
that stops Pagefind and removes those folders (`abandon`).
"""

import atexit
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from ..diagnostics import ContentError
from ..linking.record import state
from ..settings import worker_count
from . import story_pages_written
from .default_templates import theme_has

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"
RECORD_FILE = "connections-search-{folder}.json"
# Stories per part of the index (see `split`): a warm build that rewrote one
# story page indexes 250-500 pages (about 0.6 s on one core, where a part of
# 2,000 took 2.5 s), and Pagefind's memory is a part's.
STORIES_PER_PART = 500
# (settings, parts) to index, by output folder (SearchGenerator -> start_indexing).
_pending = {}
# Pagefind writes its indexes (filters, words, meta, and the entry file
# naming them by hash) in an arbitrary order, so two builds of one site
# differ in those files (Pagefind issue #638); its fragments (one per page)
# and its UI files are stable since 1.3. Comparisons of two builds' bytes
# leave the varying ones out: `byte_stable`.
_UNSTABLE = re.compile(rf"^{BUNDLE}(-\d+)?/(filter/|index/|pagefind-entry\.json$|pagefind\.[^/]*\.pf_meta$)")


def byte_stable(relative_path):
    """False for the files of Pagefind's index whose bytes vary between two
    builds of the same site (the tests and the benchmark compare the rest)."""
    return not _UNSTABLE.match(relative_path.replace(os.sep, "/"))


def enabled(settings):
    return bool(settings.get("CONNECTIONS_SEARCH", True))


class SearchGenerator(Generator):
    """The search page; the index is made while the rest of the site is
    written (`start_indexing`) and swapped in once it is (`index_site`)."""

    def generate_context(self):
        on = (enabled(self.settings) and bool(self.settings.get("CONNECTIONS_SEARCH_SAVE_AS"))
              and theme_has(self, "search", "search page and no search index"))
        self.context["search_url"] = self.settings.get("CONNECTIONS_SEARCH_URL") if on else ""
        self._parts = split(story_pages(self.context)) if on else []
        self.context["search_bundle"] = BUNDLE if self._parts else ""
        # The parts after the first, which the search page merges into it.
        self.context["search_more_bundles"] = [bundle_name(k) for k in range(1, len(self._parts))]
        if state(self.context) is not None and on:
            _pending[os.path.realpath(self.output_path)] = (self.settings, self._parts)
            # Every story page is written when the articles' writer is done
            # (sooner: once it wrote the stories, parallel_writing.py).
            story_pages_written.connect(start_indexing)
            signals.article_writer_finalized.connect(start_indexing)

    def generate_output(self, writer):
        if state(self.context) is None or not self.context.get("search_url"):
            return
        # Swapped in once everything is written and the warm build's writer
        # has removed what this build no longer makes: connected now, after
        # the writer connected its own clean-up, so it runs after it.
        signals.finalized.connect(index_site)
        save_as = self.settings["CONNECTIONS_SEARCH_SAVE_AS"]
        writer.write_file(
            save_as, self.get_template("search"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            template_name="search", url=self.context["search_url"],
            page_name=os.path.splitext(save_as)[0],
        )


def start_indexing(generator, writer=None):
    """`story_pages_written` (or `article_writer_finalized`): every story
    page is written, so Pagefind indexes the parts whose pages changed, in a
    thread of its own (Pagefind is a process of its own, on another core),
    while the build writes the lists, people, events, feeds and the rest."""
    signals.article_writer_finalized.disconnect(start_indexing)
    story_pages_written.disconnect(start_indexing)
    output = os.path.realpath(generator.output_path)
    pending = _pending.pop(output, None)
    if pending is not None:
        abandon(output)  # a build in this folder that never finished
        _running[output] = Indexing(output, *pending).start()


def index_site(pelican):
    """`finalized`: wait for the index and swap its new parts in."""
    signals.finalized.disconnect(index_site)
    output = os.path.realpath(pelican.output_path)
    indexing = _running.pop(output, None)
    if indexing is None and output in _pending:  # no story page written
        indexing = Indexing(output, *_pending.pop(output)).start()
    if indexing is not None:
        indexing.finish()


def abandon(output=None):
    """Stop the indexing of `output` (of every folder: None) and leave no
    part of it behind: a build that failed after it started."""
    for folder in [output] if output else list(_running):
        indexing = _running.pop(folder, None)
        if indexing is not None:
            indexing.stop()
    if output is None:
        _pending.clear()


atexit.register(abandon)  # a `pelican` command that stopped with a traceback

# Indexing under way, by output folder (start_indexing -> index_site).
_running = {}


class Indexing:
    """The parts of one output folder's index that changed, indexed by
    Pagefind in a thread, one after the other while the build writes the
    rest of the site; once it has (`finish`), the parts left are indexed
    on every core the build may use (CONNECTIONS_WORKERS), a Pagefind
    process each, and swapped in. `stop` kills Pagefind and removes what
    it had written."""

    def __init__(self, output, settings, parts):
        self.output, self.settings, self.parts = output, settings, parts
        self.record = _record_path(settings, output)
        known = _read_record(self.record) if settings.get("LOAD_CONTENT_CACHE") else {}
        self.states = [_part_state(output, pages, len(parts)) for pages in parts]
        self.todo = [k for k, st in enumerate(self.states)
                     if known.get(bundle_name(k)) != st
                     or not os.path.isdir(os.path.join(output, bundle_name(k)))]
        self.command = _pagefind() if self.todo else []
        self.waiting = list(self.todo)  # the parts no thread has taken yet
        self.lock = threading.Lock()
        self.failure = None
        self.processes = set()
        self.stopped = False
        self.threads = [threading.Thread(target=self._run, name="pagefind", daemon=True)]

    def start(self):
        self.threads[0].start()
        return self

    def _next(self):
        with self.lock:
            if self.stopped or self.failure is not None or not self.waiting:
                return None
            return self.waiting.pop(0)

    def _run(self):
        try:
            k = self._next()
            while k is not None:
                self._index(k)
                k = self._next()
        except ContentError as exc:
            self._failed(exc)
        except Exception as exc:  # noqa: BLE001 - said by finish(), in the build
            self._failed(ContentError(f"search: indexing failed: {type(exc).__name__}: {exc}"))

    def _failed(self, exc):
        with self.lock:
            if self.failure is None:
                self.failure = exc

    def _index(self, k):
        """Index one part: its pages linked into a folder of their own (at
        their addresses, so Pagefind gives each its URL), Pagefind run on
        it into a folder beside, swapped in by `finish`."""
        site, fresh = self._folders(k)
        for folder in (site, fresh):
            shutil.rmtree(folder, ignore_errors=True)
        try:
            for page in self.parts[k]:
                source = os.path.join(self.output, page)
                if not os.path.isfile(source):
                    continue
                target = os.path.join(site, page)
                os.makedirs(os.path.dirname(target), exist_ok=True)
                try:
                    os.link(source, target)
                except OSError:  # a file system without hard links
                    shutil.copyfile(source, target)
            command = self.command + ["--site", site, "--output-path", fresh, "--quiet"]
            process = None
            try:
                with self.lock:
                    if self.stopped:
                        return
                    process = subprocess.Popen(command, stdout=subprocess.PIPE,
                                               stderr=subprocess.PIPE, text=True)
                    self.processes.add(process)
                out, err = process.communicate(timeout=600)
            except (OSError, subprocess.TimeoutExpired) as e:
                if process is not None:
                    process.kill()
                raise ContentError(f"search: Pagefind could not run ({e}); install it with "
                                   "`make venv` (requirements.txt pins pagefind[bin]) or set "
                                   "CONNECTIONS_SEARCH = False") from None
            finally:
                with self.lock:
                    self.processes.discard(process)
            if self.stopped:
                return
            if process.returncode != 0 or not os.path.isdir(fresh):
                message = (err or out).strip().splitlines()[-5:]
                raise ContentError("search: Pagefind failed to index the site: "
                                   + " / ".join(message or ["no message"]))
        finally:
            shutil.rmtree(site, ignore_errors=True)

    def _folders(self, k):
        return (os.path.join(self.output, f".{bundle_name(k)}-site"),
                os.path.join(self.output, f".{bundle_name(k)}-new"))

    def finish(self):
        more = worker_count(self.settings) - 1  # a whole number: the build checked it first
        for _ in range(min(more, len(self.waiting))):
            thread = threading.Thread(target=self._run, name="pagefind", daemon=True)
            self.threads.append(thread)
            thread.start()
        for thread in self.threads:
            thread.join()
        try:
            if self.failure is not None:
                raise self.failure
            _remove_other_bundles(self.output, len(self.parts))
            for k in self.todo:
                final = os.path.join(self.output, bundle_name(k))
                shutil.rmtree(final, ignore_errors=True)
                os.replace(self._folders(k)[1], final)
        finally:
            self._clean()
        if self.record is not None and self.settings.get("CACHE_CONTENT"):
            self.record.parent.mkdir(parents=True, exist_ok=True)
            self.record.write_text(json.dumps(
                {bundle_name(k): st for k, st in enumerate(self.states)},
                indent=0, sort_keys=True), encoding="utf-8")
        if self.parts and not self.todo:
            logger.info("connections: search index unchanged (no story page changed)")
        elif self.todo:
            logger.info("connections: search index written to %s (%d of %d parts indexed)",
                        os.path.join(self.output, BUNDLE), len(self.todo), len(self.parts))

    def stop(self):
        with self.lock:
            self.stopped = True
            running = list(self.processes)
        for process in running:
            if process.poll() is None:
                process.kill()
        for thread in self.threads:
            if thread.ident is not None:
                thread.join()
        self._clean()

    def _clean(self):
        for k in self.todo:
            for folder in self._folders(k):
                shutil.rmtree(folder, ignore_errors=True)


def _pagefind():
    """The command that runs Pagefind: its binary (pagefind_bin), or the
    Python wrapper that finds it (a tenth of a second more per part)."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except (ImportError, OSError):
        return [sys.executable, "-m", "pagefind"]


def bundle_name(k):
    """The folder of part `k` of the index: the first is `pagefind/`."""
    return BUNDLE if k == 0 else f"{BUNDLE}-{k}"


def story_pages(context):
    """The pages Pagefind indexes: every published story's, translations
    included (the theme marks them `data-pagefind-body`; no other page is)."""
    pages = []
    for article in context.get("articles", []):
        for story in [article] + list(getattr(article, "translations", []) or []):
            if story.status == "published" and story.save_as:
                pages.append(story.save_as)
    return sorted(set(pages))


def split(pages):
    """The story pages in parts of at most about STORIES_PER_PART each. A page
    belongs to a part by a digest of its address, so a story's part never
    depends on the others: adding, editing or deleting one story re-indexes
    its part alone. The number of parts doubles as the blog grows (and then
    every part is indexed once). No story: no part (Pagefind cannot make an
    index of nothing), and the search page says there is nothing to search."""
    if not pages:
        return []
    count = 1
    while len(pages) > count * STORIES_PER_PART:
        count *= 2
    parts = [[] for _ in range(count)]
    for page in pages:
        digest = hashlib.blake2b(page.encode("utf-8"), digest_size=4).digest()
        parts[int.from_bytes(digest, "big") % count].append(page)
    return parts


def _remove_other_bundles(output, count):
    """Parts an earlier build made that this one does not (fewer stories)."""
    pattern = re.compile(rf"^{BUNDLE}(?:-(\d+))?$")
    for name in os.listdir(output):
        m = pattern.match(name)
        if m and int(m.group(1) or 0) >= count and os.path.isdir(os.path.join(output, name)):
            shutil.rmtree(os.path.join(output, name))


def _record_path(settings, output):
    """Where the parts' states are kept: in CACHE_PATH, one file per output
    folder (as output_records.py keeps the pages')."""
    cache = settings.get("CACHE_PATH")
    if not cache:
        return None
    folder = hashlib.blake2b(os.path.realpath(output).encode("utf-8"), digest_size=8).hexdigest()
    return Path(cache) / RECORD_FILE.format(folder=folder)


def _read_record(record):
    if record is None:
        return {}
    try:
        known = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return known if isinstance(known, dict) else {}


def _part_state(output, pages, count):
    """A digest of a part's pages (path, size, modification time): a warm
    build that rewrote none of them (incremental.py keeps unchanged files as
    they were) need not index the part again."""
    digest = hashlib.sha256(f"pagefind {_version()} {count}\n".encode())
    for page in pages:
        try:
            stat = os.stat(os.path.join(output, page))
        except OSError:
            continue
        digest.update(f"{page}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _version():
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # noqa: BLE001 - any failure: index again
        return "unknown"
