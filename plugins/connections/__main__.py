"""The command line: `python -m connections build|serve|check|new|comments`.

Installed with pip, the same is `connections ...` (a console script) or
`python -m pelican.plugins.connections ...`: nothing here names the package.

Each subcommand lives in the module named for it and exposes `main(args)`;
a content or settings mistake it raises (ContentError) or a missing file is
said here, in one line, never as a traceback.
"""

import argparse
import atexit
import importlib
import multiprocessing
import os
import sys
import threading

COMMANDS = {
    "build": "build",
    "serve": "authoring.serve",
    "check": "authoring.check",
    "new": "authoring.scaffold",
    "comments": "comments.server",
    "import": "importing.wordpress",
}


def program():
    """How the user started us, for usage lines."""
    name = os.path.basename(sys.argv[0] or "")
    if name and not name.startswith("__main__") and not name.endswith(".py"):
        return name  # the console script
    return f"python -m {__package__}"


def parser():
    p = argparse.ArgumentParser(prog=program(), description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def command(name, help):
        c = sub.add_parser(name, help=help)
        c.add_argument("-s", "--settings", default="pelicanconf.py", help="settings file")
        return c

    build = command("build", "build the site")
    build.add_argument("-o", "--output", default=None, help="output folder")
    build.add_argument("-v", "--verbose", action="store_true", help="say more")
    build.add_argument("--ignore-cache", action="store_true",
                       help="read every story and render every page again (as Pelican's flag)")

    serve = command("serve", "build, serve with a local comment server, rebuild on save")
    serve.add_argument("-o", "--output", default=None, help="output folder")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--comments-port", type=int, default=None,
                       help="the local comment server's port (default: COMMENTS_URL's)")

    check = command("check", "check the content without building")
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    check.add_argument("paths", nargs="*", help="only these files (default: all content)")

    new = command("new", "start a story, person or event")
    new.add_argument("kind", choices=["story", "person", "event"])
    new.add_argument("name", help="the story's title, or the person's or event's name")
    new.add_argument("--start", default="", help="an event's start date, YYYY-MM-DD")
    new.add_argument("--preview", default="http://127.0.0.1:8000",
                     help="where `make serve` serves the site (to print a draft's address)")

    comments = command("comments", "the comment server: config, backup, restore")
    comments.add_argument("action", choices=["config", "backup", "restore", "run"])
    comments.add_argument("file", nargs="?", help="the backup to restore")

    imp = command("import", "bring a blog in from elsewhere (README, \"Coming from WordPress\")")
    imp.add_argument("source", choices=["wordpress"], help="where the blog comes from")
    imp.add_argument("export", help="the export file (WordPress: Tools > Export > All content)")
    imp.add_argument("--comments-db", default=None,
                     help="the Isso database to import the comments into (default: var/comments.db)")
    imp.add_argument("--no-comments", action="store_true", help="import no comments")
    imp.add_argument("--dry-run", action="store_true", help="say what would be done, write nothing")
    imp.add_argument("--tag-known", action="store_true",
                     help="write the known people and events a story names into People:/Events:")
    return p


# Commands whose process may end without freeing what it built (see `leave`).
LEAVE_AT_ONCE = {"build"}
_ran = []  # the command main() ran


def main(argv=None):
    args = parser().parse_args(argv)
    _ran[:] = [args.command]
    module = importlib.import_module(f".{COMMANDS[args.command]}", __package__)
    from .diagnostics import ContentError

    try:
        return module.main(args)
    except ContentError as exc:
        print(f"connections: {exc}", file=sys.stderr)
        return exc.exitcode
    except FileNotFoundError as exc:
        print(f"connections: {exc.filename}: no such file", file=sys.stderr)
        return 2


def leave(status):
    """End the process with `status`. After a build, its objects are not
    freed one by one, as Python does on the way out (a blog of 5,000
    stories holds millions: about a second): its files are written and
    closed, no worker or thread is left, and every exit handler runs as on
    any exit (logging's flush, another plugin's own); when a worker or
    thread is left, or a profiler or coverage tool watches (it writes its
    report on the way out), or after any other command, the process ends
    as usual."""
    alone = threading.active_count() == 1 and not multiprocessing.active_children()
    if not (_ran and _ran[0] in LEAVE_AT_ONCE and alone) or _watched():
        sys.exit(status)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # CPython's, and PyPy's
    if run_exit_handlers is None:
        sys.exit(status)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(status if isinstance(status, int) else 1)


def _watched():
    """A profiler, debugger or coverage tool is on (Python 3.12's
    sys.monitoring included)."""
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)
    return monitoring is not None and any(monitoring.get_tool(t) for t in range(6))


def run():
    """The console script, and `python -m connections`."""
    leave(main())


if __name__ == "__main__":
    run()
