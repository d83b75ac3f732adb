"""A mention inside a link's text, site-wide: shown as text (never a link in
a link), the story still tagged, the check quiet about it."""

import re
import textwrap

from lxml import html as lxml_html

from conftest import build_site
from connections.authoring.check import check as run_check
from connections.authoring.check import load_settings as check_settings
from test_check import settings_file

STORY = """\
    Title: The talk
    Date: 2025-02-01 10:00

    I went to [@[Ed Marx]'s talk](https://example.org/talk) and to
    [what @[Quenby Hollowell] planted](https://example.org/garden), then met
    #[HIMSS 2013] [at <a href="https://example.org/x">@[Ed Marx]</a>].
    """


def write_site(content):
    for name, text in {
        "people/maya-okafor.md": "Name: Maya Okafor\n",
        "people/ed-marx.md": "Name: Ed Marx\n",
        "people/quenby-hollowell.md": "Name: Quenby Hollowell\nVisibility: private\n"
                                      "Placeholder: a neighbour\n",
        "events/himss-2013.md": "Name: HIMSS 2013\nStart: 2013-03-03\n",
        "stories/talk.md": STORY,
    }.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_a_mention_in_link_text_is_text_and_still_tags_the_story(tmp_path):
    content = tmp_path / "content"
    write_site(content)
    out = build_site(content, tmp_path / "output")
    source = (out / "2025/the-talk/index.html").read_text(encoding="utf-8")
    # No link opens before the one open has closed (an HTML parser would
    # quietly split a nested one, so the source is read as written).
    assert not re.search(r"<a\b[^>]*>(?:(?!</a>).)*<a\b", source, re.S)
    page = lxml_html.fromstring(source)
    body = page.xpath("//article")[0]
    talk = body.xpath('.//a[@href="https://example.org/talk"]')[0]
    assert talk.text_content() == "Ed Marx's talk"
    garden = body.xpath('.//a[@href="https://example.org/garden"]')[0]
    assert garden.text_content() == "what a neighbour planted"  # privacy kept
    assert "Quenby" not in lxml_html.tostring(page, encoding="unicode")
    # The story is tagged: Ed's page lists it.
    ed = lxml_html.parse(str(out / "people/ed-marx/index.html")).getroot()
    assert any("The talk" in a.text_content() for a in ed.xpath("//main//a"))


def test_the_check_says_nothing_about_a_mention_in_link_text(tmp_path):
    content = tmp_path / "content"
    write_site(content)
    settings = check_settings(str(settings_file(tmp_path, content)))
    findings = run_check(settings)
    about_story = [str(f) for f in findings.items if "talk.md" in f.path]
    assert about_story == []
