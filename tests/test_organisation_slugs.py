"""A self-hoster finds the organisation slug the commands ask for: on the settings page, in
`manage.py list_organisations`, and in the error a wrong slug gets."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse


def test_it_shows_the_slug_in_the_organisation_settings(world):
    page = world.login(world.admin).get(reverse("organisation_settings")).content.decode()
    assert f"--organisation {world.org.slug}" in page


def test_it_lists_every_organisation_with_its_slug(world):
    out = StringIO()
    call_command("list_organisations", stdout=out)
    lines = out.getvalue().splitlines()
    assert any(
        line.startswith(world.org.slug) and "Harbour Practice (2 coaches, 2 clients)" in line
        for line in lines
    ), lines
    assert any(line.startswith(world.other_org.slug) for line in lines)


@pytest.mark.parametrize("command", ["import_program", "export_program"])
def test_it_names_the_valid_slugs_when_one_is_wrong(world, tmp_path, command):
    argument = str(tmp_path / "x.yaml") if command == "import_program" else "best-seller"
    with pytest.raises(CommandError) as error:
        call_command(command, argument, organisation="harbour")
    assert f"Organisations here: {world.other_org.slug}, {world.org.slug}." in str(error.value) or (
        f"Organisations here: {world.org.slug}, {world.other_org.slug}." in str(error.value)
    )
