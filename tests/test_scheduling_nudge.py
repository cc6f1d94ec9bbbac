# ruff: noqa: F811 (fixtures shared from test_scheduling are imported by name)
"""The schedule nudge: clients in an active program with nothing booked, on a page and, for
coaches who ask, in a weekly email that can never go twice in one week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching import coach_emails, services, tasks
from flowcoach.coaching.models import NudgeSetting
from flowcoach.outbox import dispatch
from flowcoach.outbox.models import Message
from tests.query_counts import assert_same_queries_at_two_sizes
from tests.test_scheduling import (  # noqa: F401 (fixtures)
    days_ahead,
    engagement,
    program,
    schedule,
    session,
)


def test_it_lists_active_engagements_with_no_upcoming_session(world, engagement, program):
    http = world.login(world.coach)
    page = http.get(reverse("schedule_nudge"))
    assert page.status_code == 200
    assert [r["engagement"] for r in page.context["rows"]] == [engagement]
    first = engagement.sessions.get(sequence=1)
    assert page.context["rows"][0]["session"] == first
    assert reverse("session_schedule", args=[first.pk]) in page.content.decode()
    assert b"To schedule" in page.content  # in the navigation

    schedule(first, days_ahead(5))
    assert http.get(reverse("schedule_nudge")).context["rows"] == []

    # A session in the past does not count as booked; a stopped engagement is not listed.
    first.refresh_from_db()
    first.starts_at = timezone.now() - timedelta(days=1)
    first.save()
    assert len(http.get(reverse("schedule_nudge")).context["rows"]) == 1
    services.engagement_stop(engagement=engagement)
    assert http.get(reverse("schedule_nudge")).context["rows"] == []


def test_it_shows_a_coach_only_their_own_clients(world, engagement):
    page = world.login(world.other_coach).get(reverse("schedule_nudge"))
    assert page.context["rows"] == []
    assert b"Cliff Client" not in page.content


def test_it_saves_the_weekly_email_setting(world):
    http = world.login(world.coach)
    assert http.post(reverse("schedule_nudge"), {"weekly_digest": "on"}).status_code == 302
    assert NudgeSetting.objects.get(user=world.coach).weekly_digest is True
    assert http.get(reverse("schedule_nudge")).context["form"].initial["weekly_digest"] is True
    http.post(reverse("schedule_nudge"), {})
    assert NudgeSetting.objects.get(user=world.coach).weekly_digest is False


def test_it_drafts_the_weekly_digest_once_per_week_and_only_when_asked(
    world, engagement, smtp_server
):
    today = timezone.now()
    monday = (today - timedelta(days=today.weekday())).replace(hour=8, minute=0)
    week = coach_emails.iso_week(monday)
    assert tasks.nudge_digests_draft(now=monday) == 0  # nobody asked
    services.nudge_setting_update(user=world.coach, weekly_digest=True)
    assert tasks.nudge_digests_draft(now=monday) == 1
    message = Message.objects.get(kind="digest")
    assert message.key == f"coach:{world.coach.pk}:nudge:{week}"
    assert coach_emails.iso_week(datetime(2027, 3, 1, tzinfo=UTC)) == "2027-W09"
    assert message.to_email == world.coach.email and "Cliff Client" in message.text_body
    # Again on Friday of the same week: the same message, not a second one.
    tasks.nudge_digests_draft(now=monday + timedelta(days=4))
    assert Message.objects.filter(kind="digest").count() == 1
    # It needs no approval: the coach asked for it, and it goes to them alone.
    dispatch.dispatch_due()
    assert [m["To"] for m in smtp_server.messages] == ["Cora Coach <coach@harbour.test>"]
    assert "Cliff Client" in smtp_server.messages[0].get_body(("plain",)).get_content()
    # The next week gets its own.
    tasks.nudge_digests_draft(now=monday + timedelta(days=7))
    assert Message.objects.filter(kind="digest").count() == 2


def test_it_sends_no_digest_when_everyone_is_booked(world, session):
    services.nudge_setting_update(user=world.coach, weekly_digest=True)
    schedule(session, days_ahead(5))
    call_command("send_schedule_nudges", stdout=open("/dev/null", "w"))
    assert not Message.objects.filter(kind="digest").exists()


def test_it_builds_the_list_in_a_fixed_number_of_queries(world, program):
    from flowcoach.clients.models import Client

    def add_clients(first: int, count: int) -> None:
        for n in range(first, first + count):
            client = Client.objects.create(
                organisation=world.org,
                coach=world.coach,
                full_name=f"Client {n}",
                email=f"c{n}@harbour.test",
            )
            services.engagement_enrol(client=client, program=program, coach=world.coach)

    add_clients(0, 2)
    http = world.login(world.coach)
    assert_same_queries_at_two_sizes(
        lambda: http.get(reverse("schedule_nudge")), lambda: add_clients(2, 4)
    )
    page = http.get(reverse("schedule_nudge"))
    assert len(page.context["rows"]) == 6
    assert all(row["session"].code == "S1" for row in page.context["rows"])
