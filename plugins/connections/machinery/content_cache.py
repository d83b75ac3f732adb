"""Pelican's content cache, safe to leave on.

`pelicanconf.py` turns Pelican's content cache on, so that a warm build reads
only the stories that changed. Pelican pickles each story's metadata into
CACHE_PATH, and with it the settings (every tag, category and author holds
them). Two things then go wrong in Pelican itself:

- a setting pickle can't save (a `lambda` or a nested function in
  JINJA_FILTERS, say) stops the build with a traceback, or leaves an empty
  cache file behind;
- a cache file left empty or cut short (that, or Ctrl-C in `make serve`
  while Pelican writes it) stops every later build with a traceback
  ("EOFError: Ran out of input") until someone empties CACHE_PATH.

Pelican also tells a changed story by its modification time, so a story
edited with its time kept is not read again: the plugin has it compare
files by their digest (CHECK_MODIFIED_METHOD = "blake2b", a few
milliseconds per thousand stories) unless the settings chose a method other
than Pelican's default, and says so once (`pelicanconf.py` sets it).

So on `initialized` the settings are tried with pickle first: when one can't
be saved the cache is turned off for the build, with a message naming it and
how to fix it; and `build` (the `make` targets' entry point) removes a cache
file Pelican could not load, says so, and builds again without it.

Pelican asks for a story's stamp (its digest) five times a build: its
generator's cache and its reader's, when looking and when saving; each time
it reads the file and hashes it (a fifth of a second at 5,000 stories).
`stamp_once` has each worked out once, and again only when the file's size,
times or inode changed since (an edit while the build runs). The stamps are
kept from build to build in CACHE_PATH (STAMPS_FILE, read with
LOAD_CONTENT_CACHE and written with CACHE_CONTENT), the way git keeps its
index: a warm build reads only the files whose size, times or inode changed
(a half-second of a warm build at 5,000 stories). No editor can keep a
file's change time (ctime) as it was; a stamp is taken from the last build
only when the file had not changed for RACY_NS before it was taken, since a
file written twice within one tick of a coarse clock (FAT keeps times to
2 s) keeps its times.
"""

import logging
import os
import pickle
import time
import traceback

from pelican import cache as pelican_cache

from ..model.registry import shown_path
from ..settings import say_changed
from . import kept_files

logger = logging.getLogger(__name__)

# How Pelican's cache tells a changed file (a hashlib name): by its bytes.
DIGEST = "blake2b"
_told = []  # the change of CHECK_MODIFIED_METHOD has been said
STAMPS_FILE = "connections-stamps.pickle"
# A file is read again, whatever the last build kept, when it changed less
# than this before its stamp was taken (see the module's docstring).
RACY_NS = 2_000_000_000
# This build's stamps: (method, path) -> (what os.stat said, the stamp, the
# time it was taken, in nanoseconds); the last build's, as it left them; and
# the file this build's are written to, if any.
_stamps = {}
_kept = {}
_kept_in = []


def unpicklable_settings(settings):
    """The names of the settings pickle can't save, in order."""
    try:
        pickle.dumps(settings)
        return []
    except Exception:  # noqa: BLE001 - pickle raises many kinds
        pass
    names = []
    for name, value in sorted(settings.items()):
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001
            names.append(name)
    return names


def check_settings(settings):
    """On `initialized`: stories compared by their digest; the cache stays
    on only when it can save the settings."""
    if not (settings.get("CACHE_CONTENT") or settings.get("LOAD_CONTENT_CACHE")):
        return
    if settings.get("CHECK_MODIFIED_METHOD", "mtime") == "mtime":
        # A story edited with its modification time kept (a copy with `cp -p`,
        # a checkout, an editor that restores it) would not be read again.
        settings["CHECK_MODIFIED_METHOD"] = DIGEST
        if not _told:
            _told.append(DIGEST)  # once per process: `make serve` builds again and again
            say_changed(settings, [
                f"CHECK_MODIFIED_METHOD = {DIGEST!r} (the content cache compares a "
                "story's bytes, not its modification time, so an edit that keeps the "
                "time is read again); set CHECK_MODIFIED_METHOD yourself to choose"])
    names = unpicklable_settings(settings)
    if not names:
        return
    settings["CACHE_CONTENT"] = settings["LOAD_CONTENT_CACHE"] = False
    logger.warning(
        "connections: %s %s something Pelican's content cache can't save (a "
        "lambda or a function defined inside another?), so this build reads "
        "every story afresh; define it with `def` at the top level of your "
        "settings file to keep warm builds fast",
        ", ".join(names), "holds" if len(names) == 1 else "hold",
    )


def unreadable_cache(exc):
    """The cache file Pelican was loading when it raised `exc`, or None."""
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        code = frame.f_code
        if code.co_name == "__init__" and code.co_filename == pelican_cache.__file__:
            path = getattr(frame.f_locals.get("self"), "_cache_path", None)
            if path and os.path.isfile(path):
                return path
    return None


def run_forgetting_unreadable_cache(run, settings):
    """`run()`; when Pelican stops on a cache file it can't load, the file
    is removed (with a message) and `run()` goes again."""
    try:
        return run()
    except Exception as exc:
        damaged = unreadable_cache(exc)
        if damaged is None:
            raise
        logger.warning(
            "connections: %s: the content cache could not be read (%s: %s; a "
            "build stopped while writing it?); it is removed and this build "
            "reads every story afresh",
            shown_path(damaged, settings), type(exc).__name__, exc,
        )
        os.remove(damaged)
    return run()


def forget_stamps(*_sender):
    """A new build's stamps: none yet, none kept."""
    _stamps.clear()
    _kept.clear()
    _kept_in.clear()


def load_stamps(pelican):
    """`initialized` (after the settings are checked): the stamps the last
    build kept, when the content cache is loaded."""
    forget_stamps()
    settings = pelican.settings
    folder = settings.get("CACHE_PATH")
    if not folder:
        return
    path = os.path.join(folder, STAMPS_FILE)
    if settings.get("LOAD_CONTENT_CACHE"):
        _kept.update(kept_files.load(path, "every story is digested again"))
    if settings.get("CACHE_CONTENT"):
        _kept_in.append(path)


def save_stamps(*_sender):
    """`finalized`: this build's stamps, for the next one (a file the build
    no longer asked about is dropped)."""
    if _kept_in and _stamps != _kept:
        kept_files.save(_kept_in[0], dict(_stamps))


def stamp_once(generator):
    """`article_generator_init`, `page_generator_init`: the generator's cache
    and its readers' work a file's digest out once per build (see the
    module's docstring); modification times are cheap already and left as
    they are."""
    for cacher in (generator, getattr(generator, "readers", None)):
        stamp = getattr(cacher, "_filestamp_func", None)
        if stamp is None or stamp is os.path.getmtime or getattr(stamp, "once", False):
            continue
        cacher._filestamp_func = _once(stamp, cacher.settings.get("CHECK_MODIFIED_METHOD"))


def _once(stamp, method):
    def once(filename):
        st = os.stat(filename)
        seen = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        key = (method, filename)
        known = _stamps.get(key)
        if known is None or known[0] != seen:
            known = _kept.get(key)
            if known is None or known[0] != seen or not _settled(st, known[2]):
                taken = time.time_ns()  # before the file is read
                known = (seen, stamp(filename), taken)
            _stamps[key] = known
        return known[1]

    once.once = True
    return once


def _settled(st, taken):
    """The file had not changed for RACY_NS when its stamp was taken."""
    return max(st.st_mtime_ns, st.st_ctime_ns) + RACY_NS <= taken
