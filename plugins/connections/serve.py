"""`python -m connections serve` (`make serve`): the site and its comments, locally.

Builds the site, serves output/ at http://HOST:PORT/ (Pelican's own `listen`),
starts a local Isso on the port COMMENTS_URL names with its database in
var/comments.db (outside output/: comments survive restarts and `make clean`),
rebuilds whenever content, theme or settings change, and stops everything,
Isso included (by its process id), on Ctrl-C.
"""

import logging
import signal
import sys
import threading

from pelican import listen
from pelican.log import init as init_logging
from pelican.utils import wait_for_changes

from . import comments_server
from . import settings as _settings
from .build import build, load_settings
from .diagnostics import ContentError

logger = logging.getLogger(__name__)


def rebuild(settings_file, output):
    """Build once; a content mistake is reported and the server keeps going."""
    try:
        settings = load_settings(settings_file, output)
        build(settings)
        return settings
    except ContentError as exc:
        print(f"connections: {exc}", file=sys.stderr)
        print("connections: fix it and save: the site rebuilds by itself", file=sys.stderr)
    return None


def start_comments(settings_file, output, origin, started):
    """Start the local Isso when the site uses it (its process goes in `started`)."""
    settings = _settings.apply_defaults(load_settings(settings_file, output))
    from . import comments

    comments.check_settings(settings)
    if settings["COMMENTS_PROVIDER"] != "isso":
        return None
    root = comments_server.project_dir(settings_file)
    config, listen_url, hosts = comments_server.write_local_config(settings, root, origin)
    log = open(root / "var" / "isso.log", "ab")
    comments_server.start_isso(config, listen_url, log=log, started=started)
    print(
        f"Comments: Isso answers on {listen_url} for {', '.join(hosts)}; "
        f"database {root / comments_server.LOCAL_DB} (log var/isso.log)"
    )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(args):
    init_logging(level=logging.WARNING, name="pelican")
    origin = f"http://{args.host}:{args.port}"
    started = []
    try:
        # Ctrl-C and `kill` both stop everything, even when a shell started us
        # in the background with SIGINT ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        settings = load_settings(args.settings, args.output)
        output = settings["OUTPUT_PATH"]
        settings = rebuild(args.settings, args.output) or settings
        server = threading.Thread(
            target=listen, args=(args.host, args.port, output), daemon=True
        )
        server.start()
        start_comments(args.settings, args.output, origin, started)
        print(f"Serving the site at {origin}/ (Ctrl-C stops the site and the comment server)")
        while True:
            changed = wait_for_changes(args.settings, settings)
            print("Changed: " + ", ".join(sorted({path for _, path in changed})) + "; rebuilding")
            settings = rebuild(args.settings, args.output) or settings
    except KeyboardInterrupt:
        print("\nStopped.")
        return 0
    finally:
        for process in started:
            comments_server.stop(process)
