"""What a reader gets: person and event pages, feeds, structured data.

May import `model`, `linking` and `comments`.
"""

import contextlib
import os

from pelican import signals

# Sent with the articles' generator once every story page is on disk (by the
# build's writer: machinery/parallel_writing.py); search.py indexes them then.
story_pages_written = signals.signal("connections_story_pages_written")


@contextlib.contextmanager
def rendered_together(writer):
    """The pages written inside are rendered together, on every core, where
    the writer can (the plugin's: machinery/parallel_writing.py), once the
    block is done; with Pelican's own writer, one by one as they are
    written. Pages are independent of one another: none reads a file
    another writes. Should the block raise, none of its pages is written."""
    start = getattr(writer, "start_batch", None)
    if start is None:
        yield
        return
    start()
    try:
        yield
    except BaseException:
        writer.drop_batch()
        raise
    writer.finish_batch()


def run_together(writer, tasks, what):
    """Run `tasks` (callables that write files of their own, independent of
    one another) on every core where the writer can (the plugin's:
    machinery/parallel_writing.py), else one by one here, in order."""
    runner = getattr(writer, "run_together", None)
    if runner is None:
        for task in tasks:
            task()
    else:
        runner(tasks, what)


def beside(generator, task, size, doing):
    """Start `task` (a callable that reads only what the build holds now
    and returns what pickles) beside the build where the build can run it
    there (machinery/background.py: a process forked from the build, when
    CONNECTIONS_WORKERS > 1 and `size`, the stories it works on, makes it
    worth one), else run it now. Returns a callable that gives the task's
    result (waiting for it, or raising what it raised). `doing` says what
    it does, should its process die ("ranking related stories")."""
    start = getattr(generator, "start_beside", None)
    if start is None:
        result = task()
        return lambda: result
    return start(task, size, doing)


def write_whole(target, data):
    """Write a page (text) or a feed (pieces of bytes) whole or not at all:
    to a file beside, renamed into place, so that a build stopped meanwhile
    (a worker killed) leaves no half-written file."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f"{target}.connections-partial"
    if isinstance(data, str):
        with open(partial, "w", encoding="utf-8") as f:
            f.write(data)
    else:
        with open(partial, "wb") as f:
            f.writelines(data)
    os.replace(partial, target)
