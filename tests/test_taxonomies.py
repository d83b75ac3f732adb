"""Tag, category and author lists that answer `in` at once (taxonomies.py):
the same answers as Pelican's plain lists, and the same pages."""

import html
import re
from collections import defaultdict

from hypothesis import given, settings as hsettings, strategies as st
from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

from conftest import ROOT
from connections.machinery.taxonomies import Members, file_in_members


class Story:
    """Equal only to itself, as Pelican's stories are."""


STORIES = [Story() for _ in range(6)]
ITEMS = st.sampled_from(STORIES + [1, 1.0, "a", None])
CHANGES = st.lists(st.one_of(
    st.tuples(st.just("append"), ITEMS),
    st.tuples(st.just("insert"), st.integers(-3, 3), ITEMS),
    st.tuples(st.just("pop")),
    st.tuples(st.just("remove"), ITEMS),
    st.tuples(st.just("setitem"), st.integers(-3, 3), ITEMS),
    st.tuples(st.just("delitem"), st.integers(-3, 3)),
    st.tuples(st.just("extend"), st.lists(ITEMS, max_size=3)),
    st.tuples(st.just("iadd"), st.lists(ITEMS, max_size=3)),
    st.tuples(st.just("clear")),
    st.tuples(st.just("ask"), ITEMS),
), max_size=25)


def change(target, step):
    """Apply one step to a list or Members; what it returned or raised."""
    op, *args = step
    try:
        if op == "setitem":
            target[args[0]] = args[1]
        elif op == "delitem":
            del target[args[0]]
        elif op == "iadd":
            target += args[0]
        elif op == "ask":
            return args[0] in target
        else:
            return getattr(target, op)(*args)
    except (IndexError, ValueError) as exc:
        return type(exc)
    return None


@hsettings(max_examples=300, deadline=None)
@given(start=st.lists(ITEMS, max_size=6), changes=CHANGES)
def test_members_answer_in_as_a_list_does_after_any_change(start, changes):
    plain, members = list(start), Members(start)
    for step in changes:
        assert change(members, step) == change(plain, step)
        assert members == plain
        for item in STORIES + [1, True, "a", None, Story()]:
            assert (item in members) == (item in plain)


def test_stories_are_filed_in_members():
    class Generator:
        tags = defaultdict(list)
        categories = defaultdict(list)
        authors = defaultdict(list)

    generator = Generator()
    generator.tags["harbour"].append(STORIES[0])
    file_in_members(generator)
    assert isinstance(generator.tags["harbour"], Members)
    assert generator.tags["harbour"] == [STORIES[0]]
    assert isinstance(generator.categories["travel"], Members)


def test_a_tag_page_lists_its_stories_newest_first(sample_site):
    """Each tag page lists its stories newest first, as Pelican files them (in Members)."""
    stories = []
    for path in sorted((ROOT / "content" / "stories").glob("*.md")):
        header = dict(
            line.split(": ", 1) for line in path.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
            if ": " in line
        )
        if header.get("Status", "published") == "published":
            tags = [t.strip() for t in header.get("Tags", "").split(",") if t.strip()]
            stories.append((header["Date"], header["Title"], tags))
    stories.sort(reverse=True)
    assert stories
    for tag in {t for _, _, tags in stories for t in tags}:
        slug = slugify(tag, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
        page = (sample_site / "tag" / slug / "index.html").read_text(encoding="utf-8")
        shown = [html.unescape(t) for t in re.findall(
            r'<h2 class="p-name"><a class="u-url" href="[^"]*">(.*?)</a></h2>', page)]
        assert shown == [title for _, title, tags in stories if tag in tags][:10], tag
