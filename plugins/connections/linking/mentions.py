"""The mention syntax: a Python-Markdown extension.

    @[Ed Marx]             a person, shown by name
    @[Ed](Ed Marx)         a person, shown as "Ed"
    #[HIMSS 2013]          an event
    \\@[Ed Marx]            not a mention: the text stays as written

The extension is purely syntactic: it turns a mention into a *mention
element* that names what was written,

    <a class="mention" data-mention="person" data-ref="Ed Marx">Ed</a>

(``data-ref`` only when the shown text differs from the name; a
``<span>`` instead of ``<a>`` inside a link's text), and leaves
resolving the name, visibility and the final link to ``linking.py`` on the
Pelican side, where the registry of people and events is known. That keeps
Pelican's content cache independent of the registry, and lets one function,
``linking.resolve_mentions``, turn the same element into the same HTML for a
story, a summary or a bio.

Nothing is matched inside code spans or code blocks (their processors run
first), inside URLs or e-mail addresses (a mention must start the text or
follow a space or opening punctuation), and the plain source reads well in
any Markdown preview.
"""

import re
import xml.etree.ElementTree as etree

from markdown.blockprocessors import HashHeaderProcessor
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

KINDS = {"@": "person", "#": "event"}

# The longest name (or shown text) a mention may have: past it, `@[` is no
# mention and the text stays as written (`make check` says so), so an `@[`
# never closed costs a look at this many characters, never the paragraph.
MENTION_NAME_MAX = 200
# The pattern starts with its sigil, so that searching a text for it is one
# fast scan; what may come before a mention is checked in handleMatch.
MENTION_PATTERN = (
    r"(?P<sigil>[@#])\[(?P<text>[^\[\]\n]{0,%d})\]"
    r"(?:\((?P<target>[^()\n]{0,%d})\))?"
) % (MENTION_NAME_MAX, MENTION_NAME_MAX)
# A mention (or its escape, \@[...]) starts the text or follows white space,
# opening punctuation or another inline element (Markdown's placeholder ends
# in \x03), so "ann@[host]" (an e-mail address) and "https://x.org/#[a]"
# never match.
MAY_PRECEDE = "([{\"'\u201c\u2018\u00ab>*_~\x03"
# The escape a writer puts before a mention to keep it as text.
ESCAPE = r"(?:(?P<escape>\\)(?=[@#]\[))?"


def start_rule(also=""):
    """The same rule as a regular expression look-behind (check.py reads the
    source with it): a mention may start here, or also after `also`."""
    return r"(?<![^\s" + re.escape(MAY_PRECEDE + also) + "])"


def _may_follow(data, index):
    return index < 0 or data[index].isspace() or data[index] in MAY_PRECEDE

# Between the code-span processor (190) and backslash escapes (180), so that
# `\@[...]` and `\#[...]` are ours to keep literal, and before links (160), so
# that `@[Ed](Ed Marx)` is never read as a link.
PRIORITY = 185


def build_mention_element(kind, text, target):
    """The default builder: the mention element that linking.py resolves."""
    el = etree.Element("a")
    el.set("class", "mention")
    el.set("data-mention", kind)
    if target is not None:
        el.set("data-ref", target)
    el.text = AtomicString(text)
    return el


class MentionInlineProcessor(InlineProcessor):
    def __init__(self, pattern, md, builder):
        super().__init__(pattern, md)
        self.builder = builder

    def handleMatch(self, m, data):
        start = m.start(0)
        escaped = start > 0 and data[start - 1] == "\\"
        if escaped:
            start -= 1
        if not _may_follow(data, start - 1):
            return None, None, None
        if escaped:
            return AtomicString(m.group(0)), start, m.end(0)
        start = m.start(0)
        text = m.group("text").strip()
        target = m.group("target")
        if target is not None:
            target = target.strip()
        if not text or target == "":
            # An empty mention stays as written (never a link); `make check`
            # reports it.
            return AtomicString(m.group(0)), start, m.end(0)
        kind = KINDS[m.group("sigil")]
        if target == text:
            target = None
        return self.builder(kind, text, target), start, m.end(0)


class MentionInLinkTreeprocessor(Treeprocessor):
    """A mention in a link's text (`[@[Ed Marx]'s talk](https://...)`) is
    no link of its own (a link in a link is invalid HTML): its element
    becomes a `<span>` with the same attributes, which linking.py renders as
    the name alone (and still tags the story with)."""

    def run(self, root):
        for link in root.iter("a"):
            if link.get("class") == "mention":
                continue
            for el in link.iter("a"):
                if el is not link and el.get("class") == "mention" and el.get("data-mention"):
                    el.tag = "span"


# After Python-Markdown's inline processing (20), which builds the links.
IN_LINK_PRIORITY = 19


class HashHeaderNotMentionProcessor(HashHeaderProcessor):
    """Python-Markdown's `#` headings, except that `#[HIMSS 2013]` starting a
    line is an event mention, not a heading (CommonMark wants a space after
    the `#` too)."""

    RE = re.compile(
        r"(?:^|\n)(?P<level>#{1,6})(?![#\[])"
        r"(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"
    )


class MentionExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "builder": [
                build_mention_element,
                "Callable (kind, text, target) returning the element for a "
                "mention - Default: the mention element linking.py resolves",
            ],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        processor = MentionInlineProcessor(
            MENTION_PATTERN, md, self.getConfig("builder")
        )
        md.inlinePatterns.register(processor, "connections_mention", PRIORITY)
        md.treeprocessors.register(
            MentionInLinkTreeprocessor(md), "connections_mention_in_link", IN_LINK_PRIORITY
        )
        md.parser.blockprocessors.register(
            HashHeaderNotMentionProcessor(md.parser), "hashheader", 70
        )


def makeExtension(**kwargs):  # pragma: no cover - Markdown's loading hook
    return MentionExtension(**kwargs)
