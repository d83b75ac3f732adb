"""`make bench` (second part): edit-to-visible in the live preview, beside `hugo server`.

    python bench/preview.py --stories 1000 [--repeat 3] [--no-hugo]

Generates the synthetic site (bench/generate.py), starts this project's
preview (`python -m connections serve`, warm: Pelican's content cache on)
on a free port, and measures end to end, as an author sees it: save the file,
then poll the served page until it shows the edit.

  edit     a paragraph added to one story: until the story's page has it
  person   one more person in a story's `People:`: until that person's page
           lists the story

and, for each, until the preview's rebuild that follows is done (the rest
of the site: lists, feeds, search); then a second text edit saved while the
rebuild after a first one runs, until the story's page has it.

Then the same stories as a Hugo site (plain layouts, the same Markdown and
front matter) under `hugo server` (Debian's hugo package, installed with
apt-get when missing), the same two edits, polled the same way (for Hugo,
"person" is a tag in the `people` taxonomy). Prints medians and min-max,
writes bench/results/preview-<timestamp>.json, and marks the targets
(edit <= 1 s, person <= 2 s) met or NOT met: nothing is faked.
"""

import argparse
import datetime
import html
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "plugins"))

import generate as generator  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TARGETS = {"edit": 1.0, "person": 2.0}
POLL = 0.02
TIMEOUT = 300  # an edit
FIRST_BUILD = 3600  # the first, cold build of a big blog on a loaded machine

PREVIEW_SETTINGS = '''\
"""The preview of the synthetic site: the full build, warm, no comment server."""
import runpy as _runpy

globals().update(
    (k, v) for k, v in _runpy.run_path({full!r}).items() if k.isupper() or k[:1].isdigit()
)
LOAD_CONTENT_CACHE = True
CACHE_CONTENT = True
COMMENTS_PROVIDER = "none"
'''

HUGO_CONFIG = '''\
baseURL = "http://127.0.0.1/"
title = "Synthetic connection blog"
removePathAccents = true
# The synthetic stories run into the future; Pelican builds them too.
buildFuture = true
disableKinds = ["RSS", "sitemap", "robotsTXT"]
[permalinks]
  posts = "/:year/:slug/"
[taxonomies]
  tag = "tags"
  category = "categories"
  person = "people"
  event = "events"
'''
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
                            "<body>{{ block \"main\" . }}{{ end }}</body></html>\n",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ .Content }}"
                            "<ul>{{ range .Params.people }}<li>{{ . }}</li>{{ end }}</ul>"
                            "{{ end }}\n",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><ul>"
                          "{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a>"
                          "</li>{{ end }}</ul>{{ end }}\n",
    "_default/terms.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ end }}\n",
}


def dumps(value):
    return json.dumps(value, ensure_ascii=False)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):
        return ""


def wait_for(url, needle, process, timeout=TIMEOUT):
    """Seconds until the page at `url` contains `needle`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        if needle in fetch(url):
            return time.monotonic() - started
        time.sleep(POLL)
    raise RuntimeError(f"{url} did not show {needle!r} within {timeout} s")


def preview_state(base):
    """The preview server's state: its first Server-Sent Event."""
    with urllib.request.urlopen(base + "__preview/events", timeout=10) as r:
        return json.loads(r.readline().decode().removeprefix("data: "))


def caught_up(base, build, saved, process, timeout=TIMEOUT):
    """Seconds from the save until the preview's rebuild is done (the
    quick render, if any, showed the saved pages before: its state says
    `updating` until the rebuild that follows it ends)."""
    while time.monotonic() - saved < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (exit {process.returncode})")
        state = preview_state(base)
        if state["build"] > build and not state.get("updating"):
            return time.monotonic() - saved
        time.sleep(POLL)
    raise RuntimeError(f"the preview did not finish rebuilding within {timeout} s")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def story_url(site, story):
    path = site.content / story["path"]
    date = re.search(r"^Date: (\d{4})", path.read_text(encoding="utf-8"), re.M).group(1)
    return f"{date}/{generator._slug(story['title'])}/"


def append_paragraph(path, marker):
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nOne more thing: {marker}.\n", encoding="utf-8")


def add_to_people(path, name, yaml=False):
    lines = path.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if yaml and line.startswith("people:"):
            lines[i] = line.rstrip("]") + f', "{name}"]' if line.rstrip().endswith("]") else line
            break
        if not yaml and line.startswith("People: "):
            lines[i] = f"{line}, {name}"
            break
        if (not yaml and not line.strip()) or (yaml and i > 0 and line == "---"):
            lines.insert(i, f'people: ["{name}"]' if yaml else f"People: {name}")
            break
    path.write_text("\n".join(lines), encoding="utf-8")


