"""A header line without its colon (`Tags food, kindness`) ends Python-Markdown's
header early: the rest of the header becomes the story's text. The build and
`make check` both say so, naming the missing colon, and strict publishing
refuses it."""

import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, build_site
from connections.diagnostics import ContentError

STORY = textwrap.dedent("""\
    Title: Soup on a Tuesday
    Date: 2025-02-04 19:00
    Category: Neighbourhood
    Tags food, kindness
    Summary: A neighbour brought soup.

    My neighbour knocked with a pot of lentil soup and would not take it back.
    """)
WARNING = ("stories/soup.md:4:5: warning: 'Tags' has no colon after it, so the header "
           "ends here")


@pytest.fixture
def content(tmp_path):
    (tmp_path / "content" / "stories").mkdir(parents=True)
    (tmp_path / "content" / "stories" / "soup.md").write_text(STORY, encoding="utf-8")
    return tmp_path / "content"


def test_check_names_the_missing_colon(content, tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
                    f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n")
    run = subprocess.run(
        [sys.executable, "-m", "connections", "check", "--strict", "-s", str(conf)],
        cwd=tmp_path, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
    )
    assert run.returncode == 1
    assert WARNING in run.stdout, run.stdout
    assert "write 'Tags: food, kindness'" in run.stdout
    assert "no blank line" not in run.stdout  # the real cause, not a symptom


def test_the_build_warns_and_strict_publishing_refuses(content, tmp_path, caplog):
    out = build_site(content, tmp_path / "out")
    assert any(WARNING in r.getMessage() for r in caplog.records), caplog.text
    assert (out / "2025" / "soup-on-a-tuesday" / "index.html").exists()
    with pytest.raises(ContentError):
        build_site(content, tmp_path / "strict", CONNECTIONS_STRICT=True)
    assert not (tmp_path / "strict" / "2025" / "soup-on-a-tuesday" / "index.html").exists()


@pytest.mark.parametrize("text, found", [
    ("Title: T\nTags food, kindness\n\nText.\n", (2, 5)),
    ("Title: T\nDate: 2025-01-01\nSummary a neighbour\nPeople: Zoë\n\nText.\n", (3, 8)),
    # A first paragraph that starts with a header word, after the blank line.
    ("Title: T\n\nDate night at the market was loud.\n", None),
    ("Title: T\nThe market was loud.\n", None),  # not a header word: the blank-line warning
    ("---\nTitle: T\n---\nTags are fun.\n", None),
])
def test_which_lines_are_a_header_line_without_its_colon(text, found):
    from connections.model import source

    problem = source.missing_colon(source.parse(text, "x.md"))
    assert (problem[:2] if problem else None) == found
