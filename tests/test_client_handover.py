"""Changing a client's coach hands the coaching over whole: engagements, sessions, calendar
feeds and waiting emails move to the new coach in one step; the previous coach's coach-only
notes stay theirs alone; a session being run blocks the change with nothing changed."""

from __future__ import annotations

import io
import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from flowcoach.clients import services as client_services
from flowcoach.coaching import emails, services
from flowcoach.coaching.models import CoachingSession, Engagement, SessionNote
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import NOT_YET_SENT, Kind, Message, State
from flowcoach.programs.models import Program

SECRET = "KESTREL-PRIVATE-7731"
SHARED = "Shared insight about pacing"


def _local(days: int) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 10, 0)


def _book(session: CoachingSession, days: int) -> CoachingSession:
    return services.session_schedule(
        session=session,
        starts_local=_local(days),
        time_zone=session.engagement.client.time_zone,
        duration_minutes=50,
        video_link="https://meet.example.org/handover",
    )


def _coaching(world) -> dict:
    """world.client with world.coach: S1 held and completed (a coach-only and a shared note,
    its follow-up waiting), S2 booked with its invitation already sent, S3 booked with its
    invitation still a draft."""
    engagement = services.engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
    held, sent, drafted = list(engagement.sessions.order_by("sequence"))[:3]
    held.status = CoachingSession.Status.SCHEDULED
    held.starts_at = timezone.now() - timedelta(days=2)
    held.video_link = "https://meet.example.org/held"
    held.save()
    private = runner.note_save(
        session=held, uuid=uuid.uuid4(), body=f"Hunch {SECRET}", marker="aha"
    )
    shared = runner.note_save(
        session=held, uuid=uuid.uuid4(), body=SHARED, visibility="shared_with_client"
    )
    runner_clock.session_complete(session=held)
    _book(sent, 7)
    Message.objects.filter(key=emails.invitation_key(sent)).update(
        state=State.SENT, sent_at=timezone.now()
    )
    _book(drafted, 14)
    return {
        "engagement": engagement,
        "held": held,
        "sent": sent,
        "drafted": drafted,
        "private": private,
        "shared": shared,
    }


def _reassign(world, coach=None):
    return world.login(world.admin).post(
        reverse("client_reassign", args=[world.client.pk]),
        {"coach": (coach or world.other_coach).pk},
    )


def _pdf_text(response) -> str:
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_it_moves_every_engagement_and_session_to_the_new_coach(world):
    made = _coaching(world)
    second = services.engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="foundations"),
        coach=world.coach,
    )
    admin = world.login(world.admin)
    response = admin.post(
        reverse("client_reassign", args=[world.client.pk]), {"coach": world.other_coach.pk}
    )
    assert response.status_code == 302
    follow = admin.get(response.url)
    assert "Done: Cole Second now coaches Cliff Client" in follow.content.decode()
    world.client.refresh_from_db()
    assert world.client.coach == world.other_coach
    assert set(Engagement.objects.filter(client=world.client).values_list("coach", flat=True)) == {
        world.other_coach.pk
    }
    new, old = world.login(world.other_coach), world.login(world.coach)
    pages = [
        reverse("engagement_detail", args=[made["engagement"].pk]),
        reverse("engagement_detail", args=[second.pk]),
        reverse("session_detail", args=[made["sent"].pk]),
        reverse("runner_prepare", args=[made["sent"].pk]),
        reverse("runner_summary", args=[made["held"].pk]),
        reverse("runner", args=[made["drafted"].pk]),
    ]
    for url in pages:
        assert new.get(url).status_code == 200, url
        assert old.get(url).status_code == 404, url


def test_it_moves_upcoming_sessions_between_the_coaches_calendar_feeds(world):
    made = _coaching(world)
    old_feed = services.calendar_feed_of(world.coach)
    new_feed = services.calendar_feed_of(world.other_coach)
    _reassign(world)
    anonymous = world.login(None)
    old_ics = anonymous.get(reverse("calendar_feed", args=[old_feed.token])).content.decode()
    new_ics = anonymous.get(reverse("calendar_feed", args=[new_feed.token])).content.decode()
    for session in (made["sent"], made["drafted"]):
        assert session.ics_uid in new_ics
        assert session.ics_uid not in old_ics


