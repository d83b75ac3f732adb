"""Characters no page may carry (controls and noncharacters), and direction
controls a printed value must close (`closed_directions`).

HTML forbids them (the Nu validator: "Forbidden code point U+0001"), XML
too (a feed with one is not a feed), and they are invisible in an editor: a
stray U+0007 pasted into a name or a title would break every page that
shows it. They are left out where files are read - Pelican's Markdown reader
for stories and pages (markdown_reader.py) and source.py for profiles and
the check - so nothing downstream ever sees one; `make check` says where
each was (`positions`).

Tab, line feed and carriage return stay (source.py turns CRLF into LF).
"""

import re

from markupsafe import Markup
from pelican.urlwrappers import URLWrapper

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)


# Direction controls: embeddings and overrides (closed by U+202C) and
# isolates (closed by U+2069).
_OPENS = {"\u202a": "\u202c", "\u202b": "\u202c", "\u202d": "\u202c", "\u202e": "\u202c",
          "\u2066": "\u2069", "\u2067": "\u2069", "\u2068": "\u2069"}
_DIRECTIONS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def closed_directions(value):
    """`value` (any value a template prints) with every direction embedding,
    override or isolate it opens closed at its end: a name or title written
    with a right-to-left override (U+202E) and no end to it would otherwise
    turn around the text printed after it, wherever it is printed. Jinja's
    `finalize` (configure.py), so it holds in every template, ours, a theme's
    or a copied one, for plain text and HTML (Markup: `|e`, a story's text)
    alike. Nothing is removed."""
    if isinstance(value, URLWrapper):  # a tag, category or author: printed by name
        value = str(value)
    if not isinstance(value, str) or _DIRECTIONS.search(value) is None:
        return value
    still_open = []
    for char in _DIRECTIONS.findall(value):
        if char in _OPENS:
            still_open.append(_OPENS[char])
        elif char == "\u2069":  # closes the last isolate and what it holds
            if "\u2069" in still_open:
                while still_open.pop() != "\u2069":
                    pass
        elif still_open and still_open[-1] == "\u202c":
            still_open.pop()
    if not still_open:
        return value
    closing = "".join(reversed(still_open))
    return Markup(value + closing) if isinstance(value, Markup) else value + closing


def opens_directions(text):
    """Whether `text` holds any direction control (most texts hold none)."""
    return _DIRECTIONS.search(text) is not None


def strip(text):
    """`text` without the characters no page may carry."""
    if not text or FORBIDDEN.search(text) is None:
        return text
    return FORBIDDEN.sub("", text)


def positions(text):
    """(line, column, character) of each forbidden character in `text`."""
    found = []
    for m in FORBIDDEN.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        found.append((line, column, m.group(0)))
    return found
