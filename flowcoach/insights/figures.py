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

from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils import timezone

from flowcoach.accounts.models import Organisation, Role, User
from flowcoach.coaching.models import CoachingSession, Commitment
from flowcoach.outbox.models import Message, State

from .models import MonthlyFigure

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
    """One figure of one coach (or the organisation) in one month: how many counted, how many
    met, and over how many different clients."""

    total: int = 0
    met: int = 0
    clients: int = 0

    @property
    def withheld(self) -> bool:
        return 0 < self.clients < MIN_CLIENTS

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


@dataclass(frozen=True)
class RateSource:
    """A rate from an app above coaching (the check-ins' response rate): its rows in the
    period, which fields say when, whose coach and which client, and which rows count as met.
    Dates and states only: the figures never read words."""

    rows: Callable[[Organisation, datetime, datetime], QuerySet]
    when: str
    coach: str
    client: str
    met: Q


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


# --- counting in the database ----------------------------------------------------------------
# The figures of 200 coaches and 10,000 clients come from some 40,000 sessions: reading them
# row by row into Python took over a second (bench/figures.py), so every figure is counted by
# the database, grouped by coach and month, with plain comparisons and arithmetic that
# SQLite and PostgreSQL both run natively (no per-row Python function, no time zone tables).


class _SecondsBetween(Func):
    """Seconds from `earlier` to `later`."""

    output_field = IntegerField()

    def __init__(self, later, earlier):
        super().__init__(later, earlier)

    def as_sql(self, compiler, connection, **extra):
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            sql = f"((julianday({later}) - julianday({earlier})) * 86400.0)"
        else:
            sql = f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
        return sql, (*later_params, *earlier_params)


class _Epoch(Func):
    """Seconds since 1970-01-01 00:00 UTC."""

    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra):
        moment, params = compiler.compile(self.get_source_expressions()[0])
        if connection.vendor == "sqlite":
            return f"((julianday({moment}) - 2440587.5) * 86400.0)", params
        return f"EXTRACT(EPOCH FROM {moment})", params


