"""Imported comments, seen in a real Chromium, served by a real Isso.

Pelican's and Isso's own WordPress exports (read from the installed packages)
are imported into the comments fixture site with their comments in a fresh
Isso database; the site is built with COMMENTS_URL pointing at an Isso that
serves that database, and opened in Chromium: each story shows its comments,
replies under the comment they answer, the lists count them, and the old
addresses lead to the new pages.
"""

import shutil
import sys
from pathlib import Path

import pytest

from connections.comments.server import config_text
from conftest import SITES, build_site, free_port, require, running, static_server
from test_wordpress import ISSO_EXPORT, PELICAN_EXPORT, run_import, settings_file

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require("chromium")
    root = tmp_path_factory.mktemp("wordpress-e2e")
    content = root / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    settings = settings_file(root, content)
    db = root / "comments.db"
    for export in (PELICAN_EXPORT, ISSO_EXPORT):
        code, _ = run_import(settings, export, "--comments-db", db)
        assert code == 0
    site_port, isso_port = free_port(), free_port()
    site_origin = f"http://127.0.0.1:{site_port}"
    isso_url = f"http://127.0.0.1:{isso_port}/"
    cfg = root / "isso.cfg"
    cfg.write_text(config_text(dbpath=db, hosts=[site_origin], listen=isso_url,
                               production=False, ratelimit=100), encoding="utf-8")
    output = build_site(content, root / "output", COMMENTS_URL=isso_url)
    isso = str(Path(sys.executable).parent / "isso")
    with running([isso, "-c", str(cfg), "run"], isso_url + "info"):
        with static_server(output, port=site_port) as url:
            yield {"url": url, "output": output}


def open_comments(page, url):
    page.goto(url)
    page.locator("#comments").scroll_into_view_if_needed()
    page.get_by_role("button", name="Post a comment").click()
    page.locator("#isso-root .isso-comment").first.wait_for()


def test_imported_comments_show_under_their_story_with_their_replies(site, page):
    open_comments(page, site["url"] + "2014/test/")
    top = page.locator("#isso-root > .isso-comment")
    assert top.count() == 4  # Erster!1, Zweiter., the multi-line one, Letzter
    assert page.locator("#isso-root .isso-comment").count() == 7
    second = top.filter(has_text="Zweiter.").first
    replies = second.locator(".isso-follow-up .isso-comment")
    assert replies.count() == 3
    assert "Drölfter!" in replies.nth(0).inner_text()
    assert "Yet another reply." in replies.nth(1).inner_text()
    assert "Erster!1" not in second.locator(".isso-follow-up").first.inner_text()


def test_lists_count_the_imported_comments(site, page):
    with_count = next(
        p for p in sorted(site["output"].rglob("index.html"))
        if 'class="comment-count"' in p.read_text(encoding="utf-8")
        and 'data-isso-id="story:wordpress-422"' in p.read_text(encoding="utf-8")
    )
    page.goto(site["url"] + with_count.relative_to(site["output"]).as_posix())
    count = page.locator('a.comment-count[data-isso-id="story:wordpress-422"] .comment-count-text')
    page.wait_for_function("el => /^\\d/.test(el.textContent)", arg=count.element_handle())
    assert count.inner_text() == "3 Comments"


def test_old_addresses_lead_to_the_new_pages(site, page):
    page.goto(site["url"] + "with-comments/")
    page.wait_for_url("**/2012/with-comments/")
    assert page.locator("h1").first.inner_text() == "With comments"
