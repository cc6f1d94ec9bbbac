"""The client API (/api/v1/): read-only JSON about the signed-in client's own coaching, with
JSON errors a mobile app can act on. Who may call what is in tests/authz/routes_api.py."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from ninja.errors import HttpError

from flowcoach.accounts.actor import build_actor
from flowcoach.api.auth import ClientSession
from flowcoach.clients.models import MotivationProfile, Visibility
from flowcoach.coaching.models import Commitment
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from tests.client_view_helpers import commitment, enrol_and_schedule, note
from tests.query_counts import assert_same_queries_at_two_sizes

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")


@pytest.fixture
def api(world):
    return world.login(world.client_user)


@pytest.fixture
def completed(world):
    session = enrol_and_schedule(world)
    note(session, "You light up when you teach", shared=True, flow_stage="find_out", segment=0)
    note(session, "Coach's private hunch")
    runner.purpose_save(session=session, text="I sell to help buyers decide.")
    runner.record_save(session=session, base_version=1, adjustments="Name the price early")
    commitment(session, "Quote a price in every first call")
    runner_clock.session_complete(session=session)
    return session


def test_it_answers_me_with_the_client_and_their_shared_profile(world, api):
    MotivationProfile.objects.create(
        client=world.client,
        shadow_side="Rushes the close",
        shadow_side_visibility=Visibility.SHARED,
        personal_goals="Run a marathon",
        personal_goals_visibility=Visibility.COACH_ONLY,
    )
    response = api.get(reverse("api_v1:me"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["API-Version"] == "1"
    assert "no-store" in response["Cache-Control"]
    profile = response.json()["profile"]
    assert profile["email"] == "client@harbour.test" and profile["company"] == "Acme Ltd"
    assert [f["name"] for f in profile["fields"]] == ["shadow_side"]
    assert "Run a marathon" not in response.content.decode()


def test_it_lists_the_clients_sessions_in_order(world, api, completed):
    sessions = api.get(reverse("api_v1:sessions")).json()["sessions"]
    assert [s["code"] for s in sessions] == ["S1", "S2", "S3", "S4", "S5", "S6"]
    first = sessions[0]
    assert first["id"] == completed.pk and first["status"] == "held" and first["has_summary"]
    assert first["starts_at"] == completed.starts_at.isoformat()
    assert first["video_link"] == "https://video.example.org/room/c"
    assert not sessions[1]["has_summary"] and sessions[1]["starts_at"] is None


def test_it_gives_a_completed_sessions_shared_summary(api, completed):
    body = api.get(reverse("api_v1:session", args=[completed.pk])).json()
    assert body["session"]["code"] == "S1"
    summary = body["summary"]
    assert summary["shared_notes"] == [
        {
            "text": "You light up when you teach",
            "segment": completed.template_version.segments[0]["name"],
            "flow_stage": "find_out",
            "flow_stage_label": "Find out",
        }
    ]
    assert summary["purpose_statement"] == "I sell to help buyers decide."
    assert summary["adjustments"] == "Name the price early"
    assert [c["text"] for c in summary["commitments"]] == ["Quote a price in every first call"]
    assert "private hunch" not in str(body)


def test_it_gives_no_summary_before_the_session_is_completed(world, api):
    session = enrol_and_schedule(world)
    note(session, "Shared while running", shared=True)
    body = api.get(reverse("api_v1:session", args=[session.pk])).json()
    assert body["summary"] is None and "Shared while running" not in str(body)


def test_it_lists_commitments_and_filters_them_by_state(api, completed):
    session = completed
    everything = api.get(reverse("api_v1:commitments")).json()["commitments"]
    [only] = everything
    assert only["state"] == "open" and only["owner_label"] == "You"
    assert only["session"] == {"id": session.pk, "code": "S1"}
    assert api.get(reverse("api_v1:commitments"), {"state": "open"}).json()["commitments"]
    assert api.get(reverse("api_v1:commitments"), {"state": "kept"}).json()["commitments"] == []


def test_it_refuses_an_unknown_state_with_a_clear_message(api, completed):
    response = api.get(reverse("api_v1:commitments"), {"state": "finished"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "bad_state" and "open, kept" in error["message"]


def test_it_answers_json_errors_for_strangers_staff_and_unknown_things(world, completed):
    anonymous = HttpClient().get(reverse("api_v1:me"))
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_signed_in"
    assert anonymous["WWW-Authenticate"]
    coach = world.login(world.coach).get(reverse("api_v1:sessions"))
    assert coach.status_code == 403 and coach.json()["error"]["code"] == "not_a_client"
    other = world.login(world.other_client_user).get(reverse("api_v1:session", args=[completed.pk]))
    assert other.status_code == 404 and other.json()["error"]["code"] == "not_found"
    missing = world.login(world.client_user).get("/api/v1/nothing/here/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_it_only_reads(api, completed):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(api, method)(reverse("api_v1:commitments"))
        assert response.status_code == 405, method
        assert response["Allow"] == "GET, HEAD"
    assert api.head(reverse("api_v1:commitments")).status_code == 200


def test_it_refuses_a_write_without_a_csrf_token(world):
    # A page on another site cannot make a signed-in client's browser write through the API.
    # Ninja's views skip Django's CSRF middleware; today there is no write to make (405,
    # nothing changed), and the session sign-in itself demands the token for any method that
    # is not safe, so a write added later is guarded too.
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.client_user)
    before = Commitment.objects.count()
    assert http.post(reverse("api_v1:commitments"), {"text": "x"}).status_code == 405
    assert Commitment.objects.count() == before
    request = RequestFactory().post("/api/v1/commitments/", {"text": "x"})
    request.user = world.client_user
    request.actor = build_actor(world.client_user, world.org.pk)
    with pytest.raises(HttpError) as refused:
        ClientSession()(request)
    assert refused.value.status_code == 403
    request = RequestFactory().get("/api/v1/commitments/")
    request.user = world.client_user
    request.actor = build_actor(world.client_user, world.org.pk)
    assert ClientSession()(request) == world.client


@pytest.mark.parametrize("name", ["api_v1:sessions", "api_v1:commitments", "api_v1:session"])
def test_it_keeps_queries_fixed_whatever_the_number_of_sessions_and_notes(world, api, name):
    first = enrol_and_schedule(world)
    note(first, "Shared first", shared=True)
    commitment(first, "First commitment")
    runner_clock.session_complete(session=first)
    args = [first.pk] if name == "api_v1:session" else []

    def grow() -> None:
        for index in range(15):
            note(first, f"Shared {index}", shared=True)
            commitment(first, f"Commitment {index}")
        enrol_and_schedule(world)

    def call() -> None:
        assert api.get(reverse(name, args=args)).status_code == 200

    assert_same_queries_at_two_sizes(call, grow)


def test_it_answers_json_for_any_unknown_address_even_an_odd_one(world):
    # Schemathesis found this one: a line break in the path slipped past the catch-all.
    response = world.login(world.client_user).get("/api/v1/sessions/%0A/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert response["API-Version"] == "1"
