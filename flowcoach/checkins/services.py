"""Every write of the check-ins, one transaction each, and the weekly rhythm the worker runs.

Writes from a browser are idempotent: a check-in is one row per week (answering again edits
it), a commitment made from an answer has a UUID derived from the week and its word, and
commitment updates and progress lines carry a UUID made when the form was drawn. A double
submit therefore stores one record."""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.utils import timezone

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement, Reflection

from . import emails, rhythm
from .models import (
    Checkin,
    CheckinCommitment,
    CheckinSchedule,
    CommitmentUpdate,
    EmailPreference,
    ProgressLog,
)

WORDS = [value for value, _ in Reflection.choices]
# A worker that was down longer than this does not send last week's invitation late: the
# next week's goes on time instead.
CATCH_UP = timedelta(days=1)
LOG_LENGTH = 280


class CheckinError(Exception):
    """A change refused, with a reason fit to show the client."""


class CheckinClosed(CheckinError):
    pass


@dataclass
class CommitmentAnswer:
    commitment: Commitment
    state: str
    comment: str


def _touch(commitment: Commitment, state: str, now: datetime) -> None:
    """The client's new state for a commitment. Its version rises, so a runner tab open on
    an older state is told rather than overwriting it."""
    if commitment.state != state:
        commitment.state = state
        commitment.version += 1
        commitment.updated_at = now
        commitment.save(update_fields=["state", "version", "updated_at"])


def _check_rating(value: int | None, low: int, high: int, label: str) -> None:
    if value is not None and not low <= value <= high:
        raise CheckinError(f"{label} is a number from {low} to {high}.")


# --- answering --------------------------------------------------------------------------------


@transaction.atomic
def checkin_answer(
    *,
    checkin: Checkin,
    more: str = "",
    better: str = "",
    different: str = "",
    energy: int | None = None,
    identity_rating: int | None = None,
    role_rating: int | None = None,
    note: str = "",
    commit_words: Iterable[str] = (),
    commitments: Iterable[CommitmentAnswer] = (),
    now: datetime | None = None,
) -> Checkin:
    """Store (or change) the week's answers. Refused once the week has closed."""
    now = now or timezone.now()
    checkin = Checkin.objects.select_for_update().select_related("engagement").get(pk=checkin.pk)
    if rhythm.is_closed(checkin, now):
        raise CheckinClosed("This week's check-in has closed, so it can no longer change.")
    _check_rating(energy, 1, 10, "Energy")
    _check_rating(identity_rating, 0, 10, "The identity rating")
    _check_rating(role_rating, 0, 10, "The role rating")
    answers = {"more": more.strip(), "better": better.strip(), "different": different.strip()}
    commit_words = set(commit_words) & set(WORDS)
    for word in commit_words:
        if not answers[word]:
            raise CheckinError(f"Write your “{word}” answer before committing to it.")
    for field, value in answers.items():
        setattr(checkin, field, value)
    checkin.energy = energy
    checkin.identity_rating = identity_rating
    checkin.role_rating = role_rating
    checkin.note = note.strip()
    if not checkin.is_answered:
        checkin.answered_at = now
        late = now > checkin.remind_at
        checkin.state = Checkin.State.LATE if late else Checkin.State.ANSWERED
        if checkin.reminder == Checkin.Reminder.NONE:
            checkin.reminder = Checkin.Reminder.NOT_NEEDED
    checkin.updated_at = now
    checkin.save()
    _convert(checkin, answers, commit_words, now)
    for answer in commitments:
        _commitment_answer(checkin, answer, now)
    emails.reminder_withdraw(checkin)
    return checkin


def _convert(checkin: Checkin, answers: dict, commit_words: set[str], now: datetime) -> None:
    """Ticked answers become commitments for the coming week, tagged with their word; an
    untick takes back a commitment nobody has touched since."""
    existing = {
        c.word: c
        for c in CheckinCommitment.objects.filter(checkin=checkin).select_related("commitment")
    }
    for word in WORDS:
        conversion = existing.get(word)
        if word in commit_words:
            if conversion is None:
                commitment = Commitment.objects.create(
                    client_id=checkin.client_id,
                    uuid=uuid_lib.uuid5(checkin.uuid, f"commit:{word}"),
                    owner=Commitment.Owner.CLIENT,
                    text=answers[word],
                    due_date=(
                        checkin.closes_at.astimezone(ZoneInfo(checkin.client.time_zone))
                    ).date(),
                    created_at=now,
                    updated_at=now,
                )
                CheckinCommitment.objects.create(checkin=checkin, word=word, commitment=commitment)
            elif conversion.commitment.text != answers[word]:
                commitment = conversion.commitment
                commitment.text = answers[word]
                commitment.version += 1
                commitment.updated_at = now
                commitment.save(update_fields=["text", "version", "updated_at"])
        elif conversion is not None:
            commitment = conversion.commitment
            untouched = (
                commitment.state == Commitment.State.OPEN
                and not commitment.updates.exists()
                and not commitment.progress_logs.exists()
            )
            if untouched:
                commitment.delete()


