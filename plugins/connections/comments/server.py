"""`python -m connections comments config|backup|restore|run`: the Isso comment server.

- `config` writes a production Isso configuration from the settings file
  (normally publishconf.py: `make comments-config`) to var/isso-production.cfg:
  the site's origin as Isso's `host`, moderation on, rate limits, reply
  notifications by e-mail (SMTP placeholders to fill in), a database path.
- `backup` copies the local comment database (var/comments.db, where
  `make serve` keeps it) to var/backups/comments-<time>.db with SQLite's
  online backup, safe while Isso runs.
- `restore FILE` puts a backup back, after saving the current database to
  var/backups/ first; it refuses while anything holds the comment server's
  port (a running Isso, even one that is paused and answers nothing).
- `run` starts the local Isso alone, as `make serve` does beside the site;
  Ctrl-C, SIGTERM or the command's own death stop Isso too.

Everything lives in var/ beside the settings file: outside output/, so
`make clean` and rebuilds never touch comments.
"""

import ctypes
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from .. import settings as _settings
from ..diagnostics import ContentError
from ..settings import load_settings
from . import providers as comments

LOCAL_DB = "var/comments.db"
LOCAL_CONFIG = "var/isso.cfg"
PRODUCTION_CONFIG = "var/isso-production.cfg"
BACKUPS = "var/backups"


def project_dir(settings_file):
    return Path(settings_file).resolve().parent


def isso_executable():
    """The `isso` command installed beside this Python (the project's venv)."""
    here = Path(sys.executable).parent / "isso"
    return str(here) if here.exists() else "isso"


def listen_address(settings):
    """(host, port) that COMMENTS_URL names, for a local Isso."""
    parts = urlsplit(settings.get("COMMENTS_URL") or "")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "127.0.0.1", port


def config_text(*, dbpath, hosts, listen, production, public_endpoint="", ratelimit=2):
    """An Isso configuration (INI) for the given database, site origins and address."""
    host_lines = "\n".join(f"    {h.rstrip('/')}/" for h in hosts)
    if production:
        general_extra = (
            "notify = smtp\n"
            "reply-notifications = true\n"
            "max-age = 15m\n"
        )
        moderation = (
            "\n[moderation]\n"
            "; new comments wait for your approval (the e-mail has the links)\n"
            "enabled = true\n"
            "approve-if-email-previously-approved = false\n"
            "purge-after = 30d\n"
        )
        smtp = (
            "\n[smtp]\n"
            "; fill these in: where Isso sends new-comment and reply e-mails\n"
            "username = CHANGE-ME\n"
            "password = CHANGE-ME\n"
            "host = smtp.example.org\n"
            "port = 587\n"
            "security = starttls\n"
            "to = you@example.org\n"
            "from = \"Comments\" <comments@example.org>\n"
            "timeout = 10\n"
        )
        admin = "\n[admin]\nenabled = true\npassword = CHANGE-ME-TO-A-LONG-SECRET\n"
        server_extra = (
            f"public-endpoint = {public_endpoint}\n"
            "; behind a reverse proxy on this machine: trust its X-Forwarded-For\n"
            "trusted-proxies = 127.0.0.1\n"
        )
        direct_reply, author, email = 3, "false", "false"
    else:
        general_extra = "notify = stdout\nreply-notifications = false\n"
        moderation = "\n[moderation]\nenabled = false\n"
        smtp = admin = ""
        server_extra = ""
        direct_reply, author, email = 100, "false", "false"
    # Isso refuses a reply to one's own comment (same address) while the
    # comment is younger than its edit window (max-age, 15 min); locally every
    # commenter is 127.0.0.1, so a local server lets people reply at once.
    reply_to_self = "false" if production else "true"
    return (
        "; Isso configuration written by `python -m connections comments`\n"
        "; (see README, \"Comments\"). Regenerate it rather than editing it.\n"
        "[general]\n"
        f"dbpath = {dbpath}\n"
        "; the site origins whose pages may use this server (CORS): exact scheme,\n"
        "; host and port\n"
        f"host =\n{host_lines}\n"
        "gravatar = false\n"
        "latest-enabled = false\n"
        f"{general_extra}"
        f"{moderation}"
        "\n[server]\n"
        f"listen = {listen}\n"
        f"{server_extra}"
        "\n[guard]\n"
        "enabled = true\n"
        f"; new comments per minute from one address\nratelimit = {ratelimit}\n"
        f"direct-reply = {direct_reply}\n"
        f"reply-to-self = {reply_to_self}\n"
        f"require-author = {author}\n"
        f"require-email = {email}\n"
        "\n[markup]\n"
        "renderer = mistune\n"
        f"{smtp}{admin}"
    )


