"""Double submits and simultaneous posts of the create forms: one record, and every other
post a friendly answer, never a duplicate or a 500 (issue #11, finding 3)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.programs.services import program_import
from flowcoach.programs.yaml_io import parse_program_yaml
from tests.concurrency import simultaneous
from tests.test_enrolment import track_yaml

N = 6
pytestmark = pytest.mark.usefixtures("transactional_db")


def _signed_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _assert_one_created(answers, *, created_status=302, friendly: str) -> None:
    for answer in answers:
        assert not isinstance(answer, Exception), repr(answer)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses.count(created_status) == 1, statuses
    for answer in answers:
        if answer.status_code != created_status:
            assert answer.status_code in {200, 400}, answer.status_code
            assert friendly in answer.content.decode()


def test_it_creates_one_client_from_simultaneous_posts_with_one_email(world):
    browsers = [_signed_in(world.coach) for _ in range(N)]
    data = {"full_name": "Dana Double", "email": "dana@double.test", "time_zone": "UTC"}
    answers = simultaneous(N, lambda n: browsers[n].post(reverse("client_create"), data))
    _assert_one_created(
        answers, friendly="A client with this email is already in your organisation."
    )
    assert Client.objects.filter(email="dana@double.test").count() == 1


def test_it_enrols_once_from_simultaneous_posts(world):
    track = program_import(
        data=parse_program_yaml(track_yaml(["S1", "S2"])), organisation=world.org
    )
    browsers = [_signed_in(world.coach) for _ in range(N)]
    data = {"program": track.pk, "cadence": "none", "first_session": "", "time_zone": "UTC"}
    url = reverse("engagement_enrol", args=[world.client.pk])
    answers = simultaneous(N, lambda n: browsers[n].post(url, data))
    _assert_one_created(answers, friendly="is already enrolled in Track test")
    assert Engagement.objects.filter(client=world.client, status="active").count() == 1
    assert CoachingSession.objects.filter(engagement__client=world.client).count() == 2


def test_it_refuses_a_repeated_enrolment_with_a_message(world):
    track = program_import(data=parse_program_yaml(track_yaml(["S1"])), organisation=world.org)
    http = _signed_in(world.coach)
    data = {"program": track.pk, "cadence": "none", "first_session": "", "time_zone": "UTC"}
    url = reverse("engagement_enrol", args=[world.client.pk])
    assert http.post(url, data).status_code == 302
    again = http.post(url, data)
    assert again.status_code == 400
    assert "Cliff Client is already enrolled in Track test." in again.content.decode()
    assert Engagement.objects.filter(client=world.client).count() == 1