def test_it_rewrites_the_waiting_emails_for_the_new_coach(world):
    made = _coaching(world)
    one_off = outbox.message_create_one_off(
        organisation=world.org,
        owner=world.coach,
        to_email=world.client.email,
        to_name=world.client.full_name,
        subject="A thought from Cora Coach",
        text_body="Speak soon,\nCora Coach",
        key="handover-test",
        send=False,
    )
    notice = outbox.message_draft(
        organisation=world.org,
        key=f"session:{made['sent'].pk}:request:1",
        kind=Kind.NOTIFICATION,
        to_email=world.coach.email,
        to_name=world.coach.full_name,
        subject="Cliff Client confirmed",
        text_body="Cliff Client confirmed the session.",
        send_after=timezone.now(),
        owner=world.coach,
        reference=emails.reference_of(made["sent"]),
    )
    _reassign(world)

    waiting = Message.objects.filter(state__in=[*NOT_YET_SENT, State.INTERRUPTED])
    assert waiting.exists()
    for message in waiting:
        assert message.owner == world.other_coach, message.key
        assert message.reply_to == world.other_coach.email, message.key
        for part in (message.subject, message.text_body, message.html_body):
            assert "Cora Coach" not in part, message.key

    follow_up = Message.objects.get(key=emails.follow_up_key(made["held"]))
    assert "Reply to this email to reach Cole Second directly." in follow_up.text_body
    assert SHARED in follow_up.text_body and SECRET not in follow_up.text_body
    for session in (made["sent"], made["drafted"]):
        preparation = Message.objects.get(key=emails.preparation_key(session))
        assert "Cole Second" in preparation.text_body
    invitation = Message.objects.get(key=emails.invitation_key(made["drafted"]))
    assert invitation.state == State.DRAFT and "with Cole Second" in invitation.subject
    # The calendar file travels with the invitation (the preparation email has none).
    assert "mailto:coach2@harbour.test" in invitation.attachments[0]["content"]

    # The sent invitation stays as it went; an update with a higher SEQUENCE names the new coach.
    sent = CoachingSession.objects.get(pk=made["sent"].pk)
    assert sent.ics_sequence == 1
    assert Message.objects.get(key=emails.invitation_key(sent)).state == State.SENT
    update = Message.objects.get(key=emails.update_key(sent, 1))
    assert update.kind == Kind.SESSION_UPDATE and update.owner == world.other_coach
    assert update.subject.startswith("Your new coach:")
    assert "Cole Second is your coach from now on" in update.text_body
    ics = update.attachments[0]["content"]
    assert "SEQUENCE:1" in ics and "mailto:coach2@harbour.test" in ics
    assert sent.ics_uid in ics

    one_off.refresh_from_db()
    assert one_off.text_body == "Speak soon,\nCole Second"
    notice.refresh_from_db()
    assert notice.to_email == world.other_coach.email


def test_it_leaves_messages_already_sent_as_they_went(world):
    made = _coaching(world)
    sent_before = Message.objects.get(key=emails.invitation_key(made["sent"]))
    _reassign(world)
    sent_after = Message.objects.get(pk=sent_before.pk)
    assert sent_after.owner == world.coach
    assert sent_after.text_body == sent_before.text_body


def test_it_refuses_while_a_session_is_being_run_and_changes_nothing(world):
    made = _coaching(world)
    running = made["drafted"]
    running.starts_at = timezone.now() - timedelta(minutes=5)
    running.save()
    runner_clock.timing_event(session=running, event="start")
    before = list(Message.objects.order_by("pk").values_list("pk", "owner", "state", "text_body"))

    response = _reassign(world)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing has changed." in page and "is running right now" in page
    world.client.refresh_from_db()
    assert world.client.coach == world.coach
    assert Engagement.objects.get(pk=made["engagement"].pk).coach == world.coach
    assert CoachingSession.objects.get(pk=made["sent"].pk).ics_sequence == 0
    after = list(Message.objects.order_by("pk").values_list("pk", "owner", "state", "text_body"))
    assert after == before

    runner_clock.session_complete(session=running)
    assert _reassign(world).status_code == 302


def test_it_undoes_the_whole_change_when_an_email_cannot_be_rewritten(world, monkeypatch):
    made = _coaching(world)

    def refuse(*args, **kwargs):
        raise outbox.OutboxError("The subject fits on one line.")

    monkeypatch.setattr(emails.outbox, "message_draft", refuse)
    with pytest.raises(client_services.ReassignRefused, match="could not be rewritten"):
        client_services.client_reassign(client=world.client, coach=world.other_coach)
    world.client.refresh_from_db()
    assert world.client.coach == world.coach
    assert Engagement.objects.get(pk=made["engagement"].pk).coach == world.coach


