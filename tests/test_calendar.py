# ruff: noqa: F811 (fixtures shared from test_scheduling are imported by name)
"""Private calendar feeds: each person's own sessions, served by a secret token that can be
replaced; and the ICS attached to session emails."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from icalendar import Calendar

from flowcoach.accounts import services as account_services
from flowcoach.coaching import calendar, services
from flowcoach.coaching.models import CalendarFeed
from flowcoach.programs.services import program_import
from flowcoach.programs.yaml_io import parse_program_yaml
from tests.test_scheduling import (  # noqa: F401 (fixtures)
    PROGRAM_YAML,
    VIDEO,
    engagement,
    program,
    schedule,
    session,
)


def feed_of(http, user) -> tuple[int, Calendar | None, str]:
    token = services.calendar_feed_of(user).token
    response = http.get(reverse("calendar_feed", args=[token]))
    if response.status_code != 200:
        return response.status_code, None, ""
    return 200, Calendar.from_ical(response.content), response["Content-Type"]


def uids(cal: Calendar) -> set[str]:
    return {str(e["UID"]) for e in cal.walk("VEVENT")}


def test_it_serves_each_person_their_own_sessions_without_sign_in(world, session):
    mine = schedule(session, datetime(2027, 3, 2, 10, 0))
    other_program = program_import(
        data=parse_program_yaml(PROGRAM_YAML.replace("scheduling-test", "other-test")),
        organisation=world.org,
    )
    theirs = services.engagement_enrol(
        client=world.other_client, program=other_program, coach=world.other_coach
    ).sessions.get(sequence=1)
    theirs = schedule(theirs, datetime(2027, 3, 3, 11, 0), "Europe/London")
    anonymous = world.login(None)

    status, coach_cal, content_type = feed_of(anonymous, world.coach)
    assert status == 200 and content_type.startswith("text/calendar")
    assert uids(coach_cal) == {mine.ics_uid}
    event = coach_cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == mine.starts_at
    assert str(event["LOCATION"]) == mine.video_link
    assert str(event["STATUS"]) == "CONFIRMED"

    _, client_cal, _ = feed_of(anonymous, world.client_user)
    assert uids(client_cal) == {mine.ics_uid}
    _, other_client_cal, _ = feed_of(anonymous, world.other_client_user)
    assert uids(other_client_cal) == {theirs.ics_uid}
    _, other_coach_cal, _ = feed_of(anonymous, world.other_coach)
    assert uids(other_coach_cal) == {theirs.ics_uid}
    # An admin has no sessions of their own: an empty calendar, never the organisation's.
    _, admin_cal, _ = feed_of(anonymous, world.admin)
    assert uids(admin_cal) == set()


def test_it_leaves_unscheduled_sessions_out_and_marks_cancelled_ones(world, engagement):
    first, second, *_ = list(engagement.sessions.order_by("sequence"))
    first = schedule(first, datetime(2027, 3, 2, 10, 0))
    second = schedule(second, datetime(2027, 3, 9, 10, 0))
    services.session_cancel(session=second, reason="Clash")
    _, cal, _ = feed_of(world.login(None), world.coach)
    statuses = {str(e["UID"]): str(e["STATUS"]) for e in cal.walk("VEVENT")}
    assert statuses == {first.ics_uid: "CONFIRMED", second.ics_uid: "CANCELLED"}


def test_it_kills_the_old_url_when_the_token_is_regenerated(world, session):
    schedule(session, datetime(2027, 3, 2, 10, 0))
    http = world.login(world.coach)
    old = services.calendar_feed_of(world.coach).token
    page = http.get(reverse("calendar_settings"))
    assert page.status_code == 200 and old in page.content.decode()
    for app in ("Google Calendar", "Outlook", "Apple Calendar"):
        assert app in page.content.decode()
    response = http.post(reverse("calendar_regenerate"))
    assert response.status_code == 302
    new = CalendarFeed.objects.get(user=world.coach).token
    assert new != old
    anonymous = world.login(None)
    assert anonymous.get(reverse("calendar_feed", args=[old])).status_code == 404
    assert anonymous.get(reverse("calendar_feed", args=[new])).status_code == 200
    assert new in http.get(reverse("calendar_settings")).content.decode()


def test_it_answers_404_for_an_unknown_token_and_for_a_deactivated_person(world, session):
    anonymous = world.login(None)
    assert anonymous.get(reverse("calendar_feed", args=["guess"])).status_code == 404
    token = services.calendar_feed_of(world.coach).token
    world.coach.is_active = False
    world.coach.save()
    assert anonymous.get(reverse("calendar_feed", args=[token])).status_code == 404


def test_it_gives_each_person_a_different_token(world):
    tokens = {
        services.calendar_feed_of(user).token
        for user in (world.coach, world.other_coach, world.client_user, world.other_client_user)
    }
    assert len(tokens) == 4 and all(len(t) >= 40 for t in tokens)


def test_it_builds_a_valid_invitation_and_cancellation(world, session):
    session = schedule(session, datetime(2027, 3, 2, 10, 0), address="12 Harbour Street")
    request = Calendar.from_ical(calendar.session_ics(session))
    assert str(request["METHOD"]) == "REQUEST"
    event = request.walk("VEVENT")[0]
    assert "12 Harbour Street" in str(event["LOCATION"])
    assert "Your sales purpose" in str(event["SUMMARY"])
    cancel = Calendar.from_ical(calendar.session_ics(session, calendar.CANCEL))
    assert str(cancel["METHOD"]) == "CANCEL"
    assert str(cancel.walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    assert str(cancel.walk("VEVENT")[0]["UID"]) == session.ics_uid


def test_it_stops_a_suspended_members_feed_in_that_organisation(world, session):
    """Found by a probe: the feed checked the user, not the membership, so a suspended client
    kept receiving titles, times, video links and the coach's address."""
    mine = schedule(session, datetime(2027, 3, 2, 10, 0))
    anonymous = world.login(None)
    membership = world.client_user.memberships.get(organisation=world.org)
    account_services.membership_set_active(membership=membership, active=False)

    status, cal, _ = feed_of(anonymous, world.client_user)
    assert status == 200
    assert uids(cal) == set()
    body = anonymous.get(
        reverse("calendar_feed", args=[services.calendar_feed_of(world.client_user).token])
    ).content.decode()
    assert VIDEO not in body and world.coach.email not in body and mine.title not in body

    # Restored, the same link serves the session again; the coach's feed never changed.
    account_services.membership_set_active(membership=membership, active=True)
    assert uids(feed_of(anonymous, world.client_user)[1]) == {mine.ics_uid}
    assert uids(feed_of(anonymous, world.coach)[1]) == {mine.ics_uid}
