"""unclosed_tags.py: a `<` that no `>` follows is text at once, and every
document renders exactly as Python-Markdown renders it alone (Pelican's own
test content and many generated documents). The timing family is in
test_pathological.py."""

import random
from pathlib import Path

import markdown
import pelican
import pytest

from connections.machinery.unclosed_tags import UnclosedTagsExtension

PELICAN_CONTENT = Path(pelican.__file__).parent / "tests" / "content"
EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.toc"]


def both(text):
    plain = markdown.Markdown(extensions=EXTENSIONS)
    ours = markdown.Markdown(extensions=[*EXTENSIONS, UnclosedTagsExtension()])
    return plain.convert(text), ours.convert(text)


def test_a_tag_never_ended_is_text():
    plain, ours = both("Compare <these and <those, then <b>bold</b> and <i")
    assert ours == plain
    assert ours == "<p>Compare &lt;these and &lt;those, then <b>bold</b> and &lt;i</p>"


@pytest.mark.parametrize("path", sorted(PELICAN_CONTENT.rglob("*.md")), ids=lambda p: p.name)
def test_pelicans_own_content_renders_the_same(path):
    plain, ours = both(path.read_text(encoding="utf-8"))
    assert ours == plain


def test_generated_tag_soup_renders_the_same():
    pieces = ["<", ">", "<b>", "</b>", "<div>", "</div>", "\n", "\n\n", "a", " ", "'", '"',
              "=", "&amp;", "&", "<!--", "-->", "<w", "<w x='", "/", "`", "    ", "<?p",
              '<div markdown="1">', "<script>", "</script>", "<br/>", "</", "*"]
    rng = random.Random(18)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        plain, ours = both(text)
        assert ours == plain, repr(text)


def test_other_markdown_instances_are_left_alone(monkeypatch):
    """The parser class is shared: only instances that load the extension
    take the short answer; the others ask Python's parser as before."""
    from connections.machinery import unclosed_tags

    asked = []
    original = unclosed_tags._ORIGINAL
    monkeypatch.setattr(unclosed_tags, "_ORIGINAL", lambda parser, i: asked.append(i) or original(parser, i))
    plain, ours = (markdown.Markdown(extensions=EXTENSIONS),
                   markdown.Markdown(extensions=[*EXTENSIONS, UnclosedTagsExtension()]))
    assert ours.convert("a <w <x") == "<p>a &lt;w &lt;x</p>" and asked == []
    assert plain.convert("a <w <x") == "<p>a &lt;w &lt;x</p>" and asked == [2, 5]
