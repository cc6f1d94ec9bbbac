"""Small stumbles of a first week: People lists a person once with both roles and says
"just now" rather than "0 minutes ago"; time zone lists hold no deprecated aliases and the
set-up form starts from the browser's zone."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from flowcoach.accounts import services
from flowcoach.accounts.models import Membership, Role
from flowcoach.lib.timezones import time_zone_choices


def test_it_lists_an_admin_who_coaches_once_with_both_roles(
    world, django_capture_on_commit_callbacks
):
    Membership.objects.create(user=world.admin, organisation=world.org, role=Role.COACH)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            organisation=world.org, invited_by=world.admin, email="n@x.test", role=Role.COACH
        )
    page = world.login(world.admin).get(reverse("people")).content.decode()
    team = page.split('id="team-heading"')[1].split("</table>")[0]
    assert team.count("admin@harbour.test") == 1
    assert "Admin and coach" in team
    assert "sent just now" in page and "0\xa0minutes" not in page


def test_it_offers_canonical_time_zones_only():
    names = {name for name, _ in time_zone_choices()}
    assert {"UTC", "Europe/Stockholm", "Asia/Kolkata", "America/New_York"} <= names
    assert not names & {"US/Eastern", "Asia/Calcutta", "Europe/Kiev", "GB"}


def test_it_marks_the_set_up_zone_for_the_browser_to_fill(db):
    page = HttpClient().get(reverse("setup"))
    html = page.content.decode()
    assert 'data-local-zone="UTC"' in html and "js/local-zone" in html
