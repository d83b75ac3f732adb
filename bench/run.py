"""`make bench`: Connection Stories against vanilla Pelican, on a synthetic blog.

    python bench/run.py --stories 1000 [--repeat 3] [--seed 1] [--keep DIR]
    python bench/run.py --stories 1000 --phases      CPU per build phase
    python bench/run.py --stories 1000 --decompose   CPU per plugin part
    python bench/run.py --scaling 5000,13000 [--repeat 3]   growth with N, interleaved
    python bench/run.py --wordpress 13000 [--comments 50000]   the WordPress import

Generates the site once (bench/generate.py), then, alternating within each
round, times as child processes:

  (a) vanilla   plain Pelican on the same stories (no plugin, `simple` theme,
                Pelican's default feeds)
  (b) full      `python -m connections build`, cold (no content cache), with
                CONNECTIONS_WORKERS as shipped (every core), then again
                with CONNECTIONS_WORKERS = 1 (b1: all in the build process)
                and, on a machine of more than 2 cores, 2 (b2); the table
                has a workers column and the speed-up from 1 worker
  (c) warm      the same build with Pelican's content cache (written by an
                untimed priming build), after editing one story's text
                (c-edit), then after adding one person to another story
                (c-person), then after adding a new story (c-add)
  (d) hugo      Hugo (Debian's package, installed when missing) on the same
                stories with people and events as taxonomies, plain layouts
                and Hugo's feeds (bench/preview.py's site), cold: `hugo`
                with no cache

Each child's wall time is measured here, its CPU time and the peak memory of
its largest process (ru_maxrss) come from the operating system through
os.wait4, and the peak memory of all its processes together (the build,
its worker processes, Pagefind) is sampled from /proc every 50 ms. Prints medians with min-max and
the ratios b/a and c/b, writes bench/results/<timestamp>.json and a Markdown
table, and checks that the warm build wrote exactly what a cold build of the
edited content writes (the cache must never serve a stale page). Last, it
weighs one story page of the shipped sample site (HTML + CSS + JS before
scrolling) and counts its requests to other origins.
"""

import argparse
import contextlib
import datetime
import gzip
import html.parser
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "plugins"))

import generate as generator  # noqa: E402
import preview  # noqa: E402
from connections.output.search import byte_stable  # noqa: E402

RESULTS = ROOT / "bench" / "results"
KINDS = ("vanilla", "full", "full-1-worker", "full-2-workers", "warm-edit", "warm-person",
         "warm-add", "hugo")

WARM_SETTINGS = '''\
"""The full build with Pelican's content cache on (read and written)."""
import runpy as _runpy

globals().update(
    (k, v) for k, v in _runpy.run_path({full!r}).items() if k.isupper() or k[:1].isdigit()
)
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
'''


# --- running a build --------------------------------------------------------


class BuildFailed(RuntimeError):
    pass


def child_env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "plugins"), env.get("PYTHONPATH", "")) if p
    )
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def build_command(kind, settings, output):
    if kind == "vanilla":
        return [sys.executable, "-m", "pelican", "-q", "-s", str(settings), "-o", str(output)]
    return [sys.executable, "-m", "connections", "build", "-s", str(settings), "-o", str(output)]


