"""Full-text search of the stories with Pagefind, built with the site.

Pagefind (the `pagefind[bin]` package ships its binary) indexes the written
site once every page is written (Pelican's `finalized` signal) into
`pagefind/` in the output: a static index that works on any host and
offline. Only story pages are indexed: the theme marks a story's article
`data-pagefind-body` (partials/search_filters.html), and once any page
has that mark Pagefind leaves out the pages without it. Each story carries
its filters (`data-pagefind-filter`): person, event, tag and year. The people
are the story's `people`, so a private person is never there and a
first-name person only by their first name; the text indexed is the page's
own, where a private person shows as their placeholder.

The search page (CONNECTIONS_SEARCH_SAVE_AS, "search/index.html") loads
Pagefind's JavaScript API (pagefind.js) when the reader opens it, through
the theme's js/search.js; no other page loads any of it. Pagefind's ready-
made UI is not used: it inserts filter values (people's names) as HTML, so a
name of markup would become markup on the search page; search.js inserts
every name and title as text.
CONNECTIONS_SEARCH = False turns all of it off.

Pagefind indexes the whole output each build (under a second for a few
hundred pages; `make bench` measures it at scale). When it fails, the build
fails with Pagefind's own message, never with a half-written index left
looking finished: the index is written to a folder beside and swapped in.
"""

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from ..diagnostics import ContentError
from ..linking.record import state
from .default_templates import theme_has

logger = logging.getLogger(__name__)

BUNDLE = "pagefind"
RECORD_FILE = "connections-search.txt"
# Pagefind writes its indexes (filters, words, meta, and the entry file
# naming them by hash) in an arbitrary order, so two builds of one site
# differ in those files (Pagefind issue #638); its fragments (one per page)
# and its UI files are stable since 1.3. Comparisons of two builds' bytes
# leave the varying ones out: `byte_stable`.
_UNSTABLE = re.compile(rf"^{BUNDLE}/(filter/|index/|pagefind-entry\.json$|pagefind\.[^/]*\.pf_meta$)")


def byte_stable(relative_path):
    """False for the files of Pagefind's index whose bytes vary between two
    builds of the same site (the tests and the benchmark compare the rest)."""
    return not _UNSTABLE.match(relative_path.replace(os.sep, "/"))


def enabled(settings):
    return bool(settings.get("CONNECTIONS_SEARCH", True))


class SearchGenerator(Generator):
    """The search page; the index is made once the site is written."""

    def generate_context(self):
        on = (enabled(self.settings) and bool(self.settings.get("CONNECTIONS_SEARCH_SAVE_AS"))
              and theme_has(self, "search", "search page and no search index"))
        self.context["search_url"] = self.settings.get("CONNECTIONS_SEARCH_URL") if on else ""
        self.context["search_bundle"] = BUNDLE if on else ""

    def generate_output(self, writer):
        if state(self.context) is None or not self.context.get("search_url"):
            return
        # Indexed once everything is written and the warm build's writer has
        # removed what this build no longer makes: connected now, after the
        # writer connected its own clean-up, so it runs after it.
        signals.finalized.connect(index_site)
        save_as = self.settings["CONNECTIONS_SEARCH_SAVE_AS"]
        writer.write_file(
            save_as, self.get_template("search"), self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            template_name="search", url=self.context["search_url"],
            page_name=os.path.splitext(save_as)[0],
        )


def index_site(pelican):
    """`finalized`: index the written site with Pagefind."""
    signals.finalized.disconnect(index_site)
    settings = pelican.settings
    if not enabled(settings) or not settings.get("CONNECTIONS_SEARCH_SAVE_AS"):
        return
    output = pelican.output_path
    final = os.path.join(output, BUNDLE)
    record = _record_path(settings)
    state = _pages_state(output)
    if record is not None and os.path.isdir(final) and settings.get("LOAD_CONTENT_CACHE"):
        try:
            if record.read_text(encoding="utf-8") == state:
                logger.info("connections: search index unchanged (no page changed)")
                return
        except OSError:
            pass
    fresh = os.path.join(output, f".{BUNDLE}-new")
    shutil.rmtree(fresh, ignore_errors=True)
    command = [sys.executable, "-m", "pagefind", "--site", output,
               "--output-path", fresh, "--quiet"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ContentError(f"search: Pagefind could not run ({e}); install it with "
                           "`make venv` (requirements.txt pins pagefind[bin]) or set "
                           "CONNECTIONS_SEARCH = False") from None
    if done.returncode != 0 or not os.path.isdir(fresh):
        shutil.rmtree(fresh, ignore_errors=True)
        message = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise ContentError("search: Pagefind failed to index the site: "
                           + " / ".join(message or ["no message"]))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(fresh, final)
    if record is not None and settings.get("CACHE_CONTENT"):
        record.parent.mkdir(parents=True, exist_ok=True)
        record.write_text(state, encoding="utf-8")
    logger.info("connections: search index written to %s", final)


def _record_path(settings):
    cache = settings.get("CACHE_PATH")
    return Path(cache) / RECORD_FILE if cache else None


def _pages_state(output):
    """A digest of every written page's path, size and modification time: a
    warm build that rewrote no page (incremental.py keeps unchanged files
    as they were) need not index again."""
    digest = hashlib.sha256(f"pagefind {_version()}\n".encode())
    for folder, dirs, files in os.walk(output):
        dirs[:] = sorted(d for d in dirs if d != BUNDLE and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(".html"):
                path = os.path.join(folder, name)
                stat = os.stat(path)
                rel = os.path.relpath(path, output)
                digest.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _version():
    try:
        from importlib.metadata import version

        return version("pagefind_bin")
    except Exception:  # noqa: BLE001 - any failure: index again
        return "unknown"
