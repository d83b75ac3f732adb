"""Discovery, whole-site (issue 16): what a crawler, a shared link, a reader
of list pages and a calendar see. The fixture tests/sites/discovery has
stories with known overlaps of people, events and tags, a private person
(Wendeline Strandqvist), a first-name person (Ottavio Brancaleone), names of
markup, quotes, backslashes and right-to-left text, dated, undated and
upcoming events, and a draft."""

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from conftest import SITES, build_site

SITE = "https://ex.org"
FIXTURE = SITES / "discovery" / "content"
HIDDEN = re.compile(r"wendeline|strandqvist|brancaleone", re.IGNORECASE)
DANA = 'Dana "<b>Quote</b>" & Co; \\ Ltd'
NOUR = "نور الهدى"
FETE = 'Fête <i>Ö</i> "Q" & ; Night \\ 2025'
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def published(tmp_path_factory, name, **overrides):
    return build_site(
        FIXTURE, tmp_path_factory.mktemp(name) / "output",
        SITEURL=SITE, RELATIVE_URLS=False, COMMENTS_PROVIDER="none",
        DRAFT_SAVE_AS="", DRAFT_URL="", **overrides,
    )


@pytest.fixture(scope="module")
def pub(tmp_path_factory):
    """The fixture built as `make publish` builds: absolute URLs, no drafts."""
    return published(tmp_path_factory, "discovery-published")


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    """The fixture built as `make html` builds: relative URLs, drafts previewed."""
    return build_site(FIXTURE, tmp_path_factory.mktemp("discovery-local") / "output",
                      COMMENTS_PROVIDER="none")


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def story(out, slug):
    return out / "2025" / slug / "index.html"


def meta(page, key):
    tag = page.find("meta", attrs={"property": key}) or page.find("meta", attrs={"name": key})
    return tag["content"] if tag else None


def jsonld(page):
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