def pick(site, repeat):
    """`repeat` stories spread over the archive, and a person each lacks."""
    stories = [site.stories[(k + 1) * len(site.stories) // (repeat + 2)] for k in range(repeat)]
    chosen = []
    for story in stories:
        # From the least tagged: their page lists every story on one page.
        person = next(p for p in reversed(site.people[2:])
                      if p["profile"] and p["visibility"] == "public"
                      and p["name"] not in story["people"])
        chosen.append((story, person))
    return chosen


# --- this project's preview ----------------------------------------------------


def measure_ours(site, work, repeat, say):
    settings = work / "preview.py"
    settings.write_text(PREVIEW_SETTINGS.format(full=str(site.root / "full.py")), encoding="utf-8")
    port = free_port()
    log = open(work / "serve.log", "wb")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "plugins")}
    process = subprocess.Popen(
        [sys.executable, "-m", "connections", "serve", "-s", str(settings),
         "-o", str(work / "output"), "--port", str(port)],
        cwd=work, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    results = {"edit": [], "person": [], "edit, whole site": [], "person, whole site": [],
               "during a rebuild": []}
    try:
        first = pick(site, repeat)[0][0]
        started = time.monotonic()
        wait_for(base + story_url(site, first), first["title"].split(" (")[0], process,
                 timeout=FIRST_BUILD)
        # Pages are written as the build goes: wait for its end (the server says).
        while preview_state(base)["build"] < 1:
            if process.poll() is not None or time.monotonic() - started > FIRST_BUILD:
                raise RuntimeError("the preview's first build did not finish")
            time.sleep(0.2)
        say(f"  ours: first build done after {time.monotonic() - started:.1f} s")
        for n, (story, person) in enumerate(pick(site, repeat)):
            marker = f"the kettle was still warm, round {n}"
            time.sleep(1.0)  # the previous rebuild's files settle
            build = preview_state(base)["build"]
            saved = time.monotonic()
            append_paragraph(site.content / story["path"], marker)
            results["edit"].append(wait_for(base + story_url(site, story), marker, process))
            results["edit, whole site"].append(caught_up(base, build, saved, process))
            time.sleep(1.0)
            build = preview_state(base)["build"]
            saved = time.monotonic()
            add_to_people(site.content / story["path"], person["name"])
            person_url = base + f"people/{person['slug']}/"
            results["person"].append(wait_for(person_url, html.escape(story["title"]), process))
            results["person, whole site"].append(caught_up(base, build, saved, process))
            # Two saves: the second while the rebuild after the first runs.
            time.sleep(1.0)
            build = preview_state(base)["build"]
            append_paragraph(site.content / story["path"], marker + " (first of two)")
            wait_for(base + story_url(site, story), marker + " (first of two)", process)
            time.sleep(2.0)
            running = preview_state(base)["updating"]
            append_paragraph(site.content / story["path"], marker + " (second of two)")
            results["during a rebuild"].append(
                wait_for(base + story_url(site, story), marker + " (second of two)", process))
            if not running:
                say("  ours: (the rebuild was over before the second save)")
            caught_up(base, build, time.monotonic(), process)
            say(f"  ours: edit {results['edit'][-1]:.2f} s (whole site "
                f"{results['edit, whole site'][-1]:.1f} s), person {results['person'][-1]:.2f} s "
                f"(whole site {results['person, whole site'][-1]:.1f} s), a save during a "
                f"rebuild {results['during a rebuild'][-1]:.2f} s")
    finally:
        stop(process)
        log.close()
    return results


# --- hugo server -------------------------------------------------------------------


def ensure_hugo(say):
    if shutil.which("hugo"):
        return shutil.which("hugo")
    say("  hugo is not installed: apt-get install hugo (Debian's package)")
    apt = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "hugo"]
    if os.geteuid() != 0:
        apt = ["sudo", "-n", *apt]
    subprocess.run(apt, check=False, stdout=subprocess.DEVNULL)
    return shutil.which("hugo")


