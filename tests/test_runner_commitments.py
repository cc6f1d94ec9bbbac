"""Commitments edited and deleted in the runner with the notes' rules (browser-made ids,
versions, both sides shown on a clash), notes answered with their Markdown rendered safely
by the server, and the page state the runner's script reads."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession, Commitment
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import engagement_enrol
from flowcoach.programs.models import Program


@pytest.fixture
def sessions(world) -> tuple[CoachingSession, CoachingSession]:
    engagement = engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    first, second = engagement.sessions.order_by("sequence")[:2]
    first.status = CoachingSession.Status.HELD
    first.starts_at = timezone.now() - timedelta(days=7)
    first.save()
    second.status = CoachingSession.Status.SCHEDULED
    second.starts_at = timezone.now() - timedelta(minutes=5)
    second.save()
    return first, second


@pytest.fixture
def http(world):
    return world.login(world.coach)


def post(http, session, data, name="runner_commitments"):
    return http.post(
        reverse(name, args=[session.pk]), json.dumps(data), content_type="application/json"
    )


def test_it_edits_a_commitment_by_version_and_shows_both_sides_of_a_stale_edit(http, sessions):
    _, session = sessions
    made = str(uuid.uuid4())
    assert post(http, session, {"uuid": made, "text": "Call Ann"}).json()["version"] == 1
    edited = post(
        http,
        session,
        {
            "uuid": made,
            "base_version": 1,
            "text": "Call Ann and Bo",
            "owner": "coach",
            "due_date": "2030-02-01",
        },
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = post(http, session, {"uuid": made, "base_version": 1, "text": "Call Cy"})
    assert stale.status_code == 409
    body = stale.json()
    assert (body["stored"]["text"], body["yours"]["text"], body["version"]) == (
        "Call Ann and Bo",
        "Call Cy",
        2,
    )
    stored = Commitment.objects.get(uuid=made)
    assert (stored.text, stored.owner, str(stored.due_date)) == (
        "Call Ann and Bo",
        "coach",
        "2030-02-01",
    )


def test_it_deletes_a_commitment_once_and_answers_ok_to_a_repeat_or_an_unknown_id(http, sessions):
    _, session = sessions
    made = str(uuid.uuid4())
    post(http, session, {"uuid": made, "text": "Typed by mistake"})
    for _ in range(2):
        response = post(http, session, {"uuid": made, "base_version": 1, "deleted": True})
        assert response.status_code == 200 and response.json()["deleted"] is True
    assert not Commitment.objects.filter(uuid=made).exists()
    unknown = post(http, session, {"uuid": str(uuid.uuid4()), "deleted": True})
    assert unknown.status_code == 200


def test_it_refuses_to_bring_back_a_commitment_deleted_in_another_tab(http, sessions):
    _, session = sessions
    made = str(uuid.uuid4())
    post(http, session, {"uuid": made, "text": "Read the book"})
    post(http, session, {"uuid": made, "base_version": 1, "deleted": True})
    late = post(http, session, {"uuid": made, "base_version": 1, "text": "Read two books"})
    assert late.status_code == 409
    assert late.json()["stored"]["deleted"] is True and late.json()["version"] is None
    assert not Commitment.objects.filter(uuid=made).exists()
    # "Keep mine" sends it without a version: a deliberate new save.
    again = post(http, session, {"uuid": made, "text": "Read two books"})
    assert again.status_code == 200
    assert Commitment.objects.get(uuid=made).text == "Read two books"


def test_it_refuses_a_stale_delete_and_keeps_the_commitment(http, sessions):
    _, session = sessions
    made = str(uuid.uuid4())
    post(http, session, {"uuid": made, "text": "One"})
    post(http, session, {"uuid": made, "base_version": 1, "text": "Two"})
    response = post(http, session, {"uuid": made, "base_version": 1, "deleted": True})
    assert response.status_code == 409
    assert response.json()["yours"]["deleted"] is True
    assert Commitment.objects.get(uuid=made).text == "Two"


def test_it_lets_last_sessions_commitments_be_marked_but_not_deleted(http, sessions):
    first, session = sessions
    old = runner.commitment_save(session=first, uuid=uuid.uuid4(), text="Phone two clients")
    response = post(http, session, {"uuid": str(old.uuid), "base_version": 1, "deleted": True})
    assert response.status_code == 400
    assert "marked, not deleted" in response.json()["error"]
    assert Commitment.objects.filter(pk=old.pk).exists()


def test_it_refuses_another_clients_commitment(http, sessions, world):
    _, session = sessions
    other = engagement_enrol(
        client=world.other_client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.other_coach,
    ).sessions.first()
    theirs = runner.commitment_save(session=other, uuid=uuid.uuid4(), text="Not yours")
    for data in (
        {"uuid": str(theirs.uuid), "deleted": True},
        {"uuid": str(theirs.uuid), "base_version": 1, "text": "Changed"},
    ):
        assert post(http, session, data).status_code == 400
    theirs.refresh_from_db()
    assert theirs.text == "Not yours"


@pytest.mark.parametrize(
    "data",
    [
        {"uuid": "not-an-id", "deleted": True},
        {"text": "no id", "deleted": False},
        {"uuid": "11111111-1111-4111-8111-111111111111", "text": "   "},
        {"uuid": "11111111-1111-4111-8111-111111111111", "text": "x", "owner": "boss"},
    ],
)
def test_it_refuses_bad_commitment_input_and_changes_nothing(http, sessions, data):
    _, session = sessions
    response = post(http, session, data)
    assert response.status_code == 400 and response.json()["error"]
    assert not Commitment.objects.exists()


def test_it_answers_a_note_save_with_its_markdown_rendered_and_made_harmless(http, sessions):
    _, session = sessions
    hostile = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) **bold**"
    answer = post(http, session, {"uuid": str(uuid.uuid4()), "body": hostile}, "runner_notes")
    html = answer.json()["html"]
    assert "<strong>bold</strong>" in html
    assert "<img" not in html and "onerror=alert(1)&gt;" in html
    assert 'href="javascript' not in html


def test_it_gives_the_page_script_rendered_notes_both_commitment_lists_and_the_minimum(
    http, sessions
):
    first, session = sessions
    runner.note_save(session=session, uuid=uuid.uuid4(), body="*quiet* <b>win</b>")
    runner.commitment_save(session=first, uuid=uuid.uuid4(), text="From last time")
    runner.commitment_save(session=session, uuid=uuid.uuid4(), text="From today")
    response = http.get(reverse("runner", args=[session.pk]))
    state = response.context["state"]
    assert state["notes"][0]["html"] == "<p><em>quiet</em> &lt;b&gt;win&lt;/b&gt;</p>\n"
    assert {(c["text"], c["here"]) for c in state["commitments"]} == {
        ("From today", True),
        ("From last time", False),
    }
    assert state["session_min"] == min(
        session.template_version.minutes_min, session.duration_minutes
    )
    page = response.content.decode()
    assert "Go through last session's commitments (1)" in page
