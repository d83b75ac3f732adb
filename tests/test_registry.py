"""The naming rules: how a written name finds a person or event, and what is
reported when it does not. The build and the check both use these rules."""

import pytest
from pelican.settings import DEFAULT_CONFIG

from connections.model import source
from connections.diagnostics import Findings
from connections.model.registry import Registry
from connections.settings import apply_defaults


@pytest.fixture
def settings():
    return apply_defaults(dict(DEFAULT_CONFIG))


def profile(text, path="content/people/x.md"):
    return source.parse(text, path)


def make(settings, *profiles):
    findings = Findings(log=False)
    registry = Registry(settings, findings)
    for kind, text, path in profiles:
        registry.add_profile(kind, profile(text, path))
    return registry, findings


def messages(findings):
    return [str(f) for f in findings.items]


def test_name_alias_slug_case_and_accents(settings):
    registry, findings = make(
        settings,
        ("person", "Name: José Álvarez\nAliases: Pepe, Joe A\n", "content/people/jose-alvarez.md"),
    )
    for written in ["José Álvarez", "jose alvarez", "JOSÉ  ÁLVAREZ", "Pepe", "pepe", "joe a", "jose-alvarez"]:
        assert registry.resolve("person", written).slug == "jose-alvarez", written
    assert findings.items == []


def test_letters_that_do_not_decompose_still_match(settings):
    registry, _ = make(settings, ("person", "Name: Søren Kjær\n", "content/people/soren-kjaer.md"))
    assert registry.resolve("person", "Soren Kjaer").name == "Søren Kjær"
    assert registry.resolve("person", "Soren Kjaer").slug == "soren-kjaer"


def test_unknown_name_with_a_near_name_suggests_it(settings):
    registry, findings = make(settings, ("person", "Name: Ed Marx\n", "content/people/ed-marx.md"))
    person = registry.resolve("person", "Ed Marks", ("content/stories/a.md", 12, 5))
    assert person.slug == "ed-marks"  # still a page: a profile is optional
    assert messages(findings) == [
        "content/stories/a.md:12:5: warning: unknown person 'Ed Marks'; did you mean 'Ed Marx'?"
    ]


def test_unknown_name_without_a_near_name_is_a_note(settings):
    registry, findings = make(settings)
    registry.resolve("event", "Harbour Run 2025", ("content/stories/a.md", 3, 9))
    assert [f.level for f in findings.items] == ["note"]
    assert "add content/events/harbour-run-2025.md" in findings.items[0].message


def test_a_name_matching_two_entities_is_an_error(settings):
    registry, findings = make(
        settings,
        ("person", "Name: Sam Reid\nAliases: Sam\n", "content/people/sam-reid.md"),
        ("person", "Name: Sam Okoro\nAliases: Sam\n", "content/people/sam-okoro.md"),
    )
    registry.resolve("person", "sam", ("content/stories/b.md", 7, 1))
    (finding,) = findings.errors
    assert str(finding).startswith("content/stories/b.md:7:1: error: 'sam' matches ")
    assert "content/people/sam-okoro.md" in finding.message
    assert "content/people/sam-reid.md" in finding.message


def test_two_profiles_with_one_slug_stop_the_build_naming_both(settings):
    _, findings = make(
        settings,
        ("person", "Name: Zoë Laurent\n", "content/people/zoe-laurent.md"),
        ("person", "Name: Zoe Laurent\n", "content/people/zoe.md"),
    )
    (finding,) = findings.errors
    assert finding.path == "content/people/zoe.md"
    assert "content/people/zoe-laurent.md" in finding.message
    assert "Slug:" in finding.message


def test_unknown_visibility_is_an_error_and_fails_safe(settings):
    registry, findings = make(
        settings,
        ("person", "Name: Kit Moss\nVisibility: secret\n", "content/people/kit-moss.md"),
    )
    assert messages(findings) == [
        "content/people/kit-moss.md:2:13: error: unknown visibility 'secret'; "
        "use one of: public, first-name, private"
    ]
    assert not registry.resolve("person", "Kit Moss").listed


def test_first_name_visibility(settings):
    registry, _ = make(
        settings,
        ("person", "Name: Ottoline Vasquez-Brandt\nVisibility: first-name\n", "content/people/o.md"),
    )
    person = registry.resolve("person", "Ottoline Vasquez-Brandt")
    assert (person.display_name, person.slug, person.url) == ("Ottoline", "ottoline", "people/ottoline/")


