"""Importing a WordPress blog: real exports others wrote, then a real build.

The exports are read from the installed packages at test time (never copied
here): Pelican's `pelican/tests/content/wordpressexport.xml` and Isso's
`isso/tests/wordpress.xml`. Both are imported into one small site (the
comments fixture site), which is built the way `make publish` builds; the
assertions are what a reader and the author would see: story pages, no
pages for drafts, comments in Isso's database under the story's thread,
redirects from the old addresses, no commenter's e-mail or IP anywhere.
"""

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT, SITES, build_site

import pelican
import isso

PELICAN_EXPORT = Path(pelican.__file__).parent / "tests" / "content" / "wordpressexport.xml"
ISSO_EXPORT = Path(isso.__file__).parent / "tests" / "wordpress.xml"
WP = "{http://wordpress.org/export/1.1/}"  # Pelican's export
ISSO_WP = "{http://wordpress.org/export/1.0/}"


def settings_file(root, content):
    path = root / "site.py"
    path.write_text(
        f"exec(open({str(ROOT / 'pelicanconf.py')!r}, encoding='utf-8').read())\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n",
        encoding="utf-8",
    )
    return path


def run_import(settings, export, *options, capsys=None):
    """`python -m connections import wordpress ...` in this process."""
    from connections.__main__ import main

    code = main(["import", "wordpress", str(export), "-s", str(settings), *map(str, options)])
    out = capsys.readouterr() if capsys else None
    return code, out


def import_in_subprocess(settings, export, *options, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "connections", "import", "wordpress", str(export), "-s", str(settings),
         *map(str, options)],
        capture_output=True, text=True, cwd=cwd or ROOT,
        env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"},
    )


def items(export, wp):
    tree = etree.parse(str(export))
    for item in tree.iter("item"):
        yield {
            "title": item.findtext("title") or "",
            "type": item.findtext(f"{wp}post_type") or "post",
            "status": item.findtext(f"{wp}status") or "publish",
            "name": item.findtext(f"{wp}post_name") or "",
            "password": (item.findtext(f"{wp}post_password") or "").strip(),
            "comments": [
                {k: (c.findtext(f"{wp}comment_{k}") or "").strip()
                 for k in ("id", "parent", "approved", "type", "content", "author_email", "author_IP")}
                for c in item.iter(f"{wp}comment")
            ],
        }


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    root = tmp_path_factory.mktemp("wordpress")
    content = root / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    settings = settings_file(root, content)
    db = root / "comments.db"
    reports = []
    for export in (PELICAN_EXPORT, ISSO_EXPORT):
        done = import_in_subprocess(settings, export, "--comments-db", db)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        reports.append(done)
    return {"root": root, "content": content, "settings": settings, "db": db, "reports": reports}


@pytest.fixture(scope="module")
def built(imported):
    output = imported["root"] / "output"
    build_site(imported["content"], output, DRAFT_SAVE_AS="", DRAFT_URL="",
               DRAFT_PAGE_SAVE_AS="", DRAFT_PAGE_URL="",
               COMMENTS_URL="http://comments.invalid/")
    return output


def story_page(output, slug):
    found = list(Path(output).glob(f"[0-9][0-9][0-9][0-9]/{slug}/index.html"))
    return found[0] if found else None


def test_each_published_post_has_a_story_page_and_drafts_none(imported, built):
    published = drafts = 0
    for item in items(PELICAN_EXPORT, WP):
        if item["type"] != "post":
            continue
        if item["status"] == "publish" and not item["password"] and item["name"]:
            page = story_page(built, item["name"])
            assert page is not None, item["title"]
            published += 1
        elif item["status"] != "publish":
            drafts += 1
            title = item["title"] or "Untitled post"
            for html in Path(built).rglob("*.html"):
                assert f">{title}<" not in html.read_text(encoding="utf-8"), (title, html)
    assert published >= 6 and drafts >= 3
    # Pages are pages; custom post types are said, not silently dropped.
    assert (built / "contact" / "index.html").exists()
    assert "post type 'custom1' is not a post or a page: not imported" in imported["reports"][0].stderr


def test_every_story_gets_an_explicit_identity(imported):
    stories = sorted((imported["content"] / "stories").glob("*.md"))
    imported_files = [p for p in stories if "wordpress-" in p.read_text(encoding="utf-8")]
    assert len(imported_files) >= 14
    ids = [re.search(r"^Id: (.+)$", p.read_text(encoding="utf-8"), re.M).group(1) for p in imported_files]
    assert len(ids) == len(set(ids))  # two posts with one WordPress id got distinct identities
    text = (imported["content"] / "stories" / "with-comments.md").read_text(encoding="utf-8")
    assert "\nId: wordpress-422\n" in text and "\nSlug: with-comments\n" in text


