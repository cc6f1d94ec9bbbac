"""Several organisations, suspending access, and the two settings pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts.actor import SESSION_KEY
from flowcoach.accounts.models import Membership, Organisation, Role, User
from flowcoach.clients.models import Client


@pytest.fixture
def two_practices(world):
    """Cora coaches for Harbour and, since last spring, for Elsewhere Sales too."""
    Membership.objects.create(user=world.coach, organisation=world.other_org, role=Role.COACH)
    elsewhere_client = Client.objects.create(
        organisation=world.other_org,
        coach=world.coach,
        full_name="Elio Elsewhere",
        email="elio@elsewhere.test",
    )
    return world, elsewhere_client


def switch(http, organisation):
    return http.post(reverse("organisation_switch"), {"organisation": organisation.pk})


def test_it_offers_the_switcher_only_to_people_in_several_organisations(two_practices):
    world, _ = two_practices
    page = world.login(world.coach).get(reverse("personal_settings")).content.decode()
    assert 'action="/organisations/switch/"' in page
    assert "Elsewhere Sales" in page and "Harbour Practice" in page
    single = world.login(world.other_coach).get(reverse("personal_settings")).content.decode()
    assert 'action="/organisations/switch/"' not in single


def test_it_switches_organisation_and_the_data_follows(two_practices):
    world, elsewhere_client = two_practices
    http = world.login(world.coach)
    # Organisations are listed by name, so Elsewhere Sales comes first; start at Harbour.
    switch(http, world.org)
    listing = http.get(reverse("client_list")).content.decode()
    assert "Cliff Client" in listing and "Elio Elsewhere" not in listing

    response = switch(http, world.other_org)
    assert response["Location"] == reverse("home")
    assert http.session[SESSION_KEY] == world.other_org.pk
    listing = http.get(reverse("client_list")).content.decode()
    assert "Elio Elsewhere" in listing and "Cliff Client" not in listing


def test_it_follows_the_roles_of_the_active_organisation(world):
    # Ada administers Harbour and coaches at Elsewhere: People is hers only at Harbour.
    Membership.objects.create(user=world.admin, organisation=world.other_org, role=Role.COACH)
    http = world.login(world.admin)
    switch(http, world.org)
    assert http.get(reverse("people")).status_code == 200
    switch(http, world.other_org)
    assert http.get(reverse("people")).status_code == 403
    assert http.get(reverse("home"))["Location"] == reverse("coach_home")


@pytest.mark.parametrize("value", ["other", "", "999999"])
def test_it_refuses_a_switch_to_an_organisation_one_does_not_belong_to(world, value):
    http = world.login(world.coach)
    target = str(world.other_org.pk) if value == "other" else value
    response = http.post(reverse("organisation_switch"), {"organisation": target})
    assert response.status_code == 404
    assert SESSION_KEY not in http.session


def test_it_removes_access_when_a_membership_is_suspended(two_practices):
    world, _ = two_practices
    admin = world.login(world.other_admin)
    membership = Membership.objects.get(user=world.coach, organisation=world.other_org)
    Client.objects.filter(organisation=world.other_org).update(archived_at=timezone.now())
    response = admin.post(reverse("membership_toggle", args=[membership.pk]), follow=True)
    assert "Access for Cora Coach suspended." in response.content.decode()
    membership.refresh_from_db()
    assert not membership.is_active

    coach = world.login(world.coach)
    assert switch(coach, world.other_org).status_code == 404
    # Their other practice is untouched.
    assert coach.get(reverse("client_list")).status_code == 200

    admin.post(reverse("membership_toggle", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.is_active
    assert switch(coach, world.other_org).status_code == 302


def test_it_leaves_someone_with_no_active_membership_on_a_friendly_page(world):
    Membership.objects.filter(user=world.other_coach).update(is_active=False)
    http = world.login(world.other_coach)
    page = http.get(reverse("home"))
    assert page.status_code == 200
    assert "accounts/no_organisation.html" in [t.name for t in page.templates]
    assert http.get(reverse("client_list")).status_code == 403


def test_it_keeps_an_admin_from_removing_their_own_admin_access(world):
    membership = Membership.objects.get(user=world.admin, organisation=world.org)
    response = world.login(world.admin).post(
        reverse("membership_toggle", args=[membership.pk]), follow=True
    )
    assert "You cannot remove your own admin access." in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_active


def test_it_keeps_a_coach_with_active_clients_until_they_are_reassigned(world):
    membership = Membership.objects.get(user=world.coach, organisation=world.org)
    response = world.login(world.admin).post(
        reverse("membership_toggle", args=[membership.pk]), follow=True
    )
    assert "Cora Coach still coaches 1 active client(s) here. Reassign them first." in (
        response.content.decode()
    )
    membership.refresh_from_db()
    assert membership.is_active


# --- Organisation settings ---------------------------------------------------------------

ORG = {
    "name": "Harbour Coaching",
    "time_zone": "Europe/Lisbon",
    "sending_email": "hello@harbour.test",
    "require_mfa": "on",
}


def test_it_saves_organisation_settings(world):
    http = world.login(world.admin)
    response = http.post(reverse("organisation_settings"), ORG, follow=True)
    assert "Organisation settings saved." in response.content.decode()
    world.org.refresh_from_db()
    assert (world.org.name, world.org.time_zone, world.org.sending_email) == (
        "Harbour Coaching",
        "Europe/Lisbon",
        "hello@harbour.test",
    )
    assert world.org.require_mfa


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": ""}, "name", "This field is required."),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
        ({"sending_email": "hello-at-harbour"}, "sending_email", "Enter a valid email address."),
    ],
)
def test_it_refuses_bad_organisation_settings_and_saves_nothing(world, change, field, message):
    before = Organisation.objects.values().get(pk=world.org.pk)
    response = world.login(world.admin).post(reverse("organisation_settings"), {**ORG, **change})
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert Organisation.objects.values().get(pk=world.org.pk) == before


def test_it_keeps_organisation_settings_for_admins(world):
    before = Organisation.objects.values().get(pk=world.org.pk)
    for user in (world.coach, world.client_user):
        assert world.login(user).post(reverse("organisation_settings"), ORG).status_code == 403
    assert Organisation.objects.values().get(pk=world.org.pk) == before


def test_it_changes_only_the_active_organisation(world):
    response = world.login(world.other_admin).post(reverse("organisation_settings"), ORG)
    assert response.status_code == 302
    world.org.refresh_from_db()
    assert world.org.name == "Harbour Practice"


# --- Personal settings -------------------------------------------------------------------


def test_it_saves_personal_settings(world):
    http = world.login(world.client_user)
    response = http.post(
        reverse("personal_settings"),
        {"full_name": "Clifford Client", "time_zone": "Asia/Tokyo"},
        follow=True,
    )
    assert "Your settings are saved." in response.content.decode()
    world.client_user.refresh_from_db()
    assert world.client_user.full_name == "Clifford Client"
    assert world.client_user.time_zone == "Asia/Tokyo"


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"full_name": "", "time_zone": "UTC"}, "full_name", "This field is required."),
        ({"full_name": "Cora", "time_zone": "Atlantis"}, "time_zone", "Select a valid choice."),
    ],
)
def test_it_refuses_bad_personal_settings_and_saves_nothing(world, data, field, message):
    before = User.objects.values("full_name", "time_zone").get(pk=world.coach.pk)
    response = world.login(world.coach).post(reverse("personal_settings"), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    assert User.objects.values("full_name", "time_zone").get(pk=world.coach.pk) == before


def test_it_shows_times_in_the_viewers_own_zone(world, rf):
    from flowcoach.accounts.middleware import UserTimezoneMiddleware

    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        seen["local"] = timezone.localtime(
            datetime.datetime(2026, 1, 15, 12, 0, tzinfo=datetime.UTC)
        ).hour
        return None

    request = rf.get("/")
    world.coach.time_zone = "America/New_York"
    request.user = world.coach
    UserTimezoneMiddleware(view)(request)
    assert seen == {"zone": "America/New_York", "local": 7}


def test_it_uses_the_default_zone_for_visitors_who_are_not_signed_in(rf, settings):
    from django.contrib.auth.models import AnonymousUser

    from flowcoach.accounts.middleware import UserTimezoneMiddleware

    timezone.activate("Asia/Tokyo")
    seen = {}
    request = rf.get("/")
    request.user = AnonymousUser()
    UserTimezoneMiddleware(lambda r: seen.setdefault("zone", timezone.get_current_timezone_name()))(
        request
    )
    assert seen["zone"] == settings.TIME_ZONE
