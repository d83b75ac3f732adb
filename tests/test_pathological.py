"""Pathological input grows the work at most linearly (issue 18, item 5).

Each family doubles one pathology - `@[` never closed, `[` never closed,
`[text](` never closed or closed once at the end, `<word` never ended, a
story naming many distinct people, a story with many mentions - and asserts
that doubling the input at most about doubles the time (a ratio under 3,
with a little slack, so a loaded machine does not make it flake: CPU time,
the least of three runs, and of seven for a step that looks worse). Before the fixes each of these grew with the square of
the input: 8,000 unclosed `@[` took minutes in `make check` and the build.

`python -m connections check` reads stories with the build's own Markdown
and extensions, so it times both the check's scanning and the build's
reading (make serve rebuilds the same way).
"""

import datetime
import gc
import logging
import time

import pytest

from conftest import ROOT
from connections.authoring.check import check, load_settings
from connections.output.pages import ConnectionsGenerator
from test_check import settings_file

SIZES = (1000, 2000, 4000, 8000)
SLACK = 0.03  # seconds: what noise alone may add to a very short run


def cpu_time(run, repeats=3):
    """The least CPU time of a few runs (what a loaded machine adds is
    never less), the garbage collector paused while timing."""
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            start = time.process_time()
            run()
            times.append(time.process_time() - start)
        finally:
            gc.enable()
    return min(times)


def assert_at_most_linear(times, measure=None):
    """Each doubling at most about doubles the time. A step that looks worse
    is timed again, both its sizes, with more runs (`measure(size)`): what
    a busy machine adds only ever adds, so the least of more runs comes
    nearer the real cost, and a real square stays a square."""
    sizes = sorted(times)
    for small, large in zip(sizes, sizes[1:]):
        ratio = large / small
        if measure is not None and not times[large] < 1.5 * ratio * times[small] + SLACK:
            times = {**times, small: measure(small), large: measure(large)}
        assert times[large] < 1.5 * ratio * times[small] + SLACK, (
            f"doubling the input from {small} to {large} took "
            f"{times[small]:.3f} s -> {times[large]:.3f} s: more than linear ({times})"
        )


AGAIN = 7  # runs of each size when a step is timed again


def test_the_linearity_check_fails_a_square_and_forgives_noise():
    square = {1000: 0.05, 2000: 0.2, 4000: 0.8}
    with pytest.raises(AssertionError, match="more than linear"):
        assert_at_most_linear(square)
    with pytest.raises(AssertionError, match="more than linear"):
        assert_at_most_linear(square, square.get)  # timed again: still a square
    noisy = {1000: 0.05, 2000: 0.4, 4000: 0.2}  # one run of 2000 slowed down
    assert_at_most_linear(noisy, {1000: 0.05, 2000: 0.1, 4000: 0.2}.get)


@pytest.fixture(scope="module")
def one_story_site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pathological")
    (folder / "content" / "stories").mkdir(parents=True)
    logging.getLogger("pelican").setLevel(logging.CRITICAL)
    settings = load_settings(str(settings_file(folder, folder / "content")))
    story = folder / "content" / "stories" / "pathological.md"

    def run_check(body, repeats=3):
        story.write_text("Title: Pathological\nDate: 2026-01-01\n\n" + body, encoding="utf-8")
        return cpu_time(lambda: check(settings), repeats)

    return run_check


