"""How the build process starts and ends: `python -m connections build` ends
without freeing its objects one by one, yet says and writes everything (and
a profiler still gets its report); the garbage collector is kept off what a
build keeps to its end, and given it all back when the build is over
(machinery/long_lived.py), also when a build failed."""

import gc
import logging
import os
import pstats
import subprocess
import sys

import pytest
from pelican import signals

from conftest import ROOT, build_site
from connections.diagnostics import ContentError
from test_check import settings_file

SAMPLE = ROOT / "content"


def cli(*args, cwd, prefix=()):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    return subprocess.run(
        [sys.executable, *prefix, "-m", "connections", *args],
        cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=300,
    )


def story(folder, name, text):
    path = folder / "content" / "stories" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_the_build_command_says_and_writes_everything_before_it_ends(tmp_path):
    story(tmp_path, "a.md", "Title: A walk\nDate: 2025-01-01 10:00\n\nWe met @[Ann Le].\n")
    (tmp_path / "content" / "people").mkdir()
    (tmp_path / "content" / "people" / "ann-lee.md").write_text("Name: Ann Lee\n", encoding="utf-8")
    settings = settings_file(tmp_path, tmp_path / "content")
    result = cli("build", "-s", str(settings), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # The warning about the name a profile nearly has, and Pelican's last line.
    assert "a.md:4:8: warning: unknown person 'Ann Le'; did you mean 'Ann Lee'?" \
        in result.stderr, result.stderr
    assert "Done: Processed 1 article" in result.stdout + result.stderr
    page = (tmp_path / "out" / "2025" / "a-walk" / "index.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    assert (tmp_path / "out" / "feeds" / "all.atom.xml").read_text(encoding="utf-8").rstrip() \
        .endswith("</feed>")


def test_a_failed_build_says_why_and_exits_1(tmp_path):
    story(tmp_path, "a.md", "Title: A walk\nDate: not a date\n\nHello.\n")
    settings = settings_file(tmp_path, tmp_path / "content")
    result = cli("build", "-s", str(settings), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 1
    assert "a.md:2:7: error: Pelican cannot read this file" in result.stderr, result.stderr
    assert result.stderr.rstrip().splitlines()[-1].startswith("connections: the build stopped")


def test_a_build_under_a_profiler_still_gets_its_report(tmp_path):
    """cProfile writes its report on the way out: the build ends as usual then."""
    story(tmp_path, "a.md", "Title: A walk\nDate: 2025-01-01 10:00\n\nHello.\n")
    settings = settings_file(tmp_path, tmp_path / "content")
    report = tmp_path / "build.prof"
    result = cli("build", "-s", str(settings), "-o", str(tmp_path / "out"), cwd=tmp_path,
                 prefix=("-m", "cProfile", "-o", str(report)))
    assert result.returncode == 0, result.stderr
    functions = {name for _file, _line, name in pstats.Stats(str(report)).stats}
    assert "run" in functions and "write_file" in functions


@pytest.fixture
def freezes():
    """gc.get_freeze_count() as each stage of a build begins."""
    seen = {}

    def at(stage):
        def receiver(*_args, **_kwargs):
            seen.setdefault(stage, gc.get_freeze_count())
        receiver.__name__ = stage
        return receiver

    receivers = [(signals.all_generators_finalized, at("all_generators_finalized")),
                 (signals.article_writer_finalized, at("article_writer_finalized"))]
    for signal, receiver in receivers:
        signal.connect(receiver)
    yield seen
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def test_a_build_keeps_its_objects_out_of_the_collector_and_lets_them_go(tmp_path, freezes):
    assert gc.get_freeze_count() == 0
    build_site(SAMPLE, tmp_path / "out")
    # The stories, people, events and every page's context: hundreds of
    # objects at least, even for the small sample site.
    assert freezes["all_generators_finalized"] > 1000
    assert freezes["article_writer_finalized"] > 1000
    assert gc.get_freeze_count() == 0  # all given back at the build's end


def test_what_a_failed_build_kept_is_let_go_when_the_next_build_starts(tmp_path, freezes):
    folder = tmp_path / "bad"
    story(folder, "a.md", "Title: A walk\nDate: 2025-01-01 10:00\nSlug: ../../escape\n\nHi.\n")
    with pytest.raises(ContentError):
        build_site(folder / "content", folder / "out")
    assert gc.get_freeze_count() > 0  # kept: the build never reached its end
    build_site(SAMPLE, tmp_path / "out")
    assert gc.get_freeze_count() == 0


def test_a_file_is_hashed_once_per_build_unless_it_changes(tmp_path):
    """Pelican asks for a story's digest five times a build; each is worked
    out once (content_cache.stamp_once), and again when the file changed."""
    from types import SimpleNamespace

    from connections.machinery import content_cache

    story_file = tmp_path / "a.md"
    story_file.write_text("Title: A\n\nHi.\n", encoding="utf-8")
    hashed = []

    def digest(filename):
        hashed.append(filename)
        return open(filename, "rb").read()

    settings = {"CHECK_MODIFIED_METHOD": "blake2b"}
    readers = SimpleNamespace(_filestamp_func=digest, settings=settings)
    generator = SimpleNamespace(_filestamp_func=digest, settings=settings, readers=readers)
    content_cache.forget_stamps()
    content_cache.stamp_once(generator)
    for cacher in (generator, readers, generator, readers):
        assert cacher._filestamp_func(str(story_file)) == b"Title: A\n\nHi.\n"
    assert len(hashed) == 1
    story_file.write_text("Title: A\n\nHi there.\n", encoding="utf-8")  # edited meanwhile
    assert generator._filestamp_func(str(story_file)) == b"Title: A\n\nHi there.\n"
    assert len(hashed) == 2
    content_cache.forget_stamps()  # the next build
    assert readers._filestamp_func(str(story_file)) == b"Title: A\n\nHi there.\n"
    assert len(hashed) == 3


def _stamp_builds(tmp_path):
    """Builds as far as the stamps go: `build()` starts one (the stamps the
    last kept), `ask(path)` is Pelican asking for a digest, `end()` keeps
    them; `hashed` lists every file actually read."""
    from types import SimpleNamespace

    from connections.machinery import content_cache

    hashed = []

    def digest(filename):
        hashed.append(filename)
        return open(filename, "rb").read()

    settings = {"CHECK_MODIFIED_METHOD": "blake2b", "CACHE_PATH": str(tmp_path / "cache"),
                "LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}
    readers = SimpleNamespace(_filestamp_func=digest, settings=settings)
    generator = SimpleNamespace(_filestamp_func=digest, settings=settings, readers=readers)

    def build():
        readers._filestamp_func = generator._filestamp_func = digest
        content_cache.load_stamps(SimpleNamespace(settings=settings))
        content_cache.stamp_once(generator)

    return SimpleNamespace(build=build, ask=lambda path: generator._filestamp_func(str(path)),
                           end=content_cache.save_stamps, hashed=hashed,
                           kept=tmp_path / "cache" / content_cache.STAMPS_FILE)


def test_a_file_unchanged_since_the_last_build_is_not_read_again(tmp_path, monkeypatch):
    from connections.machinery import content_cache

    monkeypatch.setattr(content_cache, "RACY_NS", 0)  # no wait for a coarse clock here
    old, edited = tmp_path / "old.md", tmp_path / "edited.md"
    old.write_text("Title: Old\n\nHi.\n", encoding="utf-8")
    edited.write_text("Title: Edited\n\nHi.\n", encoding="utf-8")
    builds = _stamp_builds(tmp_path)
    builds.build()
    assert builds.ask(old) == b"Title: Old\n\nHi.\n"
    builds.ask(edited)
    builds.end()
    assert sorted(builds.hashed) == sorted([str(old), str(edited)])

    before = edited.stat()
    edited.write_text("Title: Edited\n\nHo.\n", encoding="utf-8")  # the same size
    os.utime(edited, ns=(before.st_atime_ns, before.st_mtime_ns))  # its time put back
    builds.hashed.clear()
    builds.build()
    assert builds.ask(old) == b"Title: Old\n\nHi.\n"
    assert builds.ask(edited) == b"Title: Edited\n\nHo.\n"
    builds.end()
    assert builds.hashed == [str(edited)]  # its change time told it

    builds.hashed.clear()
    builds.build()
    builds.ask(old), builds.ask(edited)
    assert builds.hashed == []


def test_a_file_changed_just_before_its_stamp_was_taken_is_read_again(tmp_path):
    """A clock that keeps times to 2 s would not tell two writes apart in that
    time: a stamp taken so soon after a change is not trusted next build."""
    fresh = tmp_path / "fresh.md"
    fresh.write_text("Title: Fresh\n\nHi.\n", encoding="utf-8")
    builds = _stamp_builds(tmp_path)
    for _ in range(2):
        builds.build()
        assert builds.ask(fresh) == b"Title: Fresh\n\nHi.\n"
        builds.end()
    assert builds.hashed == [str(fresh)] * 2


@pytest.mark.parametrize("damage", [b"", b"\x80\x05not a pickle", b"just text"])
def test_a_damaged_stamps_file_means_every_file_is_read_again(tmp_path, monkeypatch, caplog, damage):
    from connections.machinery import content_cache

    monkeypatch.setattr(content_cache, "RACY_NS", 0)
    story_file = tmp_path / "a.md"
    story_file.write_text("Title: A\n\nHi.\n", encoding="utf-8")
    builds = _stamp_builds(tmp_path)
    builds.build()
    builds.ask(story_file)
    builds.end()
    full = builds.kept.read_bytes()
    builds.kept.write_bytes(damage or full[: len(full) // 2])  # empty: cut short
    builds.hashed.clear()
    with caplog.at_level(logging.INFO):
        builds.build()
    assert builds.ask(story_file) == b"Title: A\n\nHi.\n"
    assert builds.hashed == [str(story_file)]
    assert "every story is digested again" in caplog.text
    builds.end()
    builds.hashed.clear()
    builds.build()
    builds.ask(story_file)
    assert builds.hashed == []  # written whole again


def test_another_plugins_exit_handler_still_runs(tmp_path):
    """The build ends without freeing its objects, but every exit handler
    runs first: a plugin that writes something on the way out loses nothing."""
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "goodbye.py").write_text(
        "import atexit\n"
        "from pelican import signals\n\n"
        "def _finalized(pelican):\n"
        "    path = pelican.settings['OUTPUT_PATH'] + '.goodbye'\n"
        "    atexit.register(lambda: open(path, 'w').write('written on the way out'))\n\n"
        "def register():\n"
        "    signals.finalized.connect(_finalized, weak=False)\n", encoding="utf-8")
    story(tmp_path, "a.md", "Title: A walk\nDate: 2025-01-01 10:00\n\nHello.\n")
    settings = settings_file(tmp_path, tmp_path / "content")
    with open(settings, "a", encoding="utf-8") as f:
        f.write(f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}, {str(extra)!r}]\n"
                "PLUGINS = ['connections', 'goodbye']\n")
    result = cli("build", "-s", str(settings), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out.goodbye").read_text(encoding="utf-8") == "written on the way out"
