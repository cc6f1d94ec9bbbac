"""A client downloads their own records from the portal: one ZIP with a JSON file and a
Markdown file, holding only what their coach shared with them."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from flowcoach.clients.models import AchievementStory, MotivationProfile, Visibility
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message
from flowcoach.outbox.worker import run_worker_once
from tests.client_view_helpers import commitment, enrol_and_schedule, note, records_of
from tests.query_counts import assert_same_queries_at_two_sizes


def test_it_offers_the_download_on_the_portal(world):
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "Download my records" in page
    assert reverse("portal_my_records") in page


def test_it_exports_profile_sessions_notes_commitments_purpose_outcomes_and_recaps(
    world, smtp_server
):
    world.client.job_title = "Account executive"
    world.client.save()
    profile = MotivationProfile.objects.create(
        client=world.client,
        motivational_flow="Spots a gap, builds, teaches it",
        motivational_flow_visibility=Visibility.SHARED,
    )
    AchievementStory.objects.create(
        profile=profile,
        title="The trade fair",
        trigger="No leads",
        process="Built a demo",
        outcome="Twelve meetings",
        visibility=Visibility.SHARED,
    )
    session = enrol_and_schedule(world)
    note(session, "You light up when you teach", shared=True, flow_stage="learn_about")
    note(session, "Coach's hunch about the region", shared=False)
    runner.purpose_save(session=session, text="I sell so buyers choose with confidence.")
    runner.record_save(
        session=session,
        base_version=1,
        adjustments="Name the price early",
        outcomes=[{"text": session.template_version.outcomes[0], "mark": "met"}],
    )
    commitment(session, "Quote a price in every first call", due_date=date(2030, 5, 17))
    kept = commitment(session, "Read the pre-reading")
    runner.commitment_save(session=session, uuid=kept.uuid, base_version=1, state="kept")
    runner_clock.session_complete(session=session)
    follow_up = Message.objects.get(kind=Kind.FOLLOW_UP)
    outbox.message_send_now(message=follow_up, user=world.coach)
    run_worker_once()

    data, markdown = records_of(world.login(world.client_user))

    assert data["format"] == "flowcoach.client-records" and data["format_version"] == 1
    me = data["profile"]
    assert me["full_name"] == "Cliff Client" and me["job_title"] == "Account executive"
    assert me["coach"] == {"full_name": "Cora Coach", "email": "coach@harbour.test"}
    assert me["stories"][0]["title"] == "The trade fair"
    assert me["fields"] == [
        {
            "name": "motivational_flow",
            "label": "Your motivational flow",
            "text": "Spots a gap, builds, teaches it",
        }
    ]
    [first, *later] = data["sessions"]
    assert (first["code"], first["title"], first["status"]) == ("S1", session.title, "held")
    assert first["starts_at"] == session.starts_at.isoformat()
    assert all(row["summary"] is None for row in later)
    summary = first["summary"]
    assert [n["text"] for n in summary["shared_notes"]] == ["You light up when you teach"]
    assert summary["shared_notes"][0]["flow_stage_label"] == "Learn about"
    assert summary["purpose_statement"] == "I sell so buyers choose with confidence."
    assert summary["adjustments"] == "Name the price early"
    assert summary["outcomes"][0]["mark_label"] == "Met"
    states = {c["text"]: (c["state"], c["due_date"]) for c in data["commitments"]}
    assert states == {
        "Quote a price in every first call": ("open", "2030-05-17"),
        "Read the pre-reading": ("kept", None),
    }
    assert data["purpose_statements"][0]["session"]["code"] == "S1"
    [recap] = data["recap_emails"]
    assert recap["subject"] == follow_up.subject and "You light up when you teach" in recap["text"]

    for piece in [
        "# My coaching records: Cliff Client",
        "- **Job title:** Account executive",
        "### Story: The trade fair",
        "Spots a gap, builds, teaches it",
        "### S1: " + session.title,
        "- You light up when you teach _(",
        "I sell so buyers choose with confidence.",
        "**What I will work on:**",
        "Name the price early",
        "- You: Quote a price in every first call (Open, due 17 May 2030)",
        "- You: Read the pre-reading (Kept)",
        f"### {follow_up.subject}",
    ]:
        assert piece in markdown, piece
    for text in (data and str(data), markdown):
        assert "Coach's hunch" not in text


def test_it_holds_back_a_session_until_its_coach_completes_it(world):
    session = enrol_and_schedule(world)
    note(session, "Shared, but the session is still running", shared=True)
    commitment(session, "Not final yet")
    runner.purpose_save(session=session, text="A first draft")
    data, markdown = records_of(world.login(world.client_user))
    assert data["sessions"][0]["summary"] is None
    assert data["commitments"] == [] and data["purpose_statements"] == []
    assert "still running" not in markdown and "A first draft" not in markdown


def test_it_exports_an_empty_record_without_failing(world):
    data, markdown = records_of(world.login(world.client_user))
    assert data["sessions"] == [] and data["recap_emails"] == []
    assert "None yet." in markdown


def test_it_gives_each_client_only_their_own_records(world):
    mine = enrol_and_schedule(world)
    note(mine, "For Cliff only", shared=True)
    runner_clock.session_complete(session=mine)
    theirs = enrol_and_schedule(world, client=world.other_client, coach=world.other_coach)
    note(theirs, "For Clara only", shared=True)
    runner_clock.session_complete(session=theirs)
    data, _ = records_of(world.login(world.other_client_user))
    assert data["profile"]["full_name"] == "Clara Second"
    assert "For Clara only" in str(data) and "For Cliff only" not in str(data)


def test_it_keeps_the_export_within_a_fixed_number_of_queries(world):
    http = world.login(world.client_user)
    session = enrol_and_schedule(world)
    note(session, "One", shared=True)
    commitment(session, "First commitment")
    runner_clock.session_complete(session=session)

    def grow() -> None:
        second = enrol_and_schedule(world)
        for index in range(20):
            note(second, f"Note {index}", shared=True)
            commitment(second, f"Commitment {index}")
        runner_clock.session_complete(session=second)

    assert_same_queries_at_two_sizes(lambda: records_of(http), grow)
    data, _ = records_of(http)
    assert len(data["commitments"]) == 21


def test_it_refuses_anything_but_get(world):
    response = world.login(world.client_user).post(reverse("portal_my_records"))
    assert response.status_code == 405
