"""People and events, whole-site: fixture sites built with Pelican and read back."""

import json
import re
import subprocess
import sys
from pathlib import Path

import mf2py
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SITES, build_site
from connections.diagnostics import ContentError
from connections.output.search import byte_stable


@pytest.fixture(scope="module")
def people_site(tmp_path_factory):
    return build_site(SITES / "people" / "content", tmp_path_factory.mktemp("people") / "output")


def soup(path):
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def titles(page, heading_id):
    """Story titles listed in the section a heading opens."""
    section = page.find(id=heading_id).find_parent("section")
    return [h.get_text(strip=True) for h in section.select(".story-card .p-name, .story-links a")]


def chips(page, heading_id):
    section = page.find(id=heading_id).find_parent("section")
    return [a.get_text(strip=True) for a in section.select(".chips a")]


def jsonld(page):
    return [json.loads(s.string) for s in page.find_all("script", type="application/ld+json")]


def html_files(output):
    return sorted(p for p in Path(output).rglob("*.html"))


# --- pages ----------------------------------------------------------------------


def test_person_page_lists_stories_events_and_connections(people_site):
    page = soup(people_site / "people/ada-brennan/index.html")
    assert page.find("h1").get_text(strip=True) == "Ada Brennan"
    assert "Ada organises the harbour meetups" in page.select_one(".bio").get_text()
    assert titles(page, "appears") == ["First morning at the congress"]
    assert titles(page, "wrote") == ["A quiet walk", "The second day"]  # newest first
    assert chips(page, "was-at") == ["Harbour Congress 2024", "Riverside Meetup"]
    connected = chips(page, "connected")
    assert connected[0] == "Jonas Lindqvist"  # in both stories with her
    assert "Zoë Laurent" in connected and "Ottoline" in connected
    assert not any("neighbour" in c or "Quenby" in c for c in connected)


def test_aliases_and_accents_tag_the_same_person(people_site):
    page = soup(people_site / "people/jose-alvarez/index.html")
    assert titles(page, "appears") == ["The second day", "First morning at the congress"]


def test_author_is_a_person_with_one_page(people_site):
    story = soup(people_site / "2024/first-morning-at-the-congress/index.html")
    author_links = {a["href"] for a in story.select(".p-author")}
    assert author_links == {"../../people/jonas-lindqvist/"}
    assert not (people_site / "author").exists()
    page = soup(people_site / "people/jonas-lindqvist/index.html")
    assert titles(page, "wrote") == ["First morning at the congress"]
    assert titles(page, "appears") == ["The second day"]


def test_event_page(people_site):
    page = soup(people_site / "events/harbour-congress-2024/index.html")
    assert page.find("h1").get_text(strip=True) == "Harbour Congress 2024"
    when = page.select_one(".event-when")
    assert when.select_one(".dt-start")["datetime"] == "2024-03-05"
    assert when.select_one(".dt-end")["datetime"] == "2024-03-07"
    assert "Pier 4, Porto" in when.get_text()
    assert titles(page, "from") == ["The second day", "First morning at the congress"]
    # the people tagged in its stories, most often first; never the private one
    assert chips(page, "met") == ["José Álvarez", "Zoë Laurent", "Ada Brennan", "Jonas Lindqvist", "Ottoline"]


def test_an_event_page_lists_the_people_met_most_often_and_counts_the_rest(tmp_path):
    out = build_site(SITES / "people" / "content", tmp_path / "out", CONNECTIONS_EVENT_PEOPLE_MAX=2)
    page = soup(out / "events/harbour-congress-2024/index.html")
    assert chips(page, "met") == ["José Álvarez", "Zoë Laurent"]
    assert "and 3 more in the stories below." in page.select_one('[aria-labelledby="met"]').get_text()
    (event,) = jsonld(page)
    assert [a["name"] for a in event["attendee"]] == ["José Álvarez", "Zoë Laurent"]


