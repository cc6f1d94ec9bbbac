"""Keeping coaching content only as long as an organisation decided: the kinds of content,
what is due, and removing it with a count in the audit log.

Accounts knows no app above it, so each app registers the kinds of content it keeps (session
notes from coaching, check-in answers, transcripts) in its `AppConfig.ready()`. A kind says
how many items are due before a cut-off and removes them; this module turns an organisation's
settings into cut-offs, previews and the daily run.

The clock counts whole days in the organisation's time zone from the day an engagement
ended: kept for 30 days, content of an engagement that ended on 1 December goes on
31 December, whatever the hour the run happens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from .audit import audit_record
from .models import AuditAction, Organisation

MIN_DAYS, MAX_DAYS = 7, 3650


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # "Session notes"
    unit: str  # "note"
    # (organisation, ended_before) -> [(ended_on local date, count)] for everything kept
    # whose engagement ended before `ended_before` (None: every ended engagement).
    due: Callable[[Organisation, datetime | None], list[tuple[date, int]]]
    # (organisation, ended_before) -> how many items it removed.
    remove: Callable[[Organisation, datetime], int]


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    _kinds[kind.key] = kind


def kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: kind.key)


def _zone(organisation: Organisation) -> ZoneInfo:
    return ZoneInfo(organisation.time_zone or "UTC")


def local_day(organisation: Organisation, moment: datetime) -> date:
    return timezone.localtime(moment, _zone(organisation)).date()


def ended_before(organisation: Organisation, days: int, now: datetime) -> datetime:
    """Content of engagements that ended before this moment is due today: the start of the
    day after (today - days), in the organisation's zone."""
    day = local_day(organisation, now) - timedelta(days=days) + timedelta(days=1)
    return datetime.combine(day, time.min, _zone(organisation))


def clean_settings(values: dict) -> dict[str, int]:
    """Only known kinds, whole days within bounds; anything else is refused."""
    clean = {}
    for key, days in values.items():
        if key not in _kinds:
            raise ValueError(f"Unknown kind of content: {key}")
        if days in (None, ""):
            continue
        if isinstance(days, bool) or not isinstance(days, int):
            raise ValueError("Keep content for a whole number of days.")
        if not MIN_DAYS <= days <= MAX_DAYS:
            raise ValueError(f"Keep content between {MIN_DAYS} and {MAX_DAYS} days.")
        clean[key] = days
    return clean


@dataclass(frozen=True)
class KindPreview:
    kind: Kind
    days: int | None
    due_now: int
    upcoming: list[tuple[date, int]]  # (the day it goes, how many), soonest first


def preview(
    organisation: Organisation, settings: dict[str, int] | None = None, *, now=None
) -> list[KindPreview]:
    """What the settings (the saved ones unless given) would remove today and on later days.
    Counts and dates only: an admin reads this."""
    now = now or timezone.now()
    settings = organisation.retention if settings is None else settings
    today = local_day(organisation, now)
    result = []
    for kind in kinds():
        days = settings.get(kind.key)
        if not days:
            result.append(KindPreview(kind, None, 0, []))
            continue
        due_now, later = 0, {}
        for ended_on, count in kind.due(organisation, None):
            goes_on = ended_on + timedelta(days=days)
            if goes_on <= today:
                due_now += count
            else:
                later[goes_on] = later.get(goes_on, 0) + count
        result.append(KindPreview(kind, days, due_now, sorted(later.items())))
    return result


def apply(organisation: Organisation, *, now=None) -> dict[str, int]:
    """Removes what is due for one organisation, each kind in its own transaction, and records
    the counts (never the content) in the audit log."""
    now = now or timezone.now()
    removed = {}
    for kind in kinds():
        days = (organisation.retention or {}).get(kind.key)
        if not days:
            continue
        with transaction.atomic():
            count = kind.remove(organisation, ended_before(organisation, days, now))
            if count:
                audit_record(
                    organisation=organisation,
                    actor=None,
                    action=AuditAction.RETENTION_APPLIED,
                    object_type=kind.key,
                    detail={"removed": count, "kept_days": days},
                )
        removed[kind.key] = count
    return removed


def apply_all(*, now=None) -> dict[str, int]:
    """The daily run: every organisation that set a keeping time. Safe to repeat."""
    totals: dict[str, int] = {}
    for organisation in Organisation.objects.all():
        if not organisation.retention:
            continue
        for key, count in apply(organisation, now=now).items():
            totals[key] = totals.get(key, 0) + count
    return totals
