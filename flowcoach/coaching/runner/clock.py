"""The live session's clock and its end: the timing log (start, next segment, pause, resume,
finish), the seconds spent in each segment, and completing the session, which closes the
log, marks the session held and drafts the follow-up.

Kept apart from `runner/services.py`, which holds the autosaved writes (notes, commitments,
the record, the purpose statement); the validation and the record come from there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from flowcoach.coaching import services
from flowcoach.coaching.models import CoachingSession, Commitment, SessionNote, SessionRecord

from .services import RunnerError, check_writable, record_of, segment_count

TIMING_EVENTS = ("start", "next", "pause", "resume", "finish")
# A browser's clock may be a little ahead of ours; beyond this we use our own time.
CLOCK_SLACK = timedelta(seconds=5)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def current_segment(timing: list[dict]) -> int:
    return timing[-1]["segment"] if timing else 0


def is_running(timing: list[dict]) -> bool:
    return bool(timing) and timing[-1].get("ended_at") is None


def _clamp(at: datetime | None, timing: list[dict], now: datetime) -> datetime:
    """The browser's time of the event (it may have waited offline), kept between the last
    logged moment and now, so the log only moves forward."""
    if at is None or at > now + CLOCK_SLACK:
        at = now
    at = min(at, now)
    if timing:
        last = _parse(timing[-1].get("ended_at")) or _parse(timing[-1]["started_at"])
        at = max(at, last)
    return at


@transaction.atomic
def timing_event(
    *,
    session: CoachingSession,
    event: str,
    at: datetime | None = None,
    segment: int | None = None,
) -> SessionRecord:
    """Appends to the session's timing log. Each event is safe to repeat: starting a started
    session, pausing a paused one or moving to the segment it is already on changes nothing.
    `segment` with `next` names the segment to move to (a retry then cannot skip one)."""
    check_writable(session)
    if event not in TIMING_EVENTS:
        raise RunnerError("Use start, next, pause, resume or finish.")
    record = record_of(session, lock=True)
    if record.completed_at is not None:
        raise RunnerError("This session is complete; its timing is closed.")
    now = timezone.now()
    timing = list(record.timing or [])
    at = _clamp(at, timing, now)
    count = max(segment_count(session), 1)

    def close():
        if is_running(timing):
            timing[-1] = {**timing[-1], "ended_at": _iso(at)}

    if event == "start":
        if not timing:
            timing.append({"segment": 0, "started_at": _iso(at), "ended_at": None})
            record.started_at = at
    elif not timing:
        raise RunnerError("Start the session first.")
    elif event == "next":
        target = current_segment(timing) + 1 if segment is None else segment
        if not isinstance(target, int) or not 0 <= target < count:
            raise RunnerError("There is no next segment: this is the last one.")
        if target != current_segment(timing):
            close()
            timing.append({"segment": target, "started_at": _iso(at), "ended_at": None})
    elif event == "pause":
        close()
    elif event == "resume":
        if not is_running(timing):
            timing.append(
                {"segment": current_segment(timing), "started_at": _iso(at), "ended_at": None}
            )
    elif event == "finish":
        close()
    if timing != record.timing:
        record.timing = timing
        record.save(update_fields=["timing", "started_at"])
    return record


def actual_seconds(timing: list[dict], count: int, now: datetime | None = None) -> list[int]:
    """Seconds spent in each segment, an open stretch counted up to now."""
    now = now or timezone.now()
    seconds = [0] * max(count, 1)
    for stretch in timing or []:
        start = _parse(stretch["started_at"])
        end = _parse(stretch.get("ended_at")) or now
        index = stretch["segment"]
        if 0 <= index < len(seconds):
            seconds[index] += max(0, int((end - start).total_seconds()))
    return seconds


# --- completion --------------------------------------------------------------------------------


def recap_text(session: CoachingSession, record: SessionRecord) -> str:
    """What the client may read: notes marked shared, and the adjustments to work on. Coach-
    only notes and the rest of the worksheet never enter it."""
    lines = [
        f"- {note.body.strip()}"
        for note in session.notes.filter(
            deleted_at__isnull=True, visibility=SessionNote.Visibility.SHARED
        ).order_by("created_at", "id")
        if note.body.strip()
    ]
    if record.adjustments.strip():
        lines += ["", "What you will work on:", record.adjustments.strip()]
    return "\n".join(lines)


def commitments_text(session: CoachingSession) -> str:
    lines = []
    for commitment in session.commitments.exclude(state=Commitment.State.DROPPED).order_by(
        "created_at", "id"
    ):
        who = "You" if commitment.owner == Commitment.Owner.CLIENT else "Your coach"
        due = f" (by {commitment.due_date:%-d %B %Y})" if commitment.due_date else ""
        lines.append(f"- {who}: {commitment.text}{due}")
    return "\n".join(lines)


@transaction.atomic
def session_complete(*, session: CoachingSession, now: datetime | None = None) -> SessionRecord:
    """Closes the timing, marks the session held and drafts the follow-up email for the coach
    to approve. Completing again changes nothing (and never overwrites the coach's edits of
    the draft)."""
    from flowcoach.coaching import emails

    now = now or timezone.now()
    check_writable(session)
    record = record_of(session, lock=True)
    if record.completed_at is not None:
        return record
    session = (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("engagement__client", "engagement__coach", "template_version")
        .get(pk=session.pk)
    )
    if is_running(record.timing):
        timing = list(record.timing)
        timing[-1] = {**timing[-1], "ended_at": _iso(_clamp(now, timing, now))}
        record.timing = timing
    record.completed_at = now
    record.save(update_fields=["timing", "completed_at"])
    if session.status != CoachingSession.Status.HELD:
        session.status = CoachingSession.Status.HELD
        session.save(update_fields=["status"])
    from flowcoach.outbox.services import OutboxError

    try:
        emails.session_follow_up_draft(
            session=session,
            recap_text=recap_text(session, record),
            commitments_text=commitments_text(session),
        )
    except OutboxError as error:
        raise RunnerError(f"The follow-up email could not be prepared: {error}") from None
    services.engagement_extend_recurring(engagement=session.engagement, now=now)
    return record
