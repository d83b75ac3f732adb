"""Stories read on every core: Markdown converted by worker processes.

Converting Markdown is half or more of a cold build, and each story's
conversion depends on its file alone (the mention syntax is purely
syntactic: mentions.py), so it can run anywhere. When the articles
generator starts (`article_generator_init`), the stories Pelican's content
cache cannot give back are handed, in chunks, to CONNECTIONS_WORKERS
processes forked from the build; each runs the build's own reader on them.
Everything else stays in the build process and in Pelican's order: Pelican
still calls `read_file` for every story, one after another, and only the
reader's `read` step (the conversion) is answered from a worker, so the
story objects, the linking of people and events, the identities, the
signals and every page are made exactly as a one-worker build makes them.

Messages a worker's read logs are sent back with its result and logged by
the build when Pelican reaches that story, through the build's own loggers
(worker_logging.py): the same messages, once, in the same order as with one
worker. A story a worker could not read is
read again by the build, which reports it as it always does ("Could not
process ..."). A worker that dies (killed, out of memory) stops the build
with a message before anything is written.

CONNECTIONS_WORKERS: None (the cores this process may use), or a number;
1 reads in the build process alone. Small builds (fewer stories to read
than MIN_STORIES_PER_WORKER per worker) and warm builds that read little
are not worth the start of a worker and read in the build process.
The pages are rendered and the feeds written on every core too
(parallel_writing.py).
"""

import concurrent.futures
import io
import logging
import multiprocessing
import os
import pickle

from pelican.readers import _DISCARD

from ..diagnostics import ContentError
from ..settings import worker_count as settings_worker_count
from . import worker_logging

logger = logging.getLogger(__name__)

# Below this many stories to read per worker, one process reads them all.
MIN_STORIES_PER_WORKER = 20
# Stories per task sent to a worker: large enough that sending is cheap,
# small enough that the build can go on with the first ones soon.
CHUNK = 16

# What a forked worker reads with (set in the build just before forking).
_readers = None
_settings_id = None


def worker_count(settings):
    """The number of reading processes CONNECTIONS_WORKERS asks for."""
    try:
        return settings_worker_count(settings)
    except ValueError:
        raise ContentError(
            f"CONNECTIONS_WORKERS = {settings.get('CONNECTIONS_WORKERS')!r}: give a whole "
            "number of processes (1 reads in the build process alone) or None for every core"
        ) from None


def in_path_order(generator):
    """`article_generator_init`, `page_generator_init`: the generator reads
    its files in the order of their paths. Pelican's `get_files` gives a set,
    whose order changes from one run to the next (Python's string hashing),
    and a finding made once (an unknown name) names the first story read:
    without this, two builds of the same content could name different
    stories, whatever the number of workers."""
    get_files = generator.get_files

    def sorted_files(*args, **kwargs):
        return sorted(get_files(*args, **kwargs))

    generator.get_files = sorted_files


