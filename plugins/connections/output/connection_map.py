"""A map of connections: who met whom at which event, drawn at build time.

People and events are the nodes; a story ties every person it names (the
people the site may show, and its listed authors) to each other and to
its events; a story of more than CROWDED_STORY names (linking/linker.py)
ties them to its events and authors only, so that its ties grow with its
names, not with their square. networkx lays the graph out (spring layout
with a fixed seed: the same content draws the same map) and finds its
clusters (Louvain communities, fixed seed too); the theme's `map.html` draws
it as inline SVG (no JavaScript) beside a table of the same ties, and
`partials/neighbourhood.html` draws each person's own neighbourhood on their
page (networkx's shell layout: the person, their events, the people they
met).

Readable at 13 000 stories: the map draws only the CONNECTIONS_MAP_NODES
most connected people and events (by the number of stories on their ties),
labels the CONNECTIONS_MAP_LABELS most connected of those, and colours the
clusters; the table lists everyone. Private people are never a node, never
a tie and never counted; a first-name person is named by their first name
(`display_name`), as everywhere.

What templates get: `connection_map` on the map page (`nodes`, `edges`,
`rows`, `shown`, `total`, `width`, `height`), `person.neighbourhood` on a
person's page (`nodes`, `edges`, `width`, `height`), plain data (names, addresses,
numbers; no person or event, so a person's page is fingerprinted by what it
shows): every name is escaped by the template that prints it.
"""

import functools
import logging
import math
import os
from collections import Counter, defaultdict

from pelican.generators import Generator

from ..linking.linker import crowded, unique
from ..linking.record import state
from ..linking.record import is_linked
from ..model.names import fold
from .default_templates import theme_has

logger = logging.getLogger(__name__)

WIDTH, HEIGHT, MARGIN = 960, 640, 40
EGO_SIZE = 320
MAX_NODES = 400  # networkx lays out 500 or more with scipy, which is not installed


def _people_of(article):
    return unique([p for p in getattr(article, "people", []) if p.listed]
                  + [p for p in getattr(article, "author_people", []) if p.listed])


def ties(articles):
    """Counter of ties: {(node, node): stories}, a node being a Person or an
    Event; each pair once, sorted by (kind, slug)."""
    counts = Counter()
    for article in articles:
        if not is_linked(article):
            continue
        people = _people_of(article)
        events = unique(getattr(article, "events", []))
        if crowded(article):  # its people tied to its events and authors alone
            authors = [p for p in getattr(article, "author_people", []) if p.listed]
            for a in people:
                for b in events + [p for p in authors if p is not a]:
                    if b not in authors or a not in authors or _key(a) < _key(b):
                        counts[_pair(a, b)] += 1
            continue
        nodes = people + events
        for i, a in enumerate(nodes):
            for b in nodes[i + 1:]:
                if a.kind == "event" and b.kind == "event":
                    continue  # two events are tied through people, not directly
                counts[_pair(a, b)] += 1
    return counts


def _key(node):
    return (node.kind, node.slug)


def _pair(a, b):
    return (a, b) if _key(a) <= _key(b) else (b, a)


def _scaled(positions, width, height, margin, margin_x=None):
    """Positions in [0, width] x [0, height]; labels, centred under their
    node, need more room at the sides (margin_x)."""
    margin_x = margin if margin_x is None else margin_x
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    lo_x, hi_x, lo_y, hi_y = min(xs), max(xs), min(ys), max(ys)
    span_x = (hi_x - lo_x) or 1.0
    span_y = (hi_y - lo_y) or 1.0
    return {
        # plain floats: numpy's would reach the templates (and the warm
        # build's fingerprints, which know Python's own values)
        node: (round(float(margin_x + (x - lo_x) / span_x * (width - 2 * margin_x)), 1),
               round(float(margin + (y - lo_y) / span_y * (height - 2 * margin)), 1))
        for node, (x, y) in positions.items()
    }


