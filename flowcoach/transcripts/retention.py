"""Transcript words as a kind of content an organisation keeps for a set time after an
engagement ends (accounts/retention.py). The words go, kept lines included; the figures and
the who-spoke-when timeline stay, so a coach's trends still add up."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.db.models import Q

from flowcoach.accounts import retention
from flowcoach.accounts.models import Organisation

from .models import Transcript


def _ended_with_words(organisation: Organisation, ended_before: datetime | None):
    transcripts = Transcript.objects.filter(
        session__engagement__organisation=organisation,
        session__engagement__ended_at__isnull=False,
    ).filter(Q(text_discarded_at__isnull=True) | ~Q(kept_lines=[]))
    if ended_before is not None:
        transcripts = transcripts.filter(session__engagement__ended_at__lt=ended_before)
    return transcripts


def transcripts_due(
    organisation: Organisation, ended_before: datetime | None
) -> list[tuple[date, int]]:
    by_day: Counter[date] = Counter()
    for ended_at in _ended_with_words(organisation, ended_before).values_list(
        "session__engagement__ended_at", flat=True
    ):
        by_day[retention.local_day(organisation, ended_at)] += 1
    return sorted(by_day.items())


def transcripts_remove(organisation: Organisation, ended_before: datetime) -> int:
    from .services import transcript_keep_and_discard

    count = 0
    for transcript in _ended_with_words(organisation, ended_before):
        transcript_keep_and_discard(transcript=transcript, keep=[])
        Transcript.objects.filter(pk=transcript.pk).update(kept_lines=[])
        count += 1
    return count


TRANSCRIPT_WORDS = retention.Kind(
    key="transcript_words",
    label="Words of session transcripts",
    unit="transcript",
    due=transcripts_due,
    remove=transcripts_remove,
)
