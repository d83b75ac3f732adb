"""Python-Markdown's links, images and references in linear time.

(Also the address of a link, `[text](` never closed: `get_link`.)

Python-Markdown finds the text of a link (`[text](url)`, `[text][ref]`,
`![alt](src)`) with `LinkInlineProcessor.getText`, which walks the text
after each `[` one character at a time until the brackets balance. A `[`
that is never closed walks to the end of the paragraph, so a paragraph with
n unclosed brackets (or `@[` mentions left open) costs n times its length:
8,000 of them took 25 s, 25,000 more than five minutes.

This extension gives those processors one `BracketMatcher`, which pairs
every bracket of a text in a single pass (from the right: a `[` closes at
the nearest `]` after it that no `[` in between has taken, exactly where
Python-Markdown's count returns to zero) and answers each `[` from that
table. Python-Markdown replaces a matched link by a placeholder and goes on
with the rest of the same text, and where a bracket closes depends only on
what follows it, so the table serves every later `[` of the new text as
well (keyed by distance from the end); it is computed again only for a text
it has not seen. The output is Python-Markdown's own, byte for byte
(tests/test_brackets.py compares them).
"""

import bisect
import re

from markdown.extensions import Extension
from markdown.inlinepatterns import LinkInlineProcessor

_BRACKET = re.compile(r"[\[\]]")
# A few texts at once: a link's own text is processed (a shorter string)
# between two looks at the paragraph it is in.
_REMEMBERED = 4


class BracketMatcher:
    """Where each `[` of a text closes, one pass per text."""

    def __init__(self, md=None):
        self.md = md
        # [(text, {distance from the end after a '[': that of its ']', or -1},
        #   how far from the end the table is known to hold)]
        self._recent = []

    def closing(self, data, index):
        """Where the `[` just before `index` closes in `data`, -1 (never), or
        None where `index` does not follow a `[`."""
        after = len(data) - index
        table = self._table_for(data, after)
        distance = table.get(after)
        if distance is None:
            return None
        return -1 if distance < 0 else len(data) - distance

    def _table_for(self, data, after):
        for entry in self._recent:
            if entry[0] is data and after <= entry[2]:
                return entry[1]
        tail = data[len(data) - after:]
        for text, table, valid in self._recent:
            # The same text from here to the end (what Python-Markdown leaves
            # after a placeholder): the same table, for every `[` from here on.
            if after <= valid and text.endswith(tail):
                self._remember(data, table, after)
                return table
        table = self._compute(data)
        self._remember(data, table, len(data))
        return table

    @staticmethod
    def _compute(data):
        size = len(data)
        table = {}
        open_closers = []
        for m in reversed(list(_BRACKET.finditer(data))):
            p = m.start()
            if data[p] == "]":
                open_closers.append(p)
            else:
                close = open_closers.pop() if open_closers else -1
                table[size - p - 1] = size - close if close >= 0 else -1
        return table

    def _remember(self, data, table, valid):
        self._recent.insert(0, (data, table, valid))
        del self._recent[_REMEMBERED:]

    def reset(self):
        """After every document (Markdown.reset): its texts are not needed
        again; extensions loaded after this one may have added processors."""
        self._recent.clear()
        self.attach()

    def attach(self):
        for processor in self.md.inlinePatterns:
            if isinstance(processor, LinkInlineProcessor) and (
                getattr(processor, "_connections_brackets", None) is not self
            ):
                processor._connections_brackets = self
                processor.getText = (
                    lambda data, index, _p=processor: self.get_text(_p, data, index)
                )
                processor.getLink = (
                    lambda data, index, _p=processor: get_link(_p, data, index)
                )

    def get_text(self, processor, data, index):
        """`LinkInlineProcessor.getText(data, index)`, without the walk."""
        if index < 1 or data[index - 1] != "[":
            return LinkInlineProcessor.getText(processor, data, index)
        close = self.closing(data, index)
        if close is None:
            return LinkInlineProcessor.getText(processor, data, index)
        if close < 0:
            # Python-Markdown would return the rest of the text; every caller
            # gives up on an unclosed bracket without reading it.
            return "", len(data), False
        return data[index:close], close + 1, True


