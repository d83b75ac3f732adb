"""A warm build is a cold build, whatever happened since the last one.

One project (a copy of the sample site, with a settings file of its own that
defines a Jinja filter calling a helper function and a `pass_context`
global) is edited step after step; after every step it is built warm into
one folder and cold (no cache at all) into a fresh one, and the two trees
must be identical, byte for byte. The first steps are the three ways the old
output cache served stale pages (issue 12): R1, a helper of a settings-file
filter edited; R2, a global reading what the template does not name;
R3, a second output folder built from the same settings. Then a seeded
random walk over every kind of edit a blogger makes.

Also here: a plugin listening to `content_written` hears each real write
once and no skipped page; a build killed (SIGKILL) or stopped by a
traceback in its write phase, rebuilt warm, equals a cold build; a story
edited with its modification time kept is read again.
"""

import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT
from connections.output.search import byte_stable

SETTINGS = '''\
import runpy
globals().update((k, v) for k, v in runpy.run_path({conf!r}).items() if k.isupper())
PATH = {content!r}
THEME = {theme!r}
PLUGIN_PATHS = [{plugins!r}, {extra!r}]
PLUGINS = ["connections"] + {more!r}
CACHE_PATH = {cache!r}
CONNECTIONS_TODAY = "2026-11-25"

from jinja2 import FileSystemBytecodeCache, pass_context

# Compiled templates shared by every build of these tests (by their source's
# checksum, so a template edited is compiled again): half a build's time.
JINJA_ENVIRONMENT = {{**JINJA_ENVIRONMENT, "bytecode_cache": FileSystemBytecodeCache({bytecode!r})}}


def helper(text):
    return {helper}


def shout(text):
    return helper(text)


@pass_context
def newest_title(context):
    return context["articles"][0].title


JINJA_FILTERS = {{"shout": shout}}
JINJA_GLOBALS = {{"newest_title": newest_title}}
'''

# The story page shows its title through the filter, and the newest story's
# title through the global: article.html names neither `articles` nor `helper`.
ARTICLE_EDIT = (
    '<h1 class="p-name">{{ article.title }}</h1>',
    '<h1 class="p-name">{{ article.title|shout }}</h1>\n'
    '<p class="newest">Newest: {{ newest_title() }}</p>',
)


def tree(folder):
    folder = Path(folder)
    if not folder.exists():
        return {}
    # Pagefind's word, filter and meta indexes vary from build to build
    # (connections/search.py): compared are all the other files
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file() and byte_stable(p.relative_to(folder).as_posix())}


def differences(a, b):
    """(only in a, only in b, different) between two trees."""
    return (sorted(set(a) - set(b)), sorted(set(b) - set(a)),
            sorted(k for k in set(a) & set(b) if a[k] != b[k]))


class Project:
    """A blog in its own folder: content, theme, settings file, plugins."""

    def __init__(self, root, more_plugins=(), user_code_in_theme=True):
        self.root = Path(root)
        shutil.copytree(ROOT / "content", self.root / "content")
        shutil.copytree(ROOT / "theme", self.root / "theme")
        (self.root / "plugins").mkdir()
        self.more_plugins = list(more_plugins)
        self.helper = "text.upper()"
        self.colds = 0
        if user_code_in_theme:
            self.edit("theme/templates/article.html", *ARTICLE_EDIT)
        self.write_settings()

    @property
    def settings_file(self):
        return self.root / "warmconf.py"

    def write_settings(self):
        self.settings_file.write_text(SETTINGS.format(
            conf=str(ROOT / "pelicanconf.py"), content=str(self.root / "content"),
            theme=str(self.root / "theme"), plugins=str(ROOT / "plugins"),
            extra=str(self.root / "plugins"), more=self.more_plugins,
            cache=str(self.root / "cache"), helper=self.helper, bytecode=str(BYTECODE[0]),
        ), encoding="utf-8")

    def settings(self, output, **overrides):
        from connections.build import load_settings

        return load_settings(str(self.settings_file), str(output), overrides)

    def build(self, output="output", **overrides):
        """A build as `make html` runs it: warm when the cache is there."""
        from connections.build import build

        build(self.settings(self.root / output, **overrides))
        return tree(self.root / output)

    def cold(self):
        """The same content built from nothing into a fresh folder."""
        self.colds += 1
        return self.build(f"cold-{self.colds}", LOAD_CONTENT_CACHE=False,
                          CACHE_CONTENT=False, CACHE_PATH=str(self.root / f"cold-cache-{self.colds}"))

    def command(self, output="output"):
        return [sys.executable, "-m", "connections", "build", "-s", str(self.settings_file),
                "-o", str(self.root / output)]

    def path(self, rel):
        return self.root / rel

    def edit(self, rel, old, new):
        path = self.path(rel)
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")


