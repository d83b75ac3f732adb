"""The two dependency lists: `make serve` installs requirements.txt (what the
site needs), `make test` / `make bench` add requirements-dev.txt. Both pin
exact versions, and each list holds everything its packages pull in, as the
installed packages' own metadata says."""

import importlib.metadata as metadata
import re

from packaging.requirements import Requirement

from conftest import ROOT

PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)$")
SITE_DIRECT = {"pelican", "markdown", "feedgen", "isso", "ghp-import"}
NOT_PINNED = {"pip", "setuptools", "wheel"}  # the virtual environment's own


def key(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path):
    found, includes = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-r "):
            includes.append(line[3:].strip())
            continue
        m = PIN.match(line)
        assert m, f"{path.name}: {line!r} is not pinned to an exact version (name==version)"
        found[key(m.group("name"))] = m.group("version")
    return found, includes


def closure(names):
    seen = set()
    todo = list(names)
    while todo:
        name = key(todo.pop())
        if name in seen or name in NOT_PINNED:
            continue
        seen.add(name)
        for spec in metadata.distribution(name).requires or []:
            req = Requirement(spec)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return seen


def test_the_site_list_is_complete_and_the_test_tools_are_not_in_it():
    site, includes = pins(ROOT / "requirements.txt")
    assert includes == []
    assert SITE_DIRECT <= set(site)
    missing = closure(SITE_DIRECT) - set(site)
    assert not missing, f"requirements.txt lacks what the site pulls in: {sorted(missing)}"
    assert not {"pytest", "playwright", "hypothesis", "linkchecker"} & set(site)


def test_the_dev_list_adds_the_test_tools_and_all_they_pull_in():
    site, _ = pins(ROOT / "requirements.txt")
    dev, includes = pins(ROOT / "requirements-dev.txt")
    assert includes == ["requirements.txt"]
    assert not set(site) & set(dev), "a package pinned in both lists"
    missing = closure(dev) - set(site) - set(dev)
    assert not missing, f"requirements-dev.txt lacks: {sorted(missing)}"
    for name, version in {**site, **dev}.items():
        assert metadata.version(name) == version, f"{name}: installed {metadata.version(name)}"
