"""The sample site in a real Chromium (Playwright), served from a loopback server.

A reader follows links from the home page to a story, to a person, to an
event and back; moves through the page with the keyboard; and finds no
accessibility violation (axe-core) in light or dark mode, no horizontal
scrolling on a phone, and no request that leaves the site.
"""

import re
from urllib.parse import urljoin, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

# One page of each kind a reader meets (URLs follow pelicanconf.py).
PAGES = {
    "home": "",
    "story": "2025/coffee-with-zoe-at-the-harbour/",
    "archives": "archives/",
    "about": "about/",
    "people": "people/",
    "person": "people/zoe-laurent/",
    "events": "events/",
    "event": "events/nordic-health-summit-2025/",
    "tag": "tag/open-source/",
    "404": "404.html",
}

AXE = Axe()


def open_page(page, server, path):
    response = page.goto(urljoin(server, path))
    assert response is not None and response.ok, f"{path}: {response and response.status}"
    return response


def describe(violations):
    lines = []
    for v in violations:
        targets = [", ".join(node["target"]) for node in v["nodes"][:5]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}\n    on: {targets}")
    return "\n".join(lines)


@pytest.mark.parametrize("name", PAGES)
def test_no_accessibility_violations_in_light_or_dark_mode(page, sample_server, name):
    open_page(page, sample_server, PAGES[name])
    problems = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # media queries follow at once
        assert page.evaluate(
            f"matchMedia('(prefers-color-scheme: {scheme})').matches"
        ), f"the browser is not in {scheme} mode"
        result = AXE.run(page)
        if result.violations_count:
            problems.append(
                f"{name} ({scheme}): axe found {result.violations_count} violations:\n"
                + describe(result.response["violations"])
            )
    assert not problems, "\n".join(problems)


def test_dark_mode_changes_the_colours(page, sample_server):
    """Light and dark are different palettes, not the same page twice."""
    colours = {}
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        open_page(page, sample_server, PAGES["story"])
        colours[scheme] = page.evaluate(
            "[getComputedStyle(document.body).backgroundColor,"
            " getComputedStyle(document.body).color]"
        )
    assert colours["light"] != colours["dark"], colours


def test_from_the_home_page_to_a_story_a_person_an_event_and_back(page, sample_server):
    open_page(page, sample_server, "")
    first = page.locator(".story-card h2 a").first
    title = first.inner_text()
    first.click()
    assert page.locator("main h1").inner_text() == title
    # Take the story with people and events: the one the issue tells of.
    open_page(page, sample_server, "")
    page.get_by_role("link", name="Coffee with Zoë at the harbour", exact=True).click()
    page.wait_for_load_state()
    story_url = page.url
    assert urlsplit(story_url).path == "/" + PAGES["story"]
    assert page.locator("main h1").inner_text() == "Coffee with Zoë at the harbour"

    page.locator(".connections").get_by_role("link", name="Zoë Laurent", exact=True).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/" + PAGES["person"]
    assert page.locator("main h1").inner_text() == "Zoë Laurent"

    page.locator("main section", has=page.get_by_role("heading", name="Events")) \
        .get_by_role("link", name="Nordic Health Summit 2025", exact=True).click()
    page.wait_for_load_state()
    assert urlsplit(page.url).path == "/" + PAGES["event"]
    assert page.locator("main h1").inner_text() == "Nordic Health Summit 2025"
    assert page.locator("main").get_by_role("link", name="Zoë Laurent", exact=True).count() >= 1

    page.locator("main").get_by_role("link", name="Coffee with Zoë at the harbour", exact=True).click()
    page.wait_for_load_state()
    assert page.url == story_url
    page.go_back()
    assert urlsplit(page.url).path == "/" + PAGES["event"]


def test_an_inline_mention_leads_to_the_persons_page(page, sample_server):
    open_page(page, sample_server, PAGES["story"])
    mention = page.locator(".e-content a.mention", has_text="Søren Kjær").first
    mention.click()
    page.wait_for_load_state()
    assert page.locator("main h1").inner_text() == "Søren Kjær"


def focused(page):
    return page.evaluate(
        """() => { const e = document.activeElement;
                   const r = e.getBoundingClientRect();
                   const s = getComputedStyle(e);
                   return {tag: e.tagName, id: e.id, text: e.innerText,
                           cls: e.className, visible: r.width > 0 && r.height > 0
                             && r.right > 0 && r.bottom > 0 && r.left < innerWidth,
                           outline: s.outlineStyle, outlineWidth: s.outlineWidth}; }"""
    )


def test_the_keyboard_reaches_the_skip_link_and_it_skips(page, sample_server):
    open_page(page, sample_server, PAGES["story"])
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["cls"] == "skip-link", f"the first Tab lands on {skip}"
    assert skip["visible"], "the skip link must be visible when it has focus"
    assert skip["outline"] != "none" and skip["outlineWidth"] != "0px", skip
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert focused(page)["id"] == "main", "activating the skip link moves focus to <main>"
    page.keyboard.press("Tab")
    after = page.evaluate(
        "document.querySelector('main').contains(document.activeElement)"
    )
    assert after, f"the next Tab should stay inside <main>, not {focused(page)}"


def test_every_link_shows_where_the_focus_is(page, sample_server):
    open_page(page, sample_server, PAGES["story"])
    seen = 0
    for _ in range(15):
        page.keyboard.press("Tab")
        state = focused(page)
        if state["tag"] == "A":
            seen += 1
            assert state["outline"] != "none", f"no visible focus on {state}"
    assert seen >= 10


@pytest.mark.parametrize("name", ["home", "story", "person", "people", "events", "archives"])
def test_no_horizontal_scrolling_on_a_phone(page, sample_server, name):
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, sample_server, PAGES[name])
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{name} is {widths[0]}px wide in a 375px window"
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
                .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )
    assert not wide, f"{name}: elements overflow the window: {wide}"


def test_no_request_leaves_the_site(page, sample_server):
    origin = urlsplit(sample_server)
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    for path in PAGES.values():
        open_page(page, sample_server, path)
    outside = [
        url for url in requests
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"}
        and urlsplit(url).hostname not in {origin.hostname, "localhost"}
    ]
    assert requests, "the pages made no request at all"
    assert not outside, f"requests left the site: {outside}"
    # The stylesheet really loads (a broken path would make a readable page unstyled).
    assert any(re.search(r"/theme/css/style\.css$", url) for url in requests)
