"""Related stories ranked in a process forked from the build
(machinery/background.py): the same site, byte for byte, as one process
makes; a ranking process killed stops the build with a message before any
page is written, and the next build is whole; one a failed build left
running is stopped when the next build starts.

The fixtures are small, so the tests lower the stories a process needs
(MIN_STORIES) and check, from the build's own message, that one ran."""

import logging
import os
import shutil
import signal

import pytest
from pelican.log import LimitFilter

from connections.diagnostics import ContentError
from connections.machinery import background
from connections.output import related

from conftest import ROOT, SITES, build_site
from test_parallel_reading import tree

BUILD_PROCESS = os.getpid()
BESIDE = "connections: ranking related stories in a worker process"


@pytest.fixture(autouse=True)
def small_sites_rank_beside(monkeypatch):
    monkeypatch.setattr(background, "MIN_STORIES", 1)


def build(content, out, caplog, workers, **overrides):
    """Build; (the output, the build's own messages)."""
    caplog.clear()
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="pelican"):
        build_site(content, out, CONNECTIONS_WORKERS=workers, COMMENTS_PROVIDER="none",
                   **overrides)
    return out, [r.getMessage() for r in caplog.records]


def test_ranked_beside_the_build_the_site_is_the_one_process_makes(tmp_path, caplog):
    """The discovery fixture: related stories, neighbours, reading times,
    drafts and hostile names."""
    one, said_one = build(SITES / "discovery" / "content", tmp_path / "one" / "output", caplog, 1)
    two, said_two = build(SITES / "discovery" / "content", tmp_path / "two" / "output", caplog, 2)
    assert BESIDE not in said_one and BESIDE in said_two
    first, second = tree(one), tree(two)
    assert len(first) > 50 and sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    assert b'class="related' in b"".join(first.values())  # there is something to rank
    assert background._running == []


def test_a_ranking_process_killed_stops_the_build_before_any_page(tmp_path, caplog, monkeypatch):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "output"
    rank = related.Relating.rank

    def killed_beside(self):  # as the kernel's out-of-memory killer would
        if os.getpid() != BUILD_PROCESS:
            os.kill(os.getpid(), signal.SIGKILL)
        return rank(self)

    monkeypatch.setattr(related.Relating, "rank", killed_beside)
    with pytest.raises(ContentError, match="worker process ranking related stories died"):
        build(content, out, caplog, 2)
    assert not list(out.rglob("*.html"))  # no page, not even a story's
    assert background._running == []
    monkeypatch.setattr(related.Relating, "rank", rank)
    build(content, out, caplog, 2)
    cold, _ = build(content, tmp_path / "cold" / "output", caplog, 1,
                    LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    assert tree(out) == tree(cold)


def test_a_ranking_that_a_failed_build_left_running_is_stopped_by_the_next(
        tmp_path, caplog, monkeypatch):
    from connections.output.connection_map import MapGenerator

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "output"
    context = MapGenerator.generate_context

    def broken(self):
        raise ContentError("the map broke")

    monkeypatch.setattr(MapGenerator, "generate_context", broken)
    with pytest.raises(ContentError, match="the map broke"):
        build(content, out, caplog, 2)
    (left,) = background._running  # the failed build never asked for its result
    pid = left[0]
    monkeypatch.setattr(MapGenerator, "generate_context", context)
    _, said = build(content, out, caplog, 2)
    assert BESIDE in said and background._running == []
    with pytest.raises(ChildProcessError):  # stopped and waited for: gone
        os.waitpid(pid, os.WNOHANG)


def test_pelicans_own_test_content_ranked_and_keyed_by_workers_is_one_processs_site(
        tmp_path, caplog, monkeypatch):
    """Content others wrote (Pelican's own test content, from the installed
    package: translations, drafts, hidden stories, duplicate slugs, stories
    alike to the minute): built cold, then warm after an edit, with the
    ranking beside the build and the warm keys in workers; the same trees
    as one process builds, cold and warm."""
    from connections.machinery import incremental
    from test_real_blogs import PELICAN_TESTS

    monkeypatch.setattr(incremental, "MIN_KEYS_PER_WORKER", 1)
    trees = {}
    for workers in (1, 2):
        content = tmp_path / f"w{workers}" / "content"
        shutil.copytree(PELICAN_TESTS / "content", content / "content")
        shutil.copytree(PELICAN_TESTS / "TestPages", content / "TestPages")
        out = tmp_path / f"w{workers}" / "output"
        where = dict(ARTICLE_PATHS=["content"], PAGE_PATHS=["TestPages"])
        _, said = build(content, out, caplog, workers, **where)
        assert (BESIDE in said) == (workers == 2)
        cold = tree(out)
        story = content / "content" / "article_with_metadata.rst"
        story.write_text(story.read_text(encoding="utf-8") + "\nOne more line.\n",
                         encoding="utf-8")
        _, said = build(content, out, caplog, workers, **where)
        keyed = [m for m in said if m.startswith("connections: checking")]
        assert bool(keyed) == (workers == 2)
        trees[workers] = cold, tree(out)
    assert len(trees[1][0]) > 50 and trees[1][0] == trees[2][0]
    assert trees[1][1] == trees[2][1] and trees[1][1] != trees[1][0]