def test_story_lists_its_people_and_events_near_the_title(people_site):
    page = soup(people_site / "2024/first-morning-at-the-congress/index.html")
    listed = [a.get_text(strip=True) for a in page.select("header .connections a")]
    assert listed == ["Ada Brennan", "José Álvarez", "Zoë Laurent", "Ottoline", "Harbour Congress 2024"]


def test_mentions_render_as_links_and_text(people_site):
    page = soup(people_site / "2024/first-morning-at-the-congress/index.html")
    body = page.select_one(".e-content")
    links = {a.get_text(): a["href"] for a in body.select("a.mention")}
    assert links == {
        "Ada Brennan": "../../people/ada-brennan/",
        "Zoë": "../../people/zoe-laurent/",
        "Harbour Congress 2024": "../../events/harbour-congress-2024/",
        "José Álvarez": "../../people/jose-alvarez/",
        "Ottoline": "../../people/ottoline/",
    }
    private = [s.get_text() for s in body.select("span.mention")]
    assert private == ["my neighbour", "a neighbour"]
    text = body.get_text()
    assert "@[Not A Mention]" in text and "@[Not Either]" in text
    assert "someone@example.org" in text and "@[Ada Brennan] to keep it literal" in text
    for href in links.values():
        assert (people_site / "2024/first-morning-at-the-congress" / href / "index.html").resolve().exists()


def test_directories(people_site):
    people = soup(people_site / "people/index.html")
    names = [a.get_text(strip=True) for a in people.select(".directory .p-name")]
    assert names == ["Ada Brennan", "Jonas Lindqvist", "José Álvarez", "Ottoline", "Zoë Laurent"]
    counts = {li.select_one(".p-name").get_text(strip=True): li.select_one(".count").get_text(" ", strip=True)
              for li in people.select(".directory li")}
    assert counts["Zoë Laurent"] == "2 stories"
    assert counts["Ada Brennan"] == "1 story, wrote 2"
    events = soup(people_site / "events/index.html")
    sections = {s.find("h2").get_text(strip=True): [a.get_text(strip=True) for a in s.select(".p-name")]
                for s in events.select("section")}
    assert sections == {"2024": ["Harbour Congress 2024"], "Undated": ["Riverside Meetup"]}


def test_upcoming_events_come_first(tmp_path):
    out = build_site(SITES / "people" / "content", tmp_path / "out", CONNECTIONS_TODAY="2024-03-06")
    events = soup(out / "events/index.html")
    assert [h.get_text(strip=True) for h in events.select("section h2")] == ["Upcoming", "Undated"]


def test_people_only_in_drafts_get_no_page(people_site):
    assert not (people_site / "people/draft-onlyperson").exists()
    assert "Onlyperson" not in (people_site / "people/index.html").read_text()


def test_pagination_of_person_pages(tmp_path):
    out = build_site(SITES / "people" / "content", tmp_path / "out",
                     PAGINATED_TEMPLATES={"person": 1, "event": 1, "index": None})
    first = soup(out / "people/jose-alvarez/index.html")
    second = soup(out / "people/jose-alvarez/index2.html")
    assert titles(first, "appears") == ["The second day"]
    assert titles(second, "appears") == ["First morning at the congress"]


# --- privacy --------------------------------------------------------------------

HIDDEN = re.compile(r"quenby|hollowell|vasquez|brandt", re.IGNORECASE)


def test_hidden_names_appear_nowhere_in_the_output(people_site):
    leaks = []
    for path in Path(people_site).rglob("*"):
        if HIDDEN.search(str(path.relative_to(people_site))):
            leaks.append(f"file name: {path}")
        if path.is_file():
            for number, line in enumerate(path.read_bytes().decode("utf-8", "replace").splitlines(), 1):
                if HIDDEN.search(line):
                    leaks.append(f"{path}:{number}: {line.strip()[:120]}")
    assert leaks == []
    assert not (people_site / "people/quenby-hollowell").exists()
    assert (people_site / "people/ottoline/index.html").exists()


