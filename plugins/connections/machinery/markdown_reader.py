"""Pelican's Markdown reader, with one Markdown instance per build.

Pelican's `MarkdownReader.read` builds a new `markdown.Markdown` for every
file: loading every extension again costs about a quarter of the time spent
converting the file (0.5 s per 1000 stories). Python-Markdown's documented
way to convert many documents is one instance and `reset()` between them;
this reader does that, and is otherwise Pelican's own: the same settings,
metadata and output, byte for byte (`tests/test_markdown_reader.py`).

Pelican's metadata step converts formatted fields (`Summary:`) with the
reader's `_md` after removing its `meta` preprocessor, so those fields get an
instance of their own, given its `meta` preprocessor back before each file.
"""

from markdown import Markdown
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open

from ..model import control_chars

# Any priority will do: Pelican removes it again before converting a field.
_FIELDS_META_PRIORITY = 27


class ReusingMarkdownReader(MarkdownReader):
    """Pelican's Markdown reader, converting every file with the same instance."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._document = None
        self._fields = None
        self._fields_meta = None

    def read(self, source_path):
        self._source_path = source_path
        if self._document is None:
            self._document = Markdown(**self.settings["MARKDOWN"])
            self._fields = Markdown(**self.settings["MARKDOWN"])
            self._fields_meta = self._fields.preprocessors["meta"]
        document = self._document
        document.reset()
        with pelican_open(source_path) as text:
            content = document.convert(control_chars.strip(text))
        metadata = {}
        if hasattr(document, "Meta"):
            self._md = self._fields
            if "meta" not in self._fields.preprocessors:
                self._fields.preprocessors.register(
                    self._fields_meta, "meta", _FIELDS_META_PRIORITY
                )
            metadata = self._parse_metadata(document.Meta)
        return content, metadata


def use_reusing_reader(readers):
    """On `readers_init`: read Markdown with one instance, where the reader
    is still Pelican's own (a user's READERS setting wins)."""
    for ext, reader_class in list(readers.reader_classes.items()):
        if reader_class is MarkdownReader:
            readers.reader_classes[ext] = ReusingMarkdownReader
