"""The connections plugin is a plain package that Pelican loads by name
(PLUGIN_PATHS = ["plugins"], PLUGINS = ["connections"]), whose register()
connects its handlers, and with which a site builds."""

import os
import subprocess
import sys

import pytest
from bs4 import BeautifulSoup
from pelican import Pelican, signals

import connections
from conftest import ROOT, build_site
from connections.build import load_settings

PACKAGE = ROOT / "plugins" / "connections"

# The signals the plugin must listen to, and the handler on each.
HANDLERS = [
    (signals.initialized, "initialized"),
    (signals.article_generator_init, "start_build"),
    (signals.content_object_init, "link_content"),
    (signals.get_generators, "get_generators"),
]


def connected(signal, handler):
    return any(receiver is handler for receiver in signal.receivers_for(object()))


def test_the_plugin_is_a_plain_package_in_plugins():
    assert (PACKAGE / "__init__.py").is_file()
    assert callable(connections.register)
    assert os.path.samefile(connections.__file__, PACKAGE / "__init__.py"), (
        f"`import connections` found {connections.__file__}, not the project's plugin"
    )


def test_pelicans_plugin_loading_connects_the_handlers(tmp_path):
    (tmp_path / "content").mkdir()
    settings = load_settings(
        str(ROOT / "pelicanconf.py"),
        overrides={
            "PATH": str(tmp_path / "content"),
            "OUTPUT_PATH": str(tmp_path / "output"),
            "THEME": str(ROOT / "theme"),
            "PLUGIN_PATHS": [str(ROOT / "plugins")],
            "PLUGINS": ["connections"],
        },
    )
    handlers = [(signal, getattr(connections, name)) for signal, name in HANDLERS]
    # Signals are process-wide: start from a state where nothing is connected,
    # so what follows can only pass if Pelican's own loading connects them.
    try:
        for signal, handler in handlers:
            signal.disconnect(handler)
            assert not connected(signal, handler)
        pelican = Pelican(settings)
        assert pelican.settings["PLUGINS"] == ["connections"]
        for signal, handler in handlers:
            assert connected(signal, handler), f"{handler.__name__} is not on {signal.name}"
    finally:
        connections.register()  # leave the process as other tests expect it
    # `initialized` ran: the plugin's defaults are in the settings templates see.
    assert pelican.settings["PERSON_URL"] == "people/{slug}/"


def test_a_site_builds_with_the_plugin(tmp_path):
    content = tmp_path / "content"
    (content / "stories").mkdir(parents=True)
    (content / "stories" / "first.md").write_text(
        "Title: A first story\n"
        "Date: 2024-05-01 10:00\n"
        "Author: Ada Example\n"
        "People: Bea Sample\n"
        "Events: Test Fair 2024\n"
        "Summary: Two people at a fair.\n"
        "\n"
        "I met @[Bea Sample] at #[Test Fair 2024].\n",
        encoding="utf-8",
    )
    output = build_site(content, tmp_path / "output")
    story = BeautifulSoup(
        (output / "2024" / "a-first-story" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    mention = story.select_one(".e-content a.mention")
    assert mention is not None and mention.get_text() == "Bea Sample"
    assert mention["href"].endswith("people/bea-sample/")
    for page, heading in [
        ("people/bea-sample/index.html", "Bea Sample"),
        ("people/ada-example/index.html", "Ada Example"),
        ("events/test-fair-2024/index.html", "Test Fair 2024"),
    ]:
        soup = BeautifulSoup((output / page).read_text(encoding="utf-8"), "html.parser")
        assert soup.find("main").find("h1").get_text(strip=True) == heading, page
        assert "A first story" in soup.find("main").get_text(), page


def test_the_command_line_entry_point_runs():
    run = subprocess.run(
        [sys.executable, "-m", "connections", "--help"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "plugins")},
    )
    assert run.returncode == 0, run.stderr
    assert "build" in run.stdout
