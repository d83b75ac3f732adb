"""Comments without a browser: the rendered embeds, the per-story switches, the
settings a build refuses, the Isso configs, backup and restore, and `serve`.

The end-to-end tests with a real Isso and Chromium are in test_comments_browser.py.
"""

import configparser
import signal
import sqlite3
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from connections.comments import providers as comments
from connections.comments import server as comments_server
from connections.diagnostics import ContentError
from conftest import ROOT, SITES, build_site, free_port, wait_until_up

CONTENT = SITES / "comments" / "content"
LONG = "2025/a-long-evening-at-the-harbour/index.html"
TEA = "2025/tea-biscuits-3-at-the-station/index.html"
QUIET = "2025/a-quiet-story/index.html"
ISSO = "http://127.0.0.1:8080/"


class Elements(HTMLParser):
    """Every start tag as (tag, attrs), and whether it sat inside a <template>."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.found, self.depth = [], 0
        self.scripts = []  # (attrs, text, in_template)
        self._script = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.found.append((tag, attrs, self.depth > 0))
        if tag == "template":
            self.depth += 1
        if tag == "script":
            self._script = [attrs, "", self.depth > 0]

    def handle_data(self, data):
        if self._script is not None:
            self._script[1] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.depth -= 1
        if tag == "script" and self._script is not None:
            self.scripts.append(tuple(self._script))
            self._script = None

    def by_id(self, id_):
        return [attrs for tag, attrs, _ in self.found if attrs.get("id") == id_]


def read(out, path):
    return (out / path).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def isso_site(tmp_path_factory):
    out = tmp_path_factory.mktemp("comments-isso") / "output"
    return build_site(CONTENT, out, COMMENTS_URL=ISSO)


# --- isso, the default ----------------------------------------------------------


def test_a_story_gets_an_isso_thread_keyed_by_its_identity(isso_site):
    page = Elements(read(isso_site, LONG))
    assert page.by_id("comments"), "the section index pages link to (#comments)"
    (thread,) = page.by_id("isso-thread")
    assert thread["data-isso-id"] == "story:2025-03-14T09:30"
    assert thread["data-title"] == "A long evening at the harbour"
    # The embed waits in a template: nothing on the page loads it by itself.
    embed = [s for s in page.scripts if s[0].get("src", "").startswith(ISSO)]
    assert [(s[0]["src"], s[0]["data-isso"], s[2]) for s in embed] == [
        (ISSO + "js/embed.min.js", ISSO, True)
    ]
    live = [s[0].get("src", "") for s in page.scripts if not s[2]]
    assert not [src for src in live if src.startswith("http")]
    assert any(src.endswith("/theme/js/comments.js") for src in live)
    assert "Post a comment" in read(isso_site, LONG)


def test_a_title_is_escaped_in_the_thread(isso_site):
    html = read(isso_site, TEA)
    assert 'data-title="Tea &amp; &#34;biscuits&#34; &lt;3 at the station"' in html
    (thread,) = Elements(html).by_id("isso-thread")
    assert thread["data-title"] == 'Tea & "biscuits" <3 at the station'


def test_the_widget_says_what_it_needs_without_javascript(isso_site):
    html = read(isso_site, LONG)
    noscript = html.split("<noscript>", 1)[1].split("</noscript>", 1)[0]
    assert "need JavaScript" in noscript


def test_comments_off_and_drafts_have_no_widget(isso_site):
    quiet = read(isso_site, QUIET)
    assert 'id="comments"' not in quiet and "isso" not in quiet
    draft = read(isso_site, "drafts/an-unfinished-story.html")
    assert "An unfinished story" in draft
    assert 'id="comments"' not in draft and "isso-thread" not in draft
    assert "comment-count" not in draft


def test_list_pages_link_each_story_to_its_comments_with_its_thread(isso_site):
    for page in ("index.html", "archives/index.html", "people/ana-sousa/index.html",
                 "events/harbour-festival-2025/index.html"):
        links = [a for tag, a, _ in Elements(read(isso_site, page)).found
                 if tag == "a" and "comment-count" in a.get("class", "")]
        by_href = {a["href"].split("/", 1)[1] if a["href"].startswith(".") else a["href"]: a
                   for a in links}
        assert len(links) == 2, page  # the quiet story has none, the draft is not listed
        long = [a for h, a in by_href.items() if h.endswith("a-long-evening-at-the-harbour/#comments")]
        assert long and long[0]["data-isso-id"] == "story:2025-03-14T09:30", page
        assert long[0]["data-comments-server"] == ISSO
    index = read(isso_site, "index.html")
    assert '<span class="comment-count-text">Comments</span>' in index


# --- the other providers ----------------------------------------------------------


def test_giscus_embed(tmp_path):
    out = build_site(CONTENT, tmp_path / "out", COMMENTS_PROVIDER="giscus", COMMENTS_OPTIONS={
        "repo": "maya/stories", "repo-id": "R_1", "category": "Comments", "category-id": "DIC_2"})
    page = Elements(read(out, LONG))
    (script,) = [s for s in page.scripts if s[0].get("src") == "https://giscus.app/client.js"]
    attrs, _, in_template = script
    assert in_template
    assert attrs["data-repo"] == "maya/stories" and attrs["data-repo-id"] == "R_1"
    assert attrs["data-category"] == "Comments" and attrs["data-category-id"] == "DIC_2"
    assert attrs["data-mapping"] == "specific"
    assert attrs["data-term"] == "story:2025-03-14T09:30"
    assert attrs["data-theme"] == "preferred_color_scheme"
    assert attrs["crossorigin"] == "anonymous" and "async" in attrs
    assert page.by_id("isso-thread") == []
    assert [a for t, a, _ in page.found if "giscus" in a.get("class", "")]
    assert "comment-count" in read(out, "index.html")
    assert "data-isso-id" not in read(out, "index.html")


def test_disqus_embed(tmp_path):
    out = build_site(CONTENT, tmp_path / "out", COMMENTS_PROVIDER="disqus",
                     COMMENTS_OPTIONS={"shortname": "maya-stories"}, SITEURL="https://blog.example.org",
                     RELATIVE_URLS=False)
    page = Elements(read(out, TEA))
    assert page.by_id("disqus_thread")
    (code,) = [s[1] for s in page.scripts if "disqus_config" in s[1]]
    assert '"https://maya-stories.disqus.com/embed.js"' in code
    assert 'this.page.identifier = "story:2025-04-02T16:05";' in code
    assert ('this.page.url = "https://blog.example.org/2025/tea-biscuits-3-at-the-station/";'
            in code)
    # A title in a script is JSON with <, > and & escaped: it cannot close the script.
    assert 'this.page.title = "Tea \\u0026 \\"biscuits\\" \\u003c3 at the station";' in code
    assert "data-timestamp" in code


def test_remark42_embed(tmp_path):
    out = build_site(CONTENT, tmp_path / "out", COMMENTS_PROVIDER="remark42",
                     COMMENTS_URL="https://remark.example.org", COMMENTS_OPTIONS={"site_id": "maya"})
    page = Elements(read(out, LONG))
    assert page.by_id("remark42")
    config, loader = [s for s in page.scripts if s[2] and "remark" in s[1]]
    assert '"host": "https://remark.example.org"' in config[1]
    assert '"site_id": "maya"' in config[1]
    assert '"components": ["embed"]' in config[1]
    assert 'remark_config.host+"/web/"+e[o]+c' in loader[1]


def test_provider_none_has_no_comments_anywhere(tmp_path):
    out = build_site(CONTENT, tmp_path / "out", COMMENTS_PROVIDER="none", COMMENTS_URL="")
    assert 'id="comments"' not in read(out, LONG)
    assert "comment-count" not in read(out, "index.html")
    assert not any("comments.js" in p.read_text() for p in out.rglob("*.html"))


# --- settings a build refuses -----------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, expected",
    [
        ({"COMMENTS_PROVIDER": "isso2"}, "COMMENTS_PROVIDER = 'isso2' is not a comment provider; did you mean 'isso'?"),
        ({"COMMENTS_PROVIDER": "disqs"}, "did you mean 'disqus'?"),
        ({"COMMENTS_URL": ""}, "COMMENTS_PROVIDER = 'isso' needs COMMENTS_URL"),
        ({"COMMENTS_URL": "comments.example.org"}, "is not an absolute http:// or https:// address"),
        ({"COMMENTS_PROVIDER": "remark42", "COMMENTS_URL": None}, "'remark42' needs COMMENTS_URL"),
        ({"COMMENTS_PROVIDER": "disqus"}, "needs COMMENTS_OPTIONS 'shortname'"),
        ({"COMMENTS_PROVIDER": "giscus", "COMMENTS_OPTIONS": {"repo": "a/b"}},
         "needs COMMENTS_OPTIONS 'repo-id', 'category', 'category-id'"),
        ({"SITEURL": "https://blog.example.org", "COMMENTS_URL": "https://c.example.org/",
          "COMMENTS_OPTIONS": {"host": ["https://www.example.org"]}},
         "a page at https://blog.example.org is refused by Isso's CORS"),
        ({"SITEURL": "http://localhost:8000", "COMMENTS_OPTIONS": {"host": "http://127.0.0.1:8000"}},
         "localhost and 127.0.0.1 are different origins"),
        ({"SITEURL": "http://blog.example.org", "COMMENTS_OPTIONS": {"host": "https://blog.example.org"}},
         "differs only in its scheme"),
        ({"SITEURL": "https://blog.example.org"}, "readers' browsers would look for the comment server"),
        ({"SITEURL": "https://blog.example.org", "COMMENTS_URL": "http://c.example.org/"},
         "mixed content"),
    ],
)
def test_a_misconfiguration_stops_the_build_before_writing(tmp_path, overrides, expected):
    out = tmp_path / "out"
    with pytest.raises(ContentError) as info:
        build_site(CONTENT, out, **overrides)
    assert expected in str(info.value)
    assert str(info.value).startswith("comments: ")
    assert not out.exists()


def test_the_build_command_says_it_in_one_line(tmp_path):
    conf = tmp_path / "conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"PATH = {str(CONTENT)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nCOMMENTS_PROVIDER = 'disquss'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "connections", "build", "-s", str(conf), "-o", str(tmp_path / "o")],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "plugins")},
    )
    assert run.returncode == 1
    assert "connections: comments: COMMENTS_PROVIDER = 'disquss'" in run.stderr
    assert "did you mean 'disqus'?" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_isso_hosts_and_cors():
    local = comments.isso_hosts({"SITEURL": ""}, serve_origin="http://127.0.0.1:8000")
    assert local == ["http://127.0.0.1:8000", "http://localhost:8000"]
    assert comments.cors_problem("http://localhost:8000", local) == ""
    assert comments.isso_hosts({"SITEURL": "https://blog.example.org/"}) == ["https://blog.example.org"]
    assert comments.cors_problem("https://blog.example.org:443", ["https://blog.example.org/"]) == ""
    assert "differs only in its port" in comments.cors_problem(
        "http://127.0.0.1:8001", ["http://127.0.0.1:8000"])


def test_a_bad_comments_value_is_reported_and_comments_stay_on(tmp_path, caplog):
    content = tmp_path / "content"
    (content / "stories").mkdir(parents=True)
    (content / "stories" / "s.md").write_text(
        "Title: Maybe\nDate: 2025-01-01 10:00\nComments: perhaps\n\nBody.\n")
    out = build_site(content, tmp_path / "out", COMMENTS_URL=ISSO)
    assert "Comments: 'perhaps' is neither 'on' nor 'off'" in caplog.text
    assert "s.md" in caplog.text
    assert "isso-thread" in read(out, "2025/maybe/index.html")


# --- the comment server: configs, backup, restore, serve ------------------------------------


def _isso_db(path):
    """A real Isso database with one comment, made by Isso's own storage code."""
    from isso import config, db

    conf = config.load(config.default_file())
    conf.set("general", "dbpath", str(path))
    store = db.SQLite3(str(path), conf)
    store.threads.new("story:x", "A story")
    store.comments.add("story:x", {"text": "<p>hello</p>", "author": "A", "mode": 1,
                                   "remote_addr": "127.0.0.1", "created": time.time(),
                                   "parent": None, "email": None, "website": None,
                                   "notification": 0})
    return path


