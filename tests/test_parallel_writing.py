"""Story pages rendered by worker processes (parallel_writing.py): the same
site, byte for byte, and the same messages as one process, published or
local, cold or warm; a worker killed while rendering stops the build with
a message, leaves no page half-written, and the next build equals a cold
one; a template's error in a worker is the error one process raises.

The fixtures are small, so the tests lower the pages a worker must have
before one starts (MIN_PAGES_PER_WORKER) and check, from the build's own
message, that workers rendered them."""

import logging
import os
import shutil
import signal

import jinja2
import pytest
from pelican.log import LimitFilter

from connections.diagnostics import ContentError
from connections.machinery import parallel_writing

from conftest import ROOT, SITES, build_site
from test_parallel_reading import tree

BUILD_PROCESS = os.getpid()


@pytest.fixture(autouse=True)
def small_batches_render_in_parallel(monkeypatch):
    monkeypatch.setattr(parallel_writing, "MIN_PAGES_PER_WORKER", 1)


def build(content, out, caplog, workers, **overrides):
    """Build; (the output, the rendering workers' line, every warning)."""
    caplog.clear()
    LimitFilter._raised_messages.clear()  # each build a run of its own
    LimitFilter._group_count.clear()
    # (Pelican's own logger too: another test may have quietened it.)
    with caplog.at_level(logging.INFO), caplog.at_level(logging.INFO, logger="pelican"):
        build_site(content, out, CONNECTIONS_WORKERS=workers, **overrides)
    messages = [r.getMessage() for r in caplog.records]
    rendering = [m for m in messages if m.startswith("connections: writing")]
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return out, rendering, warnings


def write_stories(content, count, story):
    """`count` stories, `story(n)` giving the n-th one's text."""
    (content / "stories").mkdir(parents=True)
    for n in range(count):
        (content / "stories" / f"s{n:03d}.md").write_text(story(n), encoding="utf-8")
    return content


@pytest.mark.parametrize("published", [False, True], ids=["local", "published"])
def test_the_same_site_with_one_and_three_workers(tmp_path, caplog, published):
    """Relative addresses (each page's own depth) and absolute ones; the
    discovery fixture's hostile names, right-to-left text and drafts."""
    where = dict(SITEURL="https://ex.org", RELATIVE_URLS=False) if published else {}
    one, none_, warned_one = build(SITES / "discovery" / "content", tmp_path / "one" / "output",
                                   caplog, 1, COMMENTS_PROVIDER="none", **where)
    three, used, warned_three = build(SITES / "discovery" / "content",
                                      tmp_path / "three" / "output", caplog, 3,
                                      COMMENTS_PROVIDER="none", **where)
    assert none_ == [] and used and "with 3 worker processes" in used[0]
    assert [m for m in used if " feeds with 3 worker processes" in m]
    first, second = tree(one), tree(three)
    assert len(first) > 50 and sorted(first) == sorted(second)
    assert [p for p in first if first[p] != second[p]] == []
    assert warned_one == warned_three


def test_messages_said_while_rendering_come_once_each_in_the_order_of_one_worker(
        tmp_path, caplog):
    """Pelican says a `{filename}` link it cannot resolve when the story's
    text is first put in a page: in a worker, for the pages it renders."""
    content = write_stories(tmp_path / "content", 9, lambda n: (
        f"Title: Story {n}\nDate: 2024-03-0{n + 1}\n\n"
        f"See [the missing one]({{filename}}/nowhere-{n}.md).\n"))
    _, _, warned_one = build(content, tmp_path / "one" / "output", caplog, 1,
                             COMMENTS_PROVIDER="none")
    _, used, warned_two = build(content, tmp_path / "two" / "output", caplog, 2,
                                COMMENTS_PROVIDER="none")
    assert used
    missing = [m for m in warned_one if "nowhere-" in m]
    assert len(missing) >= 4  # then Pelican's LOG_LIMIT groups the rest
    assert warned_two == warned_one


def _warm_after_an_edit(tmp_path, caplog, workers, name):
    """A copy of the sample site built, a story edited, built warm again:
    (output, content, how many files the warm build rendered, its messages)."""
    content = tmp_path / name / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / name / "output"
    build(content, out, caplog, workers)
    story = sorted((content / "stories").glob("*.md"))[3]
    story.write_text(story.read_text(encoding="utf-8") + "\nA warmword at the end.\n",
                     encoding="utf-8")
    build(content, out, caplog, workers)
    said = [r.getMessage() for r in caplog.records]
    rendered = [m for m in said if "files rendered" in m]
    return out, content, int(rendered[-1].split("connections: ")[1].split()[0]), said


