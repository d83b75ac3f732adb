"""Related stories, older and newer stories, and reading time.

Once Pelican has filed the stories (`article_generator_finalized`) they are
related (beside the build, where it can: `output.beside`), and once every
generator has its context (`all_generators_finalized`), every published
story gets `article.discovery`, a dict the templates read:

- `related`: up to CONNECTIONS_RELATED_MAX stories that share people or
  events with it, then tags; each as a dict with the `story` and why: the
  `people` and `events` both tag (what the site may show: listed people,
  by their display names) and the shared `tags`. Ranked by how many people
  and events they share, then how many tags, then the nearest in time.
  A story is held as a `StoryLink` (its url, title and date).
- `older` and `newer`: the published stories just before and after it.
- `minutes`: reading time at CONNECTIONS_WORDS_PER_MINUTE, at least 1.

The candidates come from inverted indexes (person, event or tag -> its
stories by date), so the cost does not grow with the square of the stories:
a story is compared only with the CONNECTIONS_RELATED_WINDOW stories nearest
in time in each of its people's and events' lists, and a fifth as many in
each of its tags' lists (a shared tag ranks last). A tag on 5000 stories
costs each of them that window, not 5000 comparisons.
"""

import heapq
import re
from collections import defaultdict

from . import beside

_WORD = re.compile(r"\w+")


class StoryLink:
    """What a story page shows of another story: its address and title. Not
    the story itself, so that the warm build (incremental.py), which
    fingerprints a story page by what it holds, renders a page again when a
    neighbour's title or address changes, not whenever its text does."""

    def __init__(self, story):
        self.url = story.url
        self.title = story.title
        self.date = story.date

    def __repr__(self):
        return f"<StoryLink {self.url!r}>"


_TAG = re.compile(r"<[^>]*>")


def reading_minutes(article, per_minute):
    """Minutes to read the story's text at `per_minute` words, at least 1."""
    text = _TAG.sub(" ", getattr(article, "_content", "") or "")
    words = len(text.split())
    return max(1, round(words / per_minute)) if per_minute else 1


def _keys(article):
    """(kind, entity or tag) an article can share with another."""
    people = [("person", p) for p in getattr(article, "people", []) if p.listed]
    events = [("event", e) for e in getattr(article, "events", [])]
    tags = [("tag", t) for t in getattr(article, "tags", None) or []]
    return people + events, tags


STRONG = 1000  # a shared person or event outweighs any number of shared tags


def relate(articles, settings):
    """Fill in `article.discovery` for every article in `articles` (published,
    newest first, as Pelican's list is)."""
    relating = Relating(articles, settings)
    relating.apply(relating.rank())


class Relating:
    """Relating the published stories, in three steps: what every story
    shares with which (made from the stories as read), the ranking (`rank`:
    reads only what was made here and the stories' text, and gives back
    numbers, so that it may run in a process forked from the build:
    `output.beside`), and the stories' `discovery` filled in from it
    (`apply`)."""

    def __init__(self, articles, settings):
        self.limit, self.window, self.tag_window = _limits(settings)
        self.per_minute = settings.get("CONNECTIONS_WORDS_PER_MINUTE", 230)
        self.ordered = ordered = _in_date_order(articles)
        self.times = [a.date.timestamp() for a in ordered]
        self.index = index = defaultdict(list)  # key id -> positions of its stories, by date
        self.keys_of = []  # per story: ([(key id, key)] as _shown reads them, {key ids})
        self.where = []  # per story: [(key id, weight, place in the key's list)]
        for i, article in enumerate(ordered):
            strong, tags = _keys(article) if self.limit else ([], [])
            identified = _identified(strong + tags)
            ids = {}
            mine = []
            for n, (kid, key) in enumerate(identified):
                if kid in ids:
                    continue
                ids[kid] = key
                members = index[kid]
                mine.append((kid, STRONG if n < len(strong) else 1, len(members)))
                members.append(i)
            self.keys_of.append((identified, ids))
            self.where.append(mine)
        self.links = [StoryLink(a) for a in ordered]

    def rank(self):
        """([positions of its related stories, best first], reading minutes)
        of each story, in date order."""
        best = [
            _ranked(i, self.where[i], self.index, self.times, self.ordered, self.limit,
                    self.window, self.tag_window) if self.limit and self.where[i] else []
            for i in range(len(self.ordered))
        ]
        return best, [reading_minutes(a, self.per_minute) for a in self.ordered]

    def apply(self, ranked):
        best, minutes = ranked
        links, keys_of, last = self.links, self.keys_of, len(self.ordered) - 1
        for i, article in enumerate(self.ordered):
            identified = keys_of[i][0]
            article.discovery = {
                "related": [_shown(links[j], identified, keys_of[j][1]) for j in best[i]],
                "older": links[i - 1] if i > 0 else None,
                "newer": links[i + 1] if i < last else None,
                "minutes": minutes[i],
            }


