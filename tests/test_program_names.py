"""Two programs with the same title (the same file imported on the page and with the
command) can be told apart in the program list and the enrol menu."""

from __future__ import annotations

from django.urls import reverse

from flowcoach.programs import services
from flowcoach.programs.models import Program
from tests.test_programs_import import program_data


def test_it_tells_alike_programs_apart_in_lists_and_the_enrol_menu(world):
    for _ in range(2):
        services.program_import(data=program_data(), organisation=world.org, owner=world.coach)
    slugs = sorted(Program.objects.filter(organisation=world.org).values_list("slug", flat=True))
    assert slugs == ["quick-start", "quick-start-2"]
    http = world.login(world.coach)
    listing = http.get(reverse("program_list")).content.decode()
    assert "· quick-start</span>" in listing and "· quick-start-2</span>" in listing
    enrol = http.get(reverse("engagement_enrol", args=[world.client.pk])).content.decode()
    assert "Quick start (quick-start, your organisation)" in enrol
    assert "Quick start (quick-start-2, your organisation)" in enrol
    # A title nobody shares stays as it is.
    assert ">Best Seller sales track<" in enrol
