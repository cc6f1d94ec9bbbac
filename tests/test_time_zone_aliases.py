"""Old zone names (US/Eastern, Asia/Calcutta) still come from spreadsheets and browsers. They
are stored under today's name, so the person's form shows their zone chosen instead of
falling back to UTC the next time it is saved."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from flowcoach.accounts.models import Organisation
from flowcoach.clients.models import Client
from flowcoach.lib.timezones import aliases, canonical_time_zone, time_zone_choices
from tests.test_clients_import import HEADER, payload_of, upload


@pytest.mark.parametrize(
    "old, new",
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Etc/UTC", "UTC"),
        ("GB", "Europe/London"),
        ("Europe/London", "Europe/London"),
        ("Mars/Olympus", "Mars/Olympus"),
    ],
)
def test_it_names_an_old_zone_by_the_choice_with_the_same_clock(old, new):
    assert canonical_time_zone(old) == new


def test_it_maps_every_alias_to_an_offered_choice():
    offered = {name for name, _ in time_zone_choices()}
    assert len(aliases()) > 100
    assert set(aliases().values()) <= offered
    assert not set(aliases()) & offered


def test_it_stores_an_imported_old_zone_under_its_current_name(world):
    coach = world.login(world.coach)
    preview = upload(coach, HEADER + "Ravi Old Zone,ravi@example.org,,,,Asia/Calcutta,\n")
    assert preview.status_code == 200
    assert "isn't a time zone we know" not in preview.content.decode()
    coach.post(reverse("client_import"), {"payload": payload_of(preview)})
    ravi = Client.objects.get(email="ravi@example.org")
    assert ravi.time_zone == "Asia/Kolkata"
    form = coach.get(reverse("client_edit", args=[ravi.pk])).content.decode()
    assert '<option value="Asia/Kolkata" selected>' in form


def test_it_creates_an_organisation_from_the_command_with_an_old_zone(db):
    call_command(
        "create_organisation",
        "Old Zone Sales",
        admin_email="owner@oldzone.test",
        admin_name="Owen Owner",
        time_zone="US/Pacific",
        no_password=True,
        stdout=io.StringIO(),
    )
    assert Organisation.objects.get(name="Old Zone Sales").time_zone == "America/Los_Angeles"


def test_it_gives_the_set_up_page_the_old_names(db):
    from django.test import Client as HttpClient

    html = HttpClient().get(reverse("setup")).content.decode()
    assert "data-zone-aliases=" in html and "Asia/Calcutta" in html
