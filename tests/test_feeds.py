"""Feeds: the site's, every person's and every event's, read back as readers do.

A small fixture site (tests/sites/feeds/content) is copied, given one story
with awkward characters, and built once per module with an absolute SITEURL;
every feed it writes is parsed with feedparser, and a real feed reader
(newsboat) fetches two of them over HTTP.
"""

import html
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
from bs4 import BeautifulSoup
import lxml.html
from lxml import etree

from conftest import SITES, build_site, free_port, require, static_server
from connections.output.feeds import absolutize, clean, newest_first, tag_uri

SITEURL = "https://stories.example.org/blog"
HOST = "stories.example.org"
FIXTURE = SITES / "feeds" / "content"

# The awkward story: a control character, an ampersand, a script element and
# non-ASCII letters, in its title and in its body.
TRICKY_TITLE = "Crème brûlée \x07& <script>alert('t')</script> in Łódź"
TRICKY_TITLE_SHOWN = "Crème brûlée & <script>alert('t')</script> in Łódź"
TRICKY_STORY = f"""Title: {TRICKY_TITLE}
Date: 2025-11-30 19:45
Author: Iris Vantongeren
People: Kofi Mensah

Dessert with @[Kofi Mensah]: crème brûlée & coffee in Łódź,\x1b with a bell\x07 in it.

<script>alert("body")</script>

Fish &amp; chips < 3 euros.
"""

# The published stories of the fixture, newest first (drafts are not in feeds).
SITE_ORDER = [
    "A retreat in the snow",
    TRICKY_TITLE_SHOWN,
    "Lanterns over the canal",
    "Notes from the ferry",
    "Tomatoes over the fence",
    "Notes from the allotment",
]
PRIVATE_WORDS = ("Quill", "Harrowgate", "quill-harrowgate")


def make_content(tmp, slug=None, title=None, tricky=True):
    """A copy of the fixture content with the awkward story added."""
    content = tmp / "content"
    shutil.copytree(FIXTURE, content)
    if tricky:
        (content / "stories" / "tricky.md").write_text(TRICKY_STORY, encoding="utf-8")
    if slug or title:
        path = content / "stories" / "lanterns-over-the-canal.md"
        text = path.read_text(encoding="utf-8")
        if title:
            text = text.replace("Title: Lanterns over the canal", f"Title: {title}")
        if slug:
            text = text.replace("Date: 2025-10-04", f"Slug: {slug}\nDate: 2025-10-04")
        path.write_text(text, encoding="utf-8")
    return content


def build(tmp, name, content=None, **settings):
    root = tmp / name
    root.mkdir()
    content = content or make_content(root)
    settings.setdefault("SITEURL", SITEURL)
    settings.setdefault("RELATIVE_URLS", False)
    settings.setdefault("COMMENTS_PROVIDER", "none")  # no comment server here
    return build_site(content, root / "output", **settings)


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    return build(tmp_path_factory.mktemp("feeds"), "site")


def feed_files(output):
    return sorted(p for p in (output / "feeds").rglob("*") if p.is_file())


