"""Work that needs only what the build holds now, done beside it.

Ranking every story's related stories and counting its words (the
`Relating.rank` of output/related.py) reads the stories as they are once
filed (`article_generator_finalized`), gives back numbers, and is not
needed before the pages are rendered: the build has, meanwhile, the person
and event pages, the map, the feeds and the search to make ready, which
never read it. So the articles' generator gets `start_beside`
(`article_generator_init`), which `output.beside` calls: the task runs in a
process forked from the build, which sees the build's memory as it was at
that moment, and its result comes back through a pipe when the build asks
for it (`all_generators_finalized`, `output/related.py`). The result is
what the build would have worked out itself at the fork, so the site is
byte for byte the one a one-worker build writes.

Where it is not worth a process (CONNECTIONS_WORKERS = 1, no `fork`, fewer
than MIN_STORIES stories) the task runs at once in the build. A process
that dies (killed, out of memory) stops the build with a message, before
any page is written; one the build did not wait for (it failed first) is
stopped when the next build starts, or when the build's process ends.
"""

import atexit
import logging
import os

from . import long_lived, parallel_reading, worker_logging
from .parallel_writing import collect, fork, reap

logger = logging.getLogger(__name__)

# Fewer stories than this are ranked in the build: a process costs more.
MIN_STORIES = 1000

_running = []  # the processes started and not yet waited for


def offer(generator):
    """`article_generator_init`: the generator (a new one each build) may
    start work beside the build; what the last build left running is stopped."""
    stop_all()
    if parallel_reading.worker_count(generator.settings) > 1 and hasattr(os, "fork"):
        generator.start_beside = start


def start(task, size, doing):
    """Run `task` in a process forked now (at once, here, when `size` is
    too small to be worth one); a callable that gives its result."""
    if size < MIN_STORIES:
        result = task()
        return lambda: result
    with long_lived.kept_for_fork():
        child = fork([task], 0, 1)
    _running.append(child)
    logger.info("connections: %s in a worker process", doing)

    def result():
        try:
            results, error = collect(child, 0, 1, doing)
        finally:
            _stop(child)
        (value, records), = results
        worker_logging.replay(records)
        if error is not None:
            raise error
        return value

    return result


def _stop(child):
    reap(child)
    if child in _running:
        _running.remove(child)


def stop_all():
    """Stop every process the build did not wait for."""
    for child in list(_running):
        _stop(child)


atexit.register(stop_all)
