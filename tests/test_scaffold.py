"""`python -m connections new story|person|event NAME`, run as an author runs it."""

import datetime
import zoneinfo

import pytest

from test_check import ROOT, run, settings_file


@pytest.fixture
def project(tmp_path):
    (tmp_path / "content").mkdir()
    return tmp_path, settings_file(tmp_path, tmp_path / "content")


def new(project, *args):
    folder, settings = project
    result = run("new", *args, "-s", str(settings), cwd=folder)
    assert "Traceback" not in result.stderr
    return result


def test_new_story_is_a_dated_draft_with_the_full_header(project):
    before = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/Lisbon")).replace(second=0, microsecond=0)
    result = new(project, "story", "Coffee with Zoë")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["content/stories/coffee-with-zoe.md"]
    lines = (project[0] / "content/stories/coffee-with-zoe.md").read_text("utf-8").splitlines()
    assert lines[0] == "Title: Coffee with Zoë"
    written = datetime.datetime.strptime(lines[1], "Date: %Y-%m-%d %H:%M")
    written = written.replace(tzinfo=zoneinfo.ZoneInfo("Europe/Lisbon"))
    assert before <= written <= before + datetime.timedelta(minutes=2)
    assert lines[2:10] == [
        "Author: Maya Okafor", "Category: misc", "Tags:", "People:", "Events:",
        "Summary:", "Status: draft", "",
    ]
    assert "@[Full Name]" in "\n".join(lines[10:])


def test_a_new_story_passes_the_check_and_the_build_keeps_it_a_draft(project):
    folder, settings = project
    new(project, "person", "Maya Okafor")
    assert new(project, "story", "Coffee with Zoë").returncode == 0
    result = run("check", "-s", str(settings), cwd=folder)
    assert result.stdout.splitlines()[-1] == "connections check: 0 errors, 0 warnings, 0 notes"
    result = run("build", "-s", str(settings), "-o", str(folder / "out"), cwd=folder)
    assert result.returncode == 0, result.stderr
    assert (folder / "out/drafts/coffee-with-zoe.html").exists()
    assert not (folder / "out/2026/coffee-with-zoe").exists()


def test_never_overwrites(project):
    assert new(project, "story", "Coffee with Zoë").returncode == 0
    path = project[0] / "content/stories/coffee-with-zoe.md"
    path.write_text("Title: mine\n\nMy words.\n", encoding="utf-8")
    result = new(project, "story", "Coffee  with ZOË")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "connections: content/stories/coffee-with-zoe.md already exists; "
        "not overwriting it (choose another name)"
    )
    assert path.read_text("utf-8") == "Title: mine\n\nMy words.\n"


def test_new_person(project):
    result = new(project, "person", "Zoë Laurent")
    assert result.stdout.splitlines() == ["content/people/zoe-laurent.md"]
    text = (project[0] / "content/people/zoe-laurent.md").read_text("utf-8")
    assert text.splitlines()[:6] == [
        "Name: Zoë Laurent", "Aliases:", "Website:", "Avatar:", "Visibility: public", "",
    ]


def test_new_event_needs_a_valid_start(project):
    result = new(project, "event", "PyCon 2027", "--start", "2027-05-14")
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["content/events/pycon-2027.md"]
    text = (project[0] / "content/events/pycon-2027.md").read_text("utf-8")
    assert text.splitlines()[:6] == [
        "Name: PyCon 2027", "Start: 2027-05-14", "End:", "Location:", "URL:", "",
    ]
    missing = new(project, "event", "Other Conf")
    assert missing.returncode == 1
    assert "needs its start date: --start YYYY-MM-DD" in missing.stderr
    for bad in ("2027-13-01", "14/05/2027", "2027-5-1"):
        invalid = new(project, "event", "Other Conf", "--start", bad)
        assert invalid.returncode == 1
        assert invalid.stderr.strip() == (
            f"connections: '{bad}' is not a date; write --start as YYYY-MM-DD, e.g. 2027-05-14"
        )
    assert not (project[0] / "content/events/other-conf.md").exists()


def test_a_name_without_letters_is_refused_with_a_message(project):
    result = new(project, "story", "🎉 🎉")
    assert result.returncode == 1
    assert result.stderr.startswith("connections: '🎉 🎉' has no letters or digits")
    assert not (project[0] / "content/stories").exists()


def test_make_new_story_calls_it(project, tmp_path):
    import subprocess

    from conftest import require

    make = require("make")
    folder, settings = project
    stamp = tmp_path / "installed"  # the environment is ready: no bootstrap
    stamp.touch()
    result = subprocess.run(
        [make, "-s", "-C", str(ROOT), "new-story", "TITLE=Tea with Ed",
         f"CONFFILE={settings}", f"STAMP={stamp}", "PY=" + __import__("sys").executable],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("content/stories/tea-with-ed.md")
    assert (folder / "content/stories/tea-with-ed.md").exists()