def write_local_config(settings, root, serve_origin, ratelimit=10):
    """var/isso.cfg for `make serve`; returns (path, listen URL, hosts)."""
    hosts = comments.isso_hosts(settings, serve_origin=serve_origin)
    problem = comments.cors_problem(serve_origin, hosts)
    if problem:
        raise ContentError(
            f"comments: the site is served at {serve_origin}, but {problem}; "
            "add it to COMMENTS_OPTIONS['host'] in the settings, or serve it under a listed name"
        )
    host, port = listen_address(settings)
    if not comments._is_loopback(host):
        raise ContentError(
            f"comments: COMMENTS_URL = {settings['COMMENTS_URL']!r} is not on this machine; "
            "for `make serve` point it at a local port, e.g. \"http://127.0.0.1:8080/\""
        )
    var = root / "var"
    var.mkdir(exist_ok=True)
    path = root / LOCAL_CONFIG
    listen = f"http://{host}:{port}/"
    path.write_text(
        config_text(dbpath=root / LOCAL_DB, hosts=hosts, listen=listen,
                    production=False, ratelimit=ratelimit),
        encoding="utf-8",
    )
    return path, listen, hosts


def port_in_use(host, port):
    """Whether something listens on host:port (a paused process too: the
    kernel holds its socket whether or not it answers)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def is_isso(url, timeout=1):
    """Whether `url` (.../info) answers as Isso does: 200 and a JSON object
    with Isso's version."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200 and "version" in json.loads(r.read() or b"{}")
    except (OSError, ValueError):
        return False


def _prctl():
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _die_with_parent_hook():
    """A function for the child to run before exec: the kernel then sends it
    SIGTERM when the process that started it dies, even by SIGKILL (Linux
    prctl PR_SET_PDEATHSIG). Looked up here, in the parent: the child only
    calls it."""
    prctl = _prctl() if sys.platform.startswith("linux") else None
    if prctl is None:
        return None
    return lambda: prctl(1, signal.SIGTERM)


def answers(url, timeout=1):
    try:
        with urllib.request.urlopen(url, timeout=timeout):
            return True
    except OSError as exc:
        return bool(getattr(exc, "code", None))