def process_tree(pid):
    """`pid` and every process under it (Linux: /proc/<pid>/task/*/children)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        found.append(parent)
        try:
            for task in os.listdir(f"/proc/{parent}/task"):
                with open(f"/proc/{parent}/task/{task}/children") as f:
                    todo.extend(int(child) for child in f.read().split())
        except OSError:  # gone meanwhile
            pass
    return found


def pss(pid):
    """A process's proportional set size in bytes (shared pages split among
    the processes sharing them, so a sum over processes counts each once)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples, every `every` seconds, the memory of a child and all its
    processes together (worker processes, Pagefind): ru_maxrss gives only the
    largest single process."""

    def __init__(self, pid, every=0.05):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self.done = threading.Event()

    def run(self):
        while not self.done.wait(self.every):
            self.peak = max(self.peak, sum(pss(p) for p in process_tree(self.pid)))

    def stop(self):
        self.done.set()
        self.join()
        return self.peak


def timed(command, cwd, log):
    """Run a child; {wall, cpu (user + system seconds, the child's processes
    included), rss (the largest process's peak bytes, from the OS), pss (the
    peak of all its processes together, sampled)}, or raise BuildFailed."""
    with open(log, "wb") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=child_env(), stdout=out, stderr=subprocess.STDOUT
        )
        memory = TreeMemory(process.pid)
        memory.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        together = memory.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = Path(log).read_text(errors="replace")[-2000:]
        raise BuildFailed(f"{' '.join(command)} exited {process.returncode}:\n{tail}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "rss": usage.ru_maxrss * 1024,  # Linux reports KiB
            "pss": together}


class Bench:
    """One generated site and the settings files its builds use."""

    def __init__(self, root, stories, seed=1, people=None, events=None):
        self.root = Path(root)
        self.site = generator.generate(self.root / "pristine", stories, people, events, seed)
        self.settings = {
            "vanilla": self.root / "pristine" / "vanilla.py",
            "full": self.root / "pristine" / "full.py",
        }
        # The working copy that the warm builds edit (its own settings point at it).
        self.work = self.root / "work"
        self.logs = self.root / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def fresh_work_copy(self):
        """A copy of the pristine content that edits may change (a new cache too)."""
        if self.work.exists():
            shutil.rmtree(self.work)
        shutil.copytree(self.site.content, self.work / "content")
        generator.write_settings(generator.Site(self.work))
        (self.work / "warm.py").write_text(
            WARM_SETTINGS.format(full=str(self.work / "full.py")), encoding="utf-8"
        )
        return self.work

    def build(self, kind, settings, output, name):
        return timed(build_command(kind, settings, output), self.root, self.logs / f"{name}.log")


# Each variant is the full build with one part of the plugin turned off; the
# CPU time it saves is what that part costs (--decompose).
VARIANTS = {
    "no feeds": {f"{k}_FEED_{f}": None for k in ("SITE", "PERSON", "EVENT")
                 for f in ("ATOM", "RSS", "JSON")},
    "no person/event pages": {"PERSON_SAVE_AS": "", "EVENT_SAVE_AS": "",
                              "PEOPLE_SAVE_AS": "", "EVENTS_SAVE_AS": ""},
    "no comments": {"COMMENTS_PROVIDER": "none"},
    "no search": {"CONNECTIONS_SEARCH": False},
    "no map": {"CONNECTIONS_MAP_SAVE_AS": "", "CONNECTIONS_NEIGHBOURHOOD": False},
    "no related": {"CONNECTIONS_RELATED_MAX": 0},
    "no calendars": {"CONNECTIONS_EVENT_ICS": None, "CONNECTIONS_EVENTS_ICS": None},
}


def write_variant(bench, name, overrides):
    path = bench.root / "pristine" / f"variant-{_slug(name)}.py"
    lines = [f"import runpy as _runpy",
             "globals().update((k, v) for k, v in _runpy.run_path("
             f"{str(bench.settings['full'])!r}).items() if k.isupper() or k[:1].isdigit())"]
    lines += [f"{key} = {value!r}" for key, value in overrides.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def decompose(bench, repeat, say):
    """CPU seconds (median) of the full build, and of each variant."""
    settings = {"full": bench.settings["full"]}
    settings.update({name: write_variant(bench, name, o) for name, o in VARIANTS.items()})
    samples = {name: [] for name in settings}
    for round_ in range(1, repeat + 1):
        for name, path in settings.items():
            out = bench.root / f"out-variant-{_slug(name)}"
            shutil.rmtree(out, ignore_errors=True)
            measured = bench.build("full", path, out, f"variant-{_slug(name)}-{round_}")
            samples[name].append(measured)
            say(f"  round {round_}: {name:<22} {measured['cpu']:6.2f} s cpu")
    stats = {name: summary(v) for name, v in samples.items()}
    full = stats["full"]["cpu_median"]
    return {name: {"cpu_median": st["cpu_median"], "saves": full - st["cpu_median"]}
            for name, st in stats.items()}


def scaling(root, sizes, repeat, seed, say):
    """Cold builds (vanilla and full) of sites of each size, interleaved in
    every round so that a machine getting slower or faster during the run
    moves every size alike; {size: {kind: summary}}."""
    benches = {n: Bench(Path(root) / f"n{n}", n, seed) for n in sizes}
    samples = {(n, kind): [] for n in sizes for kind in ("vanilla", "full")}
    for round_ in range(1, repeat + 1):
        for n, bench in benches.items():
            for kind in ("vanilla", "full"):
                out = bench.root / f"out-{kind}"
                shutil.rmtree(out, ignore_errors=True)
                measured = bench.build(kind, bench.settings[kind], out, f"{kind}-{round_}")
                samples[n, kind].append(measured)
                say(f"  round {round_}: N = {n:<6} {kind:<8} {measured['wall']:7.2f} s wall "
                    f"{measured['cpu']:7.2f} s cpu {measured['rss'] / 2**20:6.0f} MiB")
    return {n: {kind: summary(samples[n, kind]) for kind in ("vanilla", "full")} for n in sizes}


def scaling_table(stats, sizes):
    small, large = sizes[0], sizes[-1]
    rows = [
        f"Cold builds, interleaved; median (min-max) CPU seconds and peak MiB; "
        f"growth from N = {small} to N = {large} ({large / small:.2f}x the stories).",
        "",
        "| N | (a) vanilla CPU s | (b) full CPU s | b/a | (a) MiB | (b) MiB | memory b/a "
        "| (b) MiB, all processes | b/a, all processes |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n in sizes:
        a, b = stats[n]["vanilla"], stats[n]["full"]
        rows.append(
            f"| {n} | {a['cpu_median']:.1f} ({a['cpu_min']:.1f}-{a['cpu_max']:.1f}) "
            f"| {b['cpu_median']:.1f} ({b['cpu_min']:.1f}-{b['cpu_max']:.1f}) "
            f"| {b['cpu_median'] / a['cpu_median']:.2f} | {a['rss_median'] / 2**20:.0f} "
            f"| {b['rss_median'] / 2**20:.0f} | {b['rss_median'] / a['rss_median']:.2f} "
            f"| {b['pss_median'] / 2**20:.0f} | {b['pss_median'] / a['pss_median']:.2f} |"
        )
    for kind, label in (("vanilla", "(a) vanilla"), ("full", "(b) full")):
        growth = stats[large][kind]["cpu_median"] / stats[small][kind]["cpu_median"]
        rows.append(f"\n{label}: N = {large} takes {growth:.2f}x the N = {small} time.")
    return "\n".join(rows)


# --- the edits a warm build follows ------------------------------------------


def edit_story_text(site, content):
    """Add a paragraph to a story in the middle of the archive; return its path."""
    story = site.stories[len(site.stories) // 2]
    path = Path(content) / story["path"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\nOne more thing: the kettle was still warm when I left.\n",
                    encoding="utf-8")
    _touch_later(path)
    return story


def add_person(site, content):
    """Tag one more person (public, with a profile) on the newest story that
    lacks them; return (story, person)."""
    story = site.stories[-1]
    person = next(
        p for p in site.people[2:]
        if p["profile"] and p["visibility"] == "public" and p["name"] not in story["people"]
    )
    path = Path(content) / story["path"]
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith("People: "):
            lines[i] = f"{line}, {person['name']}"
            break
        if not line.strip():  # end of the header: no People: line yet
            lines.insert(i, f"People: {person['name']}")
            break
    path.write_text("\n".join(lines), encoding="utf-8")
    _touch_later(path)
    return story, person


ADDED_TITLE = "A new story, written after all the others"


def add_story(site, content):
    """A new story, the newest, tagging two people with a profile and an
    event, in a category and tags the site has; return its title."""
    people = [p["name"] for p in site.people[2:] if p["profile"] and p["visibility"] == "public"][:2]
    event = site.events[0]["name"]
    path = Path(content) / "stories" / "99999-a-new-story.md"
    path.write_text(
        f"Title: {ADDED_TITLE}\nDate: 2099-01-01 10:00\nAuthor: {generator.AUTHOR}\n"
        f"Category: {generator.CATEGORIES[0]}\nTags: {generator.TAGS[0]}\n"
        f"People: {', '.join(people)}\nEvents: {event}\n\n"
        f"We met @[{people[0]}] again, this time at #[{event}].\n",
        encoding="utf-8")
    return ADDED_TITLE


def _touch_later(path):
    """Make sure the edit's mtime differs from the cached one (coarse clocks)."""
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


