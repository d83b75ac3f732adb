"""The documentation keeps up with the code: every setting and make target."""

import re
from pathlib import Path

from connections.settings import DEFAULTS

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_settings_reference():
    reference = (ROOT / "docs" / "settings.md").read_text()
    missing = [name for name in DEFAULTS if f"`{name}`" not in reference]
    assert not missing, f"docs/settings.md does not document {missing}"


def test_every_make_target_is_in_the_readme():
    makefile = (ROOT / "Makefile").read_text()
    phony = " ".join(re.findall(r"^\.PHONY:((?:.*\\\n)*.*)$", makefile, re.M)).replace("\\", " ")
    targets = set(phony.split()) - {"venv", "help"}
    readme = (ROOT / "README.md").read_text()
    missing = sorted(t for t in targets if f"make {t}" not in readme)
    assert targets and not missing, f"README.md's make targets do not mention {missing}"


def test_readme_links_to_docs_that_exist():
    readme = (ROOT / "README.md").read_text()
    linked = re.findall(r"\]\((docs/[^)#]+)", readme)
    assert linked
    assert [p for p in linked if not (ROOT / p).exists()] == []