def test_a_warm_build_with_workers_renders_only_what_changed_and_equals_a_cold_one(
        tmp_path, caplog):
    out, content, rendered, said = _warm_after_an_edit(tmp_path, caplog, 2, "warm")
    assert 0 < rendered < 40, [m for m in said if "files rendered" in m]
    cold, _, _ = build(content, tmp_path / "cold" / "output", caplog, 1,
                       LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    assert tree(out) == tree(cold)


@pytest.mark.parametrize("where", ["pages", "feeds"])
def test_a_worker_killed_while_writing_stops_the_build_and_the_next_build_is_whole(
        tmp_path, caplog, monkeypatch, where):
    from connections.output.feeds import FeedsGenerator

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "output"
    owner, name = (parallel_writing.Job, "run") if where == "pages" else (
        FeedsGenerator, "_write_feeds")
    original = getattr(owner, name)
    done_here = []

    def killed_in_a_worker(*args):  # as the kernel's out-of-memory killer would
        if os.getpid() != BUILD_PROCESS:
            os.kill(os.getpid(), signal.SIGKILL)
        done_here.append(args)
        return original(*args)

    monkeypatch.setattr(owner, name, killed_in_a_worker)
    monkeypatch.setattr(parallel_writing, "write_whole", _slow_write)
    with pytest.raises(ContentError, match="worker process writing pages or feeds died"):
        build(content, out, caplog, 2)
    assert done_here  # the build's own share, before it found the worker dead
    assert not [p for p in out.rglob("*") if p.name.endswith(".connections-partial")]
    if where == "pages":
        assert not (out / "index.html").exists()  # the lists come after the story pages
    else:
        assert not (out / "map").exists()  # the map comes after the feeds
    monkeypatch.undo()
    monkeypatch.setattr(parallel_writing, "MIN_PAGES_PER_WORKER", 1)
    build(content, out, caplog, 2)
    cold, _, _ = build(content, tmp_path / "cold" / "output", caplog, 1,
                       LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    assert tree(out) == tree(cold)


def _slow_write(target, output):
    """Pelican's page, written in two halves (a kill between them would
    leave half a page were it written in place)."""
    os.makedirs(os.path.dirname(target), exist_ok=True)
    partial = f"{target}.connections-partial"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(output[: len(output) // 2])
        f.flush()
        f.write(output[len(output) // 2:])
    os.replace(partial, target)


def test_a_template_error_in_a_worker_is_the_error_of_one_process(tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    templates = tmp_path / "templates"
    templates.mkdir()
    last = sorted((content / "stories").glob("*.md"))[-1].read_text(encoding="utf-8")
    title = next(line[7:] for line in last.splitlines() if line.startswith("Title: "))
    (templates / "article.html").write_text(
        "{{ article.title }}{% if article.title == " + repr(title)
        + " %}{{ no_such_thing.at_all() }}{% endif %}", encoding="utf-8")
    errors = []
    for workers in (1, 2):
        with pytest.raises(jinja2.UndefinedError) as raised:
            build(content, tmp_path / f"w{workers}" / "output", caplog, workers,
                  THEME_TEMPLATES_OVERRIDES=[str(templates)])
        errors.append(str(raised.value))
        out = tmp_path / f"w{workers}" / "output"
        assert not [p for p in out.rglob("*") if p.name.endswith(".connections-partial")]
    assert errors[0] == errors[1] and "no_such_thing" in errors[0]


def test_the_live_preview_of_a_blog_big_enough_for_workers_builds_and_rebuilds(tmp_path):
    """`make serve` forks the rendering workers from a process with threads
    of its own (the web server, the file watcher): a blog of 130 stories
    (two workers' worth, at the shipped MIN_PAGES_PER_WORKER) is served
    whole, and a saved edit shows, then stays after the rebuild."""
    import subprocess
    import sys
    import time
    import urllib.request

    from conftest import free_port, wait_until_up
    from test_preview import builds, conf_file, env, serve_command, stop

    assert 130 >= 2 * parallel_writing.MIN_PAGES_PER_WORKER
    content = write_stories(tmp_path / "content", 130, lambda n: (
        f"Title: Story {n:03d}\nDate: 2024-01-01 {n // 60:02d}:{n % 60:02d}\n\n"
        f"Met @[Ada Quill] for the {n}th time.\n"))
    port = free_port()
    conf = conf_file(tmp_path, free_port())
    conf.write_text(conf.read_text(encoding="utf-8")
                    + "COMMENTS_PROVIDER = 'none'\nCONNECTIONS_WORKERS = 2\n", encoding="utf-8")
    log = open(tmp_path / "serve.log", "w+b")
    process = subprocess.Popen(serve_command(conf, tmp_path / "output", port), cwd=tmp_path,
                               env=env(), stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url, process, timeout=60)
        deadline = time.monotonic() + 60
        while builds(url)["build"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert builds(url)["build"] == 1 and not builds(url)["errors"], (
            tmp_path / "serve.log").read_text()
        pages = sorted((tmp_path / "output" / "2024").glob("story-*/index.html"))
        assert len(pages) == 130
        story = content / "stories" / "s007.md"
        story.write_text(story.read_text(encoding="utf-8") + "\nA previewword.\n",
                         encoding="utf-8")
        deadline, shown = time.monotonic() + 60, ""
        while "previewword" not in shown and time.monotonic() < deadline:
            time.sleep(0.2)
            with urllib.request.urlopen(url + "2024/story-007/", timeout=5) as r:
                shown = r.read().decode("utf-8")
        assert "previewword" in shown, (tmp_path / "serve.log").read_text()
        # Shown first by the quick render; the rebuild (with workers) follows.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (builds(url)["build"] < 3
                                               or builds(url)["updating"]):
            time.sleep(0.1)
        state = builds(url)
        assert state["build"] == 3 and not state["errors"], (tmp_path / "serve.log").read_text()
        with urllib.request.urlopen(url + "2024/story-007/", timeout=5) as r:
            assert "previewword" in r.read().decode("utf-8")
    finally:
        stop(process)
        log.close()
    assert process.returncode == 0, (tmp_path / "serve.log").read_text()


def test_pages_keyed_by_workers_render_what_one_process_renders(tmp_path, caplog, monkeypatch):
    """A batch's keys worked out on every core (OutputCache.decide): the
    same pages rendered as a one-process build renders, a tree equal to a
    cold build's, and records the next build trusts (it renders nothing)."""
    from connections.machinery import incremental

    monkeypatch.setattr(incremental, "MIN_KEYS_PER_WORKER", 1)
    one, _, rendered_one, said_one = _warm_after_an_edit(tmp_path, caplog, 1, "one")
    two, content, rendered_two, said_two = _warm_after_an_edit(tmp_path, caplog, 2, "two")
    assert not [m for m in said_one if m.startswith("connections: checking")]
    assert [m for m in said_two if m.startswith("connections: checking")
            and m.endswith("pages with 2 worker processes")]
    assert 0 < rendered_two == rendered_one < 40
    assert tree(one) == tree(two)
    cold, _, _ = build(content, tmp_path / "cold" / "output", caplog, 1,
                       LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    assert tree(two) == tree(cold)
    build(content, two, caplog, 2)
    said = [r.getMessage() for r in caplog.records if "files rendered" in r.getMessage()]
    assert said[-1].startswith("connections: 0 files rendered"), said


def test_a_worker_killed_while_keying_pages_stops_the_build_and_the_next_is_whole(
        tmp_path, caplog, monkeypatch):
    from connections.machinery import incremental

    monkeypatch.setattr(incremental, "MIN_KEYS_PER_WORKER", 1)
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    out = tmp_path / "output"
    build(content, out, caplog, 2)
    story = sorted((content / "stories").glob("*.md"))[3]
    story.write_text(story.read_text(encoding="utf-8") + "\nA warmword at the end.\n",
                     encoding="utf-8")
    page_key = incremental.OutputCache.page_key

    def killed_in_a_worker(self, *args):  # as the kernel's out-of-memory killer would
        if os.getpid() != BUILD_PROCESS:
            os.kill(os.getpid(), signal.SIGKILL)
        return page_key(self, *args)

    monkeypatch.setattr(incremental.OutputCache, "page_key", killed_in_a_worker)
    with pytest.raises(ContentError,
                       match="worker process checking pages against the last build died"):
        build(content, out, caplog, 2)
    monkeypatch.setattr(incremental.OutputCache, "page_key", page_key)
    build(content, out, caplog, 2)
    cold, _, _ = build(content, tmp_path / "cold" / "output", caplog, 1,
                       LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    assert tree(out) == tree(cold)
