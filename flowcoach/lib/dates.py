"""Dates and times as people say them (docs: UX "Time and dates"): "today", "tomorrow",
"Mon 14 Dec", "in 3 days", and zones as places ("London time")."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta

from django.utils import timezone


def zone_place(time_zone: str) -> str:
    """ "Europe/London" -> "London time"; "UTC" stays "UTC"."""
    if "/" not in time_zone:
        return time_zone
    return f"{time_zone.rsplit('/', 1)[1].replace('_', ' ')} time"


def local_zone(time_zone: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(time_zone)


def local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone))


def today_in(time_zone: str, now: datetime | None = None) -> date:
    return local(now or timezone.now(), time_zone).date()


def short_day(day: date, today: date | None = None) -> str:
    """ "Mon 14 Dec", with the year only when it is not this year."""
    text = f"{day:%a} {day.day} {day:%b}"
    if today is not None and day.year != today.year:
        text += f" {day.year}"
    return text


def day_words(day: date, today: date) -> str:
    """ "today", "tomorrow", "yesterday", else "Mon 14 Dec"."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    return short_day(day, today)


def days_text(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def distance(day: date, today: date) -> str:
    """ "today", "in 3 days", "2 days ago"."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta > 0:
        return "tomorrow" if delta == 1 else f"in {days_text(delta)}"
    return "yesterday" if delta == -1 else f"{days_text(-delta)} ago"


def moment_words(moment: datetime, time_zone: str, now: datetime | None = None) -> str:
    """ "today 14:30", "tomorrow 09:00", "Mon 14 Dec 10:00" in the given zone."""
    there = local(moment, time_zone)
    return f"{day_words(there.date(), today_in(time_zone, now))} {there:%H:%M}"


def week_end(today: date) -> date:
    """The last day of the coming seven: what "this week" means on Home, whatever the
    weekday (a Sunday must still show the week ahead)."""
    return today + timedelta(days=6)