PUBLISHED_SLUGS = sorted(
    slugify(m.group(1), regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    for p in (FIXTURE / "stories").glob("*.md")
    if "Status: draft" not in p.read_text(encoding="utf-8")
    for m in [re.search(r"^Title: (.*)$", p.read_text(encoding="utf-8"), re.M)]
)


# --- 1. reach: sitemap, robots, canonical, Open Graph, JSON-LD ---------------------


def test_sitemap_lists_every_published_story_with_lastmod_and_no_draft(pub):
    tree = ElementTree.parse(pub / "sitemap.xml")
    urls = {u.find(f"{SM}loc").text: getattr(u.find(f"{SM}lastmod"), "text", None)
            for u in tree.getroot()}
    stories = {u for u in urls if re.match(rf"{SITE}/2025/[^/]+/$", u)}
    assert stories == {f"{SITE}/2025/{s}/" for s in PUBLISHED_SLUGS}
    assert len(stories) == 7
    assert urls[f"{SITE}/2025/the-anchor-story/"] == "2025-03-12"
    assert not [u for u in urls if "draft" in u]
    # people, events, directories, tags and the about page are there; 404 is not
    for path in ("people/zoe-laurent/", "people/ottavio/", "events/nordic-health-summit-2025/",
                 "people/", "events/", "tag/health/", "about/", ""):
        assert f"{SITE}/{path}" in urls, path
    assert urls[f"{SITE}/people/zoe-laurent/"] == "2025-03-14"  # her newest story
    assert not [u for u in urls if "404" in u]
    # every listed address is a page the build wrote
    for url in urls:
        rel = url[len(SITE) + 1:]
        assert (pub / rel / "index.html").exists() or (pub / rel).is_file(), url


def test_robots_txt_points_at_the_sitemap(pub):
    assert (pub / "robots.txt").read_text() == (
        f"User-agent: *\nAllow: /\n\nSitemap: {SITE}/sitemap.xml\n")


def test_a_local_build_writes_robots_but_no_sitemap_of_relative_addresses(local):
    assert not (local / "sitemap.xml").exists()
    assert "Sitemap:" not in (local / "robots.txt").read_text()
    page = soup(story(local, "the-anchor-story"))
    assert page.find("link", rel="canonical") is None  # a canonical link must be absolute
    assert meta(page, "og:title") == "The anchor story"


def test_story_page_has_canonical_open_graph_and_twitter_card(pub):
    page = soup(story(pub, "the-anchor-story"))
    assert page.find("link", rel="canonical")["href"] == f"{SITE}/2025/the-anchor-story/"
    assert meta(page, "og:url") == f"{SITE}/2025/the-anchor-story/"
    assert meta(page, "og:type") == "article"
    assert meta(page, "og:title") == "The anchor story"
    assert meta(page, "og:description").startswith("On the first morning Zoë Laurent")
    assert meta(page, "og:image") == f"{SITE}/images/harbour.svg"  # its first image
    assert meta(page, "twitter:card") == "summary_large_image"
    # a story without an image shows its author's avatar
    plain = soup(story(pub, "a-walk-with-hana"))
    assert meta(plain, "og:image") == f"{SITE}/images/ines.svg"


def test_every_page_has_json_ld_and_a_title_card(pub):
    missing = []
    for path in sorted(pub.rglob("*.html")):
        page = soup(path)
        blocks = jsonld(page)
        if not blocks and path.name != "404.html":
            missing.append(str(path.relative_to(pub)))
        assert meta(page, "og:title"), path
        assert meta(page, "twitter:card"), path
    assert missing == []
    (index,) = jsonld(soup(pub / "index.html"))
    assert index["@type"] == "Blog"
    assert {p["headline"] for p in index["blogPost"]} >= {"The anchor story"}
    (tag,) = jsonld(soup(pub / "tag/health/index.html"))
    assert tag["@type"] == "CollectionPage" and tag["url"] == f"{SITE}/tag/health/"
    (about,) = jsonld(soup(pub / "about/index.html"))
    assert about["@type"] == "WebPage"


def test_hostile_names_stay_text_in_meta_tags_and_the_sitemap(pub):
    page = soup(pub / "people/dana/index.html")
    assert meta(page, "og:title") == DANA
    assert meta(page, "twitter:title") == DANA
    text = (pub / "people/dana/index.html").read_text(encoding="utf-8")
    assert "<b>Quote" not in text
    event = soup(pub / "events/fete/index.html")
    assert meta(event, "og:title") == FETE
    assert meta(soup(pub / "people/nour/index.html"), "og:title") == NOUR
    ElementTree.parse(pub / "sitemap.xml")  # still well-formed XML


def test_private_and_first_name_people_are_in_no_byte_of_any_output(pub, local):
    for out in (pub, local):
        leaks = [str(p) for p in out.rglob("*")
                 if HIDDEN.search(str(p.relative_to(out)))
                 or (p.is_file() and HIDDEN.search(p.read_bytes().decode("utf-8", "replace")))]
        assert leaks == []


# --- 2. who and where: cards, related stories, older/newer, reading time -----------


def related(out, slug):
    section = soup(story(out, slug)).find("section", class_="related")
    if section is None:
        return []
    return [(li.a.get_text(), " ".join(li.find(class_="why").get_text().split()))
            for li in section.select("li")]


def test_related_stories_rank_shared_people_and_events_before_tags(local):
    assert related(local, "the-anchor-story") == [
        ("Both of them again", "also with Zoë Laurent, Ravi Menon, at Nordic Health Summit 2025"),
        ("Zoë on the last day", "also with Zoë Laurent, at Nordic Health Summit 2025"),
        ("A gathering without a date", "also with Ravi Menon"),
        ("Numbers with Hana", "also tagged health, data"),
    ]
    # A story that shares nothing has no related stories listed.
    assert related(local, "odd-names-at-the-fete") == []
    # The private person tagged in "Both of them again" is never a reason.
    assert all("Wendeline" not in why for _, why in related(local, "zoe-on-the-last-day"))
    # The draft is never related.
    assert "A draft about Zoë" not in [t for t, _ in related(local, "zoe-on-the-last-day")]


def test_story_pages_link_older_and_newer_stories_and_show_reading_time(local):
    page = soup(story(local, "both-of-them-again"))
    nav = page.find("nav", class_="story-nav")
    assert nav.find("a", rel="prev").get_text(" ", strip=True) == "Older story The anchor story"
    assert nav.find("a", rel="next").get_text(" ", strip=True) == "Newer story Zoë on the last day"
    first = soup(story(local, "the-anchor-story")).find("nav", class_="story-nav")
    assert first.find("a", rel="prev") is None
    assert page.find(class_="reading-time").get_text() == "1 min read"


def test_cards_on_every_list_page_show_people_and_events_linked(local):
    pages = [local / "index.html", local / "archives/index.html",
             local / "tag/health/index.html", local / "category/conferences/index.html",
             local / "people/zoe-laurent/index.html",
             local / "events/nordic-health-summit-2025/index.html"]
    for path in pages:
        cards = soup(path).select(".story-card")
        anchor = [c for c in cards if "The anchor story" in c.get_text()]
        if path.parts[-2] == "archives":  # the archives list titles, not cards
            continue
        assert anchor, path
        who = anchor[0].find(class_="card-connections")
        names = [a.get_text(strip=True) for a in who.select("a.card-person")]
        assert names == ["ZLZoë Laurent", "RMRavi Menon", "OOttavio"], path
        assert [a.get_text() for a in who.select("a.card-event")] == ["Nordic Health Summit 2025"]
        target = who.select_one("a.card-person")["href"]
        assert (path.parent / target / "index.html").resolve().exists(), (path, target)
    # the private person's story names the people who may be shown, only
    both = [c for c in soup(local / "index.html").select(".story-card")
            if "Both of them again" in c.get_text()][0]
    assert [a.get_text(strip=True) for a in both.select("a.card-person")] == [
        "ZLZoë Laurent", "RMRavi Menon"]
    # a name of markup stays text, a right-to-left one is isolated
    odd = [c for c in soup(local / "index.html").select(".story-card")
           if "Odd names" in c.get_text()][0]
    assert [b.get_text() for b in odd.select("a.card-person bdi")] == [DANA, NOUR]
    assert odd.select_one("a.card-event").get_text() == FETE


def test_related_stories_scale_linearly(tmp_path):
    """The candidates come from inverted indexes with a window: 4000 stories
    that all share one tag cost each story the window, not 4000 comparisons."""
    import datetime
    import time as clock
    from types import SimpleNamespace

    from connections.output.related import relate

    class Story(SimpleNamespace):
        pass

    def stories(n):
        base = datetime.datetime(2020, 1, 1)
        return [Story(title=f"s{i}", url=f"s{i}/", date=base + datetime.timedelta(hours=i),
                      source_path=f"s{i}.md", people=[], events=[], tags=["common"],
                      _content="a few words") for i in range(n)]

    small, large = stories(1000), stories(4000)
    settings = {"CONNECTIONS_RELATED_MAX": 5, "CONNECTIONS_RELATED_WINDOW": 20}
    relate(small, settings)
    relate(large, settings)
    # the window bounds the work: a shared tag offers the 20 // 5 = 4 stories
    # nearest in time on each side, whichever the size of the tag
    assert all(len(s.discovery["related"]) == 5 for s in large[10:-10])
    nearest = large[2000].discovery["related"]
    assert {r["story"].title for r in nearest} <= {f"s{i}" for i in range(1996, 2005)}
    assert [r["tags"] for r in nearest] == [["common"]] * 5


# --- 3. events in the reader's calendar ---------------------------------------------


def calendars(out):
    import icalendar

    return {p.name: icalendar.Calendar.from_ical(p.read_bytes())
            for p in sorted((out / "calendar").glob("*.ics"))}


def test_every_ics_parses_and_holds_the_right_all_day_dates(pub):
    import datetime

    found = calendars(pub)
    assert set(found) == {"events.ics", "nordic-health-summit-2025.ics",
                          "harbour-meetup-2026.ics", "fete.ics"}  # none for the undated
    every = {str(e["summary"]): e for e in found["events.ics"].walk("VEVENT")}
    assert set(every) == {"Nordic Health Summit 2025", "Harbour Meetup 2026", FETE}
    nhs = every["Nordic Health Summit 2025"]
    assert nhs.decoded("dtstart") == datetime.date(2025, 3, 12)
    assert nhs.decoded("dtend") == datetime.date(2025, 3, 15)  # exclusive: the day after
    assert str(nhs["location"]) == "Harpa, Reykjavík, Austurbakki 2, 101 Reykjavík, Iceland"
    assert str(nhs["url"]) == f"{SITE}/events/nordic-health-summit-2025/"
    assert str(nhs["uid"]) == "event-nordic-health-summit-2025@ex.org"
    (one,) = found["nordic-health-summit-2025.ics"].walk("VEVENT")
    assert str(one["uid"]) == str(nhs["uid"])  # the same UID in both files
    meetup = every["Harbour Meetup 2026"]
    assert str(meetup["location"]) == "Porto; Quay, Hall \\ 2"  # read back as written
    raw = (pub / "calendar/harbour-meetup-2026.ics").read_bytes()
    assert b"LOCATION:Porto\\; Quay\\, Hall \\\\ 2" in raw  # RFC 5545 escaping
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded
    assert b"\r\n" in raw
    fete = every[FETE]
    assert fete.decoded("dtend") == datetime.date(2025, 6, 22)


def test_ics_files_are_the_same_bytes_on_a_second_build(pub, tmp_path_factory):
    again = published(tmp_path_factory, "discovery-again")
    for name in ("events.ics", "fete.ics"):
        assert (pub / "calendar" / name).read_bytes() == (again / "calendar" / name).read_bytes()


def test_event_pages_and_the_directory_link_their_calendar(local):
    page = soup(local / "events/nordic-health-summit-2025/index.html")
    link = page.select_one(".calendar-link a")
    assert link["href"].endswith("calendar/nordic-health-summit-2025.ics")
    assert (local / "events/nordic-health-summit-2025" / link["href"]).resolve().is_file()
    assert soup(local / "events/undated-gathering/index.html").select_one(".calendar-link") is None
    directory = soup(local / "events/index.html")
    assert directory.select_one(".calendar-link a")["href"].endswith("calendar/events.ics")
    # the directory is a timeline: upcoming first, then by year
    headings = [h.get_text() for h in directory.select("main h2")]
    assert headings[0] == "Upcoming" and headings[1] == "2025"


def test_event_json_ld_has_a_place_with_its_address(pub):
    (data,) = jsonld(soup(pub / "events/nordic-health-summit-2025/index.html"))
    assert data["location"] == {"@type": "Place", "name": "Harpa, Reykjavík",
                                "address": "Austurbakki 2, 101 Reykjavík, Iceland"}


# --- 4. search ------------------------------------------------------------------------


def unpacked(out, bundle="pagefind"):
    """Every file of the Pagefind index, its gzip'd fragments decompressed."""
    import gzip

    for path in sorted((out / bundle).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            yield path, gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def test_the_search_index_holds_the_stories_and_never_a_private_name(local):
    texts = {p.name: d.decode("utf-8", "replace") for p, d in unpacked(local)}
    fragments = [t for n, t in texts.items() if n.endswith(".pf_fragment")]
    assert len(fragments) == 7  # the published stories; no draft, no list page
    assert any("zeppelinfish" in t for t in fragments)
    assert not [t for t in fragments if "draftonlyword" in t]
    assert [n for n, t in texts.items() if HIDDEN.search(t)] == []
    filters = "".join(t for n, t in texts.items() if n.endswith(".pf_filter"))
    for value in ("Zoë Laurent", "Ottavio", "Nordic Health Summit 2025", "health", "2025",
                  DANA, NOUR):
        assert value in filters, value
    (entry,) = [json.loads(t) for n, t in texts.items() if n == "pagefind-entry.json"]
    assert entry["languages"]["en"]["page_count"] == 7


def bundles(out):
    return sorted(p.name for p in out.iterdir() if p.name.startswith("pagefind"))


def fragments(out, bundle):
    return [d.decode("utf-8", "replace") for p, d in unpacked(out, bundle)
            if p.name.endswith(".pf_fragment")]


def test_a_large_blogs_index_comes_in_parts_and_an_edit_indexes_its_part_alone(
        tmp_path, monkeypatch, caplog):
    """At scale the index is cut in parts (search.STORIES_PER_PART stories
    each, here 2 for the fixture's 7), which the search page merges: an edit
    re-indexes the part of the story edited, and parts no longer needed go."""
    import logging
    import shutil

    from connections.output import search

    monkeypatch.setattr(search, "STORIES_PER_PART", 2)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none")
    assert bundles(out) == ["pagefind", "pagefind-1", "pagefind-2", "pagefind-3"]
    everywhere = [f for b in bundles(out) for f in fragments(out, b)]
    assert len(everywhere) == 7  # each published story in one part, once
    assert [f for f in everywhere if "zeppelinfish" in f] and not [
        f for f in everywhere if "draftonlyword" in f]
    form = soup(out / "search/index.html").find("form", id="search-form")
    assert form["data-bundle"] == "../pagefind/"
    assert form["data-merge"].split() == ["../pagefind-1/", "../pagefind-2/", "../pagefind-3/"]

    def entries():
        return {b: (out / b / "pagefind-entry.json").stat().st_mtime_ns for b in bundles(out)}

    before = entries()
    story = content / "stories" / "unrelated.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA quokkaword at the end.\n",
                     encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        build_site(content, out, COMMENTS_PROVIDER="none")
    after = entries()
    changed = [b for b in before if after[b] != before[b]]
    assert len(changed) == 1
    assert [b for b in bundles(out) if any("quokkaword" in f for f in fragments(out, b))] == changed
    assert "(1 of 4 parts indexed)" in caplog.text

    for name in ("anchor.md", "both-again.md", "hostile.md"):  # 4 stories left: 2 parts
        (content / "stories" / name).unlink()
    build_site(content, out, COMMENTS_PROVIDER="none")
    assert bundles(out) == ["pagefind", "pagefind-1"]
    assert sum(len(fragments(out, b)) for b in bundles(out)) == 4
    assert soup(out / "search/index.html").find("form", id="search-form")["data-merge"].split() == [
        "../pagefind-1/"]


@pytest.mark.parametrize("workers", [1, 2])
def test_the_parts_left_once_the_site_is_written_are_indexed_on_every_core(
        tmp_path, monkeypatch, workers):
    """While the build writes the rest of the site, one Pagefind indexes the
    parts one after the other; once it is written, the parts left are
    indexed at once, as many as CONNECTIONS_WORKERS, and the index is the
    same whole index."""
    import shutil
    import subprocess
    import threading

    from connections.output import search

    monkeypatch.setattr(search, "STORIES_PER_PART", 2)
    written = threading.Event()  # the rest of the site is written: finish() was called
    real_finish = search.Indexing.finish

    def finish(self):
        written.set()
        return real_finish(self)

    monkeypatch.setattr(search.Indexing, "finish", finish)
    started, most = [], [0]
    real_popen = subprocess.Popen

    def pagefind(command, **kwargs):
        if not started:
            assert written.wait(60)  # the first part waits for the site to be written
        running = [p for p in started if p.poll() is None]
        most[0] = max(most[0], len(running) + 1)
        # A pause first, so that parts indexed at once overlap.
        started.append(real_popen(["sh", "-c", 'sleep 0.5; exec "$0" "$@"'] + command, **kwargs))
        return started[-1]

    monkeypatch.setattr(search.subprocess, "Popen", pagefind)
    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none",
                     CONNECTIONS_WORKERS=workers)
    assert len(started) == 4 and most[0] == workers
    assert bundles(out) == ["pagefind", "pagefind-1", "pagefind-2", "pagefind-3"]
    assert len([f for b in bundles(out) for f in fragments(out, b)]) == 7


def test_the_index_is_made_while_the_rest_is_written_and_a_failed_build_leaves_none(
        tmp_path, monkeypatch):
    """Pagefind starts once the story pages are written and runs while the
    build writes the people, events and feeds; a build that fails after it
    started (here a person page's template) stops Pagefind and leaves no
    part of a new index in the output, and the index of the last good build
    stays as it was."""
    import shutil
    import subprocess

    from jinja2 import TemplateNotFound

    from connections.output import search

    content = tmp_path / "content"
    shutil.copytree(FIXTURE, content)
    out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none")
    good = {p.name: p.stat().st_mtime_ns for p in (out / "pagefind").iterdir()}

    started = []
    real_popen = subprocess.Popen

    def slow_pagefind(command, **kwargs):  # Pagefind still at work when the build fails
        assert (out / "2025").is_dir() and not (out / "people").exists(), (
            "Pagefind starts after the story pages, before the people's")
        started.append(real_popen(["sleep", "60"], **kwargs))
        return started[-1]

    monkeypatch.setattr(search.subprocess, "Popen", slow_pagefind)
    shutil.rmtree(out / "people")
    story = content / "stories" / "unrelated.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nA quokkaword.\n", encoding="utf-8")
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "person.html").write_text('{% include "no-such-part.html" %}', encoding="utf-8")
    with pytest.raises(TemplateNotFound):
        build_site(content, out, COMMENTS_PROVIDER="none",
                   THEME_TEMPLATES_OVERRIDES=[str(templates)])
    assert len(started) == 1 and started[0].poll() is not None  # stopped, not left running
    assert not [p.name for p in out.iterdir() if p.name.startswith(".pagefind")]
    assert {p.name: p.stat().st_mtime_ns for p in (out / "pagefind").iterdir()} == good
    assert not search._running