def test_hidden_names_appear_nowhere_in_the_sample_site(sample_site):
    leaks = [str(p) for p in Path(sample_site).rglob("*")
             if HIDDEN.search(str(p.relative_to(sample_site)))
             or (p.is_file() and HIDDEN.search(p.read_bytes().decode("utf-8", "replace")))]
    assert leaks == []


def test_a_link_to_a_private_profile_shows_their_placeholder_and_no_link(people_site):
    """`[Quenby Hollowell]({filename}../people/quenby-hollowell.md)`: neither
    the name in the text nor the one in the path reaches the page or a feed."""
    page = soup(people_site / "2024/a-visit-to-the-allotments/index.html")
    body = page.select_one(".e-content")
    assert [s.get_text() for s in body.select("span.mention")] == ["a neighbour"]
    assert "{filename}" not in str(body) and not body.find("img")  # her portrait left out too
    card = next(c for c in soup(people_site / "index.html").select(".story-card")
                if "allotments" in c.get_text())
    assert "Tomatoes, and a neighbour again." in card.select_one(".p-summary").get_text()
    for feed in ("feeds/all.atom.xml", "feeds/people/jose-alvarez.rss.xml"):
        text = (people_site / feed).read_text(encoding="utf-8")
        assert "allotments" in text and "a neighbour" in text and "{filename}" not in text, feed


def test_the_pictures_of_people_not_public_are_not_copied(people_site):
    # Quenby is private, Ottoline first-name only: their file names carry
    # their surnames, and no page shows them. Ada's is public.
    assert sorted(p.name for p in (people_site / "images/avatars").iterdir()) == ["ada-brennan.svg"]


def test_a_first_name_person_named_by_their_full_slug_keeps_their_first_name(people_site):
    page = soup(people_site / "2024/a-visit-to-the-allotments/index.html")
    links = {a.get_text(): a["href"] for a in page.select(".e-content a.mention")}
    assert links == {"Ottoline": "../../people/ottoline/"}
    assert not (people_site / "people/ottoline-vasquez-brandt").exists()


def test_the_check_says_where_each_private_link_is(people_site):
    from connections.authoring.check import check, load_settings

    settings = load_settings(str(ROOT / "pelicanconf.py"))
    settings.update(PATH=str(SITES / "people" / "content"))
    story = shown(SITES / "people/content/stories/garden-visit.md")
    found = [(f.line, f.column, f.level, f.message.split(";")[0]) for f in check(settings).items
             if f.path == story and f.message.startswith("this ")]
    assert sorted(found) == [
        (4, 39, "warning", "this links to the profile of a private person (people/quenby-hollowell.md)"),
        (6, 20, "warning", "this links to the profile of a private person (people/quenby-hollowell.md)"),
        (7, 17, "warning", "this shows or links to the picture of a person who is not public "
                           "(images/avatars/quenby-hollowell.svg)"),
    ]


def shown(path):
    from connections.model.registry import shown_path

    return shown_path(str(path), None)


def test_a_copy_left_by_an_earlier_build_goes_when_the_person_becomes_private(tmp_path):
    content = tmp_path / "content"
    write(content, {
        "people/kit-moss.md": "Name: Kit Moss\nAvatar: images/kit-moss.svg\n",
        "images/kit-moss.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "stories/a.md": "Title: A\nDate: 2024-01-01\n\nWith @[Kit Moss].\n",
    })
    out = build_site(content, tmp_path / "output")
    assert (out / "images/kit-moss.svg").is_file() and (out / "people/kit-moss").is_dir()
    (content / "people/kit-moss.md").write_text(
        "Name: Kit Moss\nAvatar: images/kit-moss.svg\nVisibility: private\n", encoding="utf-8")
    build_site(content, out)
    assert not (out / "images/kit-moss.svg").exists()
    assert "Kit Moss" not in (out / "2024/a/index.html").read_text(encoding="utf-8")


