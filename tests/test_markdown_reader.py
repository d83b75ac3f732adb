"""The reader that keeps one Markdown instance reads every file exactly as
Pelican's own reader does, whatever the previous file left behind."""

from pelican.readers import MarkdownReader
from pelican.settings import DEFAULT_CONFIG

from connections.machinery.markdown_reader import ReusingMarkdownReader
from connections.linking.mentions import MentionExtension

FILES = {
    "footnotes.md": (
        "Title: Footnotes\nDate: 2025-01-01\nSummary: A *short* one[^s].\n\n"
        "Text with a note[^1] and an HTML abbreviation.\n\n"
        "*[HTML]: Hyper Text Markup Language\n\n[^1]: The note.\n[^s]: In the summary.\n"
    ),
    "plain.md": "Just text, no header, an HTML word and a note[^1].\n\n[^1]: Again.\n",
    "summary-like-header.md": (
        "Title: Colons\nDate: 2025-01-02\nSummary: Where: the pier\n    When: noon\n\n"
        "Met @[Zoë Laurent] at #[Harbour Run 2025].\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    ),
    "code.md": (
        "Title: Code\nDate: 2025-01-03\nTags: a, b\n\n```python\nprint('@[not a mention]')\n```\n"
        "\nDefinition\n:   Its meaning.\n"
    ),
}


def _settings():
    settings = dict(DEFAULT_CONFIG)
    settings["MARKDOWN"] = {
        "extension_configs": {
            "markdown.extensions.codehilite": {"css_class": "highlight"},
            "markdown.extensions.extra": {},
            "markdown.extensions.meta": {},
        },
        "extensions": [MentionExtension()],
        "output_format": "html5",
    }
    return settings


def _read_all(reader_class, tmp_path, order):
    reader = reader_class(_settings())
    results = {}
    for name in order:
        path = tmp_path / name
        path.write_text(FILES[name], encoding="utf-8")
        content, metadata = reader.read(str(path))
        results[name] = (content, {k: str(v) for k, v in metadata.items()})
    return reader, results


def test_reads_every_file_as_pelicans_reader_does_in_any_order(tmp_path):
    order = list(FILES)
    _, expected = _read_all(MarkdownReader, tmp_path, order)
    assert "footnote" in expected["footnotes.md"][0]
    assert "<abbr" in expected["footnotes.md"][0]
    assert expected["summary-like-header.md"][1]["summary"].startswith("<p>Where: the pier")
    for run in (order, order[::-1], order + order):
        _, got = _read_all(ReusingMarkdownReader, tmp_path, run)
        assert got == expected


def test_one_instance_converts_every_file(tmp_path):
    reader, _ = _read_all(ReusingMarkdownReader, tmp_path, list(FILES))
    first = reader._document
    reader.read(str(tmp_path / "plain.md"))
    assert reader._document is first


def test_it_replaces_pelicans_markdown_reader_only():
    from connections.machinery.markdown_reader import use_reusing_reader

    class Mine(MarkdownReader):
        pass

    readers = type("Readers", (), {})()
    readers.reader_classes = {"md": MarkdownReader, "mkd": Mine, "rst": object}
    use_reusing_reader(readers)
    assert readers.reader_classes == {"md": ReusingMarkdownReader, "mkd": Mine, "rst": object}
