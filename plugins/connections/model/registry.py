"""People and events, and the one set of rules that finds them by name.

A `Person` or `Event` is a Pelican `URLWrapper` (like `Tag` and `Author`):
slug-based equality, and `url`/`save_as` from PERSON_URL, EVENT_SAVE_AS...
The `Registry` knows every entity of a build, from its profile in
content/people/ or content/events/, or made from a name that a story tags
without one. `Registry.resolve` is the single place a written name becomes an
entity: the build and the check command both call it.
"""

import datetime
import difflib
import os

from pelican.urlwrappers import URLWrapper

from ..settings import VISIBILITIES
from . import safe_urls
from . import source as sourcefile
from .names import NearNames, first_name, fold, split_list
from .slugs import make_slug, slug_problem, written_slug

PROFILE_LINK_KEYS = ("website", "mastodon", "github", "linkedin", "bluesky", "email")
LINK_LABELS = {"github": "GitHub", "linkedin": "LinkedIn"}
PERSON_FIELDS = {"name", "aliases", "avatar", "visibility", "placeholder", "slug"}
PERSON_FIELDS |= set(PROFILE_LINK_KEYS)
EVENT_FIELDS = {"name", "aliases", "start", "end", "location", "address", "url", "slug"}


class Listing:
    """What a person or event carries about the stories that tag it (its
    stories, the people met there...): filled in by the generator once the
    stories are read.

    The warm build's output cache (incremental.py) must know which pages read
    these lists, since any story can change them: while a page is rendered,
    `Listing.readers` holds a dict, and each list of a person or event the
    page reads goes into it, as a `ListRead` (by the entity's id: a person
    and an event may share a slug, and entities compare by slug). Each list
    on its own: a page that shows how many stories a person wrote reads
    their `authored`, not their `articles`, and renders again when the
    first changes, not whenever a story that tags them does."""

    readers = []  # one dict per page being rendered, innermost last

    def __set_name__(self, owner, name):
        self.name = name
        self.key = f"_{name}"

    def __get__(self, entity, owner=None):
        if entity is None:
            return self
        if Listing.readers:
            reads, key = Listing.readers[-1], (id(entity), self.name)
            if key not in reads:  # a page reads a list many times: one ListRead
                reads[key] = ListRead(entity, self.name)
        try:
            return entity.__dict__[self.key]
        except KeyError:
            raise AttributeError(self.name) from None

    def __set__(self, entity, value):
        entity.__dict__[self.key] = value


class ListRead:
    """One list of one person or event that a page read (`Listing`): named
    `kind.list/slug` in the output records (`person.authored/ann-lee`), as a
    PagesOf answer is `kind-page/slug`."""

    __slots__ = ("entity", "name", "kind", "slug")

    def __init__(self, entity, name):
        self.entity, self.name = entity, name
        self.kind, self.slug = f"{entity.kind}.{name}", entity.slug


class PagesOf(frozenset):
    """The slugs of the tags (or the categories) that have a page. A template
    asks it about one slug at a time (`tag.slug in tag_slugs_with_pages`):
    each answer goes into `Listing.readers` as the page's read, so the warm
    build's output cache keys a page by the answers it asked for, not by
    every tag of the blog (a new tag would otherwise render every story
    page again). Reading it whole (iterating, its length) is a read of all
    of it."""

    def __new__(cls, kind, slugs):
        held = super().__new__(cls, slugs)
        held.kind = f"{kind}-page"
        return held

    def __contains__(self, slug):
        found = frozenset.__contains__(self, slug)
        if Listing.readers:
            Listing.readers[-1][(self.kind, slug)] = Answer(self.kind, str(slug), found)
        return found

    def __iter__(self):
        self._read_whole()
        return frozenset.__iter__(self)

    def __len__(self):
        self._read_whole()
        return frozenset.__len__(self)

    def _read_whole(self):
        if Listing.readers:
            Listing.readers[-1][(self.kind, "*")] = self.answer("*")

    def answer(self, slug):
        """The answer to `slug` (or, for "*", the whole set) in this build."""
        if slug == "*":
            whole = ",".join(sorted(frozenset.__iter__(self)))
            return Answer(self.kind, "*", whole)
        return Answer(self.kind, slug, frozenset.__contains__(self, slug))


