"""`python -m connections serve` (`make serve`): the author's live preview.

- Takes its port first: a port in use stops it at once, exit 2, naming the
  make variable that moves it (PORT, COMMENTS_PORT).
- Builds the site into output/ and serves it (preview_http.py): unknown
  addresses get the site's 404.html with status 404, and every HTML page
  served (never the files on disk) loads a small live-reload script that
  listens to the server's events: the page reloads itself after each
  rebuild, a content error shows as an overlay naming file and line while
  the last good pages stay served, and a page a "did you mean" warning is
  about carries a banner.
- Starts a local Isso on the port COMMENTS_URL (or --comments-port) names,
  its database in var/comments.db, and says it runs only once it answers.
- Keeps the last build in memory: on a save of stories it shows the pages
  the save changes first (the story's, and the pages of people and events
  it tags or no longer tags: machinery/quick_render.py), in well under a
  second, then brings the rest of the site up to date.
- Rebuilds whenever content, theme or settings change, in this process
  (the warm build: Pelican's content cache and the plugin's incremental
  writer skip what did not change), printing every finding each time.
- Stops everything, Isso included (by its process id), on Ctrl-C or SIGTERM.
"""

import logging
import os
import queue
import signal
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

import watchfiles
from pelican.log import init as init_logging
from pelican.utils import FileChangeFilter

from .. import settings as _settings
from ..build import build, load_settings, plain_findings
from ..comments import server as comments_server
from ..diagnostics import ERROR, ContentError
from ..machinery import quick_render
from ..model import identity
from . import preview_http

logger = logging.getLogger(__name__)


class PortInUse(ContentError):
    exitcode = 2


class Collect(logging.Handler):
    """Gathers the findings one build logs (diagnostics.Findings.add)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.records = []

    def emit(self, record):
        if getattr(record, "finding", None) is not None:
            self.records.append(record)


def overrides_for(args):
    if getattr(args, "comments_port", None):
        return {"COMMENTS_URL": f"http://127.0.0.1:{args.comments_port}/"}
    return {}


def rebuild(args, state, last, before_publish=None):
    """Build once (kept in `last`, a quick_render.LastBuild); tell the open
    pages. A content mistake is reported (in the terminal and as the pages'
    overlay) and the server keeps going. `before_publish(ok)` runs once the
    build is done, before the pages hear of it; true: another rebuild follows."""
    collect = Collect()
    log = logging.getLogger("connections")
    log.addHandler(collect)
    started = time.monotonic()
    failure = None
    settings = None
    try:
        settings = load_settings(args.settings, args.output, overrides_for(args))
        with last.watching():
            build(settings)
    except ContentError as exc:
        failure = str(exc)
        print(f"connections: {exc}", file=sys.stderr)
        print("connections: fix it and save: the site rebuilds by itself", file=sys.stderr)
    except Exception as exc:  # a bug or an unexpected file: keep serving the last site
        failure = f"the build failed: {type(exc).__name__}: {exc}"
        print(f"connections: {failure}", file=sys.stderr)
        traceback.print_exc(limit=3)
    finally:
        log.removeHandler(collect)
    findings = [r.finding for r in collect.records]
    banners = {}
    for record in collect.records:
        if record.page:
            banners.setdefault("/" + record.page.lstrip("/"), []).append(record.finding.message)
    errors = [f for f in findings if f.level == ERROR] if failure else []
    if failure and not errors:
        errors = [failure]
    more = before_publish(failure is None) if before_publish else False
    state.publish(ok=failure is None, errors=[str(e) for e in errors], banners=banners,
                  seconds=time.monotonic() - started, updating=more)
    return settings if failure is None else None


def show_first(paths, state, last, aside=False):
    """The pages the saved `paths` change, rendered from the last build and
    shown before the rebuild (quick_render.py); False when it can't. With
    `aside` (a rebuild is writing output/), they are rendered into a folder
    of their own and served from memory until the rebuild is done."""
    started = time.monotonic()
    try:
        if aside:
            with tempfile.TemporaryDirectory(prefix="connections-quick-") as folder:
                written = quick_render.render_saved(last, paths, folder)
                output = last.articles.output_path
                state.hold({os.path.join(output, name): (Path(folder) / name).read_bytes()
                            for name in written or []})
        else:
            written = quick_render.render_saved(last, paths)
    except Exception as exc:  # a bug: the rebuild that follows shows the save
        print(f"connections: the quick render failed ({type(exc).__name__}: {exc}); "
              "rebuilding", file=sys.stderr)
        written = None
    if not written:
        return False
    seconds = time.monotonic() - started
    state.publish(ok=True, errors=[], banners=state.banners, seconds=seconds, updating=True)
    shown = ", ".join("/" + name.replace(os.sep, "/") for name in written)
    print(f"Shown: {shown} ({seconds:.2f} s); updating the rest of the site", flush=True)
    return True


class WhileRebuilding:
    """Saves made while a rebuild runs are shown at once too: a thread takes
    them and renders them quickly from the build before (a copy of `last`),
    aside, and the server serves those pages from memory: the rebuild under
    way read its stories before they were saved, and may write their older
    pages meanwhile. Once it is done (`finish`) they are rendered again on
    it, into output/, before the pages hear of it, and go back in the queue
    for the next rebuild. A save the thread cannot show quickly waits for
    that rebuild, and so do the ones after it."""

    def __init__(self, changes, state, last):
        self.changes = changes
        self.state = state
        self.last = last  # the rebuild's, once it is done
        self.before = last.copy()
        self.taken = []  # batches of changes, for the next rebuild
        self.shown = []  # paths shown from the build before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="quick-render")
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                batch = self.changes.get(timeout=0.05)
            except queue.Empty:
                continue
            self.taken.append(batch)
            paths = sorted({path for _, path in batch})
            print("Changed: " + ", ".join(paths), flush=True)
            if self.before.ready and show_first(paths, self.state, self.before, aside=True):
                self.shown.extend(p for p in paths if p not in self.shown)
            else:
                self.before.forget()

    def finish(self, ok):
        """The rebuild is done (`ok`: it succeeded, and `last` holds it):
        show the saves again on it; true when another rebuild must follow."""
        self._stop.set()
        self._thread.join()
        if ok and self.shown:
            try:
                quick_render.render_saved(self.last, self.shown)
            except Exception as exc:  # a bug: the rebuild that follows shows them
                print(f"connections: the quick render failed ({type(exc).__name__}: {exc})",
                      file=sys.stderr)
        self.state.hold({})  # output/ has them now (or the next rebuild will)
        self.before = None  # the build before: memory again
        for batch in self.taken:
            self.changes.put(batch)
        return bool(self.taken)


def start_comments(args, origin, started):
    """Start the local Isso when the site uses it (its process goes in `started`)."""
    settings = _settings.apply_defaults(load_settings(args.settings, args.output,
                                                      overrides_for(args)))
    from ..comments import providers as comments

    comments.check_settings(settings)
    if settings["COMMENTS_PROVIDER"] != "isso":
        return None
    root = comments_server.project_dir(args.settings)
    config, listen_url, hosts = comments_server.write_local_config(settings, root, origin)
    host, port = comments_server.listen_address(settings)
    if comments_server.port_in_use(host, port):
        raise PortInUse(
            f"the comment server's port {port} on {host} is already in use (another "
            f"`make serve` or `comments run`?); choose another: make serve COMMENTS_PORT={port + 1}"
        )
    log = open(root / "var" / "isso.log", "ab")
    print(f"Comments: starting Isso on {listen_url} (log var/isso.log)...", flush=True)
    comments_server.start_isso(config, listen_url, log=log, started=started)
    print(
        f"Comments: Isso answers on {listen_url} for {', '.join(hosts)}; "
        f"database {root / comments_server.LOCAL_DB}", flush=True
    )


def watch(settings_file, settings, changes):
    """Put every batch of changed files into `changes`, from now on, in a
    thread: a save during a rebuild is not lost (it makes the next one).
    The same paths and filter as Pelican's own autoreload."""
    content = settings.get("PATH", "")
    paths = [settings_file, settings.get("THEME", ""), content]
    paths += [os.path.join(content, p) for p in settings.get("STATIC_PATHS", [])]
    paths = sorted({os.path.abspath(p) for p in paths if p and os.path.exists(p)})
    pelicans = FileChangeFilter(ignore_file_patterns=set(settings.get("IGNORE_FILES", [])))
    # The identities file a build records in the content folder
    # (model/identity.py) is the build's own writing: no rebuild for it.
    ledger = identity.ledger_path(_settings.apply_defaults(dict(settings)))
    own = {os.path.abspath(p) for p in (ledger, ledger + ".tmp")} if ledger else set()

    def wanted(change, path):
        return os.path.abspath(path) not in own and pelicans(change, path)

    def run():
        for batch in watchfiles.watch(*paths, watch_filter=wanted, rust_timeout=0):
            changes.put(batch)

    threading.Thread(target=run, daemon=True, name="watch").start()


