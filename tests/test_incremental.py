"""Warm builds (Pelican's content cache and the plugin's output cache on)
write exactly what a cold build of the same content writes, and skip the
pages an edit does not touch.

One site is built warm again and again, one edit after another, in the order
below; after each edit its whole output is compared, byte for byte, with a
cold build of the same content into a fresh folder.
"""

import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from conftest import ROOT, build_site
from connections.output.search import byte_stable

WARM = {"LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True}
STORY = "content/stories/a-map-of-the-night-market.md"
STORY_PAGE = "2024/a-map-of-the-night-market/index.html"
OTHER_PAGE = "2023/the-mechanic-at-the-end-of-the-fjord/index.html"


class Site:
    """A copy of the sample site, built warm into one folder."""

    def __init__(self, root):
        self.root = root
        shutil.copytree(ROOT / "content", root / "content")
        shutil.copytree(ROOT / "theme", root / "theme")
        self.out = root / "warm" / "output"
        self.settings = {"THEME": str(root / "theme")}
        self.cold_builds = 0

    def build(self):
        """Build warm; {path: mtime_ns} of the files the build wrote."""
        before = self.stamps()
        build_site(self.root / "content", self.out, **WARM, **self.settings)
        after = self.stamps()
        return {rel for rel, stamp in after.items() if before.get(rel) != stamp}

    def stamps(self):
        if not self.out.exists():
            return {}
        return {
            p.relative_to(self.out).as_posix(): p.stat().st_mtime_ns
            for p in self.out.rglob("*") if p.is_file()
            and not p.relative_to(self.out).as_posix().startswith("pagefind/")
        }

    def cold(self):
        self.cold_builds += 1
        out = self.root / f"cold-{self.cold_builds}" / "output"
        return build_site(self.root / "content", out, **self.settings)

    def edit(self, rel, old, new):
        path = self.root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


def differences(warm, cold):
    """Files that differ or that the cold build has and the warm one lacks."""
    warm_files = {p.relative_to(warm).as_posix() for p in warm.rglob("*") if p.is_file()}
    cold_files = {p.relative_to(cold).as_posix() for p in cold.rglob("*") if p.is_file()}
    # Pagefind's filter and meta indexes vary from build to build (search.py)
    warm_files = {f for f in warm_files if byte_stable(f)}
    cold_files = {f for f in cold_files if byte_stable(f)}
    missing = sorted(cold_files - warm_files)
    different = sorted(
        rel for rel in cold_files & warm_files
        if (warm / rel).read_bytes() != (cold / rel).read_bytes()
    )
    return missing, different, sorted(warm_files - cold_files)


def assert_same_as_cold(site):
    """Same files, same bytes: what the content no longer makes is gone too
    (a deleted story's page, a person's page once they are private)."""
    assert differences(site.out, site.cold()) == ([], [], [])


@pytest.fixture(scope="module")
def warm_site(tmp_path_factory):
    site = Site(tmp_path_factory.mktemp("incremental"))
    wrote = site.build()
    assert STORY_PAGE in wrote and OTHER_PAGE in wrote
    return site


def pages(wrote):
    """What a build wrote, without the static files Pelican copies every time."""
    return {rel for rel in wrote if not rel.startswith(("theme/", "images/"))}


def test_a_build_with_nothing_changed_writes_no_page(warm_site):
    assert pages(warm_site.build()) == set()
    assert_same_as_cold(warm_site)


def test_a_text_edit_renders_the_story_and_its_lists_only(warm_site):
    warm_site.edit(STORY, "I went down to the old quay", "I walked down to the old quay")
    wrote = pages(warm_site.build())
    assert STORY_PAGE in wrote
    assert "feeds/all.atom.xml" in wrote and "feeds/people/chloe-martin.atom.xml" in wrote
    assert OTHER_PAGE not in wrote and "people/bjorn-asgeirsson/index.html" not in wrote
    assert "walked down to the old quay" in (warm_site.out / STORY_PAGE).read_text()
    assert_same_as_cold(warm_site)


def test_a_person_added_to_a_story_is_on_their_page_and_feeds(warm_site):
    warm_site.edit(STORY, "People: Olufemi Adeyemi, Chloé Martin",
                   "People: Olufemi Adeyemi, Chloé Martin, Björn Ásgeirsson")
    wrote = pages(warm_site.build())
    assert {STORY_PAGE, "people/bjorn-asgeirsson/index.html", "people/index.html",
            "feeds/people/bjorn-asgeirsson.atom.xml"} <= wrote
    assert "A map of the night market" in (
        warm_site.out / "people/bjorn-asgeirsson/index.html").read_text()
    assert OTHER_PAGE not in wrote or "Björn" in (warm_site.out / OTHER_PAGE).read_text()
    assert_same_as_cold(warm_site)


def test_a_profile_edit_reaches_every_page_that_shows_it(warm_site):
    warm_site.edit("content/people/bjorn-asgeirsson.md", "He keeps a notebook",
                   "He keeps a battered notebook")
    wrote = pages(warm_site.build())
    assert "people/bjorn-asgeirsson/index.html" in wrote
    assert_same_as_cold(warm_site)


def test_a_person_made_private_disappears_everywhere(warm_site):
    warm_site.edit("content/people/bjorn-asgeirsson.md", "Visibility: public",
                   "Visibility: private")
    warm_site.build()
    assert_same_as_cold(warm_site)
    for page in warm_site.out.rglob("*.html"):
        assert "Ásgeirsson" not in page.read_text(encoding="utf-8"), page


def test_a_new_story_and_a_title_change(warm_site):
    (warm_site.root / "content/stories/a-late-ferry.md").write_text(
        "Title: A late ferry\nDate: 2026-11-01 21:00\nAuthor: Maya Okafor\n"
        "Category: Travel\nPeople: Zoë Laurent\n\n"
        "The last ferry waited for @[Zoë Laurent] and me.\n",
        encoding="utf-8",
    )
    warm_site.edit(STORY, "Title: A map of the night market",
                   "Title: A map of the night market, drawn on a bag")
    wrote = pages(warm_site.build())
    assert "2026/a-late-ferry/index.html" in wrote
    # The page under the old title is gone, as in a cold build.
    assert not (warm_site.out / STORY_PAGE).exists()
    assert_same_as_cold(warm_site)


def test_a_new_tag_renders_the_pages_that_ask_about_it_not_every_story(warm_site):
    """A story page asks `tag_slugs_with_pages` about its own tags only: a
    story with a new tag and a new category renders its own lists, and the
    draft whose tag now has a page (so links it), not every story page."""
    draft = warm_site.root / "content/stories/kites-draft.md"
    draft.write_text("Title: Kites, a draft\nDate: 2026-10-01 10:00\nStatus: draft\n"
                     "Tags: kites\n\nNot yet.\n", encoding="utf-8")
    wrote = pages(warm_site.build())
    draft_page = next(rel for rel in wrote if "kites-a-draft" in rel)
    assert 'rel="tag"' not in (warm_site.out / draft_page).read_text(encoding="utf-8")
    (warm_site.root / "content/stories/kites-on-the-dune.md").write_text(
        "Title: Kites on the dune\nDate: 2026-10-02 10:00\nAuthor: Maya Okafor\n"
        "Category: Kite flying\nTags: kites\n\nThe wind came at noon.\n", encoding="utf-8")
    wrote = pages(warm_site.build())
    assert "2026/kites-on-the-dune/index.html" in wrote and draft_page in wrote
    assert 'rel="tag"' in (warm_site.out / draft_page).read_text(encoding="utf-8")
    assert OTHER_PAGE not in wrote
    assert_same_as_cold(warm_site)
    draft.unlink()
    (warm_site.root / "content/stories/kites-on-the-dune.md").unlink()
    warm_site.build()
    assert_same_as_cold(warm_site)


def test_a_deleted_story_leaves_its_lists(warm_site):
    (warm_site.root / "content/stories/a-late-ferry.md").unlink()
    wrote = pages(warm_site.build())
    assert "index.html" in wrote and "people/zoe-laurent/index.html" in wrote
    assert not (warm_site.out / "2026/a-late-ferry").exists()
    assert_same_as_cold(warm_site)


def test_a_template_edit_renders_the_pages_that_use_it(warm_site):
    template = warm_site.root / "theme/templates/partials/story.html"
    template.write_text(template.read_text(encoding="utf-8").replace(
        '<dl class="connections">', '<dl class="connections edited">'), encoding="utf-8")
    wrote = pages(warm_site.build())
    page = "2025/coffee-with-zoe-at-the-harbour/index.html"
    assert {OTHER_PAGE, page} <= wrote
    assert '<dl class="connections edited">' in (warm_site.out / page).read_text()
    assert "people/index.html" not in wrote
    assert_same_as_cold(warm_site)


def test_a_setting_change_renders_every_page(warm_site):
    warm_site.settings["SITENAME"] = "Meetings & Greetings"
    wrote = pages(warm_site.build())
    assert OTHER_PAGE in wrote and "feeds/all.atom.xml" in wrote
    assert "Meetings &amp; Greetings" in (warm_site.out / OTHER_PAGE).read_text()
    assert_same_as_cold(warm_site)


def test_a_changed_day_moves_events_between_upcoming_and_past(warm_site):
    warm_site.settings["CONNECTIONS_TODAY"] = "2027-12-31"
    wrote = pages(warm_site.build())
    assert "events/index.html" in wrote
    assert_same_as_cold(warm_site)


def test_output_files_deleted_or_edited_by_hand_are_written_again(warm_site):
    (warm_site.out / OTHER_PAGE).unlink()
    feed = warm_site.out / "feeds/all.rss.xml"
    feed.write_text(feed.read_text(encoding="utf-8") + "<!-- hand edit -->", encoding="utf-8")
    wrote = pages(warm_site.build())
    assert {OTHER_PAGE, "feeds/all.rss.xml"} <= wrote
    assert_same_as_cold(warm_site)


def test_the_output_cache_can_be_turned_off(warm_site):
    warm_site.settings["CONNECTIONS_OUTPUT_CACHE"] = False
    wrote = pages(warm_site.build())
    assert OTHER_PAGE in wrote and "feeds/all.atom.xml" in wrote


def _story(text, title="At the pier", lang="en"):
    import datetime

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    return Article(text, metadata={"title": title, "lang": lang,
                                   "date": datetime.datetime(2025, 5, 1, 9, 0)},
                   settings=dict(DEFAULT_CONFIG), context={})


def test_digests_follow_what_a_story_holds_and_end_on_translations():
    from connections.machinery.incremental import Digests

    def digest(text, other_title):
        story, translation = _story(text), _story("<p>Au quai.</p>", other_title, "fr")
        story.translations, translation.translations = [translation], [story]
        return Digests().of([story, translation])

    same = digest("<p>At the pier.</p>", "Au quai")
    assert digest("<p>At the pier.</p>", "Au quai") == same  # stable, and ends
    assert digest("<p>On the pier.</p>", "Au quai") != same
    assert digest("<p>At the pier.</p>", "Sur le quai") != same


def test_values_it_cannot_know_make_the_page_render():
    """An object or a function of code the cache can't see (the settings
    file's, another plugin's) has no digest: the page renders."""
    from connections.machinery.incremental import Digests, Unknown
    from connections.output.structured_data import connections_jsonld

    module = types.ModuleType("userconf")
    exec("def loud(text):\n    return text.upper()\n", module.__dict__)  # noqa: S102
    for value in (object(), module.loud, [1, {"x": module.loud}]):
        with pytest.raises(Unknown):
            Digests().of(value)
    pattern = re.compile(r"\d+")
    assert Digests().of(pattern) == Digests().of(re.compile(r"\d+"))
    assert Digests().of(pattern) != Digests().of(re.compile(r"\w+"))
    assert Digests().of(connections_jsonld) == Digests().of(connections_jsonld)  # ours: by name


# --- what a theme or the settings may bring in ------------------------------


def _edit_theme(site, rel, old, new):
    path = site.root / "theme/templates" / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_theme_that_shows_a_persons_stories_on_every_story_page(tmp_path):
    """A story page that lists what is listed with its people (here: how many
    stories each is in) is rendered again when another story tags them."""
    site = Site(tmp_path)
    _edit_theme(site, "partials/story.html", "{{ person.display_name }}</a></li>",
                "{{ person.display_name }}</a> ({{ person.articles|length }} stories)</li>")
    site.build()
    page = "2025/coffee-with-zoe-at-the-harbour/index.html"
    assert "Zoë Laurent</a> (1 stories)" in (site.out / page).read_text(encoding="utf-8")
    site.edit(STORY, "People: Olufemi Adeyemi, Chloé Martin",
              "People: Olufemi Adeyemi, Chloé Martin, Zoë Laurent")
    assert page in pages(site.build())
    assert "Zoë Laurent</a> (2 stories)" in (site.out / page).read_text(encoding="utf-8")
    assert_same_as_cold(site)


def _filter(body):
    """A Jinja filter as a user writes one in pelicanconf.py: a function of
    the settings module, the same name with new code after an edit."""
    module = sys.modules.setdefault("userconf", types.ModuleType("userconf"))
    exec(f"def loud(text):\n    return {body}\n", module.__dict__)  # noqa: S102
    return module.loud


def test_a_filter_whose_code_changed_renders_the_pages_that_use_it(tmp_path):
    site = Site(tmp_path)
    _edit_theme(site, "article.html", '<h1 class="p-name">{{ article.title }}</h1>',
                '<h1 class="p-name">{{ article.title|loud }}</h1>')
    site.settings["JINJA_FILTERS"] = {"loud": _filter("text.upper()")}
    site.build()
    assert "<h1 class=\"p-name\">COFFEE WITH" in (
        site.out / "2025/coffee-with-zoe-at-the-harbour/index.html").read_text(encoding="utf-8")
    site.settings["JINJA_FILTERS"] = {"loud": _filter("text.upper() + '!'")}
    wrote = pages(site.build())
    assert "2025/coffee-with-zoe-at-the-harbour/index.html" in wrote
    assert_same_as_cold(site)


def test_a_warm_build_in_a_new_process_renders_only_what_an_edit_touches(tmp_path):
    """Fingerprints are the same from one process to the next (Python's
    marshal bytes of a function, say, are not), so a warm `make html` after
    an edit renders the few pages the edit touches, not the whole site."""
    site = Site(tmp_path)
    settings = tmp_path / "warm.py"
    settings.write_text(
        "import runpy\n"
        f"globals().update((k, v) for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
        ".items() if k.isupper())\n"
        f"PATH = {str(site.root / 'content')!r}\nTHEME = {str(site.root / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
        f"CACHE_PATH = {str(tmp_path / 'cache')!r}\nCONNECTIONS_TODAY = '2026-11-25'\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "connections", "build", "-v", "-s", str(settings),
               "-o", str(site.out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}

    def rendered(*flags):
        done = subprocess.run(command + list(flags), env=env, capture_output=True,
                              text=True, check=True)
        counts = re.search(r"connections: (\d+) files rendered, (\d+) unchanged", done.stderr)
        assert counts, done.stderr[-2000:]
        return int(counts.group(1)), int(counts.group(2))

    everything, _ = rendered()
    site.edit(STORY, "I went down to the old quay", "I walked down to the old quay")
    touched, unchanged = rendered()
    assert 0 < touched < everything / 4 and unchanged > everything / 2
    assert "walked down to the old quay" in (site.out / STORY_PAGE).read_text(encoding="utf-8")
    assert rendered("--ignore-cache") == (everything, 0)  # as Pelican's flag: all afresh


def test_a_damaged_content_cache_is_rebuilt_not_a_traceback(tmp_path, caplog):
    """A cache save that fails (Ctrl-C in `make serve` while Pelican writes
    it, or a setting it can't pickle) leaves an empty cache file, which
    Pelican's next build stops on with a traceback; the build says so, and
    reads the stories again instead."""
    site = Site(tmp_path)
    site.build()
    cache = site.root / "warm" / "cache" / "ArticlesGenerator-Readers"
    assert cache.exists()
    cache.write_bytes(b"")  # what a save stopped before its first frame leaves
    site.edit(STORY, "I went down to the old quay", "I walked down to the old quay")
    site.build()
    said = [r.getMessage() for r in caplog.records if "content cache" in r.getMessage()]
    assert len(said) == 1 and "ArticlesGenerator-Readers" in said[0], said
    assert "walked down to the old quay" in (site.out / STORY_PAGE).read_text(encoding="utf-8")
    assert_same_as_cold(site)
    caplog.clear()
    site.build()  # the cache written again is whole
    assert not [r for r in caplog.records if "content cache" in r.getMessage()]


def test_a_setting_the_cache_cannot_hold_never_stops_a_build(tmp_path, caplog):
    """A lambda in JINJA_FILTERS can't be pickled, which stops Pelican's cache
    save with a traceback: the build names the setting, goes on without the
    cache, and every build works."""
    site = Site(tmp_path)
    site.settings["JINJA_FILTERS"] = {"loud": lambda text: text.upper()}
    site.build()
    said = [r.getMessage() for r in caplog.records if "content cache" in r.getMessage()]
    assert said and said[0].startswith("connections: JINJA_FILTERS holds something"), said
    site.edit(STORY, "I went down to the old quay", "I walked down to the old quay")
    site.build()
    assert "walked down to the old quay" in (site.out / STORY_PAGE).read_text(encoding="utf-8")
    assert_same_as_cold(site)


def test_a_text_edit_renders_only_the_pages_of_a_person_near_the_story(tmp_path):
    """A person's pages read their lists one by one (registry.ListRead): a
    story's text edited renders the page of each person it tags that lists
    it, and the pages before and after it (which hold it as their next or
    previous page), not their other pages, whose lists of events, people
    met and stories written are the same."""
    content = tmp_path / "content"
    (content / "people").mkdir(parents=True)
    (content / "people" / "ann-lee.md").write_text("Name: Ann Lee\n\nShe rows.\n", encoding="utf-8")
    (content / "stories").mkdir()
    for n in range(1, 66):  # three pages of 30 stories on her page; the oldest last
        (content / "stories" / f"row-{n:02d}.md").write_text(
            f"Title: Rowing, day {n}\nDate: 2025-01-{1 + n // 24:02d} {n % 24:02d}:00\n"
            f"People: Ann Lee\n\nOn day {n} @[Ann Lee] rowed past the mill.\n", encoding="utf-8")
    site = types.SimpleNamespace(root=tmp_path, out=tmp_path / "warm" / "output", settings={},
                                 cold_builds=0)
    site.stamps = lambda: Site.stamps(site)
    site.build = lambda: Site.build(site)
    site.cold = lambda: Site.cold(site)
    site.build()
    person_pages = sorted(p.relative_to(site.out).as_posix()
                          for p in (site.out / "people" / "ann-lee").rglob("*.html"))
    assert person_pages == ["people/ann-lee/index.html", "people/ann-lee/index2.html",
                            "people/ann-lee/index3.html"]
    oldest = content / "stories" / "row-01.md"  # on her last page
    oldest.write_text(oldest.read_text(encoding="utf-8").replace("rowed past", "rowed slowly past"),
                      encoding="utf-8")
    wrote = pages(site.build())
    assert "2025/rowing-day-1/index.html" in wrote
    assert [p for p in person_pages if p in wrote] == [
        "people/ann-lee/index2.html", "people/ann-lee/index3.html"]
    assert_same_as_cold(site)