def test_private_person_shows_placeholder(settings):
    registry, _ = make(
        settings,
        ("person", "Name: Quenby Hollowell\nVisibility: private\n", "content/people/q.md"),
        ("person", "Name: Rue Tam\nVisibility: private\nPlaceholder: a friend\n", "content/people/r.md"),
    )
    assert registry.resolve("person", "Quenby Hollowell").display_name == "someone"
    assert registry.resolve("person", "Rue Tam").display_name == "a friend"


@pytest.mark.parametrize(
    "header, expected",
    [
        ("Start: 2024-13-01\n", "content/events/e.md:2:8: error: '2024-13-01' is not a date; write Start: as YYYY-MM-DD"),
        ("Start: 2024-05-03\nEnd: 2024-05-01\n",
         "content/events/e.md:3:6: error: the event ends (2024-05-01) before it starts (2024-05-03); swap Start: and End:"),
        ("Location: Porto\n", "content/events/e.md:1:1: warning: the event has no 'Start:' date; add one as YYYY-MM-DD (until then it has no calendar entry)"),
    ],
)
def test_event_dates(settings, header, expected):
    _, findings = make(settings, ("event", f"Name: Some Event\n{header}", "content/events/e.md"))
    assert messages(findings) == [expected]


def test_profile_without_a_name(settings):
    _, findings = make(settings, ("person", "Aliases: Nobody\n", "content/people/no-name.md"))
    assert messages(findings) == [
        "content/people/no-name.md:1:1: error: the profile has no 'Name:' line; "
        "add one at the top, e.g. 'Name: No Name'"
    ]


def test_misspelt_profile_field(settings):
    _, findings = make(settings, ("person", "Name: Ann Lee\nVisibilty: private\n", "content/people/a.md"))
    assert messages(findings)[0] == (
        "content/people/a.md:2:1: warning: unknown field 'Visibilty:' in a person profile; "
        "did you mean 'Visibility:'?"
    )


# --- near names: difflib's answer, without comparing with every name -----------

from hypothesis import example, given, settings as hsettings, strategies as st  # noqa: E402

from connections.model.names import NearNames  # noqa: E402

# Names made of a few letters, so that near names are common.
NAME = st.text(alphabet="aeioulnrst ", min_size=0, max_size=14)


@hsettings(max_examples=400, deadline=None)
@example(names=["aa"], word="a a", cutoff=0.8, n=1)  # a bound met exactly, in floating point
@given(names=st.lists(NAME, max_size=40, unique=True), word=NAME,
       cutoff=st.sampled_from([0.5, 0.6, 0.7, 0.75, 0.8, 0.9]), n=st.integers(1, 5))
def test_near_names_are_exactly_difflibs(names, word, cutoff, n):
    import difflib

    expected = difflib.get_close_matches(word, names, n=n, cutoff=cutoff)
    assert NearNames(names).near(word, n=n, cutoff=cutoff) == expected


def test_near_names_compare_only_names_sharing_letter_pairs(monkeypatch):
    """A typo is found among a thousand names, comparing with a handful."""
    import difflib

    names = [f"person {i:04d} {'xyzw'[i % 4]}" for i in range(1000)] + ["zoe laurent"]
    compared = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches",
                        lambda word, pool, **kw: compared.append(len(pool)) or real(word, pool, **kw))
    assert NearNames(names).near("zoe lauremt", n=3, cutoff=0.75) == ["zoe laurent"]
    assert compared and compared[0] < 10


# --- link fields, slugs and visibility (issue 18) ---------------------------------


def test_unsafe_link_fields_are_refused_at_their_line_and_never_linked(settings):
    registry, findings = make(settings, ("person", (
        "Name: Mal Icious\n"
        "Website: javascript:alert(document.domain)\n"
        "LinkedIn: https://example.org/in/mal\n"
        "Bluesky: java\tscript:alert(1)\n"
        "Email: mal@example.org\n"
        "Avatar: ../../etc/passwd\n"
    ), "content/people/mal.md"), ("event", (
        "Name: Mal Con\nStart: 2024-05-02\nURL: data:text/html,<script>alert(1)</script>\n"
    ), "content/events/mal-con.md"))
    person = registry.resolve("person", "Mal Icious")
    assert person.links == [("LinkedIn", "https://example.org/in/mal"), ("Email", "mailto:mal@example.org")]
    assert (person.avatar, person.avatar_path) == ("", "")
    assert registry.resolve("event", "Mal Con").event_url == ""
    found = [(f.path, f.line, f.column, f.level) for f in findings.items]
    assert found == [
        ("content/people/mal.md", 6, 9, "error"),
        ("content/people/mal.md", 2, 10, "error"),
        ("content/people/mal.md", 4, 10, "error"),
        ("content/events/mal-con.md", 3, 6, "error"),
    ]


