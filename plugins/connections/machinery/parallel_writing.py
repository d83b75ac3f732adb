"""Pages rendered on every core: batches of pages, forked workers.

Rendering the pages is the largest part of a cold build after reading, and
each page depends only on the build's context, complete once the stories
are read and linked. So while a generator writes a run of pages that do not
read one another (`output.rendered_together`: the story pages; then the
lists, archives, tags and categories; the people's and events' pages), the
warm build's writer (incremental.py) keys each page as usual but, instead of
rendering it, puts it in its batch. When the run is done, the batch is split
into CONNECTIONS_WORKERS contiguous parts: the build renders the first
itself, and a process forked from it (sharing the context, the templates and
the stories, copy-on-write) renders each other part and writes its pages.

Everything the build keeps is still done by the build, in the pages'
order, as a one-worker build does it: the journal of files being written
(before any is written), the pages' records (what each read, sent back by
the worker), the messages rendering logged (sent back and logged through
the build's loggers: worker_logging.py), and `content_written`
for each page, after the page is on disk. So the site is the same, byte for
byte, whatever the number of workers (tests/test_parallel_writing.py).

A page is written to a temporary file renamed into place, so it is whole or
absent. A worker that dies (killed, out of memory) stops the build with a
message; the pages it wrote are journaled, so the next build, finding the
build interrupted, renders everything (incremental.py). An error while
rendering (a template's) stops the build with the error the one-worker
build raises. Small batches (fewer than MIN_PAGES_PER_WORKER pages per
worker) are rendered by the build alone. The feeds are written the same way,
one task per person's, event's or the site's feeds (`run_in_workers`,
through `output.run_together`).
"""

import logging
import os
import pickle
import traceback

from ..diagnostics import ContentError
from ..model.registry import Listing
from ..output import rendered_together, story_pages_written, write_whole
from . import long_lived, worker_logging

logger = logging.getLogger(__name__)

MIN_PAGES_PER_WORKER = 50


def pages_in_parallel(generator):
    """`article_generator_finalized`: the articles' generator's pages are
    rendered as batches: the story pages first (then `story_pages_written`
    is sent), then the lists, archives, tags and categories."""
    write_pages = generator.generate_pages
    write_stories = generator.generate_articles

    def generate_pages(writer):
        with rendered_together(writer):
            write_pages(writer)

    def generate_articles(write):
        write_stories(write)
        writer = getattr(getattr(write, "func", None), "__self__", None)
        if getattr(writer, "batching", False):
            writer.finish_batch()  # the story pages, on disk
            writer.start_batch()  # ... and the lists, archives and tags after
        story_pages_written.send(generator)

    generator.generate_pages = generate_pages
    generator.generate_articles = generate_articles


def render(template, localcontext):
    """The page's text and what it read (Listing.readers)."""
    reads = {}
    Listing.readers.append(reads)
    try:
        return template.render(localcontext), list(reads.values())
    finally:
        Listing.readers.pop()


class Job:
    """One page to render: its template and context, and where it goes."""

    __slots__ = ("template", "context", "localcontext", "target", "key", "siteurl")

    def __init__(self, template, context, localcontext, target, key):
        self.template, self.context, self.localcontext = template, context, localcontext
        self.target, self.key = target, key
        # The shared context's `localsiteurl` as Pelican leaves it for this
        # page (a story's text reads it when rendered): kept per page.
        self.siteurl = context.get("localsiteurl")

    def render(self):
        self.context["localsiteurl"] = self.siteurl
        return render(self.template, self.localcontext)

    def run(self):
        """Render and write the page; the names of what it read."""
        output, reads = self.render()
        write_whole(self.target, output)
        return _names(reads)


def run_in_workers(tasks, workers, done, what="tasks", per_worker=None, verb="writing",
                   doing="writing pages or feeds"):
    """Run `tasks` (callables, each returning what pickles), split in
    contiguous runs: the first here, each other in a process forked from
    the build (each run at least `per_worker` tasks: MIN_PAGES_PER_WORKER).
    `done(i, result)` is called in the build for each, in the tasks' order,
    after the messages the task logged are said. The build says "`verb`
    120 `what` with 2 worker processes", and, should a worker die, that a
    worker `doing` died."""
    workers = min(workers, len(tasks) // (per_worker or MIN_PAGES_PER_WORKER))
    if workers < 2 or not hasattr(os, "fork"):
        for i, task in enumerate(tasks):
            done(i, task())
        return
    logger.info("connections: %s %d %s with %d worker processes",
                verb, len(tasks), what, workers)
    size = -(-len(tasks) // workers)
    runs = [(start, min(start + size, len(tasks))) for start in range(size, len(tasks), size)]
    children = []
    try:
        with long_lived.kept_for_fork():
            for start, stop in runs:
                children.append(fork(tasks, start, stop))
        for i in range(size):  # the first run, here, its messages as they come
            done(i, tasks[i]())
        for (start, stop), child in zip(runs, children):
            results, error = collect(child, start, stop, doing)
            finished = results[:-1] if error is not None else results
            for offset, (result, records) in enumerate(finished):
                worker_logging.replay(records)
                done(start + offset, result)
            if error is not None:  # what the failing task logged, then its error
                worker_logging.replay(results[-1][1])
                raise error
    finally:
        for child in children:
            reap(child)


def _names(reads):
    return [f"{entity.kind}/{entity.slug}" for entity in reads]


# In a worker ---------------------------------------------------------------


def fork(tasks, start, stop):
    """A worker forked now, running tasks [start, stop) (its handle for
    `collect` and `reap`)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        os.close(read)
        status = 1
        try:
            _run(tasks, start, stop, write)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return [pid, read, None]


def _run(tasks, start, stop, fd):
    worker_logging.capture()
    results = []
    try:
        for task in tasks[start:stop]:
            worker_logging.captured.clear()
            result = task()
            results.append((result, worker_logging.portable_records()))
        payload = ("done", results, None)
    except BaseException as exc:  # noqa: BLE001 - raised again by the build
        # The failing task's messages last, then its error.
        payload = ("failed", results + [(None, worker_logging.portable_records())],
                   _portable_error(exc))
    with os.fdopen(fd, "wb") as f:
        pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)


def _portable_error(exc):
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 - an error that does not pickle: its text
        return RuntimeError("".join(traceback.format_exception_only(type(exc), exc)).strip())


# In the build ----------------------------------------------------------------


def collect(child, start, stop, doing="writing pages or feeds"):
    """The worker's results for tasks [start, stop) and, where a task
    raised, its messages and the error; or the build stops."""
    pid, fd, _ = child
    child[1] = None
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    child[2] = os.waitpid(pid, 0)[1]
    try:
        payload = pickle.loads(data)
    except Exception:  # noqa: BLE001 - nothing, or cut short: the worker died
        payload = None
    if payload is None or child[2] != 0:
        raise ContentError(
            f"a worker process {doing} died (killed, or out of memory?); "
            "the site was not finished: build again (the next build renders every "
            "page), or set CONNECTIONS_WORKERS = 1 to do it all in the build process")
    state, results, error = payload
    if state == "failed":
        return results, error
    if len(results) != stop - start:  # pragma: no cover - a worker's own bug
        raise ContentError(f"a worker process {doing} sent back too few results")
    return results, None


def reap(child):
    """A worker not collected (the build stopped first) is stopped."""
    pid, fd, status = child
    if fd is not None:
        os.close(fd)
    if status is None:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