BYTECODE = []


@pytest.fixture(scope="module", autouse=True)
def compiled_templates(tmp_path_factory):
    BYTECODE[:] = [tmp_path_factory.mktemp("jinja-bytecode")]


def assert_warm_is_cold(project, output="output"):
    warm = tree(project.root / output)
    cold = project.cold()
    assert differences(warm, cold) == ([], [], [])


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path)


# --- R1, R2, R3: what the old output cache got wrong -------------------------

NEWEST = "content/stories/a-new-colleague-and-a-very-long-whiteboard.md"
NEWEST_PAGE = "2026/a-new-colleague-and-a-very-long-whiteboard/index.html"
OLD_PAGE = "2023/the-mechanic-at-the-end-of-the-fjord/index.html"


def _newest_title(project):
    for line in project.path(NEWEST).read_text(encoding="utf-8").splitlines():
        if line.startswith("Title:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{NEWEST} has no title")


def test_R1_a_helper_of_a_settings_file_filter_edited(project):
    project.build()
    title = (project.root / "output" / OLD_PAGE).read_text(encoding="utf-8")
    assert "THE MECHANIC AT THE END OF THE FJORD</h1>" in title
    project.helper = "text.upper() + ' (EDITED)'"
    project.write_settings()
    project.build()
    page = (project.root / "output" / OLD_PAGE).read_text(encoding="utf-8")
    assert "THE MECHANIC AT THE END OF THE FJORD (EDITED)</h1>" in page
    assert_warm_is_cold(project)


def test_R2_a_global_reading_what_the_template_does_not_name(project):
    project.build()
    title = _newest_title(project)
    assert f"Newest: {title}" in (project.root / "output" / OLD_PAGE).read_text(encoding="utf-8")
    project.edit(NEWEST, f"Title: {title}", "Title: A new colleague and a longer whiteboard")
    project.build()
    page = (project.root / "output" / OLD_PAGE).read_text(encoding="utf-8")
    assert "Newest: A new colleague and a longer whiteboard" in page
    assert_warm_is_cold(project)


def test_R3_two_output_folders_from_one_settings_file(project):
    """Each build leaves the other folder as it was, file for file."""
    first = project.build("output")
    assert len(first) > 100
    second = project.build("preview")
    assert tree(project.root / "output") == first
    assert differences(second, first) == ([], [], [])
    project.edit(NEWEST, "Title: ", "Title: Still: ")
    project.build("output")
    assert tree(project.root / "preview") == second  # the other folder, untouched
    project.build("preview")
    assert tree(project.root / "preview") == tree(project.root / "output")
    assert_warm_is_cold(project, "preview")
    # A user's own file in the output folder is never the build's to delete.
    (project.root / "output" / "notes.txt").write_text("mine", encoding="utf-8")
    project.build("output")
    assert (project.root / "output" / "notes.txt").read_text(encoding="utf-8") == "mine"


# --- the random walk -------------------------------------------------------

