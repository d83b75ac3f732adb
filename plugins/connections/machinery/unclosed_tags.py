"""Python-Markdown's raw HTML read in linear time when `<` opens no tag.

Python-Markdown finds raw HTML with Python's own HTML parser. For every
`<word` it asks `check_for_whole_start_tag` where the tag ends, and in
Python 3.11 that is a regular expression run from the `<` over everything
that could still be the tag's attributes: with no `>` after it, the rest of
the document. Text with thousands of `<` that open nothing (`<word <word`,
a pasted log, an arrow drawn as `<-` before a letter) costs their number
times its length: 8,000 took 5 s, 16,000 about 20 s.

A start tag needs a `>` to end it. Where none follows a `<`, the parser
can only give the `<` back as text, which is what Python-Markdown does with
a tag that does not end (its `parse_starttag` hands the `<` to
`handle_data` and reads on), so this extension answers "does not end" at
once for such a `<`, the last `>` of the text found once per text. The
output is Python-Markdown's own (tests/test_unclosed_tags.py compares them).

The answer is given only to a parser working for a Markdown instance that
loaded this extension: Python-Markdown makes its parser inside the
preprocessor, so the method is set on its parser class and asks the
parser's Markdown instance.
"""

from markdown.extensions import Extension
from markdown.htmlparser import HTMLExtractor

_FLAG = "_connections_unclosed_tags"


def _check_for_whole_start_tag(self, i):
    if getattr(self.md, _FLAG, False):
        rawdata = self.rawdata
        if getattr(self, "_connections_scanned", None) is not rawdata:
            # The parser's text changes only between feed() and close().
            self._connections_scanned = rawdata
            self._connections_last_close = rawdata.rfind(">")
        if i > self._connections_last_close:
            return -1
    return _ORIGINAL(self, i)


_ORIGINAL = HTMLExtractor.check_for_whole_start_tag


class UnclosedTagsExtension(Extension):
    """Start tags that cannot end are text at once."""

    def extendMarkdown(self, md):
        setattr(md, _FLAG, True)
        HTMLExtractor.check_for_whole_start_tag = _check_for_whole_start_tag


def makeExtension(**kwargs):  # pragma: no cover - Markdown's loading hook
    return UnclosedTagsExtension(**kwargs)
