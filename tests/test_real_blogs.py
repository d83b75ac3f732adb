"""Real blogs (issue 13): content others wrote builds, identities never move,
the plugin installs with pip and works inside a stock theme.

Pelican's own test content is read from the installed Pelican package at
test time, never copied into this repository.
"""

import copy
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import feedparser
import pelican
import pytest
from bs4 import BeautifulSoup
from pelican import signals

from conftest import ROOT, build_site, require

PELICAN = Path(pelican.__file__).resolve().parent
PELICAN_TESTS = PELICAN / "tests"
KINDS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")


def with_translations(items):
    return [x for item in items for x in [item, *getattr(item, "translations", [])]]


VANILLA = """
import json, os, sys
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.settings import read_settings
overrides = json.loads(sys.argv[1])
settings = read_settings(None, override=overrides)
context = {**settings, "generated_content": {}, "static_content": {}, "static_links": set()}
for generator in (ArticlesGenerator, PagesGenerator):
    generator(context=context, settings=settings, path=settings["PATH"],
              theme=settings["THEME"], output_path=overrides["OUTPUT_PATH"]).generate_context()
read = {k: sorted({os.path.abspath(x.source_path)
                   for item in context.get(k, []) for x in [item, *item.translations]})
        for k in %r}
skipped = sorted(os.path.join(settings["PATH"], k)
                 for k, v in context["generated_content"].items() if v is None)
print(json.dumps({"read": read, "skipped": skipped}))
""" % (KINDS,)