def test_an_avatar_is_kept_as_its_path_and_its_address(settings):
    settings["STATIC_PATHS"] = ["images"]
    registry, findings = make(settings, ("person", "Name: Zoë\nAvatar: images/avatars/zoë l.svg\n",
                                         "content/people/zoe.md"))
    person = registry.resolve("person", "Zoë")
    assert person.avatar_path == "images/avatars/zoë l.svg"
    assert person.avatar == "images/avatars/zo%C3%AB%20l.svg"
    assert findings.items == []


def test_a_repeated_key_is_an_error_and_the_most_private_visibility_holds(settings):
    registry, findings = make(settings, ("person", (
        "Name: Twice Visible\nVisibility: public\nWebsite: https://example.org/a\n"
        "Visibility: private\nWebsite: https://example.org/b\n"
    ), "content/people/twice.md"))
    person = registry.resolve("person", "Twice Visible")
    assert person.visibility == "private" and not person.listed
    assert messages(findings) == [
        "content/people/twice.md:4:1: error: 'Visibility:' is given twice in this person "
        "profile (first on line 2); keep one of them",
        "content/people/twice.md:5:1: error: 'Website:' is given twice in this person "
        "profile (first on line 3); keep one of them",
    ]
    # The order does not matter: private, then public, is private too.
    registry, _ = make(settings, ("person", "Name: Kit\nVisibility: private\nVisibility: public\n",
                                  "content/people/kit.md"))
    assert registry.resolve("person", "Kit").visibility == "private"


def test_a_first_name_person_is_found_by_the_slug_of_their_full_name(settings):
    registry, findings = make(settings, (
        "person", "Name: Ottoline Vasquez-Brandt\nVisibility: first-name\n",
        "content/people/ottoline-vasquez-brandt.md",
    ), ("person", "Name: Quenby Hollowell\nSlug: q\nVisibility: private\n", "content/people/q.md"))
    for written in ("ottoline-vasquez-brandt", "Ottoline-Vasquez-Brandt", "ottoline vasquez brandt"):
        person = registry.resolve("person", written)
        assert (person.slug, person.display_name) == ("ottoline", "Ottoline"), written
    assert registry.resolve("person", "quenby-hollowell").slug == "q"
    assert sorted(e.slug for e in registry.all("person")) == ["ottoline", "q"]  # no page made
    assert findings.items == []


def test_a_profile_slug_is_one_safe_path_segment(settings):
    registry, findings = make(
        settings,
        ("event", "Name: Over All\nSlug: ../all\nStart: 2024-05-02\n", "content/events/over-all.md"),
        ("event", "Name: Fine\nSlug: fine-2024\nStart: 2024-05-02\n", "content/events/fine.md"),
    )
    assert messages(findings) == [
        "content/events/over-all.md:2:7: error: 'Slug: ../all' is refused: a slug is one part of "
        "a page address: letters, digits, '-', '_' and '.', no '/' or '..'; write e.g. 'Slug: all'",
    ]
    assert sorted(e.slug for e in registry.all("event")) == ["fine-2024", "over-all"]


def test_a_name_too_long_for_a_page_address_gets_no_page(settings):
    registry, findings = make(settings)
    name = "Long " * 70
    assert registry.resolve("person", name, ("content/stories/a.md", 3, 4)) is None
    (finding,) = findings.items
    assert (finding.path, finding.line, finding.level) == ("content/stories/a.md", 3, "error")
    assert "it is 349 characters long; a slug has at most 200" in finding.message
    assert registry.all("person") == []


def test_a_first_name_persons_own_slug_may_not_spell_their_surname(settings):
    registry, findings = make(
        settings,
        ("person", "Name: Ottoline Vasquez-Brandt\nVisibility: first-name\nSlug: otto-brandt\n",
         "content/people/ottoline.md"),
        ("person", "Name: Ada Brennan\nVisibility: first-name\nSlug: ada-b\n", "content/people/ada.md"),
    )
    assert messages(findings) == [
        "content/people/ottoline.md:3:7: warning: 'Slug: otto-brandt' puts more than the first "
        "name of a first-name person in their page's address; remove the line (their page is "
        "then ottoline) or write a slug without their other names",
    ]
    assert registry.resolve("person", "Ada Brennan").slug == "ada-b"