class Walk:
    """Edits of every kind a blogger makes, chosen by a seeded generator."""

    def __init__(self, project, seed):
        self.p = project
        self.rng = random.Random(seed)
        self.counter = 0
        self.done = []

    def stories(self):
        return sorted((self.p.root / "content/stories").glob("*.md"))

    def profiles(self, kind):
        return sorted((self.p.root / "content" / kind).glob("*.md"))

    def people_names(self):
        names = []
        for path in self.profiles("people"):
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.startswith("Name:"):
                    names.append(line.split(":", 1)[1].strip())
        return names

    def next(self):
        self.counter += 1
        return self.counter

    def _header(self, path, key, value):
        """Set (or, with value None, remove) a header line of a story or profile."""
        text = path.read_text(encoding="utf-8")
        head, sep, body = text.partition("\n\n")
        lines = [line for line in head.splitlines() if not line.lower().startswith(key.lower() + ":")]
        if value is not None:
            lines.insert(1, f"{key}: {value}")
        path.write_text("\n".join(lines) + sep + body, encoding="utf-8")

    def _get(self, path, key):
        head = path.read_text(encoding="utf-8").partition("\n\n")[0]
        for line in head.splitlines():
            if line.lower().startswith(key.lower() + ":"):
                return line.split(":", 1)[1].strip()
        return None

    # Each edit returns a short description of what it did.

    def story_text(self):
        story = self.rng.choice(self.stories())
        name = self.rng.choice(self.people_names() + ["Ines Quarrington"])
        with story.open("a", encoding="utf-8") as f:
            f.write(f"\nLater I ran into @[{name}] again ({self.next()}).\n")
        return f"text of {story.name}"

    def story_title(self):
        story = self.rng.choice(self.stories())
        self._header(story, "Title", f"{self._get(story, 'Title')} {self.next()}")
        return f"title of {story.name}"

    def story_slug(self):
        story = self.rng.choice(self.stories())
        self._header(story, "Slug", f"moved-{self.next()}")
        return f"slug of {story.name}"

    def story_people(self):
        story = self.rng.choice(self.stories())
        names = self.rng.sample(self.people_names(), k=self.rng.randint(0, 3))
        if self.rng.random() < 0.3:
            names.append(f"Wanderer {self.next()}")
        self._header(story, "People", ", ".join(names) if names else None)
        return f"People: of {story.name}"

    def story_events(self):
        story = self.rng.choice(self.stories())
        events = [self._get(e, "Name") for e in self.profiles("events")]
        chosen = self.rng.sample(events, k=self.rng.randint(0, 2))
        self._header(story, "Events", ", ".join(chosen) if chosen else None)
        return f"Events: of {story.name}"

    def story_draft(self):
        story = self.rng.choice(self.stories())
        draft = self._get(story, "Status") == "draft"
        self._header(story, "Status", None if draft else "draft")
        return f"Status: of {story.name}"

    def story_add(self):
        n = self.next()
        names = self.rng.sample(self.people_names(), k=2)
        (self.p.root / f"content/stories/walk-{n}.md").write_text(
            f"Title: A walk, part {n}\nDate: 2026-0{self.rng.randint(1, 9)}-1{n % 10} 10:00\n"
            f"Author: Maya Okafor\nCategory: Walks\nTags: walking, w{n % 3}\n"
            f"People: {', '.join(names)}\n\nWe walked with @[{names[0]}].\n",
            encoding="utf-8")
        return f"added walk-{n}"

    def story_delete(self):
        story = self.rng.choice(self.stories())
        story.unlink()
        return f"deleted {story.name}"

    def story_rename(self):
        story = self.rng.choice(self.stories())
        story.rename(story.with_name(f"renamed-{self.next()}-{story.name}"))
        return f"renamed {story.name}"

    def profile_name(self):
        person = self.rng.choice(self.profiles("people"))
        self._header(person, "Name", f"{self._get(person, 'Name')} {self.next()}")
        self._header(person, "Slug", person.stem)  # the page stays where it is
        return f"name of {person.name}"

    def profile_aliases(self):
        person = self.rng.choice(self.profiles("people"))
        self._header(person, "Aliases", f"Nick {self.next()}" if self.rng.random() < 0.7 else None)
        return f"aliases of {person.name}"

    def profile_visibility(self):
        person = self.rng.choice(self.profiles("people"))
        value = self.rng.choice(["public", "first-name", "private"])
        self._header(person, "Visibility", value)
        return f"{person.name} {value}"

    def profile_add(self):
        n = self.next()
        kind = self.rng.choice(["people", "events"])
        if kind == "people":
            text = f"Name: Newcomer {n}\nVisibility: public\n\nMet at the market, day {n}.\n"
        else:
            text = f"Name: Meetup {n}\nStart: 2026-0{self.rng.randint(1, 9)}-12\n\nA meetup.\n"
        (self.p.root / f"content/{kind}/new-{n}.md").write_text(text, encoding="utf-8")
        return f"added {kind}/new-{n}"

    def profile_delete(self):
        kind = self.rng.choice(["people", "events"])
        profile = self.rng.choice(self.profiles(kind))
        if profile.stem == "maya-okafor":  # the author keeps her profile
            return "nothing"
        profile.unlink()
        return f"deleted {kind}/{profile.name}"

    def profile_rename(self):
        kind = self.rng.choice(["people", "events"])
        profile = self.rng.choice(self.profiles(kind))
        profile.rename(profile.with_name(f"r{self.next()}-{profile.name}"))
        return f"renamed {kind}/{profile.name}"

    def template(self):
        rel = self.rng.choice(["partials/story.html", "person.html", "base.html"])
        path = self.p.root / "theme/templates" / rel
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("</h2>", f"</h2><!-- {self.next()} -->", 1)
                        if "</h2>" in text else text + f"\n<!-- {self.next()} -->\n",
                        encoding="utf-8")
        return f"template {rel}"

    def newest_title(self):
        """R2: the newest story, whose title every story page shows (a global)."""
        newest = max(self.stories(), key=lambda path: self._get(path, "Date") or "")
        self._header(newest, "Title", f"{self._get(newest, 'Title')} {self.next()}")
        return f"title of the newest, {newest.name}"

    def settings_helper(self):
        self.p.helper = f"text.upper() + ' ({self.next()})'"
        self.p.write_settings()
        return "settings helper"

    def preview(self):
        """R3: another folder from the same settings; the main one untouched."""
        before = tree(self.p.root / "output")
        self.p.build("preview")
        assert tree(self.p.root / "output") == before
        return "preview built"

    EDITS = ("story_text", "story_title", "story_slug", "story_people", "story_events",
             "story_draft", "story_add", "story_delete", "story_rename", "profile_name",
             "profile_aliases", "profile_visibility", "profile_add", "profile_delete",
             "profile_rename", "template", "settings_helper", "newest_title", "preview")

    def step(self, edit):
        self.done.append(getattr(self, edit)())
        from connections.diagnostics import ContentError

        try:
            warm = self.p.build()
        except ContentError:  # an edit made bad content: a cold build says so too
            with pytest.raises(ContentError):
                self.p.cold()
            return
        cold = self.p.cold()
        assert differences(warm, cold) == ([], [], []), self.done