@pytest.mark.parametrize("unit, sizes, tail", [
    ("@[word ", SIZES, ""),  # a mention opened and never closed
    ("[word ", SIZES, ""),  # a link's bracket never closed (Python-Markdown's own cost)
    ("[word](x ", SIZES, ""),  # a link's address never closed (28 s at 8,000 before)
    ("[word](x ", SIZES, ")"),  # ... closed once, at the end (18 s at 8,000 before)
    ("<word ", SIZES, ""),  # a tag opened and never ended (5 s at 8,000 before)
    ("Met @[Person {i:03d}] again.\n", tuple(n // 2 for n in SIZES), ""),  # many mentions
    # Many distinct people mentioned, none with a profile: a note for each
    # (located in the story) and every name searched for in the prose.
    ("Met @[Someone {j:05d}] again.\n", tuple(n // 2 for n in SIZES), ""),
])
def test_check_and_reading_grow_linearly(one_story_site, unit, sizes, tail):
    def body(n):
        return "".join(unit.format(i=i % 500, j=i) for i in range(n)) + tail

    times = {n: one_story_site(body(n)) for n in sizes}
    assert_at_most_linear(times, lambda n: one_story_site(body(n), AGAIN))


def test_the_unclosed_mention_is_still_reported(one_story_site, tmp_path):
    # Linear, and still said: one warning at the mention that opens the line.
    folder = tmp_path
    (folder / "content" / "stories").mkdir(parents=True)
    (folder / "content" / "stories" / "open.md").write_text(
        "Title: Open\nDate: 2026-01-01\n\n" + "@[word " * 2000 + "\n", encoding="utf-8"
    )
    findings = check(load_settings(str(settings_file(folder, folder / "content"))))
    unclosed = [str(f) for f in findings.items if "has no closing ']'" in f.message]
    assert len(unclosed) == 1 and "open.md:4:1:" in unclosed[0], unclosed


class Person:
    listed = True

    def __init__(self, name):
        self.display_name = name
        self.articles = []
        self.authored = []


class Story:
    def __init__(self, people):
        self.date = datetime.datetime(2026, 1, 1)
        self.events = []
        self.people = people  # the listed people a story tags (linking.py)
        self.author_people = []


def test_connecting_the_people_of_one_story_grows_linearly():
    """A story naming n people: each person's "connected with" list (the
    first CONNECTIONS_CONNECTED_MAX of the others) made by the generator."""
    settings = load_settings(str(ROOT / "pelicanconf.py"))
    assert settings["CONNECTIONS_CONNECTED_MAX"] == 8

    def one_story(n):
        people = [Person(f"Person Number{i:05d}") for i in range(n)]
        story = Story(people)
        for person in people:
            person.articles.append(story)
        generator = ConnectionsGenerator(
            {}, settings, str(ROOT / "content"), str(ROOT / "theme"), str(ROOT / "output")
        )
        return generator, people

    def connect(generator, people):
        for person in people:
            generator._connect_person(person)

    def measure(n, repeats=3):
        made = [one_story(n) for _ in range(repeats)]
        return cpu_time(lambda: connect(*made.pop()), repeats)

    times = {n: measure(n) for n in SIZES}
    generator, people = one_story(20)
    connect(generator, people)
    assert [p.display_name for p, _ in people[0].connected] == [
        f"Person Number{i:05d}" for i in range(1, 9)
    ]
    assert_at_most_linear(times, lambda n: measure(n, AGAIN))


def test_a_mention_longer_than_a_name_may_be_is_text_and_reported(tmp_path):
    (tmp_path / "content" / "stories").mkdir(parents=True)
    long_name = "Ed " + "very " * 50 + "Marx"  # 257 characters
    (tmp_path / "content" / "stories" / "long.md").write_text(
        f"Title: Long\nDate: 2026-01-01\n\nMet @[Ed Marx] and @[{long_name}] today.\n",
        encoding="utf-8",
    )
    findings = check(load_settings(str(settings_file(tmp_path, tmp_path / "content"))))
    said = [str(f) for f in findings.items if "long.md" in f.path and "longer" in f.message]
    assert len(said) == 1 and "long.md:4:20: warning:" in said[0], said
    assert "(200 characters)" in said[0]


def test_a_paragraph_crowded_with_mentions_is_said_where_it_starts(tmp_path, monkeypatch):
    """Python-Markdown's own time grows with the square of one paragraph's
    inline markup past a few thousand items: the build says so at the
    paragraph (here with the limit lowered from 5,000 to 50), and the
    story is built as written; the same mentions in short paragraphs are
    not worth a word."""
    from conftest import build_site
    from connections.linking import linker

    monkeypatch.setattr(linker, "CROWDED_PARAGRAPH", 50)
    content = tmp_path / "content"
    (content / "stories").mkdir(parents=True)
    crowded = "".join(f"Met @[Person {i:03d}] again. " for i in range(60))
    spread = "\n\n".join(f"Met @[Person {i:03d}] again." for i in range(60))
    (content / "stories" / "crowded.md").write_text(
        f"Title: Crowded\nDate: 2026-01-01\n\nA first paragraph.\n\n{crowded}\n", encoding="utf-8")
    (content / "stories" / "spread.md").write_text(
        f"Title: Spread\nDate: 2026-01-02\n\n{spread}\n", encoding="utf-8")
    caught = []
    handler = logging.Handler()
    handler.emit = lambda record: caught.append(record.getMessage())
    logging.getLogger("connections").addHandler(handler)
    try:
        out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none")
    finally:
        logging.getLogger("connections").removeHandler(handler)
    said = [m for m in caught if "mentions, and Markdown's time grows" in m]
    assert len(said) == 1 and said[0].split(": warning: ")[0].endswith("crowded.md:6:1"), said
    assert "this paragraph has 60 mentions" in said[0]
    page = (out / "2026/crowded/index.html").read_text(encoding="utf-8")
    assert page.count("Person 059") >= 1


def test_a_story_naming_hundreds_of_people_grows_the_site_with_its_names_not_their_square(
        tmp_path, caplog):
    """Each person a story tags has a page and feeds, and the map ties
    them: a story of n names in each of n feeds, and its n * n pairs on the
    map, made 4,000 names take 290 s and 11 GB (4.5 GB of feeds, a 1.1 GB
    map). Past CROWDED_STORY names the story is its summary in their feeds
    and ties them to its events and authors alone: the site's bytes grow
    with its names (measured in bytes, not seconds: no flake). The note says
    so at the story; the site's own feed holds the story whole."""
    from xml.etree import ElementTree

    from conftest import build_site
    from connections.linking.linker import CROWDED_STORY

    atom = "{http://www.w3.org/2005/Atom}"
    sizes = {}
    for n in (300, 600):
        assert n > CROWDED_STORY
        content = tmp_path / f"c{n}"
        (content / "stories").mkdir(parents=True)
        (content / "stories" / "crowd.md").write_text(
            "Title: The crowd\nDate: 2026-01-01\nEvents: Big Fair\n\n"
            + "".join(f"Met @[Someone {j:05d}] again.\n" for j in range(n)), encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="connections"):
            out = build_site(content, tmp_path / f"o{n}" / "output", COMMENTS_PROVIDER="none")
        sizes[n] = sum(f.stat().st_size for f in out.rglob("*")
                       if f.is_file() and "pagefind" not in f.parts[-2])
        said = [r.getMessage() for r in caplog.records
                if f"this story tags {n + 1:,} people and events" in r.getMessage()]
        # No People: line: said at the first line of its text, where its mentions are.
        assert len(said) == 1 and "crowd.md:5:1: note:" in said[0], said
    assert sizes[600] < 2.3 * sizes[300], sizes
    feed = ElementTree.parse(out / "feeds/people/someone-00007.atom.xml").getroot()
    [entry] = feed.findall(f"{atom}entry")
    assert entry.find(f"{atom}content") is None and entry.find(f"{atom}summary") is not None
    assert [c.get("term") for c in entry.findall(f"{atom}category")] == ["Someone 00007"]
    site = ElementTree.parse(out / "feeds/all.atom.xml").getroot()
    whole = site.find(f"{atom}entry").find(f"{atom}content").text
    assert "Someone 00599" in whole and len(site.find(f"{atom}entry").findall(f"{atom}category")) == 601
    person = (out / "people/someone-00007/index.html").read_text(encoding="utf-8")
    assert "Big Fair" in person
