"""Demo check-ins: weeks of them for each coached client, in every state (answered, answered
late, missed, and this week's still open), answers that became commitments, commitments in
every state with progress lines, and identity and role ratings that move over the weeks.
Written directly as history (the services rightly refuse to answer a closed week); a client
who already has check-ins is left alone, so running it again changes nothing."""

from __future__ import annotations

import itertools
import uuid
import zlib
from datetime import timedelta

from django.db.models import Min, Q
from django.utils import timezone

from flowcoach.checkins import rhythm
from flowcoach.checkins.models import (
    DEFAULT_TIME,
    DEFAULT_WEEKDAY,
    Checkin,
    CheckinCommitment,
    CommitmentUpdate,
    ProgressLog,
)
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement
from flowcoach.demo.engagements import RECAPS_WAITING

MORE = [
    "Pick up the phone before I write a long email",
    "Ask one more question before I answer",
    "Book the follow-up before I leave the call",
    "Share a quick win with the team on Fridays",
    "Keep the first hour of the day for new conversations",
]
BETTER = [
    "Prepare my first two questions for every discovery call",
    "Let the buyer finish the sentence before I jump in",
    "Write the next step into the calendar invite",
    "Send my recap the same afternoon",
    "Say the price without apologising for it",
]
DIFFERENT = [
    "Leave email closed between calls",
    "Take a walk after lunch instead of scrolling",
    "Let a silence sit instead of filling it",
    "Walk away from the deal that does not fit",
    "Read my purpose statement on Monday mornings",
]
NOTES = [
    "Two deals slipped, but I kept my mornings for prospecting.",
    "",
    "I felt more like myself on calls this week.",
    "Could we talk about the pricing conversation next time?",
    "",
]
PROGRESS = [
    "Did it on three calls today",
    "Forgot in the morning, caught it in the afternoon",
    "Two buyers said the recap helped",
    "Blocked the hour; one meeting tried to take it",
]
# Oldest first; the newest closed weeks end the pattern, so every state shows near the top.
PATTERN = ["answered", "late", "answered", "missed", "answered", "late", "answered", "answered"]
SETTLED = [
    Commitment.State.KEPT,
    Commitment.State.PARTLY_KEPT,
    Commitment.State.MISSED,
    Commitment.State.DROPPED,
]
MAX_WEEKS = 16


def _engagements(organisation):
    return (
        Engagement.objects.filter(organisation=organisation)
        .exclude(status=Engagement.Status.STOPPED)
        .annotate(
            first_held=Min(
                "sessions__starts_at", filter=Q(sessions__status=CoachingSession.Status.HELD)
            )
        )
        .filter(first_held__isnull=False)
        .select_related("client")
        .order_by("first_held")
    )


