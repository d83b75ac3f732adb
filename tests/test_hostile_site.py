"""The attack of issue 18, kept as a suite.

tests/sites/hostile/ is a small site whose every author-controlled field
(names, aliases, placeholders, titles, authors, categories, tags, `Id:`,
locations, summaries, link fields) carries markup, quotes, `</script>`,
right-to-left overrides and control characters. It must build, and then:
opened whole in a real Chromium that hovers, focuses and clicks everything
(every non-http link clicked), no dialog opens; every feed and every JSON-LD
block parses; the Nu validator finds nothing; no private name or path is
anywhere in the output.

tests/sites/hostile-refused/ holds what must not be built at all:
`javascript:`/`data:`/`vbscript:` addresses and their obfuscations in every
link field, avatars outside the content's images, `../` slugs, an address
over the length limit, a repeated `Visibility:`. `make check`, the build
and strict publishing each refuse every one of them at its `file:line`,
with no traceback and nothing written.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SITES, build_site, require, static_server

HOSTILE = SITES / "hostile" / "content"
REFUSED = SITES / "hostile-refused" / "content"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

# What the private person's and the first-name person's profiles hide.
HIDDEN = re.compile(r"hushwhisper|vantablack|quillon|rahimzadeh|private-person", re.I)
# Where a browser would run a script from an address.
SCRIPT_SCHEME = re.compile(r"^(?:javascript|data|vbscript):", re.I)


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    return build_site(HOSTILE, tmp_path_factory.mktemp("hostile") / "output",
                      SITE_FEED_JSON="feeds/all.json", PERSON_FEED_JSON="feeds/people/{slug}.json",
                      EVENT_FEED_JSON="feeds/events/{slug}.json")


def pages(site):
    return sorted(p for p in Path(site).rglob("*.html"))


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


# --- what the built files say ----------------------------------------------------


def test_hostile_text_is_shown_as_text(hostile_site):
    (story,) = hostile_site.glob("2024/a-title-quoted*/index.html")
    page = soup(story)
    # The title as written, less the bell (a control no page may carry).
    assert page.find("h1").get_text() == (
        "A title \"quoted\" </script><script>alert('title')</script> \u202etxet\u202c end"
    )
    chips = [a.get_text() for a in page.select("header .connections a")]
    assert "Eve \"Quote\" </script><script>alert('name')</script> O'Hara" in chips
    assert "Dalia" in chips  # first name only
    event = soup(hostile_site / "events/hostile-conf/index.html")
    assert "Hall \"B\" <img src=x onerror=alert('location')>" in event.select_one(".p-location").get_text()
    person = soup(hostile_site / "people/eve-quote/index.html")
    links = [a["href"] for a in person.select(".links a")]
    assert links == [
        "https://example.org/eve?a=1&b='2'", "https://example.org/in/eve#x'y",
        "HTTPS://bsky.example/profile/eve", "mailto:eve@example.org",
    ]


def test_no_element_or_attribute_can_run_a_script(hostile_site):
    problems = []
    for path in pages(hostile_site):
        page = soup(path)
        for element in page.find_all(True):
            for name, value in element.attrs.items():
                if name.startswith("on"):
                    problems.append(f"{path}: <{element.name} {name}=...>")
                values = value if isinstance(value, list) else [value]
                if any(SCRIPT_SCHEME.match(re.sub(r"[\s\x00-\x1f]", "", v)) for v in values):
                    problems.append(f"{path}: <{element.name} {name}={value!r}>")
        for script in page.find_all("script"):
            if script.get("type") == "application/ld+json":
                continue
            assert "alert" not in (script.string or ""), f"{path}: {script}"
    assert problems == []


def test_every_feed_parses_with_the_titles_as_written(hostile_site):
    feeds = sorted(p for p in (hostile_site / "feeds").rglob("*") if p.is_file())
    assert len(feeds) >= 12
    for path in feeds:
        if path.suffix == ".json":  # JSON Feed: feedparser reads it only from a server
            data = json.loads(path.read_text(encoding="utf-8"))
            assert data["version"].startswith("https://jsonfeed.org/version/1"), path
            assert data["items"] and all(i["title"] for i in data["items"]), path
            continue
        parsed = feedparser.parse(str(path))
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version in ("atom10", "rss20"), (path, parsed.version)
        assert parsed.entries, path
    titles = [i["title"] for i in json.loads((hostile_site / "feeds/all.json").read_text())["items"]]
    site = feedparser.parse(str(hostile_site / "feeds/all.atom.xml"))
    assert [e.title for e in site.entries] == titles == [
        "<img src=x onerror=alert('second')> Second \u2067עוד\u2069",
        "A title \"quoted\" </script><script>alert('title')</script> \u202etxet\u202c end",
    ]


def test_every_json_ld_block_parses(hostile_site):
    blocks = 0
    for path in pages(hostile_site):
        for script in soup(path).find_all("script", type="application/ld+json"):
            data = json.loads(script.string)
            assert data["@context"] == "https://schema.org", path
            blocks += 1
    assert blocks >= 5
    (profile,) = [json.loads(s.string) for s in soup(hostile_site / "people/eve-quote/index.html")
                  .find_all("script", type="application/ld+json")]
    assert profile["mainEntity"]["name"] == "Eve \"Quote\" </script><script>alert('name')</script> O'Hara"
    assert "mailto:eve@example.org" not in profile["mainEntity"]["sameAs"]


def test_no_private_name_or_path_anywhere(hostile_site):
    leaks = []
    for path in sorted(Path(hostile_site).rglob("*")):
        if HIDDEN.search(str(path.relative_to(hostile_site))):
            leaks.append(f"file name: {path.relative_to(hostile_site)}")
        if path.is_file():
            for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
                if HIDDEN.search(line):
                    leaks.append(f"{path.relative_to(hostile_site)}:{number}: {line.strip()[:120]}")
    assert leaks == []
    # The private person's link became their placeholder; the pictures of
    # people not public were not copied; the public one's was.
    (story,) = hostile_site.glob("2024/a-title-quoted*/index.html")
    shown = [s.get_text() for s in soup(story).select(".e-content span.mention")]
    assert shown == ["my neighbour"] + ["<b>a \"friend\"</b> </script>"] * 2
    assert sorted(p.name for p in (hostile_site / "images/avatars").iterdir()) == ["eve-quote.svg"]


def test_the_nu_validator_finds_no_error(hostile_site, tmp_path):
    java = require("java")
    if not VNU.is_file():
        pytest.fail(f"{VNU.relative_to(ROOT)} is missing: run `npm ci` (make test does)")
    control = tmp_path / "control"
    control.mkdir()
    (control / "invalid.html").write_text("<!DOCTYPE html><html lang=en><title>x</title>\x01<p><div>x</p>")
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html", str(hostile_site), str(control)],
        capture_output=True, text=True, timeout=300,
    )
    lines = (run.stdout + run.stderr).splitlines()
    assert any(str(control) in line for line in lines), "the validator missed the control page"
    errors = [line for line in lines if str(control) not in line]
    assert errors == [], "\n".join(errors)


# --- in a real Chromium --------------------------------------------------------------

# Every element gets the events a reader's mouse and keyboard would give it,
# every link and field is focused, and every link that does not lead to an
# http(s) page is clicked. Returns what it did, so the test sees it did it.
EXERCISE = """() => {
  const all = [...document.querySelectorAll('body *')];
  const events = ['pointerover', 'pointerenter', 'mouseover', 'mouseenter', 'mousemove',
                  'pointerdown', 'mousedown', 'pointerup', 'mouseup', 'focus', 'focusin',
                  'blur', 'mouseout', 'mouseleave', 'keydown', 'keyup', 'input', 'change'];
  for (const el of all) {
    for (const type of events) el.dispatchEvent(new Event(type, {bubbles: true}));
    if (typeof el.focus === 'function') el.focus();
  }
  return all.length;
}"""

# The links (and forms) that do not lead to an http(s) page.
NOT_HTTP = """() => [...document.querySelectorAll('a[href], area[href], [formaction], form[action]')]
  .filter(el => !/^https?:$/.test(new URL(el.href || el.formAction || el.action || '',
                                          location.href).protocol))"""

BOXES = """() => [...document.querySelectorAll('main a, main img, main h1, main span, main dd')]
  .map(e => e.getBoundingClientRect()).filter(r => r.width && r.height)
  .slice(0, 25).map(r => [r.x + r.width / 2, r.y + r.height / 2])"""


def exercise(page, real_input=True):
    """Hover with the real mouse and Tab through the page (each move or key
    costs a frame, ~20 ms: only with `real_input`), give every element the
    events of EXERCISE, then click each link NOT_HTTP finds, one at a time
    (a javascript: link's script runs after its click, unless another
    click's navigation cancels it). Returns what it did."""
    if real_input:
        for x, y in page.evaluate(BOXES):
            page.mouse.move(x, y)
        for _ in range(min(page.evaluate("document.querySelectorAll('a, [tabindex]').length"), 15)):
            page.keyboard.press("Tab")
    elements = page.evaluate(EXERCISE)
    clicked = page.evaluate(f"() => ({NOT_HTTP})().map(el => el.href || el.action)")
    for i in range(len(clicked)):
        page.evaluate(f"i => ({NOT_HTTP})()[i].click()", i)
        page.wait_for_timeout(30)
    return {"elements": elements, "clicked": clicked}


@pytest.fixture(scope="module")
def hostile_server(hostile_site):
    with static_server(hostile_site) as url:
        yield url


def watch(page):
    """The dialogs and script errors a page opens (dialogs dismissed at once)."""
    seen = []
    page.on("dialog", lambda dialog: (seen.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    page.on("popup", lambda popup: seen.append(f"popup: {popup.url}"))
    return seen


REAL_INPUT = {"people/eve-quote/index.html", "events/hostile-conf/index.html",
              "2024/a-title-quoted-alerttitle-txet-end/index.html"}


@pytest.mark.browser
def test_no_dialog_opens_on_any_page_in_chromium(page, hostile_site, hostile_server):
    # Nothing leaves the machine (the comment server is not running either).
    page.route(re.compile(r"^(?!http://127\.0\.0\.1[:/]).*"), lambda route: route.abort())
    seen = watch(page)
    visited = clicked = 0
    for path in pages(hostile_site):
        rel = path.relative_to(hostile_site).as_posix()
        response = page.goto(hostile_server + rel)
        assert response is not None and response.ok, rel
        # The real mouse and keyboard on one page of each kind (the
        # events they give, every element gets on every page).
        done = exercise(page, real_input=rel in REAL_INPUT)
        assert done["elements"] > 10, rel
        clicked += len(done["clicked"])
        visited += 1
        assert seen == [], f"{rel}: {seen}"
    assert visited >= 15
    assert REAL_INPUT <= {p.relative_to(hostile_site).as_posix() for p in pages(hostile_site)}
    assert clicked >= 3  # the mailto: links were clicked


@pytest.mark.browser
def test_the_same_exercise_catches_a_live_script(page):
    """The control: the routine above does find script in links and handlers."""
    seen = watch(page)
    page.set_content(
        '<!DOCTYPE html><p><a href="javascript:alert(\'href\')">link</a>'
        '<span onmouseover="alert(\'hover\')">hover me</span>'
        '<a href="mailto:x@example.org" onfocus="alert(\'focus\')">mail</a></p>'
    )
    assert exercise(page)["clicked"] == ["javascript:alert('href')", "mailto:x@example.org"]
    assert any("href" in s for s in seen), seen
    assert any("hover" in s for s in seen), seen
    assert any("focus" in s for s in seen), seen


# --- what is refused --------------------------------------------------------------------

# Each refused line: file, line, column and the start of its message.
REFUSALS = [
    ("people/link-attacks.md", 2, 10, "'Website: javascript:alert(document.domain)' is refused and not linked"),
    ("people/link-attacks.md", 3, 11, "'LinkedIn: JaVaScRiPt:alert('linkedin')' is refused"),
    ("people/link-attacks.md", 4, 10, "'Bluesky: java\\u0009script:alert('bluesky')' is refused"),
    ("people/link-attacks.md", 5, 11, "'Mastodon: &#106;avascript:alert('mastodon')' is refused"),
    ("people/link-attacks.md", 6, 9, "'GitHub: data:text/html;base64,"),
    ("people/link-attacks.md", 7, 8, "'Email: javascript:alert('email')//@example.org' is refused"),
    ("people/link-attacks.md", 8, 9, "'Avatar: ../../etc/passwd' is refused"),
    ("people/more-links.md", 2, 10, "'Website: vbscript:msgbox('website')' is refused"),
    ("people/more-links.md", 3, 11, "'LinkedIn: //evil.example/in' is refused"),
    ("people/more-links.md", 4, 10, "'Bluesky: https://example.org/in/eve#</script>' is refused"),
    ("people/more-links.md", 5, 11, "'Mastodon: https://example.org/\\u202eevil' is refused"),
    ("people/more-links.md", 6, 9, "'Avatar: /etc/passwd' is refused: it is an absolute path"),
    ("people/url-avatar.md", 2, 9, "'Avatar: https://evil.example/a.svg' is refused"),
    ("people/outside-avatar.md", 2, 9, "'Avatar: pages/portrait.svg' is refused: it is not inside the folders the site publishes (images/)"),
    ("people/dotted-avatar.md", 2, 9, "'Avatar: images/../pages/portrait.svg' is refused"),
    ("people/twice-visible.md", 3, 1, "'Visibility:' is given twice in this person profile (first on line 2)"),
    ("people/long-slug.md", 2, 7, "'Slug: xxxx"),
    ("events/over-all.md", 2, 7, "'Slug: ../all' is refused"),
    ("events/over-all.md", 4, 6, "'URL: javascript:alert('event')' is refused and not linked"),
    ("events/dot-dot.md", 2, 7, "'Slug: ..' is refused"),
    ("events/dot-dot.md", 4, 6, "'URL: data:text/html,<script>alert(1)</script>' is refused"),
    ("events/up-four.md", 2, 7, "'Slug: ../../../..' is refused"),
    ("stories/long-title.md", 1, 8, "its page address has a part 359 characters long (from its Title:)"),
]


def expected_lines(prefix):
    return [f"{prefix}/{rel}:{line}:{column}: error: {message}" for rel, line, column, message in REFUSALS]


def missing(expected, text):
    return [line for line in expected if line not in text]


def test_make_check_refuses_every_unsafe_link_slug_and_key(tmp_path):
    result = run_connections("check", "pelicanconf.py", tmp_path / "output")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    prefix = str(REFUSED.relative_to(ROOT))
    assert missing(expected_lines(prefix), result.stdout) == [], result.stdout
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert len(errors) == len(REFUSALS), result.stdout
    assert result.stdout.splitlines()[-1].startswith(f"connections check: {len(REFUSALS)} errors")


def run_connections(command, conf, output):
    """`python -m connections build|check` with `conf` (pelicanconf.py or
    publishconf.py) on the refused site, as `make html`, `make publish` and
    `make check` run it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    settings = output.parent / f"refused_{conf}"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        f"from {conf.removesuffix('.py')} import *\n"
        f"PATH = {str(REFUSED)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\nCACHE_PATH = {str(output.parent / 'cache')!r}\n",
        encoding="utf-8",
    )
    where = ["-o", str(output)] if command == "build" else []
    return subprocess.run(
        [sys.executable, "-m", "connections", command, "-s", str(settings), *where],
        capture_output=True, text=True, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("conf", ["pelicanconf.py", "publishconf.py"])
def test_the_build_and_strict_publish_refuse_them_before_writing(tmp_path, conf):
    output = tmp_path / "output"
    output.mkdir()
    # A site an earlier build wrote: the refused event would have replaced its feed.
    (output / "feeds").mkdir()
    (output / "feeds/all.atom.xml").write_text("earlier")
    result = run_connections("build", conf, output)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    prefix = str(REFUSED.relative_to(ROOT))
    assert missing(expected_lines(prefix), result.stderr) == [], result.stderr
    assert "the build stopped before writing anything" in result.stderr
    written = sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())
    assert written in ([], ["feeds/all.atom.xml"]), written  # publishing empties the folder first
    if written:
        assert (output / "feeds/all.atom.xml").read_text() == "earlier"


def test_a_name_or_title_whose_override_never_ends_is_ended_where_it_ends(tmp_path):
    """`Name: Eve \u202eevil` (a right-to-left override never closed) would turn
    around the text printed after the name, wherever it is printed: every
    name and title ends what it opens (control_chars.closed_directions, as
    Jinja's `finalize` and in mentions), in text and in attributes alike."""
    content = tmp_path / "content"
    for rel, text in {
        "people/eve.md": "Name: Eve \u202eevil\n\nEve turns things around.\n",
        "stories/a.md": ("Title: Turned \u202eelat\nDate: 2024-01-01\nTags: \u202eswen\n"
                         "People: Eve \u202eevil\n\nWith @[Eve \u202eevil] today.\n"),
    }.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    out = build_site(content, tmp_path / "output", COMMENTS_PROVIDER="none")
    opened = []
    for page in pages(out):
        doc = soup(page)
        texts = [str(node) for node in doc.find_all(string=True)]
        texts += [v for tag in doc.find_all(True) for v in tag.attrs.values() if isinstance(v, str)]
        for text in texts:
            if "\u202e" in text:
                opened.append(page.relative_to(out).as_posix())
                assert text.count("\u202c") >= text.count("\u202e"), (page, text)
    assert "people/eve-evil/index.html" in opened and "2024/turned-elat/index.html" in opened
    assert len(opened) > 10


@pytest.mark.parametrize("value, printed", [
    ("Eve \u202eevil", "Eve \u202eevil\u202c"),  # an override never ended
    ("a \u202eb\u202c c", "a \u202eb\u202c c"),  # ended: as written
    ("\u2067x \u202ey", "\u2067x \u202ey\u202c\u2069"),  # inside an isolate: both, inner first
    ("\u2067x \u202ey\u2069 z", "\u2067x \u202ey\u2069 z"),  # the isolate's end ends both
    ("x\u2069 \u202c", "x\u2069 \u202c"),  # ends of nothing: kept, nothing added
    ("Zoë Laurent", "Zoë Laurent"),
])
def test_a_printed_value_ends_the_directions_it_opens(value, printed):
    from markupsafe import Markup

    from connections.model.control_chars import closed_directions

    assert closed_directions(value) == printed
    html = closed_directions(Markup(f"<b>{value}</b>"))
    assert isinstance(html, Markup) and html == Markup(f"<b>{value}</b>") + printed[len(value):]
    assert closed_directions(7) == 7 and closed_directions(None) is None