def get_link(processor, data, index):
    """`LinkInlineProcessor.getLink(data, index)`, without the long walk.

    Python-Markdown reads the address of `[text](` one character at a time,
    counting `(` and `)`, to the `)` that brings the count back to zero, so
    an address that closes late (8,000 `[text](x ` before one `)` took 18 s)
    or never (28 s) is walked again for every link in the text. Until its
    first quote (a title) the walk only counts, so where it ends is read off
    the text's running count of brackets, computed once per text; an address
    with a quote before that point is left to Python-Markdown itself, and so
    is one the nearest `)` closes (the walk is then the address itself)."""
    m = processor.RE_LINK.match(data, pos=index)
    if m is None or m.group(1):
        return LinkInlineProcessor.getLink(processor, data, index)
    start = m.end()
    # (No look to the end of the text for each of thousands never closed.)
    nearest = data.find(")", start) if _last_close(data) >= start else -1
    if nearest >= 0 and data.find("(", start, nearest) < 0:
        # Nearly every link: its own `)` is the first one.
        return LinkInlineProcessor.getLink(processor, data, index)
    quotes, opens, closes, drops = _marks(data)
    at = bisect.bisect_left(quotes, start)
    quote = quotes[at] if at < len(quotes) else None
    if nearest < 0:
        # No `)` after it: the loop cannot close the address; it ends
        # unhandled, at the end of the text, unless a quote (a title) is
        # followed by as many `(` as were open, a rare case left to
        # Python-Markdown.
        if quote is not None:
            still_open = 1 + bisect.bisect_left(opens, quote) - bisect.bisect_left(opens, start)
            if len(opens) - bisect.bisect_right(opens, quote) >= still_open:
                return LinkInlineProcessor.getLink(processor, data, index)
        return "", None, len(data), False
    # The count is back to zero at the first `)` after which the running
    # count of the text is one less than where the address starts.
    level = bisect.bisect_left(opens, start) - bisect.bisect_left(closes, start) - 1
    ends = drops.get(level, ())
    at = bisect.bisect_left(ends, start)
    close = ends[at] if at < len(ends) else None
    if quote is not None and (close is None or quote < close):
        return LinkInlineProcessor.getLink(processor, data, index)
    if close is None:
        return "", None, len(data), False
    return processor.unescape(data[start:close]).strip(), None, close + 1, True


def _per_text(make):
    """`make(text)`, worked out once for each of the last few texts
    (Python-Markdown asks about every link of the same text)."""
    recent = []  # [(text, answer)], the newest first

    def answer(data):
        for text, known in recent:
            if text is data:
                return known
        known = make(data)
        recent.insert(0, (data, known))
        del recent[_REMEMBERED:]
        return known

    return answer


@_per_text
def _last_close(data):
    """Where a text's last `)` is (-1: none)."""
    return data.rfind(")")


@_per_text
def _marks(data):
    """Where a text's quotes, `(` and `)` are, and for each running count
    of brackets the `)` after which the count has that value."""
    quotes, opens, closes, drops = [], [], [], {}
    count = 0
    for m in _LINK_MARK.finditer(data):
        c, p = m.group(), m.start()
        if c == "(":
            count += 1
            opens.append(p)
        elif c == ")":
            count -= 1
            closes.append(p)
            drops.setdefault(count, []).append(p)
        else:
            quotes.append(p)
    return quotes, opens, closes, drops


_LINK_MARK = re.compile(r"""[()'"]""")


class BracketsExtension(Extension):
    """Every link, image and reference processor answers from one matcher
    (one per Markdown instance: Pelican shares extension instances)."""

    def extendMarkdown(self, md):
        matcher = BracketMatcher(md)
        md.registerExtension(matcher)  # so that md.reset() resets it
        matcher.attach()


def makeExtension(**kwargs):  # pragma: no cover - Markdown's loading hook
    return BracketsExtension(**kwargs)
