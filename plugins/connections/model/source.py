"""Reading a content file as its author wrote it, keeping line numbers.

Pelican's readers give metadata without positions; findings need
`path:line:column`. This reads a Markdown file the way Python-Markdown's
`meta` extension does (a header of `Key: value` lines, continuation lines
indented by four spaces, ended by a blank line) and remembers where each
value stands. Byte-order marks and CRLF line endings are accepted; bytes
that are not UTF-8 are reported, not guessed.
"""

import bisect
import os
import re
from dataclasses import dataclass, field
from functools import cached_property

from . import control_chars

_META = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
_MORE = re.compile(r"^[ ]{4,}(?P<value>.*)")
_BEGIN = re.compile(r"^-{3}(\s.*)?$")
_END = re.compile(r"^(-{3}|\.{3})(\s.*)?$")
# A header line whose colon is missing: `Tags food, kindness`.
_NO_COLON = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z][A-Za-z0-9_-]*)(?P<gap>[ \t]+)\S")
_HTML_NO_COLON = re.compile(r"\s*<p>(?P<key>[A-Za-z][A-Za-z0-9_-]*)[ \t]+\S")

# Header keys a story or page may use (Pelican's and this project's).
HEADER_KEYS = {
    "title", "date", "modified", "author", "authors", "category", "tags",
    "people", "events", "summary", "status", "slug", "lang", "translation",
    "id", "template", "save_as", "url", "keywords", "description", "image",
}


@dataclass
class Field:
    key: str  # lower case, as Pelican sees it
    value: str
    line: int
    column: int  # where the value starts, 1-based
    raw_key: str = ""


@dataclass
class Source:
    path: str  # as shown in messages (relative to the project when possible)
    text: str = ""
    fields: list = field(default_factory=list)
    body_line: int = 1  # the line the body starts on
    problem: str = ""  # why the file could not be read, if it could not
    left_out: list = field(default_factory=list)  # (line, column, char) of controls dropped

    def get(self, key, default=None):
        for f in self.fields:
            if f.key == key:
                return f
        return default

    def value(self, key, default=""):
        f = self.get(key)
        return f.value if f else default

    @cached_property
    def lines(self):
        # Cached: a long story is located in many times (once per mention).
        return self.text.split("\n")

    @property
    def body(self):
        return "\n".join(self.lines[self.body_line - 1 :])

    @cached_property
    def _line_offsets(self):
        offsets = [0]
        for line in self.lines[:-1]:
            offsets.append(offsets[-1] + len(line) + 1)
        return offsets

    def locate(self, needle, start_line=1):
        """(line, column) of the first `needle` (within one line) at or after
        start_line. One search of the text, not a loop over its lines: a
        story with thousands of findings is located in thousands of times."""
        offsets = self._line_offsets
        if "\n" not in needle and 1 <= start_line <= len(offsets):
            at = self.text.find(needle, offsets[start_line - 1])
            if at >= 0:
                index = bisect.bisect_right(offsets, at) - 1
                return index + 1, at - offsets[index] + 1
            return start_line, 1
        for number, line in enumerate(self.lines[start_line - 1 :], start_line):
            col = line.find(needle)
            if col >= 0:
                return number, col + 1
        return start_line, 1


def missing_colon(src):
    """(line, column, message) when the header ends early at a line that is a
    header line without its colon (`Tags food, kindness`), else None.

    Python-Markdown's header ends at the first line that is not `Key: value`,
    so such a line and everything after it become the story's text."""
    lines = src.lines
    if not src.fields or src.body_line > len(lines) or src.body_line < 2:
        return None
    before = lines[src.body_line - 2]
    if not before.strip() or _END.match(before):  # the header ended as it should
        return None
    line = lines[src.body_line - 1]
    m = _NO_COLON.match(line)
    if not m:
        return None
    following = lines[src.body_line] if src.body_line < len(lines) else ""
    if m.group("key").lower() not in HEADER_KEYS and not _META.match(following):
        return None
    key = m.group("key")
    value = line[m.end("gap"):].strip()
    return src.body_line, m.end("key") + 1, (
        f"'{key}' has no colon after it, so the header ends here and this line and "
        f"the ones after it become the story's text; write '{key}: {value}'"
    )


def may_miss_colon(html):
    """Whether a story's HTML starts like a header line without its colon
    (cheap: the build reads the source again only when it does)."""
    m = _HTML_NO_COLON.match(html or "")
    return bool(m) and m.group("key").lower() in HEADER_KEYS


def decode(data, path):
    """The text of a file's bytes, or raise ValueError saying what is wrong."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValueError(
            f"{path}:{line}: the file is not UTF-8 (byte 0x{data[exc.start]:02x}); "
            "save it as UTF-8 in your editor"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text, path):
    """A Source from a file's text."""
    src = Source(path=str(path), text=text)
    lines = text.split("\n")
    i = 0
    if lines and _BEGIN.match(lines[0]):
        i = 1
    key = None
    while i < len(lines):
        line = lines[i]
        if i > 0 and _END.match(line) and key is not None:
            i += 1
            break
        m = _META.match(line)
        if m:
            key = m.group("key").lower()
            value = m.group("value").strip()
            src.fields.append(
                Field(key, value, i + 1, m.start("value") + 1, m.group("key"))
            )
            i += 1
            continue
        more = _MORE.match(line)
        if key is not None and more and line.strip():
            f = src.fields[-1]
            f.value = f"{f.value}\n{more.group('value').strip()}".strip()
            i += 1
            continue
        if not line.strip():
            i += 1 if key is not None else 0
        break
    src.body_line = i + 1
    return src


