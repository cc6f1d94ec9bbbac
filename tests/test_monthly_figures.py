"""Finished months' organisation figures are kept (insights.MonthlyFigure) and only the current
month is counted live: what the admin sees equals counting all six months live, the small-group
rule and the organisation's totals included; a missing month is counted when asked for, the
last two finished months are counted again every day, and a client's deletion or move makes
the organisation's months count again."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import override_settings
from freezegun import freeze_time

from flowcoach.checkins.models import Checkin
from flowcoach.clients import services as client_services
from flowcoach.coaching.models import Commitment
from flowcoach.insights import figures
from flowcoach.insights.models import MonthlyFigure
from flowcoach.outbox import periodic
from tests.test_organisation_figures import LONDON, SECRET, clients_of, hold

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=LONDON)
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


def commit(client, due: date, state: str) -> Commitment:
    return Commitment.objects.create(
        client=client, uuid=uuid.uuid4(), text=SECRET, due_date=due, state=state
    )


def check_in(session, opens: datetime, state: str) -> None:
    engagement = session.engagement
    Checkin.objects.create(
        engagement=engagement,
        client=engagement.client,
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        remind_at=opens + timedelta(days=2),
        state=state,
        more=SECRET,
    )


def live(organisation, now=NOW) -> figures.Figures:
    """The six months counted live, as before any were kept."""
    zone = ZoneInfo(organisation.time_zone)
    today = now.astimezone(zone).date()
    months = figures.months_back(today, 6)
    cells, totals = figures._count(organisation, zone, months, now, today)
    return figures.Figures(months, [], cells, totals)


def same(kept: figures.Figures, counted: figures.Figures) -> None:
    assert kept.months == counted.months
    assert kept.cells == counted.cells
    assert kept.totals == counted.totals


@pytest.fixture
def history(world):
    """Five months of a practice: Cora's four clients (figures shown), Cole's one (withheld),
    a September where each coach saw fewer than three clients (the organisation's total then
    depends on their different clients), and the clock change at the end of October."""
    mine = [world.client, *clients_of(world, world.coach, 3, "Mia")]
    theirs = world.other_client
    states = ["kept", "missed", "partly_kept", "dropped", "kept", "open"]
    for month in (8, 10, 11, 12):
        for n, client in enumerate(mine):
            day = 3 + 6 * n if month != 12 else 1 + 3 * n
            session = hold(
                world,
                client,
                world.coach,
                day,
                [45, 58, None, 50][n],
                follow_up_hours=[20, 40, None, 26][n],
                month=month,
            )
            commit(client, date(2026, month, day), states[(n + month) % len(states)])
            check_in(
                session,
                datetime(2026, month, day, 9, 0, tzinfo=LONDON),
                ["answered", "late", "missed", "answered"][(n + month) % 4],
            )
    # September: Cora sees two clients, Cole one of hers: three sessions, two different clients.
    for n, (client, coach) in enumerate(
        [(mine[0], world.coach), (mine[1], world.coach), (mine[0], world.other_coach)]
    ):
        hold(world, client, coach, 8 + n, 50, follow_up_hours=5, month=9)
    hold(world, theirs, world.other_coach, 24, 50, follow_up_hours=37.5, month=10)
    hold(world, theirs, world.other_coach, 5, 70, follow_up_hours=3, month=11)
    commit(theirs, date(2026, 11, 6), "missed")
    return {"mine": mine, "theirs": theirs}


def test_it_shows_the_same_figures_as_counting_every_month_live(world, history):
    first = figures.organisation_figures(world.org, now=NOW)
    assert set(
        MonthlyFigure.objects.filter(organisation=world.org, coach=None).values_list(
            "month", flat=True
        )
    ) == set(first.months[:-1])
    again = figures.organisation_figures(world.org, now=NOW)
    counted = live(world.org)
    same(first, counted)
    same(again, counted)
    # The checks mean something: the months hold figures of every kind, withheld ones too.
    november = again.cells[(world.coach.pk, NOVEMBER)]
    assert all(getattr(november, name).total for name in figures.FIGURES)
    assert again.cells[(world.other_coach.pk, NOVEMBER)].held.withheld
    september = again.totals[date(2026, 9, 1)].held
    assert (september.total, september.withheld) == (3, True)
    assert again.cells[(world.coach.pk, OCTOBER)].follow_up.met == 2


def test_it_keeps_counts_only(world, history):
    figures.organisation_figures(world.org, now=NOW)
    fields = {f.name for f in MonthlyFigure._meta.get_fields()}
    assert not any("client" in name and not name.endswith("_clients") for name in fields)
    for row in MonthlyFigure.objects.filter(organisation=world.org).values():
        assert SECRET not in str(row)


def test_it_counts_a_missing_finished_month_when_asked(world, history):
    figures.organisation_figures(world.org, now=NOW)
    MonthlyFigure.objects.filter(organisation=world.org, month=OCTOBER).delete()
    Commitment.objects.filter(client=history["mine"][0], due_date__month=10).update(state="kept")
    same(figures.organisation_figures(world.org, now=NOW), live(world.org))
    assert MonthlyFigure.objects.filter(organisation=world.org, month=OCTOBER).exists()


def test_it_counts_the_last_two_finished_months_again_every_day(world, history):
    """A late outcome changes November, and the daily job shows it; an edit to August (four
    months back) is not counted again: decision 70 accepts that such edits are rare."""
    figures.organisation_figures(world.org, now=NOW)
    before = figures.organisation_figures(world.org, now=NOW)
    Commitment.objects.filter(due_date__month__in=[8, 11]).update(state="kept")
    stale = figures.organisation_figures(world.org, now=NOW)
    assert stale.totals[NOVEMBER].kept == before.totals[NOVEMBER].kept

    with override_settings(FLOWCOACH_DAILY_JOBS=True):
        ran = periodic.run_daily(NOW.replace(hour=4) + timedelta(days=1))
    assert "figures_recount" in ran
    after = figures.organisation_figures(world.org, now=NOW)
    counted = live(world.org)
    assert after.totals[NOVEMBER].kept == counted.totals[NOVEMBER].kept
    assert after.totals[NOVEMBER].kept.met > before.totals[NOVEMBER].kept.met
    august = date(2026, 8, 1)
    assert after.totals[august].kept == before.totals[august].kept != counted.totals[august].kept


def test_it_counts_again_after_a_client_is_deleted(world, history):
    figures.organisation_figures(world.org, now=NOW)
    figures.organisation_figures(world.other_org, now=NOW)
    client_services.client_delete(client=history["mine"][3], by=world.admin)
    assert not MonthlyFigure.objects.filter(organisation=world.org).exists()
    # Cora now has three clients: still shown, and counted without the one who went.
    same(figures.organisation_figures(world.org, now=NOW), live(world.org))
    # Another organisation's kept months stay: one (empty) row for each finished month.
    assert MonthlyFigure.objects.filter(organisation=world.other_org).count() == 5


def test_it_counts_again_after_a_client_moves_to_another_coach(world, history):
    figures.organisation_figures(world.org, now=NOW)
    client_services.client_reassign(client=history["mine"][1], coach=world.other_coach)
    after = figures.organisation_figures(world.org, now=NOW)
    same(after, live(world.org))
    assert after.cells[(world.coach.pk, NOVEMBER)].held.total == 3


def test_it_counts_again_in_a_new_time_zone(world, history):
    figures.organisation_figures(world.org, now=NOW)
    world.org.time_zone = "Pacific/Auckland"
    world.org.save()
    same(figures.organisation_figures(world.org, now=NOW), live(world.org))


def test_it_counts_the_recent_months_again_from_the_command(world, history):
    figures.organisation_figures(world.org, now=NOW)
    MonthlyFigure.objects.filter(organisation=world.org).update(held_total=0)
    with freeze_time(NOW + timedelta(days=1)):
        call_command("recount_figures", stdout=io.StringIO())
    held = dict(
        MonthlyFigure.objects.filter(organisation=world.org, coach=None).values_list(
            "month", "held_total"
        )
    )
    # October and November counted again; the months before them kept as they were.
    assert (held[OCTOBER], held[NOVEMBER], held[date(2026, 9, 1)]) == (5, 5, 0)
    assert MonthlyFigure.objects.filter(organisation=world.other_org, coach=None).count() == 2
