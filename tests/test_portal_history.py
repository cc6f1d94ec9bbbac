"""The portal shows a client the coaching so far: open commitments and each completed
session's shared summary, never what the coach kept to themselves."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.client_view_helpers import commitment, enrol_and_schedule, note


def _completed(world, *, marker: str = "") -> None:
    session = enrol_and_schedule(world)
    note(session, f"Calls **referrals** easy {marker}", shared=True, flow_stage="find_out")
    note(session, f"Seems tired of the pipeline review {marker}")
    note(session, "<img src=x onerror=alert(1)> kept inert", shared=True)
    runner.purpose_save(session=session, text=f"I help owners grow without guesswork {marker}")
    commitment(session, f"Ask two clients for a referral {marker}", due_date=date(2026, 12, 4))
    commitment(session, f"Check in on Friday {marker}", owner="coach")
    runner.record_save(
        session=session,
        base_version=runner.record_of(session).version,
        adjustments="Lead with a question",
        coach_summary="Hid",
    )
    runner_clock.session_complete(session=session)


def test_it_shows_completed_sessions_and_open_commitments_but_nothing_coach_only(world):
    _completed(world)
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "Your sessions so far" in page and "What you are working on" in page
    assert "Calls <strong>referrals</strong> easy" in page
    assert "I help owners grow without guesswork" in page
    assert "Ask two clients for a referral" in page and "4 December" in page
    assert "Your coach:</span> Check in on Friday" in page
    assert "Lead with a question" in page
    assert "Seems tired of the pipeline review" not in page
    assert "Hid" not in page
    assert "<img" not in page.split("Your sessions so far")[1]


def test_it_shows_nothing_of_a_session_before_the_coach_completes_it(world):
    session = enrol_and_schedule(world)
    note(session, "Shared while running", shared=True)
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "Shared while running" not in page and "Your sessions so far" not in page


def test_it_keeps_the_portal_to_a_fixed_number_of_queries_whatever_the_history(
    world, django_assert_max_num_queries
):
    http = world.login(world.client_user)
    _completed(world)
    with django_assert_max_num_queries(40) as few:
        http.get(reverse("portal"))
    count = len(few.captured_queries)
    for n in range(3):
        _completed(world, marker=str(n))
    with django_assert_max_num_queries(count):
        page = http.get(reverse("portal")).content.decode()
    assert page.count("portal-session") == 4
