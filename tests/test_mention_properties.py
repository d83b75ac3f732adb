"""Arbitrary text thrown at the mention syntax (hypothesis): the Markdown
extension never crashes, never loses text outside mentions, and the check
finds exactly the mentions the build renders, each located in the source."""

import html
import re
from pathlib import Path

from hypothesis import given, settings as hsettings, strategies as st
from markdown import Markdown

from connections.authoring.check import (
    NameFinder, is_empty, load_settings, mask_code, mask_prose, mention_syntax, mentions_in,
)
from connections.diagnostics import Findings
from connections.linking.linker import MENTION_ELEMENT, Linker
from connections.model.registry import Registry

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = load_settings(str(ROOT / "pelicanconf.py"))  # the build's Markdown, mentions included
# As Pelican's Markdown reader loads them: every configured extension (the
# header-reading `meta` aside: these are story bodies).
MARKDOWN = dict(SETTINGS["MARKDOWN"])
MARKDOWN["extensions"] = list(MARKDOWN["extensions"]) + [
    e for e in MARKDOWN["extension_configs"] if e != "markdown.extensions.meta"
]


def plain_markdown():
    """The same Markdown without the inline mention processor."""
    md = Markdown(**MARKDOWN)
    md.inlinePatterns.deregister("connections_mention")
    return md


# Text made of what mentions are made of, with Markdown's own punctuation,
# accents, emoji and right-to-left letters (no backslash: it escapes).
SYNTAX = st.lists(
    st.sampled_from(list("ab Ed@#[]()*_.,!:\n\t ") + ["ë", "🎉", "ש", "@[", "#[", "](", "@[Ed]", "@[Ed](Ed Marx)"]),
    max_size=40,
).map("".join)
ANYTHING = st.text(max_size=200)
PROPERTY = hsettings(max_examples=200, deadline=None, database=None)

TOKEN = "§MENTION§"  # not a word character, as the placeholder of a mention is not


class Recording(Registry):
    """The build's registry, remembering every name the build resolved."""

    def __init__(self, *args):
        super().__init__(*args)
        self.resolved = []

    def resolve(self, kind, ref, where=None):
        self.resolved.append((kind, ref))
        return super().resolve(kind, ref, where)


def render(text):
    return Markdown(**MARKDOWN).convert(text)


def build_resolves(html_text):
    registry = Recording(SETTINGS, Findings(log=False))
    out = Linker(SETTINGS, registry, Findings(log=False)).render(html_text)
    return registry.resolved, out


def text_of(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", fragment)).split())


@PROPERTY
@given(ANYTHING)
def test_nothing_crashes(text):
    html_text = render(text)
    build_resolves(html_text)
    mentions = mentions_in(text, html_text)
    prose = mask_prose(text, mentions)
    assert len(prose) == len(text) == len(mask_code(text))
    finder = NameFinder(Recording(SETTINGS, Findings(log=False)))
    assert list(finder.find(prose)) == []


@PROPERTY
@given(SYNTAX)
def test_the_check_finds_what_the_build_renders(text):
    html_text = render(text)
    resolved, _ = build_resolves(html_text)
    mentions = mentions_in(text, html_text)
    assert [(kind, name) for kind, name, _, _ in mentions] == resolved
    for kind, name, start, end in mentions:
        assert start is not None, (text, name)
        written = text[start:end]
        assert written[0] == ("@" if kind == "person" else "#")
        assert " ".join(name.split()) in " ".join(written.split())  # tabs read as spaces


def plain_source(text, mentions):
    """`text` for plain Markdown: each mention a token; each empty mention
    (which the extension keeps as written) escaped so it stays as written too."""
    spans = {start: (end, TOKEN) for _, _, start, end in mentions}
    for m in mention_syntax(mask_code(text)):
        if is_empty(m) and not m.group("escape") and m.start() not in spans:
            spans.setdefault(m.start(), (m.end(), re.sub(r"([\\`*_{}\[\]()>#+\-.!])", r"\\\1", m.group(0))))
    out, done = [], 0
    for start in sorted(spans):
        if start < done:
            continue
        end, replacement = spans[start]
        out += [text[done:start], replacement]
        done = end
    return "".join(out) + text[done:]


@PROPERTY
@given(SYNTAX)
def test_no_text_outside_mentions_is_lost(text):
    """With mentions replaced by a token, the text reads as plain Markdown reads it."""
    html_text = render(text)
    with_extension = MENTION_ELEMENT.sub(TOKEN, html_text)
    plain = plain_markdown().convert(plain_source(text, mentions_in(text, html_text)))
    assert text_of(with_extension) == text_of(plain)


def test_examples_of_the_syntax():
    cases = {
        "@[Ed Marx] and #[HIMSS 2013]": [("person", "Ed Marx"), ("event", "HIMSS 2013")],
        "@[Ed](Ed Marx), ann@[host] and `@[code]`": [("person", "Ed Marx")],
        "\\@[Ed Marx] @[] #[ ] @[x]()": [],
        "*@[Zoë]* _#[🎉 Fest]_ @[שלום]": [("person", "Zoë"), ("event", "🎉 Fest"), ("person", "שלום")],
    }
    for text, expected in cases.items():
        html_text = render(text)
        assert [(k, n) for k, n, _, _ in mentions_in(text, html_text)] == expected, text
        assert build_resolves(html_text)[0] == expected, text
    assert "@[Ed Marx]" in render("\\@[Ed Marx]")


# HTML as the Markdown extension and raw HTML in a story leave it for the
# linker: mention elements, links opening and closing (in any case), and the
# text around and inside them.
LINKER_HTML = st.lists(
    st.sampled_from([
        '<a class="mention" data-mention="person">Ed</a>',
        '<span class="mention" data-mention="event" data-ref="HIMSS 2013">HIMSS</span>',
        '<a class="mention" data-mention="person" data-ref="Ed Marx">',
        '<a href="https://example.org/">', '<A HREF="x">', "<a>", "</a>", "</A >", "</a\n>",
        "<abbr>", "<span>", "</span>", "<", ">", "a", " ", "\n", "Ed", "ë", '"',
    ]),
    max_size=30,
).map("".join)


@given(LINKER_HTML)
@hsettings(max_examples=300, deadline=None)
def test_the_linker_finds_mentions_and_links_as_the_plain_pattern_does(text):
    """The linker's pattern has the `<` its three alternatives share first,
    for speed (linker._MENTION_OR_LINK): it matches exactly what the plain
    alternation of a mention element, a link opening and a link closing does."""
    from connections.linking.linker import _MENTION_OR_LINK

    plain = re.compile(
        MENTION_ELEMENT.pattern + r"|(?P<open><a\b[^>]*>)|(?P<close></a\s*>)", re.S | re.I)
    found = [(m.span(), m.group("kind"), m.group("ref"), m.group("text"),
              bool(m.group("open")), bool(m.group("close"))) for m in _MENTION_OR_LINK.finditer(text)]
    expected = [(m.span(), m.group("kind"), m.group("ref"), m.group("text"),
                 bool(m.group("open")), bool(m.group("close"))) for m in plain.finditer(text)]
    assert found == expected