# --- comparing output trees --------------------------------------------------


def tree_differences(a, b):
    """{'only_in_a': [...], 'only_in_b': [...], 'different': [...]}: relative
    paths of files present on one side only, or with different bytes."""
    a, b = Path(a), Path(b)
    # Pagefind's filter and meta indexes vary from build to build (search.py)
    files_a = {p.relative_to(a).as_posix() for p in a.rglob("*")
               if p.is_file() and byte_stable(p.relative_to(a).as_posix())}
    files_b = {p.relative_to(b).as_posix() for p in b.rglob("*")
               if p.is_file() and byte_stable(p.relative_to(b).as_posix())}
    different = [
        rel for rel in sorted(files_a & files_b)
        if (a / rel).read_bytes() != (b / rel).read_bytes()
    ]
    return {
        "only_in_a": sorted(files_a - files_b),
        "only_in_b": sorted(files_b - files_a),
        "different": different,
    }


def describe_differences(diff, a, b, limit=5):
    lines = []
    for key in ("only_in_a", "only_in_b", "different"):
        for rel in diff[key][:limit]:
            lines.append(f"  {key.replace('_', ' ')}: {rel}")
            if key == "different":
                lines.append("    " + first_difference(Path(a) / rel, Path(b) / rel))
        if len(diff[key]) > limit:
            lines.append(f"  ... and {len(diff[key]) - limit} more {key.replace('_', ' ')}")
    return "\n".join(lines)


def first_difference(path_a, path_b):
    la = path_a.read_text(errors="replace").split("\n")
    lb = path_b.read_text(errors="replace").split("\n")
    for n, (x, y) in enumerate(zip(la, lb), 1):
        if x != y:
            return f"line {n}: {x.strip()[:100]!r} != {y.strip()[:100]!r}"
    return f"one file is longer ({len(la)} vs {len(lb)} lines)"


def person_sees_story(output, person_slug, story_title):
    """Where an added story shows for a person: their pages and any feed of theirs."""
    output = Path(output)
    title = html_escape(story_title)
    pages = [p for p in (output / "people" / person_slug).rglob("*.html")]
    feeds = [p for p in output.rglob("*.xml") if person_slug in p.as_posix()]
    return {
        "page": any(title in p.read_text(encoding="utf-8") for p in pages),
        "feeds": len(feeds),
        "feeds_with_story": sum(title in p.read_text(encoding="utf-8") for p in feeds),
    }


def html_escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- a story page's weight ---------------------------------------------------