def read_like_vanilla_pelican(overrides):
    """{kind: {source file}} as plain Pelican reads them (its own generators,
    as Pelican's test suite runs them, in a process of their own: no plugin
    registered), and the files it left out."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", VANILLA, json.dumps(overrides)],
                            capture_output=True, text=True, env=env, check=True)
    data = json.loads(result.stdout.strip().splitlines()[-1])
    return {k: set(v) for k, v in data["read"].items()}, set(data["skipped"])


@pytest.fixture
def captured():
    """What the plugin's build read, by kind (Pelican's finalized signals)."""
    seen = {}

    def articles(generator):
        seen["articles"] = with_translations(generator.articles)
        seen["drafts"] = with_translations(generator.drafts)
        seen["hidden_articles"] = with_translations(generator.hidden_articles)

    def pages(generator):
        seen["pages"] = with_translations(generator.pages)
        seen["hidden_pages"] = with_translations(generator.hidden_pages)
        seen["draft_pages"] = with_translations(generator.draft_pages)

    signals.article_generator_finalized.connect(articles)
    signals.page_generator_finalized.connect(pages)
    yield seen
    signals.article_generator_finalized.disconnect(articles)
    signals.page_generator_finalized.disconnect(pages)


def findings(caplog):
    return [r.getMessage() for r in caplog.records if r.name.startswith("connections")]


def test_pelicans_own_test_content_builds_like_vanilla_pelican(tmp_path, captured, caplog):
    """Every file Pelican builds we build; every file it skips is said with
    its reason and line; nothing stops the build."""
    where = {"PATH": str(PELICAN_TESTS), "ARTICLE_PATHS": ["content"], "PAGE_PATHS": ["TestPages"]}
    vanilla, skipped = read_like_vanilla_pelican(
        {**where, "OUTPUT_PATH": str(tmp_path / "vanilla"), "CACHE_CONTENT": False,
         "LOAD_CONTENT_CACHE": False})
    assert len(vanilla["articles"]) >= 15 and vanilla["drafts"] and vanilla["hidden_articles"]
    assert len(skipped) >= 20  # no date, no title, empty, status: invalid

    caplog.set_level(logging.INFO)
    out = build_site(PELICAN_TESTS, tmp_path / "out", **where,
                     LOAD_CONTENT_CACHE=False, CACHE_CONTENT=False)
    ours = {k: {os.path.abspath(x.source_path) for x in captured[k]} for k in KINDS}
    assert ours == vanilla
    # Every story and page read is written, duplicate slugs included (Pelican
    # itself stops on them with FileOverwriteFailedError).
    written = list({id(x): x for k in KINDS for x in captured[k] if x.save_as}.values())
    assert all((out / x.save_as).is_file() for x in written)
    assert len({x.save_as for x in written}) == len(written)

    said = findings(caplog)
    for path in skipped:
        name = os.path.relpath(path)
        lines = [m for m in said if m.startswith(name + ":") and "Pelican skips" in m]
        assert len(lines) == 1, (name, [m for m in said if name in m])
    bad_page = [m for m in said if "TestPages/bad_page.rst" in m]
    assert bad_page == [
        f"{os.path.relpath(PELICAN_TESTS / 'TestPages/bad_page.rst')}:4:1: warning: the status "
        "'invalid' is not one of published, hidden, draft, skip, so Pelican skips the file "
        "(it is not published); write e.g. 'draft', or 'published'"
    ]
    assert not [m for m in said if "Title:" in m and "bad_page" in m]
    assert not [r for r in caplog.records if r.exc_info]  # no traceback
    # One warning per group of stories only their file names tell apart.
    minute = [m for m in said if "2014-02-09 02:20 and nothing else tells" in m]
    assert len(minute) == 1 and minute[0].count("article_with_multiple_authors") >= 3


def test_pelican_samples_or_a_day_of_many_posts_builds(tmp_path, captured, caplog):
    """Pelican's samples/ content when the installed package carries it;
    this one does not, so several posts on one day and in one minute."""
    samples = PELICAN / "samples" / "content"
    if samples.is_dir():  # pragma: no cover - not in Pelican 4.12's wheel
        content = samples
    else:
        content = tmp_path / "content"
        (content / "stories").mkdir(parents=True)
        for n in range(3):  # one day, no time: as Pelican's own content does
            (content / "stories" / f"day-{n}.md").write_text(
                f"Title: Day post {n}\nDate: 2012-10-31\n\nPost {n} of the day.\n")
        for n in range(2):  # one minute: as an import makes them
            (content / "stories" / f"minute-{n}.md").write_text(
                f"Title: Minute post {n}\nDate: 2013-05-01 08:15\n\nPost {n} of the minute.\n")
    where = {"PATH": str(content), "ARTICLE_PATHS": ["stories"] if not samples.is_dir() else [""]}
    vanilla, _ = read_like_vanilla_pelican({**where, "OUTPUT_PATH": str(tmp_path / "v"),
                                            "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False})
    caplog.set_level(logging.WARNING)
    out = build_site(content, tmp_path / "out", **where)
    assert {k: {os.path.abspath(x.source_path) for x in captured[k]} for k in KINDS} == vanilla
    ids = set()
    for story in captured["articles"]:
        html = (out / story.save_as).read_text("utf-8")
        ids.add(BeautifulSoup(html, "html.parser").find(id="isso-thread")["data-isso-id"])
    assert len(ids) == len(captured["articles"])  # every story its own thread
    if not samples.is_dir():
        assert ids >= {"story:2012-10-31T00:00", "story:2012-10-31T00:00-2",
                       "story:2012-10-31T00:00-3", "story:2013-05-01T08:15",
                       "story:2013-05-01T08:15-2"}
        warned = [m for m in findings(caplog) if "nothing else tells which came first" in m]
        assert len(warned) == 2  # one per group, naming every file of it
        assert all(m.count("content/stories/") >= 4 or "day-2.md" in m or "minute-1.md" in m
                   for m in warned)


# --- identity ---------------------------------------------------------------------


def write(folder, name, text):
    path = folder / "content" / "stories" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def built_ids(out):
    """{story title: (comment thread id, atom entry id)} read from the built site."""
    atom = feedparser.parse(str(out / "feeds" / "all.atom.xml"))
    feed = {e.title: e.id for e in atom.entries}
    found = {}
    for page in out.glob("2025/*/index.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        title = soup.find("h1").get_text(strip=True)
        found[title] = (soup.find(id="isso-thread")["data-isso-id"], feed[title])
    return found


def test_identity_survives_title_slug_and_a_second_story_in_its_minute(tmp_path, caplog):
    def build():
        shutil.rmtree(tmp_path / "out", ignore_errors=True)
        return built_ids(build_site(tmp_path / "content", tmp_path / "out"))

    story = "Date: 2025-03-14 09:30\nAuthor: Maya Okafor\n\nOn the harbour steps.\n"
    write(tmp_path, "harbour.md", "Title: Coffee at the harbour\n" + story)
    first = build()["Coffee at the harbour"]
    assert first[0] == "story:2025-03-14T09:30"  # today's identity, kept
    assert first[1].endswith(",2025-03-14:2025-03-14T09:30")
    ledger = json.loads((tmp_path / "identities.json").read_text())
    assert ledger["stories"] == {"stories/harbour.md": "2025-03-14T09:30"}

    write(tmp_path, "harbour.md", "Title: Tea at the harbour, in fact\n" + story)
    assert build()["Tea at the harbour, in fact"] == first  # a new title (and slug)

    write(tmp_path, "harbour.md", "Title: Tea at the harbour, in fact\nSlug: tea\n" + story)
    assert build()["Tea at the harbour, in fact"] == first  # a new Slug:

    # A second story in the same minute, in a file whose name sorts first:
    # the first story keeps its identity, the new one gets -2, no warning.
    write(tmp_path, "aaa-another.md",
          "Title: Another story that minute\n" + story.replace("harbour steps", "quay"))
    caplog.set_level(logging.WARNING)
    both = build()
    assert both["Tea at the harbour, in fact"] == first
    assert both["Another story that minute"][0] == "story:2025-03-14T09:30-2"
    assert both["Another story that minute"][1].endswith(":2025-03-14T09:30-2")
    assert not [m for m in findings(caplog) if "tells which came first" in m]

    # The file renamed on disk, its Date: unchanged: it takes its identity back.
    (tmp_path / "content" / "stories" / "harbour.md").rename(
        tmp_path / "content" / "stories" / "tea-at-the-harbour.md")
    assert build()["Tea at the harbour, in fact"] == first

    # An explicit Id: wins.
    write(tmp_path, "zzz.md", "Title: With an Id\nId: my-own-id\n" + story)
    assert build()["With an Id"][0] == "story:my-own-id"


def test_stories_only_file_names_tell_apart_build_with_one_warning(tmp_path, caplog):
    story = "Date: 2025-03-14 09:30\n\nText.\n"
    write(tmp_path, "b.md", "Title: B\n" + story)
    write(tmp_path, "a.md", "Title: A\n" + story)
    caplog.set_level(logging.WARNING)
    ids = built_ids(build_site(tmp_path / "content", tmp_path / "out"))
    assert ids["A"][0] == "story:2025-03-14T09:30" and ids["B"][0] == "story:2025-03-14T09:30-2"
    warned = [m for m in findings(caplog) if "tells which came first" in m]
    assert len(warned) == 1
    assert "content/stories/a.md" in warned[0] and "content/stories/b.md" in warned[0]
    assert "Id: 2025-03-14T09:30" in warned[0]


def test_translations_link_each_other_and_carry_their_own_lang(tmp_path):
    write(tmp_path, "harbour.md", "Title: At the harbour\nDate: 2025-03-14 09:30\nSlug: harbour\n\n"
          "Coffee.\n")
    write(tmp_path, "harbour-fr.md", "Title: Au port\nDate: 2025-03-14 09:30\nSlug: harbour\n"
          "Lang: fr\n\nCafé.\n")
    out = build_site(tmp_path / "content", tmp_path / "out")
    en = BeautifulSoup((out / "2025/harbour/index.html").read_text("utf-8"), "html.parser")
    fr_path = next(p for p in out.rglob("*.html") if "Au port" in p.read_text("utf-8")
                   and "Café" in p.read_text("utf-8"))
    fr = BeautifulSoup(fr_path.read_text("utf-8"), "html.parser")
    assert en.html["lang"] == "en" and fr.html["lang"] == "fr"
    to_fr = en.select_one('.translations a[hreflang="fr"]')
    to_en = fr.select_one('.translations a[hreflang="en"]')
    assert to_fr is not None and to_en is not None
    assert en.find(id="isso-thread")["data-isso-id"] == "story:2025-03-14T09:30"
    assert fr.find(id="isso-thread")["data-isso-id"] == "story:2025-03-14T09:30-fr"


# --- installed with pip, inside a stock theme ----------------------------------------------


NOTMYIDEA_SITE = {
    "content/posts/coffee.md": (
        "Title: Coffee & cake with Zoë\nDate: 2025-03-14 09:30\nAuthor: Maya Okafor\n"
        "People: Zoë Laurent\nEvents: Harbour Fest 2025\n\n"
        "We met at #[Harbour Fest 2025]; @[Zoë Laurent] had *cake* & tea.\n"),
    "content/posts/second.md": (
        "Title: A second story\nDate: 2025-03-14 09:30\nAuthor: Maya Okafor\n\n"
        "Again with @[Zoë Laurent] at #[Harbour Fest 2025].\n"),
    "content/people/zoe-laurent.md": (
        "Name: Zoë Laurent\nWebsite: https://example.org/zoe\n\nShe runs <b>the</b> stand & more.\n"),
    "content/people/quenby.md": "Name: Quenby Hollowell\nVisibility: private\n",
    "pelicanconf.py": (
        'AUTHOR = "Maya Okafor"\nSITENAME = "Tea & Talk"\nSITEURL = ""\nPATH = "content"\n'
        'TIMEZONE = "UTC"\nDEFAULT_LANG = "en"\nPLUGINS = ["connections"]\n'),
    # The project's own setting, under a stock theme: bodies stay HTML.
    "escaping.py": (
        "import os, sys\nsys.path.insert(0, os.path.dirname(__file__))\n"
        "from pelicanconf import *\n"
        'JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}\n'),
}


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory):
    """A new virtual environment with the plugin pip-installed from this
    checkout, offline: Pelican copied in from the project's environment (so
    the plugin lands beside it, as on a user's machine), the rest of its
    dependencies reached through a .pth file."""
    home = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(home)], check=True)
    python = home / "bin" / "python"
    ours = Path(sysconfig.get_paths()["purelib"])
    theirs = Path(subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True).stdout.strip())
    shutil.copytree(ours / "pelican", theirs / "pelican", ignore=shutil.ignore_patterns("tests"))
    for info in ours.glob("pelican-*.dist-info"):
        shutil.copytree(info, theirs / info.name)
    (theirs / "project-venv.pth").write_text(str(ours) + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    build = Path(tmp_path_factory.mktemp("build"))
    result = subprocess.run(
        [python, "-m", "pip", "install", "--disable-pip-version-check", "--quiet",
         "--no-build-isolation", "--no-index", "--no-deps", str(ROOT)],
        capture_output=True, text=True, env={**env, "TMPDIR": str(build)}, cwd=build)
    for leftover in ("build", "pelican_connections.egg-info"):  # setuptools builds in the tree
        shutil.rmtree(ROOT / leftover, ignore_errors=True)
    assert result.returncode == 0, result.stderr
    return home, env


def test_pip_installed_plugin_works_inside_notmyidea(fresh_venv, tmp_path):
    home, env = fresh_venv
    python = str(home / "bin" / "python")
    # Pelican's plugin discovery finds it; nothing comes from this checkout.
    found = subprocess.run(
        [python, "-c", "from pelican.plugins._utils import get_namespace_plugins as g;"
         "import pelican.plugins.connections as c; print(list(g())); print(c.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True).stdout
    assert "pelican.plugins.connections" in found
    assert str(ROOT) not in found and str(home) in found

    for name, text in NOTMYIDEA_SITE.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, "utf-8")
    # The theme's own template wins over the plugin's.
    overrides = tmp_path / "mine"
    overrides.mkdir()
    (overrides / "event.html").write_text(
        '{% extends "base.html" %}{% block content %}<p id="mine">{{ event.name|e }}</p>'
        "{% endblock %}")
    with (tmp_path / "pelicanconf.py").open("a") as f:
        f.write(f"THEME_TEMPLATES_OVERRIDES = [{str(overrides)!r}]\n")

    for settings, out in (("pelicanconf.py", "out"), ("escaping.py", "escaped")):
        result = subprocess.run([python, "-m", "pelican", "content", "-s", settings, "-o", out],
                                capture_output=True, text=True, env=env, cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stdout + result.stderr
        # Profiles under ARTICLE_PATHS = [""] are not read as posts.
        assert "Could not process" not in result.stdout + result.stderr
        assert "Processed 2 articles" in result.stdout
        site = tmp_path / out
        person = (site / "people" / "zoe-laurent" / "index.html").read_text("utf-8")
        event = (site / "events" / "harbour-fest-2025" / "index.html").read_text("utf-8")
        story = (site / "coffee-cake-with-zoe.html").read_text("utf-8")
        for page in (person, event):
            assert 'href="/theme/css/main.css"' in page  # notmyidea's stylesheet and layout
            assert 'id="banner"' in page
            assert "&amp;amp;" not in page
        assert "<title>Zoë Laurent - Tea &amp; Talk</title>" in person
        assert "<b>the</b> stand &amp; more" in person  # the bio is HTML, escaped once
        assert "Coffee &amp; cake with Zoë" in person
        assert 'id="mine">Harbour Fest 2025<' in event
        assert "had <em>cake</em> &amp; tea" in story  # the body is not escaped
        assert "&lt;em&gt;" not in story and "&lt;p&gt;" not in story
        assert (site / "people" / "index.html").is_file() and (site / "events" / "index.html").is_file()
        # The blog's old author page sends readers to the person page.
        redirect = (site / "author" / "maya-okafor.html").read_text("utf-8")
        assert 'content="0; url=../people/maya-okafor/"' in redirect
        # Privacy: a private person is nowhere, not even in a theme's reach.
        assert not [p for p in site.rglob("*") if p.is_file() and "Quenby" in p.read_text(
            "utf-8", errors="replace")]
        # No comment server configured: no comment section, one line.
        assert "isso" not in story
        assert result.stderr.count("no comment provider is set up") == 1 or \
            result.stdout.count("no comment provider") == 1

    java = require("java")
    vnu = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    checked = subprocess.run(
        [java, "-jar", str(vnu), "--errors-only", "--skip-non-html",
         str(tmp_path / "out" / "people"), str(tmp_path / "out" / "events"),
         str(tmp_path / "out" / "author"), str(tmp_path / "escaped" / "people")],
        capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr

    # Its command line, installed: the console script and python -m.
    check = subprocess.run([str(home / "bin" / "connections"), "check", "-s", "pelicanconf.py"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert re.search(r"connections check: 0 errors", check.stdout)
    usage = subprocess.run([python, "-m", "pelican.plugins.connections", "--help"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)
    assert usage.returncode == 0 and "python -m pelican.plugins.connections" in usage.stdout


def reachable_text(start, limit=300_000):
    """Every string a template could reach from `start` by attributes, keys
    and items (Jinja outside a sandbox reaches `_private` attributes too)."""
    from pelican.settings import DEFAULT_CONFIG  # noqa: F401  (settings hold no names)

    seen, queue, found = set(), [start], []
    while queue and len(seen) < limit:
        obj = queue.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, str):
            found.append(obj)
        elif isinstance(obj, dict):
            queue.extend(k for k in obj if isinstance(k, str))
            queue.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            queue.extend(obj)
        elif type(obj).__module__.split(".")[0] in ("connections", "pelican") and hasattr(
                obj, "__dict__"):
            queue.extend(vars(obj).values())
            for name in ("name", "display_name", "slug", "url"):
                try:
                    queue.append(getattr(obj, name))
                except Exception:  # noqa: BLE001 - a property that needs more context
                    pass
    return found


def test_templates_can_reach_only_what_the_site_may_show(tmp_path, captured):
    """Privacy is decided in Python: from any story (its metadata, people,
    authors, its shared context with every person the build knows), no
    string names a private person or a first-name person's surname."""
    from conftest import SITES

    build_site(SITES / "people" / "content", tmp_path / "out")
    stories = captured["articles"]
    tagged_private = [a for a in stories if "Quenby" in (a.source_path and
                      Path(a.source_path).read_text("utf-8"))]
    assert tagged_private  # the fixture tags her, so the test can fail
    for story in stories:
        texts = reachable_text(story)
        leaks = [t for t in texts if "Quenby" in t or "Hollowell" in t or "Vasquez" in t]
        assert not leaks, (story.source_path, leaks[:3])