def _week(engagement: Engagement, opens, state: str, index: int, now) -> Checkin:
    zone = engagement.client.time_zone
    closes = rhythm.next_slot(opens, zone)
    remind = opens + rhythm.REMIND_AFTER
    week = Checkin(
        engagement=engagement,
        client=engagement.client,
        opens_at=opens,
        closes_at=closes,
        remind_at=remind,
        state=state,
        closed_at=closes if closes <= now else None,
        updated_at=opens,
    )
    if state in (Checkin.State.ANSWERED, Checkin.State.LATE):
        week.more = MORE[index % len(MORE)]
        week.better = BETTER[index % len(BETTER)]
        week.different = DIFFERENT[index % len(DIFFERENT)] if index % 2 else ""
        week.note = NOTES[index % len(NOTES)]
        week.energy = 4 + (index * 3) % 6
        # Identity climbs slowly as the coaching works; role performance wobbles with the
        # pipeline: the point of rating them apart.
        week.identity_rating = min(9, 4 + index // 2)
        week.role_rating = 5 + (index % 4) - (1 if index % 3 == 0 else 0)
        week.answered_at = opens + (
            timedelta(days=3, hours=2) if state == Checkin.State.LATE else timedelta(hours=20)
        )
        week.reminder = (
            Checkin.Reminder.DRAFTED if state == Checkin.State.LATE else Checkin.Reminder.NOT_NEEDED
        )
        week.updated_at = week.answered_at
    elif state == Checkin.State.MISSED:
        week.reminder = Checkin.Reminder.DRAFTED
    week.save()
    return week


def _commit(week: Checkin, index: int) -> Commitment:
    commitment = Commitment.objects.create(
        client=week.client,
        uuid=uuid.uuid5(week.uuid, "commit:better"),
        owner=Commitment.Owner.CLIENT,
        text=week.better,
        due_date=week.closes_at.date(),
        created_at=week.answered_at,
        updated_at=week.answered_at,
    )
    CheckinCommitment.objects.create(checkin=week, word="better", commitment=commitment)
    return commitment


def _follow_up(
    commitment: Commitment,
    week: Checkin,
    next_week: Checkin | None,
    index: int,
    turns: itertools.count,
):
    """Progress lines during the week, then the client's verdict in the next check-in."""
    for day in range(1, 1 + index % 3 + 1):
        moment = week.answered_at + timedelta(days=day)
        ProgressLog.objects.create(
            commitment=commitment,
            uuid=uuid.uuid5(commitment.uuid, f"log:{day}"),
            day=moment.date(),
            text=PROGRESS[(index + day) % len(PROGRESS)],
            created_at=moment,
        )
    if next_week is None or not next_week.answered_at:
        return
    # A turn is taken only by a verdict given, so every settled state shows in the demo.
    state = SETTLED[next(turns) % len(SETTLED)]
    CommitmentUpdate.objects.create(
        commitment=commitment,
        checkin=next_week,
        uuid=uuid.uuid5(next_week.uuid, f"update:{commitment.uuid}"),
        state=state,
        comment="Worked best on Tuesdays" if state == Commitment.State.PARTLY_KEPT else "",
        created_at=next_week.answered_at,
        updated_at=next_week.answered_at,
    )
    Commitment.objects.filter(pk=commitment.pk).update(
        state=state, updated_at=next_week.answered_at
    )


# Silent for two weeks, so each demo coach's Home has a client gone quiet (engagements.py).
GONE_QUIET = RECAPS_WAITING


def _client_weeks(client: Client, engagements: list, now, turns: itertools.count) -> int:
    zone = client.time_zone
    latest = rhythm.latest_slot(DEFAULT_WEEKDAY, DEFAULT_TIME, zone, now)
    first_held = min(e.first_held for e in engagements)
    slots = []
    slot = latest
    while slot > first_held and len(slots) < MAX_WEEKS:
        slots.append(slot)
        slot = slot - timedelta(days=7)
    slots.reverse()
    weeks: list[Checkin] = []
    for index, opens in enumerate(slots):
        engagement = [e for e in engagements if e.first_held < opens][-1]
        current = index == len(slots) - 1
        # This week: open for half the clients, answered for the others.
        if client.email in GONE_QUIET and opens > now - timedelta(days=15):
            # The clients Home shows as gone quiet stopped answering two weeks ago.
            state = "open" if current else "missed"
        elif current:
            # By the address, not the key: database keys differ between runs.
            state = "answered" if zlib.crc32(client.email.encode()) % 2 else "open"
        else:
            state = PATTERN[(index - len(slots) + 1) % len(PATTERN)]
        weeks.append(_week(engagement, opens, state, index, now))
    for index, week in enumerate(weeks):
        if week.answered_at and index % 2 == 0:
            commitment = _commit(week, index)
            following = weeks[index + 1] if index + 1 < len(weeks) else None
            _follow_up(commitment, week, following, index, turns)
    return len(weeks)


def seed_checkins(organisation) -> int:
    now = timezone.now()
    by_client: dict[int, list] = {}
    for engagement in _engagements(organisation):
        by_client.setdefault(engagement.client_id, []).append(engagement)
    made = 0
    # One turn through the settled states across all clients, so every state shows.
    turns = itertools.count()
    for engagements in by_client.values():
        client = engagements[0].client
        if Checkin.objects.filter(client=client).exists():
            continue
        made += _client_weeks(client, engagements, now, turns)
    return made
