"""Check-in words as a kind of content an organisation may keep for a set time after an
engagement ends (accounts/retention.py). The answers, the note to the coach, commitment
comments and progress lines go; the weeks themselves, their states and ratings stay, so the
rhythm's figures still add up."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Count, Q

from flowcoach.accounts import retention
from flowcoach.accounts.models import Organisation

from .models import Checkin, CommitmentUpdate, ProgressLog

WORDS = Q(more__gt="") | Q(better__gt="") | Q(different__gt="") | Q(note__gt="")


def _ended(organisation: Organisation, ended_before: datetime | None):
    weeks = Checkin.objects.filter(
        engagement__organisation=organisation, engagement__ended_at__isnull=False
    ).filter(WORDS)
    if ended_before is not None:
        weeks = weeks.filter(engagement__ended_at__lt=ended_before)
    return weeks


def answers_due(
    organisation: Organisation, ended_before: datetime | None
) -> list[tuple[date, int]]:
    by_day: Counter[date] = Counter()
    rows = _ended(organisation, ended_before).values("engagement__ended_at").annotate(n=Count("pk"))
    for row in rows:
        by_day[retention.local_day(organisation, row["engagement__ended_at"])] += row["n"]
    return sorted(by_day.items())


def answers_remove(organisation: Organisation, ended_before: datetime) -> int:
    weeks = _ended(organisation, ended_before)
    engagements = list(weeks.values_list("engagement_id", flat=True).distinct())
    removed = weeks.update(more="", better="", different="", note="")
    CommitmentUpdate.objects.filter(checkin__engagement_id__in=engagements).update(comment="")
    ProgressLog.objects.filter(
        commitment__checkin_source__checkin__engagement_id__in=engagements
    ).delete()
    return removed


CHECKIN_ANSWERS = retention.Kind(
    key="checkin_answers",
    label="Check-in answers",
    unit="check-in",
    due=answers_due,
    remove=answers_remove,
)
