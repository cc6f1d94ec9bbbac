"""A client's progress over months, for their coach and (shared parts only) for the client.

Reads commitments by the month they were made and what became of them, the purpose
statement's versions with what changed between them, and the timing of held sessions against
their plan. Apps above coaching add their own sections (check-in rhythm, energy and
ratings) through `register_section`, so this module imports no sibling."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment, PurposeStatement
from flowcoach.coaching.runner.clock import actual_seconds

from .charts import BarChart, Series, side_by_side, stacked_bars
from .figures import months_back

STATES = [
    Series(Commitment.State.KEPT, "Kept", "solid"),
    Series(Commitment.State.PARTLY_KEPT, "Partly kept", "hatched"),
    Series(Commitment.State.MISSED, "Missed", "dotted"),
    Series(Commitment.State.DROPPED, "Dropped", "crossed"),
    Series(Commitment.State.OPEN, "Still open", "outline"),
]
TIMING = [Series("planned", "Planned", "outline"), Series("actual", "Actual", "solid")]


@dataclass
class CommitmentMonth:
    month: date
    counts: dict[str, int]

    @property
    def made(self) -> int:
        return sum(self.counts.values())


@dataclass
class PurposeVersion:
    text: str
    session_code: str
    on: date
    changes: SafeString | None  # the text with words added and removed marked


@dataclass
class TimingRow:
    session: CoachingSession
    planned: int
    actual: int
    segments: list[tuple[str, int, int, int]]  # name, planned min, planned max, actual


@dataclass
class Progress:
    client: Client
    commitment_months: list[CommitmentMonth]
    commitments_chart: BarChart
    commitments_reading: str
    purposes: list[PurposeVersion]
    timing: list[TimingRow] = field(default_factory=list)
    timing_chart: BarChart | None = None
    timing_reading: str = ""
    sections: list[dict] = field(default_factory=list)


# (client, months, shared_only) -> a dict for the template: {"title", "template", ...}
Section = Callable[[Client, list[date], bool], dict | None]
_sections: list[Section] = []


def register_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def word_changes(before: str, after: str) -> SafeString:
    """`after` with the words added since `before` in <ins> and the ones removed in <del>."""
    old, new = before.split(), after.split()
    parts = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if op in ("replace", "delete"):
            parts.append(f"<del>{escape(' '.join(old[a1:a2]))}</del>")
        if op in ("replace", "insert"):
            parts.append(f"<ins>{escape(' '.join(new[b1:b2]))}</ins>")
        if op == "equal":
            parts.append(escape(" ".join(new[b1:b2])))
    return mark_safe(" ".join(parts))  # every piece escaped above


def _month_name(month: date) -> str:
    return month.strftime("%b")


def client_progress(
    client: Client, *, shared_only: bool = False, months: int = 6, now: datetime | None = None
) -> Progress:
    zone = ZoneInfo(client.organisation.time_zone or "UTC")
    now = now or timezone.now()
    month_list = months_back(timezone.localtime(now, zone).date(), months)
    start = datetime.combine(month_list[0], datetime.min.time(), zone)

    # --- commitments made per month and what became of them ----------------------------------
    by_month = {month: dict.fromkeys(Commitment.State.values, 0) for month in month_list}
    commitments = Commitment.objects.filter(client=client, created_at__gte=start).values_list(
        "created_at", "state"
    )
    for created, state in commitments:
        month = timezone.localtime(created, zone).date().replace(day=1)
        if month in by_month:
            by_month[month][state] += 1
    rows = [CommitmentMonth(month, counts) for month, counts in by_month.items()]
    chart = stacked_bars(
        "Commitments made each month, by what became of them",
        [(_month_name(row.month), row.counts) for row in rows],
        STATES,
    )
    latest = next((row for row in reversed(rows) if row.made), None)
    reading = (
        f"Kept {latest.counts[Commitment.State.KEPT]} of {latest.made} commitments made in "
        f"{latest.month:%B}."
        if latest
        else "No commitments made in the last six months yet."
    )

    # --- the purpose statement as it grew ----------------------------------------------------
    statements = list(
        PurposeStatement.objects.filter(client=client)
        .select_related("session")
        .order_by("created_at", "pk")
    )
    if shared_only:
        # The client sees a statement once its session is held and summarised for them.
        statements = [s for s in statements if s.session.status == CoachingSession.Status.HELD]
    purposes = []
    for index, statement in enumerate(statements):
        previous = statements[index - 1].text if index else None
        purposes.append(
            PurposeVersion(
                statement.text,
                statement.session.code,
                timezone.localtime(statement.created_at, zone).date(),
                word_changes(previous, statement.text) if previous is not None else None,
            )
        )

    progress = Progress(client, rows, chart, reading, purposes)

    # --- timing discipline: for the coach ---------------------------------------------------
    if not shared_only:
        held = (
            CoachingSession.objects.filter(
                engagement__client=client,
                status=CoachingSession.Status.HELD,
                record__started_at__isnull=False,
            )
            .select_related("template_version", "record")
            .order_by("-starts_at")[:8]
        )
        for session in reversed(list(held)):
            segments = session.template_version.segments or []
            seconds = actual_seconds(session.record.timing, len(segments), now)
            detail = [
                (
                    segment.get("name", f"Part {n + 1}"),
                    segment.get("minutes_min", 0),
                    segment.get("minutes_max", 0),
                    round(seconds[n] / 60) if n < len(seconds) else 0,
                )
                for n, segment in enumerate(segments)
            ]
            planned = sum(max_minutes for _, _, max_minutes, _ in detail) or (
                session.duration_minutes
            )
            progress.timing.append(TimingRow(session, planned, round(sum(seconds) / 60), detail))
        if progress.timing:
            progress.timing_chart = side_by_side(
                "Planned and actual minutes per session",
                [
                    (row.session.code, {"planned": row.planned, "actual": row.actual})
                    for row in progress.timing
                ],
                TIMING,
                unit=" min",
            )
            within = sum(1 for row in progress.timing if row.actual <= row.planned)
            progress.timing_reading = (
                f"{within} of the last {len(progress.timing)} sessions ran within their plan."
            )

    for section in _sections:
        data = section(client, month_list, shared_only)
        if data:
            progress.sections.append(data)
    return progress