def test_a_repeated_visibility_stops_the_build_at_its_second_line(tmp_path):
    content = write(tmp_path / "content", {
        "people/kit-moss.md": "Name: Kit Moss\nVisibility: public\nVisibility: private\n",
        "stories/a.md": "Title: A\nDate: 2024-01-01\n\nWith @[Kit Moss].\n",
    })
    result = run_build(content, tmp_path / "output")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ("content/people/kit-moss.md:3:1: error: 'Visibility:' is given twice in this person "
            "profile (first on line 2); keep one of them") in result.stderr
    assert not (tmp_path / "output" / "people").exists()


# --- structured data --------------------------------------------------------------


def test_every_json_ld_parses_and_has_the_right_types(people_site):
    types = {}
    for path in html_files(people_site):
        for data in jsonld(soup(path)):
            assert data["@context"] == "https://schema.org"
            types.setdefault(data["@type"], []).append(path.relative_to(people_site).as_posix())
    assert "2024/first-morning-at-the-congress/index.html" in types["BlogPosting"]
    assert "people/ada-brennan/index.html" in types["ProfilePage"]
    assert "events/harbour-congress-2024/index.html" in types["Event"]


def test_story_json_ld(people_site):
    (data,) = jsonld(soup(people_site / "2024/first-morning-at-the-congress/index.html"))
    mentioned = {(m["@type"], m["name"]) for m in data["mentions"]}
    assert mentioned == {
        ("Person", "Ada Brennan"), ("Person", "José Álvarez"), ("Person", "Zoë Laurent"),
        ("Person", "Ottoline"), ("Event", "Harbour Congress 2024"),
    }
    assert data["about"][0]["startDate"] == "2024-03-05"
    assert data["author"] == [{"@type": "Person", "name": "Jonas Lindqvist", "url": "/people/jonas-lindqvist/"}]


def test_person_and_event_json_ld(people_site):
    (profile,) = jsonld(soup(people_site / "people/ada-brennan/index.html"))
    assert profile["@type"] == "ProfilePage"
    assert profile["mainEntity"]["@type"] == "Person"
    assert profile["mainEntity"]["name"] == "Ada Brennan"
    assert profile["mainEntity"]["sameAs"] == ["https://example.org/ada"]
    (event,) = jsonld(soup(people_site / "events/harbour-congress-2024/index.html"))
    assert (event["@type"], event["startDate"], event["endDate"]) == ("Event", "2024-03-05", "2024-03-07")
    assert event["location"] == {"@type": "Place", "name": "Pier 4, Porto"}


def test_microformats(people_site):
    def parse(rel):
        path = people_site / rel
        return mf2py.parse(doc=path.read_text(encoding="utf-8"), url=f"https://example.org/{rel}")

    entry = next(i for i in parse("2024/first-morning-at-the-congress/index.html")["items"]
                 if "h-entry" in i["type"])
    cards = [c for c in entry["properties"]["category"] if isinstance(c, dict)]
    assert {c["properties"]["name"][0] for c in cards} >= {"Ada Brennan", "Zoë Laurent", "Ottoline"}
    assert all("h-card" in c["type"] for c in cards)
    assert entry["properties"]["author"][0]["properties"]["name"] == ["Jonas Lindqvist"]

    card = next(i for i in parse("people/ada-brennan/index.html")["items"] if "h-card" in i["type"])
    assert card["properties"]["name"] == ["Ada Brennan"]
    assert "https://example.org/ada" in card["properties"]["url"]

    event = next(i for i in parse("events/harbour-congress-2024/index.html")["items"] if "h-event" in i["type"])
    assert event["properties"]["name"] == ["Harbour Congress 2024"]
    assert event["properties"]["start"] == ["2024-03-05"]
    assert event["properties"]["location"] == ["Pier 4, Porto"]