def test_production_config(tmp_path):
    conf = tmp_path / "publishconf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom publishconf import *\n"
        "SITEURL = 'https://blog.example.org'\nCOMMENTS_URL = 'https://comments.example.org/'\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "connections", "comments", "config", "-s", str(conf)],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "plugins")},
    )
    assert run.returncode == 0, run.stderr
    path = tmp_path / "var" / "isso-production.cfg"
    assert str(path) in run.stdout
    cfg = configparser.ConfigParser(inline_comment_prefixes=(";",))
    cfg.read(path)
    assert cfg["general"]["host"].split() == ["https://blog.example.org/"]
    assert cfg.getboolean("moderation", "enabled")
    assert cfg.getboolean("general", "reply-notifications")
    assert cfg["general"]["notify"] == "smtp"
    assert cfg.getboolean("guard", "enabled") and cfg.getint("guard", "ratelimit") == 2
    assert cfg["server"]["public-endpoint"] == "https://comments.example.org"
    assert cfg["smtp"]["host"] and cfg["general"]["dbpath"]
    # Isso itself reads it.
    from isso import config

    assert config.load(config.default_file(), str(path)).getboolean("moderation", "enabled")


def test_backup_and_restore(tmp_path):
    (tmp_path / "var").mkdir()
    db = _isso_db(tmp_path / "var" / "comments.db")
    copy = comments_server.backup(tmp_path)
    assert copy.parent == tmp_path / "var" / "backups"
    assert sqlite3.connect(copy).execute("select count(*) from comments").fetchone() == (1,)
    # Lose the comments, then restore them; the database being replaced is kept.
    sqlite3.connect(db).executescript("delete from comments;")
    settings = {"COMMENTS_PROVIDER": "isso", "COMMENTS_URL": f"http://127.0.0.1:{free_port()}/"}
    target, kept = comments_server.restore(tmp_path, copy, settings)
    assert target == db
    assert sqlite3.connect(db).execute("select text from comments").fetchone() == ("<p>hello</p>",)
    assert sqlite3.connect(kept).execute("select count(*) from comments").fetchone() == (0,)
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    with pytest.raises(ContentError, match="is not an Isso comment database"):
        comments_server.restore(tmp_path, not_a_db, settings)