def draw_map(counts, settings):
    import networkx as nx

    strength = Counter()
    for (a, b), n in counts.items():
        strength[a] += n
        strength[b] += n
    total = len(strength)
    limit = settings.get("CONNECTIONS_MAP_NODES", 80)
    if not limit or limit > MAX_NODES:
        logger.warning("connections: CONNECTIONS_MAP_NODES = %r: the map draws at most %d "
                       "(a drawing of more is unreadable, and laying it out needs scipy)",
                       limit, MAX_NODES)
        limit = MAX_NODES
    chosen = sorted(strength, key=lambda n: (-strength[n], n.kind, fold(n.display_name)))
    chosen = set(chosen[:limit] if limit else chosen)
    graph = nx.Graph()
    for node in sorted(chosen, key=_key):
        graph.add_node(node)
    for (a, b), n in sorted(counts.items(), key=lambda item: (_key(item[0][0]), _key(item[0][1]))):
        if a in chosen and b in chosen:
            graph.add_edge(a, b, weight=n)
    graph.remove_nodes_from([n for n in list(graph) if graph.degree(n) == 0])
    if not graph:
        return {"nodes": [], "edges": [], "shown": 0, "total": total,
                "width": WIDTH, "height": HEIGHT}
    seed = settings.get("CONNECTIONS_MAP_SEED", 7)
    positions = nx.spring_layout(graph, seed=seed, weight="weight", iterations=100)
    places = _scaled(positions, WIDTH, HEIGHT, MARGIN, margin_x=110)
    clusters = sorted(nx.community.louvain_communities(graph, weight="weight", seed=seed),
                      key=lambda c: (-len(c), min(_key(n) for n in c)))
    cluster_of = {node: i for i, members in enumerate(clusters) for node in members}
    labelled = set(sorted(graph, key=lambda n: (-strength[n], _key(n)))[
        :settings.get("CONNECTIONS_MAP_LABELS", 30)])
    top = max(strength[n] for n in graph)
    nodes = [
        {"url": node.url, "kind": node.kind, "name": node.display_name,
         "x": places[node][0], "y": places[node][1],
         "r": round(float(5 + 11 * math.sqrt(strength[node] / top)), 1),
         "cluster": cluster_of[node] % 8, "stories": strength[node],
         "label": node in labelled}
        for node in sorted(graph, key=lambda n: (strength[n], _key(n)))  # biggest on top
    ]
    edges = [
        {"x1": places[a][0], "y1": places[a][1], "x2": places[b][0], "y2": places[b][1],
         "width": round(1 + 3 * math.sqrt(data["weight"] / max(1, top)), 2),
         "kind": "met" if a.kind == b.kind else "at", "stories": data["weight"],
         "a": a.display_name, "b": b.display_name}
        for a, b, data in sorted(graph.edges(data=True), key=lambda e: (_key(e[0]), _key(e[1])))
    ]
    return {"nodes": nodes, "edges": edges, "shown": len(nodes), "total": total,
            "width": WIDTH, "height": HEIGHT}


def table_rows(counts):
    """One row per person with ties: the events they were at and the people
    they met, each with how many stories, most first."""
    events = defaultdict(Counter)
    people = defaultdict(Counter)
    for (a, b), n in counts.items():
        for one, other in ((a, b), (b, a)):
            if one.kind != "person":
                continue
            (events if other.kind == "event" else people)[one][other] = n
    order = lambda c: sorted(c.items(), key=lambda item: (-item[1], fold(item[0].display_name)))  # noqa: E731
    return [
        {"person": person, "events": order(events[person]), "people": order(people[person])}
        for person in sorted(set(events) | set(people), key=lambda p: fold(p.display_name))
    ]


