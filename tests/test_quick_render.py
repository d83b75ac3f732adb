"""The preview's quick render (machinery/quick_render.py) writes what the
warm build then writes: every page it renders is, byte for byte, the page
the build that follows writes, and it declines (None) every save it cannot
show exactly.

Built as the preview builds (warm, into one folder); each step saves a
story, renders quickly, keeps the bytes, runs the warm build and compares.
"""

import re
import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SITES, build_site
from connections.machinery import quick_render

STORY = "stories/coffee-with-zoe-at-the-harbour.md"
DRAFT = "stories/on-the-slow-train-to-porto.md"


def preview_project(tmp_path, fill, **overrides):
    """A content folder (`fill(folder)` writes it) built as the preview
    builds it, warm, into one folder: (content, output, last build, build)."""
    content = tmp_path / "content"
    fill(content)
    last = quick_render.LastBuild()

    def build():
        with last.watching():
            build_site(content, tmp_path / "output", LOAD_CONTENT_CACHE=True, CACHE_CONTENT=True,
                       CONNECTIONS_WORKERS=1, **overrides)
        return last

    build()
    return content, tmp_path / "output", last, build


@pytest.fixture
def project(tmp_path):
    return preview_project(tmp_path, lambda folder: shutil.copytree(
        ROOT / "content", folder, ignore=shutil.ignore_patterns("identities.json")))


def edit(content, name, old, new):
    path = content / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def quick_then_warm(project, path):
    """The pages the quick render wrote and their text, once the warm build
    that follows has written each of them the same, byte for byte."""
    content, output, last, build = project
    written = quick_render.render_saved(last, path if isinstance(path, list) else [path])
    assert written, "the quick render declined"
    quick = {name: (output / name).read_bytes() for name in written}
    build()
    assert quick == {name: (output / name).read_bytes() for name in written}
    return written, {name: page.decode("utf-8") for name, page in quick.items()}


def test_a_text_edit_renders_the_story_page_as_the_warm_build_does(project):
    content, output, last, _ = project
    # A long paragraph (the reading time changes) naming someone it tags already.
    longer = "I have a small confession: " + "we talked about @[Zoë Laurent]'s thermos " * 60
    minutes = re.compile(r'<p class="reading-time">(\d+) min read</p>')
    page = output / "2025/coffee-with-zoe-at-the-harbour/index.html"
    before = minutes.search(page.read_text(encoding="utf-8")).group(1)
    path = edit(content, STORY, "I have a confession:", longer)
    written, quick = quick_then_warm(project, path)
    assert written == ["2025/coffee-with-zoe-at-the-harbour/index.html"]
    shown = quick[written[0]]
    assert "I have a small confession:" in shown
    assert minutes.search(shown).group(1) != before


def test_a_person_added_then_removed_renders_their_page_too(project):
    content, output, last, _ = project
    path = edit(content, STORY, "People: Zoë Laurent, José Álvarez, Søren Kjær",
                "People: Zoë Laurent, José Álvarez, Søren Kjær, Priya Raman")
    written, quick = quick_then_warm(project, path)
    assert len(written) == 2
    person = next(n for n in written if "priya" in n)
    assert "Coffee with Zoë at the harbour" in quick[person]
    # ... and a person taken off again: their page no longer lists it.
    path = edit(content, STORY, ", Priya Raman", "")
    written, quick = quick_then_warm(project, path)
    person = next(n for n in written if "priya" in n)
    assert "Coffee with Zoë at the harbour" not in quick[person]


def test_a_summary_changed_or_removed_renders_the_story_page(project):
    content, output, last, _ = project
    path = edit(content, STORY, "Summary: On the last morning", "Summary: On the final morning")
    written, quick = quick_then_warm(project, path)
    assert written == ["2025/coffee-with-zoe-at-the-harbour/index.html"]
    assert "On the final morning" in quick[written[0]]  # its description
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^Summary: .*\n", "", text, flags=re.M), encoding="utf-8")
    written, quick = quick_then_warm(project, path)
    assert "On the final morning" not in quick[written[0]]


def test_an_event_added_by_a_mention_renders_its_page_too(project):
    content, output, last, _ = project
    path = edit(content, STORY, "I have a confession:",
                "Months later, at #[Harbour Run 2025], I told this story. I have a confession:")
    written, quick = quick_then_warm(project, path)
    event = next(n for n in written if "harbour-run-2025" in n)
    assert "Coffee with Zoë at the harbour" in quick[event]


def test_an_editors_file_that_came_and_went_is_no_change(project):
    """Vim, saving, writes and removes a probe file ("4913") and a backup
    ("story.md~") beside the story; the watcher reports them with it."""
    content, output, last, _ = project
    path = edit(content, STORY, "I have a confession:", "I have a vim confession:")
    gone = [content / "stories" / "4913", content / (STORY + "~")]
    written, quick = quick_then_warm(project, [path, *gone])
    assert "I have a vim confession:" in quick[written[0]]


