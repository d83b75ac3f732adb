"""The preview's quick render: the pages a save changes first, from the last
build kept in memory, before the warm build brings the rest of the site up.

A warm build of a big blog takes seconds (reading every story's cache entry,
linking, keying every page); an author who saved one story wants to see that
story. The preview server (authoring/serve.py) keeps the last successful
build's generators (`LastBuild`), and on a save of stories it read:

- reads each saved story again with the build's own readers, linked
  against the profiles as they are on disk (a fresh registry, as a build
  makes it);
- compares it with the story the last build has: when only its text
  changed, or also its summary or who and which events it tags, the new
  text (summary, tags) go into the build's own story object, which keeps
  everything else the build worked out for it (its identity, comment
  thread);
- renders, with Pelican's writer, the story's page and, when its people or
  events changed, the pages of those who came or went.

Anything else (a new, deleted or renamed file, a changed title, date, slug,
status or tag, a profile, a template, the settings, a name the last
build did not know, an error, a warning the last build did not give) is
left to the warm build, which follows every quick render anyway and writes
the same bytes for the pages rendered here (tests/test_quick_render.py).
Lists, feeds and search catch up with it. A file that came and went
(an editor's probe or backup file, saving) is no change.
"""

import os

from pelican import signals
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator
from pelican.writers import Writer

from ..diagnostics import ERROR, WARNING, Findings
from ..linking.linker import Linker
from ..linking.record import is_linked, keep, keep_state, record, state
from ..model.registry import Registry
from ..output.connection_map import renew_neighbourhood
from ..output.pages import ConnectionsGenerator
from ..output.related import reading_minutes, related_to
from . import long_lived

# The header fields a quick render may see change (with the story's text):
# who and which events it tags, and its summary (shown on its own page too).
_TAGS = ("people", "events")
_QUICK = _TAGS + ("summary",)


class LastBuild:
    """The generators of the last build that finished, kept by `watching`."""

    def __init__(self):
        self.articles = None  # the ArticlesGenerator
        self.connections = None  # output.pages.ConnectionsGenerator

    def watching(self):
        """A context manager around one build: its generators are kept if it
        finishes, and forgotten (nothing to render from) if it fails. Until
        it finishes, the build before stays (`copy` it to render from it
        while the build runs)."""
        return _Watch(self)

    @property
    def ready(self):
        return self.articles is not None

    def forget(self):
        self.articles = self.connections = None

    def copy(self):
        """The build kept now, whatever a build under way keeps later."""
        kept = LastBuild()
        kept.articles, kept.connections = self.articles, self.connections
        return kept


class _Watch:
    def __init__(self, last):
        self.last = last

    def __enter__(self):
        long_lived.release()  # the build kept so far may be collected once replaced
        self.seen = []
        signals.all_generators_finalized.connect(self._seen)
        return self

    def _seen(self, generators):
        self.seen = list(generators)

    def __exit__(self, kind, value, traceback):
        signals.all_generators_finalized.disconnect(self._seen)
        self.last.forget()
        if kind is not None:
            return False
        for generator in self.seen:
            if isinstance(generator, ArticlesGenerator):
                self.last.articles = generator
            elif isinstance(generator, ConnectionsGenerator):
                self.last.connections = generator
        if (self.last.articles is None or self.last.connections is None
                or state(self.last.articles.context) is None):
            self.last.forget()
        # The build kept is millions of objects that live until the next
        # one: left out of the garbage collector's rounds, a quick render's
        # collections do not walk them all (one quick render took 3.7 s at
        # 13,000 stories before, most likely in such a round).
        long_lived.keep()
        return False


def stories(generator):
    """Every story the articles' generator read, by its source path."""
    found = {}
    for key in ("articles", "translations", "hidden_articles", "hidden_translations",
                "drafts", "drafts_translations"):
        for story in getattr(generator, key, []) or []:
            found.setdefault(os.path.abspath(story.source_path), story)
    return found


def render_saved(last, paths, output_path=None):
    """Render the pages the saved `paths` change, if a quick render can,
    into the build's output folder (or `output_path`); the output paths
    written (relative to that folder), or None (the warm build must do it
    all)."""
    if not last.ready or not paths:
        return None
    generator, people_pages = last.articles, last.connections
    known = stories(generator)
    paths = sorted(p for p in map(os.path.abspath, paths) if p in known or os.path.exists(p))
    if not paths or not all(p in known and os.path.isfile(p) for p in paths):
        return None
    old_linker = state(generator.context)
    settings = generator.settings
    findings = Findings(log=False)
    linker = Linker(settings, Registry(settings, findings).load(settings["PATH"]), findings)
    context = dict(generator.context)
    keep_state(context, linker)
    # By message: the last build says an unknown name once, at the first
    # story naming it, which a story read alone may be.
    known_findings = {(f.level, f.message) for f in old_linker.findings.items}
    changes = []
    for path in paths:
        before = len(findings.items)
        new = _read(generator, path, context)
        if new is None or not _known(findings.items[before:], known_findings):
            return None
        change = _change(known[path], new, old_linker.registry, people_pages)
        if change is None:
            return None
        changes.append(change)
    written = []
    entities = []
    for change in changes:
        change.apply(generator, people_pages)
        entities.extend(e for e in change.came + change.went if e not in entities)
    writer = Writer(output_path or generator.output_path, settings=settings)
    relative = settings["RELATIVE_URLS"]

    def write(name, *args, **kwargs):
        writer.write_file(name, *args, relative_urls=relative, **kwargs)
        written.append(name)

    # Pelican's own loops write the pages, over the saved stories alone.
    saved = {id(c.story) for c in changes}
    only = lambda *keys: {k: [s for s in getattr(generator, k) if id(s) in saved]  # noqa: E731
                          for k in keys}
    ArticlesGenerator.generate_articles(_Only(generator, **only(
        "translations", "articles", "hidden_translations", "hidden_articles")), write)
    ArticlesGenerator.generate_drafts(_Only(generator, **only(
        "drafts_translations", "drafts")), write)
    people_pages.write_pages_of(writer, entities)
    return written + [e.save_as for e in entities]


