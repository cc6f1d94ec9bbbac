# ruff: noqa: F811 (fixtures shared from test_scheduling are imported by name)
"""The links in a client's session emails: confirm, ask to move, cancel. No sign-in; each
works once; expired, used, outdated and altered links explain themselves and change
nothing."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from flowcoach.accounts import services as account_services
from flowcoach.coaching import links, services
from flowcoach.coaching.models import CoachingSession, SessionRequest
from flowcoach.outbox.models import Message
from tests.test_scheduling import (  # noqa: F401 (fixtures)
    VIDEO,
    days_ahead,
    engagement,
    program,
    schedule,
    session,
)


def url(session, action: str) -> str:
    return reverse(links.ACTIONS[action], args=[links.make_token(session, action)])


def test_it_confirms_once_and_tells_the_coach(world, session):
    session = schedule(session, days_ahead(10, 10))
    http = world.login(None)
    link = url(session, "confirm")
    page = http.get(link)
    assert page.status_code == 200 and b"See you then, Cliff?" in page.content
    session.refresh_from_db()
    assert session.confirmed_at is None  # looking at the page changes nothing
    done = http.post(link)
    assert done.status_code == 200 and b"Thanks, Cliff" in done.content
    session.refresh_from_db()
    assert session.confirmed_at is not None
    note = Message.objects.get(kind="notification")
    assert note.to_email == world.coach.email and "confirmed" in note.subject
    assert note.state != "draft"  # a note to the coach needs no approval
    again = http.post(link)
    assert again.status_code == 410 and b"already been used" in again.content
    assert SessionRequest.objects.count() == 1
    assert Message.objects.filter(kind="notification").count() == 1


def test_it_records_proposed_times_without_moving_the_session(world, session):
    session = schedule(session, days_ahead(10, 10))
    starts_at = session.starts_at
    http = world.login(None)
    link = url(session, "reschedule")
    page = http.get(link)
    assert page.status_code == 200 and b"In your time zone, Europe/Paris." in page.content
    day = days_ahead(12, 14).date().isoformat()
    response = http.post(
        link,
        {"first": f"{day}T14:00", "second": f"{day}T16:30", "message": "Mornings are hard"},
    )
    assert response.status_code == 200 and b"suggestions are on their way" in response.content
    session.refresh_from_db()
    assert session.starts_at == starts_at and session.status == CoachingSession.Status.SCHEDULED
    request = SessionRequest.objects.get()
    assert request.kind == "reschedule" and len(request.proposed_times) == 2
    assert request.proposed_times[0].endswith("+00:00")  # stored in UTC
    note = Message.objects.get(kind="notification")
    assert "asked to move" in note.subject and "Mornings are hard" in note.text_body
    # The coach sees the request, in their own zone and the client's.
    page = world.login(world.coach).get(reverse("session_detail", args=[session.pk]))
    text = page.content.decode()
    assert "Asked to move" in text and "waiting for you" in text
    assert "13:00 (Europe/London) · " in text and "14:00 for Cliff (Europe/Paris)" in text
    # One click starts the move from a proposed time, in the client's zone.
    move = f"{reverse('session_schedule', args=[session.pk])}?date={day}&amp;time=14%3A00"
    assert move in text
    form = world.login(world.coach).get(
        reverse("session_schedule", args=[session.pk]),
        {"date": day, "time": "14:00", "time_zone": "Europe/Paris"},
    )
    assert form.context["form"].initial["date"] == day
    assert form.context["form"].initial["time"] == "14:00"
    assert http.post(link, {"first": f"{day}T09:00"}).status_code == 410
    # Moving the session settles the request.
    services.session_reschedule(
        session=session,
        starts_local=days_ahead(12, 14),
        time_zone="Europe/Paris",
        duration_minutes=90,
        video_link=VIDEO,
    )
    request.refresh_from_db()
    assert request.resolved_at is not None


def test_it_asks_for_at_least_one_time_still_to_come(world, session):
    session = schedule(session, days_ahead(10, 10))
    link = url(session, "reschedule")
    response = world.login(None).post(link, {"first": ""})
    assert response.status_code == 400
    yesterday = days_ahead(-1, 10).strftime("%Y-%m-%dT%H:%M")
    response = world.login(None).post(link, {"first": yesterday})
    assert response.status_code == 400 and b"already passed" in response.content
    assert not SessionRequest.objects.exists()


def test_it_lets_the_client_cancel_once(world, session):
    session = schedule(session, days_ahead(10, 10))
    http = world.login(None)
    link = url(session, "cancel")
    response = http.post(link, {"message": "New job, sorry"})
    assert response.status_code == 200 and b"Your session is cancelled" in response.content
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.CANCELLED
    assert session.cancel_reason == "New job, sorry"
    assert Message.objects.get(key=f"session:{session.pk}:preparation").state == "cancelled"
    assert "cancelled" in Message.objects.get(kind="notification").subject
    again = http.get(link)
    assert again.status_code == 410 and b"no longer planned" in again.content
    # The confirm link from the same email is dead too.
    assert http.post(url(session, "confirm")).status_code == 410


def test_it_counts_a_client_cancelling_within_a_day_as_late(world, session):
    session = schedule(session, days_ahead(3, 10))
    services.session_request_record(
        session=session,
        kind="cancel",
        ics_sequence=0,
        now=session.starts_at - timedelta(hours=5),
    )
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.CANCELLED_LATE


def test_it_explains_an_expired_link_and_changes_nothing(world, session):
    session = schedule(session, days_ahead(10, 10))
    link = url(session, "confirm")
    later = session.starts_at + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = world.login(None).post(link)
    assert response.status_code == 410 and b"This link has expired" in response.content
    session.refresh_from_db()
    assert session.confirmed_at is None and not SessionRequest.objects.exists()


def test_it_explains_a_link_from_before_a_reschedule(world, session):
    session = schedule(session, days_ahead(10, 10))
    old = url(session, "cancel")
    session = services.session_reschedule(
        session=session,
        starts_local=days_ahead(11, 10),
        time_zone="Europe/Paris",
        duration_minutes=90,
        video_link=VIDEO,
    )
    response = world.login(None).post(old, {"message": "x"})
    assert response.status_code == 410 and b"has changed since this email" in response.content
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.SCHEDULED
    assert world.login(None).get(url(session, "cancel")).status_code == 200


def test_it_refuses_tampered_links_and_links_for_another_action(world, session):
    session = schedule(session, days_ahead(10, 10))
    http = world.login(None)
    token = links.make_token(session, "confirm")
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    for bad in (
        reverse("session_link_confirm", args=[tampered]),
        reverse("session_link_confirm", args=["nonsense"]),
        # A real confirm token used as a cancel link.
        reverse("session_link_cancel", args=[token]),
    ):
        response = http.post(bad, {"message": "x"})
        assert response.status_code == 400, bad
        assert b"This link doesn" in response.content
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.SCHEDULED and session.confirmed_at is None
    assert not SessionRequest.objects.exists()


def test_it_puts_working_links_in_the_invitation(world, session):
    session = schedule(session, days_ahead(10, 10))
    invitation = Message.objects.get(key=f"session:{session.pk}:invitation")
    found = [line.rsplit(": ", 1)[1] for line in invitation.text_body.splitlines() if "/s/" in line]
    assert len(found) == 3
    http = world.login(None)
    for link in found:
        assert http.get(link.replace(settings.SITE_URL, "")).status_code == 200
    assert all(f'href="{link}"' in invitation.html_body for link in found)


def test_it_expires_links_at_the_start_even_if_the_clock_is_checked_late(world, session):
    session = schedule(session, days_ahead(10, 10))
    token = links.make_token(session, "confirm")
    target = links.read_token(token, "confirm", now=timezone.now())
    assert target.session == session and target.ics_sequence == 0
    try:
        links.read_token(token, "confirm", now=session.starts_at)
    except links.LinkExpired:
        pass
    else:
        raise AssertionError("a link must expire when the session starts")


def test_it_refuses_the_links_of_a_suspended_client_and_changes_nothing(world, session):
    session = schedule(session, days_ahead(10, 10))
    membership = world.client_user.memberships.get(organisation=world.org)
    account_services.membership_set_active(membership=membership, active=False)
    http = world.login(None)
    for action in links.ACTIONS:
        page = http.get(url(session, action))
        assert page.status_code == 410 and b"no longer works" in page.content
        assert http.post(url(session, action)).status_code == 410
    assert SessionRequest.objects.count() == 0
    session.refresh_from_db()
    assert session.confirmed_at is None and session.status == CoachingSession.Status.SCHEDULED
