"""Findings about content: one line each, `path:line:column: level: message`.

The build logs them as it goes and stops at the end of reading when one is
an error (or, with CONNECTIONS_STRICT, a warning); the check command prints
them. Both get them from the same rules, so they never disagree.
"""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)
# Pelican's loggers drop a message they have logged before (its LimitFilter),
# so a long-running `make serve` would say a finding once and never again.
# Findings are already said once per build (Findings._seen): every build
# says all of its own.
getattr(logger, "disable_filter", lambda: None)()

ERROR = "error"  # the build stops
WARNING = "warning"  # likely a mistake; stops the build with CONNECTIONS_STRICT
NOTE = "note"  # worth knowing (e.g. a person without a profile); never stops it


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    level: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}:{self.column}: {self.level}: {self.message}"


class ContentError(Exception):
    """The content has mistakes the build must not publish; the message says which."""

    exitcode = 1


class Findings:
    """The findings of one build or check, in the order they were found."""

    def __init__(self, log=True):
        self.items = []
        self._seen = set()
        self.log = log

    def add(self, path, line, column, level, message, page=None):
        """Record a finding; `page` is the URL of the page it shows on, if any
        (the preview server puts a banner there)."""
        finding = Finding(str(path), line or 1, column or 1, level, message)
        if finding in self._seen:
            return finding
        self._seen.add(finding)
        self.items.append(finding)
        if self.log:
            log = {ERROR: logger.error, WARNING: logger.warning}.get(level, logger.info)
            log("%s", finding, extra={"finding": finding, "page": page})
        return finding

    def error(self, path, line, column, message):
        return self.add(path, line, column, ERROR, message)

    def warning(self, path, line, column, message, page=None):
        return self.add(path, line, column, WARNING, message, page)

    def note(self, path, line, column, message):
        return self.add(path, line, column, NOTE, message)

    @property
    def errors(self):
        return [f for f in self.items if f.level == ERROR]

    @property
    def warnings(self):
        return [f for f in self.items if f.level == WARNING]

    def failing(self, strict):
        return self.errors + (self.warnings if strict else [])

    def summary(self):
        e, w = len(self.errors), len(self.warnings)
        n = len(self.items) - e - w
        return (
            f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}, "
            f"{n} note{'s' * (n != 1)}"
        )
