"""Characters no page may carry: controls and noncharacters.

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

FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0010fffe\U0010ffff]"
)


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
