"""The runner's ES modules import each other by plain relative names; the runner page's import
map sends each plain name to the file's hashed name in production. A module missing from the
map would still load, but under a name browsers may cache apart from a newer runner.js."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "templates" / "runner" / "runner.html"
MODULES = Path(settings.BASE_DIR) / "static" / "js" / "runner"


def test_it_maps_every_runner_module_to_its_hashed_file():
    page = TEMPLATE.read_text()
    modules = sorted(path.name for path in MODULES.glob("*.js"))
    assert modules
    for name in modules:
        assert (
            f'"{{{{ static_prefix }}}}js/runner/{name}": "{{% static \'js/runner/{name}\' %}}"'
            in page
        ), name
