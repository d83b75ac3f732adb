"""brackets.py: Python-Markdown's links read in one pass, with its output.

The extension only replaces how `[`...`]` are paired, so every document
must render exactly as Python-Markdown renders it alone: Pelican's own
test content, a few hand-made cases and many generated ones say so. The
timing families are in test_pathological.py.
"""

import random
from pathlib import Path

import markdown
import pelican
import pytest
from markdown.test_tools import TestCase

from markdown.inlinepatterns import LinkInlineProcessor

from connections.machinery.brackets import BracketsExtension, get_link
from connections.linking.mentions import MentionExtension

PELICAN_CONTENT = Path(pelican.__file__).parent / "tests" / "content"
EXTENSIONS = ["markdown.extensions.extra", "markdown.extensions.toc"]


def both(text, extensions=EXTENSIONS):
    plain = markdown.Markdown(extensions=[*extensions, MentionExtension()])
    ours = markdown.Markdown(extensions=[*extensions, MentionExtension(), BracketsExtension()])
    return plain.convert(text), ours.convert(text)


class BracketsRenderTest(TestCase):
    default_kwargs = {"extensions": [BracketsExtension()]}

    def test_nested_brackets_in_link_text(self):
        self.assertMarkdownRenders(
            "[a [b] c](https://example.org/x) [open",
            '<p><a href="https://example.org/x">a [b] c</a> [open</p>',
        )

    def test_a_link_after_many_unclosed_brackets(self):
        self.assertMarkdownRenders(
            "[ " * 50 + "[ref][r] ![pic](p.png)\n\n[r]: https://example.org/r",
            "<p>" + "[ " * 50 + '<a href="https://example.org/r">ref</a> '
            '<img alt="pic" src="p.png" /></p>',
        )


@pytest.mark.parametrize(
    "path", sorted(PELICAN_CONTENT.rglob("*.md")), ids=lambda p: p.name
)
def test_pelicans_own_content_renders_the_same(path):
    plain, ours = both(path.read_text(encoding="utf-8"))
    assert ours == plain


def test_generated_bracket_soup_renders_the_same():
    pieces = ["[", "]", "(", ")", "a", " ", "!", "\n", "x.org", "@[", "*", "`", "\\",
              "[1]", "\n\n[1]: https://e.org\n", '"t"', "<b>", "#[", "<", ">",
              "'", '"', "](", "[w](x ", "(("]
    rng = random.Random(18)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 50)))
        plain, ours = both(text)
        assert ours == plain, repr(text)


def test_every_link_address_is_read_as_python_markdown_reads_it():
    """get_link answers from the text's running count of brackets: at every
    `(` of many generated texts (late and nested `)`, quotes, titles, `<...>`
    addresses, escapes), what Python-Markdown's own walk answers."""
    md = markdown.Markdown()
    md.convert("x")  # the inline processor's stash, which unescape reads
    processor = next(p for p in md.inlinePatterns if type(p) is LinkInlineProcessor)
    pieces = ["(", ")", "(", ")", "[w](", "x", " ", "'", '"', "\\)", "<a>", "&amp;", "\n"]
    rng = random.Random(17)
    compared = 0
    for _ in range(3000):
        data = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        for index in (i for i, c in enumerate(data) if c == "("):
            assert get_link(processor, data, index) == LinkInlineProcessor.getLink(
                processor, data, index), (data, index)
            compared += 1
    assert compared > 10000


def test_one_instance_reused_for_many_documents():
    """The matcher keeps nothing from one document for the next (reset)."""
    md = markdown.Markdown(extensions=[*EXTENSIONS, BracketsExtension()])
    plain = markdown.Markdown(extensions=EXTENSIONS)
    for text in ["[a](b) [c", "[c](d)", "[a](b) [c"] * 3:
        assert md.reset().convert(text) == plain.reset().convert(text)