def related_to(story, articles, settings):
    """The `related` list `relate` gives `story` (one of `articles`), worked
    out for it alone: the preview's quick render (machinery/quick_render.py)
    shows a story whose people or events changed without relating them all."""
    limit, window, tag_window = _limits(settings)
    if not limit:
        return []
    ordered = _in_date_order(articles)
    strong, tags = _keys(story)
    identified = _identified(strong + tags)
    weights = {}
    for n, (kid, _key) in enumerate(identified):
        weights.setdefault(kid, STRONG if n < len(strong) else 1)
    index = {kid: [] for kid in weights}
    theirs = {}
    i = None
    for n, article in enumerate(ordered):
        if article is story:
            i = n
        their_strong, their_tags = _keys(article)
        ids = {_id(key) for key in their_strong + their_tags}
        shared = ids & weights.keys()
        for kid in shared:
            index[kid].append(n)
        if shared:
            theirs[n] = ids
    if i is None or not weights:
        return []
    mine = [(kid, weight, index[kid].index(i)) for kid, weight in weights.items()]
    times = [a.date.timestamp() for a in ordered]
    best = _ranked(i, mine, index, times, ordered, limit, window, tag_window)
    return [_shown(StoryLink(ordered[j]), identified, theirs[j]) for j in best]


def _limits(settings):
    limit = settings.get("CONNECTIONS_RELATED_MAX", 5) or 0
    window = max(1, settings.get("CONNECTIONS_RELATED_WINDOW", 50) or 50)
    return limit, window, max(1, window // 5)  # a shared tag ranks last: fewer candidates


def _in_date_order(articles):
    return sorted(articles, key=lambda a: (a.date, a.source_path or ""))


def _ranked(i, mine, index, times, ordered, limit, window, tag_window):
    """The positions of story i's related stories, best first."""
    score = defaultdict(int)
    for kid, weight, place in mine:
        members = index[kid]
        reach = window if weight == STRONG else tag_window
        for j in members[max(0, place - reach): place + reach + 1]:
            score[j] += weight
    score.pop(i, None)
    when = times[i]
    # Only the candidates that can make the list are ordered in full: by
    # score, nearness in time, title, then as they were met.
    floor = heapq.nlargest(limit, score.values())[-1] if score else 0
    best = heapq.nsmallest(limit, [
        (-s, abs(times[j] - when), ordered[j].title, n, j)
        for n, (j, s) in enumerate(score.items()) if s >= floor
    ])
    return [ranked[-1] for ranked in best]


def _shown(link, identified, theirs):
    """One entry of a related list: the story and what both share (its
    keys, as `_identified`, that are among `theirs`)."""
    shown = {"story": link, "people": [], "events": [], "tags": []}
    for kid, (kind, item) in identified:
        if kid in theirs:
            shown[_LISTED_AS[kind]].append(item)
    return shown


_LISTED_AS = {"person": "people", "event": "events", "tag": "tags"}


def _identified(keys):
    """[(key id, key)] of a story's keys, in their order."""
    return [(_id(key), key) for key in keys]


def _id(key):
    kind, item = key
    return (kind, getattr(item, "slug", None) or str(item))


def on_articles_read(generator):
    """`article_generator_finalized`: the published stories' ranking starts
    (beside the build where it can: it is given to them once every
    generator has its context, `on_all_read`); drafts get reading time and
    no neighbours."""
    relating = Relating(list(generator.articles), generator.settings)
    generator._connections_relating = (
        relating, beside(generator, relating.rank, len(relating.ordered),
                         "ranking related stories"))
    per_minute = generator.settings.get("CONNECTIONS_WORDS_PER_MINUTE", 230)
    for draft in list(getattr(generator, "drafts", [])) + list(
        getattr(generator, "translations", [])
    ) + list(getattr(generator, "hidden_articles", [])):
        if getattr(draft, "discovery", None) is None:
            draft.discovery = {"related": [], "older": None, "newer": None,
                               "minutes": reading_minutes(draft, per_minute)}


def on_all_read(generators):
    """`all_generators_finalized`: every published story gets its
    `discovery`, before any page that shows it is rendered."""
    for generator in generators:
        pending = generator.__dict__.pop("_connections_relating", None)
        if pending is not None:
            relating, ranked = pending
            relating.apply(ranked())
