"""A deterministic synthetic connection blog for the benchmark.

    python bench/generate.py --stories 1000 --out /tmp/site [--seed 1]

writes, under --out,

    content/stories/   N stories of 300-900 words, each with `People:` and
                       `Events:` headers and inline `@[...]`, `@[Shown](Name)`
                       and `#[...]` mentions
    content/people/    profiles for about 70% of the P people (a few with
                       aliases, a few first-name-only or private)
    content/events/    profiles for about 70% of the E events
    content/pages/     an about page
    full.py            settings for the Connection Stories build: the
                       project's pelicanconf.py, with this content
    vanilla.py         settings for plain Pelican 4.12 on the same stories:
                       no plugin, Pelican's own feeds and its `simple` theme

People and events are tagged with a Zipf-like popularity (the k-th most
popular is tagged about 1/k as often as the first), so a few have hundreds of
stories and most have a handful, as on a real blog. The same seed gives the
same files, byte for byte. All the prose is made up here, from the word lists
below.
"""

import argparse
import datetime
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from connections.model.names import fold  # noqa: E402  (the plugin's own name rule)
from pelican.settings import DEFAULT_CONFIG  # noqa: E402
from pelican.utils import slugify  # noqa: E402

AUTHOR = "Maya Okafor"
CO_AUTHOR = "Ines Moreau"

FIRST = (
    "Ada Amara Anders Aoife Astrid Beatriz Björn Bogdan Camille Chiara Chloé Dagny "
    "Dario Dmitri Efua Elif Émile Esther Farah Felix Freya Gonçalo Greta Hana Hamid "
    "Hiroshi Ilse Ines Ingrid Iván Jakub Jana Joaquín José Jun Kaito Kalinda Kofi "
    "Laila Lars Leila Liam Linnea Łukasz Mads Malika Marek Marta Mateo Mei Mikael "
    "Nadia Naledi Niamh Nikos Noor Oda Olufemi Oskar Paulo Pilar Priya Quentin "
    "Rafael Rania Renée Rosa Rui Saanvi Samir Sanna Sipho Søren Stellan Sunita "
    "Tadeusz Tamsin Teodor Thandiwe Tomás Uma Valentina Vilja Wen Xavier Yara "
    "Yusuf Zainab Zoë Zuzana"
).split()

LAST = (
    "Abara Adeyemi Ahlberg Alves Andersen Asante Bakker Barros Bauer Bianchi "
    "Brennan Castro Chen Costa Dąbrowski Delacroix Dvořák Eriksson Esposito Farouk "
    "Fischer Fontaine Gallagher García Gómez Haddad Hansen Hoffmann Horvat Ibarra "
    "Ivanova Jansen Jensen Kamau Kaplan Kowalski Kruger Laurent Lindqvist Lopes "
    "Mahlangu Marchetti Mendes Moreau Müller Nakamura Nilsen Novák Nowak Nyström "
    "O'Connor Okonkwo Oliveira Östberg Park Pereira Petrov Quispe Rahman Reyes "
    "Rocha Rossi Saarinen Sánchez Santos Schmidt Silva Sokolova Suzuki Tanaka "
    "Thorsen Umarov Varga Vasquez Vieira Wagner Walsh Weber Wiśniewska Yamamoto "
    "Yilmaz Zapata Zielińska Żukowski"
).split()

EVENT_KINDS = (
    "Harbour Summit", "Open Data Day", "Civic Tech Gathering", "Night Market",
    "River Run", "Design Week", "Health Forum", "Book Fair", "Maker Faire",
    "Jazz Weekend", "Code Retreat", "Field School", "Film Festival",
    "Garden Show", "Startup Weekend", "Science Slam", "Choir Festival",
    "Data Café", "Winter Conference", "Bike Rally",
)
CITIES = (
    "Lisbon", "Porto", "Kraków", "Malmö", "Reykjavík", "Göteborg", "Nantes",
    "Zürich", "Tromsø", "Accra", "Lagos", "Nairobi", "Kyoto", "Oaxaca",
    "Montréal", "Cork", "Bruges", "Trieste",
)