def test_a_story_keeping_a_warning_the_last_build_gave_is_rendered_quickly(project):
    """... even where the last build gave it at another story naming the
    same unknown name first (it says an unknown name once)."""
    content, output, last, build = project
    path = edit(content, STORY, "People: Zoë Laurent,", "People: Zoë Laurent, Priya Ramen,")
    assert quick_render.render_saved(last, [path]) is None  # a new warning: did you mean
    edit(content, "stories/a-map-of-the-night-market.md", "People: Olufemi Adeyemi,",
         "People: Priya Ramen, Olufemi Adeyemi,")  # read first: the warning is said there
    build()
    edit(content, STORY, "I have a confession:", "I have one confession:")
    written, quick = quick_then_warm(project, path)
    assert "I have one confession:" in quick[written[0]]


def test_a_draft_edit_renders_the_drafts_page(project):
    content, output, last, _ = project
    text = (content / DRAFT).read_text(encoding="utf-8")
    first = text.split("\n\n", 1)[1].split()[0]
    path = edit(content, DRAFT, "\n\n" + first, "\n\nEdited. " + first)
    written, quick = quick_then_warm(project, path)
    assert written[0].startswith("drafts/")
    assert "Edited." in quick[written[0]]


@pytest.mark.parametrize("old, new", [
    ("Title: Coffee with Zoë at the harbour", "Title: Coffee with Zoë by the harbour"),
    ("Date: 2025-03-14 09:30", "Date: 2025-03-15 09:30"),
    ("Date: 2025-03-14 09:30", "Date: 2025-13-45"),
    ("People: Zoë Laurent,", "People: Zoë Laurant,"),  # a warning: did you mean
    ("People: Zoë Laurent,", "People: Someone Nobody Knew, Zoë Laurent,"),  # a new page
    ("Tags: healthcare, open source, coffee", "Tags: healthcare, coffee"),
], ids=["title", "date", "bad date", "near name", "new name", "tags"])
def test_what_changes_other_pages_is_left_to_the_warm_build(project, old, new):
    content, output, last, _ = project
    path = edit(content, STORY, old, new)
    before = (output / "2025/coffee-with-zoe-at-the-harbour/index.html").read_bytes() \
        if (output / "2025/coffee-with-zoe-at-the-harbour/index.html").exists() else None
    assert quick_render.render_saved(last, [path]) is None
    after = (output / "2025/coffee-with-zoe-at-the-harbour/index.html").read_bytes() \
        if before is not None else None
    assert after == before


def test_new_or_unknown_files_and_a_failed_build_are_left_to_the_warm_build(project):
    content, output, last, build = project
    new = content / "stories" / "brand-new.md"
    new.write_text("Title: New\nDate: 2026-01-01\n\nHello.\n", encoding="utf-8")
    assert quick_render.render_saved(last, [new]) is None
    assert quick_render.render_saved(last, [content / "people" / "zoe-laurent.md"]) is None
    new.unlink()
    path = edit(content, STORY, "Date: 2025-03-14 09:30", "Date: soon")
    with pytest.raises(Exception):
        build()
    assert not last.ready
    edit(content, STORY, "Date: soon", "Date: 2025-03-14 09:30")
    assert quick_render.render_saved(last, [path]) is None


def test_pelicans_own_test_content_edited_all_at_once(tmp_path):
    """Content others wrote: Pelican's own test content (read from the
    installed package; copied to a temporary folder, never into this
    repository), built as the preview builds it. Every Markdown story it
    has, a draft and a hidden one among them, gets a paragraph more in one
    save; each page the quick render writes is the warm build's."""
    import pelican

    tests = Path(pelican.__file__).resolve().parent / "tests"

    def fill(content):
        for folder in ("content", "TestPages"):
            shutil.copytree(tests / folder, content / folder)

    project = preview_project(tmp_path, fill, ARTICLE_PATHS=["content"], PAGE_PATHS=["TestPages"])
    stories = {path: story for path, story in quick_render.stories(project[2].articles).items()
               if path.endswith(".md")}
    assert {s.status for s in stories.values()} == {"published", "draft", "hidden"}
    for path in stories:
        Path(path).write_text(Path(path).read_text(encoding="utf-8")
                              + "\n\nA paragraph saved in the preview.\n", encoding="utf-8")
    written, quick = quick_then_warm(project, list(stories))
    assert len(written) == len(stories)
    assert all("A paragraph saved in the preview." in page for page in quick.values())


def test_hostile_names_stay_escaped_in_a_quick_render(tmp_path):
    """A story naming people whose names try to break out of HTML, and a
    hostile name added to it in one save: the story's and the person's
    pages the quick render writes are the warm build's, with no tag or
    attribute from the names."""
    project = preview_project(tmp_path, lambda folder: shutil.copytree(
        SITES / "hostile-names" / "content", folder))
    story = project[0] / "stories" / "names.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text + "\nLater @[<img src=x onerror=alert(3)> Mallory] waved again.\n",
                     encoding="utf-8")
    written, quick = quick_then_warm(project, story)
    assert "waved again" in quick[written[0]]
    for page in quick.values():
        assert "<script>alert" not in page and "<img src=x" not in page
        assert 'onmouseover="alert' not in page
