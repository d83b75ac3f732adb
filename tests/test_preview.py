"""The author's live preview (`make serve`), end to end: the real server on free
ports over a copy of the sample site, its local Isso, and a real Chromium.

The tests share one running server (it takes a few seconds to start) and run
in file order; each one puts back the story it changed.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port, require, wait_until_up

pytestmark = [pytest.mark.browser]

STORY = "stories/a-map-of-the-night-market.md"
STORY_URL = "2024/a-map-of-the-night-market/"


def conf_file(root, comments_port):
    conf = root / "conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"PATH = {str(root / 'content')!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nCACHE_PATH = {str(root / 'cache')!r}\n"
        f"COMMENTS_URL = 'http://127.0.0.1:{comments_port}/'\n",
        encoding="utf-8",
    )
    return conf


def env():
    return {"PYTHONPATH": str(ROOT / "plugins"), "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp")}


def serve_command(conf, out, port, *extra):
    return [sys.executable, "-m", "connections", "serve", "-s", str(conf), "-o", str(out),
            "--port", str(port), *extra]


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = tmp_path_factory.mktemp("preview")
    # No identities file, as on a new blog: the first build writes it.
    shutil.copytree(ROOT / "content", root / "content",
                    ignore=shutil.ignore_patterns("identities.json"))
    port, comments_port = free_port(), free_port()
    conf = conf_file(root, comments_port)
    log = open(root / "serve.log", "w+b")
    process = subprocess.Popen(serve_command(conf, root / "output", port), cwd=root, env=env(),
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url + STORY_URL, process, timeout=60)
        wait_until_up(f"http://127.0.0.1:{comments_port}/info", process, timeout=30)
        deadline = time.monotonic() + 60
        while builds(url)["build"] < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        yield {"url": url, "root": root, "process": process, "port": port,
               "comments_port": comments_port, "conf": conf,
               "log": lambda: (root / "serve.log").read_bytes().decode("utf-8", "replace")}
    finally:
        stop(process)
        log.close()
    assert not listening(comments_port), "Isso outlived make serve"
    # The terminal is for findings: no traceback (a browser closing a
    # connection is none either).
    printed = (root / "serve.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in printed, printed[-3000:]


def edit(preview, path, old, new):
    file = preview["root"] / "content" / path
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text


def builds(preview):
    url = preview if isinstance(preview, str) else preview["url"]
    with urllib.request.urlopen(url + "__preview/events", timeout=5) as r:
        line = r.readline().decode()
    return json.loads(line.removeprefix("data: "))


def wait_for_build(preview, after, timeout=30):
    """The state once a build after `after` is done: a quick render's
    (`updating`) is not, the rebuild after it is."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = builds(preview)
        if (state["build"] > after and not state["updating"]) or state["errors"]:
            return state
        time.sleep(0.1)
    raise AssertionError("no rebuild within %s s:\n%s" % (timeout, preview["log"]()))


def settled(preview, timeout=30):
    """Once the rebuild after a quick render is done (the next test starts
    on a quiet server; output/ is not being written)."""
    deadline = time.monotonic() + timeout
    while builds(preview)["updating"]:
        if time.monotonic() > deadline:
            raise AssertionError("the rebuild did not end:\n" + preview["log"]())
        time.sleep(0.05)


def test_the_identities_file_the_build_writes_makes_no_rebuild(preview):
    assert (preview["root"] / "content" / "identities.json").is_file()
    time.sleep(1.0)  # the watcher's debounce
    log = preview["log"]()
    assert "identities.json" not in log, log
    assert builds(preview)["build"] == 1


def test_the_open_page_shows_a_saved_change_by_itself(preview, page):
    page.goto(preview["url"] + STORY_URL)
    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    marker = "The dumplings were better than I remembered"
    original = edit(preview, STORY, "I did not.", f"I did not. {marker}.")
    try:
        try:
            page.wait_for_function("document.body.innerText.includes(%r)" % marker, timeout=20000)
        except Exception:
            out = (preview["root"] / "output" / STORY_URL / "index.html").read_text()
            raise AssertionError(preview["log"]() + f"\nfile has marker: {marker in out}\n"
                                 + page.content()[-600:])
        assert page.evaluate("window.notReloaded") is None, "the page reloaded by itself"
    finally:
        (preview["root"] / "content" / STORY).write_text(original, encoding="utf-8")
    page.wait_for_function("!document.body.innerText.includes(%r)" % marker, timeout=20000)
    settled(preview)
    # The live-reload script is in what the server sends, never in the files.
    output = preview["root"] / "output"
    assert "__preview" not in (output / STORY_URL / "index.html").read_text(encoding="utf-8")
    assert not [p for p in output.rglob("*.html") if "__preview" in p.read_text("utf-8")]