def _commitment_answer(checkin: Checkin, answer: CommitmentAnswer, now: datetime) -> None:
    if answer.state not in Commitment.State.values:
        raise CheckinError("Choose how the commitment went from the list.")
    key = uuid_lib.uuid5(checkin.uuid, f"update:{answer.commitment.uuid}")
    comment = answer.comment.strip()
    existing = CommitmentUpdate.objects.filter(uuid=key).first()
    if answer.state == answer.commitment.state and not comment and existing is None:
        return
    if existing is None:
        CommitmentUpdate.objects.create(
            commitment=answer.commitment,
            checkin=checkin,
            uuid=key,
            state=answer.state,
            comment=comment,
            created_at=now,
            updated_at=now,
        )
    else:
        existing.state = answer.state
        existing.comment = comment
        existing.updated_at = now
        existing.save(update_fields=["state", "comment", "updated_at"])
    _touch(answer.commitment, answer.state, now)


# --- commitments in the client's hands ---------------------------------------------------------


@transaction.atomic
def commitment_update(
    *, commitment: Commitment, uuid: uuid_lib.UUID, state: str, comment: str = ""
) -> CommitmentUpdate:
    """The client marks how a commitment goes. The same form sent twice stores one update."""
    if state not in Commitment.State.values:
        raise CheckinError("Choose how it is going from the list.")
    existing = CommitmentUpdate.objects.filter(uuid=uuid).first()
    if existing is not None:
        if existing.commitment_id != commitment.pk:
            raise CheckinError("That form belongs to another commitment. Please try again.")
        return existing
    now = timezone.now()
    commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
    update = CommitmentUpdate.objects.create(
        commitment=commitment,
        uuid=uuid,
        state=state,
        comment=comment.strip(),
        created_at=now,
        updated_at=now,
    )
    _touch(commitment, state, now)
    return update


@transaction.atomic
def progress_log_add(
    *, commitment: Commitment, uuid: uuid_lib.UUID, day: date, text: str
) -> ProgressLog:
    """One line of progress for a day. The same form sent twice stores one line."""
    text = " ".join(text.split())
    if not text:
        raise CheckinError("Write a few words about what you did.")
    if len(text) > LOG_LENGTH:
        raise CheckinError(f"Keep it to one line ({LOG_LENGTH} characters at most).")
    today = timezone.now().astimezone(ZoneInfo(commitment.client.time_zone)).date()
    if day > today:
        raise CheckinError("Log what already happened: that day is still to come.")
    existing = ProgressLog.objects.filter(uuid=uuid).first()
    if existing is not None:
        if existing.commitment_id != commitment.pk:
            raise CheckinError("That form belongs to another commitment. Please try again.")
        return existing
    return ProgressLog.objects.create(commitment=commitment, uuid=uuid, day=day, text=text)


# --- settings ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_update(
    *, engagement: Engagement, enabled: bool, weekday: int, local_time: time
) -> CheckinSchedule:
    if weekday not in range(7):
        raise CheckinError("Choose a day of the week.")
    schedule, _ = CheckinSchedule.objects.select_for_update().get_or_create(engagement=engagement)
    schedule.enabled = enabled
    schedule.weekday = weekday
    schedule.local_time = local_time.replace(second=0, microsecond=0)
    schedule.updated_at = timezone.now()
    schedule.save()
    return schedule


@transaction.atomic
def preference_update(*, client: Client, checkin_reminders: bool) -> EmailPreference:
    preference, _ = EmailPreference.objects.select_for_update().get_or_create(client=client)
    if preference.checkin_reminders != checkin_reminders:
        preference.checkin_reminders = checkin_reminders
        preference.updated_at = timezone.now()
        preference.save()
    return preference


def reminders_wanted(client: Client) -> bool:
    try:
        return client.email_preference.checkin_reminders
    except EmailPreference.DoesNotExist:
        return True


# --- the weekly rhythm (run by the worker) -----------------------------------------------------


def _close(checkin: Checkin, now: datetime) -> None:
    checkin.closed_at = now
    fields = ["closed_at", "updated_at"]
    if checkin.state == Checkin.State.OPEN:
        checkin.state = Checkin.State.MISSED
        fields.append("state")
    checkin.updated_at = now
    checkin.save(update_fields=fields)
    # A week that closed is not worth an email any more, if none has gone yet.
    reason = "The week closed."
    emails.outbox.message_cancel_by_key(key=emails.reminder_key(checkin), reason=reason)
    if checkin.state == Checkin.State.MISSED:
        emails.outbox.message_cancel_by_key(key=emails.invitation_key(checkin), reason=reason)


