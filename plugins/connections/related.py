"""Related stories, older and newer stories, and reading time.

Once Pelican has read the stories (`article_generator_finalized`), every
published story gets `article.discovery`, a dict the templates read:

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
in time in each of its people's, events' and tags' lists. A tag on 5000
stories costs each of them that window, not 5000 comparisons.
"""

import re
from collections import defaultdict

from markupsafe import Markup


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


def reading_minutes(article, per_minute):
    text = Markup(getattr(article, "_content", "") or "").striptags()
    words = len(_WORD.findall(text))
    return max(1, round(words / per_minute)) if per_minute else 1


def _keys(article):
    """(kind, entity or tag) an article can share with another."""
    people = [("person", p) for p in getattr(article, "people", []) if p.listed]
    events = [("event", e) for e in getattr(article, "events", [])]
    tags = [("tag", t) for t in getattr(article, "tags", None) or []]
    return people + events, tags


def relate(articles, settings):
    """Fill in `article.discovery` for every article in `articles` (published,
    newest first, as Pelican's list is)."""
    limit = settings.get("CONNECTIONS_RELATED_MAX", 5) or 0
    window = max(1, settings.get("CONNECTIONS_RELATED_WINDOW", 50) or 50)
    per_minute = settings.get("CONNECTIONS_WORDS_PER_MINUTE", 230)
    ordered = sorted(articles, key=lambda a: (a.date, a.source_path or ""))
    position = {id(a): i for i, a in enumerate(ordered)}
    index = defaultdict(list)  # key -> positions in date order
    keys_of = []
    for i, article in enumerate(ordered):
        strong, tags = _keys(article)
        keys_of.append((strong, tags))
        for key in strong + tags:
            index[_id(key)].append(i)
    where = {}  # (key id, story position) -> place in the key's list
    for key, members in index.items():
        for place, i in enumerate(members):
            where[(key, i)] = place
    links = [StoryLink(a) for a in ordered]
    for i, article in enumerate(ordered):
        found = {}
        strong, tags = keys_of[i] if limit else ((), ())
        for group in (strong, tags):
            for key in group:
                kid = _id(key)
                members = index[kid]
                place = where[(kid, i)]
                for j in members[max(0, place - window): place + window + 1]:
                    if j == i:
                        continue
                    entry = found.get(j)
                    if entry is None:
                        entry = found[j] = ([], [], [])
                    if key[0] == "person":
                        entry[0].append(key[1])
                    elif key[0] == "event":
                        entry[1].append(key[1])
                    else:
                        entry[2].append(key[1])
        ranked = sorted(
            found.items(),
            key=lambda item: (
                -(len(item[1][0]) + len(item[1][1])),
                -len(item[1][2]),
                abs((ordered[item[0]].date - article.date).total_seconds()),
                ordered[item[0]].title,
            ),
        )[:limit]
        article.discovery = {
            "related": [
                {"story": links[j], "people": p, "events": e, "tags": t}
                for j, (p, e, t) in ranked
            ],
            "older": links[i - 1] if i > 0 else None,
            "newer": links[i + 1] if i + 1 < len(ordered) else None,
            "minutes": reading_minutes(article, per_minute),
        }
    return position


def _id(key):
    kind, item = key
    return (kind, getattr(item, "slug", None) or str(item))


def on_articles_read(generator):
    """`article_generator_finalized`: relate the published stories; drafts
    get reading time and no neighbours."""
    relate(list(generator.articles), generator.settings)
    per_minute = generator.settings.get("CONNECTIONS_WORDS_PER_MINUTE", 230)
    for draft in list(getattr(generator, "drafts", [])) + list(
        getattr(generator, "translations", [])
    ) + list(getattr(generator, "hidden_articles", [])):
        if getattr(draft, "discovery", None) is None:
            draft.discovery = {"related": [], "older": None, "newer": None,
                               "minutes": reading_minutes(draft, per_minute)}