class Answer:
    """One answer a page read from a PagesOf (its `kind/slug` names it in the
    output records, as a person's `person/slug` does)."""

    def __init__(self, kind, slug, value):
        self.kind, self.slug, self.value = kind, slug, value


class Entity(URLWrapper):
    kind = ""
    sigil = ""
    articles = Listing()  # published stories that tag it, newest first
    people = Listing()  # an event's: the people met there most often

    def __init__(self, name, settings, source=None):
        super().__init__(name, settings)
        self.source = source  # the profile's Source, or None
        self.aliases = []
        self.bio = ""  # HTML, set by the generator from the profile's body
        self.articles = []
        self.people = []

    @property
    def has_profile(self):
        return self.source is not None

    @property
    def profile_path(self):
        return self.source.path if self.source else None

    @property
    def listed(self):
        """Whether the site shows it at all (private people are never shown)."""
        return True

    @property
    def profile_linkable(self):
        """Whether its profile's file name may be kept where templates reach
        it (`generated_content`, its bio's source path): not a first-name or
        private person's, whose file name usually carries their full name."""
        return self.has_profile

    @property
    def display_name(self):
        return self.name

    @property
    def page_name(self):
        return os.path.splitext(self.save_as)[0]

    # A page names a person or event many times (chips, mention links, JSON-LD,
    # cards): their address is worked out once per name and slug, not each time.
    @property
    def url(self):
        return self._memo("url", URLWrapper.url.fget)

    @property
    def save_as(self):
        return self._memo("save_as", URLWrapper.save_as.fget)

    def _memo(self, what, compute):
        key = (self.name, self.slug)
        memo = self.__dict__.setdefault("_url_memo", {})
        hit = memo.get(what)
        if hit is None or hit[0] != key:
            hit = memo[what] = (key, compute(self))
        return hit[1]

    @property
    def link_key(self):
        """The `{filename}` key that mention links point at (never a hidden name)."""
        return f"@{self.kind}/{self.slug}"

    def __str__(self):
        return self.display_name

    def __repr__(self):
        return f"<{self.__class__.__name__} {self.slug!r}>"


class Person(Entity):
    kind = "person"
    sigil = "@"
    folder_setting = "CONNECTIONS_PEOPLE_PATH"  # where profiles live
    fields = PERSON_FIELDS  # the header lines a profile may have
    pronoun = "them"  # in messages: "tag them with @[...]"
    mention_class = "mention u-category h-card"
    authored = Listing()  # the stories they wrote, newest first
    events = Listing()  # where their stories happened, newest first
    connected = Listing()  # (Person, count), most often first
    neighbourhood = Listing()  # their drawing on their page (connection_map.py)

    def __init__(self, name, settings, source=None):
        super().__init__(name, settings, source)
        self.visibility = "public"
        self.placeholder = ""
        self.avatar = ""  # the picture's address, relative to the site root
        self.avatar_path = ""  # the picture's path in the content folder
        self.links = []  # (label, url)
        self.authored = []
        self.events = []
        self.connected = []
        self.neighbourhood = None

    @property
    def listed(self):
        return self.visibility != "private"

    @property
    def profile_linkable(self):
        return self.has_profile and self.visibility == "public"

    @property
    def display_name(self):
        if self.visibility == "first-name":
            return first_name(self.name)
        if self.visibility == "private":
            return self.placeholder or self.settings["CONNECTIONS_PRIVATE_PLACEHOLDER"]
        return self.name

    def seal(self):
        """Keep only what the site may show (the build calls this once every
        name is resolved, before any page is rendered): a first-name person
        keeps their first name, a private person their placeholder; their
        other names, aliases, links, picture and profile text are dropped, so
        no template can reach them (a template prints what it finds: no
        template needs to ask `visibility`)."""
        if self.visibility == "public":
            return
        slug = self.slug if self.visibility == "first-name" else ""
        self._name = self.display_name
        self._slug, self._slug_from_name = slug, False
        self.aliases = []
        self.links = []
        self.placeholder = ""
        if self.source is not None:
            self.source = sourcefile.Source(path="")  # has a profile; its text is gone
        self.avatar = self.avatar_path = ""  # linking/privacy.py keeps it off the site
        if self.visibility == "private":
            self.bio = ""

    @property
    def public_links(self):
        """Their links, when the site may show them (a public person's only)."""
        return list(self.links) if self.visibility == "public" else []

    @property
    def initials(self):
        words = self.display_name.split()
        return "".join(w[0] for w in words[:2]).upper()

    @property
    def slug(self):
        if self._slug is None and self.visibility == "first-name":
            self._slug = _slugify(first_name(self.name), self.settings)
        return super().slug

    @slug.setter
    def slug(self, value):
        URLWrapper.slug.fset(self, value)