def neighbourhood(person, counts_of_person, shown_max):
    """The person in the middle, their events on the inner ring and the
    people they met on the outer one (networkx's shell layout)."""
    events = [e for e, _ in counts_of_person["events"][:shown_max]]
    people = [p for p, _ in counts_of_person["people"][:shown_max]]
    if not events and not people:
        return None
    shown = [person] + events + people
    places = dict(zip(shown, _shell_places(len(events), len(people))))
    counts = dict(counts_of_person["events"] + counts_of_person["people"])
    nodes = [{"url": n.url, "kind": n.kind, "name": n.display_name,
              "x": places[n][0], "y": places[n][1], "r": 14 if n is person else 8,
              "centre": n is person, "stories": counts.get(n, 0)}
             for n in [person] + events + people]
    edges = [{"x1": places[person][0], "y1": places[person][1],
              "x2": places[n][0], "y2": places[n][1],
              "kind": "at" if n.kind == "event" else "met", "stories": counts[n]}
             for n in events + people]
    return {"nodes": nodes, "edges": edges, "width": EGO_SIZE, "height": EGO_SIZE}


@functools.lru_cache(maxsize=None)
def _shell_places(events, people):
    """Where the person (first), `events` events and `people` people go on a
    neighbourhood drawing, in that order: networkx's shell layout depends on
    the number of nodes on each ring alone, so it is laid out once per pair
    of numbers, not once per person."""
    import networkx as nx

    shown = list(range(1 + events + people))
    shells = [[0]] + [s for s in (shown[1:1 + events], shown[1 + events:]) if s]
    graph = nx.Graph()
    graph.add_nodes_from(shown)
    positions = nx.shell_layout(graph, nlist=shells)
    if len(graph) == 2:  # one neighbour: the person left, the neighbour right
        positions = {0: (0.0, 0.0), 1: (1.0, 0.0)}
    places = _scaled({n: tuple(p) for n, p in positions.items()}, EGO_SIZE, EGO_SIZE, 40,
                     margin_x=80)
    return tuple(places[n] for n in shown)


def renew_neighbourhood(person, settings):
    """`person.neighbourhood` as MapGenerator makes it, from the person's own
    stories alone (their ties are all in them): the preview's quick render
    (machinery/quick_render.py) draws it again when a story's people change."""
    if not settings.get("CONNECTIONS_NEIGHBOURHOOD", True):
        return
    shown = settings.get("CONNECTIONS_CONNECTED_MAX", 8) or 8
    rows = [r for r in table_rows(ties(unique(person.articles + person.authored)))
            if r["person"] is person]
    if rows:
        person.neighbourhood = neighbourhood(person, rows[0], shown)
    else:
        vars(person).pop("neighbourhood", None)


class MapGenerator(Generator):
    """The map page, and each person's neighbourhood for their page."""

    def generate_context(self):
        self.map = None
        if state(self.context) is None:
            return
        save_as = self.settings.get("CONNECTIONS_MAP_SAVE_AS")
        if save_as and not theme_has(self, "map", "map of connections"):
            save_as = ""
        ego = self.settings.get("CONNECTIONS_NEIGHBOURHOOD", True)
        self.context["map_url"] = self.settings.get("CONNECTIONS_MAP_URL") if save_as else ""
        if not save_as and not ego:
            return
        counts = ties(self.context.get("articles", []))
        rows = table_rows(counts)
        if ego:
            shown = self.settings.get("CONNECTIONS_CONNECTED_MAX", 8) or 8
            for row in rows:
                row["person"].neighbourhood = neighbourhood(row["person"], row, shown)
        if save_as:
            self.map = draw_map(counts, self.settings)
            self.map["rows"] = rows

    def generate_output(self, writer):
        if not self.map:
            return
        save_as = self.settings["CONNECTIONS_MAP_SAVE_AS"]
        writer.write_file(
            save_as, self.get_template("map"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"], template_name="map",
            url=self.context["map_url"], page_name=os.path.splitext(save_as)[0],
            connection_map=self.map,
        )