def hugo_site(site, root, feeds=False):
    """The synthetic stories as a Hugo site: YAML front matter, the same text,
    people and events as taxonomies (a page for each, and with `feeds` an RSS
    feed for each, the site and every list, as Hugo makes them)."""
    (root / "content" / "posts").mkdir(parents=True)
    config = HUGO_CONFIG if not feeds else HUGO_CONFIG.replace(
        'disableKinds = ["RSS", "sitemap", "robotsTXT"]', 'disableKinds = ["robotsTXT"]')
    (root / "hugo.toml").write_text(config, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (root / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "layouts" / name).write_text(text, encoding="utf-8")
    paths = {}
    for story in site.stories:
        text = (site.content / story["path"]).read_text(encoding="utf-8")
        header, _, body = text.partition("\n\n")
        meta = dict(line.split(": ", 1) for line in header.split("\n") if ": " in line)
        lines = ["---", f"title: {dumps(meta['Title'])}",
                 f"date: {meta['Date'].replace(' ', 'T')}:00",
                 f"slug: {generator._slug(meta['Title'])}",
                 f"categories: [{dumps(meta.get('Category', 'misc'))}]",
                 "tags: [" + ", ".join(dumps(t.strip()) for t in
                                       meta.get("Tags", "").split(",") if t.strip()) + "]"]
        for key in ("People", "Events"):
            if meta.get(key):
                lines.append(f"{key.lower()}: [" + ", ".join(
                    dumps(p.strip()) for p in meta[key].split(",")) + "]")
        lines += ["---", ""]
        path = root / "content" / "posts" / Path(story["path"]).name
        path.write_text("\n".join(lines) + body, encoding="utf-8")
        paths[story["path"]] = path
    return paths


def measure_hugo(site, work, repeat, say):
    hugo = ensure_hugo(say)
    if not hugo:
        say("  hugo: could not be installed; no figures for it")
        return None
    root = work / "hugo"
    paths = hugo_site(site, root)
    port = free_port()
    log = open(work / "hugo.log", "wb")
    process = subprocess.Popen(
        [hugo, "server", "--bind", "127.0.0.1", "--port", str(port), "--baseURL",
         f"http://127.0.0.1:{port}/", "--appendPort=false", "--disableLiveReload",
         "--source", str(root)],
        cwd=root, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    results = {"edit": [], "person": [], "edit, whole site": [], "person, whole site": [],
               "during a rebuild": []}
    try:
        first = pick(site, repeat)[0][0]
        started = time.monotonic()
        wait_for(base + story_url(site, first), first["title"].split(" (")[0], process,
                 timeout=FIRST_BUILD)
        say(f"  hugo: first build served after {time.monotonic() - started:.1f} s")
        for n, (story, person) in enumerate(pick(site, repeat)):
            marker = f"the kettle was still warm, round {n}"
            time.sleep(1.0)
            append_paragraph(paths[story["path"]], marker)
            results["edit"].append(wait_for(base + story_url(site, story), marker, process))
            time.sleep(1.0)
            add_to_people(paths[story["path"]], person["name"], yaml=True)
            person_url = base + f"people/{generator._slug(person['name'])}/"
            results["person"].append(wait_for(person_url, html.escape(story["title"]), process))
            say(f"  hugo: edit {results['edit'][-1]:.2f} s, person {results['person'][-1]:.2f} s")
    finally:
        stop(process)
        log.close()
    return results


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values} if values else None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stories", type=int, default=1000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-hugo", action="store_true")
    p.add_argument("--keep", default=None, help="work in this folder and keep it")
    args = p.parse_args(argv)
    # A killed benchmark stops its servers too (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))

    def say(*a):
        print(*a, flush=True)

    work = Path(args.keep or tempfile.mkdtemp(prefix="bench-preview-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        say(f"Preview edit-to-visible at N={args.stories} (generating the site...)")
        site = generator.generate(work / "site", args.stories, seed=args.seed)
        ours = measure_ours(site, work, args.repeat, say)
        # Hugo gets the same stories, unedited.
        site = generator.generate(work / "site-hugo", args.stories, seed=args.seed)
        hugo = None if args.no_hugo else measure_hugo(site, work, args.repeat, say)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    result = {"stories": args.stories, "when": datetime.datetime.now().isoformat(timespec="seconds"),
              "ours": {k: summary(v) for k, v in ours.items()},
              "hugo": {k: summary(v) for k, v in hugo.items()} if hugo else None,
              "targets": TARGETS}
    say("")
    say(f"| edit-to-visible, N={args.stories} | Connection Stories (make serve) | hugo server | target |")
    say("|---|---|---|---|")

    def cell(s):
        return f"{s['median']:.2f} s ({s['min']:.2f}-{s['max']:.2f})" if s else "n/a"

    for kind, label in (("edit", "one story's text"), ("person", "a person added to People:")):
        o = result["ours"][kind]
        h = result["hugo"][kind] if result["hugo"] else None
        met = "met" if o["median"] <= TARGETS[kind] else "NOT met"
        say(f"| {label} | {cell(o)} | {cell(h)} | <= {TARGETS[kind]:.0f} s: {met} |")
    say(f"| one story's text, saved while the rebuild after another save runs | "
        f"{cell(result['ours']['during a rebuild'])} | | <= 1 s: "
        f"{'met' if result['ours']['during a rebuild']['median'] <= 1 else 'NOT met'} |")
    for kind, label in (("edit", "one story's text"), ("person", "a person added to People:")):
        say(f"| {label.rstrip(':')}, then the rest of the site (lists, feeds, search) | "
            f"{cell(result['ours'][kind + ', whole site'])} | | |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"preview-{stamp}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
