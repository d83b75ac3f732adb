"""`python -m connections check`, run as an author runs it: one line per finding
(`path:line:column: level: message`), a summary, and the exit status."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "sites" / "bad-content"


def settings_file(folder, content):
    """A settings file like the project's, reading `content`."""
    path = Path(folder) / "settings.py"
    path.write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pelicanconf import *
        PATH = {str(content)!r}
        THEME = {str(ROOT / "theme")!r}
        """), encoding="utf-8")
    return path


def run(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    return subprocess.run(
        [sys.executable, "-m", "connections", *args],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )


def check(cwd, settings, *args):
    result = run("check", "-s", str(settings), *args, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stdout.splitlines()
    return result.returncode, lines[:-1], lines[-1] if lines else ""


# Every finding the check knows, each on a known line of the fixture.
BAD_CONTENT_FINDINGS = [
    "content/events/backwards-camp.md:1:1: note: no story tags event 'Backwards Camp'; tag it with #[Backwards Camp] or delete the profile",
    'content/events/backwards-camp.md:3:6: error: the event ends (2025-05-01) before it starts (2025-05-10); swap Start: and End:',
    "content/events/broken-dates-conf.md:1:1: note: no story tags event 'Broken Dates Conf'; tag it with #[Broken Dates Conf] or delete the profile",
    "content/events/broken-dates-conf.md:2:8: error: '2025-02-30' is not a date; write Start: as YYYY-MM-DD",
    "content/events/quiet-meetup.md:1:1: note: no story tags event 'Quiet Meetup'; tag it with #[Quiet Meetup] or delete the profile",
    "content/events/quiet-meetup.md:1:1: warning: the event has no 'Start:' date; add one as YYYY-MM-DD (until then it has no calendar entry)",
    "content/people/ed-marx.md:3:9: warning: the avatar 'images/avatars/ed-marx.png' does not exist in the content folder (content/images/avatars/ed-marx.png); fix the path or add the image",
    "content/people/marx-ed.md:1:1: error: 'Ed-Marx' and 'Ed Marx' (content/people/ed-marx.md) would share the page people/ed-marx/; give one of them a 'Slug:' line",
    "content/people/nadia-quist.md:1:1: note: no story tags person 'Nadia Quist'; tag them with @[Nadia Quist] or delete the profile",
    "content/people/nadia-quist.md:2:1: warning: unknown field 'Websit:' in a person profile; did you mean 'Website:'?",
    "content/people/sam-ortiz.md:1:1: note: no story tags person 'Sam Ortiz'; tag them with @[Sam Ortiz] or delete the profile",
    "content/people/zoe-laurent.md:1:1: note: no story tags person 'Zoë Laurent'; tag them with @[Zoë Laurent] or delete the profile",
    "content/people/zoe-laurent.md:3:16: note: person 'Nobody Else' has no profile; its page shows the name only (add content/people/nobody-else.md to describe them)",
    "content/stories/alias.md:4:7: warning: 'Eddie' is mentioned on line 4 but not tagged: write @[Eddie]",
    "content/stories/bad-date.md:2:7: error: Pelican cannot read this file: '2025-31-31' is not a valid date",
    "content/stories/emoji-and-rtl.md:5:14: note: person '🎉 Party Person' has no profile; its page shows the name only (add content/people/party-person.md to describe them)",
    "content/stories/emoji-and-rtl.md:5:36: note: person 'שלום עליכם' has no profile; its page shows the name only (add content/people/shlvm-lykhm.md to describe them)",
    "content/stories/empty.md:1:1: warning: the file is empty, so Pelican skips it; write its header and text, or delete it",
    'content/stories/latin-1.md:4:1: error: the file is not UTF-8 (byte 0xe9); save it as UTF-8 in your editor',
    "content/stories/mentions.md:5:1: warning: unknown header key 'Poeple:'; did you mean 'People:'?",
    "content/stories/mentions.md:7:12: warning: unknown person 'Ed Marks'; did you mean 'Ed Marx'?",
    "content/stories/mentions.md:8:6: error: 'Sam' matches 'Sam Lee' (content/people/sam-lee.md) and 'Sam Ortiz' (content/people/sam-ortiz.md); write the full name, e.g. @[Sam Lee]",
    "content/stories/mentions.md:9:5: note: person 'Nobody Known' has no profile; its page shows the name only (add content/people/nobody-known.md to describe them)",
    "content/stories/mentions.md:9:31: note: event 'Nowhere Fest' has no profile; its page shows the name only (add content/events/nowhere-fest.md to describe them)",
    "content/stories/mentions.md:10:15: warning: empty mention '@[]' stays as written; put a name in it, e.g. @[Zoë Laurent], or remove it",
    "content/stories/mentions.md:11:14: warning: '@[Ed Marx and friends.' has no closing ']' and stays as written; write @[Ed Marx]",
    "content/stories/mentions.md:12:17: warning: 'Nadia Quist' is mentioned on line 12 but not tagged: write @[Nadia Quist]",
    "content/stories/mentions.md:14:10: warning: the page '/stories/missing.md' does not exist (content/stories/missing.md); fix the path",
    "content/stories/mentions.md:14:52: warning: the image or file '/images/nope.png' does not exist (content/images/nope.png); fix the path",
    "content/stories/mentions.md:15:1: warning: unknown event 'Harbor Fest 2025'; did you mean 'Harbour Fest 2025'?",
    "content/stories/mentions.md:15:41: warning: unknown person 'Zoe Laurant'; did you mean 'Zoë Laurent'?",
    "content/stories/mentions.md:16:7: warning: unknown person 'Edie'; did you mean 'Ed Marx'?",
    "content/stories/no-blank-line.md:4:1: warning: the header has no blank line after it; add one before the text (a text line that looks like 'Key: value' would be read as a header)",
    "content/stories/no-title.md:1:1: warning: the file has no title, so Pelican skips it (it is not published); add one at the top, e.g. 'Title: Coffee with Zoë' (':title:' in reStructuredText, <title> in HTML)",
    "content/stories/same-minute-b.md:1:1: warning: 2 stories have the same Date: 2025-01-15 10:00 and nothing else tells which came first (content/stories/same-minute-a.md, content/stories/same-minute-b.md): by file name, content/stories/same-minute-a.md is '2025-01-15T10:00'; content/stories/same-minute-b.md is '2025-01-15T10:00-2', recorded so from now on. If another of them should keep the plain minute (the one older comments and feed entries belong to), give it the line 'Id: 2025-01-15T10:00' and the others 'Id: 2025-01-15T10:00-2', ...",
    "content/stories/same-title-2.md:1:1: warning: this would be written to 2025/same-title/index.html, like content/stories/same-title-1.md; it is written to 2025/same-title-2/index.html instead. Give one of them a different 'Slug:' to choose their addresses",
]


def test_bad_content_gives_one_precise_line_per_problem(tmp_path):
    code, findings, summary = check(BAD, settings_file(tmp_path, BAD / "content"))
    assert findings == BAD_CONTENT_FINDINGS
    assert summary == "connections check: 6 errors, 19 warnings, 11 notes"
    assert code == 1


def test_check_agrees_with_the_build_on_what_the_build_reports(tmp_path):
    """Every finding the build prints, the check prints too, word for word."""
    settings = settings_file(tmp_path, BAD / "content")
    result = run("build", "-s", str(settings), "-o", str(tmp_path / "out"), cwd=BAD)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    built = {line for line in result.stderr.splitlines() if line.startswith("content/")}
    assert len(built) >= 15
    assert built <= set(BAD_CONTENT_FINDINGS)


def write(folder, files):
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def clean_site(tmp_path):
    content = tmp_path / "content"
    write(content, {
        "people/maya-okafor.md": "Name: Maya Okafor\n",
        "people/ed-marx.md": "Name: Ed Marx\nAliases: Eddie\n",
        "events/himss-2013.md": "Name: HIMSS 2013\nStart: 2013-03-03\nEnd: 2013-03-07\n",
        "stories/one.md": """\
            Title: One
            Date: 2025-01-01 10:00
            People: Ed Marx

            Met @[Ed](Ed Marx) at #[HIMSS 2013]; Ed Marx said hello.
            """,
    })
    return tmp_path, settings_file(tmp_path, content)


def test_clean_content_passes_with_a_summary(clean_site):
    folder, settings = clean_site
    code, findings, summary = check(folder, settings)
    assert findings == []
    assert summary == "connections check: 0 errors, 0 warnings, 0 notes"
    assert code == 0


def test_untagged_name_is_a_warning_that_strict_turns_into_failure(clean_site):
    folder, settings = clean_site
    write(folder / "content", {"stories/two.md": """\
        Title: Two
        Date: 2025-01-02 10:00

        Nothing much.

        Then, on the way home, I ran into ed  MARX and we
        talked about HIMSS
        2013 for an hour. `Ed Marx` in code and \\@[Ed Marx] (escaped) do not count.
        """})
    code, findings, _ = check(folder, settings)
    assert findings == [
        "content/stories/two.md:6:35: warning: 'ed MARX' is mentioned on line 6 but not tagged: write @[ed MARX]",
        "content/stories/two.md:7:14: warning: 'HIMSS 2013' is mentioned on line 7 but not tagged: write #[HIMSS 2013]",
    ]
    assert code == 0
    code, findings, _ = check(folder, settings, "--strict")
    assert code == 1


def test_untagged_names_are_found_in_one_pass_over_many_names(tmp_path):
    """Hundreds of profiles and a long story: found quickly, each once."""
    content = tmp_path / "content"
    people = {f"people/person-{i}.md": f"Name: Person Number{i} Smith\n" for i in range(400)}
    text = " ".join(f"Then Person Number{i} Smith spoke." for i in range(0, 400, 7))
    write(content, {**people, "people/maya-okafor.md": "Name: Maya Okafor\n",
                    "stories/long.md": f"Title: Long\nDate: 2025-01-01 10:00\n\n{text * 20}\n"})
    code, findings, _ = check(tmp_path, settings_file(tmp_path, content))
    untagged = [f for f in findings if "not tagged" in f]
    assert len(untagged) == len(range(0, 400, 7))
    assert untagged[0].startswith("content/stories/long.md:4:6: warning: 'Person Number0 Smith'")


def test_only_the_given_files_are_reported(tmp_path):
    code, findings, _ = check(
        BAD, settings_file(tmp_path, BAD / "content"), "content/stories/alias.md"
    )
    assert findings == [
        "content/stories/alias.md:4:7: warning: 'Eddie' is mentioned on line 4 but not tagged: write @[Eddie]"
    ]
    assert code == 0


def test_missing_settings_file_is_one_line_not_a_traceback(tmp_path):
    result = run("check", "-s", str(tmp_path / "nope.py"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"connections: {tmp_path / 'nope.py'}: no such file"]


def test_the_shipped_sample_site_has_no_errors():
    code, findings, summary = check(ROOT, ROOT / "pelicanconf.py")
    assert code == 0, findings
    assert not [f for f in findings if ": error: " in f]
    assert summary.startswith("connections check: 0 errors")


def test_the_vscode_task_reads_every_finding(tmp_path):
    """.vscode/tasks.json: its problem matcher turns each finding into a problem
    at the right file, line and column, and ignores the summary."""
    import json
    import re

    text = (ROOT / ".vscode" / "tasks.json").read_text("utf-8")
    tasks = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))["tasks"]
    task = next(t for t in tasks if t["label"] == "Check content")
    assert task["command"] == "make check"
    matcher = task["problemMatcher"]
    assert matcher["fileLocation"] == ["relative", "${workspaceFolder}"]
    pattern = matcher["pattern"]
    regexp = re.compile(pattern["regexp"])
    result = run("check", "-s", str(settings_file(tmp_path, BAD / "content")), cwd=BAD)
    *findings, summary = result.stdout.splitlines()
    assert regexp.match(summary) is None
    for line in findings:
        m = regexp.match(line)
        assert m, line
        assert (BAD / m.group(pattern["file"])).is_file()
        assert int(m.group(pattern["line"])) >= 1 and int(m.group(pattern["column"])) >= 1
        assert m.group(pattern["severity"]) in ("error", "warning", "note")
        assert line.endswith(m.group(pattern["message"]))
