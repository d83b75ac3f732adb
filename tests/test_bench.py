"""The benchmark's parts that must be right for its figures to mean anything.

The generator is deterministic and writes what the plugin reads; the
output-tree comparison finds a planted difference; and a warm build (Pelican's
content cache on) after editing stories writes exactly what a cold build of
the same content writes. The timings themselves are not tested.
"""

import hashlib
import shutil
from pathlib import Path

import pytest

from bench import generate, run

N = 12


def _digest(folder):
    h = hashlib.sha256()
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return generate.generate(tmp_path_factory.mktemp("bench") / "site", stories=N, seed=7)


def test_same_seed_writes_the_same_files(tiny, tmp_path):
    again = generate.generate(tmp_path / "again", stories=N, seed=7)
    other = generate.generate(tmp_path / "other", stories=N, seed=8)
    assert _digest(again.content) == _digest(tiny.content)
    assert _digest(other.content) != _digest(tiny.content)


def test_stories_have_the_metadata_and_mentions_the_plugin_reads(tiny):
    stories = sorted((tiny.content / "stories").glob("*.md"))
    assert len(stories) == N
    texts = [p.read_text(encoding="utf-8") for p in stories]
    for text in texts:
        header, body = text.split("\n\n", 1)
        assert header.startswith("Title: ") and "\nDate: " in header
        assert 300 <= len(body.split()) <= 1100  # 300-900 words of prose, plus extras
    assert sum("\nPeople: " in t for t in texts) >= N // 2
    assert sum("\nEvents: " in t for t in texts) >= N // 4
    assert any("@[" in t for t in texts) and any("#[" in t for t in texts)


def test_people_are_zipf_like_with_profiles_and_non_ascii_names(tmp_path):
    site = generate.generate(tmp_path / "site", stories=400, seed=3)
    assert len(site.people) == 40 and len(site.events) == 8
    counts = {p["name"]: 0 for p in site.people}
    for story in site.stories:
        for name in story["people"]:
            counts[name] += 1
    ranked = sorted(counts.values(), reverse=True)
    assert ranked[0] >= 5 * ranked[len(ranked) // 2]  # a long tail, not uniform
    profiled = sum(p["profile"] for p in site.people) / len(site.people)
    assert 0.5 <= profiled <= 0.9
    assert len(list((site.content / "people").glob("*.md"))) == sum(p["profile"] for p in site.people)
    assert any(not p["name"].isascii() for p in site.people)


def test_tree_comparison_finds_a_planted_difference(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "x").mkdir(parents=True)
        (root / "x" / "index.html").write_text("<p>Zoë</p>\n", encoding="utf-8")
        (root / "feed.xml").write_text("<feed/>\n", encoding="utf-8")
    assert run.tree_differences(a, b) == {"only_in_a": [], "only_in_b": [], "different": []}
    (b / "x" / "index.html").write_text("<p>Zoe</p>\n", encoding="utf-8")
    (a / "stale.html").write_text("old\n", encoding="utf-8")
    diff = run.tree_differences(a, b)
    assert diff == {"only_in_a": ["stale.html"], "only_in_b": [], "different": ["x/index.html"]}
    described = run.describe_differences(diff, a, b)
    assert "x/index.html" in described and "Zoë" in described and "stale.html" in described


def test_page_weight_counts_css_js_and_other_origins(tmp_path):
    """What loads before scrolling counts; a link, or a script waiting in a
    <template> for the reader to scroll to the comments, does not."""
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "s.css").write_text("body{background:url(https://cdn.example/x.png)}", encoding="utf-8")
    page = tmp_path / "p" / "index.html"
    page.parent.mkdir()
    page.write_text(
        '<link rel="stylesheet" href="../css/s.css"><script src="https://cdn.example/a.js"></script>'
        '<a href="https://elsewhere.example/">a link is not a request</a>'
        '<template><script src="https://comments.example/embed.js"></script></template>'
        '<script type="module" src="/js/c.js"></script><script type="module" src="../js/c.js"></script>',
        encoding="utf-8",
    )
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "c.js").write_text("export {};\n", encoding="utf-8")
    w = run.page_weight(tmp_path, page)
    assert w["bytes"]["js"] == 11  # one file, however many tags name it
    assert w["bytes"]["css"] == (tmp_path / "css" / "s.css").stat().st_size
    assert w["bytes"]["html"] == page.stat().st_size
    assert w["other_origin_requests"] == ["https://cdn.example/a.js", "https://cdn.example/x.png"]


