"""Each story's summary is cut once per build, before the pages, and a warm
build takes the cuts of the last one where a story's text is the same
(machinery/summary_cuts.py): what the reader sees is the summary a cold
build shows."""

import pytest
from bs4 import BeautifulSoup

from conftest import build_site
from connections.linking import summaries
from connections.machinery import summary_cuts

WORDS = ("the ferry was late and a stranger at the rail told me where the "
         "herons nest every spring, and then the whole story of the pier ").split()


def story_text(n):
    """A story without a `Summary:` header, longer than a summary (50 words)."""
    body = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(120))
    return (f"Title: Crossing number {n}\nDate: 2025-0{n}-01 10:00\nPeople: Ann Lee\n\n"
            f"On crossing {n} I met @[Ann Lee]. {body}.\n")


@pytest.fixture
def cuts(monkeypatch):
    """The texts cut this build, wherever the cut is made."""
    made = []
    real = summaries.cut

    def counted(text, settings):
        made.append(text)
        return real(text, settings)

    monkeypatch.setattr(summary_cuts, "cut", counted)
    monkeypatch.setattr(summaries, "cut", counted)
    return made


@pytest.fixture
def site(tmp_path):
    content = tmp_path / "content"
    (content / "people").mkdir(parents=True)
    (content / "people" / "ann-lee.md").write_text("Name: Ann Lee\n", encoding="utf-8")
    (content / "stories").mkdir()
    for n in range(1, 6):
        (content / "stories" / f"crossing-{n}.md").write_text(story_text(n), encoding="utf-8")
    return content


def build(content, output, **overrides):
    return build_site(content, output, CONNECTIONS_WORKERS=1, **overrides)


def test_a_warm_build_cuts_only_the_story_whose_text_changed(site, tmp_path, cuts):
    out = tmp_path / "out"
    build(site, out)
    first = len(cuts)
    assert first == 5 and len(set(cuts)) == 5  # each story, once

    cuts.clear()
    build(site, out)
    assert cuts == []  # the same texts: the last build's cuts

    story = site / "stories" / "crossing-3.md"
    story.write_text(story.read_text(encoding="utf-8").replace(
        "On crossing 3", "A new first sentence, written later. On crossing 3"), encoding="utf-8")
    cuts.clear()
    build(site, out)
    assert len(cuts) == 1 and "A new first sentence, written later." in cuts[0]
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "A new first sentence, written later." in index.get_text()

    cold = tmp_path / "cold"
    build(site, cold, LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False,
          CACHE_PATH=str(tmp_path / "no-cache"))
    assert (out / "index.html").read_bytes() == (cold / "index.html").read_bytes()


def test_a_summary_setting_changed_cuts_every_story_again(site, tmp_path, cuts):
    out = tmp_path / "out"
    build(site, out)
    everything = len(cuts)
    cuts.clear()
    build(site, out, SUMMARY_MAX_LENGTH=5)
    assert len(cuts) == everything
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "On crossing 5 I met" in page and "the ferry was" not in page  # five words
    cold = tmp_path / "cold"
    build(site, cold, SUMMARY_MAX_LENGTH=5, LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False,
          CACHE_PATH=str(tmp_path / "no-cache"))
    assert page == (cold / "index.html").read_text(encoding="utf-8")


def test_damaged_cuts_are_cut_again(site, tmp_path, cuts):
    out = tmp_path / "out"
    build(site, out)
    everything = len(cuts)
    kept = tmp_path / "cache" / summary_cuts.SUMMARIES_FILE
    assert kept.is_file()
    kept.write_bytes(kept.read_bytes()[:50])  # cut short
    cuts.clear()
    build(site, out)
    assert len(cuts) == everything
