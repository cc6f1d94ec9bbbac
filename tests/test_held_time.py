"""A session's held time is when it ran, not when it was booked: the follow-up counts from
it, the summary and the portal show it; emails a held or missed session no longer needs are
withdrawn, and the outbox says why; the runner opened far from the booking offers to move it."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching import emails, services
from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import selectors as runner_selectors
from flowcoach.outbox.models import Message, State
from tests.session_helpers import book, enrol


@pytest.fixture
def booked(world) -> CoachingSession:
    """S1 booked nine days ahead: its invitation and preparation email wait as drafts."""
    session = enrol(world).sessions.order_by("sequence").first()
    return book(session, 9)


def _local_day(moment, zone: str):
    return moment.astimezone(ZoneInfo(zone)).date()


def test_it_counts_the_follow_up_from_the_day_the_session_ran(booked):
    runner_clock.timing_event(session=booked, event="start")
    runner_clock.session_complete(session=booked)
    booked.refresh_from_db()
    zone = booked.engagement.client.time_zone
    assert booked.held_at is not None and abs(booked.held_at - timezone.now()) < timedelta(
        minutes=1
    )
    follow_up = emails._message(emails.follow_up_key(booked))
    days = booked.template_version.follow_email_days
    assert _local_day(follow_up.send_after, zone) == _local_day(
        booked.held_at + timedelta(days=days), zone
    )
    # The email's own date is the day it ran, not the booking nine days ahead.
    assert emails.date_text(booked.held_at, zone) in emails.session_context(booked)["session_date"]


def test_it_shows_the_held_day_in_the_summary_and_the_portal(world, booked):
    runner_clock.timing_event(session=booked, event="start")
    runner_clock.session_complete(session=booked)
    booked.refresh_from_db()
    today = timezone.now().astimezone(ZoneInfo(booked.time_zone))
    booked_day = booked.starts_at.astimezone(ZoneInfo(booked.time_zone))
    text = runner_selectors.summary_markdown(booked, runner_selectors.summary_page(booked))
    assert f"Held on {today:%-d %B %Y}." in text
    assert f"{booked_day:%-d %B %Y}" not in text
    portal = world.login(world.client_user).get(reverse("portal")).content.decode()
    history = portal.split("Your sessions so far")[1]
    assert f"{today.day} {today:%B %Y}" in history
    assert f"{booked_day.day} {booked_day:%B %Y}" not in history


def test_it_withdraws_the_preparation_email_of_a_held_session_and_says_why(booked):
    preparation = emails.preparation_message(booked)
    assert preparation.state == State.DRAFT
    runner_clock.timing_event(session=booked, event="start")
    runner_clock.session_complete(session=booked)
    preparation.refresh_from_db()
    invitation = emails._message(emails.invitation_key(booked))
    assert preparation.state == State.CANCELLED and invitation.state == State.CANCELLED
    assert "was held on" in preparation.cancel_reason
    # The follow-up is the one email the held session still needs.
    assert emails._message(emails.follow_up_key(booked)).state == State.DRAFT


def test_it_keeps_a_preparation_email_that_already_went(booked):
    preparation = emails.preparation_message(booked)
    Message.objects.filter(pk=preparation.pk).update(state=State.SENT, sent_at=timezone.now())
    runner_clock.timing_event(session=booked, event="start")
    runner_clock.session_complete(session=booked)
    preparation.refresh_from_db()
    assert preparation.state == State.SENT and preparation.cancel_reason == ""


def test_it_withdraws_emails_of_a_no_show_with_its_own_reason(booked):
    CoachingSession.objects.filter(pk=booked.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    booked.refresh_from_db()
    services.session_mark(session=booked, status=CoachingSession.Status.NO_SHOW)
    preparation = emails.preparation_message(booked)
    assert preparation.state == State.CANCELLED
    assert "did not come" in preparation.cancel_reason


def test_it_marks_a_session_held_at_its_booked_time_when_the_runner_never_ran(booked):
    past = timezone.now() - timedelta(hours=2)
    CoachingSession.objects.filter(pk=booked.pk).update(starts_at=past)
    booked.refresh_from_db()
    services.session_mark(session=booked, status=CoachingSession.Status.HELD)
    booked.refresh_from_db()
    assert booked.held_at == past
    assert emails.preparation_message(booked).state == State.CANCELLED


def test_it_shows_why_an_email_was_withdrawn_in_the_outbox(world, booked):
    runner_clock.timing_event(session=booked, event="start")
    runner_clock.session_complete(session=booked)
    preparation = emails.preparation_message(booked)
    http = world.login(world.coach)
    listing = http.get(reverse("outbox")).content.decode()
    assert "no longer needed" in listing.split('id="group-cancelled"')[1]
    page = http.get(reverse("outbox_message", args=[preparation.pk])).content.decode()
    assert preparation.cancel_reason in page


def test_it_offers_to_move_the_booking_when_the_runner_opens_far_from_it(world, booked):
    http = world.login(world.coach)
    page = http.get(reverse("runner", args=[booked.pk])).content.decode()
    assert "This session is booked for" in page and "Move the booking to now" in page
    response = http.post(reverse("session_move_to_now", args=[booked.pk]))
    assert response.status_code == 302
    booked.refresh_from_db()
    assert abs(booked.starts_at - timezone.now()) < timedelta(minutes=1)
    assert booked.ics_sequence == 1
    assert emails.preparation_message(booked).state == State.CANCELLED
    page = http.get(reverse("runner", args=[booked.pk])).content.decode()
    assert "This session is booked for" not in page


def test_it_says_nothing_when_the_runner_opens_near_the_booking(world):
    session = enrol(world).sessions.order_by("sequence").first()
    CoachingSession.objects.filter(pk=session.pk).update(
        status=CoachingSession.Status.SCHEDULED,
        starts_at=timezone.now() + timedelta(minutes=10),
        video_link="https://meet.example.org/x",
    )
    page = world.login(world.coach).get(reverse("runner", args=[session.pk])).content.decode()
    assert "This session is booked for" not in page


def test_it_lets_only_the_sessions_coach_move_it(world, booked):
    response = world.login(world.other_coach).post(reverse("session_move_to_now", args=[booked.pk]))
    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.ics_sequence == 0