def test_each_pelican_setting_the_plugin_changes_is_said_once(caplog):
    """Nothing a vanilla Pelican setting means changes silently: an existing
    blog's build says which settings the plugin changed, once per process
    (`make serve` configures every rebuild), and says nothing of settings it
    leaves as they were."""
    from pelican.settings import DEFAULT_CONFIG

    from connections.configure import configure
    from connections.machinery import content_cache

    content_cache._told.clear()

    def said(**settings):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            configure({**copy.deepcopy(DEFAULT_CONFIG), "PATH": str(PELICAN_TESTS), **settings})
        return [r.getMessage() for r in caplog.records if "changed Pelican settings" in r.getMessage()]

    first = said(CACHE_CONTENT=True)
    assert len(first) == 2, first
    assert "ARTICLE_EXCLUDES += ['people', 'events']" in first[0]
    assert "AUTHOR_SAVE_AS = ''" in first[0]
    assert "CHECK_MODIFIED_METHOD = 'blake2b'" in first[1]
    assert [m for m in said(CACHE_CONTENT=True) if "CHECK_MODIFIED_METHOD" in m] == []  # once
    content_cache._told.clear()
    assert said(CACHE_CONTENT=True, CHECK_MODIFIED_METHOD="sha256", AUTHOR_SAVE_AS="a/{slug}.html",
                ARTICLE_EXCLUDES=["people", "events"], PAGE_EXCLUDES=["people", "events"]) == []
    assert said(CACHE_CONTENT=True, CONNECTIONS_QUIET_ADOPTION=True) == []