def test_the_saved_story_shows_first_and_pages_it_did_not_change_stay(preview, page, context):
    """The quick render (machinery/quick_render.py): the story's page and the
    page of a person added to it show the save before the rebuild is done;
    an open page the save did not change is not reloaded."""
    about = context.new_page()
    about.goto(preview["url"] + "about/")
    assert about.title() and "Not found" not in about.title()
    about.evaluate("window.notReloaded = true")
    person = context.new_page()
    person.goto(preview["url"] + "people/priya-raman/")
    assert "A map of the night market" not in person.inner_text("main")
    page.goto(preview["url"] + STORY_URL)
    before = builds(preview)["build"]
    marker = "A lantern seller hummed the whole time"
    original = edit(preview, STORY, "People: Olufemi Adeyemi, Chloé Martin",
                    "People: Olufemi Adeyemi, Chloé Martin, Priya Raman")
    story = preview["root"] / "content" / STORY
    story.write_text(story.read_text(encoding="utf-8") + f"\n{marker}.\n", encoding="utf-8")
    try:
        page.wait_for_function("document.body.innerText.includes(%r)" % marker, timeout=20000)
        person.wait_for_function(
            "document.querySelector('main').innerText.includes('A map of the night market')",
            timeout=20000)
        wait_for_build(preview, before + 1)
        deadline = time.monotonic() + 30
        while builds(preview)["updating"] and time.monotonic() < deadline:
            time.sleep(0.1)
        log = preview["log"]()
        assert re.search(r"Shown: /2024/a-map-of-the-night-market/index\.html, "
                         r"/people/priya-raman/index\.html \(\d+\.\d\d s\)", log), log[-2000:]
        assert builds(preview)["build"] >= before + 2  # ... and the rebuild followed
        assert about.evaluate("window.notReloaded") is True, "an unchanged page reloaded"
    finally:
        story.write_text(original, encoding="utf-8")
    person.wait_for_function(
        "!document.querySelector('main').innerText.includes('A map of the night market')",
        timeout=20000)
    settled(preview)


def test_a_broken_date_shows_an_overlay_over_the_last_good_page(preview, page):
    page.goto(preview["url"] + STORY_URL)
    title = page.title()
    original = edit(preview, STORY, "Date: 2024-07-19 23:05", "Date: 2024-19-45 23:05")
    try:
        overlay = page.locator("#preview-overlay")
        overlay.wait_for(timeout=20000)
        text = overlay.inner_text()
        assert "a-map-of-the-night-market.md:2:" in text, text
        assert "2024-19-45" in text
        # The previous page is still what the server serves.
        other = page.context.new_page()
        response = other.goto(preview["url"] + STORY_URL)
        assert response.status == 200 and other.title() == title
        assert "The first" in other.inner_text("main")
        other.locator("#preview-overlay").wait_for()  # a page opened now says it too
        other.close()
    finally:
        (preview["root"] / "content" / STORY).write_text(original, encoding="utf-8")
    page.locator("#preview-overlay").wait_for(state="detached", timeout=20000)
    assert page.title() == title
    settled(preview)


def test_every_rebuild_says_the_unknown_name_again(preview, page):
    state = builds(preview)
    original = edit(preview, STORY, "I did not.", "I did not. @[Zoë Laurant] laughed.")
    try:
        state = wait_for_build(preview, state["build"])
        edit(preview, STORY, "laughed.", "laughed again.")
        state = wait_for_build(preview, state["build"])
        warning = re.compile(
            r"content/stories/a-map-of-the-night-market\.md:\d+:\d+: warning: "
            r"unknown person 'Zoë Laurant'; did you mean 'Zoë Laurent'\?"
        )
        assert len(warning.findall(preview["log"]())) >= 2, preview["log"]()
        # The page of the name that matches no profile says so, in the preview only.
        page.goto(preview["url"] + "people/zoe-laurant/")
        banner = page.locator("#preview-banner")
        banner.wait_for(timeout=10000)
        assert "did you mean 'Zoë Laurent'?" in banner.inner_text()
        html = (preview["root"] / "output" / "people" / "zoe-laurant" / "index.html").read_text()
        assert "did you mean" not in html
    finally:
        (preview["root"] / "content" / STORY).write_text(original, encoding="utf-8")
        wait_for_build(preview, state["build"])