def test_hostile_names_are_escaped_everywhere(tmp_path):
    out = build_site(SITES / "hostile-names" / "content", tmp_path / "out")
    for path in html_files(out):
        text = path.read_text(encoding="utf-8")
        page = soup(path)
        for data in jsonld(page):  # every JSON-LD block still parses
            assert isinstance(data, dict)
        assert not page.find_all(attrs={"onerror": True}), path
        assert not page.find_all(attrs={"onmouseover": True}), path
        scripts = [s for s in page.find_all("script") if s.get("type") != "application/ld+json"]
        assert not [s for s in scripts if "alert" in (s.string or "")], path
        assert "<script>alert" not in text, path
    (story_path,) = (out / "2024").glob("names-that-try-to-break-out*/index.html")
    story = soup(story_path)
    assert story.find("h1").get_text() == 'Names that try to break out <script>alert("title")</script>'
    (data,) = jsonld(story)
    names = {m["name"] for m in data["mentions"]}
    assert "Eve </script><script>alert(1)</script>" in names


# --- bad input and strictness ------------------------------------------------------


def write(folder, files):
    for rel, text in files.items():
        path = Path(folder) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Path(folder)


def run_build(content, output, *extra):
    settings = Path(content).parent / "settings.py"
    settings.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom pelicanconf import *\n"
        f"PATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
        f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n" + "\n".join(extra) + "\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [sys.executable, "-m", "connections", "build", "-s", str(settings), "-o", str(output)],
        capture_output=True, text=True, cwd=Path(content).parent,
        env={"PYTHONPATH": str(ROOT / "plugins"), "PATH": "/usr/bin:/bin"},
    )


def test_content_errors_stop_the_build_with_clear_lines_and_no_site(tmp_path):
    content = write(tmp_path / "content", {
        "people/ed-marx.md": "Name: Ed Marx\n",
        "people/sam-reid.md": "Name: Sam Reid\nAliases: Sam\n",
        "people/sam-okoro.md": "Name: Sam Okoro\nAliases: Sam\n",
        "events/late.md": "Name: Late Event\nStart: 2024-05-03\nEnd: 2024-05-01\n",
        "stories/a.md": "Title: A\nDate: 2024-01-01\nPeople: Ed Marks\n\nWith @[Sam] and @[] today.\n",
    })
    result = run_build(content, tmp_path / "output")
    assert result.returncode == 1
    err = result.stderr
    assert "Traceback" not in err + result.stdout
    assert "content/stories/a.md:3:9: warning: unknown person 'Ed Marks'; did you mean 'Ed Marx'?" in err
    assert "content/stories/a.md:5:6: error: 'Sam' matches 'Sam Okoro' (content/people/sam-okoro.md)" in err
    assert "content/events/late.md:3:6: error: the event ends (2024-05-01) before it starts (2024-05-03)" in err
    assert "connections: the build stopped before writing anything: 2 errors, 1 warning" in err
    assert not (tmp_path / "output" / "index.html").exists()


def test_strict_turns_warnings_into_a_failed_build(tmp_path):
    content = write(tmp_path / "content", {
        "people/ed-marx.md": "Name: Ed Marx\n",
        "stories/a.md": "Title: A\nDate: 2024-01-01\n\nWith @[Ed Marks].\n",
    })
    relaxed = run_build(content, tmp_path / "relaxed")
    assert relaxed.returncode == 0, relaxed.stderr
    assert "did you mean 'Ed Marx'?" in relaxed.stderr
    strict = run_build(content, tmp_path / "strict", "CONNECTIONS_STRICT = True")
    assert strict.returncode == 1
    assert "CONNECTIONS_STRICT is on" in strict.stderr
    assert not (tmp_path / "strict" / "index.html").exists()


