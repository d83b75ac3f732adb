"""Shared fixtures: building sites, real servers, a real browser.

A test that needs a system part (Chromium, newsboat, Java) calls `require()`:
where the part is missing it is skipped with how to install it, except
under CI (the CI environment variable), where it fails - a CI run never
passes by skipping.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
IN_CI = bool(os.environ.get("CI"))

INSTALL_HINTS = {
    "chromium": "apt-get install chromium",
    "newsboat": "apt-get install newsboat",
    "java": "apt-get install openjdk-17-jre-headless",
}


def require(tool):
    """The path of a system tool, or skip (fail under CI) saying how to get it."""
    path = shutil.which(tool)
    if path:
        return path
    message = f"{tool} is not installed: {INSTALL_HINTS.get(tool, 'install ' + tool)}"
    if IN_CI:
        pytest.fail(message + " (CI must run every test; .ci/run installs it)")
    pytest.skip(message)


def build_site(content, output, **overrides):
    """Build `content` with the project's settings (plus overrides) into `output`."""
    from connections.build import build, load_settings

    settings = load_settings(
        str(ROOT / "pelicanconf.py"),
        overrides={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "CACHE_PATH": str(Path(output).parent / "cache"),
            # The identities file a build records (identity.py) goes beside
            # the output, never into the repository's fixture folders.
            "CONNECTIONS_IDENTITIES": str(Path(output).parent / "identities.json"),
            "CONNECTIONS_TODAY": "2026-11-25",
            **overrides,
        },
    )
    build(settings)
    return Path(output)


@pytest.fixture(scope="session", autouse=True)
def no_identities_files_left_in_the_repository():
    """Tests that build a fixture site with a settings file of their own
    record its identities in its content folder (identity.py), as a real
    blog's build does: the files a session made are removed at its end."""
    def found():
        return set((ROOT / "content").glob("identities.json")) | set(
            SITES.glob("*/content/identities.json"))

    before = found()
    yield
    for path in found() - before:
        path.unlink()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory):
    """The shipped sample site, built once per test session with pelicanconf.py."""
    out = tmp_path_factory.mktemp("sample") / "output"
    return build_site(ROOT / "content", out)


@pytest.fixture
def site(tmp_path):
    """Build a fixture site from tests/sites/<name>/content: site("privacy")."""

    def make(name, **overrides):
        return build_site(SITES / name / "content", tmp_path / name / "output", **overrides)

    return make


def free_port():
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url, process, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError as exc:
            if getattr(exc, "code", None):  # an HTTP error is an answer
                return
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@contextlib.contextmanager
def running(command, url, **kwargs):
    """Start a server process, wait until `url` answers, stop it by its pid."""
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs
    )
    try:
        wait_until_up(url, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def static_server(directory, port=None):
    """Serve a folder on 127.0.0.1 (Python's http.server); yields the base URL."""
    port = port or free_port()
    url = f"http://127.0.0.1:{port}/"
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
               "--directory", str(directory)]
    with running(command, url):
        yield url


@pytest.fixture(scope="session")
def sample_server(sample_site):
    with static_server(sample_site) as url:
        yield url


# --- Playwright on Debian's Chromium ----------------------------------------

@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    path = require("chromium")
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }
