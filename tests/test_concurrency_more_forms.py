"""Simultaneous posts of the other create forms (issue #11): invitations, programs (editor and
import), catalog imports, client imports and the first save of a check-in schedule or an
email preference. Each runs on separate threads and database connections, as separate workers
would; the uniqueness rule holds and nobody gets a 500."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flowcoach.accounts.models import Invitation
from flowcoach.checkins.models import CheckinSchedule, EmailPreference
from flowcoach.clients.models import Client, ThemeCatalog
from flowcoach.programs.models import Program
from tests.concurrency import simultaneous
from tests.session_helpers import enrol
from tests.test_concurrency import N, _assert_one_created, _signed_in
from tests.test_enrolment import track_yaml

pytestmark = pytest.mark.usefixtures("transactional_db")


def _no_errors(answers) -> list[int]:
    for answer in answers:
        assert not isinstance(answer, Exception), repr(answer)
    return sorted(answer.status_code for answer in answers)


def test_it_keeps_one_pending_invitation_from_simultaneous_invites(world):
    browsers = [_signed_in(world.admin) for _ in range(N)]
    data = {"full_name": "Ivo Invited", "email": "ivo@invited.test", "role": "coach"}
    answers = simultaneous(N, lambda n: browsers[n].post(reverse("people"), data))
    statuses = _no_errors(answers)
    assert 302 in statuses and set(statuses) <= {302, 400}, statuses
    for answer in answers:
        if answer.status_code == 400:
            assert "An invitation to this address is on its way already." in (
                answer.content.decode()
            )
    pending = Invitation.objects.filter(email="ivo@invited.test", status=Invitation.Status.PENDING)
    assert pending.count() == 1


def test_it_gives_each_simultaneous_new_program_its_own_short_name(world):
    # A repeat of the form makes another draft ("-2"), so a race must too, never a 500.
    browsers = [_signed_in(world.coach) for _ in range(N)]
    data = {"title": "Closing with care"}
    answers = simultaneous(N, lambda n: browsers[n].post(reverse("program_create"), data))
    assert _no_errors(answers) == [302] * N
    slugs = sorted(Program.objects.filter(organisation=world.org).values_list("slug", flat=True))
    assert slugs == sorted(
        ["closing-with-care", *(f"closing-with-care-{n}" for n in range(2, N + 1))]
    )


def test_it_creates_one_program_from_simultaneous_posts_with_one_chosen_short_name(world):
    browsers = [_signed_in(world.coach) for _ in range(N)]
    data = {"title": "Closing with care", "slug": "closing"}
    answers = simultaneous(N, lambda n: browsers[n].post(reverse("program_create"), data))
    _assert_one_created(answers, friendly="Another program of your organisation uses this name.")
    assert Program.objects.filter(organisation=world.org, slug="closing").count() == 1


def test_it_imports_each_simultaneous_program_file_under_its_own_short_name(world):
    browsers = [_signed_in(world.coach) for _ in range(N)]
    text = track_yaml(["S1"]).encode()

    def send(n: int):
        upload = SimpleUploadedFile("track.yaml", text, "application/yaml")
        return browsers[n].post(reverse("program_import"), {"file": upload})

    answers = simultaneous(N, send)
    assert _no_errors(answers) == [302] * N
    slugs = set(Program.objects.filter(organisation=world.org).values_list("slug", flat=True))
    assert slugs == {"track-test", *(f"track-test-{n}" for n in range(2, N + 1))}


def test_it_imports_one_catalog_from_simultaneous_uploads(world):
    browsers = [_signed_in(world.admin) for _ in range(N)]
    text = yaml.safe_dump(
        {"key": "race", "name": "Race", "groups": [{"name": "One", "themes": ["Win It"]}]}
    ).encode()

    def send(n: int):
        upload = SimpleUploadedFile("c.yaml", text, "application/yaml")
        return browsers[n].post(reverse("catalog_import"), {"file": upload})

    answers = simultaneous(N, send)
    _assert_one_created(answers, friendly="race version 1 exists already")
    assert ThemeCatalog.objects.filter(organisation=world.org, key="race").count() == 1


def test_it_imports_clients_once_from_simultaneous_confirmations(world):
    http = _signed_in(world.coach)
    csv = b"full_name,email\nAna Ames,ana@x.test\nBen Bell,ben@x.test\n"
    preview = http.post(reverse("client_import"), {"file": SimpleUploadedFile("c.csv", csv)})
    payload = preview.context["payload"]
    browsers = [_signed_in(world.coach) for _ in range(N)]
    answers = simultaneous(
        N, lambda n: browsers[n].post(reverse("client_import"), {"payload": payload})
    )
    _assert_one_created(answers, friendly="nothing was imported")
    assert Client.objects.filter(email__in=["ana@x.test", "ben@x.test"]).count() == 2


def test_it_keeps_one_check_in_schedule_from_simultaneous_first_saves(world):
    engagement = enrol(world)
    assert not CheckinSchedule.objects.filter(engagement=engagement).exists()
    browsers = [_signed_in(world.coach) for _ in range(N)]
    url = reverse("engagement_checkins", args=[engagement.pk])
    data = {"enabled": "on", "weekday": "2", "local_time": "09:30"}
    answers = simultaneous(N, lambda n: browsers[n].post(url, data))
    assert _no_errors(answers) == [302] * N
    assert CheckinSchedule.objects.filter(engagement=engagement).count() == 1


def test_it_keeps_one_email_preference_from_simultaneous_first_saves(world):
    browsers = [_signed_in(world.client_user) for _ in range(N)]
    url = reverse("checkin_preferences")
    answers = simultaneous(N, lambda n: browsers[n].post(url, {}))
    assert _no_errors(answers) == [302] * N
    assert EmailPreference.objects.filter(client=world.client).count() == 1