def test_build_errors_raise_content_error_in_process(tmp_path):
    content = write(tmp_path / "content", {
        "people/a.md": "Name: Kit Moss\nVisibility: secret\n",
        "stories/a.md": "Title: A\nDate: 2024-01-01\n\nHello.\n",
    })
    with pytest.raises(ContentError):
        build_site(content, tmp_path / "output")


# --- the content cache ------------------------------------------------------------------


def tree(folder):
    # Pagefind's filter and meta indexes vary from build to build (search.py)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(Path(folder).rglob("*"))
            if p.is_file() and byte_stable(p.relative_to(folder).as_posix())}


def test_content_cache_gives_the_same_output_as_a_cold_build(tmp_path):
    content = SITES / "people" / "content"
    cached = {"LOAD_CONTENT_CACHE": True, "CACHE_CONTENT": True, "CACHE_PATH": str(tmp_path / "cache")}
    cold = tree(build_site(content, tmp_path / "cold"))
    first = tree(build_site(content, tmp_path / "warm1", **cached))
    warm = tree(build_site(content, tmp_path / "warm2", **cached))
    assert (tmp_path / "cache").exists()
    assert first == cold
    assert warm == cold


def test_summary_links_are_right_on_every_page(people_site):
    """A Summary: header's mention links work below the site root too."""
    for page_path, prefix in [("index.html", "./"), ("category/conferences/index.html", "../../")]:
        page = soup(people_site / page_path)
        card = next(c for c in page.select(".story-card")
                    if "First morning" in c.select_one(".p-name").get_text())
        link = card.select_one(".p-summary a.mention")
        assert link.get_text() == "Ada Brennan"
        assert link["href"] == f"{prefix}people/ada-brennan/", page_path


def test_person_and_event_pages_list_stories_compactly(people_site):
    """Title, date, author and comment link: what a reader picks a story by."""
    for rel in ("people/ada-brennan/index.html", "events/harbour-congress-2024/index.html"):
        cards = soup(people_site / rel).select(".story-card")
        assert cards, rel
        for card in cards:
            assert card.select_one(".p-name a")["href"].endswith("/")
            assert card.select_one(".dt-published")
            assert card.select_one(".p-summary") is None


def test_story_footer_links_its_category(people_site):
    page = soup(people_site / "2024/first-morning-at-the-congress/index.html")
    link = page.select_one(".filed a")
    assert link.get_text() == "Conferences"
    assert (people_site / "2024/first-morning-at-the-congress" / link["href"] / "index.html").resolve().exists()


# --- mention links, filled in once per page address ---------------------------


def test_mention_links_read_as_pelican_fills_them_in(tmp_path):
    """MentionLinks reuses what Pelican's own code made of a mention link for
    a page address; any other {filename} link is still Pelican's to fill."""
    import datetime

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from types import SimpleNamespace

    from connections.linking.linker import MentionLinks
    from connections.linking.record import keep_state, record

    class Target:
        def __init__(self, url):
            self.url = url

    links = MentionLinks()
    pelican_context = {"generated_content": {
        "@person/ada-brennan": Target("people/ada-brennan/"),
        "stories/other.md": Target("2024/other/"),
    }, "static_content": {}}
    build = SimpleNamespace(mention_links=links, link=lambda content: None)
    context = dict(pelican_context)
    keep_state(context, build)

    def story(title, context=context):
        return Article(
            '<p><a class="mention u-category h-card" href="{filename}/@person/ada-brennan">Ada</a>'
            ' and <a href="{filename}/stories/other.md#end">another story</a>.</p>',
            metadata={"title": title, "date": datetime.datetime(2024, 5, 1)},
            settings={**DEFAULT_CONFIG, "RELATIVE_URLS": True}, context=context,
            source_path=str(tmp_path / "stories" / f"{title}.md"),
        )

    pelicans, ours = story("plain", pelican_context), story("linked")
    record(ours)  # a linked story fills its links in through the build's table
    record(story("third"))
    for siteurl in ("", "..", "../..", "https://example.org"):
        expected = pelicans._update_content(pelicans._content, siteurl)
        assert ours._update_content(ours._content, siteurl) == expected
    assert 'href="../people/ada-brennan/"' in ours._update_content(ours._content, "..")
    assert 'href="../2024/other/#end"' in ours._update_content(ours._content, "..")
    assert len(links._filled) == 4  # one per page address; the story link is not kept


