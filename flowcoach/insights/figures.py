"""Organisation figures per coach and month, for admins: counts and rates computed from dates
and states only; no note, answer or commitment text is read.

Definitions (docs/insights.md says the same to admins):
- **Sessions held**: sessions marked held whose time falls in the month.
- **On time**: a held session whose run, from the runner's start to its completion, took no
  longer than the minutes planned for it plus five minutes of grace.
- **Commitments kept**: of the commitments due in the month that have an outcome (kept, partly
  kept, missed, dropped), the share kept.
- **Follow-ups sent by the next day**: of the sessions held in the month, the share whose
  follow-up email went out before the end of the following day (organisation time).
- **Check-in response rate**: answered check-ins over those sent, from any app that registers
  a source (`register_rate`); the check-ins app does.

A figure computed over fewer than three clients would let an admin read one client's answers
("kept 0 of 1"), so it is withheld and shown as "fewer than 3 clients"."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from flowcoach.accounts.models import Organisation, Role, User
from flowcoach.coaching.models import CoachingSession, Commitment
from flowcoach.outbox.models import Kind, Message, State

MIN_CLIENTS = 3
GRACE = timedelta(minutes=5)
RESOLVED = (
    Commitment.State.KEPT,
    Commitment.State.PARTLY_KEPT,
    Commitment.State.MISSED,
    Commitment.State.DROPPED,
)


@dataclass
class Tally:
    """One figure of one coach in one month: how many counted, how many met, over whom."""

    total: int = 0
    met: int = 0
    clients: set = field(default_factory=set)

    def add(self, client_id: int, met: bool) -> None:
        self.total += 1
        self.met += int(met)
        self.clients.add(client_id)

    @property
    def withheld(self) -> bool:
        return 0 < len(self.clients) < MIN_CLIENTS

    @property
    def rate(self) -> int | None:
        if not self.total or self.withheld:
            return None
        return round(100 * self.met / self.total)

    @property
    def text(self) -> str:
        if not self.total:
            return "—"
        if self.withheld:
            return "fewer than 3 clients"
        return f"{self.rate}% ({self.met} of {self.total})"


@dataclass
class CoachMonth:
    held: Tally = field(default_factory=Tally)
    on_time: Tally = field(default_factory=Tally)
    kept: Tally = field(default_factory=Tally)
    follow_up: Tally = field(default_factory=Tally)
    check_ins: Tally = field(default_factory=Tally)


# (organisation, start, end, month_of) -> [(coach_id, month, client_id, met)]: a source of
# check-in answers (or any other rate) registered by an app above coaching.
RateSource = Callable[[Organisation, datetime, datetime, Callable[[datetime], date]], list]
_rate_sources: dict[str, RateSource] = {}


def register_rate(name: str, source: RateSource) -> None:
    _rate_sources[name] = source


def months_back(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(months))


@dataclass
class Figures:
    months: list[date]
    coaches: list[User]
    cells: dict[tuple[int, date], CoachMonth]
    totals: dict[date, CoachMonth]

    def rows(self):
        for coach in self.coaches:
            yield (
                coach,
                [self.cells.get((coach.pk, month)) or CoachMonth() for month in self.months],
            )


def organisation_figures(
    organisation: Organisation, *, months: int = 6, now: datetime | None = None
) -> Figures:
    zone = ZoneInfo(organisation.time_zone or "UTC")
    now = now or timezone.now()
    month_list = months_back(timezone.localtime(now, zone).date(), months)
    start = datetime.combine(month_list[0], time.min, zone)
    end = now

    def month_of(moment: datetime) -> date:
        return timezone.localtime(moment, zone).date().replace(day=1)

    cells: dict[tuple[int, date], CoachMonth] = defaultdict(CoachMonth)

    # Every row below is tallied, not shown: order_by() drops the models' default ordering,
    # which on the large practice sorted 40,000 rows on disk for nothing.
    held = (
        CoachingSession.objects.filter(
            engagement__organisation=organisation,
            status=CoachingSession.Status.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .order_by()
        .values_list(
            "pk",
            "engagement__coach_id",
            "engagement__client_id",
            "starts_at",
            "duration_minutes",
            "record__started_at",
            "record__completed_at",
        )
    )
    held = list(held)
    sent = dict(
        Message.objects.filter(
            organisation=organisation,
            kind=Kind.FOLLOW_UP,
            state=State.SENT,
            key__startswith="session:",
            sent_at__gte=start,
        )
        .order_by()
        .values_list("key", "sent_at")
    )
    for pk, coach_id, client_id, starts_at, minutes, run_from, run_to in held:
        cell = cells[(coach_id, month_of(starts_at))]
        cell.held.add(client_id, True)
        if run_from and run_to:
            cell.on_time.add(client_id, run_to - run_from <= timedelta(minutes=minutes) + GRACE)
        finished = run_to or starts_at
        deadline = datetime.combine(
            timezone.localtime(finished, zone).date() + timedelta(days=2), time.min, zone
        )
        went = sent.get(f"session:{pk}:follow_up")
        cell.follow_up.add(client_id, went is not None and went < deadline)

    commitments = (
        Commitment.objects.filter(
            client__organisation=organisation,
            due_date__gte=month_list[0],
            due_date__lte=timezone.localtime(now, zone).date(),
            state__in=RESOLVED,
        )
        .order_by()
        .values_list("client__coach_id", "client_id", "due_date", "state")
    )
    for coach_id, client_id, due, state in commitments:
        cells[(coach_id, due.replace(day=1))].kept.add(client_id, state == Commitment.State.KEPT)

    for source in _rate_sources.values():
        for coach_id, month, client_id, met in source(organisation, start, end, month_of):
            cells[(coach_id, month)].check_ins.add(client_id, met)

    coaches = list(
        User.objects.filter(memberships__organisation=organisation, memberships__role=Role.COACH)
        .distinct()
        .order_by("full_name", "pk")
        .only("pk", "full_name")
    )
    totals: dict[date, CoachMonth] = defaultdict(CoachMonth)
    for (_, month), cell in cells.items():
        total = totals[month]
        for name in ("held", "on_time", "kept", "follow_up", "check_ins"):
            mine, theirs = getattr(cell, name), getattr(total, name)
            theirs.total += mine.total
            theirs.met += mine.met
            theirs.clients |= mine.clients
    return Figures(month_list, coaches, dict(cells), dict(totals))
