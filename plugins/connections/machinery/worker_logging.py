"""What a worker process logs, said by the build as if it were its own.

A worker forked from the build (parallel_reading.py, parallel_writing.py)
logs nothing itself: `capture` keeps every record, before any filter, and
the worker sends them back with its results (`portable_records`, records
that pickle). The build `replay`s them through its own loggers when it
reaches that story or page, in the one-worker order: Pelican's filters
apply (its de-duplication and LOG_LIMIT), so each message is said once and
where a one-worker build says it, and a warning under `pelican --fatal
warnings` stops the build as it would have.
"""

import logging
import pickle
import traceback

from pelican.log import FatalLogger, FilteredMessage

captured = []  # (logger name, record) of the work under way, in a worker


def capture():
    """In a worker: every record is kept in `captured`, none is handled."""
    def handle(self, record):
        if not self.disabled:
            captured.append((self.name, record))

    for cls in {logging.Logger, logging.getLoggerClass(),
                type(logging.getLogger("pelican"))}:
        cls.handle = handle


def portable_records():
    """In a worker: the records captured so far, made to pickle."""
    return [(name, portable(record)) for name, record in captured]


def portable(record):
    """A log record that pickles: its message made text where its
    arguments would not pickle, its traceback as text."""
    if record.exc_info:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        record.exc_info = None
    try:
        pickle.dumps(record.args)
    except Exception:  # noqa: BLE001
        record.msg, record.args = record.getMessage(), None
    for key, value in list(vars(record).items()):
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001
            setattr(record, key, repr(value))
    return record


def replay(records):
    """In the build: log a worker's records as the build would have logged
    them itself. Pelican's logger filters a record (de-duplication,
    LOG_LIMIT) by raising FilteredMessage from `filter`, which its `_log`
    catches and `handle` does not; and a warning under `pelican --fatal
    warnings` stops the build as it would have."""
    fatal = getattr(FatalLogger, "fatal_lvl", logging.CRITICAL + 1)
    for name, record in records:
        try:
            logging.getLogger(name).handle(record)
        except FilteredMessage:
            continue
        if record.levelno >= fatal and record.levelno != logging.CRITICAL:
            raise RuntimeError("Warning or error encountered")
