"""When a week's check-in opens, reminds and closes, in the client's own time zone.

A week opens at the engagement's weekday and time where the client lives, and closes when
the next one opens or when the client's next session starts, whichever comes first; until
then the client can change their answers. The reminder goes two days after the invitation
if nothing has come back."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flowcoach.coaching.models import CoachingSession

from .models import DEFAULT_TIME, DEFAULT_WEEKDAY, Checkin, CheckinSchedule

REMIND_AFTER = timedelta(days=2)
# Sessions that close a week when they start: booked or already run.
CLOSING_STATES = (
    CoachingSession.Status.SCHEDULED,
    CoachingSession.Status.HELD,
    CoachingSession.Status.NO_SHOW,
)


def _at(day, at: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def latest_slot(weekday: int, at: time, zone_name: str, now: datetime) -> datetime:
    """The most recent opening time at or before `now` (UTC), counted on the client's clock so
    a change to or from summer time keeps the local hour."""
    zone = ZoneInfo(zone_name)
    local_now = now.astimezone(zone)
    day = local_now.date() - timedelta(days=(local_now.weekday() - weekday) % 7)
    slot = _at(day, at, zone)
    if slot > now:
        slot = _at(day - timedelta(days=7), at, zone)
    return slot


def next_slot(slot: datetime, zone_name: str) -> datetime:
    zone = ZoneInfo(zone_name)
    local = slot.astimezone(zone)
    return _at(local.date() + timedelta(days=7), local.timetz().replace(tzinfo=None), zone)


def schedule_of(engagement) -> tuple[bool, int, time]:
    """(on, weekday, local time) for an engagement whose `checkin_schedule` may be missing."""
    try:
        schedule = engagement.checkin_schedule
    except CheckinSchedule.DoesNotExist:
        return True, DEFAULT_WEEKDAY, DEFAULT_TIME
    return schedule.enabled, schedule.weekday, schedule.local_time


def first_session_after(checkin: Checkin) -> datetime | None:
    return (
        CoachingSession.objects.filter(
            engagement_id=checkin.engagement_id,
            status__in=CLOSING_STATES,
            starts_at__gt=checkin.opens_at,
        )
        .order_by("starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )


def closing_time(checkin: Checkin) -> datetime:
    session_start = first_session_after(checkin)
    if session_start is not None and session_start < checkin.closes_at:
        return session_start
    return checkin.closes_at


def is_closed(checkin: Checkin, now: datetime) -> bool:
    return checkin.closed_at is not None or now >= closing_time(checkin)