class _Only:
    """The articles' generator, with some of its lists cut short."""

    def __init__(self, generator, **lists):
        self._generator = generator
        vars(self).update(lists)

    def __getattr__(self, name):
        return getattr(self._generator, name)


def _known(found, known):
    """Whether a story read again found nothing the last build did not say of
    it already (an unknown name it still has, say): no error, no new warning.
    (The rebuild that follows says them all again.)"""
    return not any(f.level == ERROR or (f.level == WARNING and (f.level, f.message)
                                         not in known) for f in found)


def _read(generator, path, context):
    """The story at `path` read as the build reads it, linked in `context`."""
    try:
        return generator.readers.read_file(
            base_path=generator.path, path=os.path.relpath(path, generator.path),
            content_class=Article, context=context,
        )
    except Exception:  # noqa: BLE001 - the warm build reports it, with its file and line
        return None


class _Change:
    """A story read again whose text, and maybe tags, changed."""

    def __init__(self, story, new, tags):
        self.story = story
        self.new = new
        self.tags = tags  # {field: [the last build's entities]}
        self.came = []
        self.went = []

    def apply(self, generator, people_pages):
        story, new = self.story, self.new
        settings = generator.settings
        story._content = new._content
        for memo in (Content.get_content, Content.get_summary):
            for key in [k for k in list(memo.cache) if k and k[0] is story]:
                del memo.cache[key]
        held = record(story)
        if "summary" in new.metadata:  # as the linker keeps it (linking/summaries.py)
            story.metadata["summary"] = new.metadata["summary"]
            story._summary = new._summary
            held.summary_source = new.summary_source
        else:
            story.metadata.pop("summary", None)
            vars(story).pop("_summary", None)
            if hasattr(held, "summary_source"):
                del held.summary_source  # cut again from the new text
        discovery = dict(getattr(story, "discovery", None) or {})  # output/related.py
        if discovery:
            discovery["minutes"] = reading_minutes(
                story, settings.get("CONNECTIONS_WORDS_PER_MINUTE", 230))
            story.discovery = discovery
        if not self.tags:
            return
        for field in _TAGS:
            if field in new.metadata:
                story.metadata[field] = new.metadata[field]
            else:
                story.metadata.pop(field, None)
        old = {f: list(getattr(story, f)) for f in self.tags}
        keep(story, **self.tags)
        for field in ("people", "events", "author_people"):
            if field not in self.tags:
                continue
            was, now = old[field], self.tags[field]
            self.went += [e for e in was if e not in now and e not in self.went]
            self.came += [e for e in now if e not in was and e not in self.came]
        people_pages.relist(story, self.came + self.went)
        for person in self.came + self.went:
            if person.kind == "person":
                renew_neighbourhood(person, settings)
        if discovery and any(a is story for a in generator.articles):
            discovery["related"] = related_to(story, generator.articles, settings)


def _change(story, new, registry, people_pages):
    """A `_Change` when the quick render can show `new` in place of the last
    build's `story`, else None."""
    if type(new) is not type(story) or not (is_linked(new) and is_linked(story)):
        return None
    if {k: v for k, v in story.metadata.items() if k not in _QUICK} != {
            k: v for k, v in new.metadata.items() if k not in _QUICK}:
        return None
    for field in ("save_as", "url", "status", "lang", "in_default_lang", "template"):
        if getattr(story, field, None) != getattr(new, field, None):
            return None
    if story.comments_enabled != new.comments_enabled:
        return None
    tags = {}
    for field in ("people", "events", "author_people"):
        was, now = getattr(story, field), getattr(new, field)
        if [(e.kind, e.slug) for e in was] == [(e.kind, e.slug) for e in now]:
            continue
        kept = [registry.entities[e.kind].get(e.slug) for e in now]
        if any(e is None or not people_pages.has_page(e) for e in kept):
            return None  # a name the last build gave no page: the warm build adds it
        for gone in was:
            if gone not in kept and not gone.has_profile and not (
                    [a for a in gone.articles if a is not story]
                    or getattr(gone, "authored", None)):
                return None  # its page goes: the warm build removes it
        tags[field] = kept
    return _Change(story, new, tags)
