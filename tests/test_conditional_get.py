# ruff: noqa: F811 (fixtures shared from test_scheduling are imported by name)
"""Conditional GET (lib/conditional.py) on what programs re-fetch: the client API and the
calendar feed. A 304 confirms only a copy the same person, in the same organisation, was
given: another person holding the first one's tag, even for a byte-identical answer, gets a
full 200 with their own content. No page caches fragments (docs/decisions.md), so the only
cached per-person data is the session, tested in test_request_floor.py."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client
from flowcoach.coaching import services as coaching
from flowcoach.lib import conditional
from tests.conftest import make_user
from tests.test_scheduling import (  # noqa: F401 (fixtures)
    engagement,
    program,
    schedule,
    session,
)

IF_MODIFIED_SINCE = "Wed, 01 Jan 2025 00:00:00 GMT"


def revalidate(http, url: str, tag: str):
    return http.get(url, HTTP_IF_NONE_MATCH=tag, HTTP_IF_MODIFIED_SINCE=IF_MODIFIED_SINCE)


def client_elsewhere(world):
    """A client of the second organisation, with a record of their own."""
    user = make_user("elsa@elsewhere.test", "Elsa Elsewhere")
    coach = make_user("coach@elsewhere.test", "Cato Elsewhere")
    for person, role in ((user, Role.CLIENT), (coach, Role.COACH)):
        Membership.objects.create(user=person, organisation=world.other_org, role=role)
    Client.objects.create(
        organisation=world.other_org,
        coach=coach,
        user=user,
        full_name="Elsa Elsewhere",
        email="elsa@elsewhere.test",
    )
    return user, coach


def test_it_answers_not_modified_to_the_client_who_holds_the_tag(world):
    http = world.login(world.client_user)
    url = reverse("api_v1:me")
    first = http.get(url)
    assert first.status_code == 200 and first["ETag"]
    again = revalidate(http, url, first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # Still no copy kept anywhere: the tag serves programs that keep their own.
    assert "no-store" in again["Cache-Control"] and again["ETag"] == first["ETag"]


def test_it_never_answers_not_modified_to_another_client_with_the_first_ones_tag(world):
    elsewhere, _ = client_elsewhere(world)
    first = world.login(world.client_user)
    url = reverse("api_v1:sessions")
    mine = first.get(url)
    # Same organisation, and another organisation: no sessions anywhere, so every body is
    # the same bytes; only who asks tells the tags apart.
    for other in (world.other_client_user, elsewhere):
        theirs = revalidate(world.login(other), url, mine["ETag"])
        assert theirs.status_code == 200
        assert theirs.content == mine.content and theirs["ETag"] != mine["ETag"]
    # Where the bodies differ, each gets their own.
    me_url = reverse("api_v1:me")
    tag = first.get(me_url)["ETag"]
    theirs = revalidate(world.login(elsewhere), me_url, tag)
    assert theirs.status_code == 200
    assert theirs.json()["profile"]["email"] == "elsa@elsewhere.test"


def test_it_never_answers_not_modified_to_the_same_person_in_another_organisation(world):
    Membership.objects.create(
        user=world.client_user, organisation=world.other_org, role=Role.CLIENT
    )
    Client.objects.create(
        organisation=world.other_org,
        coach=world.other_admin,
        user=world.client_user,
        full_name="Cliff Client",
        email="client@harbour.test",
    )
    http = world.login(world.client_user)
    url = reverse("api_v1:sessions")
    http.post(reverse("organisation_switch"), {"organisation": world.org.pk})
    here = http.get(url)
    http.post(reverse("organisation_switch"), {"organisation": world.other_org.pk})
    there = revalidate(http, url, here["ETag"])
    assert there.status_code == 200 and there.content == here.content


def test_it_gives_a_fresh_answer_once_the_data_changes(world, session):
    http = world.login(world.client_user)
    url = reverse("api_v1:sessions")
    before = http.get(url)
    schedule(session, datetime(2027, 3, 2, 10, 0))
    after = revalidate(http, url, before["ETag"])
    assert after.status_code == 200 and after.content != before.content


def feed_url(user) -> str:
    return reverse("calendar_feed", args=[coaching.calendar_feed_of(user).token])


def test_it_tags_each_calendar_feed_for_its_owner_alone(world):
    _, coach_elsewhere = client_elsewhere(world)
    anonymous = world.login(None)
    first = anonymous.get(feed_url(world.coach))
    assert first.status_code == 200
    # Calendar apps poll: the same feed, unchanged, is not sent again although every event
    # stamp in it says "now".
    assert revalidate(anonymous, feed_url(world.coach), first["ETag"]).status_code == 304
    # Two coaches with no sessions have feeds alike but for the stamps; neither the other
    # coach here nor the one elsewhere is ever told "not modified" with the first one's tag.
    for other in (world.other_coach, coach_elsewhere):
        theirs = revalidate(anonymous, feed_url(other), first["ETag"])
        assert theirs.status_code == 200 and b"BEGIN:VCALENDAR" in theirs.content


def test_it_sends_the_feed_again_when_a_session_is_booked(world, session):
    anonymous = world.login(None)
    before = anonymous.get(feed_url(world.coach))
    booked = schedule(session, datetime(2027, 3, 2, 10, 0))
    after = revalidate(anonymous, feed_url(world.coach), before["ETag"])
    assert after.status_code == 200 and booked.ics_uid.encode() in after.content


def test_it_tells_scopes_apart_even_when_their_parts_run_together():
    assert conditional.etag(["1", "23"], b"x") != conditional.etag(["12", "3"], b"x")
