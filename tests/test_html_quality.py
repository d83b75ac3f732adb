"""The built sample site is valid HTML (the Nu validator) and has no broken
internal link or #anchor (LinkChecker), checked with the real tools.

Each tool is also run once on a deliberately broken page, so these tests
prove they can fail.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import ROOT, free_port, require, running

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LINKCHECKER = Path(sys.executable).parent / "linkchecker"

# LinkChecker's configuration: check #anchors; in file mode, don't warn that
# anchors on directory URLs (".../story/#comments") can't be checked - the
# HTTP run checks those.
# Over HTTP, LinkChecker waits up to 0.6 s between two requests to one host
# unless the server answers with a "LinkChecker" header: the test server does.
LCRC = """\
[checking]
maxrequestspersecond=1000
[filtering]
ignorewarnings=file-anchorcheck-directory,file-missing-slash
[AnchorCheck]
"""

# Python's static file server, plus the header that lets LinkChecker go fast.
SERVER = """\
import functools, http.server, sys
class Handler(http.server.SimpleHTTPRequestHandler):
    def end_headers(self):
        self.send_header("LinkChecker", "allow")
        super().end_headers()
http.server.ThreadingHTTPServer(
    ("127.0.0.1", int(sys.argv[1])),
    functools.partial(Handler, directory=sys.argv[2]),
).serve_forever()
"""


@contextlib.contextmanager
def linkchecker_server(directory):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with running([sys.executable, "-c", SERVER, str(port), str(directory)], url):
        yield url


# --- the Nu HTML validator ----------------------------------------------------

@pytest.fixture(scope="module")
def vnu_report(sample_site, tmp_path_factory):
    """The Nu validator's messages, one JVM run for the built site and a
    deliberately invalid page (the control that proves it can fail)."""
    java = require("java")
    if not VNU.is_file():
        pytest.fail(
            f"{VNU.relative_to(ROOT)} is missing: the Nu HTML validator comes from "
            "npm. Run `make test`, which installs it (npm ci), or `npm ci` yourself."
        )
    control = tmp_path_factory.mktemp("vnu-control")
    (control / "invalid.html").write_text(
        "<!DOCTYPE html><html lang=en><title>x</title><p><div>x</p></span>"
    )
    run = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--skip-non-html",
         str(sample_site), str(control)],
        capture_output=True, text=True, timeout=300,
    )
    lines = (run.stdout + run.stderr).splitlines()
    return {
        "site": [line for line in lines if str(control) not in line],
        "control": [line for line in lines if str(control) in line],
    }


def test_the_nu_validator_finds_no_error_in_the_built_site(vnu_report):
    errors = vnu_report["site"]
    assert not errors, "the Nu HTML validator found errors:\n" + "\n".join(errors)


def test_the_nu_validator_does_report_an_invalid_page(vnu_report):
    assert any("error" in line for line in vnu_report["control"]), vnu_report


# --- LinkChecker --------------------------------------------------------------

@contextlib.contextmanager
def world_readable_copy(site):
    """A copy of `site` that the user `nobody` can read: LinkChecker run as root
    drops to nobody, and pytest's own temporary folders are private."""
    with tempfile.TemporaryDirectory(prefix="linkcheck-") as tmp:
        os.chmod(tmp, 0o755)
        copy = Path(tmp) / "site"
        shutil.copytree(site, copy)
        for path in [copy, *copy.rglob("*")]:
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        (Path(tmp) / "lcrc").write_text(LCRC)
        os.chmod(Path(tmp) / "lcrc", 0o644)
        yield copy, Path(tmp) / "lcrc"


def linkcheck(start, config):
    """LinkChecker's report when it finds a broken link or anchor, else ''."""
    if not LINKCHECKER.is_file():
        pytest.fail(f"{LINKCHECKER} is missing: run `make test`, which installs "
                    "requirements.txt (LinkChecker) into the virtual environment")
    run = subprocess.run(
        [str(LINKCHECKER), "--no-status", "-f", str(config), str(start)],
        capture_output=True, text=True, timeout=300,
    )
    report = run.stdout + run.stderr
    # A missing #anchor is only a warning to LinkChecker; to us it is broken.
    anchors_missing = "Anchor `" in report and "not found" in report
    assert "links in" in report, f"LinkChecker did not run:\n{report}"
    return report if run.returncode != 0 or anchors_missing else ""


def test_linkchecker_finds_no_broken_link_in_any_file(sample_site):
    """Every file of the output, drafts/ and 404.html included (file mode)."""
    with world_readable_copy(sample_site) as (copy, config):
        report = linkcheck(copy, config)
    assert report == "", f"LinkChecker found broken links:\n{report}"


def test_linkchecker_finds_no_broken_link_or_anchor_over_http(sample_site, tmp_path):
    """The site as a browser gets it, with every #anchor checked."""
    config = tmp_path / "lcrc"
    config.write_text(LCRC)
    with linkchecker_server(sample_site) as url:
        report = linkcheck(url, config)
    assert report == "", f"LinkChecker found broken links or anchors:\n{report}"


def test_linkchecker_does_report_a_broken_link_and_anchor(tmp_path):
    site = tmp_path / "site"
    (site / "there").mkdir(parents=True)
    (site / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>x</title>'
        '<a href="there/#nowhere">a</a> <a href="missing/">b</a>'
    )
    (site / "there" / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><title>y</title><p id="here">y</p>'
    )
    config = tmp_path / "lcrc"
    config.write_text(LCRC)
    with linkchecker_server(site) as url:
        report = linkcheck(url, config)
    assert "nowhere" in report and "missing/" in report, report
