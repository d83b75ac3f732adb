"""The pages people and events get: one each, and a directory of each.

`ConnectionsGenerator` runs after Pelican has read the stories. In
`generate_context` it gathers, for every person and event, the published
stories that tag them, who they appear with and where, registers the
mention-link targets, and stops the build if the content had errors (or
warnings, with CONNECTIONS_STRICT), before a single file is written. In
`generate_output` it writes the pages the way Pelican writes tag pages, so
PAGINATED_TEMPLATES pagination works for `person` and `event`.
"""

import datetime
import logging
import os
import zoneinfo
from collections import Counter
from itertools import groupby

from pelican.contents import Content
from pelican.generators import Generator

from ..comments.providers import thread_id
from ..diagnostics import ContentError
from ..linking.linker import unique
from ..linking.record import forget_url, is_linked, keep, record, state
from ..model import identity
from ..model import source as sourcefile
from ..model.identity import report_shared_pages
from ..model.names import fold
from ..model.registry import PagesOf, shown_path
from . import rendered_together
from .author_pages import write_author_redirects
from .default_templates import fall_back_from_missing_templates, with_default_templates

logger = logging.getLogger(__name__)



class Profile(Content):
    """A profile's body (a bio or an event's description) as page content,
    so its links are made relative or absolute like a story's."""

    mandatory_properties = ()
    default_template = "person"


class ConnectionsGenerator(Generator):
    def __init__(self, context, settings, path, theme, output_path, *rest, **kwargs):
        super().__init__(context, settings, path, theme, output_path, *rest, **kwargs)
        self.env.loader = with_default_templates(self.env.loader)
        self.people = []
        self.events = []
        self._connections = Connections()

    # --- context ------------------------------------------------------------

    def generate_context(self):
        linker = state(self.context)
        if linker is None:  # the article generator did not run: nothing to do
            return
        registry = linker.registry
        self._render_profiles(linker)
        articles = self.context.get("articles", [])
        people = registry.all("person")
        events = registry.all("event")
        for entity in people + events:
            entity.articles = []
        for article in articles:
            if not is_linked(article):
                continue
            for person in article.people:
                person.articles.append(article)
            for event in article.events:
                event.articles.append(article)
            for author in article.author_people:
                author.authored.append(article)
        for person in people:
            self._connect_person(person)
        for event in events:
            self._meet(event)
        self.people = sorted(
            (p for p in people if p.listed and (p.has_profile or p.articles or p.authored)),
            key=lambda p: fold(p.display_name),
        )
        self.events = sorted(
            (e for e in events if e.has_profile or e.articles),
            key=lambda e: (e.start or datetime.date.min, fold(e.name)),
        )
        for entity in self.people + self.events:
            self.context["generated_content"][entity.link_key] = entity
            if entity.profile_linkable:  # a first-name person's: see linking/privacy.py
                key = _content_key(entity.profile_path, self.settings["PATH"])
                self.context["generated_content"][key] = entity
        today = self._today()
        upcoming = [e for e in self.events if e.start and (e.end or e.start) >= today]
        soon = {id(e) for e in upcoming}
        past = [e for e in reversed(self.events) if id(e) not in soon]
        # Which tags and categories have a page (a draft's own may not, and
        # none do when TAG_SAVE_AS is ""): sets, asked in constant time, each
        # answer a read of the page that asks (registry.PagesOf).
        for kind in ("tag", "category"):
            written = self.settings.get(f"{kind.upper()}_SAVE_AS")
            plural = "tags" if kind == "tag" else "categories"
            self.context[f"{kind}_slugs_with_pages"] = PagesOf(kind, [
                item.slug for item, _ in self.context.get(plural, [])
            ] if written else [])
        self.context["people"] = self.people
        self.context["events"] = self.events
        self.context["upcoming_events"] = upcoming
        self.context["past_events_by_year"] = [
            (year, list(group)) for year, group in groupby(past, key=lambda e: e.year)
        ]
        self._report_unreadable(linker.findings)
        fall_back_from_missing_templates(self.context, self.get_template, linker.findings)
        ledger = self._give_identities(linker)
        self._report_shared_pages(linker.findings)
        failing = linker.findings.failing(self.settings["CONNECTIONS_STRICT"])
        if failing:
            strict = " (CONNECTIONS_STRICT is on: warnings count)" if (
                self.settings["CONNECTIONS_STRICT"] and not linker.findings.errors
            ) else ""
            raise ContentError(
                f"the build stopped before writing anything: "
                f"{linker.findings.summary()}{strict}; fix the lines above"
            )
        # Every name is resolved: what templates can reach about people is
        # now only what the site may show (registry.Person.seal).
        linker.registry.seal()
        linker._sources.clear()  # stories' headers as written, for messages only
        if identity.write_ledger(self.settings, ledger):
            logger.info("connections: recorded new story identities in %s",
                        shown_path(identity.ledger_path(self.settings), None))

    def _report_unreadable(self, findings):
        """A file Pelican could not read, or read and left out, is said with
        its reason, never a silent gap: an error when reading it failed (the
        build stops), a warning when Pelican skips it as it stands (no title
        or date, an unknown status: Pelican builds the rest, and so do we)."""
        for key, value in sorted(self.context["generated_content"].items()):
            if value is not None:
                continue
            path = os.path.join(self.settings["PATH"], key)
            shown = _shown(self.settings["PATH"], key)
            src = sourcefile.read(path, shown)
            if src.problem:
                findings.error(shown, *sourcefile.unreadable(src))
                continue
            try:
                content = sourcefile.read_as_pelican(self.settings, path)
            except Exception as exc:  # whatever stops Pelican
                findings.error(shown, *sourcefile.pelican_error(exc, src))
                continue
            why = sourcefile.why_skipped(content, src) if content is not None else None
            if why:
                findings.warning(shown, *why)
            else:
                findings.error(shown, 1, 1, (
                    "this file could not be read (the message above says why); "
                    "fix it or move it out of the content folder"))

    def _stories(self):
        """Every story Pelican read: published (with their translations),
        hidden and drafts (a draft keeps its identity when it is published)."""
        seen = {}
        for key in ("articles", "hidden_articles", "drafts"):
            for story in self.context.get(key, []) or []:
                for one in [story, *getattr(story, "translations", [])]:
                    seen.setdefault(id(one), one)
        return list(seen.values())

    def _give_identities(self, linker):
        """Every story's identity (identity.py), kept in the build's Linker for
        story_id(); comment threads follow. Returns the identities file's table."""
        shown = lambda a: shown_path(a.source_path, None)  # noqa: E731
        stories = self._stories()
        ledger = identity.read_ledger(self.settings, linker.findings, lambda p: shown_path(p, None))
        table = identity.assign(stories, self.settings, ledger, linker.findings, shown)
        linker.identities = table
        # story_id() asks by the story object: its path worked out once, here.
        keys = identity._keys(stories, self.settings)
        self.context[identity.IDENTITIES_KEY] = {
            id(s): identity.story_id_in(s, table, keys[id(s)]) for s in stories}
        for story in stories:
            if is_linked(story):
                keep(story, comments_thread=thread_id(story))
        return table

    def _report_shared_pages(self, findings):
        report_shared_pages(
            [c for key in ("articles", "drafts", "hidden_articles", "pages", "hidden_pages",
                           "draft_pages") for c in self.context.get(key, [])],
            findings, lambda c: shown_path(c.source_path, None), moved=forget_url,
        )

    def _connect_person(self, person):
        person.articles.sort(key=lambda a: a.date, reverse=True)
        person.authored.sort(key=lambda a: a.date, reverse=True)
        stories = unique(person.articles + person.authored)
        person.events = unique(
            e for a in sorted(stories, key=lambda a: a.date, reverse=True)
            for e in a.events
        )
        person.connected = self._connections.of(
            person, stories, self.settings["CONNECTIONS_CONNECTED_MAX"]
        )

    def _meet(self, event):
        """An event's page lists the people met there most often; the rest
        are in its stories (a page's cost must not grow with them)."""
        shown = self.settings["CONNECTIONS_EVENT_PEOPLE_MAX"]
        met = _most_often(p for a in event.articles for p in a.people)
        event.people_met = len(met)
        event.people = met[:shown] if shown is not None else met

    def relist(self, story, entities):
        """The lists of `entities` (their stories, whom they met, where) made
        again, as `generate_context` made them, after `story`'s people or
        events changed: the preview's quick render (machinery/quick_render.py)."""
        self._connections._circles.pop(id(story), None)
        articles = [a for a in self.context.get("articles", []) if is_linked(a)]
        for entity in entities:
            if entity.kind == "person":
                entity.articles = [a for a in articles if entity in a.people]
                entity.authored = [a for a in articles if entity in a.author_people]
                self._connect_person(entity)
            else:
                entity.articles = [a for a in articles if entity in a.events]
                self._meet(entity)

    def has_page(self, entity):
        """Whether this build wrote a page for `entity`."""
        return bool(entity.save_as) and any(e is entity for e in (
            self.people if entity.kind == "person" else self.events))

    def write_pages_of(self, writer, entities):
        """The pages of `entities` alone, as `generate_output` writes them."""
        for entity in entities:
            self._write_entity(writer, entity.kind, entity, self.settings["RELATIVE_URLS"])

    def _render_profiles(self, linker):
        """Bios and descriptions: Markdown with mentions, as page content."""
        for entity, html in linker.profile_bodies(self.settings["MARKDOWN"]):
            path = entity.source.path
            if not entity.profile_linkable:  # its file name may be their full name
                path = os.path.join(os.path.dirname(path), entity.slug + os.path.splitext(path)[1])
            entity.bio = Profile(
                html,
                metadata={"title": entity.display_name},
                settings=self.settings,
                source_path=path,
                context=self.context,
            )
            record(entity.bio)  # its mention links filled in as a story's (linked.py)

    def _today(self):
        return build_day(self.settings)

    # --- output -------------------------------------------------------------

    def generate_output(self, writer):
        relative = self.settings["RELATIVE_URLS"]
        with rendered_together(writer):
            for template, entities in (("person", self.people), ("event", self.events)):
                for entity in entities:
                    if not entity.save_as:
                        continue
                    self._write_entity(writer, template, entity, relative)
            for template, save_as, url in (
                ("people", "PEOPLE_SAVE_AS", "PEOPLE_URL"),
                ("events", "EVENTS_SAVE_AS", "EVENTS_URL"),
            ):
                if self.settings[save_as]:
                    writer.write_file(
                        self.settings[save_as],
                        self.get_template(template),
                        self.context,
                        relative_urls=relative,
                        template_name=template,
                        url=self.settings[url],
                        page_name=self.settings[save_as].rsplit(".", 1)[0],
                    )

        write_author_redirects(self, writer, relative)

    def _write_entity(self, writer, template, entity, relative):
        articles = entity.articles
        writer.write_file(
            entity.save_as,
            self.get_template(template),
            self.context,
            relative_urls=relative,
            paginated={"articles": articles, "dates": articles},
            template_name=template,
            page_name=entity.page_name,
            url=entity.url,
            **{template: entity},
        )


