"""The weekly rhythm: a week opens on the engagement's weekday and time in the client's zone
once coaching has begun, its invitation goes through the outbox exactly once (sent by the real
worker), one reminder follows only if nothing came back, and the week closes when the next
opens or a session starts, recording a missed week."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from flowcoach.checkins import rhythm, services
from flowcoach.checkins.models import Checkin
from flowcoach.coaching import services as coaching
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message, State
from flowcoach.outbox.worker import run_worker_once
from tests.checkin_helpers import coached, open_week, schedule_at
from tests.session_helpers import book


@pytest.fixture
def rhythm_on(settings):
    settings.FLOWCOACH_CHECKIN_RHYTHM = True


def _auto_approve(world, *kinds):
    outbox.email_settings_update(organisation=world.org, auto_approve_kinds=kinds)


def _work(rounds: int = 5) -> None:
    for _ in range(rounds):
        if not run_worker_once():
            return


def test_it_counts_the_opening_on_the_clients_own_clock_across_summer_time():
    # Friday 15:00 in Paris: 14:00 UTC in winter, 13:00 UTC in summer.
    winter = rhythm.latest_slot(
        4, time(15), "Europe/Paris", datetime(2026, 12, 6, 9, tzinfo=ZoneInfo("UTC"))
    )
    assert winter == datetime(2026, 12, 4, 14, tzinfo=ZoneInfo("UTC"))
    summer = rhythm.next_slot(datetime(2026, 3, 27, 14, tzinfo=ZoneInfo("UTC")), "Europe/Paris")
    assert summer == datetime(2026, 4, 3, 13, tzinfo=ZoneInfo("UTC"))


def test_it_has_the_worker_open_the_week_and_send_the_link_exactly_once(
    world, smtp_server, rhythm_on
):
    engagement = coached(world)
    _auto_approve(world, Kind.CHECKIN)
    schedule_at(engagement, timezone.now() - timedelta(minutes=3))

    _work()
    _work()

    week = Checkin.objects.get(engagement=engagement)
    assert week.state == Checkin.State.OPEN
    assert len(smtp_server.messages) == 1
    email = smtp_server.messages[0]
    assert email["Subject"] == "Your weekly check-in"
    assert email["To"].addresses[0].addr_spec == world.client.email
    body = email.get_body(("plain",)).get_content()
    assert "/checkins/answer/" in body and "Only Cora Coach reads your answers" in body
    # An invitation is not optional, so it carries no unsubscribe header.
    assert email["List-Unsubscribe"] is None
    assert Message.objects.filter(kind=Kind.CHECKIN).count() == 1


def test_it_leaves_the_invitation_for_the_coach_to_approve_unless_the_kind_is_auto_approved(
    world,
):
    engagement = coached(world)
    week = open_week(engagement)
    message = Message.objects.get(key=f"checkin:{week.pk}:invitation")
    assert message.state == State.DRAFT and message.owner == world.coach


def test_it_opens_nothing_before_a_session_is_held_or_for_a_stopped_engagement(world):
    fresh = coaching.engagement_enrol(
        client=world.other_client,
        program=coached(world).program,
        coach=world.other_coach,
    )
    schedule_at(fresh, timezone.now() - timedelta(minutes=3))
    stopped = coached(world)
    schedule_at(stopped, timezone.now() - timedelta(minutes=3))
    Engagement.objects.filter(pk=stopped.pk).update(status=Engagement.Status.STOPPED)

    services.rhythm_run()

    assert not Checkin.objects.filter(engagement__in=[fresh, stopped]).exists()


def test_it_sends_one_reminder_and_only_while_unanswered(world, smtp_server, rhythm_on):
    engagement = coached(world)
    _auto_approve(world, Kind.CHECKIN, Kind.REMINDER)
    week = open_week(engagement, ago=timedelta(days=2, minutes=5))
    other = coached(world, client=world.other_client, coach=world.other_coach)
    answered = open_week(other, ago=timedelta(days=2, minutes=5))
    services.checkin_answer(checkin=answered, more="Prospect on Mondays", energy=7)

    _work()
    _work()

    reminders = [m for m in smtp_server.messages if m["Subject"] == "Your check-in is still open"]
    assert [m["To"].addresses[0].addr_spec for m in reminders] == [world.client.email]
    assert reminders[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert reminders[0]["List-Unsubscribe"].strip().startswith("<http")
    week.refresh_from_db()
    assert week.reminder == Checkin.Reminder.DRAFTED
    assert Message.objects.filter(kind=Kind.REMINDER).count() == 1


def test_it_takes_back_a_waiting_reminder_when_the_client_answers(world):
    engagement = coached(world)
    week = open_week(engagement, ago=timedelta(days=2, minutes=5))
    services.send_reminders(timezone.now())
    reminder = Message.objects.get(key=f"checkin:{week.pk}:reminder")
    assert reminder.state == State.DRAFT

    services.checkin_answer(checkin=week, better="Listen longer", energy=6)

    reminder.refresh_from_db()
    week.refresh_from_db()
    assert reminder.state == State.CANCELLED
    assert week.state == Checkin.State.LATE, "answered after the reminder time"


def test_it_sends_an_unsubscribed_client_no_reminder_but_still_their_session_emails(world):
    engagement = coached(world)
    services.preference_update(client=world.client, checkin_reminders=False)
    week = open_week(engagement, ago=timedelta(days=2, minutes=5))

    services.rhythm_run()
    session = book(engagement.sessions.order_by("sequence")[1], days=3)

    week.refresh_from_db()
    assert week.reminder == Checkin.Reminder.SKIPPED
    assert not Message.objects.filter(kind=Kind.REMINDER).exists()
    assert Message.objects.filter(key=f"checkin:{week.pk}:invitation").exists()
    assert Message.objects.filter(
        reference=f"session:{session.pk}", kind=Kind.INVITATION, to_email=world.client.email
    ).exists()


def test_it_closes_an_unanswered_week_as_missed_when_the_next_one_opens(world):
    engagement = coached(world)
    first = open_week(engagement, ago=timedelta(days=7, minutes=5))
    second = open_week(engagement, ago=timedelta(minutes=5))

    first.refresh_from_db()
    assert first.closed_at is not None and first.state == Checkin.State.MISSED
    second.refresh_from_db()
    assert second.closed_at is None and second.state == Checkin.State.OPEN


def test_it_closes_the_week_when_the_next_session_starts_and_keeps_an_answer(world):
    engagement = coached(world)
    week = open_week(engagement, ago=timedelta(days=1))
    services.checkin_answer(checkin=week, different="Ask before I pitch", energy=8)
    s2 = engagement.sessions.order_by("sequence")[1]
    CoachingSession.objects.filter(pk=s2.pk).update(
        status=CoachingSession.Status.SCHEDULED, starts_at=timezone.now() - timedelta(minutes=1)
    )

    assert services.close_weeks(timezone.now()) == 1
    assert services.close_weeks(timezone.now()) == 0

    week.refresh_from_db()
    assert week.closed_at is not None and week.state == Checkin.State.ANSWERED