NOUNS = (
    "kettle notebook bridge harbour market bench window lantern staircase "
    "whiteboard bicycle umbrella ferry garden festival workshop kitchen library "
    "tram platform bakery map sketch ledger spreadsheet recipe poster timetable "
    "courtyard rooftop orchard quay hedge railway chapel studio warehouse "
    "greenhouse atlas postcard typewriter accordion radio telescope"
).split()
ADJECTIVES = (
    "quiet crowded narrow generous patient sleepy bright unhurried borrowed "
    "forgotten muddy cheerful stubborn careful tiny enormous secondhand "
    "hand-painted rain-soaked late early windy golden faded noisy"
).split()
VERBS = (
    "repaired sketched borrowed carried described explained shared measured "
    "photographed rebuilt painted counted folded translated discovered "
    "collected delivered rearranged argued about laughed about"
).split()
PLACES = (
    "by the river", "at the back of the hall", "on the night train",
    "under the old clock", "behind the bakery", "on the last ferry",
    "in a draughty tent", "at the corner café", "on the steps of the library",
    "in the queue for coffee", "next to the registration desk",
    "halfway up the hill", "in the rain", "after the last talk",
)
FEELINGS = (
    "I had not expected to enjoy it so much",
    "it was the best part of the week",
    "nobody else seemed to notice",
    "we promised to write to each other",
    "I still think about it on Sunday mornings",
    "it changed how I plan my own work",
    "the afternoon went by far too quickly",
    "we were both surprised by the answer",
)
HEADINGS = (
    "The first morning", "A detour", "What I learned", "The long table",
    "Afterwards", "A second try", "Notes on the way home", "The small print",
    "Weather", "The map", "An unexpected guest", "What comes next",
)
CATEGORIES = ("Conferences", "Neighbourhood", "Travel", "Work", "Running", "Food")
TAGS = (
    "coffee trains maps drawing data health civic-tech markets bridges rain "
    "music books gardens bicycles ferries soup teaching volunteering "
    "photography hiking open-source design cooking translation archives "
    "libraries letters radio workshops winter"
).split()

PROFILED = 0.7  # the share of people and events with a profile