def test_it_keeps_the_previous_coachs_private_notes_out_of_the_new_coachs_reach(world):
    made = _coaching(world)
    # The next session was started on paper (notes typed) but never run in the runner.
    unrun = made["sent"]
    runner.note_save(session=unrun, uuid=uuid.uuid4(), body=f"Before the move {SECRET}")
    _reassign(world)
    new = world.login(world.other_coach)
    own = runner.note_save(
        session=CoachingSession.objects.select_related("engagement").get(pk=unrun.pk),
        uuid=uuid.uuid4(),
        body="The new coach's own hunch",
    )
    assert own.author == world.other_coach

    held = made["held"]
    reachable = {
        "runner": new.get(reverse("runner", args=[held.pk])),
        "summary": new.get(reverse("runner_summary", args=[held.pk])),
        "markdown": new.get(reverse("runner_summary_md", args=[held.pk])),
        "runner (next)": new.get(reverse("runner", args=[unrun.pk])),
        "prepare": new.get(reverse("runner_prepare", args=[unrun.pk])),
        "engagement": new.get(reverse("engagement_detail", args=[made["engagement"].pk])),
        "session": new.get(reverse("session_detail", args=[held.pk])),
    }
    for name, response in reachable.items():
        assert response.status_code == 200, name
        assert SECRET not in response.content.decode(), name
    pdf = new.get(reverse("runner_summary_pdf", args=[held.pk]))
    assert pdf.status_code == 200
    assert SECRET not in _pdf_text(pdf) and SHARED in _pdf_text(pdf)
    for name in ("summary", "markdown", "prepare"):
        assert SHARED in reachable[name].content.decode(), name
    assert "The new coach&#x27;s own hunch" in reachable["runner (next)"].content.decode() or (
        "The new coach's own hunch" in reachable["runner (next)"].content.decode()
    )
    # The notes are still there, with their author, should the client come back to them.
    assert SessionNote.objects.filter(author=world.coach, body__contains=SECRET).count() == 2


def _handed_over_with_a_shared_note(world):
    """The coaching as _coaching makes it, a shared note by the first coach on the next
    session, then the change of coach: (made, next session, the note, new coach's client)."""
    made = _coaching(world)
    unrun = made["sent"]
    theirs = runner.note_save(
        session=unrun, uuid=uuid.uuid4(), body="Agreed pace", visibility="shared_with_client"
    )
    _reassign(world)
    return made, unrun, theirs, world.login(world.other_coach)


def test_it_refuses_to_change_or_delete_another_coachs_note_in_the_autosave(world):
    made, unrun, theirs, new = _handed_over_with_a_shared_note(world)
    url = reverse("runner_notes", args=[unrun.pk])
    for data in (
        {"uuid": str(theirs.uuid), "base_version": 1, "body": "Rewritten"},
        {"uuid": str(theirs.uuid), "base_version": 1, "deleted": True},
        {"uuid": str(made["private"].uuid), "base_version": 1, "body": "Peek"},
    ):
        target = unrun if data["uuid"] == str(theirs.uuid) else made["held"]
        response = new.post(
            reverse("runner_notes", args=[target.pk]),
            json.dumps(data),
            content_type="application/json",
        )
        assert response.status_code == 400
        assert "previous coach" in response.json()["error"]
    theirs.refresh_from_db()
    assert theirs.body == "Agreed pace" and theirs.deleted_at is None and theirs.version == 1
    assert SessionNote.objects.get(pk=made["private"].pk).body == f"Hunch {SECRET}"
    mine = new.post(
        url, json.dumps({"uuid": str(uuid.uuid4()), "body": "Mine"}), "application/json"
    )
    assert mine.status_code == 200


def test_it_says_on_the_confirmation_page_what_moves_and_what_stays_private(world):
    page = world.login(world.admin).get(reverse("client_reassign", args=[world.client.pk]))
    text = page.content.decode()
    assert "What moves to the new coach" in text
    assert "stay private to them" in text
    assert "has to be finished first" in text


def test_it_takes_back_a_queued_invitation_and_rewrites_it_for_the_new_coach(world):
    made = _coaching(world)
    queued = outbox.message_approve(
        message=Message.objects.get(key=emails.invitation_key(made["drafted"])), user=world.coach
    )
    assert queued.state == State.QUEUED
    _reassign(world)
    queued.refresh_from_db()
    assert queued.state == State.DRAFT and queued.owner == world.other_coach
    assert "with Cole Second" in queued.subject and queued.approved_by is None
    # Nothing reached the client yet, so no update is needed and the SEQUENCE stays.
    assert CoachingSession.objects.get(pk=made["drafted"].pk).ics_sequence == 0
    assert not Message.objects.filter(key=emails.update_key(made["drafted"], 1)).exists()


def test_it_offers_the_previous_coachs_shared_notes_read_only_in_the_runner(world):
    _, unrun, theirs, new = _handed_over_with_a_shared_note(world)
    unrun = CoachingSession.objects.select_related("engagement").get(pk=unrun.pk)
    runner.note_save(session=unrun, uuid=uuid.uuid4(), body="Mine")
    state = new.get(reverse("runner", args=[unrun.pk])).context["state"]
    readonly = {note["body"]: note["readonly"] for note in state["notes"]}
    assert readonly == {theirs.body: True, "Mine": False}
