"""A client's progress over months: figures that a test works out from the data, the purpose
statement's changes marked word by word (and escaped), timing against the plan for the coach
only, and a portal version with shared parts only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession, Commitment, PurposeStatement
from flowcoach.coaching.runner import services as runner
from flowcoach.insights import progress
from tests.session_helpers import enrol

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=LONDON)


def commitment(client, created: datetime, state: str, text="Call three buyers"):
    return Commitment.objects.create(
        client=client, uuid=uuid.uuid4(), text=text, state=state, created_at=created
    )


@pytest.fixture
def history(world):
    sessions = list(enrol(world).sessions.order_by("sequence"))
    for index, session in enumerate(sessions[:3]):
        session.status = CoachingSession.Status.HELD
        session.starts_at = NOW - timedelta(days=60 - 14 * index)
        session.save()
    # The first two held sessions were run in the runner: S1 a little over, S2 under.
    for session, minutes in ((sessions[0], [4, 3, 26, 22, 6]), (sessions[1], [3, 2, 20, 15, 4])):
        record = runner.record_of(session)
        clock_at = session.starts_at
        timing = []
        for segment, length in enumerate(minutes[: len(session.template_version.segments)]):
            timing.append(
                {
                    "segment": segment,
                    "started_at": clock_at.isoformat(),
                    "ended_at": (clock_at + timedelta(minutes=length)).isoformat(),
                }
            )
            clock_at += timedelta(minutes=length)
        record.timing = timing
        record.started_at = session.starts_at
        record.save()
    PurposeStatement.objects.create(
        client=world.client,
        session=sessions[0],
        text="I help buyers <b>decide</b> well.",
        created_at=NOW - timedelta(days=60),
    )
    PurposeStatement.objects.create(
        client=world.client,
        session=sessions[1],
        text="I help busy buyers decide with confidence.",
        created_at=NOW - timedelta(days=46),
    )
    # Drafted in a session not held yet: the coach sees it, the client not yet.
    PurposeStatement.objects.create(
        client=world.client,
        session=sessions[3],
        text="A draft only the coach has seen.",
        created_at=NOW - timedelta(days=1),
    )
    november = datetime(2026, 11, 10, 9, 0, tzinfo=LONDON)
    for state in ["kept", "kept", "partly_kept", "missed", "dropped", "open"]:
        commitment(world.client, november, state)
    commitment(world.client, datetime(2026, 10, 3, 9, 0, tzinfo=LONDON), "kept")
    commitment(world.client, datetime(2026, 3, 3, 9, 0, tzinfo=LONDON), "missed")  # too old
    return sessions


def test_it_counts_commitments_by_the_month_they_were_made(world, history):
    data = progress.client_progress(world.client, now=NOW)
    by_month = {row.month.strftime("%Y-%m"): row for row in data.commitment_months}
    assert list(by_month) == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    november = by_month["2026-11"].counts
    assert (november["kept"], november["partly_kept"], november["missed"]) == (2, 1, 1)
    assert (november["dropped"], november["open"], by_month["2026-11"].made) == (1, 1, 6)
    assert by_month["2026-10"].made == 1 and by_month["2026-12"].made == 0
    assert data.commitments_reading == "Kept 2 of 6 commitments made in November."
    # The chart draws one titled rectangle per non-empty state, none for empty months.
    titles = [rect.title for rect in data.commitments_chart.rects]
    assert "Nov: kept 2" in titles and "Oct: kept 1" in titles and len(titles) == 6


def test_it_marks_what_changed_in_the_purpose_statement_and_escapes_it(world, history):
    data = progress.client_progress(world.client, now=NOW)
    first, second, draft = data.purposes
    assert first.changes is None
    assert "<ins>busy</ins>" in second.changes
    assert "<del>&lt;b&gt;decide&lt;/b&gt; well.</del>" in second.changes
    assert draft.text == "A draft only the coach has seen."
    page = world.login(world.coach).get(reverse("client_progress", args=[world.client.pk]))
    html = page.content.decode()
    assert "<b>decide</b>" not in html and "&lt;b&gt;decide&lt;/b&gt;" in html


def test_it_sets_timing_against_the_plan_for_the_coach(world, history):
    data = progress.client_progress(world.client, now=NOW)
    assert [row.session.code for row in data.timing] == ["S1", "S2"]
    first = data.timing[0]
    segments = history[0].template_version.segments
    assert first.planned == sum(s["minutes_max"] for s in segments)
    assert first.actual == sum([4, 3, 26, 22, 6][: len(segments)])
    assert [actual for *_, actual in first.segments] == [4, 3, 26, 22, 6][: len(segments)]
    within = sum(1 for row in data.timing if row.actual <= row.planned)
    assert data.timing_reading == f"{within} of the last 2 sessions ran within their plan."


def test_it_shows_the_client_only_what_is_theirs(world, history):
    page = world.login(world.client_user).get(reverse("portal_progress"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "My progress" in html
    assert "Session timing" not in html and "planned" not in html.lower()
    assert "A draft only the coach has seen." not in html
    assert "<ins>busy</ins>" in html and "decide with confidence." in html
    coach_page = world.login(world.coach).get(reverse("client_progress", args=[world.client.pk]))
    assert "A draft only the coach has seen." in coach_page.content.decode()
    assert "Session timing" in coach_page.content.decode()
    # Nobody else reaches a client's progress.
    for other in (world.other_coach, world.admin):
        response = world.login(other).get(reverse("client_progress", args=[world.client.pk]))
        assert response.status_code == 404


@pytest.mark.parametrize("extra", [0, 30])
def test_it_reads_the_page_in_the_same_queries_whatever_the_history(world, history, extra):
    for n in range(extra):
        commitment(world.client, timezone.now() - timedelta(days=n * 5), "kept")
        if n < len(history) - 4:
            PurposeStatement.objects.create(
                client=world.client, session=history[4 + n], text=f"Version {n}"
            )
    coach = world.login(world.coach)
    url = reverse("client_progress", args=[world.client.pk])
    coach.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert coach.get(url).status_code == 200
    # session, user, memberships, the client, commitments, purpose statements, held sessions,
    # check-in weeks
    assert len(queries) == 6, [q["sql"] for q in queries.captured_queries]


def test_it_shows_the_check_in_rhythm_and_ratings_without_the_answers(world, history):
    from flowcoach.checkins.models import Checkin

    engagement = history[0].engagement
    weeks = [
        (datetime(2026, 11, 6, 15, 0, tzinfo=LONDON), "answered", 6, 5, None),
        (datetime(2026, 11, 13, 15, 0, tzinfo=LONDON), "late", 7, 6, 7),
        (datetime(2026, 11, 20, 15, 0, tzinfo=LONDON), "missed", None, None, None),
        (datetime(2026, 12, 4, 15, 0, tzinfo=LONDON), "answered", 8, 7, 8),
    ]
    for opens_at, state, energy, identity, role in weeks:
        Checkin.objects.create(
            engagement=engagement,
            client=world.client,
            opens_at=opens_at,
            closes_at=opens_at + timedelta(days=7),
            remind_at=opens_at + timedelta(days=2),
            state=state,
            energy=energy,
            identity_rating=identity,
            role_rating=role,
            more="Secret answer about my manager",
        )
    data = progress.client_progress(world.client, now=NOW)
    [section] = [s for s in data.sections if s["title"] == "Weekly check-ins"]
    assert [week["symbol"] for week in section["weeks"]] == ["✓", "◐", "✗", "✓"]
    assert section["reading"] == "Answered 1 of 1 check-ins in December."
    november = dict(section["months"])[datetime(2026, 11, 1).date()]
    assert (november["answered"], november["late"], november["missed"]) == (1, 1, 1)
    energy = section["chart"].lines[0]
    assert [p.title for p in energy.points] == [
        "6 Nov: energy (1–10) 6",
        "13 Nov: energy (1–10) 7",
        "4 Dec: energy (1–10) 8",
    ]
    for who, url in (
        (world.coach, reverse("client_progress", args=[world.client.pk])),
        (world.client_user, reverse("portal_progress")),
    ):
        html = world.login(who).get(url).content.decode()
        assert "Weekly check-ins" in html and "Week of 13 Nov: answered late" in html
        assert "Secret answer" not in html
