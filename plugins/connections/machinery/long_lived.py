"""The garbage collector kept off what a build keeps to its end.

Python's collector walks every object it tracks in each of its full rounds,
and a build keeps hundreds of thousands of them alive from the time the
stories are read to the time the last page is written (the stories, their
people and events, the lists and context of every page): at 5,000 stories
its seven or eight full rounds took 1.2 s of a 7 s warm build (0.3 s
now), and found almost nothing to free. Once the stories are read
(`article_generator_pretaxonomy`), again once they are filed
(`article_generator_finalized`), and once every generator has its context
(`all_generators_finalized`), what exists is `keep`-t: moved out of the
collector's rounds (`gc.freeze`), which go on walking what is made after. Memory is still freed as it always is, by reference counts; only a
cycle of objects kept, dropped before the build ends, waits for its end.
The build's end (`finalized`) lets them all go (`release`), and so does the
start of the next one (`initialized`: a build that failed never reached its
end), so that `make serve`, building again and again in one process, frees
each build once the next one replaces it.

`kept_for_fork` keeps the objects out of the collector around a fork
(parallel_writing.py): the children, which share the build's memory with
it, then never walk it, so it is not copied to them page by page.
"""

import gc
from contextlib import contextmanager

_kept = [False]  # something is kept by `keep`, until `release`


def keep(*_sender, **_signal):
    """What exists now is kept out of the collector's rounds until `release`."""
    gc.freeze()
    _kept[0] = True


def release(*_sender, **_signal):
    """Everything `keep` kept goes back to the collector."""
    if _kept[0]:
        _kept[0] = False
        gc.unfreeze()


@contextmanager
def kept_for_fork():
    """Around forking workers: what exists is out of the collector's rounds
    in the children; in the build, as it was before (kept or not)."""
    kept = _kept[0]
    gc.freeze()
    try:
        yield
    finally:
        if not kept:
            gc.unfreeze()