def start_isso(config_path, listen, log=None, timeout=20, started=None):
    """Start Isso with `config_path`; wait until it answers; the Popen.

    The process is appended to `started` at once, so a caller interrupted
    while waiting still knows what to stop.
    """
    process = subprocess.Popen(
        [isso_executable(), "-c", str(config_path), "run"],
        stdout=log or subprocess.DEVNULL,
        stderr=log or subprocess.DEVNULL,
        preexec_fn=_die_with_parent_hook(),
    )
    if started is not None:
        started.append(process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ContentError(
                f"comments: Isso stopped at once (exit {process.returncode}); "
                f"is {listen} already in use? Its config is {config_path}"
            )
        # Declared running only when it answers as Isso, and is ours.
        if is_isso(listen + "info") and process.poll() is None:
            return process
        time.sleep(0.1)
    stop(process)
    raise ContentError(f"comments: Isso did not answer on {listen} within {timeout} s")


def stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- the commands -------------------------------------------------------------


def write_production_config(settings, root):
    site = comments.origin(settings.get("SITEURL"))
    if not site:
        raise ContentError(
            "comments: SITEURL must be the published site's absolute address "
            "(e.g. https://example.org) to write the production config; "
            "run it with publishconf.py: make comments-config"
        )
    url = settings.get("COMMENTS_URL") or ""
    path = root / PRODUCTION_CONFIG
    path.parent.mkdir(exist_ok=True)
    if path.exists():
        path.replace(path.with_suffix(".cfg.bak"))
    path.write_text(
        config_text(
            dbpath="/var/lib/isso/comments.db",
            hosts=comments.isso_hosts(settings),
            listen="http://127.0.0.1:8080/",
            production=True,
            public_endpoint=url.rstrip("/"),
        ),
        encoding="utf-8",
    )
    return path


def backup(root, stamp=None):
    source = root / LOCAL_DB
    if not source.exists():
        raise ContentError(f"comments: {source} does not exist yet: no comments to back up")
    folder = root / BACKUPS
    folder.mkdir(parents=True, exist_ok=True)
    stamp = stamp or datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"comments-{stamp}.db"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"comments-{stamp}-{n}.db"
    _copy_db(source, target)
    return target


def _copy_db(source, target):
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def restore(root, backup_file, settings):
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise ContentError(f"comments: {backup_file}: no such backup file")
    try:
        check = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        tables = {r[0] for r in check.execute("select name from sqlite_master where type='table'")}
        check.close()
    except sqlite3.DatabaseError:
        tables = set()
    if "comments" not in tables:
        raise ContentError(f"comments: {backup_file} is not an Isso comment database")
    host, port = listen_address(settings)
    if settings.get("COMMENTS_PROVIDER") == "isso" and port_in_use(host, port):
        raise ContentError(
            f"comments: something holds the comment server's port {host}:{port} (a running "
            "or paused Isso?); stop `make serve` or `comments run` before restoring, so it "
            "does not keep writing to the old database"
        )
    target = root / LOCAL_DB
    kept = None
    if target.exists():
        kept = backup(root, stamp="before-restore-" + datetime.now().strftime("%Y%m%d-%H%M%S"))
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy_db(backup_file, target)
    return target, kept


def main(args):
    root = project_dir(args.settings)
    settings = _settings.apply_defaults(load_settings(args.settings))
    comments.check_settings(settings)
    if args.action == "config":
        path = write_production_config(settings, root)
        print(f"wrote {path}: fill in the [smtp] and [admin] values, copy it to the "
              "server and run `isso -c isso.cfg run` there (README, \"Comments\")")
    elif args.action == "backup":
        print(f"backed up the comments to {backup(root)}")
    elif args.action == "restore":
        if not args.file:
            raise ContentError("comments: restore needs the backup file: "
                               "make comments-restore FROM=var/backups/comments-....db")
        target, kept = restore(root, args.file, settings)
        if kept:
            print(f"kept the previous comments in {kept}")
        print(f"restored {args.file} into {target}")
    elif args.action == "run":
        path, listen, _ = write_local_config(settings, root, "http://127.0.0.1:8000")
        host, port = listen_address(settings)
        if port_in_use(host, port):
            raise ContentError(
                f"comments: port {port} on {host} is already in use; choose another "
                f"(COMMENTS_URL in {args.settings}, or make serve COMMENTS_PORT={port + 1})"
            )
        started = []
        # SIGTERM (kill, a service manager) stops Isso as Ctrl-C does.
        signal.signal(signal.SIGTERM, _interrupt)
        try:
            process = start_isso(path, listen, started=started)
            print(f"Isso answers on {listen} (database {root / LOCAL_DB}); Ctrl-C stops it")
            process.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in started:
                stop(process)
    return 0
