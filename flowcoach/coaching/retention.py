"""Session notes as a kind of content an organisation may keep for a set time after an
engagement ends (accounts/retention.py). Only the notes go; the session, its timing, record
and commitments stay, so figures over months still add up."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Count

from flowcoach.accounts import retention
from flowcoach.accounts.models import Organisation

from .models import SessionNote


def _ended_notes(organisation: Organisation, ended_before: datetime | None):
    notes = SessionNote.objects.filter(
        session__engagement__organisation=organisation,
        session__engagement__ended_at__isnull=False,
    )
    if ended_before is not None:
        notes = notes.filter(session__engagement__ended_at__lt=ended_before)
    return notes


def notes_due(organisation: Organisation, ended_before: datetime | None) -> list[tuple[date, int]]:
    by_day: Counter[date] = Counter()
    rows = (
        _ended_notes(organisation, ended_before)
        .values("session__engagement__ended_at")
        .annotate(count=Count("pk"))
    )
    for row in rows:
        by_day[retention.local_day(organisation, row["session__engagement__ended_at"])] += row[
            "count"
        ]
    return sorted(by_day.items())


def notes_remove(organisation: Organisation, ended_before: datetime) -> int:
    _, removed = _ended_notes(organisation, ended_before).delete()
    return removed.get(SessionNote._meta.label, 0)


SESSION_NOTES = retention.Kind(
    key="session_notes",
    label="Session notes",
    unit="note",
    due=notes_due,
    remove=notes_remove,
)