def read_ahead(generator):
    """`article_generator_init`: start converting the stories to read."""
    settings = generator.settings
    workers = worker_count(settings)
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    readers = generator.readers
    todo = []
    for name in generator.get_files(settings["ARTICLE_PATHS"],
                                    exclude=settings["ARTICLE_EXCLUDES"]):
        path = os.path.abspath(os.path.join(generator.path, name))
        fmt = os.path.splitext(path)[1][1:]
        if fmt not in readers.readers or generator.get_cached_data(name, None) is not None:
            continue
        if readers.get_cached_data(path, (None, None))[0] is not None:
            continue
        todo.append(path)
    if len(todo) < MIN_STORIES_PER_WORKER * 2:
        return
    workers = min(workers, len(todo) // MIN_STORIES_PER_WORKER)
    generator._connections_read_ahead = ReadAhead(readers, todo, workers)
    generator._connections_read_ahead.start()


def finish_reading(generator):
    """`article_generator_pretaxonomy` (every story read): the workers are
    stopped, and a build whose worker died stops here, before any page is
    written (Pelican would have reported the died worker's stories as
    stories it could not process, and gone on)."""
    ahead = getattr(generator, "_connections_read_ahead", None)
    if ahead is None:
        return
    generator._connections_read_ahead = None
    ahead.stop()
    if ahead.died:
        raise ContentError(
            f"a worker process reading stories died (killed, or out of memory?); "
            f"nothing was written. Build again, or set CONNECTIONS_WORKERS = 1 "
            f"to read every story in the build process")


class ReadAhead:
    """The conversions under way, answered to the readers' `read` calls."""

    def __init__(self, readers, paths, workers):
        self.readers = readers
        self.paths = paths
        self.workers = workers
        self.pending = {}
        self.originals = {}
        self.pool = None
        self.died = False

    def start(self):
        global _readers, _settings_id
        _readers, _settings_id = self.readers, id(self.readers.settings)
        pool = concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("fork"),
            initializer=worker_logging.capture,
        )
        self.pool = pool
        for start in range(0, len(self.paths), CHUNK):
            chunk = self.paths[start:start + CHUNK]
            future = pool.submit(_read_chunk, chunk)
            for index, path in enumerate(chunk):
                self.pending[path] = (future, index)
        for reader in self.readers.readers.values():
            if id(reader) not in self.originals:
                self.originals[id(reader)] = (reader, reader.read)
                reader.read = self._answering(reader.read)
        logger.info("connections: reading %d stories with %d worker processes",
                    len(self.paths), self.workers)

    def _answering(self, read):
        def answer(source_path):
            waiting = self.pending.pop(source_path, None)
            if waiting is None:
                return read(source_path)
            future, index = waiting
            try:
                results = future.result()
            except concurrent.futures.process.BrokenProcessPool:
                # finish_reading stops the build once Pelican's loop is done
                # (an error raised here, Pelican would log and go on past).
                self.died = True
                self.stop()
                return read(source_path)
            if not self.pending:
                self.stop()
            outcome = _loads(results[index], self.readers.settings)
            if outcome is None:  # the worker could not read it: read it here
                return read(source_path)
            content, metadata, records = outcome
            worker_logging.replay(records)
            return content, metadata
        return answer

    def stop(self):
        if not self.originals and self.pool is None:
            return
        for reader, read in self.originals.values():
            reader.read = read
        self.originals.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = None


# In a worker ---------------------------------------------------------------

def _read_chunk(paths):
    """Each path's (content, metadata, log records), pickled, or None for a
    file the reader raised on."""
    results = []
    for path in paths:
        worker_logging.captured.clear()
        reader = _reader_for(path)
        try:
            content, metadata = reader.read(path)
        except Exception:  # noqa: BLE001 - the build reads it again and reports it
            results.append(_dumps(None))
            continue
        records = worker_logging.portable_records()
        try:
            results.append(_dumps((content, metadata, records)))
        except Exception:  # noqa: BLE001 - unpicklable metadata: read in the build
            results.append(_dumps(None))
    return results


def _reader_for(path):
    return _readers.readers[os.path.splitext(path)[1][1:]]


class _Pickler(pickle.Pickler):
    """Stories' tags and authors hold the settings: they travel as a
    reference and come back as the build's own settings, not as a copy.
    Pelican's marker for a header line to leave out (`Tags:` with nothing
    after it) is known by its identity: it comes back as Pelican's own."""

    def persistent_id(self, obj):
        if id(obj) == _settings_id:
            return "settings"
        return "discard" if obj is _DISCARD else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, data, settings):
        super().__init__(io.BytesIO(data))
        self.settings = settings

    def persistent_load(self, pid):
        if pid == "settings":
            return self.settings
        if pid == "discard":
            return _DISCARD
        raise pickle.UnpicklingError(f"unknown reference {pid!r}")


def _dumps(value):
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def _loads(data, settings):
    return _Unpickler(data, settings).load()