class Connections:
    """Who a person appears with, most often first (then by name), the
    first `limit` of them, at a cost that grows with the person's stories
    but not with the square of a story's people.

    A person is counted once for each time a story tags them or names them
    as its author (as the page always counted). Each story's circle (its
    people, most often first, then by name) is sorted once per build; a
    person's own count is made from all their stories but the largest, and
    from the largest only as far down its circle as the first `limit`
    people that appear nowhere else: a story naming 4,000 people made each
    of them sort the other 3,999 (223 s), now each reads 8 of them."""

    def __init__(self):
        self._circles = {}  # id(story) -> (circle [(key, person, times)], {id(person): times})
        self._keys = {}  # id(person) -> the name key people are sorted by

    def key(self, person):
        k = self._keys.get(id(person))
        if k is None:
            k = self._keys[id(person)] = fold(person.display_name)
        return k

    def circle(self, story):
        found = self._circles.get(id(story))
        if found is None:
            times = Counter(p for p in story.people + story.author_people if p.listed)
            people = {id(p): p for p in times}
            circle = sorted(
                ((self.key(p), p, n) for p, n in times.items()),
                key=lambda kpn: (-kpn[2], kpn[0]),
            )
            found = self._circles[id(story)] = (
                circle, {id(p): n for p, n in times.items()}, people
            )
        return found

    def of(self, person, stories, limit):
        if not stories:
            return []
        circles = sorted((self.circle(s) for s in stories), key=lambda c: len(c[0]))
        largest, rest = circles[-1], circles[:-1]
        counts = Counter()
        people = {}
        for _, times, who in rest:
            for pid, n in times.items():
                counts[pid] += n
            people.update(who)
        counts.pop(id(person), None)
        largest_circle, largest_times, _ = largest
        for pid in counts:
            counts[pid] += largest_times.get(pid, 0)
        found = [(-n, self.key(people[pid]), people[pid]) for pid, n in counts.items()]
        taken = 0
        for key, p, n in largest_circle:  # most often first: the first few will do
            if limit is not None and taken >= limit:
                break
            if p is person or id(p) in counts:
                continue
            found.append((-n, key, p))
            taken += 1
        found.sort(key=lambda nkp: (nkp[0], nkp[1]))
        if limit is not None:
            found = found[:limit]
        return [(p, -n) for n, _, p in found]


def _most_often(items):
    counts = Counter(items)
    return [e for e, _ in sorted(counts.items(), key=lambda ec: (-ec[1], fold(ec[0].display_name)))]


def _shown(content_root, key):
    return shown_path(os.path.join(content_root, key), None)


def _content_key(path, content_root):
    return os.path.relpath(os.path.abspath(path), os.path.abspath(content_root)).replace(
        os.sep, "/"
    )


def build_day(settings):
    """CONNECTIONS_TODAY, else the day of the build in TIMEZONE."""
    today = settings.get("CONNECTIONS_TODAY")
    if today:
        return datetime.date.fromisoformat(str(today))
    try:
        zone = zoneinfo.ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = datetime.timezone.utc
    return datetime.datetime.now(zone).date()