def test_warm_build_after_edits_equals_a_cold_build(tmp_path):
    """The content cache never serves a stale page: the edited text and the
    added person show up, and every file is byte-identical to a cold build."""
    bench = run.Bench(tmp_path, stories=N, seed=7)
    work = bench.fresh_work_copy()
    warm = tmp_path / "out-warm"
    bench.build("full", work / "warm.py", warm, "prime")
    assert list((tmp_path / "work" / "cache-full").iterdir()), "the priming build wrote no cache"
    edited = run.edit_story_text(bench.site, work / "content")
    story, person = run.add_person(bench.site, work / "content")
    bench.build("full", work / "warm.py", warm, "warm")
    cold = tmp_path / "out-cold"
    bench.build("full", work / "full.py", cold, "cold")

    assert run.tree_differences(warm, cold) == {"only_in_a": [], "only_in_b": [], "different": []}
    seen = run.person_sees_story(warm, person["slug"], story["title"])
    assert seen["page"], f"{person['name']} is tagged on {story['title']!r} but their page does not list it"
    assert seen["feeds_with_story"] == seen["feeds"]
    pages = [p.read_text(encoding="utf-8") for p in warm.rglob("index.html")]
    assert any("the kettle was still warm" in p and edited["title"] in p for p in pages)


def test_the_comparison_catches_a_stale_warm_build(tmp_path):
    """Guard for the test above: a warm tree whose pages for the added
    person are put back as they were before the edit (what a stale warm
    build would leave) must be reported as a difference. (The edit can no
    longer be hidden from the cache by putting its modification time back:
    stories are compared by their digest.)"""
    bench = run.Bench(tmp_path, stories=N, seed=7)
    work = bench.fresh_work_copy()
    warm = tmp_path / "out-warm"
    bench.build("full", work / "warm.py", warm, "prime")
    before = {p.relative_to(warm): p.read_bytes() for p in warm.rglob("*") if p.is_file()}
    story, person = run.add_person(bench.site, work / "content")
    bench.build("full", work / "warm.py", warm, "warm")
    cold = tmp_path / "out-cold"
    bench.build("full", work / "full.py", cold, "cold")
    assert not any(run.tree_differences(warm, cold).values())
    stale = [rel for rel in before if person["slug"] in str(rel)
             and (warm / rel).read_bytes() != before[rel]]
    assert stale
    for rel in stale:
        (warm / rel).write_bytes(before[rel])
    diff = run.tree_differences(warm, cold)
    assert any(person["slug"] in rel for rel in diff["different"] + diff["only_in_b"])


def test_scaling_builds_each_size_alike_and_reports_the_growth(tmp_path):
    """`--scaling`: cold vanilla and full builds of two sizes, interleaved
    round by round; the table gives each size's ratios and each build's
    growth from the smaller size to the larger."""
    said = []
    stats = run.scaling(tmp_path, [6, 12], repeat=1, seed=7, say=said.append)
    order = [line.split(": ", 1)[1].split()[:4] for line in said]
    assert order == [["N", "=", "6", "vanilla"], ["N", "=", "6", "full"],
                     ["N", "=", "12", "vanilla"], ["N", "=", "12", "full"]]
    for n in (6, 12):
        for kind in ("vanilla", "full"):
            assert stats[n][kind]["cpu_median"] > 0 and stats[n][kind]["rss_median"] > 0
    table = run.scaling_table(stats, [6, 12])
    growth = stats[12]["full"]["cpu_median"] / stats[6]["full"]["cpu_median"]
    assert f"(b) full: N = 12 takes {growth:.2f}x the N = 6 time." in table
    assert "| 12 |" in table and "| 6 |" in table


def test_memory_of_all_processes_counts_a_builds_own_processes(tmp_path):
    """A build's worker processes and Pagefind count: a child that starts two
    processes holding 60 MiB each is measured at 120 MiB or more for all its
    processes together. (Its largest process, ru_maxrss, is not asserted: a
    child forked from this large test process counts its parent's pages
    until it runs the new program.)"""
    import sys

    code = "b = b'x' * (60 * 2**20); import time; time.sleep(1.5)"
    script = ("import subprocess, sys\n"
              f"ps = [subprocess.Popen([sys.executable, '-c', {code!r}]) for _ in range(2)]\n"
              "[p.wait() for p in ps]\n")
    measured = run.timed([sys.executable, "-c", script], tmp_path, tmp_path / "log")
    assert measured["pss"] >= 120 * 2**20, measured