def _walk(project, seed, steps, first=(), every_kind=False):
    walk = Walk(project, seed)
    project.build()
    edits = list(first)
    if every_kind:
        edits += walk.rng.sample(Walk.EDITS, len(Walk.EDITS))
    edits += [walk.rng.choice(Walk.EDITS) for _ in range(steps)]
    for edit in edits:
        walk.step(edit)
    return walk


def test_a_walk_of_edits_builds_warm_as_cold(project):
    """R1 (a settings-file helper), R2 (the newest story's title, shown on
    every story page by a global) and R3 (a second output folder) first,
    then every kind of edit once, in an order chosen at random."""
    walk = _walk(project, seed=12, steps=0, every_kind=True,
                 first=("settings_helper", "newest_title", "preview"))
    assert len(walk.done) == 3 + len(Walk.EDITS)


def test_another_walk_of_edits_builds_warm_as_cold(tmp_path):
    """Edits chosen at random, repeats allowed (another seed)."""
    _walk(Project(tmp_path), seed=18, steps=6)


# --- signals, interruptions, kept modification times ----------------------

LISTENER = '''\
"""Appends to a file each page `content_written` names, and edits the page
as pelican-seo does: a second edit of a skipped page would double its tag."""
import os

from pelican import signals

LOG = {log!r}


def heard(path, context):
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(os.path.relpath(path, context["OUTPUT_PATH"]) + "\\n")
    if path.endswith(".html"):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text.replace("</head>", '<meta name="seen" content="1"></head>', 1))


def register():
    signals.content_written.connect(heard)
'''


