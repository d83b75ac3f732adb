"""The preview's HTTP server: output/ as the site, plus a live-reload channel.

Only what `make serve` sends is touched, never the files: each HTML page
served gets one `<script>` (preview.js) before `</body>`, carrying the build
it was served from. The script listens to `/__preview/events` (Server-Sent
Events: one JSON state now, one after every rebuild) and reloads the page
when a newer build has succeeded and changed its file (it asks
`/__preview/digest?path=...`), shows an overlay while the last build
failed, and a banner on a page a warning is about ("did you mean ...?").
An address with no file gets the site's 404.html with status 404.
"""

import hashlib
import json
import os
import sys
import threading
import urllib.parse
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PREFIX = "/__preview/"
SCRIPT = Path(__file__).with_name("preview.js")
NOT_BUILT = (
    b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Not found</title></head>"
    b"<body><h1>Not found</h1><p>Nothing is built at this address (yet): the site may still "
    b"be building, and has no 404.html.</p></body></html>"
)
KEEPALIVE = 15  # seconds between SSE comments, so proxies keep the stream open


class State:
    """What the open pages need to know, and a condition to wait for changes."""

    def __init__(self):
        self.changed = threading.Condition()
        self.build = 0  # successful builds so far; a page knows the one it came from
        self.serial = 0  # every publish, failed builds too
        self.errors = []
        self.banners = {}
        self.seconds = 0.0
        self.updating = False  # the pages a save changed are shown; the rest follows
        self.held = {}  # {file: bytes} served instead of output/'s, while a rebuild runs
        self.instance = os.urandom(6).hex()  # a restarted server: pages reload

    def publish(self, *, ok, errors, banners, seconds=0.0, updating=False):
        with self.changed:
            if ok:
                self.build += 1
                self.banners = banners
            self.errors = errors
            self.seconds = seconds
            self.updating = updating
            self.serial += 1
            self.changed.notify_all()

    def hold(self, files):
        """Serve these pages ({path of the file in output/: bytes}) from
        memory, on top of the ones held already; {} serves output/ again."""
        with self.changed:
            self.held = {**self.held, **files} if files else {}

    def snapshot(self):
        return {"instance": self.instance, "build": self.build, "errors": self.errors,
                "banners": self.banners, "seconds": round(self.seconds, 3),
                "updating": self.updating}

    def wait(self, serial, timeout):
        with self.changed:
            self.changed.wait_for(lambda: self.serial != serial, timeout=timeout)
            return self.serial, self.snapshot()


class Handler(SimpleHTTPRequestHandler):
    state = None  # set by make_server
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet: the terminal is for findings
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == PREFIX + "events":
            return self._events()
        if path == PREFIX + "digest":
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            file = self._file(query.get("path", ["/"])[0])
            return self._send(HTTPStatus.OK, "text/plain; charset=utf-8",
                              digest(self._read(file) if file else None).encode())
        if path == PREFIX + "preview.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8",
                              SCRIPT.read_bytes())
        file = self._file(path)
        if file is None:
            if not path.endswith("/") and os.path.isdir(self.translate_path(path)):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return None
            missing = Path(self.directory) / "404.html"
            if missing.is_file():
                return self._page(HTTPStatus.NOT_FOUND, missing.read_bytes(), digest(None))
            # Not built yet (or no 404.html): a page that reloads once it is.
            return self._page(HTTPStatus.NOT_FOUND, NOT_BUILT, digest(None))
        if file.suffix == ".html":
            data = self._read(file)
            return self._page(HTTPStatus.OK, data, digest(data))
        return super().do_GET()

    def _file(self, path):
        local = Path(self.translate_path(path))
        if local.is_dir():
            if not path.endswith("/"):
                return None
            local = local / "index.html"
        return local if local.is_file() or str(local) in self.state.held else None

    def _read(self, file):
        """A page's bytes: held in memory while a rebuild runs, else output/'s."""
        with self.state.changed:
            held = self.state.held.get(str(file))
        return held if held is not None else file.read_bytes()

    def _send(self, status, kind, body):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _page(self, status, html, version):
        with self.state.changed:
            build = self.state.build
        tag = (
            f'<script src="{PREFIX}preview.js" data-build="{build}" data-digest="{version}" '
            f'data-instance="{self.state.instance}" defer></script>'
        ).encode()
        if status == HTTPStatus.NOT_FOUND and b"<base " not in html:
            # 404.html's relative links (RELATIVE_URLS) are relative to the
            # site's root, wherever the missing address was.
            head = html.find(b"<head>")
            if head >= 0:
                html = html[: head + 6] + b'<base href="/">' + html[head + 6 :]
        at = html.rfind(b"</body>")
        html = html[:at] + tag + html[at:] if at >= 0 else html + tag
        self._send(status, "text/html; charset=utf-8", html)

    def _events(self):
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        serial, snapshot = -1, None
        try:
            while True:
                new_serial, snapshot = self.state.wait(serial, KEEPALIVE)
                if new_serial != serial:
                    serial = new_serial
                    self.wfile.write(f"data: {json.dumps(snapshot)}\n\n".encode())
                else:
                    self.wfile.write(b": still here\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            return


def digest(data):
    """What a page's file holds, in a few characters ("missing": no file);
    a page reloads when its own file changes, not after every build."""
    return "missing" if data is None else hashlib.blake2b(data, digest_size=8).hexdigest()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """A browser that closed a connection (a page reloaded, a tab
        closed) is not an error to print; anything else is."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def make_server(host, port, directory, state):
    """Bind now (an OSError says the port is taken); serve with serve_forever()."""
    handler = type("PreviewHandler", (Handler,), {"state": state})

    def make(*args, **kwargs):
        return handler(*args, directory=str(directory), **kwargs)

    return Server((host, port), make)