class Event(Entity):
    kind = "event"
    sigil = "#"
    folder_setting = "CONNECTIONS_EVENTS_PATH"
    fields = EVENT_FIELDS
    pronoun = "it"
    mention_class = "mention mention-event u-category"
    people_met = Listing()  # how many listed people its stories tag

    def __init__(self, name, settings, source=None):
        super().__init__(name, settings, source)
        self.start = None  # datetime.date
        self.end = None
        self.location = ""
        self.address = ""  # the place's postal address (`Address:`), for JSON-LD and .ics
        self.event_url = ""
        self.people_met = 0

    @property
    def year(self):
        return self.start.year if self.start else None


KINDS = {"person": Person, "event": Event}
# The names of every Listing a person or an event has.
LISTINGS = tuple(sorted({
    name for kind in KINDS.values() for owner in kind.__mro__
    for name, value in vars(owner).items() if isinstance(value, Listing)
}))


def _slugify(name, settings):
    return make_slug(name, settings)


def parse_date(text):
    """A date from 'YYYY-MM-DD' (a time after it is allowed and ignored)."""
    return datetime.date.fromisoformat(text.strip()[:10])


class Registry:
    def __init__(self, settings, findings):
        self.settings = settings
        self.findings = findings
        self.entities = {"person": {}, "event": {}}  # slug -> entity
        self._exact = {"person": {}, "event": {}}  # name or alias -> {entity}
        self._folded = {"person": {}, "event": {}}  # fold(name) -> {entity}
        self._suggestable = {}  # kind -> ({folded key: entity with a profile}, NearNames)
        # slug of a profile's name or alias -> the entity, when its own slug
        # differs (a first-name person's, or one with a Slug: line): so that
        # @[ada-brennan] names the profile and never makes a second page.
        self._name_slugs = {"person": {}, "event": {}}

    # --- building --------------------------------------------------------

    def load(self, content_path):
        """Read every profile under content_path; report what is wrong in them."""
        for kind, setting in (
            ("person", "CONNECTIONS_PEOPLE_PATH"),
            ("event", "CONNECTIONS_EVENTS_PATH"),
        ):
            folder = os.path.join(content_path, self.settings[setting])
            if not os.path.isdir(folder):
                continue
            for name in sorted(os.listdir(folder)):
                if name.startswith(".") or not name.endswith((".md", ".markdown")):
                    continue
                path = os.path.join(folder, name)
                self.add_profile(kind, sourcefile.read(path, shown_path(path, self.settings)))
        return self

    def add_profile(self, kind, src):
        if src.problem:
            self.findings.error(src.path, 1, 1, src.problem.split(": ", 1)[-1])
            return None
        name_field = src.get("name") or src.get("title")
        if not name_field or not name_field.value:
            stem = os.path.splitext(os.path.basename(src.path))[0]
            self.findings.error(
                src.path, 1, 1,
                f"the profile has no 'Name:' line; add one at the top, e.g. 'Name: {stem.replace('-', ' ').title()}'",
            )
            return None
        entity = KINDS[kind](name_field.value, self.settings, source=src)
        self._report_repeated_keys(src, kind)
        slug_field = src.get("slug")
        if slug_field and slug_field.value:
            slug, why = written_slug(slug_field.value, self.settings)
            if why:  # reported; the name's own slug stands in (the build stops)
                self.findings.error(src.path, slug_field.line, slug_field.column, why)
            else:
                entity.slug = slug
        known = entity.fields
        for f in src.fields:
            if f.key not in known and f.key not in ("title", "status", "lang"):
                guess = difflib.get_close_matches(f.key, sorted(known), n=1, cutoff=0.7)
                hint = f"; did you mean '{guess[0].title()}:'?" if guess else ""
                self.findings.warning(
                    src.path, f.line, 1,
                    f"unknown field '{f.raw_key}:' in a {kind} profile{hint}",
                )
        entity.aliases = split_list(src.value("aliases"))
        getattr(self, f"_read_{kind}")(entity, src)  # _read_person, _read_event
        return self.add(entity)

    def _report_repeated_keys(self, src, kind):
        """A header key given twice is an error at its second line: which
        value holds is anyone's guess (Visibility: takes the most private)."""
        first = {}
        for f in src.fields:
            if f.key in first:
                self.findings.error(
                    src.path, f.line, 1,
                    f"'{f.raw_key}:' is given twice in this {kind} profile (first on line "
                    f"{first[f.key].line}); keep one of them",
                )
            else:
                first[f.key] = f

    def _read_person(self, person, src):
        given = [f for f in src.fields if f.key == "visibility" and f.value]
        for visibility in given:
            value = visibility.value.strip().lower()
            if value not in VISIBILITIES:
                self.findings.error(
                    src.path, visibility.line, visibility.column,
                    f"unknown visibility '{safe_urls.shown(visibility.value)}'; use one of: "
                    + ", ".join(VISIBILITIES),
                )
                value = "private"  # fail safe: never publish by mistake
            # Given twice (an error above): the most private of them holds.
            if VISIBILITIES.index(value) > VISIBILITIES.index(person.visibility):
                person.visibility = value
        if person.visibility != "public":
            person._slug = None if person._slug_from_name else person._slug
        if person.visibility == "first-name" and not person._slug_from_name:
            self._report_surname_in_slug(person, src)
        person.placeholder = src.value("placeholder")
        avatar = src.get("avatar")
        if avatar and avatar.value:
            path, why = safe_urls.avatar_path(avatar.value, self.settings.get("STATIC_PATHS"))
            if why:
                self.findings.error(
                    src.path, avatar.line, avatar.column,
                    f"'Avatar: {safe_urls.shown(avatar.value)}' is refused: {why}; "
                    "an avatar is a picture in the content folder, e.g. "
                    "'Avatar: images/avatars/zoe-laurent.svg'",
                )
            else:
                person.avatar_path = path
                person.avatar = safe_urls.path_url(path)
        for key in PROFILE_LINK_KEYS:
            f = src.get(key)
            if f is None or not f.value:
                continue
            label = LINK_LABELS.get(key, key.title())
            url = self._link(src, f, label, mail=key == "email")
            if url:
                person.links.append((label, url))

    def _report_surname_in_slug(self, person, src):
        """A first-name person's own `Slug:` must not spell the rest of their name."""
        rest = set(_slugify(" ".join(person.name.split()[1:]), self.settings).split("-"))
        words = set(person.slug.split("-"))
        if rest & words - {""} - set(_slugify(first_name(person.name), self.settings).split("-")):
            f = src.get("slug")
            self.findings.warning(
                src.path, f.line, f.column,
                f"'Slug: {person.slug}' puts more than the first name of a first-name person "
                "in their page's address; remove the line (their page is then "
                f"{_slugify(first_name(person.name), self.settings)}) or write a slug "
                "without their other names",
            )

    def _link(self, src, f, label, mail=False):
        """The address of a link field, or None (reported) when it is unsafe."""
        url, why = (safe_urls.mailto_url if mail else safe_urls.web_url)(f.value)
        if why is None:
            return url
        example = "'Email: zoe@example.org'" if mail else f"'{label}: https://example.org/…'"
        self.findings.error(
            src.path, f.line, f.column,
            f"'{f.raw_key}: {safe_urls.shown(f.value)}' is refused and not linked: {why}; "
            f"write {'an e-mail address' if mail else 'an http:// or https:// address'}, "
            f"e.g. {example}",
        )
        return None

    def _read_event(self, event, src):
        for key in ("start", "end"):
            f = src.get(key)
            if f is None or not f.value:
                if key == "start":
                    self.findings.warning(
                        src.path, 1, 1,
                        "the event has no 'Start:' date; add one as YYYY-MM-DD "
                        "(until then it has no calendar entry)",
                    )
                continue
            try:
                setattr(event, key, parse_date(f.value))
            except ValueError:
                self.findings.error(
                    src.path, f.line, f.column,
                    f"'{f.value}' is not a date; write {key.title()}: as YYYY-MM-DD",
                )
        if event.start and event.end and event.end < event.start:
            f = src.get("end")
            self.findings.error(
                src.path, f.line, f.column,
                f"the event ends ({event.end}) before it starts ({event.start}); "
                "swap Start: and End:",
            )
            event.end = None
        event.location = src.value("location")
        event.address = src.value("address")
        f = src.get("url")
        if f is not None and f.value:
            event.event_url = self._link(src, f, "URL") or ""

    def add(self, entity, where=None):
        """Register an entity; two with one slug stop the build."""
        kind = entity.kind
        slug = entity.slug
        path, line, column = (entity.profile_path, 1, 1) if entity.has_profile else (
            where or ("content", 1, 1)
        )
        if not slug:
            folder = self._folder(kind)
            self.findings.error(
                path, line, column,
                f"'{entity.name}' has no letters or digits to make a page address from; "
                f"give it a profile in content/{folder}/ with a 'Slug:' line",
            )
            return None
        why = slug_problem(slug, self.settings)
        if why:
            if entity.has_profile and entity.source.get("name"):
                f = entity.source.get("name")
                line, column = f.line, f.column
            self.findings.error(
                path, line, column,
                f"the {kind} '{safe_urls.shown(entity.name)}' cannot have a page: its address "
                f"'{safe_urls.shown(slug)}' is refused ({why}); "
                + ("give the profile a shorter 'Slug:' line" if entity.has_profile else
                   f"give it a profile in content/{self._folder(kind)}/ with a short 'Slug:' line"),
            )
            return None
        other = self.entities[kind].get(slug)
        if other is not None:
            self.findings.error(
                path, line, column,
                f"'{entity.name}' and '{other.name}' ({other.profile_path or 'tagged without a profile'}) "
                f"would share the page {entity.url}; give one of them a 'Slug:' line",
            )
            return None
        self.entities[kind][slug] = entity
        if entity.has_profile:
            self._suggestable.pop(kind, None)
        for key in [entity.name, *entity.aliases]:
            self._exact[kind].setdefault(key, set()).add(entity)
            self._folded[kind].setdefault(fold(key), set()).add(entity)
            if entity.has_profile:
                name_slug = _slugify(key, self.settings)
                if name_slug and name_slug != slug:
                    self._name_slugs[kind].setdefault(name_slug, entity)
        return entity

    # --- finding ---------------------------------------------------------

    def candidates(self, kind, ref):
        """Every entity a written name could mean, best match first."""
        found = self._exact[kind].get(ref)
        if not found:
            found = self._folded[kind].get(fold(ref))
        if not found:
            slug = _slugify(ref, self.settings)
            entity = (
                self.entities[kind].get(ref)
                or self.entities[kind].get(slug)
                or self._name_slugs[kind].get(ref)
                or self._name_slugs[kind].get(slug)
            )
            found = {entity} if entity else set()
        if len(found) == 1:  # the usual case: nothing to order (bench: ~10% of linking)
            return list(found)
        return sorted(found, key=lambda e: e.slug)

    def suggestions(self, kind, ref, n=3):
        """Names near `ref` (difflib's ratio on folded names and aliases of
        entities with a profile)."""
        keys, near = self._profile_keys(kind)
        names = []
        for key in near.near(fold(ref), n=n, cutoff=0.75):
            name = keys[key].name
            if name not in names:
                names.append(name)
        return names

    def _profile_keys(self, kind):
        """({folded name or alias: entity}, NearNames of them) of profiles,
        built once: only profiles (read before any story) are suggested."""
        cache = self._suggestable.get(kind)
        if cache is None:
            keys = {}
            for key, entities in self._folded[kind].items():
                for entity in sorted(entities, key=lambda e: e.slug):
                    if entity.has_profile:
                        keys.setdefault(key, entity)
            cache = self._suggestable[kind] = (keys, NearNames(keys))
        return cache

    def resolve(self, kind, ref, where=None):
        """The entity `ref` names; report an ambiguous or unknown name.

        `where` is (path, line, column) for messages, or a function that
        returns it (called only when there is something to report). An
        unknown name still gets an entity (and a page): a profile is optional.
        """
        found = self.candidates(kind, ref)
        if len(found) == 1:
            return found[0]
        path, line, column = _position(where)
        sigil = KINDS[kind].sigil
        if len(found) > 1:
            names = " and ".join(
                f"'{e.name}' ({e.profile_path or 'no profile'})" for e in found
            )
            self.findings.error(
                path, line, column,
                f"'{ref}' matches {names}; write the full name, e.g. {sigil}[{found[0].name}]",
            )
            return found[0]
        entity = KINDS[kind](ref, self.settings)
        registered = self.add(entity, (path, line, column))
        if registered is None:
            return None
        near = self.suggestions(kind, ref)
        folder = self._folder(kind)
        if near:
            self.findings.warning(
                path, line, column,
                f"unknown {kind} '{ref}'; did you mean '{near[0]}'?",
                page=registered.url,
            )
        else:
            self.findings.note(
                path, line, column,
                f"{kind} '{ref}' has no profile; its page shows the name only "
                f"(add content/{folder}/{registered.slug}.md to describe them)",
            )
        return registered

    def seal(self):
        """After the build has resolved every name: people the site may not
        show in full are sealed (Person.seal), and the name tables forget
        every name of theirs."""
        from .hidden import Hidden

        Hidden.of(self)  # what must not be linked or copied, while it is all known
        people = self.entities["person"]
        for slug, person in list(people.items()):
            if person.visibility == "public":
                continue
            person.seal()
            if person.visibility == "private":
                del people[slug]
        for table in (self._exact["person"], self._folded["person"]):
            for key in list(table):
                kept = {e for e in table[key] if e.visibility == "public"}
                if kept:
                    table[key] = kept
                else:
                    del table[key]
        self._suggestable.pop("person", None)

    def _folder(self, kind):
        return self.settings[KINDS[kind].folder_setting]

    def all(self, kind):
        return list(self.entities[kind].values())


def _position(where):
    if callable(where):
        where = where()
    return where or ("content", 1, 1)


def shown_path(path, settings):
    """A path as messages show it: relative to the project folder when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel
