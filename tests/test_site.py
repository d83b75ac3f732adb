"""The shipped sample site, built with Pelican and read back as a reader sees it.

What a page should contain is derived from the content files themselves
(each story's header, each profile), never from a hard-coded list, so these
tests keep holding when an author adds or edits a story.
"""

import datetime as dt
import html
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

import pelicanconf
from conftest import ROOT
from connections.build import build, load_settings

CONTENT = ROOT / "content"
PUBLISH_SITEURL = "https://stories.example.test"


# --- reading the sources ------------------------------------------------------

def read_source(path):
    """A content file's header (lower-case keys) and its Markdown body."""
    header, lines = {}, path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip():
            return header, "\n".join(lines[number + 1:])
        key, sep, value = line.partition(":")
        assert sep, f"{path}:{number + 1}: not a 'Key: value' header line"
        header[key.strip().lower()] = value.strip()
    return header, ""


def slug(text):
    """Pelican's default slug for a title, tag or category."""
    return slugify(text, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


def split_names(value):
    return [name.strip() for name in (value or "").split(",") if name.strip()]


class Story:
    def __init__(self, path):
        self.path = path
        self.header, self.body = read_source(path)
        self.title = self.header["title"]
        self.date = dt.datetime.fromisoformat(self.header["date"])
        self.slug = self.header.get("slug") or slug(self.title)
        self.draft = self.header.get("status", "published").lower() == "draft"
        self.author = self.header["author"]
        self.tags = split_names(self.header.get("tags"))
        self.category = self.header.get("category")
        self.people = split_names(self.header.get("people"))
        self.events = split_names(self.header.get("events"))

    @property
    def save_as(self):
        return pelicanconf.ARTICLE_SAVE_AS.format(date=self.date, slug=self.slug)

    def __repr__(self):
        return f"<{self.path.name}>"


class Profile:
    def __init__(self, path):
        self.path = path
        self.header, self.body = read_source(path)
        self.name = self.header["name"]
        self.aliases = split_names(self.header.get("aliases"))
        self.visibility = self.header.get("visibility", "public").lower()

    def answers_to(self, name):
        wanted = name.casefold()
        return wanted in {n.casefold() for n in [self.name, self.path.stem, *self.aliases]}

    @property
    def display_name(self):
        return self.name.split()[0] if self.visibility == "first-name" else self.name

    @property
    def bio_text(self):
        return text_of(markdown.markdown(self.body))


STORIES = [Story(p) for p in sorted((CONTENT / "stories").glob("*.md"))]
PUBLISHED = [s for s in STORIES if not s.draft]
DRAFTS = [s for s in STORIES if s.draft]
PEOPLE = [Profile(p) for p in sorted((CONTENT / "people").glob("*.md"))]
EVENTS = [Profile(p) for p in sorted((CONTENT / "events").glob("*.md"))]


def profile_for(name, profiles):
    matches = [p for p in profiles if p.answers_to(name)]
    return matches[0] if len(matches) == 1 else None


# --- reading the output -------------------------------------------------------

def text_of(markup):
    soup = markup if hasattr(markup, "get_text") else BeautifulSoup(markup, "html.parser")
    return " ".join(html.unescape(soup.get_text(" ")).split())


def soup_of(path):
    assert path.is_file(), f"{path} was not written"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def main_of(path):
    main = soup_of(path).find("main")
    assert main is not None, f"{path} has no <main>"
    return main


def html_files(output):
    return sorted(output.rglob("*.html"))


def site_url_of(path, output):
    """The URL path a file is served at ("/2025/x/" for 2025/x/index.html)."""
    rel = path.relative_to(output).as_posix()
    return "/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def target_file(url_path, output):
    """The output file a URL path resolves to, or None."""
    path = output / unquote(url_path).lstrip("/")
    if url_path.endswith("/") or path.is_dir():
        path = path / "index.html"
    return path if path.is_file() else None


def linked_titles(container, output, page):
    """(title, target file) for each story link in a list of story cards or links."""
    base = "http://site" + site_url_of(page, output)
    result = []
    for a in container.select("a[href]"):
        href = urlsplit(urljoin(base, a["href"]))
        if href.netloc == "site":
            result.append((text_of(a), target_file(href.path, output)))
    return result


def index_pages(output):
    """The index page and every page it paginates to, in order."""
    pages, page = [], output / "index.html"
    while page is not None:
        pages.append(page)
        nxt = soup_of(page).select_one('a[rel="next"]')
        page = None
        if nxt is not None:
            href = urlsplit(urljoin("http://site" + site_url_of(pages[-1], output), nxt["href"]))
            page = target_file(href.path, output)
            assert page is not None, f"{pages[-1]}: its 'next' link leads nowhere"
    return pages


# --- a published build (publishconf.py) ---------------------------------------

@pytest.fixture(scope="module")
def published_site(tmp_path_factory):
    """The sample site built with publishconf.py: absolute URLs, drafts not saved."""
    base = tmp_path_factory.mktemp("published")
    settings = load_settings(
        str(ROOT / "publishconf.py"),
        overrides={
            "PATH": str(CONTENT),
            "OUTPUT_PATH": str(base / "output"),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "CACHE_PATH": str(base / "cache"),
            "SITEURL": PUBLISH_SITEURL,
            "FEED_DOMAIN": PUBLISH_SITEURL,
            "CONNECTIONS_TODAY": "2026-11-25",
            # publishconf.py already sets these; repeated so this test keeps
            # checking the draft rule even if publishconf.py changes.
            "DRAFT_SAVE_AS": "",
            "DRAFT_URL": "",
        },
    )
    build(settings)
    return base / "output"


# --- the tests ----------------------------------------------------------------

def test_the_sample_content_has_what_these_tests_need():
    assert len(PUBLISHED) >= 8, "the sample site ships at least 8 published stories"
    assert len({s.author for s in PUBLISHED}) >= 2, "at least 2 authors"
    assert DRAFTS, "the sample site ships one draft (the draft tests need it)"
    assert any(not s.people and "@[" not in s.body for s in PUBLISHED), (
        "one published story mentions nobody"
    )


@pytest.mark.parametrize("story", PUBLISHED, ids=lambda s: s.path.stem)
def test_every_published_story_has_its_page(sample_site, story):
    page = sample_site / story.save_as
    soup = soup_of(page)
    assert text_of(soup.find("main").find("h1")) == story.title
    assert story.title in soup.title.get_text()
    meta = text_of(soup.select_one("main .meta"))
    assert f"{story.date.day} {story.date:%B %Y}" in meta, meta
    assert story.author in meta, meta


def test_the_draft_is_only_previewed_under_drafts(sample_site):
    for draft in DRAFTS:
        preview = sample_site / "drafts" / f"{draft.slug}.html"
        assert preview.is_file(), f"Pelican's draft preview {preview} is missing"
        assert not (sample_site / draft.save_as).exists(), f"{draft} was published"
        leaks = [
            str(p.relative_to(sample_site))
            for p in html_files(sample_site)
            if p.parent.name != "drafts"
            and (draft.title in p.read_text(encoding="utf-8")
                 or f"/{draft.slug}" in p.read_text(encoding="utf-8"))
        ]
        assert not leaks, f"the draft {draft.title!r} shows on: {leaks}"


@pytest.mark.parametrize("story", DRAFTS, ids=lambda s: s.path.stem)
def test_the_draft_is_on_no_list_page(sample_site, story):
    """Index, archives, tag, category, and the pages of its people and events."""
    pages = [*index_pages(sample_site), sample_site / "archives" / "index.html"]
    pages += [sample_site / "tag" / slug(t) / "index.html" for t in story.tags]
    pages += [sample_site / "category" / slug(story.category) / "index.html"]
    for name in story.people:
        profile = profile_for(name, PEOPLE)
        if profile and profile.visibility == "public":
            pages.append(sample_site / "people" / profile.path.stem / "index.html")
    for name in story.events:
        profile = profile_for(name, EVENTS)
        if profile:
            pages.append(sample_site / "events" / profile.path.stem / "index.html")
    for page in pages:
        if page.exists():
            assert story.title not in page.read_text(encoding="utf-8"), page


def test_a_published_build_has_no_trace_of_the_draft(published_site):
    assert (published_site / "index.html").is_file()
    assert not (published_site / "drafts").exists()
    for draft in DRAFTS:
        leaks = [
            str(p.relative_to(published_site))
            for p in published_site.rglob("*")
            if p.is_file() and p.suffix in {".html", ".xml", ".json", ".txt"}
            and draft.title in p.read_text(encoding="utf-8")
        ]
        assert not leaks, f"the draft {draft.title!r} was published in: {leaks}"


@pytest.mark.parametrize("story", PUBLISHED, ids=lambda s: s.path.stem)
def test_the_author_box_shows_the_authors_bio(sample_site, story):
    author = profile_for(story.author, PEOPLE)
    assert author is not None, f"{story.path}: no profile in content/people for {story.author}"
    box = main_of(sample_site / story.save_as).select_one(".author-box")
    assert box is not None, f"{story.save_as} has no author box"
    shown = text_of(box)
    assert "About the author" in shown
    assert author.display_name in shown
    assert author.bio_text and author.bio_text in shown, shown
    link = box.find("a", string=re.compile(re.escape(author.display_name)))
    assert link is not None, "the author box links to the author's page"
    assert (sample_site / story.save_as).parent.joinpath(link["href"]).resolve().joinpath(
        "index.html").is_file()


def test_the_index_lists_stories_newest_first(sample_site):
    shown = []
    for page in index_pages(sample_site):
        shown += [text_of(h) for h in main_of(page).select(".story-card .p-name")]
    expected = [s.title for s in sorted(PUBLISHED, key=lambda s: s.date, reverse=True)]
    assert shown == expected


def test_the_index_shows_summary_date_author_and_comment_link(sample_site):
    cards = main_of(sample_site / "index.html").select(".story-card")
    newest = max(PUBLISHED, key=lambda s: s.date)
    card = text_of(cards[0])
    assert newest.header["summary"] in card
    assert newest.author in card
    assert f"{newest.date:%B %Y}" in card
    count = cards[0].select_one("a.comment-count")
    assert count is not None, "each story in the list links to its comments"
    assert f"/{newest.slug}/#" in count["href"], count["href"]


def test_the_archives_list_every_published_story(sample_site):
    page = sample_site / "archives" / "index.html"
    links = dict(linked_titles(main_of(page), sample_site, page))
    for story in PUBLISHED:
        assert story.title in links, f"the archives do not list {story.title!r}"
        assert links[story.title] == sample_site / story.save_as
    assert not {s.title for s in DRAFTS} & set(links)


def test_every_tag_and_category_has_a_page_listing_its_stories(sample_site):
    by_page = {}
    for story in PUBLISHED:
        for tag in story.tags:
            by_page.setdefault(("tag", tag), []).append(story)
        by_page.setdefault(("category", story.category), []).append(story)
    for (kind, name), stories in by_page.items():
        page = sample_site / kind / slug(name) / "index.html"
        main = main_of(page)
        assert name.casefold() in text_of(main.find("h1")).casefold()
        titles = {title for title, _ in linked_titles(main, sample_site, page)}
        for story in stories:
            assert story.title in titles, f"{page} does not list {story.title!r}"
    for kind in ("tag", "category"):
        directory = sample_site / kind / "index.html"
        listed = {t.casefold() for t, _ in linked_titles(main_of(directory), sample_site, directory)}
        names = {n for k, n in by_page if k == kind}
        assert all(any(n.casefold() in entry for entry in listed) for n in names), listed


def test_the_about_page(sample_site):
    header, body = read_source(CONTENT / "pages" / "about.md")
    page = sample_site / "about" / "index.html"
    main = main_of(page)
    assert text_of(main.find("h1")) == header["title"]
    first_paragraph = text_of(markdown.markdown(body.strip().split("\n\n")[0]))
    assert first_paragraph in text_of(main)
    nav = soup_of(sample_site / "index.html").select_one("nav")
    assert nav.find("a", string=header["title"]), "the menu links to the about page"


def test_the_404_page(sample_site):
    soup = soup_of(sample_site / "404.html")
    assert "not found" in soup.title.get_text().casefold()
    main = soup.find("main")
    assert main.find("h1")
    assert main.find("a", string=re.compile("latest stories")), "the 404 page leads home"


def test_the_people_directory_lists_everyone_named(sample_site):
    main = main_of(sample_site / "people" / "index.html")
    listed = {text_of(a) for a in main.select(".directory a")}
    named = {s.author for s in PUBLISHED} | {n for s in PUBLISHED for n in s.people}
    expected, hidden = set(), set()
    for name in named:
        profile = profile_for(name, PEOPLE)
        if profile is None:
            expected.add(name)
        elif profile.visibility == "private":
            hidden.add(profile.name)
        else:
            expected.add(profile.display_name)
            if profile.visibility == "first-name":
                hidden.add(profile.name)
    assert expected <= listed, f"missing from the people directory: {expected - listed}"
    text = text_of(main)
    for name in hidden:
        assert name not in text, f"{name!r} must not be shown (Visibility)"
    for private in (p for p in PEOPLE if p.visibility == "private"):
        assert private.display_name not in listed


def test_the_events_directory_lists_every_event(sample_site):
    main = main_of(sample_site / "events" / "index.html")
    listed = {text_of(a) for a in main.select(".directory a")}
    for story in PUBLISHED:
        for name in story.events:
            profile = profile_for(name, EVENTS)
            shown = profile.name if profile else name
            assert shown in listed, f"{story.path}: event {shown!r} not in the events directory"
            event_slug = profile.path.stem if profile else slug(name)
            event_page = sample_site / "events" / event_slug / "index.html"
            event = main_of(event_page)
            assert text_of(event.find("h1")) == shown
            titles = {t for t, _ in linked_titles(event, sample_site, event_page)}
            assert story.title in titles, f"{event_page} does not list {story.title!r}"


def check_links(output, site_url=""):
    """Every internal href/src of every page names a file, and its #anchor an id there."""
    ids = {}

    def ids_of(path):
        if path not in ids:
            soup = soup_of(path)
            ids[path] = {t["id"] for t in soup.find_all(id=True)} | {
                t["name"] for t in soup.find_all("a", attrs={"name": True})}
        return ids[path]

    broken = []
    for page in html_files(output):
        base = "http://site" + site_url_of(page, output)
        for tag in soup_of(page).find_all(["a", "link", "img", "script", "source"]):
            ref = tag.get("href") or tag.get("src")
            if not ref:
                continue
            if site_url and ref.startswith(site_url):
                ref = ref[len(site_url):] or "/"
            url = urlsplit(urljoin(base, ref))
            if url.netloc != "site":
                continue  # an external link or mailto:, not ours to check
            target = target_file(url.path, output)
            where = f"{page.relative_to(output)}: <{tag.name} {ref}>"
            if target is None:
                broken.append(f"{where}: no such file")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids_of(target):
                broken.append(f"{where}: no id {url.fragment!r} in {target.relative_to(output)}")
    return broken


def test_no_page_links_to_a_missing_file_or_anchor(sample_site):
    broken = check_links(sample_site)
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_no_published_page_links_to_a_missing_file_or_anchor(published_site):
    broken = check_links(published_site, site_url=PUBLISH_SITEURL)
    assert not broken, "broken links:\n" + "\n".join(broken)
    # The absolute URLs really are absolute: the site can be served from its domain.
    story = published_site / PUBLISHED[0].save_as
    assert f'href="{PUBLISH_SITEURL}/' in story.read_text(encoding="utf-8")
