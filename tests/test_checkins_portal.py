"""Check-ins in the client's hands and in the coach's view: the portal's card and form,
commitment updates and progress lines (idempotent: a double submit stores one record), the
coach's preparation view and runner review, the records download, safe rendering, and query
counts that stay fixed as the history grows."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from flowcoach.checkins import selectors, services
from flowcoach.checkins.models import Checkin, CheckinCommitment, CommitmentUpdate, ProgressLog
from flowcoach.coaching.models import CoachingSession, Commitment, PreparationTick
from tests.checkin_helpers import client_commitment, coached, open_week
from tests.client_view_helpers import records_of
from tests.session_helpers import book

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _answer(http, week, **extra):
    data = {"more": "Call two lapsed buyers", "better": "Prepare one question", "energy": "6"}
    return http.post(reverse("portal_checkin", args=[week.pk]), data | extra)


def _history(engagement, weeks: int) -> None:
    """`weeks` past answered weeks, each with a commitment made, updated and logged."""
    now = timezone.now()
    for n in range(weeks):
        opens = now - timedelta(days=7 * (n + 2))
        week = Checkin.objects.create(
            engagement=engagement,
            client=engagement.client,
            opens_at=opens,
            closes_at=opens + timedelta(days=7),
            remind_at=opens + timedelta(days=2),
        )
        services.checkin_answer(
            checkin=week,
            more=f"More {n}",
            better=f"Better {n}",
            energy=5,
            commit_words=["more"],
            now=opens + timedelta(hours=1),
        )
        made = CheckinCommitment.objects.get(checkin=week).commitment
        services.commitment_update(commitment=made, uuid=uuid.uuid4(), state="kept")
        services.progress_log_add(
            commitment=made, uuid=uuid.uuid4(), day=opens.date(), text=f"Did it {n}"
        )
        Checkin.objects.filter(pk=week.pk).update(closed_at=opens + timedelta(days=7))


def test_it_shows_this_weeks_check_in_first_on_the_portal_and_marks_a_session_today(world):
    engagement = coached(world)
    week = open_week(engagement)
    s2 = engagement.sessions.order_by("sequence")[1]
    later_today = timezone.now() + timedelta(minutes=30)
    CoachingSession.objects.filter(pk=s2.pk).update(
        status=CoachingSession.Status.SCHEDULED, starts_at=later_today, time_zone="Europe/Paris"
    )
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "This week&#x27;s check-in" in page or "This week's check-in" in page
    assert reverse("portal_checkin", args=[week.pk]) in page
    assert "today-badge" in page and "(Paris time)" in page
    assert page.index("next-heading") < page.index("checkin-card-heading")


def test_it_stores_one_record_when_the_check_in_is_sent_twice(world):
    engagement = coached(world)
    week = open_week(engagement)
    commitment = client_commitment(engagement)
    http = world.login(world.client_user)
    extra = {"commit": ["better"], f"state-{commitment.uuid}": "kept"}
    assert _answer(http, week, **extra).status_code == 302
    assert _answer(http, week, **extra).status_code == 302
    assert Checkin.objects.filter(client=world.client).count() == 1
    assert CheckinCommitment.objects.filter(checkin=week).count() == 1
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 1
    assert Commitment.objects.filter(client=world.client, text="Prepare one question").count() == 1


def test_it_takes_back_an_untouched_commitment_when_the_tick_is_removed(world):
    week = open_week(coached(world))
    http = world.login(world.client_user)
    _answer(http, week, commit=["more"])
    assert Commitment.objects.filter(text="Call two lapsed buyers").exists()
    _answer(http, week)
    assert not Commitment.objects.filter(text="Call two lapsed buyers").exists()


def test_it_stores_one_update_and_one_progress_line_for_a_double_submit(world):
    engagement = coached(world)
    commitment = client_commitment(engagement)
    http = world.login(world.client_user)
    prefix = f"u-{commitment.uuid}"
    update = {
        f"{prefix}-form_id": str(uuid.uuid4()),
        f"{prefix}-state": "partly_kept",
        f"{prefix}-comment": "Halfway",
    }
    log_prefix = f"p-{commitment.uuid}"
    log = {
        f"{log_prefix}-form_id": str(uuid.uuid4()),
        f"{log_prefix}-day": timezone.now().date().isoformat(),
        f"{log_prefix}-text": "Asked three buyers",
    }
    for _ in range(2):
        assert (
            http.post(
                reverse("portal_commitment_update", args=[commitment.uuid]), update
            ).status_code
            == 302
        )
        assert (
            http.post(reverse("portal_progress_log", args=[commitment.uuid]), log).status_code
            == 302
        )
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 1
    assert ProgressLog.objects.filter(commitment=commitment).count() == 1
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.PARTLY_KEPT


def test_it_refuses_progress_for_a_day_still_to_come_and_keeps_nothing(world):
    commitment = client_commitment(coached(world))
    p = f"p-{commitment.uuid}"
    response = world.login(world.client_user).post(
        reverse("portal_progress_log", args=[commitment.uuid]),
        {
            f"{p}-form_id": str(uuid.uuid4()),
            f"{p}-day": (timezone.now() + timedelta(days=3)).date().isoformat(),
            f"{p}-text": "From the future",
        },
    )
    assert response.status_code == 400
    assert "still to come" in response.content.decode()
    assert "From the future" in response.content.decode()
    assert not ProgressLog.objects.exists()


def test_it_keeps_the_checklist_tick_idempotent(world):
    engagement = coached(world)
    session = book(engagement.sessions.order_by("sequence")[1], days=4)
    http = world.login(world.client_user)
    for _ in range(2):
        http.post(reverse("portal_preparation", args=[session.pk]), {"done": ["0"]})
    assert PreparationTick.objects.filter(session=session, side="client").count() == 1


def test_it_shows_the_coach_the_check_ins_since_the_last_session_safely(world):
    engagement = coached(world, held_days_ago=10)
    week = open_week(engagement)
    commitment = client_commitment(engagement)
    http = world.login(world.client_user)
    _answer(
        http,
        week,
        more=XSS,
        note=f"Note {XSS}",
        commit=["better"],
        identity_rating="8",
        role_rating="5",
        **{f"state-{commitment.uuid}": "missed", f"comment-{commitment.uuid}": "Busy week"},
    )
    services.progress_log_add(
        commitment=commitment, uuid=uuid.uuid4(), day=timezone.now().date(), text="Two calls"
    )
    s2 = book(engagement.sessions.order_by("sequence")[1], days=2)
    coach = world.login(world.coach)

    for url in (
        reverse("runner_prepare", args=[s2.pk]),
        reverse("runner", args=[s2.pk]),
        reverse("engagement_checkins", args=[engagement.pk]),
    ):
        page = coach.get(url).content.decode()
        assert "Prepare one question" in page, url
        assert "<script>alert" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert" in page, url
    prepare = coach.get(reverse("runner_prepare", args=[s2.pk])).content.decode()
    assert "Busy week" in prepare and "Two calls" in prepare and "8 of 10" in prepare


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w, e, week: reverse("portal_checkin", args=[week.pk]),
        lambda w, e, week: reverse("portal_commitments"),
        lambda w, e, week: reverse("portal"),
    ],
    ids=["checkin", "commitments", "portal"],
)
def test_it_keeps_the_client_pages_to_a_fixed_number_of_queries(world, url_of):
    engagement = coached(world)
    week = open_week(engagement)
    http = world.login(world.client_user)
    url = url_of(world, engagement, week)
    _history(engagement, 2)
    http.get(url)
    with CaptureQueriesContext(connection) as few:
        assert http.get(url).status_code == 200
    _history_more(engagement)
    with CaptureQueriesContext(connection) as many:
        assert http.get(url).status_code == 200
    assert len(many) == len(few)


def _history_more(engagement) -> None:
    now = timezone.now()
    for n in range(6):
        opens = now - timedelta(days=7 * (n + 10))
        week = Checkin.objects.create(
            engagement=engagement,
            client=engagement.client,
            opens_at=opens,
            closes_at=opens + timedelta(days=7),
            remind_at=opens + timedelta(days=2),
        )
        services.checkin_answer(
            checkin=week,
            more=f"Later {n}",
            energy=4,
            commit_words=["more"],
            now=opens + timedelta(hours=1),
        )
        made = CheckinCommitment.objects.get(checkin=week).commitment
        services.commitment_update(commitment=made, uuid=uuid.uuid4(), state="partly_kept")
        services.progress_log_add(
            commitment=made, uuid=uuid.uuid4(), day=opens.date(), text=f"Later {n}"
        )


def test_it_keeps_the_coach_views_to_a_fixed_number_of_queries(world):
    engagement = coached(world, held_days_ago=200)
    open_week(engagement)
    s2 = book(engagement.sessions.order_by("sequence")[1], days=2)
    coach = world.login(world.coach)
    urls = [
        reverse("runner_prepare", args=[s2.pk]),
        reverse("engagement_checkins", args=[engagement.pk]),
    ]
    _history(engagement, 2)
    for url in urls:
        coach.get(url)
    counts = []
    for _ in range(2):
        row = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert coach.get(url).status_code == 200
            row.append(len(queries))
        counts.append(row)
        _history_more(engagement)
    assert counts[0] == counts[1]


def test_it_puts_check_ins_and_progress_in_the_records_in_the_clients_own_words(world):
    engagement = coached(world)
    week = open_week(engagement)
    http = world.login(world.client_user)
    _answer(http, week, commit=["better"], note="Rough week")
    made = Commitment.objects.get(text="Prepare one question")
    services.progress_log_add(
        commitment=made, uuid=uuid.uuid4(), day=timezone.now().date(), text="Wrote it down"
    )
    data, markdown = records_of(http)
    part = data["checkins_and_progress"]
    assert part["checkins"][0]["more"] == "Call two lapsed buyers"
    assert part["progress_logs"][0]["text"] == "Wrote it down"
    assert "## My weekly check-ins" in markdown and "My note to my coach:** Rough week" in markdown
    assert "I committed to (better):** Prepare one question" in markdown
    assert "the client" not in markdown.lower()


def test_the_timeline_reads_are_ready_for_the_coachs_home(world):
    engagement = coached(world)
    week = open_week(engagement, ago=timedelta(days=8))
    services.close_weeks(timezone.now())
    answered = open_week(engagement)
    services.checkin_answer(checkin=answered, more="Prospect early", energy=9)
    kinds = [e["kind"] for e in selectors.checkin_events_for_client(world.client)]
    assert kinds[:2] == ["checkin", "checkin_missed"]
    week.refresh_from_db()
    assert week.state == Checkin.State.MISSED
    last = selectors.last_checkin_at_by_client([world.client, world.other_client])
    assert set(last) == {world.client.pk}


def test_it_sends_the_client_back_to_the_commitment_with_a_word_after_each_form(world):
    commitment = client_commitment(coached(world))
    http = world.login(world.client_user)
    u, p = f"u-{commitment.uuid}", f"p-{commitment.uuid}"
    forms = [
        (
            "portal_commitment_update",
            {f"{u}-form_id": str(uuid.uuid4()), f"{u}-state": "kept"},
            "Saved. Your coach sees the change.",
        ),
        (
            "portal_progress_log",
            {
                f"{p}-form_id": str(uuid.uuid4()),
                f"{p}-day": timezone.now().date().isoformat(),
                f"{p}-text": "Asked two buyers",
            },
            "Logged. Nice work.",
        ),
    ]
    for name, data, word in forms:
        response = http.post(reverse(name, args=[commitment.uuid]), data)
        assert response.status_code == 302, name
        assert response["Location"] == reverse("portal_commitments") + f"#c-{commitment.uuid}"
        assert word in http.get(reverse("portal_commitments")).content.decode(), name


def test_it_shows_a_refused_form_again_under_its_own_commitment_with_the_error_in_place(world):
    engagement = coached(world)
    http = world.login(world.client_user)
    _answer(http, open_week(engagement), commit=["better"])
    first = client_commitment(engagement)
    second = Commitment.objects.get(text="Prepare one question")
    used = services.commitment_update(commitment=first, uuid=uuid.uuid4(), state="kept").uuid
    u, p = f"u-{second.uuid}", f"p-{second.uuid}"

    response = http.post(
        reverse("portal_commitment_update", args=[second.uuid]),
        {f"{u}-form_id": str(used), f"{u}-state": "missed"},
    )
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r["commitment"] == second)
    assert row["update_form"].non_field_errors() == [
        "That form belongs to another commitment. Please try again."
    ]
    assert not row["update_form"].has_error("state")

    response = http.post(
        reverse("portal_progress_log", args=[second.uuid]),
        {
            f"{p}-form_id": str(uuid.uuid4()),
            f"{p}-day": (timezone.now() + timedelta(days=3)).date().isoformat(),
            f"{p}-text": "From the future",
        },
    )
    assert response.status_code == 400
    row = next(r for r in response.context["rows"] if r["commitment"] == second)
    assert row["log_form"].errors == {
        "text": ["Log what already happened: that day is still to come."]
    }
