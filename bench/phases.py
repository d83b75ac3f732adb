"""Where a build's CPU time goes, phase by phase (no profiler overhead).

    python bench/phases.py SETTINGS OUTPUT [--vanilla]

Runs one build in this process with a CPU-time counter (time.process_time)
around Pelican's and the plugin's phases, and prints them, inclusive (a
phase contains the ones it calls: reading contains Markdown and linking).
`bench/run.py --phases` runs it for the vanilla and the full build of the
synthetic site, so the two can be compared line by line. A profiler
(pyinstrument, cProfile) shows *which functions* inside a phase cost; this
shows *how much* each phase costs, without the profiler's distortion.
"""

import argparse
import functools
import importlib
import sys
import time
import types
from collections import defaultdict

TOTALS = defaultdict(float)
CALLS = defaultdict(int)

# (label, module, attribute path) of what is timed, when it exists.
PHASES = [
    ("read stories and pages (Pelican readers, incl. Markdown, linking)", "pelican.readers", "Readers.read_file"),
    ("  Markdown conversion", "markdown.core", "Markdown.convert"),
    ("  Markdown set-up, once per file", "markdown.core", "Markdown.__init__"),
    ("  connections: link stories (People:/Events:/mentions)", "connections.linking.linker", "Linker.link"),
    ("  connections: comments per story", "connections.comments.providers", "prepare"),
    ("    connections: 'did you mean' for names without a profile (difflib)", "connections.model.registry", "Registry.suggestions"),
    ("articles: context", "pelican.generators", "ArticlesGenerator.generate_context"),
    ("articles: output (stories, index, tags, categories, archives, Pelican feeds)", "pelican.generators", "ArticlesGenerator.generate_output"),
    ("  Pelican feeds", "pelican.generators", "ArticlesGenerator.generate_feeds"),
    ("pages: context + output", "pelican.generators", "PagesGenerator.generate_output"),
    ("static files", "pelican.generators", "StaticGenerator.generate_output"),
    ("connections: registry (profiles)", "connections.model.registry", "Registry.load"),
    ("connections: people/events context", "connections.output.pages", "ConnectionsGenerator.generate_context"),
    ("connections: person/event pages and directories", "connections.output.pages", "ConnectionsGenerator.generate_output"),
    ("connections: feeds context", "connections.output.feeds", "FeedsGenerator.generate_context"),
    ("connections: feeds output", "connections.output.feeds", "FeedsGenerator.generate_output"),
    ("all template rendering (Jinja2)", "jinja2.environment", "Template.render"),
    ("  connections: JSON-LD", "connections.output.structured_data", "connections_jsonld"),
    ("  connections: story summaries", "connections.linking.summaries", "story_summary"),
    ("writing files (Pelican writer, incl. rendering)", "pelican.writers", "Writer.write_file"),
    ("Pelican: {filename} links filled in (pages, summaries, feeds)", "pelican.contents", "Content._update_content"),
    ("warm builds: Pelican's content cache, loaded", "pelican.cache", "FileDataCacher.__init__"),
    ("warm builds: Pelican's content cache, saved", "pelican.cache", "FileDataCacher.save_cache"),
    ("warm builds: keys of pages", "connections.machinery.incremental", "OutputCache.page_key"),
    ("warm builds: keys of feeds", "connections.output.feeds", "FeedsGenerator._unchanged_left_out"),
]


def _wrap(label, owner, name):
    original = getattr(owner, name)
    if getattr(original, "_phase", None):
        return
    depth = [0]

    @functools.wraps(original)
    def timed(*args, **kwargs):
        depth[0] += 1
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            if depth[0] == 0:  # recursion (nested templates) counts once
                TOTALS[label] += time.process_time() - start
            CALLS[label] += 1

    timed._phase = True
    if isinstance(owner, types.ModuleType):
        # Pickle finds a function by module and name: name the wrapper where
        # it now lives, so settings holding it (JINJA_GLOBALS) still pickle
        # and the content cache stays on for warm builds.
        timed.__module__, timed.__qualname__ = owner.__name__, name
    setattr(owner, name, timed)


def instrument():
    for label, module_name, path in PHASES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        *owners, name = path.split(".")
        owner = module
        for part in owners:
            owner = getattr(owner, part, None)
        if owner is not None and hasattr(owner, name):
            _wrap(label, owner, name)
    # Template helpers reach Jinja through the package namespace
    # (`from .structured_data import connections_jsonld` in __init__.py).
    try:
        import connections
    except ImportError:
        return
    for label, name in (("  connections: JSON-LD", "connections_jsonld"),
                        ("  connections: story summaries", "story_summary")):
        if hasattr(connections, name):
            _wrap(label, connections, name)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("settings")
    p.add_argument("output")
    p.add_argument("--vanilla", action="store_true", help="plain `pelican` instead of the plugin's build")
    args = p.parse_args(argv)
    instrument()
    start = time.process_time()
    if args.vanilla:
        import pelican

        pelican.main(["-q", "-s", args.settings, "-o", args.output])
    else:
        from connections.__main__ import main as connections_main

        code = connections_main(["build", "-s", args.settings, "-o", args.output])
        if code:
            return code
    total = time.process_time() - start
    print(f"{'phase':<80} {'CPU s':>7} {'share':>6} {'calls':>7}")
    for label, _, _ in PHASES:
        if label in TOTALS:
            t = TOTALS[label]
            print(f"{label:<80} {t:7.2f} {t / total:6.1%} {CALLS[label]:7d}")
    print(f"{'the whole build (after start-up)':<80} {total:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
