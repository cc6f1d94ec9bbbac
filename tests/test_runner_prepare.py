"""The preparation view: the template's lists, the last held session's summary, the open
commitments, the check-in seam, for the session's coach only, in a fixed number of queries."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from flowcoach.coaching.models import CoachingSession
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import engagement_enrol
from flowcoach.programs.models import Program


@pytest.fixture
def sessions(world):
    engagement = engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    first, second = list(engagement.sessions.order_by("sequence"))[:2]
    first.status = CoachingSession.Status.HELD
    first.starts_at = timezone.now() - timedelta(days=7)
    first.save()
    second.status = CoachingSession.Status.SCHEDULED
    second.starts_at = timezone.now() + timedelta(hours=3)
    second.video_link = "https://video.example.org/room/2"
    second.save()
    return first, second


def add_history(session, count=2):
    for index in range(count):
        runner.note_save(
            session=session,
            uuid=uuid.uuid4(),
            body=f"Shared insight {index}",
            flow_stage="learn_about",
            visibility="shared_with_client",
        )
        runner.note_save(
            session=session, uuid=uuid.uuid4(), body=f"Coach hunch {index}", flow_stage="own"
        )
        runner.commitment_save(session=session, uuid=uuid.uuid4(), text=f"Call ten buyers {index}")


@pytest.fixture
def http(world):
    return world.login(world.coach)


def test_it_shows_what_to_prepare_and_the_last_session(http, sessions):
    held, upcoming = sessions
    add_history(held)
    runner.commitment_save(session=held, uuid=uuid.uuid4(), text="Already done", state="kept")
    runner.purpose_save(session=held, text="I sell to leave people clearer.")
    record = runner.record_of(held)
    runner.record_save(
        session=held,
        base_version=record.version,
        challenge="Quiet Wednesdays",
        adjustments="One focus card",
    )
    response = http.get(reverse("runner_prepare", args=[upcoming.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    version = upcoming.template_version
    for item in [*version.coach_preparation, *version.client_preparation]:
        assert escape(str(item)) in page
    assert 'type="checkbox"' in page and "localStorage" not in page  # ticks live on the server
    for text in (
        "Shared insight 1",
        "Coach hunch 1",
        "Call ten buyers 0",
        "I sell to leave people clearer.",
        "Quiet Wednesdays",
        "One focus card",
        "Nothing since the last session",
        held.code,
    ):
        assert text in page, text
    assert "Already done" not in page  # only open commitments
    assert reverse("runner", args=[upcoming.pk]) in page


def test_it_says_so_when_there_is_no_earlier_session(http, sessions):
    held, upcoming = sessions
    page = http.get(reverse("runner_prepare", args=[held.pk])).content.decode()
    assert "first session" in page
    assert "No open commitments." in page


def test_it_is_linked_from_the_session_page_and_the_runner(http, sessions):
    _, upcoming = sessions
    target = reverse("runner_prepare", args=[upcoming.pk])
    assert target in http.get(reverse("session_detail", args=[upcoming.pk])).content.decode()
    assert target in http.get(reverse("runner", args=[upcoming.pk])).content.decode()


def test_it_refuses_the_admin_and_hides_it_from_another_coach(world, sessions):
    _, upcoming = sessions
    url = reverse("runner_prepare", args=[upcoming.pk])
    assert world.login(world.admin).get(url).status_code == 403
    assert world.login(world.other_coach).get(url).status_code == 404


def test_it_keeps_queries_fixed_whatever_the_history(http, sessions, django_assert_max_num_queries):
    held, upcoming = sessions
    add_history(held, 1)
    url = reverse("runner_prepare", args=[upcoming.pk])
    http.get(url)
    with django_assert_max_num_queries(20) as few:
        http.get(url)
    add_history(held, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert http.get(url).status_code == 200
