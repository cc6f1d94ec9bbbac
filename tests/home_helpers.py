"""A practice of any size for the Home, client page and client list tests: each client of
world.coach with a session held three weeks ago (its recap still a draft past its time), a
session booked for today, an open commitment due in two days, a purpose statement and an
email that went out. History is written directly, as the demo does: the services rightly
refuse times in the past."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.coaching import emails
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    PurposeStatement,
    SessionRecord,
)
from flowcoach.lib import dates
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Message
from tests.session_helpers import enrol


def today_noon(time_zone: str) -> datetime:
    day = dates.today_in(time_zone)
    return timezone.make_aware(datetime.combine(day, time(12, 0)), dates.local_zone(time_zone))


def coach_today(world) -> date:
    return dates.today_in(world.coach.time_zone)


def add_client(world, index: int, *, coach=None) -> Client:
    coach = coach or world.coach
    now = timezone.now()
    client = Client.objects.create(
        organisation=world.org,
        coach=coach,
        full_name=f"Pat Number{index}",
        email=f"pat{index}.{coach.pk}@example.test",
        company=f"Firm {index}",
        time_zone="Europe/Paris" if index % 2 else coach.time_zone,
        created_at=now - timedelta(days=60),
    )
    engagement = enrol(world, client, coach)
    first, second = list(engagement.sessions.order_by("sequence")[:2])
    first.status = CoachingSession.Status.HELD
    first.starts_at = now - timedelta(days=21)
    first.save()
    SessionRecord.objects.create(
        session=first,
        adjustments=f"Ask one more question ({index})",
        coach_summary=f"Private view of Pat {index}",
        completed_at=first.starts_at + timedelta(hours=1),
    )
    follow_up = emails.session_follow_up_draft(
        session=first, recap_text="- a recap", commitments_text="- a commitment"
    )
    Message.objects.filter(pk=follow_up.pk).update(send_after=now - timedelta(days=19), warning="")
    second.status = CoachingSession.Status.SCHEDULED
    second.starts_at = today_noon(coach.time_zone)
    second.save()
    Commitment.objects.create(
        client=client,
        session=first,
        uuid=uuid.uuid4(),
        text=f"Call three old customers ({index})",
        due_date=coach_today(world) + timedelta(days=2),
    )
    PurposeStatement.objects.create(
        client=client, session=first, text=f"I help buyers ({index})", created_at=first.starts_at
    )
    sent = outbox.message_draft(
        organisation=world.org,
        key=f"test:home:{client.pk}",
        kind="one_off",
        to_email=client.email,
        to_name=client.full_name,
        subject=f"Good to talk, Pat {index}",
        text_body="Until next time.",
        send_after=now - timedelta(days=20),
        owner=coach,
    )
    Message.objects.filter(pk=sent.pk).update(state="sent", sent_at=now - timedelta(days=20))
    return client


def practice(world, size: int, *, coach=None) -> list[Client]:
    return [add_client(world, index, coach=coach) for index in range(size)]


def lengthen_history(world, client: Client, extra: int) -> None:
    """`extra` more commitments (every other one kept), sent emails and held sessions (new
    engagements as needed, each session with a purpose statement) for one client."""
    now = timezone.now()
    for index in range(extra):
        Commitment.objects.create(
            client=client,
            uuid=uuid.uuid4(),
            text=f"Extra commitment {index}",
            state="kept" if index % 2 else "open",
            created_at=now - timedelta(days=30 + index),
            updated_at=now - timedelta(days=29 + index),
        )
        sent = outbox.message_draft(
            organisation=world.org,
            key=f"test:extra:{client.pk}:{index}",
            kind="one_off",
            to_email=client.email,
            subject=f"Extra note {index}",
            text_body="Hello.",
            send_after=now,
            owner=client.coach,
        )
        Message.objects.filter(pk=sent.pk).update(
            state="sent", sent_at=now - timedelta(days=25 + index)
        )
    held = 0
    while held < extra:
        engagement = enrol(world, client, client.coach)
        for session in engagement.sessions.order_by("sequence"):
            if held >= extra:
                break
            session.status = CoachingSession.Status.HELD
            session.starts_at = now - timedelta(days=40 + held)
            session.save()
            PurposeStatement.objects.create(
                client=client,
                session=session,
                text=f"Purpose, take {held}",
                created_at=session.starts_at,
            )
            held += 1