def _forget_plugin(name):
    """A test plugin loaded in this process is unloaded: its receiver goes
    (Pelican's signals are the process's, shared by every build)."""
    from pelican import signals

    module = sys.modules.pop(name, None)
    if module is not None:
        signals.content_written.disconnect(module.heard)


@pytest.fixture
def plugins_forgotten():
    yield
    for name in ("listener", "killer"):
        _forget_plugin(name)


def test_a_content_written_listener_hears_each_real_write_once(tmp_path, plugins_forgotten):
    project = Project(tmp_path, more_plugins=["listener"], user_code_in_theme=False)
    log = tmp_path / "heard.txt"
    (tmp_path / "plugins/listener.py").write_text(LISTENER.format(log=str(log)), encoding="utf-8")

    def heard():
        said = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return said

    first = project.build()
    said = heard()
    pages = {rel for rel in first if rel.endswith(".html") and not rel.startswith("theme/")}
    assert len(said) == len(set(said)) and set(said) == pages
    project.build()
    assert heard() == []  # nothing changed: nothing written, nothing heard
    project.edit(NEWEST, "Title: ", "Title: Again: ")
    out = project.build()
    said = heard()
    assert NEWEST_PAGE.replace("/a-new", "/again-a-new") in said and "index.html" in said
    assert OLD_PAGE not in said
    assert len(said) == len(set(said)) and len(said) < len(pages) / 2
    for rel in pages & set(out):
        assert out[rel].count(b'<meta name="seen"') == 1, rel
    assert_warm_is_cold(project)


KILLER = '''\
"""Stops the build the hard way after {after} real writes."""
import os
import signal

from pelican import signals

seen = []


def heard(path, context):
    seen.append(path)
    if len(seen) >= {after}:
        {how}


def register():
    signals.content_written.connect(heard)
'''


def _interrupt_edits(project):
    """A person made private, a story added and one deleted."""
    project.edit("content/people/bjorn-asgeirsson.md", "Visibility: public", "Visibility: private")
    (project.path("content/stories/a-late-ferry.md")).write_text(
        "Title: A late ferry\nDate: 2026-11-01 21:00\nAuthor: Maya Okafor\n"
        "Category: Travel\nPeople: Zoë Laurent\n\nThe ferry waited for @[Zoë Laurent].\n",
        encoding="utf-8")
    project.path("content/stories/an-umbrella-in-krakow.md").unlink()