def default_people(stories):
    return max(12, stories // 10)


def default_events(stories):
    return max(4, stories // 50)


def _slug(name):
    return slugify(name, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])


class Site:
    """What was generated: names, who has a profile, and where the stories are."""

    def __init__(self, root):
        self.root = Path(root)
        self.content = self.root / "content"
        self.people = []  # dicts: name, slug, profile, visibility, aliases
        self.events = []  # dicts: name, slug, profile, start
        self.stories = []  # dicts: path, title, people, events

    def story_path(self, index):
        return self.content / self.stories[index]["path"]


def _unique_names(rnd, count, make):
    names, slugs, folded = [], set(), set()
    attempts = 0
    while len(names) < count:
        attempts += 1
        name = make(attempts)
        slug, key = _slug(name), fold(name)
        if slug and slug not in slugs and key not in folded:
            names.append(name)
            slugs.add(slug)
            folded.add(key)
    return names


def _people(rnd, count):
    def make(attempt):
        first, last = rnd.choice(FIRST), rnd.choice(LAST)
        if attempt > len(FIRST) * len(LAST) // 2:  # only for huge P: middle initials
            return f"{first} {chr(65 + rnd.randrange(26))}. {last}"
        return f"{first} {last}"

    names = [n for n in _unique_names(rnd, count, make) if n not in (AUTHOR, CO_AUTHOR)]
    names = [AUTHOR, CO_AUTHOR] + names[: count - 2]
    people, first_name_taken, taken = [], set(), {fold(n) for n in names}
    for i, name in enumerate(names):
        person = {"name": name, "slug": _slug(name), "profile": i < 2 or rnd.random() < PROFILED,
                  "visibility": "public", "aliases": []}
        if person["profile"] and i >= 2:
            roll = rnd.random()
            first = name.split()[0]
            if roll < 0.04 and fold(first) not in first_name_taken and fold(first) not in taken:
                person["visibility"] = "first-name"
                person["slug"] = _slug(first)
                first_name_taken.add(fold(first))
                taken.add(fold(first))
            elif roll < 0.07:
                person["visibility"] = "private"
            elif roll < 0.17:
                alias = f"{first} {name.split()[-1][0]}."
                if fold(alias) not in taken:
                    person["aliases"] = [alias]
                    taken.add(fold(alias))
        people.append(person)
    return people


def _events(rnd, count):
    def make(attempt):
        return f"{rnd.choice(CITIES)} {rnd.choice(EVENT_KINDS)} {rnd.randrange(2006, 2028)}"

    events = []
    for name in _unique_names(rnd, count, make):
        year = int(name.rsplit(" ", 1)[1])
        start = datetime.date(year, rnd.randrange(1, 13), rnd.randrange(1, 28))
        events.append({"name": name, "slug": _slug(name), "start": start,
                       "days": rnd.randrange(0, 4), "city": name.split()[0],
                       "profile": rnd.random() < PROFILED})
    return events


def _zipf_weights(count, s=1.0):
    return [1.0 / (k + 1) ** s for k in range(count)]


def _mention(rnd, person):
    """How a story mentions a person inline (always resolvable)."""
    name = person["name"]
    roll = rnd.random()
    if person["aliases"] and roll < 0.3:
        return f"@[{person['aliases'][0]}]"
    if roll < 0.35:
        return f"@[{name.split()[0]}]({name})"
    return f"@[{name}]"


def _sentence(rnd, who, where):
    a, b = rnd.choice(ADJECTIVES), rnd.choice(ADJECTIVES)
    n1, n2 = rnd.choice(NOUNS), rnd.choice(NOUNS)
    forms = (
        f"{who} {rnd.choice(VERBS)} the {a} {n1} {rnd.choice(PLACES)}, and {rnd.choice(FEELINGS)}.",
        f"We talked about the {a} {n1} {where} for longer than either of us had planned.",
        f"There was a {a} {n1} {rnd.choice(PLACES)} and a {b} {n2} nobody could explain.",
        f"{who} showed me a {b} {n2} and said it was the only one left in town.",
        f"I wrote down the name of the {n1} so that I would not forget it, and {rnd.choice(FEELINGS)}.",
        f"Someone had left a *{a}* {n2} {rnd.choice(PLACES)}; {who} {rnd.choice(VERBS)} it at once.",
        f"By the time the {n1} was {rnd.choice(VERBS)}, the {b} {n2} had gone cold.",
        f"It is hard to describe a {a} {n1} to anyone who was not there {where}.",
    )
    return rnd.choice(forms)


def _story(rnd, index, date, people, events):
    """(title, Markdown text) of one story tagging `people` and `events`."""
    words_wanted = rnd.randrange(300, 901)
    tagged_people = people[:]
    title = f"{rnd.choice(ADJECTIVES).title()} {rnd.choice(NOUNS)} {rnd.choice(PLACES)}"
    title = f"{title} ({index + 1})"  # unique titles, hence unique slugs
    where = f"at #[{events[0]['name']}]" if events else rnd.choice(PLACES)
    paragraphs = []
    words = 0
    sentence_count = 0
    while words < words_wanted:
        sentences = []
        for _ in range(rnd.randrange(3, 7)):
            sentence_count += 1
            if tagged_people and rnd.random() < 0.35:
                who = _mention(rnd, rnd.choice(tagged_people))
            else:
                who = rnd.choice(("A stranger", "The organiser", "My neighbour", "Nobody", "The cook"))
            if events and rnd.random() < 0.15:
                where_now = f"at #[{rnd.choice(events)['name']}]"
            else:
                where_now = rnd.choice(PLACES)
            sentences.append(_sentence(rnd, who, where_now))
        paragraph = " ".join(sentences)
        words += len(paragraph.split())
        paragraphs.append(paragraph)
        roll = rnd.random()
        if roll < 0.15:
            items = [f"- a {rnd.choice(ADJECTIVES)} {rnd.choice(NOUNS)} {rnd.choice(PLACES)};" for _ in range(3)]
            paragraphs.append("\n".join(items))
            words += sum(len(i.split()) for i in items)
        elif roll < 0.3:
            paragraphs.append(f"## {rnd.choice(HEADINGS)}")
        elif roll < 0.33:
            paragraphs.append(f"> \"The {rnd.choice(NOUNS)} is {rnd.choice(ADJECTIVES)},\" "
                              "someone said, and everyone agreed.")
        elif roll < 0.35:
            paragraphs.append("Write it as `@[Name]` and it becomes a link; "
                              "write \\@[Name] and it stays as written.")
    if not tagged_people and not events:
        paragraphs.insert(0, f"I went {where} alone and met nobody I knew.")
    first = tagged_people[0] if tagged_people else None
    if first:
        paragraphs.insert(0, f"This one is about {_mention(rnd, first)}, {where}.")
    header = [
        f"Title: {title}",
        f"Date: {date:%Y-%m-%d %H:%M}",
        f"Author: {AUTHOR if index % 9 else CO_AUTHOR}",
        f"Category: {rnd.choice(CATEGORIES)}",
        f"Tags: {', '.join(rnd.sample(TAGS, rnd.randrange(1, 4)))}",
    ]
    if tagged_people:
        header.append("People: " + ", ".join(p["name"] for p in tagged_people))
    if events:
        header.append("Events: " + ", ".join(e["name"] for e in events))
    text = "\n".join(header) + "\n\n" + "\n\n".join(paragraphs) + "\n"
    return title, text


def _person_profile(rnd, person):
    lines = [f"Name: {person['name']}"]
    if person["aliases"]:
        lines.append("Aliases: " + ", ".join(person["aliases"]))
    if person["visibility"] != "public":
        lines.append(f"Visibility: {person['visibility']}")
    if rnd.random() < 0.5:
        lines.append(f"Website: https://example.org/{person['slug']}")
    body = (f"{person['name'].split()[0]} keeps a {rnd.choice(ADJECTIVES)} {rnd.choice(NOUNS)} "
            f"{rnd.choice(PLACES)} and {rnd.choice(VERBS)} a {rnd.choice(NOUNS)} once a year.")
    return "\n".join(lines) + "\n\n" + body + "\n"


def _event_profile(rnd, event):
    end = event["start"] + datetime.timedelta(days=event["days"])
    lines = [f"Name: {event['name']}", f"Start: {event['start']:%Y-%m-%d}"]
    if event["days"]:
        lines.append(f"End: {end:%Y-%m-%d}")
    lines.append(f"Location: {event['city']}")
    body = (f"A {rnd.choice(ADJECTIVES)} gathering in {event['city']}, "
            f"with a {rnd.choice(NOUNS)} {rnd.choice(PLACES)}.")
    return "\n".join(lines) + "\n\n" + body + "\n"


def generate(root, stories=1000, people=None, events=None, seed=1):
    """Write the synthetic site under `root`; return a `Site` describing it."""
    rnd = random.Random(seed)
    people_count = people or default_people(stories)
    events_count = events or default_events(stories)
    site = Site(root)
    for folder in ("stories", "people", "events", "pages"):
        (site.content / folder).mkdir(parents=True, exist_ok=True)
    site.people = _people(rnd, people_count)
    site.events = _events(rnd, events_count)
    person_weights = _zipf_weights(len(site.people) - 2)
    event_weights = _zipf_weights(len(site.events))
    popular_people = site.people[2:]
    date = datetime.datetime(2008, 1, 1, 9, 0)
    for i in range(stories):
        date += datetime.timedelta(minutes=rnd.randrange(60, 60 * 24 * 6))
        count = rnd.choice((0, 1, 1, 2, 2, 3, 4))
        tagged = _distinct(rnd, popular_people, person_weights, count)
        tagged_events = _distinct(rnd, site.events, event_weights, rnd.choice((0, 0, 1, 1, 2)))
        title, text = _story(rnd, i, date, tagged, tagged_events)
        name = f"{i + 1:05d}-{_slug(title)[:40].rstrip('-')}.md"
        (site.content / "stories" / name).write_text(text, encoding="utf-8")
        site.stories.append({"path": f"stories/{name}", "title": title,
                             "people": [p["name"] for p in tagged],
                             "events": [e["name"] for e in tagged_events]})
    for person in site.people:
        if person["profile"]:
            (site.content / "people" / f"{_slug(person['name'])}.md").write_text(
                _person_profile(rnd, person), encoding="utf-8")
    for event in site.events:
        if event["profile"]:
            (site.content / "events" / f"{event['slug']}.md").write_text(
                _event_profile(rnd, event), encoding="utf-8")
    (site.content / "pages" / "about.md").write_text(
        "Title: About\n\nA synthetic connection blog, generated for the benchmark.\n",
        encoding="utf-8")
    write_settings(site)
    return site


def _distinct(rnd, items, weights, count):
    chosen = []
    while len(chosen) < min(count, len(items)):
        item = rnd.choices(items, weights)[0]
        if item not in chosen:
            chosen.append(item)
    return chosen


FULL_SETTINGS = '''\
"""The Connection Stories build of the synthetic site: pelicanconf.py + this content."""
import runpy as _runpy

globals().update(
    (k, v) for k, v in _runpy.run_path({pelicanconf!r}).items() if k.isupper() or k[:1].isdigit()
)
PATH = {content!r}
THEME = {theme!r}
PLUGIN_PATHS = [{plugins!r}]
CACHE_PATH = {cache!r}
CONNECTIONS_TODAY = "2026-11-25"
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
'''

VANILLA_SETTINGS = '''\
"""Plain Pelican 4.12 on the same stories: no plugin, its own feeds, its `simple` theme.

Everything not set here is Pelican's default (feeds: all, per category and
per author, in Atom and RSS). URLs, pagination and dates match pelicanconf.py.
"""
AUTHOR = "Maya Okafor"
SITENAME = "Connection Stories"
SITEURL = ""
RELATIVE_URLS = True
PATH = {content!r}
ARTICLE_PATHS = ["stories"]
PAGE_PATHS = ["pages"]
ARTICLE_EXCLUDES = ["people", "events"]
PAGE_EXCLUDES = ["people", "events"]
TIMEZONE = "Europe/Lisbon"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"
DEFAULT_PAGINATION = 10
THEME = "simple"
PLUGINS = []
ARTICLE_URL = "{{date:%Y}}/{{slug}}/"
ARTICLE_SAVE_AS = "{{date:%Y}}/{{slug}}/index.html"
PAGE_URL = "{{slug}}/"
PAGE_SAVE_AS = "{{slug}}/index.html"
CATEGORY_URL = "category/{{slug}}/"
CATEGORY_SAVE_AS = "category/{{slug}}/index.html"
TAG_URL = "tag/{{slug}}/"
TAG_SAVE_AS = "tag/{{slug}}/index.html"
CACHE_PATH = {cache!r}
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
'''


def write_settings(site):
    content = str(site.content)
    (site.root / "full.py").write_text(FULL_SETTINGS.format(
        pelicanconf=str(ROOT / "pelicanconf.py"), content=content,
        theme=str(ROOT / "theme"), plugins=str(ROOT / "plugins"),
        cache=str(site.root / "cache-full")), encoding="utf-8")
    (site.root / "vanilla.py").write_text(VANILLA_SETTINGS.format(
        content=content, cache=str(site.root / "cache-vanilla")), encoding="utf-8")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stories", type=int, default=1000)
    p.add_argument("--people", type=int, default=None, help="default: stories / 10")
    p.add_argument("--events", type=int, default=None, help="default: stories / 50")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True, help="an empty folder to write the site into")
    args = p.parse_args(argv)
    if os.path.exists(args.out) and os.listdir(args.out):
        p.error(f"{args.out}: not empty; give a new folder")
    site = generate(args.out, args.stories, args.people, args.events, args.seed)
    print(f"{len(site.stories)} stories, {len(site.people)} people, "
          f"{len(site.events)} events in {site.content}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