def parse(path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
    return parsed


def titles(parsed):
    return [e.title for e in parsed.entries]


# --- the small parts ------------------------------------------------------------

def test_clean_drops_characters_xml_forbids_and_keeps_the_rest():
    assert clean("a\x00b\x07c\x1bd\ufffee\tf\ng") == "abcde\tf\ng"
    assert clean("Łódź & <b>") == "Łódź & <b>"


def test_tag_uri_takes_its_day_from_the_identity():
    assert tag_uri("example.org", "2025-03-14T09:30") == "tag:example.org,2025-03-14:2025-03-14T09:30"
    assert tag_uri("example.org", "my story/1") == "tag:example.org,2000-01-01:my%20story/1"


def test_absolutize_resolves_relative_links_against_the_story():
    html = '<a href="#note">n</a> <img src="pic.png"> <a href="https://x.org/">x</a> <a href="mailto:a@b">m</a>'
    assert absolutize(html, "https://s.org/blog/2025/story/") == (
        '<a href="https://s.org/blog/2025/story/#note">n</a> '
        '<img src="https://s.org/blog/2025/story/pic.png"> '
        '<a href="https://x.org/">x</a> <a href="mailto:a@b">m</a>'
    )


def test_absolutize_reads_html_as_a_browser_does():
    """Unquoted and upper-case attributes, srcset candidates and a video's
    poster: all resolved (a regular expression over quoted href/src left
    them relative)."""
    source = (
        '<p><img src=pic.png SRCSET="small.png 480w,/big.png 2x , far.png"> '
        "<a HREF=notes.html>n</a> <video poster=still.jpg src=v.mp4></video> "
        "<a href='//cdn.org/x'>c</a> <img src=\"data:image/png;base64,AA\"></p>"
    )
    got = lxml.html.fragment_fromstring(
        absolutize(source, "https://s.org/blog/2025/story/"), create_parent="div"
    )
    base = "https://s.org/blog/2025/story/"
    assert got.xpath("//img/@src") == [base + "pic.png", "data:image/png;base64,AA"]
    assert got.xpath("//img/@srcset") == [
        f"{base}small.png 480w, https://s.org/big.png 2x, {base}far.png"
    ]
    assert got.xpath("//a/@href") == [base + "notes.html", "//cdn.org/x"]
    assert got.xpath("//video/@poster") == [base + "still.jpg"]
    assert got.xpath("//video/@src") == [base + "v.mp4"]


RAW_HTML_STORY = """Title: Pictures from the quay
Date: 2025-12-01 08:00
Author: Iris Vantongeren

<p><img src=images/quay.png alt=quay srcset="images/quay.png 1x, images/quay-2x.png 2x"></p>

<picture><source srcset=images/quay.webp type=image/webp><img src=/images/q.png alt=q></picture>

A [note](#later) and <a href=../about/>about</a>.
"""


def test_every_link_in_every_feed_is_absolute(tmp_path):
    content = make_content(tmp_path, tricky=False)
    (content / "stories" / "pictures-from-the-quay.md").write_text(RAW_HTML_STORY, encoding="utf-8")
    output = build(tmp_path, "site", content=content)
    checked = 0
    for path in feed_files(output):
        if path.suffix != ".xml":
            continue
        # Read as written (feedparser would resolve relative links itself).
        for el in etree.parse(str(path)).iter(etree.Element):
            if not el.text or "<" not in el.text:
                continue
            root = lxml.html.fragment_fromstring(el.text, create_parent="div")
            links = [link for _, _, link, _ in root.iterlinks()]
            links += [c.split()[0] for v in root.xpath("//@srcset") for c in v.split(",")]
            for link in links:
                assert link.startswith(SITEURL + "/") or urlsplit(link).scheme, (path, link)
                checked += 1
    assert checked > 20
    site = (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    story = f"{SITEURL}/2025/pictures-from-the-quay/"
    assert f'srcset="{story}images/quay.png 1x, {story}images/quay-2x.png 2x"' in html.unescape(site)
    assert f'srcset="{story}images/quay.webp"' in html.unescape(site)
    assert f'src="{story}images/quay.png"' in html.unescape(site)


def test_newest_first_is_stable_for_stories_of_one_minute():
    class Story:
        def __init__(self, date, id_):
            self.date, self.metadata = date, {"id": id_}

    import datetime

    day = datetime.datetime(2025, 1, 1, 9, 0)
    a, b, c = Story(day, "a"), Story(day, "b"), Story(day.replace(hour=10), "c")
    assert newest_first([a, b, c, a]) == [c, b, a]


# --- every feed of a whole site ----------------------------------------------

def test_the_site_person_and_event_feeds_exist_in_both_formats(out):
    names = {p.relative_to(out).as_posix() for p in feed_files(out)}
    expected = {"feeds/all.atom.xml", "feeds/all.rss.xml"}
    for slug in ("iris-vantongeren", "kofi-mensah", "ottilie", "wren-castellano"):
        expected |= {f"feeds/people/{slug}.atom.xml", f"feeds/people/{slug}.rss.xml"}
    for slug in ("lantern-festival-2025", "winter-code-retreat-2026"):
        expected |= {f"feeds/events/{slug}.atom.xml", f"feeds/events/{slug}.rss.xml"}
    assert expected <= names
    assert not [n for n in names if n.endswith(".json")], "JSON Feed is off by default"


def test_every_feed_is_valid_and_complete(out):
    for path in feed_files(out):
        parsed = parse(path)
        tree = etree.fromstring(path.read_bytes())
        if path.name.endswith(".atom.xml"):
            assert parsed.version == "atom10", path
            ns = {"a": "http://www.w3.org/2005/Atom"}
            for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
                assert tree.find(required, ns) is not None, f"{path}: no {required}"
            self_link = tree.find("a:link[@rel='self']", ns).get("href")
            assert self_link == f"{SITEURL}/{path.relative_to(out).as_posix()}"
            for entry in tree.findall("a:entry", ns):
                for required in ("a:id", "a:title", "a:updated", "a:published", "a:link"):
                    assert entry.find(required, ns) is not None, f"{path}: entry without {required}"
        else:
            assert parsed.version == "rss20", path
            channel = tree.find("channel")
            for required in ("title", "link", "description", "lastBuildDate"):
                assert channel.findtext(required), f"{path}: no <{required}>"
            assert channel.findtext("link").startswith(SITEURL + "/")
            for item in channel.findall("item"):
                for required in ("title", "link", "guid", "pubDate", "description"):
                    assert item.findtext(required), f"{path}: item without <{required}>"
                assert item.find("guid").get("isPermaLink") == "false"
        assert parsed.feed.title
        for entry in parsed.entries:
            assert entry.link.startswith(SITEURL + "/"), (path, entry.link)
            assert entry.id.startswith(f"tag:{HOST},"), (path, entry.id)
            assert entry.published_parsed and entry.updated_parsed
            assert re.search(r"[+-]\d\d:?\d\d$", entry.published), "dates carry a time zone"


def test_the_site_feed_holds_every_published_story_newest_first(out):
    for name in ("all.atom.xml", "all.rss.xml"):
        parsed = parse(out / "feeds" / name)
        assert titles(parsed) == SITE_ORDER
    atom = parse(out / "feeds" / "all.atom.xml")
    assert atom.feed.title == "Connection Stories"
    assert atom.feed.link == f"{SITEURL}/"
    assert atom.feed.updated == "2026-01-25T10:00:00+00:00", "the newest entry's date"
    retreat = atom.entries[0]
    assert retreat.published == "2026-01-21T08:00:00+00:00"
    assert retreat.updated == "2026-01-25T10:00:00+00:00", "Modified: is the entry's update"
    assert retreat.link == f"{SITEURL}/2026/a-retreat-in-the-snow/"
    assert retreat.id == f"tag:{HOST},2026-01-21:2026-01-21T08:00"
    assert [a.name for a in retreat.authors] == ["Iris Vantongeren"]
    summer = next(e for e in atom.entries if e.title == "Lanterns over the canal")
    assert summer.published == "2025-10-04T21:15:00+01:00", "TIMEZONE is applied"
    rss = parse(out / "feeds" / "all.rss.xml")
    assert rss.feed.link == f"{SITEURL}/"
    assert rss.entries[0].author_detail.name == "Iris Vantongeren"  # dc:creator


def test_a_persons_feed_holds_the_stories_they_appear_in_and_wrote(out):
    kofi = parse(out / "feeds" / "people" / "kofi-mensah.atom.xml")
    assert kofi.feed.title == "Kofi Mensah · Connection Stories"
    assert kofi.feed.link == f"{SITEURL}/people/kofi-mensah/"
    assert titles(kofi) == [
        TRICKY_TITLE_SHOWN,
        "Lanterns over the canal",
        "Notes from the ferry",  # he wrote it
        "Tomatoes over the fence",
    ]
    iris = parse(out / "feeds" / "people" / "iris-vantongeren.rss.xml")
    assert titles(iris) == SITE_ORDER[:-1], "everything she wrote, and the story she is in"
    wren = parse(out / "feeds" / "people" / "wren-castellano.atom.xml")
    assert wren.entries == [] and wren.feed.title == "Wren Castellano · Connection Stories"


def test_person_and_event_feeds_hold_their_newest_stories_up_to_their_limit(tmp_path):
    limited = build(tmp_path, "limited", CONNECTIONS_ENTITY_FEED_MAX_ITEMS=2, FEED_MAX_ITEMS=3)
    kofi = parse(limited / "feeds" / "people" / "kofi-mensah.atom.xml")
    assert titles(kofi) == [TRICKY_TITLE_SHOWN, "Lanterns over the canal"]
    assert titles(parse(limited / "feeds" / "all.rss.xml")) == SITE_ORDER[:3]
    same = build(tmp_path, "same", CONNECTIONS_ENTITY_FEED_MAX_ITEMS=None, FEED_MAX_ITEMS=3)
    kofi = parse(same / "feeds" / "people" / "kofi-mensah.atom.xml")
    assert titles(kofi) == [TRICKY_TITLE_SHOWN, "Lanterns over the canal", "Notes from the ferry"]


def test_an_events_feed_holds_its_stories(out):
    lanterns = parse(out / "feeds" / "events" / "lantern-festival-2025.rss.xml")
    assert lanterns.feed.title == "Lantern Festival 2025 · Connection Stories"
    assert titles(lanterns) == ["Lanterns over the canal"]
    assert lanterns.feed.link == f"{SITEURL}/events/lantern-festival-2025/"


def test_entries_have_a_category_for_each_person_and_event(out):
    for name in ("all.atom.xml", "all.rss.xml"):
        entries = {e.title: e for e in parse(out / "feeds" / name).entries}
        terms = {t: sorted(tag.term for tag in e.get("tags", [])) for t, e in entries.items()}
        assert terms["Lanterns over the canal"] == ["Kofi Mensah", "Lantern Festival 2025"]
        assert terms["A retreat in the snow"] == ["Ottilie", "Winter Code Retreat 2026"]
        assert terms["Tomatoes over the fence"] == ["Kofi Mensah"], "the private neighbour is no category"
    atom = parse(out / "feeds" / "all.atom.xml")
    lantern = next(e for e in atom.entries if e.title == "Lanterns over the canal")
    schemes = {t.term: t.scheme for t in lantern.tags}
    assert schemes == {"Kofi Mensah": f"{SITEURL}/people/", "Lantern Festival 2025": f"{SITEURL}/events/"}


def test_content_and_summary_links_and_images_are_absolute(out):
    atom = parse(out / "feeds" / "all.atom.xml")
    entry = next(e for e in atom.entries if e.title == "Lanterns over the canal")
    content = entry.content[0].value
    assert f'src="{SITEURL}/images/canal.svg"' in content
    assert f'href="{SITEURL}/people/kofi-mensah/"' in content
    assert f'href="{SITEURL}/events/lantern-festival-2025/"' in content
    assert f'href="{SITEURL}/people/kofi-mensah/"' in entry.summary, "mentions in Summary: too"
    rss = parse(out / "feeds" / "all.rss.xml")
    entry = next(e for e in rss.entries if e.title == "Lanterns over the canal")
    assert f'href="{SITEURL}/people/kofi-mensah/"' in entry.summary
    raw = (out / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
    assert "{filename}" not in raw and "{static}" not in raw
    for value in re.findall(r'(?:href|src)=&quot;(.*?)&quot;', raw):
        assert value.startswith(("https://", "mailto:")), value


def test_a_story_with_control_characters_markup_and_accents_reads_back(out):
    for path in feed_files(out):
        data = path.read_bytes()
        for control in (b"\x07", b"\x1b"):
            assert control not in data, f"{path} carries a control character"
        assert b"<script" not in data, f"{path}: a script element outside escaped text"
    atom = parse(out / "feeds" / "all.atom.xml")
    tricky = atom.entries[1]
    assert tricky.title == TRICKY_TITLE_SHOWN
    assert tricky.title_detail.type == "text/plain"
    assert "crème brûlée &amp; coffee in Łódź, with a bell in it" in tricky.content[0].value
    assert "Fish &amp; chips &lt; 3 euros" in tricky.content[0].value
    rss = parse(out / "feeds" / "all.rss.xml")
    assert rss.entries[1].title == TRICKY_TITLE_SHOWN
    kofi = parse(out / "feeds" / "people" / "kofi-mensah.rss.xml")
    assert kofi.entries[0].title == TRICKY_TITLE_SHOWN


def test_an_id_header_sets_the_entry_id(out):
    atom = parse(out / "feeds" / "all.atom.xml")
    ferry = next(e for e in atom.entries if e.title == "Notes from the ferry")
    assert ferry.id == f"tag:{HOST},2000-01-01:kofi-ferry-notes"


def test_private_people_have_no_feed_and_are_named_in_no_feed(out):
    assert not list((out / "feeds").rglob("*quill*"))
    assert not list((out / "feeds").rglob("*brandvold*")), "a first-name person's feed is under their first name"
    for path in feed_files(out):
        text = path.read_text(encoding="utf-8")
        for word in PRIVATE_WORDS + ("Brandvold",):
            assert word not in text, f"{path} names {word}"
    allotment = next(
        e for e in parse(out / "feeds" / "all.atom.xml").entries if e.title == "Notes from the allotment"
    )
    assert "authors" not in allotment, "a private author is not named"
    assert parse(out / "feeds" / "all.atom.xml").feed.author_detail.name == "Connection Stories"
    tomatoes = next(
        e for e in parse(out / "feeds" / "all.atom.xml").entries if e.title == "Tomatoes over the fence"
    )
    assert "the man next door" in tomatoes.content[0].value
    ottilie = parse(out / "feeds" / "people" / "ottilie.atom.xml")
    assert ottilie.feed.title == "Ottilie · Connection Stories"


def test_a_story_keeps_its_id_when_its_slug_and_title_change(out, tmp_path):
    root = tmp_path / "renamed"
    root.mkdir()
    content = make_content(root, slug="lanterns", title="Lanterns, and a boat that sank")
    renamed = build(tmp_path, "renamed-site", content=content)
    before = {e.link: e.id for e in parse(out / "feeds" / "all.atom.xml").entries}
    after = {e.link: e.id for e in parse(renamed / "feeds" / "all.atom.xml").entries}
    old_link = f"{SITEURL}/2025/lanterns-over-the-canal/"
    new_link = f"{SITEURL}/2025/lanterns/"
    assert old_link in before and new_link in after and old_link not in after
    assert after[new_link] == before[old_link] == f"tag:{HOST},2025-10-04:2025-10-04T21:15"
    rss = parse(renamed / "feeds" / "all.rss.xml")
    entry = next(e for e in rss.entries if e.link == new_link)
    assert entry.id == before[old_link] and entry.title == "Lanterns, and a boat that sank"


def test_two_builds_of_the_same_content_write_the_same_bytes(out, tmp_path):
    again = build(tmp_path, "again")
    first = {p.relative_to(out): p.read_bytes() for p in feed_files(out)}
    second = {p.relative_to(again): p.read_bytes() for p in feed_files(again)}
    assert first.keys() == second.keys()
    changed = [str(name) for name in first if first[name] != second[name]]
    assert not changed, f"feeds differ between two builds: {changed}"


# --- one entry, many feeds -------------------------------------------------------
# A story's entry is serialised once per format and spliced into every feed
# that holds it (feeds.EntryWriter); these check the bytes readers get.

def raw_entries(path):
    """{entry id: the entry's bytes as written} of an Atom or RSS feed."""
    data = path.read_bytes()
    if path.name.endswith(".atom.xml"):
        found = re.findall(rb"  <entry>\n.*?</entry>\n", data, re.S)
        ident = rb"<id>(.*?)</id>"
    else:
        found = re.findall(rb"    <item>\n.*?</item>\n", data, re.S)
        ident = rb"<guid[^>]*>(.*?)</guid>"
    return {re.search(ident, e).group(1): e for e in found}


def test_a_story_in_several_feeds_is_the_same_entry_in_each(out):
    for ext in ("atom.xml", "rss.xml"):
        site = raw_entries(out / "feeds" / f"all.{ext}")
        kofi = raw_entries(out / "feeds" / "people" / f"kofi-mensah.{ext}")
        lanterns = raw_entries(out / "feeds" / "events" / f"lantern-festival-2025.{ext}")
        assert len(site) == len(SITE_ORDER) and len(kofi) == 4 and len(lanterns) == 1
        for ident, entry in {**kofi, **lanterns}.items():
            assert site[ident] == entry, f"{ext}: {ident!r} differs between feeds"
        tricky = next(e for e in kofi.values() if "Łódź".encode() in e)
        assert "crème brûlée &amp;amp; coffee".encode() in tricky, "content escaped once, as XML text"


def test_spliced_feeds_are_the_bytes_feedgen_writes_for_a_whole_feed():
    """Feed.render with EntryWriter fragments against feedgen adding the same
    entries to one FeedGenerator: awkward content included (XML that looks like
    the feed's own end tags, a CDATA end, a carriage return, the stand-in the
    writer uses for content, no summary)."""
    import datetime
    from types import SimpleNamespace

    from feedgen.feed import FeedGenerator

    from connections.output.feeds import CONTENT_MARK, EntryWriter, Feed, _fill

    zone = datetime.timezone(datetime.timedelta(hours=1))
    day = datetime.datetime(2025, 3, 14, 9, 30, tzinfo=zone)

    def entry(n, content, summary="<p>In short.</p>"):
        return SimpleNamespace(
            id=f"tag:example.org,2025-03-14:{n}", title=f"Story {n} & <more>",
            link=f"https://example.org/2025/story-{n}/", published=day, updated=day,
            authors=[{"name": "Zoë Ærø", "uri": "https://example.org/people/zoe/"}],
            categories=[{"term": "Łukasz", "scheme": "https://example.org/people/"},
                        {"term": "HIMSS 2013", "scheme": None}],
            content=content, summary=summary,
        )

    entries = [
        entry(1, "<p>Plain &amp; simple, in Łódź.</p>"),
        entry(2, "<p>x</p></content></entry></feed>\r\n]]></channel></rss>"),
        entry(3, f"<p>{CONTENT_MARK} twice {CONTENT_MARK}</p>"),
        entry(4, "<p>No summary: RSS puts the content in the description.</p>", summary=""),
        entry(5, ""),
    ]
    fields = dict(feed_id="tag:example.org,2000-01-01:feed:site", title="Site & co",
                  description="Stories", page="https://example.org/", updated=day,
                  site="Site & co", language="en")
    for summary_only in (False, True):
        writer = EntryWriter(summary_only)
        fragments = [writer.fragments(e, ["atom", "rss", "json"]) for e in entries]
        feed = Feed(**fields)
        whole = Feed(**fields)._feedgen()
        assert isinstance(whole, FeedGenerator)
        for e in entries:
            _fill(whole.add_entry(order="append"), e, None if summary_only else e.content)
        for fmt in ("atom", "rss"):
            self_url = f"https://example.org/feeds/all.{fmt}.xml"
            spliced = b"".join(feed.render(fmt, self_url, [f[fmt] for f in fragments]))
            whole.link(href=self_url, rel="self", type=f"application/{fmt}+xml", replace=True)
            whole.link(href=fields["page"], rel="alternate", type="text/html")
            expected = (whole.atom_str if fmt == "atom" else whole.rss_str)(
                pretty=True, encoding="UTF-8")
            assert spliced == expected, (fmt, summary_only)
            assert feedparser.parse(spliced).entries[1].title == "Story 2 & <more>"
        data = json.loads(b"".join(feed.render("json", "https://example.org/all.json",
                                               [f["json"] for f in fragments])))
        assert [i["id"] for i in data["items"]] == [e.id for e in entries]
        assert data["items"][1]["content_html"] == (
            entries[1].summary if summary_only else entries[1].content)
        empty = json.loads(b"".join(feed.render("json", "https://example.org/all.json", [])))
        assert empty["items"] == [] and empty["title"] == "Site & co"


# --- settings -------------------------------------------------------------------

@pytest.fixture(scope="module")
def options(tmp_path_factory):
    """JSON Feed on, summaries only, at most two entries per feed."""
    return build(
        tmp_path_factory.mktemp("feed-options"), "site",
        SITE_FEED_JSON="feeds/all.json",
        PERSON_FEED_JSON="feeds/people/{slug}.json",
        EVENT_FEED_JSON="feeds/events/{slug}.json",
        CONNECTIONS_FEED_SUMMARY_ONLY=True,
        FEED_MAX_ITEMS=2,
        CONNECTIONS_FEED_ID_AUTHORITY="ids.example.net",
    )


def test_json_feed_when_turned_on(options):
    data = json.loads((options / "feeds" / "all.json").read_text(encoding="utf-8"))
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert data["title"] == "Connection Stories"
    assert data["home_page_url"] == f"{SITEURL}/"
    assert data["feed_url"] == f"{SITEURL}/feeds/all.json"
    assert [i["title"] for i in data["items"]] == SITE_ORDER[:2]
    atom = parse(options / "feeds" / "all.atom.xml")
    for item, entry in zip(data["items"], atom.entries):
        assert item["id"] == entry.id and item["url"] == entry.link
        assert item["date_published"] and item["content_html"]
    assert data["items"][0]["authors"] == [
        {"name": "Iris Vantongeren", "url": f"{SITEURL}/people/iris-vantongeren/"}
    ]
    assert data["items"][0]["tags"] == ["Ottilie", "Winter Code Retreat 2026"]
    kofi = json.loads((options / "feeds" / "people" / "kofi-mensah.json").read_text(encoding="utf-8"))
    assert kofi["title"] == "Kofi Mensah · Connection Stories"
    assert not list((options / "feeds").rglob("quill*"))
    page = BeautifulSoup((options / "people" / "kofi-mensah" / "index.html").read_text(encoding="utf-8"), "html.parser")
    advertised = [l["href"] for l in page.find_all("link", type="application/feed+json")]
    assert advertised == [f"{SITEURL}/feeds/all.json", f"{SITEURL}/feeds/people/kofi-mensah.json"]


def test_summary_only_and_the_item_cap(options):
    atom = parse(options / "feeds" / "all.atom.xml")
    assert titles(atom) == SITE_ORDER[:2], "FEED_MAX_ITEMS keeps the newest"
    assert atom.feed.updated == "2026-01-25T10:00:00+00:00"
    for entry in atom.entries:
        assert "content" not in entry and entry.summary
        assert entry.id.startswith("tag:ids.example.net,")
    raw = (options / "feeds" / "all.rss.xml").read_text(encoding="utf-8")
    assert "content:encoded" not in raw
    assert "egg timer" in raw, "the summary is the description"


def test_pelicans_own_feed_on_our_path_is_reported(tmp_path, caplog):
    # (Pelican's own feed writer stops at a control character: no tricky story.)
    content = make_content(tmp_path, tricky=False)
    output = build(tmp_path, "clash", content=content, FEED_ALL_ATOM="feeds/all.atom.xml")
    message = next(r.getMessage() for r in caplog.records if "FEED_ALL_ATOM" in r.getMessage())
    assert "SITE_FEED_ATOM" in message and "feeds/all.atom.xml" in message
    assert "python-feedgen" not in (output / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "python-feedgen" in (output / "feeds" / "all.rss.xml").read_text(encoding="utf-8")


def test_a_per_person_path_without_slug_is_reported(tmp_path, caplog):
    output = build(tmp_path, "noslug", PERSON_FEED_RSS="feeds/people.rss.xml")
    assert any("PERSON_FEED_RSS" in r.getMessage() and "{slug}" in r.getMessage() for r in caplog.records)
    assert not (output / "feeds" / "people.rss.xml").exists()
    assert (output / "feeds" / "people" / "kofi-mensah.atom.xml").exists()


# --- pages advertise their feeds ------------------------------------------------

def advertised(output, base):
    """{page: [(type, absolute URL)]} of every HTML page's <link rel=alternate>."""
    found = {}
    for page in sorted(output.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        page_url = urljoin(base, page.relative_to(output).as_posix())
        found[page] = [
            (link.get("type"), urljoin(page_url, link["href"]))
            for link in soup.find_all("link", rel="alternate")
        ]
    return found


def output_file(output, base, url):
    assert url.startswith(base), url
    return output / urlsplit(url).path[len(urlsplit(base).path):]


@pytest.mark.parametrize("which", ["fixture", "sample"])
def test_every_advertised_feed_exists(which, out, sample_site):
    output, base = (out, SITEURL + "/") if which == "fixture" else (sample_site, "http://site.test/")
    pages = advertised(output, base)
    assert len(pages) > 10
    targets = set()
    for page, links in pages.items():
        types = [t for t, _ in links]
        assert "application/atom+xml" in types and "application/rss+xml" in types, page
        for _, url in links:
            target = output_file(output, base, url)
            assert target.is_file(), f"{page} advertises {url}, which was not written"
            targets.add(target)
    assert any("/people/" in t.as_posix() for t in targets), "person pages advertise their feeds"
    assert any("/events/" in t.as_posix() for t in targets), "event pages advertise their feeds"
    for target in targets:
        parse(target)


def test_person_and_event_pages_advertise_and_show_their_own_feeds(out):
    for rel, name in (("people/kofi-mensah", "Kofi Mensah"), ("people/ottilie", "Ottilie"),
                      ("events/lantern-festival-2025", "Lantern Festival 2025")):
        page = BeautifulSoup((out / rel / "index.html").read_text(encoding="utf-8"), "html.parser")
        slug = rel.split("/")[1]
        kind = rel.split("/")[0]
        head = [l["href"] for l in page.head.find_all("link", rel="alternate")]
        assert f"{SITEURL}/feeds/{kind}/{slug}.atom.xml" in head
        assert f"{SITEURL}/feeds/{kind}/{slug}.rss.xml" in head
        follow = page.find(class_="follow")
        assert follow is not None and f"Follow {name}" in follow.get_text(" ", strip=True)
        links = {a.get_text(" ", strip=True): a["href"] for a in follow.find_all("a")}
        assert links == {
            f"Atom feed for {name}": f"{SITEURL}/feeds/{kind}/{slug}.atom.xml",
            f"RSS feed for {name}": f"{SITEURL}/feeds/{kind}/{slug}.rss.xml",
        }
    home = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    footer = {a.get_text(strip=True): a["href"] for a in home.footer.find_all("a")}
    assert footer["Atom feed"] == f"{SITEURL}/feeds/all.atom.xml"
    assert footer["RSS feed"] == f"{SITEURL}/feeds/all.rss.xml"
    assert home.find(class_="follow") is None, "only person and event pages have a Follow block"


# --- a real feed reader ---------------------------------------------------------

def newsboat_titles(tmp, url):
    """The item titles newsboat stores after fetching `url` (its own cache)."""
    work = tmp / re.sub(r"\W+", "-", urlsplit(url).path).strip("-")
    work.mkdir()
    (work / "urls").write_text(url + "\n", encoding="utf-8")
    (work / "config").write_text("", encoding="utf-8")
    subprocess.run(
        [require("newsboat"), "-u", "urls", "-c", "cache.db", "-C", "config",
         "-d", "nb.log", "-l", "4", "-x", "reload"],
        cwd=work, stdin=subprocess.DEVNULL, capture_output=True, timeout=60, check=True,
    )
    log = (work / "nb.log").read_text(encoding="utf-8", errors="replace")
    assert "ERROR" not in log, log[-2000:]
    with sqlite3.connect(work / "cache.db") as db:
        rows = db.execute("select title, url, guid from rss_item order by pubDate desc").fetchall()
    return rows


def test_newsboat_reads_a_persons_feed_and_the_site_feed(tmp_path):
    require("newsboat")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    output = build(tmp_path, "served", SITEURL=base)
    with static_server(output, port=port):
        kofi = newsboat_titles(tmp_path, f"{base}/feeds/people/kofi-mensah.rss.xml")
        site = newsboat_titles(tmp_path, f"{base}/feeds/all.atom.xml")
    assert [t for t, _, _ in kofi] == [
        TRICKY_TITLE_SHOWN, "Lanterns over the canal", "Notes from the ferry", "Tomatoes over the fence",
    ]
    assert [t for t, _, _ in site] == SITE_ORDER
    assert all(u.startswith(base + "/") for _, u, _ in kofi + site)
    assert ("Notes from the ferry" , "tag:127.0.0.1,2000-01-01:kofi-ferry-notes") in {
        (t, g) for t, _, g in kofi
    }


def test_relative_pages_with_feed_domain_give_absolute_feed_links(tmp_path):
    output = build(tmp_path, "relative", SITEURL="", RELATIVE_URLS=True, FEED_DOMAIN=SITEURL)
    atom = parse(output / "feeds" / "people" / "kofi-mensah.atom.xml")
    lantern = next(e for e in atom.entries if e.title == "Lanterns over the canal")
    assert lantern.link == f"{SITEURL}/2025/lanterns-over-the-canal/"
    assert f'src="{SITEURL}/images/canal.svg"' in lantern.content[0].value
    assert f'href="{SITEURL}/people/kofi-mensah/"' in lantern.summary
    page = (output / "people" / "kofi-mensah" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../feeds/people/kofi-mensah.atom.xml"' in page, "pages keep relative links"


def test_the_sample_sites_feeds_name_no_private_person(sample_site):
    from conftest import ROOT

    private = []
    for profile in (ROOT / "content" / "people").glob("*.md"):
        header = dict(
            line.split(":", 1) for line in profile.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
        )
        if header.get("Visibility", "").strip().lower() == "private":
            private.append((profile.stem, header["Name"].strip()))
    assert private, "the sample site shows a private person"
    feeds = feed_files(sample_site)
    assert len(feeds) > 4
    for path in feeds:
        parse(path)
        text = path.read_text(encoding="utf-8")
        for slug, name in private:
            assert slug not in path.name
            for word in [slug, *name.split()]:
                assert word not in text, f"{path} names the private {name}"