def test_approved_comments_are_in_isso_under_their_story_thread(imported):
    from connections.comments.providers import thread_id

    class Story:  # what thread_id reads: the story's Id: header
        def __init__(self, identity):
            self.metadata, self.date = {"id": identity}, None

    db = sqlite3.connect(imported["db"])
    rows = db.execute(
        "SELECT t.uri, c.id, c.parent, c.mode, c.author, c.text FROM comments c "
        "JOIN threads t ON t.id = c.tid"
    ).fetchall()
    by_thread = {}
    for uri, *rest in rows:
        by_thread.setdefault(uri, []).append(rest)
    # Pelican's export: 3 approved comments on "With comments" (one a reply,
    # one whose parent is missing), a pingback in the trash not imported.
    pelican_thread = by_thread[thread_id(Story("wordpress-422"))]
    assert [mode for _, _, mode, _, _ in pelican_thread] == [1, 1, 1]
    first, reply, orphan = pelican_thread
    assert reply[1] == first[0] and orphan[1] is None
    # Isso's export: 7 approved comments on "Hello, World...", replies to
    # replies filed under the comment that started the conversation.
    isso_thread = by_thread[thread_id(Story("wordpress-18"))]
    assert len(isso_thread) == 7
    texts = {text: (cid, parent) for cid, parent, _, _, text in isso_thread}
    second = texts["Zweiter."][0]
    assert texts["Drölfter!"][1] == second  # a reply (7 -> 6)
    assert texts["Yet another reply."][1] == second  # a reply to a reply (8 -> 7 -> 6)
    assert texts["Erster!1"][1] is None
    # The import says what it did with the rest.
    report = imported["reports"][0]
    assert "1 spam or trash" in report.stdout
    assert "comment 122's parent comment 121 is not in the export" in report.stderr


def test_the_story_page_asks_isso_for_that_thread(built):
    html = story_page(built, "with-comments").read_text(encoding="utf-8")
    assert 'data-isso-id="story:wordpress-422"' in html


def test_old_permalinks_redirect(built):
    page = (built / "with-comments" / "index.html").read_text(encoding="utf-8")
    assert 'http-equiv="refresh" content="0; url=../2012/with-comments/"' in page
    assert '<link rel="canonical" href="../2012/with-comments/">' in page
    assert '<a href="../2012/with-comments/">' in page
    assert (built / "2012" / "with-comments" / "index.html").exists()
    nginx = (built / "redirects" / "nginx.conf").read_text(encoding="utf-8")
    assert '"/?p=422" "/2012/with-comments/";' in nginx
    assert '"/with-comments/" "/2012/with-comments/";' in nginx
    apache = (built / "redirects" / "apache.conf").read_text(encoding="utf-8")
    assert "RewriteCond %{QUERY_STRING} ^p=422$" in apache
    # An address that did not change (a page) gets no redirect over itself.
    assert "connections redirect" not in (built / "contact" / "index.html").read_text(encoding="utf-8")


def test_no_commenter_email_or_ip_in_any_built_file(built):
    secrets = set()
    for export, wp in ((PELICAN_EXPORT, WP), (ISSO_EXPORT, ISSO_WP)):
        for item in items(export, wp):
            for c in item["comments"]:
                secrets.update(v for v in (c["author_email"], c["author_IP"]) if v)
    assert len(secrets) >= 4
    for path in Path(built).rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            for secret in secrets:
                assert secret not in data, (secret, path)