def test_an_unknown_address_gets_the_sites_404_page(preview):
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(preview["url"] + "no/such/story/", timeout=5)
    assert caught.value.code == 404
    body = caught.value.read().decode()
    page404 = (preview["root"] / "output" / "404.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page404, re.S).group(1)
    assert title in body and '<base href="/">' in body


def test_a_reply_to_a_fresh_comment_succeeds(preview, page):
    require("chromium")
    page.goto(preview["url"] + STORY_URL + "#comments")
    box = "#isso-thread .isso-postbox textarea"
    page.wait_for_selector(box, timeout=20000)
    page.fill(box, "The map on the paper bag is a lovely detail.")
    with page.expect_response(lambda r: "/new?" in r.url and r.request.method == "POST") as first:
        page.click("#isso-thread .isso-postbox input[type=submit]")
    assert first.value.status == 201, first.value.text()
    comment = page.locator("#isso-root .isso-comment").first
    comment.wait_for()
    comment.locator("a.isso-reply").first.click()
    reply_box = comment.locator(".isso-postbox textarea").first
    reply_box.fill("Thank you! The seller drew it in under a minute.")
    with page.expect_response(lambda r: "/new?" in r.url and r.request.method == "POST") as reply:
        comment.locator(".isso-postbox input[type=submit]").first.click()
    assert reply.value.status == 201, reply.value.text()
    assert page.locator("#comments .comments-status").inner_text() == ""


def test_the_widget_says_when_the_comment_server_refuses(preview, page):
    # The real Isso refuses a text that is too short once trimmed (its widget
    # counts the spaces); the widget says so where the reader looks.
    page.goto(preview["url"] + STORY_URL + "#comments")
    page.wait_for_selector("#isso-thread .isso-postbox textarea", timeout=20000)
    page.fill("#isso-thread .isso-postbox textarea", "ok  ")
    with page.expect_response(lambda r: "/new?" in r.url and r.request.method == "POST") as sent:
        page.click("#isso-thread .isso-postbox input[type=submit]")
    assert sent.value.status == 400
    status = page.locator("#comments .comments-status")
    page.wait_for_function("el => el.textContent.includes('refused')", arg=status.element_handle())
    assert "text is too short" in status.inner_text()
    # A comment server that cannot be reached once the widget is open.
    page.fill("#isso-thread .isso-postbox textarea", "A second thought.")
    page.route("**/new?*", lambda route: route.abort())
    page.click("#isso-thread .isso-postbox input[type=submit]")
    page.wait_for_function("el => el.textContent.includes('could not be reached')",
                           arg=status.element_handle())


def test_a_busy_port_stops_at_once_naming_the_variable(preview, tmp_path):
    for args, hint in (
        (["--port", str(preview["port"])], "PORT="),
        (["--port", str(free_port()), "--comments-port", str(preview["comments_port"])],
         "COMMENTS_PORT="),
    ):
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "connections", "serve", "-s", str(preview["conf"]),
             "-o", str(tmp_path / "out"), *args],
            cwd=tmp_path, env=env(), capture_output=True, text=True, timeout=60,
        )
        assert run.returncode != 0
        assert time.monotonic() - started < 10
        assert hint in run.stderr and "in use" in run.stderr, run.stderr
        assert "Serving" not in run.stdout and "Isso answers" not in run.stdout


def test_new_story_prints_its_preview_address(tmp_path):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    conf = conf_file(tmp_path, 8080)
    run = subprocess.run(
        [sys.executable, "-m", "connections", "new", "story", "Tea with Zoë", "-s", str(conf),
         "--preview", "http://127.0.0.1:8123"],
        cwd=tmp_path, env=env(), capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["content/stories/tea-with-zoe.md"]
    assert "Preview: http://127.0.0.1:8123/drafts/tea-with-zoe.html" in run.stderr


# --- the comment server's lifetime (issue 18, item 8) -----------------------------------


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_comments_run_leaves_no_isso_listening(tmp_path, sig):
    port = free_port()
    conf = conf_file(tmp_path, port)
    (tmp_path / "content").mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "connections", "comments", "run", "-s", str(conf)],
        cwd=tmp_path, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/info", process, timeout=30)
        process.send_signal(sig)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 5
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not listening(port), f"Isso still listens after {sig.name} to `comments run`"