def test_serve_runs_the_site_and_isso_and_stops_both(tmp_path):
    site_port, isso_port = free_port(), free_port()
    conf = tmp_path / "conf.py"
    conf.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"PATH = {str(CONTENT)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        f"COMMENTS_URL = 'http://127.0.0.1:{isso_port}/'\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "connections", "serve", "-s", str(conf), "-o", str(tmp_path / "out"),
         "--port", str(site_port)],
        cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": str(Path(sys.executable).parent)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{site_port}/", process, timeout=30)
        wait_until_up(f"http://127.0.0.1:{isso_port}/info", process, timeout=30)
        cfg = (tmp_path / "var" / "isso.cfg").read_text()
        assert f"http://127.0.0.1:{site_port}/" in cfg and f"http://localhost:{site_port}/" in cfg
        assert f"dbpath = {tmp_path / 'var' / 'comments.db'}" in cfg
        assert (tmp_path / "var" / "comments.db").exists()
        # The server answers at once (its port is taken first); the site follows.
        deadline = time.monotonic() + 60
        while not (tmp_path / "out" / LONG).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert (tmp_path / "out" / LONG).exists()
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=15)[0].decode()
    assert "Stopped." in output, output
    assert comments_server.answers(f"http://127.0.0.1:{isso_port}/info") is False
