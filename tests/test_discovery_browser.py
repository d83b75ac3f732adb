"""Discovery in a real Chromium (Playwright): Pagefind's search finds a story
by a word in it and narrows the results by a person; the search page passes
axe-core and asks no other origin for anything."""

from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import SITES, build_site, static_server

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    out = build_site(SITES / "discovery" / "content",
                     tmp_path_factory.mktemp("discovery-browser") / "output",
                     COMMENTS_PROVIDER="none")
    with static_server(out) as url:
        yield url


@pytest.fixture(scope="module")
def parted_server(tmp_path_factory):
    """The same site with its index in four parts (search.STORIES_PER_PART
    lowered to 2 for the fixture's 7 stories), merged by the search page."""
    from connections.output import search

    kept = search.STORIES_PER_PART
    search.STORIES_PER_PART = 2
    try:
        out = build_site(SITES / "discovery" / "content",
                         tmp_path_factory.mktemp("discovery-parts") / "output",
                         COMMENTS_PROVIDER="none")
    finally:
        search.STORIES_PER_PART = kept
    assert (out / "pagefind-3").is_dir()
    with static_server(out) as url:
        yield url


def results(page):
    page.wait_for_selector("#search-results a.search-result")
    return [a.inner_text() for a in page.locator("#search-results a.search-result").all()]


@pytest.fixture(params=["server", "parted_server"])
def either(request):
    """Each search test runs on the index in one part and in four."""
    return request.getfixturevalue(request.param)


def test_a_word_from_one_story_finds_that_story(page, either):
    server = either
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(urljoin(server, "search/"))
    page.get_by_label("Words to find").fill("zeppelinfish")
    assert results(page) == ["Zoë on the last day"]
    origin = urlsplit(server).netloc
    assert [u for u in requests if urlsplit(u).netloc != origin] == []


def test_filtering_by_a_person_narrows_the_results(page, either):
    server = either
    page.goto(urljoin(server, "search/?q=Inês"))
    # every published story names its author (the draft is not indexed)
    assert len(results(page)) == 7
    assert page.locator("#search-status").inner_text() == "7 stories for “Inês”"
    page.locator("#search-filters label", has_text="Hana Sato").click()
    page.wait_for_function(
        "document.querySelector('#search-status').innerText.startsWith('2 stories')")
    assert sorted(results(page)) == ["A walk with Hana", "Numbers with Hana"]
    # the private person is no filter; the first-name person only by first name
    labels = page.locator("#search-filters label").all_inner_texts()
    assert not [t for t in labels if "Wendeline" in t or "Brancaleone" in t]
    assert any(t.startswith("Ottavio") for t in labels)
    # a name of markup is a label's text, never markup
    assert any(t.startswith('Dana "<b>Quote</b>" & Co; \\ Ltd') for t in labels), labels
    assert page.locator("#search-filters b").count() == 0


def test_the_search_page_passes_axe_and_story_pages_load_none_of_it(page, server):
    page.goto(urljoin(server, "search/?q=Zoë"))
    results(page)
    found = Axe().run(page)
    assert found.violations_count == 0, found.generate_report()
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(urljoin(server, "2025/the-anchor-story/"))
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "pagefind" in u]


@pytest.mark.parametrize("path", ["map/", "people/zoe-laurent/", "2025/the-anchor-story/",
                                  "events/"])
def test_the_map_neighbourhood_related_and_calendar_pass_axe(page, server, path):
    page.goto(urljoin(server, path))
    found = Axe().run(page)
    assert found.violations_count == 0, found.generate_report()


def test_done_when_on_the_sample_site(page, sample_server):
    """From the home page to everyone Zoë Laurent met, to the event where they
    met, to its calendar entry; and any story by a word in it; nothing asked
    of another origin."""
    import icalendar

    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(sample_server)
    page.locator(".card-connections a", has_text="Zoë Laurent").first.click()
    page.wait_for_url("**/people/zoe-laurent/")
    met = page.locator("#neighbourhood").locator("xpath=..")
    assert met.locator("a[aria-label^='Nordic Health Summit 2025']").count() == 1
    page.locator("#was-at").locator("xpath=..").get_by_role(
        "link", name="Nordic Health Summit 2025").click()
    page.wait_for_url("**/events/nordic-health-summit-2025/")
    href = page.locator(".calendar-link a").get_attribute("href")
    response = page.request.get(urljoin(page.url, href))
    assert response.ok
    (event,) = icalendar.Calendar.from_ical(response.body()).walk("VEVENT")
    assert str(event["summary"]) == "Nordic Health Summit 2025"
    page.get_by_role("link", name="Search").click()
    page.wait_for_url("**/search/")
    page.get_by_label("Words to find").fill("thermos")
    assert "Coffee with Zoë at the harbour" in results(page)
    # this machine only: the site, and the local comment server's counts
    assert [u for u in requests if urlsplit(u).hostname != "127.0.0.1"] == []


def test_names_and_titles_of_markup_are_text_in_search_results(page, tmp_path):
    """Pagefind's UI inserts filter labels and titles as HTML: the theme
    escapes them for it (partials/search_filters.html)."""
    out = build_site(SITES / "hostile-names" / "content", tmp_path / "output",
                     COMMENTS_PROVIDER="none")
    alerts = []
    page.on("dialog", lambda d: (alerts.append(d.message), d.dismiss()))
    with static_server(out) as url:
        page.goto(urljoin(url, "search/?q=today"))
        assert results(page) == ['Names that try to break out <script>alert("title")</script>']
        labels = page.locator("#search-filters label").all_inner_texts()
        assert any(t.startswith("Eve </script><script>alert(1)</script>") for t in labels), labels
        assert page.locator("main script, main b, main img").count() == 0
    assert alerts == []
