"""The runner's page and autosave endpoints: JSON in and out, 400 with nothing changed on bad
input, 409 with both versions on a stale save, and a query count that does not grow with
the number of notes."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession, Commitment, SessionNote
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import engagement_enrol
from flowcoach.programs.models import Program

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

SECRET = "OTTER-PRIVATE-4410"


@pytest.fixture
def session(world) -> CoachingSession:
    engagement = engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    first = engagement.sessions.order_by("sequence").first()
    first.status = CoachingSession.Status.SCHEDULED
    first.starts_at = timezone.now() - timedelta(minutes=5)
    first.video_link = "https://video.example.org/room/1"
    first.save()
    return first


@pytest.fixture
def http(world):
    return world.login(world.coach)


def post(http, name, session, data):
    return http.post(
        reverse(name, args=[session.pk]), json.dumps(data), content_type="application/json"
    )


def add_notes(session, count):
    for index in range(count):
        runner.note_save(
            session=session, uuid=uuid.uuid4(), body=f"Note {index}", flow_stage="find_out"
        )


def test_it_shows_the_runner_with_segments_prompts_and_notes(http, session):
    runner.note_save(session=session, uuid=uuid.uuid4(), body="Rises when **winning**")
    response = http.get(reverse("runner", args=[session.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for segment in session.template_version.segments:
        assert segment["name"] in page
    assert "Rises when **winning**" in page  # in the page's state, for the script
    assert 'id="save-status"' in page and "js/runner.js" in page


def test_it_links_the_session_page_to_the_runner(http, session):
    page = http.get(reverse("session_detail", args=[session.pk])).content.decode()
    assert reverse("runner", args=[session.pk]) in page


@pytest.mark.parametrize("name", ["runner", "runner_summary", "runner_summary_md"])
def test_it_keeps_page_queries_fixed_whatever_the_number_of_notes(
    http, session, name, django_assert_max_num_queries
):
    add_notes(session, 2)
    http.get(reverse(name, args=[session.pk]))  # warm the record and the profile rows
    with django_assert_max_num_queries(20) as few:
        http.get(reverse(name, args=[session.pk]))
    add_notes(session, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert http.get(reverse(name, args=[session.pk])).status_code == 200


def test_it_keeps_autosave_queries_fixed_whatever_the_number_of_notes(
    http, session, django_assert_max_num_queries
):
    add_notes(session, 2)
    note_id = str(uuid.uuid4())
    post(http, "runner_notes", session, {"uuid": note_id, "body": "first"})
    with django_assert_max_num_queries(8) as few:
        post(http, "runner_notes", session, {"uuid": note_id, "base_version": 1, "body": "b"})
    add_notes(session, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = post(
            http, "runner_notes", session, {"uuid": note_id, "base_version": 2, "body": "c"}
        )
    assert response.json()["version"] == 3


def test_it_refuses_autosave_on_a_cancelled_session(http, session):
    session.status = CoachingSession.Status.CANCELLED
    session.save()
    response = post(http, "runner_notes", session, {"uuid": str(uuid.uuid4()), "body": "x"})
    assert response.status_code == 400 and "did not take place" in response.json()["error"]
    assert not SessionNote.objects.filter(session=session).exists()


def test_it_checks_a_notes_segment_against_the_sessions_own_segments(http, session):
    last = len(session.template_version.segments) - 1
    assert last != len(session.template_version.outcomes) - 1  # tells the two lists apart
    ok = post(http, "runner_notes", session, {"uuid": str(uuid.uuid4()), "segment": last})
    assert ok.status_code == 200
    past = {"uuid": str(uuid.uuid4()), "segment": last + 1}
    assert post(http, "runner_notes", session, past).status_code == 400


def test_it_saves_a_note_in_six_queries(http, session, django_assert_num_queries):
    # An open runner saves every few seconds, so each query here is paid many times over:
    # the user with their memberships (the signed-in session comes from its cache), the
    # session with its access check,
    # then the note read under lock and written, inside one transaction (a savepoint here).
    note_id = str(uuid.uuid4())
    post(http, "runner_notes", session, {"uuid": note_id, "body": "first"})
    with django_assert_num_queries(6) as done:
        response = post(
            http, "runner_notes", session, {"uuid": note_id, "base_version": 1, "body": "b"}
        )
    assert response.status_code == 200 and response.json()["version"] == 2
    statements = [query["sql"].split()[0].upper() for query in done.captured_queries]
    assert statements.count("UPDATE") == 1 and "INSERT" not in statements


def test_it_saves_a_note_once_and_answers_with_its_version(http, session):
    note_id = str(uuid.uuid4())
    data = {"uuid": note_id, "body": "Alive in discovery", "flow_stage": "learn_about"}
    first = post(http, "runner_notes", session, data)
    again = post(http, "runner_notes", session, data)
    assert first.status_code == again.status_code == 200
    assert again.json() == {
        "ok": True,
        "uuid": note_id,
        "version": 1,
        "html": "<p>Alive in discovery</p>\n",
    }
    assert SessionNote.objects.filter(session=session).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"uuid": "nope", "body": "x"},
        {"uuid": "11111111-1111-4111-8111-111111111111", "body": "x", "flow_stage": "sideways"},
        {"uuid": "11111111-1111-4111-8111-111111111111", "body": "x", "segment": "first"},
        {"uuid": "11111111-1111-4111-8111-111111111111", "body": ["not", "text"]},
        {"uuid": "11111111-1111-4111-8111-111111111111", "body": "x", "colour": "red"},
    ],
)
def test_it_refuses_bad_notes_with_a_message_and_changes_nothing(http, session, data):
    response = post(http, "runner_notes", session, data)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not SessionNote.objects.exists()


def test_it_refuses_a_body_that_is_not_json(http, session):
    response = http.post(
        reverse("runner_notes", args=[session.pk]), "{oops", content_type="application/json"
    )
    assert response.status_code == 400
    assert not SessionNote.objects.exists()


def test_it_answers_a_stale_save_with_409_and_both_versions(http, session):
    note_id = str(uuid.uuid4())
    post(http, "runner_notes", session, {"uuid": note_id, "body": "start"})
    post(http, "runner_notes", session, {"uuid": note_id, "base_version": 1, "body": "tab A"})
    response = post(
        http, "runner_notes", session, {"uuid": note_id, "base_version": 1, "body": "tab B"}
    )
    assert response.status_code == 409
    body = response.json()
    assert (body["stored"]["body"], body["yours"]["body"], body["version"]) == (
        "tab A",
        "tab B",
        2,
    )
    assert SessionNote.objects.get().body == "tab A"


def test_it_deletes_a_note_softly(http, session):
    note_id = str(uuid.uuid4())
    post(http, "runner_notes", session, {"uuid": note_id, "body": "oops"})
    response = post(
        http, "runner_notes", session, {"uuid": note_id, "base_version": 1, "deleted": True}
    )
    assert response.status_code == 200
    assert SessionNote.objects.get().deleted_at is not None
    assert "oops" not in http.get(reverse("runner", args=[session.pk])).content.decode()


def test_it_saves_the_worksheet_purpose_and_commitments(http, session):
    response = post(
        http,
        "runner_record",
        session,
        {"base_version": 1, "purpose": "I sell to help.", "fields": {"challenge": "Pricing"}},
    )
    assert response.status_code == 200 and response.json()["version"] == 2
    stale = post(http, "runner_record", session, {"base_version": 1, "fields": {"challenge": "x"}})
    assert stale.status_code == 409
    bad = post(http, "runner_record", session, {"base_version": 2, "fields": {"outcomes": "all"}})
    assert bad.status_code == 400
    commitment_id = str(uuid.uuid4())
    made = post(
        http,
        "runner_commitments",
        session,
        {"uuid": commitment_id, "text": "Ask for referrals", "due_date": "2030-01-15"},
    )
    assert made.status_code == 200
    bad_date = post(
        http,
        "runner_commitments",
        session,
        {"uuid": str(uuid.uuid4()), "text": "x", "due_date": "someday"},
    )
    assert bad_date.status_code == 400
    assert Commitment.objects.count() == 1
    assert runner.record_of(session).challenge == "Pricing"


def test_it_logs_timing_and_refuses_unknown_events(http, session):
    started = post(http, "runner_timing", session, {"event": "start"})
    assert started.status_code == 200 and len(started.json()["timing"]) == 1
    assert post(http, "runner_timing", session, {"event": "jump"}).status_code == 400
    assert post(http, "runner_timing", session, {"event": "next", "segment": 1}).status_code == 200
    assert post(http, "runner_timing", session, {"event": "next", "at": "noon"}).status_code == 400
    assert [t["segment"] for t in runner.record_of(session).timing] == [0, 1]


def test_it_completes_to_the_summary_and_the_markdown_export(http, session):
    runner.note_save(session=session, uuid=uuid.uuid4(), body=f"Hunch {SECRET}", marker="aha")
    runner.note_save(
        session=session, uuid=uuid.uuid4(), body="Shared *insight*", visibility="shared_with_client"
    )
    runner.purpose_save(session=session, text="I help people buy well.")
    runner_clock.timing_event(
        session=session, event="start", at=timezone.now() - timedelta(minutes=4)
    )
    response = http.post(reverse("runner_complete", args=[session.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("runner_summary", args=[session.pk])
    page = http.get(response["Location"]).content.decode()
    assert "<em>insight</em>" in page and "I help people buy well." in page
    assert "<svg" in page and "Aha" in page
    markdown = http.get(reverse("runner_summary_md", args=[session.pk]))
    assert markdown["Content-Type"].startswith("text/markdown")
    assert "I help people buy well." in markdown.content.decode()
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.HELD


def test_it_sanitises_notes_on_the_summary(http, session):
    runner.note_save(
        session=session,
        uuid=uuid.uuid4(),
        body="<script>alert(1)</script> [x](javascript:alert(2))",
    )
    page = http.get(reverse("runner_summary", args=[session.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert 'href="javascript' not in page


def test_it_shows_last_sessions_commitments_for_review_and_saves_their_state(http, session):
    later = session.engagement.sessions.order_by("sequence")[1]
    later.status = CoachingSession.Status.SCHEDULED
    later.starts_at = timezone.now() + timedelta(minutes=1)
    later.save()
    kept = runner.commitment_save(
        session=session, uuid=uuid.uuid4(), text="Phone two lapsed clients"
    )
    runner_clock.session_complete(session=session)
    page = http.get(reverse("runner", args=[later.pk])).content.decode()
    assert "Last session&#x27;s commitments" in page or "Last session's commitments" in page
    assert "Phone two lapsed clients" in page
    response = post(
        http,
        "runner_commitments",
        later,
        {"uuid": str(kept.uuid), "base_version": 1, "state": "partly_kept"},
    )
    assert response.status_code == 200
    kept.refresh_from_db()
    assert (kept.state, kept.session_id) == ("partly_kept", session.pk)


def test_it_shows_topics_collected_in_earlier_sessions(http, session):
    runner.record_save(session=session, base_version=1, topic_candidates=["Handling silence"])
    later = session.engagement.sessions.order_by("sequence")[1]
    page = http.get(reverse("runner", args=[later.pk])).content.decode()
    assert "Topics collected for open sessions" in page and "Handling silence" in page


def test_it_refuses_a_stale_purpose_statement_with_both_texts_and_changes_nothing(http, session):
    made = post(http, "runner_record", session, {"purpose": "I sell to help."})
    assert made.status_code == 200 and made.json()["purpose_version"] == 1
    edited = post(
        http, "runner_record", session, {"purpose": "I sell to serve.", "purpose_version": 1}
    )
    assert edited.status_code == 200 and edited.json()["purpose_version"] == 2
    stale = post(
        http, "runner_record", session, {"purpose": "I sell to win.", "purpose_version": 1}
    )
    assert stale.status_code == 409
    assert stale.json()["stored"]["text"] == "I sell to serve."
    assert stale.json()["yours"]["text"] == "I sell to win."
    # A stale record save carrying a purpose saves neither.
    both = post(
        http,
        "runner_record",
        session,
        {"purpose": "I sell to teach.", "purpose_version": 2, "base_version": 0, "fields": {}},
    )
    assert both.status_code == 200
    refused = post(
        http,
        "runner_record",
        session,
        {
            "purpose": "I sell to lead.",
            "purpose_version": 3,
            "base_version": 0,
            "fields": {"challenge": "Pricing"},
        },
    )
    assert refused.status_code == 409
    assert session.purpose_statements.get().text == "I sell to teach."


def test_it_shows_the_sessions_own_purpose_statement_whatever_came_after(http, session):
    runner.purpose_save(session=session, text="Written in this session.")
    later = session.engagement.sessions.order_by("sequence")
    for other in later[1:3]:
        runner.purpose_save(session=other, text=f"Written in {other.code}.")
    page = http.get(reverse("runner", args=[session.pk])).content.decode()
    assert ">Written in this session.</textarea>" in page