class _Resources(html.parser.HTMLParser):
    """The URLs a page loads by itself (not links a reader may follow, nor
    what waits inside a <template> for a script to use it)."""

    def __init__(self):
        super().__init__()
        self.styles, self.scripts, self.other = [], [], []
        self._template = 0

    def handle_starttag(self, tag, attrs):
        if tag == "template":
            self._template += 1
        if self._template:
            return
        a = dict(attrs)
        rel = (a.get("rel") or "").lower().split()
        if tag == "link" and "stylesheet" in rel and a.get("href"):
            self.styles.append(a["href"])
        elif tag == "link" and set(rel) & {"icon", "preload", "modulepreload", "manifest", "prefetch", "preconnect", "dns-prefetch"} and a.get("href"):
            self.other.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag in ("img", "iframe", "video", "audio", "source", "embed", "track") and a.get("src"):
            self.other.append(a["src"])
        elif tag == "object" and a.get("data"):
            self.other.append(a["data"])

    def handle_endtag(self, tag):
        if tag == "template" and self._template:
            self._template -= 1


def _external(url):
    parts = urllib.parse.urlsplit(url)
    return bool(parts.scheme in ("http", "https") or url.startswith("//"))


_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'");\s]+)""")


def page_weight(output, page):
    """Bytes of one page's HTML, CSS and JS (raw and gzip), and its requests
    to other origins (HTML and CSS alike)."""
    output, page = Path(output), Path(page)
    text = page.read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(text)
    files = {"html": [page], "css": [], "js": []}
    external = []

    def local(url):
        path = urllib.parse.urlsplit(url).path
        base = output if path.startswith("/") else page.parent
        return (base / path.lstrip("/")).resolve()

    for kind, urls in (("css", parser.styles), ("js", parser.scripts)):
        for url in urls:
            if _external(url):
                external.append(url)
            elif local(url) not in files[kind]:  # a browser fetches a URL once
                files[kind].append(local(url))
    external += [u for u in parser.other if _external(u)]
    for css in list(files["css"]):
        if css.exists():
            body = css.read_text(encoding="utf-8", errors="replace")
            external += [u for u in _CSS_URL.findall(body) + _CSS_IMPORT.findall(body) if _external(u)]
    raw = {k: sum(p.stat().st_size for p in v if p.exists()) for k, v in files.items()}
    packed = {k: sum(len(gzip.compress(p.read_bytes(), 9)) for p in v if p.exists()) for k, v in files.items()}
    missing = [str(p) for v in files.values() for p in v if not p.exists()]
    return {
        "page": page.relative_to(output).as_posix(),
        "bytes": raw, "total": sum(raw.values()),
        "gzip": packed, "total_gzip": sum(packed.values()),
        "other_origin_requests": sorted(set(external)),
        "missing": missing,
    }


@contextlib.contextmanager
def serving(output):
    """Serve `output` on a free loopback port while the block runs; the origin."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def browser_weight(output, page):
    """What a real Chromium fetches for `page` before the reader scrolls
    (a phone-sized viewport, as Lighthouse uses): bytes by resource type and
    every request to another origin, including those scripts make. None when
    Playwright or Chromium is missing."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not chromium:
        return None
    requests, sizes = [], {}
    with serving(output) as origin:
        url = f"{origin}/{Path(page).relative_to(output).as_posix()}"
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=chromium,
                args=["--no-sandbox", "--disable-gpu", "--no-first-run",
                      "--disable-background-networking", "--disable-component-update"],
            )
            try:
                tab = browser.new_page(viewport={"width": 412, "height": 823})
                tab.on("request", lambda r: requests.append(r))
                tab.goto(url, wait_until="networkidle")
                tab.wait_for_timeout(500)
                for r in requests:
                    try:
                        body = r.sizes()["responseBodySize"]
                    except Exception:  # a failed request has no sizes
                        body = 0
                    kind = r.resource_type
                    sizes[kind] = sizes.get(kind, 0) + max(body, 0)
                urls = [r.url for r in requests]
            finally:
                browser.close()
    other = sorted({u for u in urls if not u.startswith(origin) and not u.startswith("data:")})
    return {
        "url_path": url[len(origin):], "requests": len(urls),
        "bytes_by_type": sizes,
        "html_css_js": sum(sizes.get(k, 0) for k in ("document", "stylesheet", "script")),
        "other_origin_requests": other,
    }


LIGHTHOUSE = ROOT / ".bench-tools" / "node_modules" / ".bin" / "lighthouse"