def next_changes(changes):
    """The files changed since the last rebuild (waits for at least one)."""
    changed = set(changes.get())
    while True:
        try:
            changed |= set(changes.get_nowait())
        except queue.Empty:
            return changed


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args):
    init_logging(level=logging.WARNING, name="pelican")
    plain_findings()
    origin = f"http://{args.host}:{args.port}"
    started = []
    server = None
    serving = False
    try:
        # Ctrl-C and `kill` both stop everything, even when a shell started us
        # in the background with SIGINT ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        settings = load_settings(args.settings, args.output, overrides_for(args))
        output = settings["OUTPUT_PATH"]
        state = preview_http.State()
        try:
            server = preview_http.make_server(args.host, args.port, output, state)
        except OSError as exc:
            raise PortInUse(
                f"cannot serve on {args.host}:{args.port}: {exc.strerror} (another "
                f"`make serve`?); choose another port: make serve PORT={args.port + 1}"
            ) from None
        start_comments(args, origin, started)  # before any thread: it forks
        threading.Thread(target=server.serve_forever, daemon=True).start()
        serving = True
        changes = queue.Queue()
        watch(args.settings, settings, changes)
        last = quick_render.LastBuild()
        print("Building the site...", flush=True)
        rebuild(args, state, last)
        print(f"Serving the site at {origin}/ (pages reload by themselves after each save; "
              "Ctrl-C stops the site and the comment server)", flush=True)
        while True:
            paths = sorted({path for _, path in next_changes(changes)})
            print("Changed: " + ", ".join(paths), flush=True)
            show_first(paths, state, last)
            during = WhileRebuilding(changes, state, last)
            rebuild(args, state, last, before_publish=during.finish)
    except KeyboardInterrupt:
        print("\nStopped.")
        return 0
    finally:
        if server is not None:
            if serving:  # shutdown() waits for serve_forever(), which must have started
                server.shutdown()
            server.server_close()
        for process in started:
            comments_server.stop(process)