def test_a_blog_without_stories_has_a_search_page_that_says_so(tmp_path):
    content = tmp_path / "content"
    (content / "pages").mkdir(parents=True)
    (content / "pages" / "about.md").write_text("Title: About\n\nA blog to be.\n",
                                                 encoding="utf-8")
    out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none")
    page = soup(out / "search/index.html")
    assert "There are no stories to search yet." in page.get_text()
    assert page.find("form", id="search-form") is None and not page.find("script", src=re.compile("search"))
    assert bundles(out) == []


# --- 5. the map of connections ------------------------------------------------------


def svg_of(path, css="connection-svg"):
    """The page's inline SVG, parsed as XML (it must be well-formed on its own)."""
    from lxml import etree

    text = Path(path).read_text(encoding="utf-8")
    start = text.index(f'<svg class="{css}')
    end = text.index("</svg>", start) + len("</svg>")
    return etree.fromstring(text[start:end].encode("utf-8"))


SVG = "{http://www.w3.org/2000/svg}"


def test_the_map_draws_people_and_events_with_their_ties(local):
    svg = svg_of(local / "map/index.html")
    names = {a.find(f"{SVG}title").text: a for a in svg.iter(f"{SVG}a")}
    assert set(names) == {"Inês Duarte", "Zoë Laurent", "Ravi Menon", "Ottavio", "Hana Sato",
                          DANA, NOUR, "Nordic Health Summit 2025", FETE,
                          "Undated Gathering", "Harbour Meetup 2026"}
    assert names["Nordic Health Summit 2025"].find(f"{SVG}rect") is not None  # events: squares
    assert names["Zoë Laurent"].find(f"{SVG}circle") is not None  # people: circles
    assert names["Zoë Laurent"].get("href").endswith("people/zoe-laurent/")
    ties = svg.findall(f".//{SVG}line")
    # Zoë, Ravi, Ottavio, Inês (the author), Hana, Dana and Nour pairwise in their
    # stories, and each of them to the events of their stories:
    # people: Inês-Zoë Inês-Ravi Inês-Ottavio Zoë-Ravi Zoë-Ottavio Ravi-Ottavio
    #         Inês-Hana Inês-Dana Inês-Nour Dana-Nour           (10)
    # events: NHS: Inês Zoë Ravi Ottavio; Fête: Inês Dana Nour;
    #         Undated and Meetup: Inês Ravi each                (11)
    assert len(ties) == 21
    assert len([t for t in ties if "tie-met" in t.get("class")]) == 10