def test_importing_again_adds_nothing_and_leaves_edited_stories_alone(imported, tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(imported["content"], content)
    db = tmp_path / "comments.db"
    shutil.copyfile(imported["db"], db)
    settings = settings_file(tmp_path, content)
    edited = content / "stories" / "with-tags.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA line the author added.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    comments = sqlite3.connect(db).execute("SELECT count(*) FROM comments").fetchone()[0]

    code, out = run_import(settings, PELICAN_EXPORT, "--comments-db", db, "--dry-run", capsys=capsys)
    assert code == 0 and "dry run: nothing was written" in out.out
    assert "left alone: content/stories/with-tags.md (edited since the last import)" in out.out
    assert {p: p.read_bytes() for p in content.rglob("*") if p.is_file()} == before

    code, out = run_import(settings, PELICAN_EXPORT, "--comments-db", db, capsys=capsys)
    assert code == 0
    assert "left alone: content/stories/with-tags.md (edited since the last import)" in out.out
    assert "stories already imported, unchanged" in out.out
    assert "were imported before" in out.out and " 3 were imported before" in out.out
    after = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    assert after[edited].endswith(b"A line the author added.\n")
    assert set(after) == set(before)  # no story twice
    assert sqlite3.connect(db).execute("SELECT count(*) FROM comments").fetchone()[0] == comments


def test_a_cut_short_export_changes_nothing(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    settings = settings_file(tmp_path, content)
    text = PELICAN_EXPORT.read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    before = sorted(p.name for p in content.rglob("*"))
    done = import_in_subprocess(settings, cut, "--comments-db", tmp_path / "c.db")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(rf"connections: {re.escape(str(cut))}:\d+: the export is cut short", lines[0])
    assert "nothing was imported" in lines[0]
    assert sorted(p.name for p in content.rglob("*")) == before
    if (tmp_path / "c.db").exists():
        assert sqlite3.connect(tmp_path / "c.db").execute("SELECT count(*) FROM comments").fetchone()[0] == 0


@pytest.mark.parametrize("text, says", [
    ("<html><body><p>Not an export</p></body></html>", "not a WordPress export (its root element is <html>"),
    ('<?xml version="1.0"?><rss version="2.0"><channel><title>A feed</title>'
     "<item><title>Hello</title></item></channel></rss>", "an RSS feed, not a WordPress export"),
    ("this is not XML at all", "not well-formed XML"),
])
def test_files_that_are_not_exports_are_said_in_one_line(tmp_path, capsys, text, says):
    content = tmp_path / "content"
    content.mkdir()
    export = tmp_path / "export.xml"
    export.write_text(text, encoding="utf-8")
    code, out = run_import(settings_file(tmp_path, content), export, "--no-comments", capsys=capsys)
    assert code == 2
    assert len(out.err.strip().splitlines()) == 1 and says in out.err
    assert list(content.iterdir()) == []


HOSTILE = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
 xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/">
<channel><title>Odd blog</title><link>https://odd.example</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://odd.example</wp:base_site_url>
<item><title>Tea at the kiosk</title><link>https://odd.example/2020/05/01/kiosk/</link>
<dc:creator>ines</dc:creator><wp:post_id>10</wp:post_id>
<wp:post_date>2020-05-01 10:00:00</wp:post_date><wp:post_date_gmt>2020-05-01 09:00:00</wp:post_date_gmt>
<wp:post_name>kiosk</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[Ana Sousa poured the tea at the Harbour Festival 2025.]]></content:encoded>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Rui</wp:comment_author>
<wp:comment_date_gmt>2020-05-02 10:00:00</wp:comment_date_gmt><wp:comment_content>A reply to nothing</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>99</wp:comment_parent></wp:comment>
</item>
<item><title>Kiosk again</title><link>https://odd.example/2020/06/01/kiosk/</link>
<wp:post_id>11</wp:post_id><wp:post_date_gmt>2020-06-01 09:00:00</wp:post_date_gmt>
<wp:post_name>kiosk</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[<p>Broken <b>markup <i>everywhere</p></div></span>]]></content:encoded></item>
<item><title>Notes &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title><link>https://odd.example/?p=12</link>
<wp:post_id>12</wp:post_id><wp:post_date_gmt>2020-07-01 09:00:00</wp:post_date_gmt>
<wp:post_name>notes</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[Plain words.]]></content:encoded></item>
<item><title>لقاء في السوق</title><link>https://odd.example/?p=13</link>
<wp:post_id>13</wp:post_id><wp:post_date_gmt>2020-08-01 09:00:00</wp:post_date_gmt>
<wp:post_name>%d9%84%d9%82%d8%a7%d8%a1</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<content:encoded><![CDATA[التقيت بصديق قديم في السوق.]]></content:encoded></item>
<item><title>Secret plans</title><wp:post_id>14</wp:post_id><wp:post_date_gmt>2020-09-01 09:00:00</wp:post_date_gmt>
<wp:post_name>secret</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<wp:post_password>hunter2</wp:post_password><content:encoded><![CDATA[Hidden words.]]></content:encoded></item>
<item><title>About the kiosk</title><link>https://odd.example/about/</link><wp:post_id>15</wp:post_id>
<wp:post_name>about-kiosk</wp:post_name><wp:status>publish</wp:status><wp:post_type>page</wp:post_type>
<content:encoded><![CDATA[Open daily.]]></content:encoded>
<wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Lia</wp:comment_author>
<wp:comment_date_gmt>2020-05-03 10:00:00</wp:comment_date_gmt><wp:comment_content>Even on Sundays?</wp:comment_content>
<wp:comment_approved>1</wp:comment_approved><wp:comment_parent>0</wp:comment_parent></wp:comment></item>
</channel></rss>
"""


def test_awkward_posts_are_imported_and_said_and_the_site_builds(tmp_path, capsys):
    content = tmp_path / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    settings = settings_file(tmp_path, content)
    export = tmp_path / "odd.xml"
    export.write_text(HOSTILE, encoding="utf-8")
    code, out = run_import(settings, export, "--comments-db", tmp_path / "c.db", capsys=capsys)
    assert code == 0, out.err
    err = out.err
    assert "odd.xml:" in err and "post 11 'Kiosk again': has the same slug 'kiosk'" in err
    assert "post 10 'Tea at the kiosk': comment 1's parent comment 99 is not in the export" in err
    # People and events named but not tagged are suggested.
    assert "@[Ana Sousa]" in out.out and "#[Harbour Festival 2025]" in out.out
    # A page's comment is kept (pages show none), under a thread of its own.
    kept = sqlite3.connect(tmp_path / "c.db").execute(
        "SELECT c.text FROM comments c JOIN threads t ON t.id = c.tid WHERE t.uri = 'page:wordpress-15'"
    ).fetchall()
    assert kept == [("Even on Sundays?",)] and "comments on pages: 1 were kept" in out.out
    stories = content / "stories"
    assert (stories / "kiosk.md").exists() and (stories / "kiosk-11.md").exists()
    secret = (stories / "secret.md").read_text(encoding="utf-8")
    assert "Status: draft" in secret and "hunter2" not in secret
    output = build_site(content, tmp_path / "output", DRAFT_SAVE_AS="", DRAFT_URL="")
    rtl = story_page(output, "لقاء")
    assert rtl is not None and "التقيت بصديق قديم في السوق." in rtl.read_text(encoding="utf-8")
    notes = story_page(output, "notes").read_text(encoding="utf-8")
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in notes
    for html in output.rglob("*.html"):
        assert "<script>alert(1)" not in html.read_text(encoding="utf-8"), html
    assert "everywhere" in story_page(output, "kiosk-11").read_text(encoding="utf-8")
    assert not list(output.rglob("secret*"))

    # --tag-known writes them in (the file is the importer's, unedited).
    code, out = run_import(settings, export, "--no-comments", "--tag-known", capsys=capsys)
    text = (stories / "kiosk.md").read_text(encoding="utf-8")
    assert "\nPeople: Ana Sousa\n" in text and "\nEvents: Harbour Festival 2025\n" in text


def test_the_benchmark_export_is_one_the_importer_reads_whole(tmp_path, capsys):
    sys.path.insert(0, str(ROOT / "bench"))
    import wordpress_export

    export = wordpress_export.write(tmp_path / "bench.xml", posts=30, comments=120, seed=3)
    content = tmp_path / "content"
    (content / "stories").mkdir(parents=True)
    db = tmp_path / "c.db"
    code, out = run_import(settings_file(tmp_path, content), export, "--comments-db", db, capsys=capsys)
    assert code == 0, out.err
    assert len(list((content / "stories").glob("*.md"))) == 30
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM comments").fetchone()[0]
    spam = int(re.search(r"(\d+) spam or trash", out.out).group(1))
    assert rows + spam == 120  # every comment imported but the spam
    assert "Traceback" not in out.err


def test_an_import_interrupted_while_renaming_completes_on_the_next_run(tmp_path, capsys, monkeypatch):
    import connections.importing.wordpress as wordpress

    content = tmp_path / "content"
    shutil.copytree(SITES / "comments" / "content", content)
    settings = settings_file(tmp_path, content)
    db = tmp_path / "c.db"
    real_replace = wordpress.os.replace
    calls = []

    def replace_then_stop(a, b):
        calls.append(b)
        if len(calls) == 4:
            raise KeyboardInterrupt  # the author pressed Ctrl-C halfway
        return real_replace(a, b)

    monkeypatch.setattr(wordpress.os, "replace", replace_then_stop)
    with pytest.raises(KeyboardInterrupt):
        run_import(settings, PELICAN_EXPORT, "--comments-db", db)
    monkeypatch.setattr(wordpress.os, "replace", real_replace)
    assert not (content / "wordpress-import.json").exists()  # the record comes last

    code, out = run_import(settings, PELICAN_EXPORT, "--comments-db", db, capsys=capsys)
    assert code == 0, out.err
    stories = sorted(p.name for p in (content / "stories").glob("*.md"))
    assert "with-comments.md" in stories and not [s for s in stories if s.endswith("-2.md")]
    assert "already exists and is not from this import" not in out.err
    assert sqlite3.connect(db).execute("SELECT count(*) FROM comments").fetchone()[0] == 3
    assert not list(content.rglob("*.wp-tmp"))