class _LocalDay(Func):
    """The local day of a moment, as whole days since 1 January 1970: its UTC time plus the
    zone's offset at that moment (`offset`, seconds)."""

    output_field = IntegerField()

    def __init__(self, moment, offset):
        super().__init__(moment, offset)

    def as_sql(self, compiler, connection, **extra):
        (moment, moment_params), (offset, offset_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        if connection.vendor == "sqlite":
            sql = f"CAST(julianday({moment}) - 2440587.5 + ({offset}) / 86400.0 AS INTEGER)"
        else:
            sql = f"FLOOR((EXTRACT(EPOCH FROM {moment}) + ({offset})) / 86400)"
        return sql, (*moment_params, *offset_params)


def _midnight(day, offsets: list[tuple[datetime, int]]):
    """The UTC moment (seconds since 1970) at which local `day` (days since 1970) begins."""
    whens = []
    for since, seconds in reversed(offsets[1:]):
        # The first local day whose midnight falls at or after the change.
        first = (since.timestamp() + seconds) // 86400
        if (first * 86400 - seconds) < since.timestamp():
            first += 1
        whens.append(When(GreaterThanOrEqual(day, Value(int(first))), then=Value(seconds)))
    offset = Case(*whens, default=Value(offsets[0][1])) if whens else Value(offsets[0][1])
    return day * 86400 - offset


def _offsets(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """The zone's UTC offset (seconds) from `start`, and each change until `end`, as
    (from this moment, offset): a day at a time, then to the quarter hour."""

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds())

    changes = [(start, offset(start))]
    day = start
    while day < end:
        following = day + timedelta(days=1)
        if offset(following) != changes[-1][1]:
            moment = day
            while offset(moment) == changes[-1][1]:
                moment += timedelta(minutes=15)
            changes.append((moment, offset(moment)))
        day = following
    return changes


def _offset_at(moment, offsets: list[tuple[datetime, int]]):
    if len(offsets) == 1:
        return Value(offsets[0][1])
    return Case(
        *(
            When(GreaterThanOrEqual(moment, Value(since)), then=Value(seconds))
            for since, seconds in reversed(offsets[1:])
        ),
        default=Value(offsets[0][1]),
    )


def _month_index(moment: str, bounds: list) -> Case:
    """Which of the months (0 = the first) a moment or date falls in."""
    return Case(
        *(
            When(Q(**{f"{moment}__gte": bound}), then=Value(index))
            for index, bound in reversed(list(enumerate(bounds)))
        ),
        default=Value(-1),
        output_field=IntegerField(),
    )


# name -> (rows it counts over, or None for all; which of them are met, or None for all)
Parts = dict[str, tuple[Q | None, Q | None]]


def _tally(
    cells, totals, months, queryset: QuerySet, *, coach: str, client: str, month, parts: Parts
):
    """Counts each part per coach and month, in one grouped query, into `cells` and `totals`.

    The organisation's total of a month is over its different clients. A coach with three or
    more makes it three or more; otherwise each coach's one or two clients are exactly their
    lowest and highest client id, so those give the exact number below three."""
    rows = queryset.annotate(f_coach=F(coach), f_client=F(client), f_month=month)
    counts = {}
    # Parts over the same rows share their clients (held sessions and follow-ups do): each
    # aggregate costs time to build, so those are counted once.
    over: dict[str, str] = {}
    for name, (only, met) in parts.items():
        over[name] = next((n for n in over if parts[n][0] is only), name)
        if over[name] == name:
            counts[f"{name}_total"] = Count("pk", filter=only)
        if met is not None:
            counts[f"{name}_met"] = Count("pk", filter=met if only is None else only & met)
        if over[name] == name:
            counts[f"{name}_clients"] = Count("f_client", distinct=True, filter=only)
            counts[f"{name}_lo"] = Min("f_client", filter=only)
            counts[f"{name}_hi"] = Max("f_client", filter=only)
    seen: dict[tuple[date, str], set] = defaultdict(set)
    for row in rows.values("f_coach", "f_month").annotate(**counts).order_by():
        month = months[row["f_month"]]
        cell = cells[(row["f_coach"], month)]
        for name, (_, met) in parts.items():
            tally, total = getattr(cell, name), getattr(totals[month], name)
            same = over[name]
            tally.total = row[f"{same}_total"]
            tally.met = row[f"{name}_met"] if met is not None else tally.total
            tally.clients = row[f"{same}_clients"]
            total.total += tally.total
            total.met += tally.met
            if tally.clients >= MIN_CLIENTS:
                total.clients = max(total.clients, tally.clients)
            elif tally.clients:
                seen[(month, name)] |= {row[f"{same}_lo"], row[f"{same}_hi"]}
    for (month, name), clients in seen.items():
        total = getattr(totals[month], name)
        total.clients = max(total.clients, len(clients))


def _count(
    organisation: Organisation,
    zone: ZoneInfo,
    month_list: list[date],
    end: datetime,
    last_day: date,
) -> tuple[dict, dict]:
    """Counts the figures of consecutive months, from the first's start to `end` (now, for
    the current month; the next month's start, for finished ones), and commitments due up to
    `last_day`: the one counting code of both the live figures and the kept ones."""
    starts = [datetime.combine(month, time.min, zone) for month in month_list]
    start = starts[0]
    cells: dict[tuple[int, date], CoachMonth] = defaultdict(CoachMonth)
    totals: dict[date, CoachMonth] = defaultdict(CoachMonth)

    # Sessions held, on time, and followed up by the end of the next day (organisation time).
    offsets = _offsets(zone, start - timedelta(days=1), end + timedelta(days=3))
    # Found by its key alone, so every database looks it up through the key's unique index
    # (with the organisation and kind in the filter too, PostgreSQL may prefer to walk all
    # the organisation's sent messages for each session). The key names the session, and so
    # the organisation and the kind.
    follow_up_sent = Message.objects.filter(
        key=Concat(Value("session:"), Cast(OuterRef("pk"), CharField()), Value(":follow_up")),
        state=State.SENT,
    ).values("sent_at")[:1]
    finished = Coalesce(F("record__completed_at"), F("starts_at"))
    went = Subquery(follow_up_sent)
    ran = Q(record__started_at__isnull=False, record__completed_at__isnull=False)
    in_time = LessThanOrEqual(
        _SecondsBetween(F("record__completed_at"), F("record__started_at")),
        F("duration_minutes") * 60 + GRACE.total_seconds() + 0.001,
    )
    # Sent before the organisation's midnight that ends the day after the session finished.
    next_day = LessThan(
        _Epoch(went), _midnight(_LocalDay(finished, _offset_at(finished, offsets)) + 2, offsets)
    )
    _tally(
        cells,
        totals,
        month_list,
        CoachingSession.objects.filter(
            engagement__organisation=organisation,
            status=CoachingSession.Status.HELD,
            starts_at__gte=start,
            starts_at__lt=end,
        ),
        coach="engagement__coach_id",
        client="engagement__client_id",
        month=_month_index("starts_at", starts),
        parts={
            "held": (None, None),
            "on_time": (ran, Q(in_time)),
            "follow_up": (None, Q(next_day)),
        },
    )

    # Commitments due in the month with an outcome, and how many were kept.
    _tally(
        cells,
        totals,
        month_list,
        Commitment.objects.filter(
            client__organisation=organisation,
            due_date__gte=month_list[0],
            due_date__lte=last_day,
            state__in=RESOLVED,
        ),
        coach="client__coach_id",
        client="client_id",
        month=_month_index("due_date", month_list),
        parts={"kept": (None, Q(state=Commitment.State.KEPT))},
    )

    for source in _rate_sources.values():
        _tally(
            cells,
            totals,
            month_list,
            source.rows(organisation, start, end),
            coach=source.coach,
            client=source.client,
            month=_month_index(source.when, starts),
            parts={"check_ins": (None, source.met)},
        )

    return cells, totals


# --- finished months, kept ------------------------------------------------------------------
# Counting six months live took 0.7 s at 200 coaches and 10,000 clients (bench/figures.py);
# a finished month hardly changes, so its figures are kept (insights.MonthlyFigure, counts
# only) and only the current month is counted live. Kept months are counted by `_count`,
# the same code as the live month, so the two cannot disagree. What can still change a
# finished month (an outcome recorded late, a follow-up sent on the 1st, a late answer) is
# caught by recounting the last RECOUNTED finished months every day (decision 70); a
# client's deletion or move to another coach forgets the organisation's kept months.

FIGURES = ("held", "on_time", "kept", "follow_up", "check_ins")
RECOUNTED = 2


def _month_after(month: date) -> date:
    return (month + timedelta(days=32)).replace(day=1)


def _kept(organisation: Organisation, zone: ZoneInfo, months: list[date]):
    """The kept figures of `months`: cells, totals, and which months have them."""
    counted: set[date] = set()
    cells: dict[tuple[int, date], CoachMonth] = {}
    totals: dict[date, CoachMonth] = {}
    names = [f"{name}_{part}" for name in FIGURES for part in ("total", "met", "clients")]
    rows = MonthlyFigure.objects.filter(
        organisation=organisation, time_zone=str(zone), month__in=months
    ).values_list("coach_id", "month", *names)
    for coach, month, *numbers in rows:
        cell = CoachMonth(*(Tally(*numbers[3 * n : 3 * n + 3]) for n in range(len(FIGURES))))
        if coach is None:
            counted.add(month)
            # An empty month's row only says it was counted: no total, as when counted live.
            if cell != CoachMonth():
                totals[month] = cell
        else:
            cells[(coach, month)] = cell
    return cells, totals, counted


def recount_months(
    organisation: Organisation, first: date, last: date, *, now: datetime | None = None
) -> tuple[dict, dict]:
    """Counts the finished months from `first` to `last` and keeps them, replacing what was
    kept; returns their cells and totals. Safe to run twice, or twice at once."""
    zone = ZoneInfo(organisation.time_zone or "UTC")
    months = [first]
    while months[-1] < last:
        months.append(_month_after(months[-1]))
    end = datetime.combine(_month_after(last), time.min, zone)
    cells, totals = _count(organisation, zone, months, end, _month_after(last) - timedelta(days=1))
    computed_at = now or timezone.now()

    def row(coach: int | None, month: date, cell: CoachMonth) -> MonthlyFigure:
        numbers = {
            f"{name}_{part}": getattr(getattr(cell, name), part)
            for name in FIGURES
            for part in ("total", "met", "clients")
        }
        return MonthlyFigure(
            organisation=organisation,
            coach_id=coach,
            month=month,
            time_zone=str(zone),
            computed_at=computed_at,
            **numbers,
        )

    # Every month gets its organisation row, even an empty one: it says "counted".
    rows = [row(None, month, totals.get(month) or CoachMonth()) for month in months]
    rows += [row(coach, month, cell) for (coach, month), cell in cells.items()]
    with transaction.atomic():
        MonthlyFigure.objects.filter(organisation=organisation, month__in=months).delete()
        MonthlyFigure.objects.bulk_create(rows, ignore_conflicts=True)
    return cells, totals


def recount_recent(now: datetime) -> int:
    """The daily job: every organisation's last RECOUNTED finished months, counted again."""
    counted = 0
    for organisation in Organisation.objects.only("pk", "time_zone").iterator():
        zone = ZoneInfo(organisation.time_zone or "UTC")
        finished = months_back(timezone.localtime(now, zone).date(), RECOUNTED + 1)[:-1]
        recount_months(organisation, finished[0], finished[-1], now=now)
        counted += 1
    return counted


def forget(organisation: Organisation | int) -> None:
    """Drops the organisation's kept figures: the next page counts them again."""
    MonthlyFigure.objects.filter(organisation=organisation).delete()


def organisation_figures(
    organisation: Organisation, *, months: int = 6, now: datetime | None = None
) -> Figures:
    zone = ZoneInfo(organisation.time_zone or "UTC")
    now = now or timezone.now()
    today = timezone.localtime(now, zone).date()
    month_list = months_back(today, months)
    finished = month_list[:-1]
    cells, totals, counted = _kept(organisation, zone, finished)
    # A new install, a missed daily run or a forgotten organisation: count what is missing.
    missing = [month for month in finished if month not in counted]
    if missing:
        counted = recount_months(organisation, missing[0], missing[-1], now=now)
        cells.update(counted[0])
        totals.update(counted[1])
    live = _count(organisation, zone, month_list[-1:], now, today)
    cells.update(live[0])
    totals.update(live[1])
    coaches = list(
        User.objects.filter(memberships__organisation=organisation, memberships__role=Role.COACH)
        .distinct()
        .order_by("full_name", "pk")
        .only("pk", "full_name")
    )
    return Figures(month_list, coaches, cells, totals)