def read(path, shown_path=None):
    """A Source for the file at `path`; `problem` says why it could not be read."""
    shown = str(shown_path or path)
    try:
        with open(path, "rb") as f:
            data = f.read()
        text = decode(data, shown)
        src = parse(control_chars.strip(text), shown)
        if src.text != text:
            src.left_out = control_chars.positions(text)
        return src
    except ValueError as exc:
        return Source(path=shown, problem=str(exc))
    except OSError as exc:
        return Source(path=shown, problem=f"{shown}:1: cannot read the file: {exc.strerror}")


_PROBLEM = re.compile(r"^.*?:(?P<line>\d+): (?P<message>.*)$", re.S)


def unreadable(src):
    """Why a story or page cannot be read, as (line, column, message), or None.

    The build asks this about a file Pelican could not read, and the check
    asks it about every file, so both say the same thing.
    """
    if src.problem:
        m = _PROBLEM.match(src.problem)
        return (int(m.group("line")), 1, m.group("message")) if m else (1, 1, src.problem)
    if not src.text.strip():
        return 1, 1, "the file is empty; write the story's header and text, or delete it"
    if not src.value("title"):
        return 1, 1, (
            "the file has no 'Title:' line, so it cannot be published; "
            "add one at the top, e.g. 'Title: Coffee with Zoë'"
        )
    return None


def pelican_error(exc, src):
    """(line, column, message) for an exception Pelican raised reading `src`,
    pointing at the header line whose value the exception quotes."""
    text = str(exc).strip()
    message = f"Pelican cannot read this file: {text.splitlines()[0] if text else type(exc).__name__}"
    for f in src.fields:
        if f.value and f.value in text:
            return f.line, f.column, message
    return 1, 1, message


def why_pelican_fails(settings, path, src):
    """Read `path` with Pelican's readers as the build does: what goes wrong, or None."""
    from pelican.contents import Article
    from pelican.readers import Readers

    try:
        Readers(settings).read_file(
            base_path=settings["PATH"],
            path=os.path.relpath(path, settings["PATH"]),
            content_class=Article,
            context={"generated_content": {}, "static_content": {}, "localsiteurl": ""},
        )
    except Exception as exc:  # whatever stops Pelican
        return pelican_error(exc, src)
    return None


def header_line(src, word):
    """(line, column) of the first line naming `word` (a header key in any
    of Pelican's formats: `Status:`, `:status:`, `<meta name="status"`)."""
    header = re.compile(rf'(?i)^\s*:?{word}:|name=["\']{word}["\']')
    for number, line in enumerate(src.lines, 1):
        m = header.search(line)
        if m:
            return number, m.start() + 1 + (len(line[m.start():]) - len(line[m.start():].lstrip()))
    return 1, 1


EXAMPLES = {
    "title": "'Title: Coffee with Zoë' (':title:' in reStructuredText, <title> in HTML)",
    "date": "'Date: 2025-03-14 09:30' (':date:' in reStructuredText, "
            "<meta name=\"date\"> in HTML), or set DEFAULT_DATE",
}


def why_skipped(content, src):
    """(line, column, message) saying why Pelican leaves a file it read out
    of the site (no title or date, a status it does not know), or None.
    The build and the check both say it through this: a warning, as Pelican
    skips the file and builds the rest."""
    if not src.text.strip():
        return 1, 1, "the file is empty, so Pelican skips it; write its header and text, or delete it"
    for prop in getattr(content, "mandatory_properties", ()):
        if not hasattr(content, prop):
            return 1, 1, (
                f"the file has no {prop}, so Pelican skips it (it is not published); "
                f"add one at the top, e.g. {EXAMPLES.get(prop, prop)}"
            )
    allowed = getattr(content, "allowed_statuses", ())
    status = getattr(content, "status", None)
    if allowed and status not in allowed:
        line, column = header_line(src, "status")
        return line, column, (
            f"the status {status!r} is not one of {', '.join(allowed)}, so Pelican skips "
            "the file (it is not published); write e.g. 'draft', or 'published'"
        )
    return None


def read_as_pelican(settings, path, content_class=None):
    """Pelican's reading of `path` (its content object), or raise what Pelican raises."""
    from pelican.contents import Article, Page
    from pelican.readers import Readers

    if content_class is None:
        content_class = Page if _under(settings, path, "PAGE_PATHS") else Article
    return Readers(settings).read_file(
        base_path=settings["PATH"],
        path=os.path.relpath(path, settings["PATH"]),
        content_class=content_class,
        context={"generated_content": {}, "static_content": {}, "localsiteurl": ""},
    )


def _under(settings, path, key):
    root = os.path.abspath(settings["PATH"])
    path = os.path.abspath(path)
    for folder in settings.get(key) or []:
        top = os.path.join(root, folder) if folder else root
        if path == top or path.startswith(top.rstrip(os.sep) + os.sep):
            return True
    return False
