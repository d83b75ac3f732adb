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