def open_weeks(now: datetime) -> int:
    """Opens this week's check-in for every active engagement whose coaching has begun (a
    session held), closing the week before, and drafts its invitation."""
    held = CoachingSession.objects.filter(
        engagement=OuterRef("pk"), status=CoachingSession.Status.HELD
    )
    engagements = (
        Engagement.objects.filter(status=Engagement.Status.ACTIVE)
        .filter(Exists(held))
        .annotate(
            first_held=Min(
                "sessions__starts_at", filter=Q(sessions__status=CoachingSession.Status.HELD)
            )
        )
        .select_related("client", "coach", "organisation", "checkin_schedule")
    )
    due = []
    for engagement in engagements:
        on, weekday, at = rhythm.schedule_of(engagement)
        if not on:
            continue
        slot = rhythm.latest_slot(weekday, at, engagement.client.time_zone, now)
        if now - slot > CATCH_UP or (engagement.first_held and slot <= engagement.first_held):
            continue
        due.append((engagement, slot))
    if not due:
        return 0
    existing = set(
        Checkin.objects.filter(
            engagement_id__in=[e.pk for e, _ in due], opens_at__in=[s for _, s in due]
        ).values_list("engagement_id", "opens_at")
    )
    opened = 0
    for engagement, slot in due:
        if (engagement.pk, slot) not in existing and _open_week(engagement, slot, now):
            opened += 1
    return opened


@transaction.atomic
def _open_week(engagement: Engagement, slot: datetime, now: datetime) -> bool:
    zone = engagement.client.time_zone
    checkin, created = Checkin.objects.get_or_create(
        engagement=engagement,
        opens_at=slot,
        defaults={
            "client": engagement.client,
            "closes_at": rhythm.next_slot(slot, zone),
            "remind_at": slot + rhythm.REMIND_AFTER,
            "updated_at": now,
        },
    )
    if not created:
        return False
    earlier = Checkin.objects.select_for_update().filter(
        engagement=engagement, closed_at__isnull=True, opens_at__lt=slot
    )
    for week in earlier:
        _close(week, now)
    emails.invitation_draft(checkin, rhythm.closing_time(checkin))
    return True


def close_weeks(now: datetime) -> int:
    """Records every week whose time is up as closed, and an unanswered one as missed."""
    weeks = list(Checkin.objects.filter(closed_at__isnull=True).order_by("opens_at"))
    if not weeks:
        return 0
    starts: dict[int, list[datetime]] = {}
    sessions = CoachingSession.objects.filter(
        engagement_id__in={w.engagement_id for w in weeks},
        status__in=rhythm.CLOSING_STATES,
        starts_at__gt=min(w.opens_at for w in weeks),
        starts_at__lte=now,
    ).values_list("engagement_id", "starts_at")
    for engagement_id, starts_at in sessions:
        starts.setdefault(engagement_id, []).append(starts_at)
    closed = 0
    for week in weeks:
        session_began = any(s > week.opens_at for s in starts.get(week.engagement_id, []))
        if now >= week.closes_at or session_began:
            with transaction.atomic():
                locked = Checkin.objects.select_for_update().get(pk=week.pk)
                if locked.closed_at is None:
                    _close(locked, now)
                    closed += 1
    return closed


def send_reminders(now: datetime) -> int:
    """One reminder per unanswered week, when its time comes, unless the client switched
    reminders off."""
    weeks = Checkin.objects.filter(
        closed_at__isnull=True,
        state=Checkin.State.OPEN,
        reminder=Checkin.Reminder.NONE,
        remind_at__lte=now,
    ).select_related("client__email_preference", "engagement__coach", "engagement__organisation")
    sent = 0
    for week in weeks:
        with transaction.atomic():
            locked = Checkin.objects.select_for_update().get(pk=week.pk)
            if locked.reminder != Checkin.Reminder.NONE or locked.state != Checkin.State.OPEN:
                continue
            if not reminders_wanted(week.client):
                locked.reminder = Checkin.Reminder.SKIPPED
            else:
                emails.reminder_draft(week, rhythm.closing_time(week))
                locked.reminder = Checkin.Reminder.DRAFTED
                sent += 1
            locked.save(update_fields=["reminder"])
    return sent


def rhythm_run(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "opened": open_weeks(now),
        "closed": close_weeks(now),
        "reminded": send_reminders(now),
    }