def test_the_map_has_a_table_of_the_same_ties_and_no_private_name(local):
    page = soup(local / "map/index.html")
    rows = {tr.th.get_text(strip=True): tr for tr in page.select(".ties-table tbody tr")}
    assert set(rows) == {"Inês Duarte", "Zoë Laurent", "Ravi Menon", "Ottavio", "Hana Sato",
                         DANA, NOUR}
    zoe = rows["Zoë Laurent"].find_all("td")
    assert zoe[0].get_text(" ", strip=True) == "Nordic Health Summit 2025 (3)"
    assert "Ravi Menon (2)" in zoe[1].get_text(" ", strip=True)
    text = (local / "map/index.html").read_text(encoding="utf-8")
    assert not HIDDEN.search(text)
    assert "<b>Quote" not in text and "<i>Ö" not in text


def test_a_person_page_draws_their_neighbourhood(local):
    svg = svg_of(local / "people/zoe-laurent/index.html")
    names = [a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")]
    assert names[0] == "Zoë Laurent"
    assert set(names[1:]) == {"Nordic Health Summit 2025", "Inês Duarte", "Ravi Menon", "Ottavio"}
    assert len(svg.findall(f".//{SVG}line")) == 4
    ottavio = svg_of(local / "people/ottavio/index.html")
    assert not HIDDEN.search(
        (local / "people/ottavio/index.html").read_text(encoding="utf-8"))
    assert [a.find(f"{SVG}title").text for a in ottavio.iter(f"{SVG}a")][0] == "Ottavio"


def test_the_map_is_the_same_drawing_on_every_build(local, tmp_path):
    again = build_site(FIXTURE, tmp_path / "again" / "output", COMMENTS_PROVIDER="none")
    assert (again / "map/index.html").read_bytes() == (local / "map/index.html").read_bytes()


def test_the_map_draws_only_the_most_connected_at_scale(tmp_path):
    """A map of many people keeps CONNECTIONS_MAP_NODES and says so."""
    out = build_site(FIXTURE, tmp_path / "small" / "output", COMMENTS_PROVIDER="none",
                     CONNECTIONS_MAP_NODES=4)
    svg = svg_of(out / "map/index.html")
    names = [a.find(f"{SVG}title").text for a in svg.iter(f"{SVG}a")]
    assert len(names) == 4 and "Inês Duarte" in names and "Nordic Health Summit 2025" in names
    caption = soup(out / "map/index.html").find("figcaption").get_text(" ", strip=True)
    assert "The 4 most connected of 11 are drawn" in caption
    assert len(soup(out / "map/index.html").select(".ties-table tbody tr")) == 7
