"""Stories read by worker processes (parallel_reading.py): the same site,
byte for byte, and the same findings as one process; a worker that dies
stops the build before anything is written.

The fixtures are small, so the tests lower the number of stories a worker
must have before one starts (MIN_STORIES_PER_WORKER) and check, from the
build's own message, that the workers did read them."""

import filecmp
import logging
import os
import shutil
import signal

import pytest
from pelican.log import LimitFilter
from pelican.readers import MarkdownReader

from connections.diagnostics import ContentError
from connections.machinery import parallel_reading, parallel_writing
from connections.output.search import byte_stable

from conftest import ROOT, SITES, build_site

BUILD_PROCESS = os.getpid()


@pytest.fixture(autouse=True)
def small_builds_read_in_parallel(monkeypatch):
    monkeypatch.setattr(parallel_reading, "MIN_STORIES_PER_WORKER", 1)
    monkeypatch.setattr(parallel_reading, "CHUNK", 2)
    monkeypatch.setattr(parallel_writing, "MIN_PAGES_PER_WORKER", 1)


def tree(root):
    """Every file under root (relative path -> bytes), Pagefind's varying
    index files left out."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            relative = os.path.relpath(path, root)
            if byte_stable(relative):
                files[relative] = open(path, "rb").read()
    return files


def build_with(workers, content, tmp_path, caplog):
    caplog.clear()
    # Pelican's loggers say a message once per process; each build here is
    # one run of its own, as on the command line.
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    out = tmp_path / f"w{workers}" / "output"
    with caplog.at_level(logging.INFO):
        try:
            build_site(content, out, CONNECTIONS_WORKERS=workers)
        except ContentError as stopped:  # a fixture with errors: the findings say why
            logging.getLogger("test").error("stopped: %s", stopped)
    messages = [r.getMessage() for r in caplog.records]
    workers_used = [m for m in messages if "worker processes" in m]
    findings = [m for m, r in zip(messages, caplog.records)
                if r.levelno >= logging.WARNING or r.name.endswith("diagnostics")]
    return out, workers_used, findings


def test_the_sample_site_is_the_same_byte_for_byte_with_one_and_two_workers(tmp_path, caplog):
    one, used_one, findings_one = build_with(1, ROOT / "content", tmp_path, caplog)
    two, used_two, findings_two = build_with(2, ROOT / "content", tmp_path, caplog)
    assert used_one == []
    assert used_two and "with 2 worker processes" in used_two[0]
    assert [m for m in used_two if m.startswith("connections: writing")]
    first, second = tree(one), tree(two)
    assert len(first) > 100
    assert sorted(first) == sorted(second)
    different = [path for path in first if first[path] != second[path]]
    assert different == []
    assert findings_one == findings_two


def test_content_mistakes_are_reported_the_same_once_each(tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(SITES / "bad-content" / "content", content)
    stories = content / "stories"
    stories.mkdir(exist_ok=True)
    for n in range(6):  # the same unknown person in several stories: named once
        (stories / f"met-{n}.md").write_text(
            f"Title: Met {n}\nDate: 2024-03-0{n + 1}\n\nI met @[Rosa Quillfeather] at noon.\n",
            encoding="utf-8")
    (stories / "undecodable.md").write_bytes(b"Title: Bad\nDate: 2024-01-01\n\n\xff\xfe\x00 text\n")
    _, used_one, findings_one = build_with(1, content, tmp_path, caplog)
    _, used_two, findings_two = build_with(2, content, tmp_path, caplog)
    assert used_one == [] and used_two
    assert findings_one, "the fixture has mistakes to report"
    assert findings_one == findings_two
    zoe = [m for m in findings_two if "Rosa Quillfeather" in m]
    assert len(zoe) == 1 and "met-0.md" in zoe[0]


class DyingInWorkers(MarkdownReader):
    """A reader killed (as the kernel's out-of-memory killer would) when a
    worker process reads the story named die.md."""

    def read(self, source_path):
        if os.getpid() != BUILD_PROCESS and source_path.endswith("die.md"):
            os.kill(os.getpid(), signal.SIGKILL)
        return super().read(source_path)


def test_a_worker_that_dies_stops_the_build_before_anything_is_written(tmp_path, caplog):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "stories" / "die.md").write_text(
        "Title: Die\nDate: 2024-01-01\n\nA story.\n", encoding="utf-8")
    output = tmp_path / "output"
    with pytest.raises(ContentError, match="worker process reading stories died"):
        build_site(content, output, CONNECTIONS_WORKERS=2, READERS={"md": DyingInWorkers})
    written = [p for p in output.rglob("*") if p.is_file()] if output.exists() else []
    assert written == []


def test_workers_must_be_a_number(tmp_path):
    with pytest.raises(ContentError, match="CONNECTIONS_WORKERS = 'many'"):
        build_site(ROOT / "content", tmp_path / "output", CONNECTIONS_WORKERS="many")


def test_pelicans_own_test_content_reads_the_same_in_workers_twice_in_one_process(
        tmp_path, caplog):
    """Content others wrote: Pelican's test files, empty `Tags:` lines and
    warnings included. The second build, in the same process, logs messages
    Pelican's loggers have seen before (and drop): a worker's replayed
    message is dropped as the build's own would be, never a story Pelican
    'could not process'."""
    import pelican

    tests = os.path.join(os.path.dirname(pelican.__file__), "tests")
    where = {"PATH": tests, "ARTICLE_PATHS": ["content"], "PAGE_PATHS": ["TestPages"],
             "LOAD_CONTENT_CACHE": False, "CACHE_CONTENT": False}
    outputs = []
    for workers in (1, 2, 2):
        caplog.clear()
        out = tmp_path / f"run{len(outputs)}" / "output"
        with caplog.at_level(logging.INFO):
            build_site(tests, out, CONNECTIONS_WORKERS=workers, **where)
        messages = [r.getMessage() for r in caplog.records]
        assert not [m for m in messages if m.startswith("Could not process")], workers
        if len(outputs) < 2:  # the third build's own line is one Pelican has seen
            assert bool([m for m in messages if "worker processes" in m]) == (workers > 1)
        outputs.append(tree(out))
    assert len(outputs[0]) > 30
    assert outputs[1] == outputs[0] and outputs[2] == outputs[0]