def test_a_build_killed_in_its_write_phase_then_rebuilt_warm_equals_a_cold_build(
        tmp_path, plugins_forgotten):
    project = Project(tmp_path, more_plugins=["killer"])
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=3, how="pass"), encoding="utf-8")
    project.build()
    assert "people/bjorn-asgeirsson/index.html" in tree(tmp_path / "output")
    _interrupt_edits(project)
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=3, how="os.kill(os.getpid(), signal.SIGKILL)"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    done = subprocess.run(project.command(), env=env, capture_output=True, cwd=tmp_path)
    assert done.returncode == -9, done.stderr.decode()[-2000:]
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=10**9, how="pass"), encoding="utf-8")
    done = subprocess.run(project.command(), env=env, capture_output=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    out = tree(tmp_path / "output")
    assert not any("bjorn-asgeirsson" in rel for rel in out)
    assert not any(b"\xc3\x81sgeirsson" in data for data in out.values())  # "Ásgeirsson"
    assert_warm_is_cold(project)
    project.build()  # and the build after that is warm again, still right
    assert_warm_is_cold(project)


def test_a_build_stopped_by_a_traceback_in_its_write_phase_leaves_nothing_stale(
        tmp_path, plugins_forgotten):
    project = Project(tmp_path, more_plugins=["killer"])
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=10**9, how="pass"), encoding="utf-8")
    project.build()
    _interrupt_edits(project)
    _forget_plugin("killer")
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=2, how="raise RuntimeError('a plugin broke')"), encoding="utf-8")
    with pytest.raises(Exception, match="a plugin broke"):
        project.build()
    _forget_plugin("killer")
    (tmp_path / "plugins/killer.py").write_text(
        KILLER.format(after=10**9, how="pass"), encoding="utf-8")
    project.build()
    _forget_plugin("killer")
    assert not (tmp_path / "output/people/bjorn-asgeirsson").exists()
    assert_warm_is_cold(project)


def test_a_story_edited_with_its_modification_time_kept_is_read_again(project):
    project.build()
    story = project.path(NEWEST)
    stat = story.stat()
    text = story.read_text(encoding="utf-8")
    story.write_text(text + "\nOne more line, written quietly.\n", encoding="utf-8")
    os.utime(story, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    out = project.build()
    assert b"One more line, written quietly." in out[NEWEST_PAGE]
    assert_warm_is_cold(project)


def test_adding_a_story_renders_only_the_pages_that_list_or_link_to_it(tmp_path):
    """Not every story page: only those whose lists or links change (the
    theme here uses no settings-file filter or global)."""
    project = Project(tmp_path, user_code_in_theme=False)
    first = project.build()
    stamps = {rel: (project.root / "output" / rel).stat().st_mtime_ns for rel in first}
    (project.path("content/stories/a-quiet-walk.md")).write_text(
        "Title: A quiet walk\nDate: 2020-01-05 10:00\nAuthor: Maya Okafor\n"
        "Category: Travel\nTags: walking\nPeople: Chloé Martin\n\n"
        "A walk with @[Chloé Martin].\n",
        encoding="utf-8")
    out = project.build()
    rewritten = {rel for rel in first if rel in out and
                 (project.root / "output" / rel).stat().st_mtime_ns != stamps[rel]}
    assert "people/chloe-martin/index.html" in rewritten
    assert "index.html" in rewritten and "feeds/all.atom.xml" in rewritten
    story_pages = {rel for rel in first if re.match(r"\d{4}/[^/]+/index.html$", rel)}
    # A story page is rendered again only when it now links to the new story
    # (its older/newer neighbour, or a related story sharing Chloé or a tag).
    for rel in story_pages & rewritten:
        page = (project.root / "output" / rel).read_text(encoding="utf-8")
        assert "a-quiet-walk" in page, f"{rel} was rendered again but does not link to the new story"
    assert story_pages - rewritten, "every story page was rendered again"
    # (A person page unrelated to the new story is still rendered again since
    # the person pages draw a neighbourhood: the same bytes, a wasted render;
    # see the closing note of the discovery work. Not asserted here.)
    assert len(rewritten) < len(first) / 2, f"{len(rewritten)} of {len(first)} files rendered again"
    assert_warm_is_cold(project)
