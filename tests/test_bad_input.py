"""Bad input, through the real build command: each file either works or gives
a one-line `path:line:column: error: ...` - never a traceback, never a story
silently left out."""

import re

import pytest

from test_check import run, settings_file

ANN = "Name: Ann Lee\n"


def build(folder, files):
    content = folder / "content"
    for name, data in files.items():
        path = content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    result = run("build", "-s", str(settings_file(folder, content)), "-o", str(folder / "out"),
                 cwd=folder)
    assert "Traceback" not in result.stderr + result.stdout
    return result


def page(folder, slug):
    return (folder / "out" / "2025" / slug / "index.html").read_text("utf-8")


BIG_PARAGRAPH = ("The market was loud and the lamps were low, and @[Ann Lee] kept "
                 "walking past the same stall. " * 5 + "\n\n")


@pytest.fixture(scope="module")
def odd_but_fine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("odd")
    big = BIG_PARAGRAPH * (5_000_000 // len(BIG_PARAGRAPH)) + "The very last line.\n"
    result = build(folder, {
        "people/ann-lee.md": ANN,
        "people/maya-okafor.md": "Name: Maya Okafor\n",
        "stories/bom.md": b"\xef\xbb\xbfTitle: With a BOM\nDate: 2025-01-01 10:00\n\nHi @[Ann Lee].\n",
        "stories/crlf.md": b"Title: With CRLF\r\nDate: 2025-01-02 10:00\r\nPeople: Ann Lee\r\n\r\n"
                           b"Hi @[Ann Lee].\r\nSecond line.\r\n",
        "stories/no-blank.md": "Title: No blank line\nDate: 2025-01-03 10:00\nHi there @[Ann Lee].\n",
        "stories/unbalanced.md": "Title: Unbalanced\nDate: 2025-01-04 10:00\n\nHi @[Ann Lee and friends.\n",
        "stories/names.md": "Title: Emoji 🎉 and עברית\nDate: 2025-01-05 10:00\n"
                            "People: 🎉 Party Person\n\nA toast with @[🎉 Party Person] and @[שלום עליכם].\n",
        "stories/big.md": "Title: A very long story\nDate: 2025-01-06 10:00\n\n" + big,
    })
    assert result.returncode == 0, result.stderr
    return folder


def test_every_odd_story_is_written(odd_but_fine):
    written = sorted(p.parent.name for p in (odd_but_fine / "out" / "2025").glob("*/index.html"))
    assert written == ["a-very-long-story", "emoji-and-bryt", "no-blank-line", "unbalanced",
                       "with-a-bom", "with-crlf"]


def test_bom_and_crlf_read_like_any_story(odd_but_fine):
    for slug in ("with-a-bom", "with-crlf"):
        html = page(odd_but_fine, slug)
        assert re.search(r'<a class="mention[^"]*" href="[./]*people/ann-lee/">Ann Lee</a>', html)
        assert "\ufeff" not in html and "\r" not in html
    assert "<h1" in page(odd_but_fine, "with-a-bom") and "With a BOM" in page(odd_but_fine, "with-a-bom")


def test_header_without_blank_line_keeps_the_text(odd_but_fine):
    html = page(odd_but_fine, "no-blank-line")
    assert re.search(r'<p>Hi there <a class="mention[^"]*" href="[./]*people/ann-lee/">Ann Lee</a>\.</p>', html)


def test_unbalanced_mention_stays_as_written(odd_but_fine):
    assert "<p>Hi @[Ann Lee and friends.</p>" in page(odd_but_fine, "unbalanced")


def test_emoji_and_right_to_left_names(odd_but_fine):
    html = page(odd_but_fine, "emoji-and-bryt")
    assert ">🎉 Party Person</a>" in html
    assert ">שלום עליכם</a>" in html
    assert (odd_but_fine / "out/people/party-person/index.html").exists()


def test_a_5_mb_story_is_built_whole(odd_but_fine):
    html = page(odd_but_fine, "a-very-long-story")
    assert "<p>The very last line.</p>" in html
    assert html.count('href="../../people/ann-lee/"') > 40_000


def test_unreadable_files_stop_the_build_one_line_each(tmp_path):
    result = build(tmp_path, {
        "people/ann-lee.md": ANN,
        "stories/good.md": "Title: Good\nDate: 2025-01-01 10:00\n\nHi @[Ann Lee].\n",
        "stories/latin-1.md": b"Title: Latin\nDate: 2025-01-02 10:00\n\nCaf\xe9 by the quay.\n",
        "stories/empty.md": b"",
        "stories/no-title.md": "Date: 2025-01-03 10:00\n\nNo title.\n",
        "stories/bad-date.md": "Title: Bad date\nDate: 2025-31-31\n\nText.\n",
        "stories/emoji-event.md": "Title: Party\nDate: 2025-01-04 10:00\n\nAt #[🎉].\n",
        "people/broken.md": b"Name: Bj\xf6rn\n",
    })
    assert result.returncode == 1
    findings = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert sorted(findings) == [
        "content/people/broken.md:1:1: error: the file is not UTF-8 (byte 0xf6); save it as UTF-8 in your editor",
        "content/stories/bad-date.md:2:7: error: Pelican cannot read this file: '2025-31-31' is not a valid date",
        "content/stories/emoji-event.md:4:4: error: '🎉' has no letters or digits to make a page "
        "address from; give it a profile in content/events/ with a 'Slug:' line",
        # Pelican skips these two and builds the rest: said as warnings (issue 13).
        "content/stories/empty.md:1:1: warning: the file is empty, so Pelican skips it; "
        "write its header and text, or delete it",
        "content/stories/latin-1.md:4:1: error: the file is not UTF-8 (byte 0xe9); save it as UTF-8 in your editor",
        "content/stories/no-title.md:1:1: warning: the file has no title, so Pelican skips it "
        "(it is not published); add one at the top, e.g. 'Title: Coffee with Zoë' "
        "(':title:' in reStructuredText, <title> in HTML)",
    ]
    assert result.stderr.strip().splitlines()[-1].startswith(
        "connections: the build stopped before writing anything: 4 errors, 2 warnings"
    )
    assert not (tmp_path / "out" / "2025").exists()


def test_two_stories_for_one_page_are_both_written_with_a_warning(tmp_path):
    """Pelican itself would stop halfway through writing, with a traceback;
    the second story (by date) is written at <slug>-2 and said once."""
    result = build(tmp_path, {
        "people/maya-okafor.md": "Name: Maya Okafor\n",
        "stories/first.md": "Title: Same title\nDate: 2025-01-01 10:00\n\nOne.\n",
        "stories/second.md": "Title: Same title\nDate: 2025-02-01 10:00\n\nTwo.\n",
    })
    assert result.returncode == 0, result.stderr
    findings = [line for line in result.stderr.splitlines() if line.startswith("content/")]
    assert findings == [
        "content/stories/second.md:1:1: warning: this would be written to 2025/same-title/index.html, "
        "like content/stories/first.md; it is written to 2025/same-title-2/index.html instead. "
        "Give one of them a different 'Slug:' to choose their addresses"
    ]
    assert "One." in (tmp_path / "out" / "2025" / "same-title" / "index.html").read_text()
    assert "Two." in (tmp_path / "out" / "2025" / "same-title-2" / "index.html").read_text()


def test_the_check_reads_the_same_odd_files(odd_but_fine):
    """The check says what the build let pass, about the same files, in one line each."""
    result = run("check", "-s", str(odd_but_fine / "settings.py"), cwd=odd_but_fine)
    assert "Traceback" not in result.stderr
    assert result.stdout.splitlines() == [
        "content/stories/names.md:5:14: note: person '🎉 Party Person' has no profile; its page "
        "shows the name only (add content/people/party-person.md to describe them)",
        "content/stories/names.md:5:36: note: person 'שלום עליכם' has no profile; its page "
        "shows the name only (add content/people/shlvm-lykhm.md to describe them)",
        "content/stories/no-blank.md:3:1: warning: the header has no blank line after it; add one "
        "before the text (a text line that looks like 'Key: value' would be read as a header)",
        "content/stories/unbalanced.md:4:4: warning: '@[Ann Lee and friends.' has no closing ']' "
        "and stays as written; write @[Ann Lee]",
        "connections check: 0 errors, 2 warnings, 2 notes",
    ]
    assert result.returncode == 0