# --- privacy is decided in Python: what a template can reach ------------------------

# A template a user copied or wrote, printing everything it can find about
# people: names, pictures, aliases, links, the profile's and the bio's paths,
# every file the site registered, each story's people and header copies.
PRYING = """<!DOCTYPE html><html lang="en"><head><title>Prying</title></head><body>
{% macro pry(person) %}
[{{ person.name }}|{{ person.display_name }}|{{ person.slug }}|{{ person.avatar }}|
{{ person.avatar_path }}|{{ person.aliases|join(',') }}|{{ person.links }}|
{{ person.public_links }}|{{ person.placeholder }}|{{ person.source.path }}|
{{ person.profile_path }}|{{ person.bio.source_path if person.bio }}|
{{ person.bio.relative_source_path if person.bio }}|{{ person.bio.content if person.bio }}|
{{ person.__dict__ }}]
{% endmacro %}
{% for p in people %}{{ pry(p) }}{% endfor %}
{% if person %}{{ pry(person) }}{% endif %}
{% if article %}{{ article.content }}{% endif %}
{% for a in articles %}{{ a.metadata }}{{ a.author }}{{ a.authors }}
{% for p in a.people + a.author_people %}{{ pry(p) }}{% endfor %}{% endfor %}
{{ generated_content|list }}{{ static_content|list }}{{ staticfiles }}
{{ connections }}{{ connections.registry }}{{ connections.tagged }}{{ connections.findings }}
</body></html>
"""


def test_a_template_reaches_only_what_the_site_may_show_about_a_person(tmp_path):
    content = write(tmp_path / "content", {
        "people/ottoline-vasquez-brandt.md": (
            "Name: Ottoline Vasquez-Brandt\nVisibility: first-name\n"
            "Aliases: Otti Vasquez\nAvatar: images/ottoline-vasquez-brandt.svg\n"
            "Website: https://vasquez-brandt.example/\nEmail: otti@vasquez-brandt.example\n\n"
            "Ottoline gives talks about cities.\n"),
        "people/quenby-hollowell.md": (
            "Name: Quenby Hollowell\nVisibility: private\n"
            "Avatar: images/quenby-hollowell.svg\n\nMy neighbour.\n"),
        "images/ottoline-vasquez-brandt.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "images/quenby-hollowell.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "stories/a.md": (
            "Title: A talk\nDate: 2024-01-01\nPeople: Ottoline Vasquez-Brandt, Quenby Hollowell\n\n"
            "A talk by [her]({filename}../people/ottoline-vasquez-brandt.md#talks), "
            "and @[Ottoline Vasquez-Brandt] again.\n"),
    })
    overrides = write(tmp_path / "overrides", {
        name: PRYING for name in ("person.html", "people.html", "article.html", "index.html")})
    out = build_site(content, tmp_path / "output", THEME_TEMPLATES_OVERRIDES=[str(overrides)])
    secrets = re.compile(r"vasquez|brandt|otti\b|quenby|hollowell", re.I)
    for page in ("people/ottoline/index.html", "people/index.html", "2024/a-talk/index.html",
                 "index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "Ottoline" in text and "gives talks about cities" in text, page
        assert secrets.findall(text) == [], page
    # The link to her profile by its file name still goes to her page.
    story = (out / "2024/a-talk/index.html").read_text(encoding="utf-8")
    assert 'href="../../people/ottoline/#talks"' in story
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                  if secrets.search(p.relative_to(out).as_posix())) == []