def test_restore_refuses_while_a_paused_isso_holds_the_port(tmp_path):
    from connections.comments import server as comments_server
    from connections.diagnostics import ContentError

    port = free_port()
    settings = {"COMMENTS_PROVIDER": "isso", "COMMENTS_URL": f"http://127.0.0.1:{port}/",
                "SITEURL": "", "COMMENTS_OPTIONS": {}}
    config, listen, _ = comments_server.write_local_config(settings, tmp_path,
                                                           "http://127.0.0.1:8000")
    isso = comments_server.start_isso(config, listen)
    try:
        backup = comments_server.backup(tmp_path)
        os.kill(isso.pid, signal.SIGSTOP)
        started = time.monotonic()
        with pytest.raises(ContentError, match=f"127.0.0.1:{port}"):
            comments_server.restore(tmp_path, backup, settings)
        assert time.monotonic() - started < 2
    finally:
        os.kill(isso.pid, signal.SIGCONT)
        comments_server.stop(isso)
    target, _ = comments_server.restore(tmp_path, backup, settings)  # once it has stopped
    assert target.exists()


SLOW_PLUGIN = '''\
"""While the file `slow` is beside the settings, every build waits once it
has read the stories, before it writes, so that saves land while one runs."""
import os
import time
from pelican import signals


def wait(generator):
    if os.path.exists(os.path.join(os.path.dirname(generator.settings["PATH"]), "slow")):
        time.sleep(6)


def register():
    signals.article_generator_finalized.connect(wait)
'''


def test_a_save_during_a_rebuild_shows_at_once_and_stays(tmp_path):
    """A save made while a rebuild runs is shown from the build before, at
    once (not after the rebuild), and the rebuild, which read the story
    before that save, does not bring the older text back."""
    shutil.copytree(ROOT / "content", tmp_path / "content",
                    ignore=shutil.ignore_patterns("identities.json"))
    (tmp_path / "slow_finish.py").write_text(SLOW_PLUGIN, encoding="utf-8")
    conf = conf_file(tmp_path, free_port())
    conf.write_text(conf.read_text(encoding="utf-8") + (
        "COMMENTS_PROVIDER = 'none'\n"
        f"PLUGIN_PATHS = PLUGIN_PATHS + [{str(tmp_path)!r}]\n"
        "PLUGINS = PLUGINS + ['slow_finish']\n"), encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = open(tmp_path / "serve.log", "w+b")
    process = subprocess.Popen(serve_command(conf, tmp_path / "output", port), cwd=tmp_path,
                               env=env(), stdout=log, stderr=subprocess.STDOUT)
    story = tmp_path / "content" / STORY
    printed = lambda: (tmp_path / "serve.log").read_text(encoding="utf-8")  # noqa: E731

    def shown():
        with urllib.request.urlopen(url + STORY_URL, timeout=5) as r:
            return r.read().decode("utf-8")

    def until(check, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.05)
        raise AssertionError(f"{what}, within {timeout} s:\n{printed()}")

    try:
        wait_until_up(url, process, timeout=60)
        until(lambda: builds(url)["build"] >= 1, "the first build")
        text = story.read_text(encoding="utf-8")
        (tmp_path / "slow").touch()
        story.write_text(text.replace("I did not.", "I did not. First save."), encoding="utf-8")
        until(lambda: "First save." in shown(), "the first save shown")
        assert builds(url)["updating"], "shown before the rebuild ends"
        time.sleep(1)  # the rebuild has read the story: it writes the first save's page
        story.write_text(text.replace("I did not.", "I did not. Second save."), encoding="utf-8")
        until(lambda: "Second save." in shown(), "the second save shown", timeout=3)
        assert builds(url)["updating"], "the second save was shown while the rebuild ran"
        (tmp_path / "slow").unlink()  # the rebuilds after this one
        # From now on the page never goes back, while the rebuilds write.
        served = []
        until(lambda: served.append(shown()) or not builds(url)["updating"],
              "every rebuild done", timeout=60)
        assert len(served) > 20
        assert all("Second save." in page and "First save." not in page for page in served)
        assert "Second save." in shown()
        assert "Second save." in (tmp_path / "output" / STORY_URL / "index.html").read_text()
        assert printed().count("Shown: /2024/a-map-of-the-night-market/index.html") >= 2
    finally:
        stop(process)
        log.close()
    assert "Traceback" not in printed(), printed()