def lighthouse_scores(output, page):
    """Lighthouse's four category scores (0-100) for `page`, served on
    loopback, in Debian's Chromium; None when Lighthouse is not installed
    (`make bench` installs it into .bench-tools/)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not LIGHTHOUSE.exists() or not chromium:
        return None
    report = Path(output).parent / "lighthouse.json"
    with serving(output) as origin:
        url = f"{origin}/{Path(page).relative_to(output).as_posix()}"
        subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             "--only-categories=performance,accessibility,best-practices,seo",
             "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
             "--disable-background-networking --disable-component-update"],
            env={**os.environ, "CHROME_PATH": chromium}, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=180,
        )
    data = json.loads(report.read_text(encoding="utf-8"))
    return {name: round(cat["score"] * 100) for name, cat in data["categories"].items()}


def sample_story_weight(workdir):
    """Build the shipped sample site; weigh its heaviest story page."""
    out = Path(workdir) / "sample-output"
    timed(build_command("full", ROOT / "pelicanconf.py", out), ROOT, Path(workdir) / "sample.log")
    stories = [p for p in out.glob("[0-9][0-9][0-9][0-9]/*/index.html")]
    if not stories:
        return None
    heaviest = max(stories, key=lambda p: p.stat().st_size)
    weight = page_weight(out, heaviest)
    try:
        weight["browser"] = browser_weight(out, heaviest)
    except Exception as exc:  # the static figures still stand
        weight["browser"] = {"error": f"{type(exc).__name__}: {exc}"}
    try:
        weight["lighthouse"] = lighthouse_scores(out, heaviest)
    except (OSError, RuntimeError, subprocess.SubprocessError, ValueError, KeyError) as exc:
        weight["lighthouse"] = {"error": f"{type(exc).__name__}: {exc}"}
    return weight


# --- the run -----------------------------------------------------------------


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) * 1024
    except OSError:
        pass
    import markdown
    import pelican

    return {
        "cpus": os.cpu_count(), "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu or platform.processor(), "ram_bytes": ram,
        "python": platform.python_version(), "pelican": pelican.__version__,
        "markdown": markdown.__version__, "platform": platform.platform(),
    }


def summary(samples):
    out = {"n": len(samples)}
    for measure in ("wall", "cpu", "rss", "pss"):
        values = [sample[measure] for sample in samples]
        out[f"{measure}_median"] = statistics.median(values)
        out[f"{measure}_min"] = min(values)
        out[f"{measure}_max"] = max(values)
    return out


def _say(*args):
    print(*args, flush=True)


def run(stories, repeat=3, seed=1, keep=None, weigh=True, say=_say):
    root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="connections-bench-"))
    if keep and root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    bench = Bench(root, stories, seed)
    site = bench.site
    say(f"generated {len(site.stories)} stories, {len(site.people)} people, "
        f"{len(site.events)} events in {time.perf_counter() - started:.1f} s ({root})")
    samples = {k: [] for k in KINDS}
    check = None
    one_worker = write_variant(bench, "1 worker", {"CONNECTIONS_WORKERS": 1})
    cores = len(os.sched_getaffinity(0))
    # 1, 2 and every core: how the speed-up grows with workers.
    two_workers = write_variant(bench, "2 workers", {"CONNECTIONS_WORKERS": 2}) if cores > 2 else None
    hugo = preview.ensure_hugo(say)
    if hugo:
        preview.hugo_site(site, root / "hugo", feeds=True)
    else:
        say("  hugo could not be installed: no (d) figures")

    def record(kind, measured):
        samples[kind].append(measured)
        say(f"  round {round_}: {kind:<12} {measured['wall']:6.2f} s wall "
            f"{measured['cpu']:6.2f} s cpu {measured['rss'] / 2**20:6.0f} MiB largest process "
            f"{measured['pss'] / 2**20:6.0f} MiB all processes")

    for round_ in range(1, repeat + 1):
        # (a) and (b): the same pristine content, alternating.
        for kind in ("vanilla", "full"):
            out = root / f"out-{kind}"
            shutil.rmtree(out, ignore_errors=True)
            record(kind, bench.build(kind, bench.settings[kind], out, f"{kind}-{round_}"))
        out = root / "out-full-1-worker"
        shutil.rmtree(out, ignore_errors=True)
        record("full-1-worker", bench.build("full", one_worker, out, f"full-1-worker-{round_}"))
        workers_diff = tree_differences(root / "out-full", out)
        workers_same = not any(workers_diff.values())
        if two_workers is not None:
            out2 = root / "out-full-2-workers"
            shutil.rmtree(out2, ignore_errors=True)
            record("full-2-workers",
                   bench.build("full", two_workers, out2, f"full-2-workers-{round_}"))
            two_diff = tree_differences(root / "out-full", out2)
            workers_same = workers_same and not any(two_diff.values())
        say(f"  (b) and (b1) wrote the same files, byte for byte: {'yes' if workers_same else 'NO'}"
            + ("" if workers_same else ":\n" + describe_differences(
                workers_diff, root / "out-full", out)))
        if hugo:
            out = root / "out-hugo"
            shutil.rmtree(out, ignore_errors=True)
            record("hugo", timed([hugo, "--quiet", "--source", str(root / "hugo"),
                                  "--destination", str(out), "--cacheDir",
                                  str(root / f"hugo-cache-{round_}")],
                                 root, bench.logs / f"hugo-{round_}.log"))
        # (c): prime the cache (untimed), edit, rebuild warm twice.
        work = bench.fresh_work_copy()
        warm_out = root / "out-warm"
        shutil.rmtree(warm_out, ignore_errors=True)
        bench.build("full", work / "warm.py", warm_out, f"prime-{round_}")
        edited = edit_story_text(site, work / "content")
        record("warm-edit", bench.build("full", work / "warm.py", warm_out, f"warm-edit-{round_}"))
        story, person = add_person(site, work / "content")
        record("warm-person", bench.build("full", work / "warm.py", warm_out, f"warm-person-{round_}"))
        added = add_story(site, work / "content")
        record("warm-add", bench.build("full", work / "warm.py", warm_out, f"warm-add-{round_}"))
        if round_ == repeat:
            check = verify_warm(bench, work, warm_out, edited, story, person, say, added)
    stats = {k: summary(v) for k, v in samples.items() if v}
    ratios = {}
    for measure in ("wall", "cpu", "rss", "pss"):
        m = f"{measure}_median"
        ratios[f"{measure} full/vanilla"] = stats["full"][m] / stats["vanilla"][m]
        ratios[f"{measure} full-1-worker/vanilla"] = (
            stats["full-1-worker"][m] / stats["vanilla"][m])
        ratios[f"{measure} full-1-worker/full"] = stats["full-1-worker"][m] / stats["full"][m]
        if "full-2-workers" in stats:
            ratios[f"{measure} full-2-workers/vanilla"] = (
                stats["full-2-workers"][m] / stats["vanilla"][m])
            ratios[f"{measure} full-1-worker/full-2-workers"] = (
                stats["full-1-worker"][m] / stats["full-2-workers"][m])
        ratios[f"{measure} warm-edit/full"] = stats["warm-edit"][m] / stats["full"][m]
        ratios[f"{measure} warm-person/full"] = stats["warm-person"][m] / stats["full"][m]
        ratios[f"{measure} warm-add/full"] = stats["warm-add"][m] / stats["full"][m]
        if "hugo" in stats:
            ratios[f"{measure} full/hugo"] = stats["full"][m] / stats["hugo"][m]
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    weight = sample_story_weight(root) if weigh else None
    result = {
        "when": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "stories": len(site.stories), "people": len(site.people), "events": len(site.events),
        "seed": seed, "repeat": repeat, "machine": machine(),
        "samples": samples, "stats": stats, "ratios": ratios,
        "warm_equals_cold": check, "story_page": weight, "load_average_at_end": load,
        "workers_same_output": workers_same,
    }
    if not keep:
        shutil.rmtree(root, ignore_errors=True)
    return result


def verify_warm(bench, work, warm_out, edited, story, person, say, added=None):
    """A cold build of the edited content must write the same tree as the warm one."""
    cold_out = bench.root / "out-cold-edited"
    shutil.rmtree(cold_out, ignore_errors=True)
    bench.build("full", work / "full.py", cold_out, "cold-edited")
    diff = tree_differences(warm_out, cold_out)
    same = not any(diff.values())
    seen = person_sees_story(warm_out, person["slug"], story["title"])
    edit_seen = any(
        "the kettle was still warm when I left" in p.read_text(encoding="utf-8")
        for p in warm_out.rglob("index.html")
        if html_escape(edited["title"]) in p.read_text(encoding="utf-8")
    )
    if same:
        say(f"warm build == cold build of the edited content ({_count(warm_out)} files)")
    else:
        say("WARM BUILD DIFFERS FROM A COLD BUILD of the same content:\n"
            + describe_differences(diff, warm_out, cold_out))
    say(f"added person {person['name']!r} on {story['title']!r}: "
        f"on their page: {'yes' if seen['page'] else 'NO'}; "
        f"their feeds: {seen['feeds_with_story']} of {seen['feeds']} list it; "
        f"edited text shown: {'yes' if edit_seen else 'NO'}")
    added_seen = added is None or any(
        html_escape(added) in p.read_text(encoding="utf-8")
        for p in warm_out.glob("2099/*/index.html"))
    if added is not None:
        say(f"added story {added!r} on its page: {'yes' if added_seen else 'NO'}")
    return {"identical": same, "differences": diff, "person_added": seen,
            "edit_shown": edit_seen, "story_added_shown": added_seen,
            "files": _count(warm_out)}


def _count(folder):
    return sum(1 for p in Path(folder).rglob("*") if p.is_file())


def markdown_table(result):
    s, r = result["stats"], result["ratios"]
    workers = result.get("machine", {}).get("cores", "every core's")
    mib = 2 ** 20
    rows = [
        f"N = {result['stories']} stories, {result['people']} people, {result['events']} "
        f"events; {result['repeat']} runs each, alternating; median (min-max).",
        "",
        "| build | workers | wall time (s) | CPU time (s) | peak memory, largest process (MiB) "
        "| peak memory, all processes (MiB) | wall ratio | CPU ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    workers_of = {"vanilla": "1", "full-1-worker": "1", "full-2-workers": "2", "hugo": "all (Go)"}
    labels = {
        "vanilla": ("(a) vanilla Pelican", "", ""),
        "full": (f"(b) Connection Stories, cold, {workers} workers", "b/a", "full/vanilla"),
        "full-1-worker": ("(b1) the same, CONNECTIONS_WORKERS = 1", "b1/a",
                          "full-1-worker/vanilla"),
        "full-2-workers": ("(b2) the same, CONNECTIONS_WORKERS = 2", "b2/a",
                           "full-2-workers/vanilla"),
        "warm-edit": ("(c) warm, one story's text edited", "c/b", "warm-edit/full"),
        "warm-person": ("(c) warm, one person added", "c/b", "warm-person/full"),
        "warm-add": ("(c) warm, one story added", "c/b", "warm-add/full"),
        "hugo": ("(d) Hugo, cold", "b/d", "full/hugo"),
    }

    def cell(st, measure, scale=1, digits=2):
        return (f"{st[measure + '_median'] / scale:.{digits}f} "
                f"({st[measure + '_min'] / scale:.{digits}f}-{st[measure + '_max'] / scale:.{digits}f})")

    for kind in KINDS:
        if kind == "full-2-workers" and kind not in s:
            continue  # measured only where the machine has more than 2 cores
        if kind not in s:
            rows.append(f"| {labels[kind][0]} | | not measured | | | | | |")
            continue
        st = s[kind]
        label, name, key = labels[kind]
        wall = f"{name} = {r['wall ' + key]:.2f}" if key else ""
        cpu = f"{name} = {r['cpu ' + key]:.2f}" if key else ""
        rows.append(
            f"| {label} | {workers_of.get(kind, workers)} | {cell(st, 'wall')} | {cell(st, 'cpu')} "
            f"| {cell(st, 'rss', mib, 0)} | {cell(st, 'pss', mib, 0)} | {wall} | {cpu} |"
        )
    rows.append("")
    if "wall full-1-worker/full" in r:
        two = (f"1 -> 2 workers {r['wall full-1-worker/full-2-workers']:.2f}x, "
               if "wall full-1-worker/full-2-workers" in r else "")
        rows.append(f"Speed-up of the cold build (wall time): {two}1 -> {workers} workers "
                    f"(every core) {r['wall full-1-worker/full']:.2f}x.")
    if "workers_same_output" in result:
        which = "(b), (b1) and (b2)" if "full-2-workers" in s else "(b) and (b1)"
        rows.append(f"{which} wrote the same files, byte for byte: "
                    f"{'yes' if result['workers_same_output'] else 'NO'}.")
    rows.append(f"Peak memory b/a = {r['rss full/vanilla']:.2f} (largest process), "
                f"{r['pss full/vanilla']:.2f} (all processes together).")
    check = result.get("warm_equals_cold")
    if check:
        rows.append(
            f"Warm build identical to a cold build of the edited content: "
            f"{'yes' if check['identical'] else 'NO'} ({check['files']} files); "
            f"the added person's page lists the story: "
            f"{'yes' if check['person_added']['page'] else 'NO'}, their feeds: "
            f"{check['person_added']['feeds_with_story']} of {check['person_added']['feeds']}."
        )
    w = result.get("story_page")
    if w:
        rows.append(
            f"Sample site story page `{w['page']}`: {w['total'] / 1024:.1f} KiB of HTML+CSS+JS "
            f"({w['total_gzip'] / 1024:.1f} KiB gzipped; HTML {w['bytes']['html']}, "
            f"CSS {w['bytes']['css']}, JS {w['bytes']['js']} bytes); requests to other "
            f"origins in its HTML and CSS: {len(w['other_origin_requests'])}"
            + (f" ({', '.join(w['other_origin_requests'])})" if w["other_origin_requests"] else "")
            + "."
        )
        b = w.get("browser")
        if b and "error" not in b:
            rows.append(
                f"In Chromium before scrolling (412x823): {b['requests']} requests, "
                f"{b['html_css_js'] / 1024:.1f} KiB of HTML+CSS+JS transferred; requests to "
                f"other origins: {len(b['other_origin_requests'])}"
                + (f" ({', '.join(b['other_origin_requests'])})" if b["other_origin_requests"] else "")
                + "."
            )
        elif b:
            rows.append(f"Chromium measurement failed: {b['error']}")
        lh = w.get("lighthouse")
        if lh and "error" not in lh:
            rows.append("Lighthouse: " + ", ".join(f"{k} {v}" for k, v in lh.items()) + ".")
        elif lh:
            rows.append(f"Lighthouse failed: {lh['error']}")
        else:
            rows.append("Lighthouse: not installed (`make bench` installs it with npm).")
    return "\n".join(rows)


@contextlib.contextmanager
def work_folder(keep):
    """The folder to work in: `keep` (kept), or a temporary one (removed)."""
    root = Path(keep or tempfile.mkdtemp(prefix="connections-bench-"))
    try:
        yield root
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def phases(bench):
    """Print CPU time per build phase of the vanilla and the full build (bench/phases.py)."""
    for kind in ("vanilla", "full"):
        command = [sys.executable, str(ROOT / "bench" / "phases.py"),
                   str(bench.settings[kind]), str(bench.root / f"out-phases-{kind}")]
        if kind == "vanilla":
            command.append("--vanilla")
        print(f"\n{kind}:", flush=True)
        done = subprocess.run(command, cwd=bench.root, env=child_env(), capture_output=True, text=True)
        print(done.stdout[done.stdout.find("phase "):] if "phase " in done.stdout else done.stderr[-2000:])


def wordpress_import(root, posts, comments, seed, say):
    """Time `python -m connections import wordpress` on a generated export
    (bench/wordpress_export.py) of `posts` posts and `comments` comments, then
    again (the second import must add nothing), and the first import of an
    export a tenth the size: its peak memory shows whether memory grows with
    the export."""
    import sqlite3

    sys.path.insert(0, str(ROOT / "bench"))
    import wordpress_export

    runs = {}
    for name, n, c in (("small", max(1, posts // 10), comments // 10), ("large", posts, comments)):
        folder = root / f"wordpress-{name}"
        (folder / "content" / "stories").mkdir(parents=True)
        export = folder / "export.xml"
        say(f"writing an export of {n} posts and {c} comments...")
        wordpress_export.write(export, n, c, seed)
        settings = folder / "import.py"
        settings.write_text(
            f"exec(open({str(ROOT / 'pelicanconf.py')!r}, encoding='utf-8').read())\n"
            f"PATH = {str(folder / 'content')!r}\nTHEME = {str(ROOT / 'theme')!r}\n"
            f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n", encoding="utf-8")
        command = [sys.executable, "-m", "connections", "import", "wordpress", str(export),
                   "-s", str(settings), "--comments-db", str(folder / "comments.db")]
        say(f"importing it ({name})...")
        first = timed(command, folder, folder / "import-1.log")
        row = {"posts": n, "comments": c, "export_bytes": export.stat().st_size, "first": first}
        if name == "large":
            db = sqlite3.connect(folder / "comments.db")
            before = db.execute("SELECT count(*) FROM comments").fetchone()[0]
            files = sum(1 for _ in (folder / "content" / "stories").glob("*.md"))
            say("importing it again...")
            row["again"] = timed(command, folder, folder / "import-2.log")
            row["stories_written"] = files
            row["comments_in_isso"] = before
            row["added_by_the_second_import"] = (
                db.execute("SELECT count(*) FROM comments").fetchone()[0] - before
                + sum(1 for _ in (folder / "content" / "stories").glob("*.md")) - files
            )
        runs[name] = row
    return runs


def wordpress_table(runs):
    large, small = runs["large"], runs["small"]
    lines = [
        f"WordPress import: {large['posts']} posts, {large['comments']} comments "
        f"({large['export_bytes'] / 1e6:.0f} MB export; target: under 60 s)",
        "",
        "| run | wall (s) | CPU (s) | peak memory (MB) |",
        "|---|---|---|---|",
    ]
    for label, row in ((f"first import, {small['posts']} posts", small["first"]),
                       (f"first import, {large['posts']} posts", large["first"]),
                       (f"again, {large['posts']} posts (adds {large['added_by_the_second_import']})",
                        large["again"])):
        lines.append(f"| {label} | {row['wall']:.1f} | {row['cpu']:.1f} | {row['rss'] / 1e6:.0f} |")
    return "\n".join(lines)


def write_results(name, data, table):
    """Print `table`; keep `data` as bench/results/<time>-<name>.json and
    the table beside it (.md)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{stamp}-{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    path.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    print()
    print(table)
    print()
    print(f"results: {path.relative_to(ROOT)} (the table: {path.with_suffix('.md').name})")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stories", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3, help="builds of each kind (default 3)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", default=None, help="work in this folder and keep it")
    p.add_argument("--no-weigh", action="store_true", help="skip the sample-site page weight")
    p.add_argument("--phases", action="store_true",
                   help="instead: CPU time per build phase, vanilla and full (bench/phases.py)")
    p.add_argument("--decompose", action="store_true",
                   help="instead: the CPU time each part of the plugin costs (feeds, pages, comments)")
    p.add_argument("--scaling", metavar="N,N", default=None,
                   help="instead: cold builds of sites of these sizes, interleaved (e.g. 5000,13000)")
    p.add_argument("--wordpress", metavar="POSTS", type=int, default=None,
                   help="instead: time the WordPress import of a generated export of POSTS posts")
    p.add_argument("--comments", type=int, default=50000,
                   help="comments in the --wordpress export (default 50000)")
    args = p.parse_args(argv)
    try:
        if args.wordpress:
            with work_folder(args.keep) as root:
                runs = wordpress_import(root, args.wordpress, args.comments, args.seed, _say)
            write_results(f"wordpress-{args.wordpress}",
                          {"machine": machine(), "load": os.getloadavg(), "runs": runs},
                          wordpress_table(runs))
            return 0 if runs["large"]["added_by_the_second_import"] == 0 else 1
        if args.scaling:
            sizes = sorted(int(n) for n in args.scaling.split(","))
            with work_folder(args.keep) as root:
                stats = scaling(root, sizes, args.repeat, args.seed, _say)
            write_results(
                f"scaling-{'-'.join(map(str, sizes))}",
                {"sizes": sizes, "repeat": args.repeat, "machine": machine(),
                 "stats": {str(n): v for n, v in stats.items()}},
                scaling_table(stats, sizes),
            )
            return 0
        if args.phases:
            with work_folder(args.keep) as root:
                phases(Bench(root, args.stories, args.seed))
            return 0
        if args.decompose:
            with work_folder(args.keep) as root:
                parts = decompose(Bench(root, args.stories, args.seed), args.repeat, _say)
            print("\n| build | CPU time (s), median | the part costs (s) |\n|---|---|---|")
            for name, row in parts.items():
                cost = f"{row['saves']:.2f}" if name != "full" else ""
                print(f"| {name} | {row['cpu_median']:.2f} | {cost} |")
            return 0
        result = run(args.stories, args.repeat, args.seed, args.keep, not args.no_weigh)
    except BuildFailed as exc:
        print(f"bench: a build failed: {exc}", file=sys.stderr)
        return 1
    write_results(f"n{result['stories']}", result, markdown_table(result))
    check = result["warm_equals_cold"]
    return 0 if check is None or check["identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
