"""Comments end to end: a real Isso, the built site on another port, real Chromium.

The site (tests/sites/comments) is built once for the module with COMMENTS_URL
pointing at an Isso started on a free loopback port, whose `host` is the
static site's origin. The tests run in file order and share the database:
a comment posted in one is what a later one counts.
"""

import re
import shutil
import sys
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from connections.comments.server import config_text
from conftest import SITES, build_site, free_port, require, running, static_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONG_STORY = "2025/a-long-evening-at-the-harbour/"
TEA_STORY = "2025/tea-biscuits-3-at-the-station/"


@pytest.fixture(scope="module")
def comments_site(tmp_path_factory):
    require("chromium")
    root = tmp_path_factory.mktemp("comments-e2e")
    content = root / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    site_port, isso_port = free_port(), free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    isso_url = f"http://127.0.0.1:{isso_port}/"
    cfg = root / "isso.cfg"
    cfg.write_text(
        config_text(dbpath=root / "comments.db", hosts=[site_origin], listen=isso_url,
                    production=False, ratelimit=100),
        encoding="utf-8",
    )
    isso = str(Path(sys.executable).parent / "isso")
    output = root / "output"

    def build():
        return build_site(content, output, COMMENTS_URL=isso_url)

    build()
    with running([isso, "-c", str(cfg), "run"], isso_url + "info"):
        with static_server(output, port=site_port) as site_url:
            yield {"url": site_url, "isso": isso_url, "content": content, "build": build,
                   "db": root / "comments.db"}


def open_comments(page, url):
    page.goto(url)
    page.locator("#comments").scroll_into_view_if_needed()
    page.wait_for_selector("#isso-thread .isso-postbox textarea")


def post(page, text, author=""):
    page.fill("#isso-thread .isso-postbox textarea", text)
    if author:
        page.fill("#isso-postbox-author", author)
    with page.expect_response(lambda r: "/new?" in r.url and r.request.method == "POST") as resp:
        page.click("#isso-thread .isso-postbox input[type=submit]")
    assert resp.value.status == 201, resp.value.text()


def test_an_unscrolled_story_asks_the_comment_server_nothing(comments_site, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(comments_site["url"] + LONG_STORY)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    assert requests, "the page itself was requested"
    assert not [u for u in requests if u.startswith(comments_site["isso"])]
    assert page.locator("#isso-thread").inner_html() == ""
    # ...until the reader presses the button.
    button = page.get_by_role("button", name="Post a comment")
    assert button.is_visible()
    button.click()
    page.wait_for_selector("#isso-thread .isso-postbox textarea")
    assert [u for u in requests if u.startswith(comments_site["isso"])]
    page.wait_for_function("document.activeElement.classList.contains('isso-textarea')")


def test_post_a_comment_reload_and_see_it_counted(comments_site, page):
    url = comments_site["url"] + LONG_STORY
    open_comments(page, url)
    post(page, "What a lovely evening. The gull part made me laugh.", author="Inês")
    page.reload()
    page.locator("#comments").scroll_into_view_if_needed()
    comment = page.locator("#isso-root .isso-comment")
    comment.first.wait_for()
    assert comment.count() == 1
    assert "The gull part made me laugh." in comment.first.inner_text()
    assert "Inês" in comment.first.locator(".isso-author").inner_text()
    # The thread is the story's identity, not its address.
    assert page.get_attribute("#isso-thread", "data-isso-id") == "story:2025-03-14T09:30"

    page.goto(comments_site["url"])
    counts = page.locator(f'a.comment-count[href$="{LONG_STORY}#comments"] .comment-count-text')
    page.wait_for_function(
        "el => /^\\d/.test(el.textContent)", arg=counts.element_handle()
    )
    assert counts.inner_text() == "1 Comment"
    other = page.locator(f'a.comment-count[href$="{TEA_STORY}#comments"] .comment-count-text')
    assert other.inner_text() == "0 Comments"
    # A story with comments off has no count at all.
    assert page.locator('a.comment-count[href*="a-quiet-story"]').count() == 0


def test_renaming_the_slug_keeps_the_comments(comments_site, page):
    story = comments_site["content"] / "stories" / "a-long-evening-at-the-harbour.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace("Category:", "Slug: evening-by-the-water\nCategory:", 1),
                     encoding="utf-8")
    comments_site["build"]()
    open_comments(page, comments_site["url"] + "2025/evening-by-the-water/")
    page.locator("#isso-root .isso-comment").first.wait_for()
    assert "The gull part made me laugh." in page.locator("#isso-root").inner_text()


XSS_TEXT = (
    "Payloads: <img src=x onerror=alert(1)> and <script>alert(2)</script> "
    "and [a link](javascript:alert(3)) and <a href=\"javascript:alert(4)\">another</a> "
    "and <svg onload=alert(5)></svg>"
)
XSS_AUTHOR = "<img src=x onerror=alert(6)><script>alert(7)</script>"


def test_hostile_comments_render_inert(comments_site, page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    url = comments_site["url"] + TEA_STORY
    open_comments(page, url)
    scripts_before = page.locator("script").count()
    post(page, XSS_TEXT, author=XSS_AUTHOR)
    page.reload()
    page.locator("#comments").scroll_into_view_if_needed()
    page.locator("#isso-root .isso-comment").first.wait_for()
    page.wait_for_timeout(300)
    root = page.locator("#isso-root")
    assert "Payloads:" in root.inner_text()
    handlers = page.evaluate(
        """() => [...document.querySelectorAll('#isso-root *')].flatMap(
             el => [...el.attributes].filter(a => /^on/i.test(a.name)).map(a => el.tagName + ' ' + a.name))"""
    )
    assert handlers == []
    assert root.locator("script").count() == 0
    assert root.locator("svg[onload], img[onerror]").count() == 0
    hrefs = root.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href') || '')")
    assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")]
    assert dialogs == []
    # The author's name shows as the text it was, not as markup.
    assert "<img src=x onerror=alert(6)>" in root.locator(".isso-author").first.inner_text()
    assert page.locator("script").count() <= scripts_before + 1  # only Isso's own embed


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_open_widget_is_accessible(comments_site, page, scheme):
    page.emulate_media(color_scheme=scheme)
    open_comments(page, comments_site["url"] + "2025/evening-by-the-water/")
    page.locator("#isso-root .isso-comment").first.wait_for()
    result = Axe().run(page)
    violations = [
        (v["id"], [n["target"] for n in v["nodes"]]) for v in result.response["violations"]
    ]
    assert result.violations_count == 0, violations


def test_the_comment_database_can_be_backed_up_while_isso_runs(comments_site, tmp_path):
    import json
    import sqlite3
    import urllib.request

    from connections.comments.server import LOCAL_DB, backup

    request = urllib.request.Request(
        comments_site["isso"] + "new?uri=story:backup-check",
        data=json.dumps({"text": "Kept safe by the backup.", "title": "Backup"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201
    # The live database of the running Isso, where `make serve` keeps it.
    (tmp_path / "var").mkdir()
    (tmp_path / LOCAL_DB).symlink_to(comments_site["db"])
    copy = backup(tmp_path)
    assert re.match(r"comments-\d{8}-\d{6}\.db$", copy.name)
    rows = sqlite3.connect(copy).execute("select text from comments").fetchall()
    assert any("Kept safe by the backup." in text for (text,) in rows)
