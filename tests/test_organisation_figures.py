"""Organisation figures for admins: per coach and month, counts and rates from dates and states
only, checked against numbers worked out by hand; a rate over fewer than three clients is
withheld; no content ever appears; the page reads in the same queries at any size."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment, SessionNote, SessionRecord
from flowcoach.insights import figures
from flowcoach.outbox.models import Kind, Message, State
from tests.session_helpers import enrol

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 28, 18, 0, tzinfo=LONDON)
SECRET = "Marker-9f3 never leaves the session"


def clients_of(world, coach, count: int, prefix: str) -> list[Client]:
    return [
        Client.objects.create(
            organisation=world.org,
            coach=coach,
            full_name=f"{prefix} {n}",
            email=f"{prefix.lower()}{n}@example.org",
            time_zone="Europe/London",
        )
        for n in range(count)
    ]


def hold(world, client, coach, day: int, ran_minutes: int | None, follow_up_hours=None, month=11):
    """A session of `client` held on `day` November (or `month`) at 10:00 London, run for
    `ran_minutes` (None: never run in the runner), its follow-up sent `follow_up_hours` after
    it ended."""
    session = enrol(world, client=client, coach=coach).sessions.order_by("sequence").first()
    starts = datetime(2026, month, day, 10, 0, tzinfo=LONDON)
    session.status = CoachingSession.Status.HELD
    session.starts_at = starts
    session.duration_minutes = 50
    session.save()
    ended = starts + timedelta(minutes=ran_minutes or 0)
    if ran_minutes is not None:
        SessionRecord.objects.create(
            session=session, started_at=starts, completed_at=ended, coach_summary=SECRET
        )
    SessionNote.objects.create(session=session, author=coach, uuid=uuid.uuid4(), body=SECRET)
    if follow_up_hours is not None:
        Message.objects.create(
            organisation=world.org,
            owner=coach,
            kind=Kind.FOLLOW_UP,
            key=f"session:{session.pk}:follow_up",
            to_email=client.email,
            from_email="x@example.org",
            subject=SECRET,
            text_body=SECRET,
            state=State.SENT,
            send_after=ended,
            sent_at=ended + timedelta(hours=follow_up_hours),
            message_id=f"<{uuid.uuid4()}@test>",
        )
    return session


def commit(client, day: int, state: str):
    Commitment.objects.create(
        client=client,
        uuid=uuid.uuid4(),
        text=SECRET,
        due_date=datetime(2026, 11, day).date(),
        state=state,
    )


@pytest.fixture
def practice(world):
    """Cora coaches three clients (figures shown), Cole one (rates withheld)."""
    mine = [world.client, *clients_of(world, world.coach, 2, "Mia")]
    hold(world, mine[0], world.coach, 3, 52, follow_up_hours=20)  # on time, follow-up next day
    hold(world, mine[1], world.coach, 10, 56, follow_up_hours=40)  # 6 over: late; day after next
    hold(world, mine[2], world.coach, 17, 40, follow_up_hours=None)  # on time, no follow-up
    hold(world, mine[2], world.coach, 24, None, follow_up_hours=2)  # not run in the runner
    for client, state in zip(
        mine + mine[:1],
        [Commitment.State.KEPT, Commitment.State.MISSED, Commitment.State.KEPT, "partly_kept"],
        strict=True,
    ):
        commit(client, 12, state)
    commit(mine[1], 12, Commitment.State.OPEN)  # no outcome yet: not counted
    commit(mine[1], 30, Commitment.State.KEPT)  # due after "now": not counted
    theirs = [world.other_client]
    hold(world, theirs[0], world.other_coach, 5, 45, follow_up_hours=3)
    commit(theirs[0], 6, Commitment.State.MISSED)
    return {"mine": mine, "theirs": theirs}


def november(data: figures.Figures, coach) -> figures.CoachMonth:
    return data.cells[(coach.pk, datetime(2026, 11, 1).date())]


def test_it_counts_each_figure_as_defined(world, practice):
    data = figures.organisation_figures(world.org, now=NOW)
    cell = november(data, world.coach)
    assert cell.held.total == 4
    assert (cell.on_time.met, cell.on_time.total, cell.on_time.rate) == (2, 3, 67)
    assert (cell.kept.met, cell.kept.total, cell.kept.rate) == (2, 4, 50)
    assert (cell.follow_up.met, cell.follow_up.total) == (2, 4)
    assert cell.follow_up.text == "50% (2 of 4)"
    assert [m.strftime("%Y-%m") for m in data.months] == [
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
        "2026-10",
        "2026-11",
    ]


def test_it_withholds_rates_over_fewer_than_three_clients(world, practice):
    data = figures.organisation_figures(world.org, now=NOW)
    cell = november(data, world.other_coach)
    assert cell.held.total == 1
    for tally in (cell.on_time, cell.kept, cell.follow_up):
        assert tally.withheld and tally.rate is None and tally.text == "fewer than 3 clients"
    # The organisation's total adds Cole's one client to Cora's three: shown.
    total = data.totals[datetime(2026, 11, 1).date()]
    assert (total.kept.met, total.kept.total) == (2, 5)
    assert not total.kept.withheld


def test_it_shows_admins_the_month_without_any_content(world, practice):
    admin = world.login(world.admin)
    page = admin.get(reverse("organisation_figures"), {"month": "2026-11"})
    assert page.status_code == 200
    text = page.content.decode()
    for client in practice["mine"] + practice["theirs"]:
        assert client.full_name not in text and client.email not in text
    assert SECRET not in text and "Marker-9f3" not in text
    assert "fewer than 3 clients" in text
    for other in (world.coach, world.client_user):
        assert world.login(other).get(reverse("organisation_figures")).status_code == 403
        assert world.login(other).get(reverse("organisation_figures_csv")).status_code == 403


def test_it_exports_the_same_figures_as_csv(world, practice):
    response = world.login(world.admin).get(reverse("organisation_figures_csv"))
    assert response.status_code == 200
    body = response.content.decode()
    assert SECRET not in body
    rows = list(csv.DictReader(io.StringIO(body)))
    data = figures.organisation_figures(world.org)
    by_key = {(row["month"], row["coach"]): row for row in rows}
    for coach, cells in data.rows():
        for month, cell in zip(data.months, cells, strict=True):
            row = by_key[(month.strftime("%Y-%m"), coach.full_name)]
            assert int(row["sessions_held"]) == cell.held.total
            if cell.kept.withheld:
                assert row["kept_met"] == "fewer than 3 clients"
            else:
                assert (int(row["kept_met"]), int(row["kept_of"])) == (
                    cell.kept.met,
                    cell.kept.total,
                )


@pytest.mark.parametrize("extra", [0, 12])
def test_it_reads_the_page_in_the_same_queries_whatever_the_history(world, practice, extra):
    more = clients_of(world, world.coach, extra, "Extra")
    for n, client in enumerate(more):
        hold(world, client, world.coach, 1 + n % 20, 45, follow_up_hours=5)
        commit(client, 2 + n % 20, Commitment.State.KEPT)
    admin = world.login(world.admin)
    with CaptureQueriesContext(connection) as first:
        assert admin.get(reverse("organisation_figures")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert admin.get(reverse("organisation_figures")).status_code == 200
    # the actor (one query); the kept finished months; the current month counted in the
    # database per coach: sessions (held, on time, followed up), commitments, check-ins (the
    # registered rate source); coaches
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]
    # The first time, the finished months are counted in the same three queries and kept:
    # plus a savepoint, the old rows deleted, the new ones written in one insert, release.
    assert len(first) == len(queries) + 3 + 4, [q["sql"] for q in first.captured_queries]


@pytest.mark.parametrize("same_client", [True, False])
def test_it_counts_the_organisations_different_clients_for_the_small_group_rule(world, same_client):
    """Two coaches with fewer than three clients each: the organisation's total shows a rate
    over three different clients, and withholds it when one client met both coaches."""
    mine = clients_of(world, world.coach, 2, "Mia")
    theirs = mine[0] if same_client else world.other_client
    for n, client in enumerate(mine):
        hold(world, client, world.coach, 3 + n, 50, follow_up_hours=5)
    hold(world, theirs, world.other_coach, 9, 50, follow_up_hours=5)
    data = figures.organisation_figures(world.org, now=NOW)
    total = data.totals[datetime(2026, 11, 1).date()]
    assert (total.follow_up.met, total.follow_up.total) == (3, 3)
    assert november(data, world.coach).follow_up.withheld
    assert november(data, world.other_coach).follow_up.withheld
    assert total.follow_up.withheld is same_client
    assert total.follow_up.text == ("fewer than 3 clients" if same_client else "100% (3 of 3)")


def test_it_ends_the_next_day_at_the_organisations_midnight_across_a_clock_change(world):
    """London leaves summer time at 02:00 on 25 October 2026. A session ending at 10:50 on
    the 24th has until the midnight (GMT) that ends the 25th: follow-ups at 23:20 and 23:59 on
    the 25th are in time, one at 00:01 on the 26th is not. (Keeping the summer offset would
    have drawn the line an hour early, at 23:00, and counted none.)"""
    clients = clients_of(world, world.coach, 3, "Dst")
    hold(world, clients[0], world.coach, 24, 50, follow_up_hours=37 + 9 / 60, month=10)
    hold(world, clients[1], world.coach, 24, 50, follow_up_hours=37 + 11 / 60, month=10)
    hold(world, clients[2], world.coach, 24, 50, follow_up_hours=36.5, month=10)
    cell = figures.organisation_figures(world.org, now=NOW).cells[
        (world.coach.pk, datetime(2026, 10, 1).date())
    ]
    assert (cell.follow_up.met, cell.follow_up.total) == (2, 3)
