"""The runner's writes: retries never duplicate, stale saves are refused with both sides,
deletes are soft, and completing drafts a follow-up without a word of coach-only notes."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from flowcoach.coaching import emails
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    PurposeStatement,
    SessionNote,
)
from flowcoach.coaching.runner import clock as runner_clock
from flowcoach.coaching.runner import services as runner
from flowcoach.coaching.services import engagement_enrol
from flowcoach.outbox.models import Message
from flowcoach.programs.models import Program

SECRET = "ZEBRA-COACH-ONLY-7731"


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


def test_it_creates_a_note_once_whatever_the_retries(session):
    note_id = uuid.uuid4()
    first = runner.note_save(session=session, uuid=note_id, body="Lights up on **demos**")
    again = runner.note_save(session=session, uuid=note_id, body="Lights up on **demos**")
    assert first.pk == again.pk and again.version == 1
    assert SessionNote.objects.filter(session=session).count() == 1


def test_it_updates_a_note_from_its_current_version(session):
    note_id = uuid.uuid4()
    runner.note_save(session=session, uuid=note_id, body="one")
    note = runner.note_save(
        session=session, uuid=note_id, base_version=1, body="two", flow_stage="own"
    )
    assert (note.body, note.flow_stage, note.version) == ("two", "own", 2)


def test_it_refuses_a_stale_update_and_carries_both_texts(session):
    note_id = uuid.uuid4()
    runner.note_save(session=session, uuid=note_id, body="first")
    runner.note_save(session=session, uuid=note_id, base_version=1, body="from tab A")
    with pytest.raises(runner.Conflict) as caught:
        runner.note_save(session=session, uuid=note_id, base_version=1, body="from tab B")
    assert caught.value.stored["body"] == "from tab A"
    assert caught.value.yours["body"] == "from tab B"
    assert caught.value.stored_version == 2
    assert SessionNote.objects.get(uuid=note_id).body == "from tab A"


def test_it_refuses_unknown_values_and_changes_nothing(session):
    with pytest.raises(runner.RunnerError):
        runner.note_save(session=session, uuid=uuid.uuid4(), body="x", flow_stage="dance")
    with pytest.raises(runner.RunnerError):
        runner.note_save(session=session, uuid="not-a-uuid", body="x")
    with pytest.raises(runner.RunnerError):
        runner.note_save(session=session, uuid=uuid.uuid4(), body="x", segment=99)
    assert not SessionNote.objects.exists()


def test_it_soft_deletes_a_note_and_deleting_again_is_harmless(session):
    note_id = uuid.uuid4()
    runner.note_save(session=session, uuid=note_id, body="gone soon")
    runner.note_delete(session=session, uuid=note_id, base_version=1)
    runner.note_delete(session=session, uuid=note_id, base_version=1)
    note = SessionNote.objects.get(uuid=note_id)
    assert note.deleted_at is not None and note.version == 2


def test_it_will_not_touch_another_sessions_note(session, world):
    other = session.engagement.sessions.exclude(pk=session.pk).first()
    note_id = uuid.uuid4()
    runner.note_save(session=other, uuid=note_id, body="elsewhere")
    with pytest.raises(runner.RunnerError):
        runner.note_save(session=session, uuid=note_id, base_version=1, body="hijack")
    assert SessionNote.objects.get(uuid=note_id).body == "elsewhere"


def test_it_saves_commitments_idempotently_and_refuses_stale_ones(session):
    commitment_id = uuid.uuid4()
    runner.commitment_save(session=session, uuid=commitment_id, text="Call three old clients")
    runner.commitment_save(session=session, uuid=commitment_id, text="Call three old clients")
    assert Commitment.objects.count() == 1
    runner.commitment_save(session=session, uuid=commitment_id, base_version=1, state="kept")
    with pytest.raises(runner.Conflict):
        runner.commitment_save(session=session, uuid=commitment_id, base_version=1, state="missed")
    assert Commitment.objects.get().state == "kept"
    with pytest.raises(runner.RunnerError):
        runner.commitment_save(session=session, uuid=uuid.uuid4(), text="x", due_date="soon")


def test_it_saves_the_record_with_a_version_check(session):
    record = runner.record_save(session=session, base_version=1, challenge="Cold calls")
    assert record.version == 2
    assert record.outcomes and all(o["mark"] == "" for o in record.outcomes)
    with pytest.raises(runner.Conflict):
        runner.record_save(session=session, base_version=1, challenge="Something else")
    with pytest.raises(runner.RunnerError):
        runner.record_save(session=session, base_version=2, outcomes=[{"text": "x", "mark": "?"}])
    assert runner.record_of(session).challenge == "Cold calls"


def test_it_keeps_one_purpose_statement_per_session_with_a_version_check(session):
    first = runner.purpose_save(session=session, text="I sell to open doors.")
    assert first.version == 1
    # The same text again (a retry) is no change, with or without a version.
    assert runner.purpose_save(session=session, text="I sell to open doors. ").version == 1
    second = runner.purpose_save(
        session=session, text="I sell to open doors for others.", base_version=1
    )
    assert second.version == 2
    # Another tab, still on version 1, must not replace it silently.
    with pytest.raises(runner.Conflict) as clash:
        runner.purpose_save(session=session, text="I sell to win.", base_version=1)
    assert clash.value.stored == {"version": 2, "text": "I sell to open doors for others."}
    assert clash.value.yours == {"version": 1, "text": "I sell to win."}
    with pytest.raises(runner.Conflict):
        runner.purpose_save(session=session, text="I sell to win.")
    stored = PurposeStatement.objects.get()
    assert (stored.text, stored.version) == ("I sell to open doors for others.", 2)


def test_it_writes_nothing_when_a_record_save_carrying_the_purpose_is_refused(session):
    runner.record_save(session=session, base_version=1, challenge="Cold calls")
    with pytest.raises(runner.Conflict):
        runner.record_and_purpose_save(
            session=session, fields={"challenge": "Other"}, base_version=1, purpose="I sell."
        )
    assert not PurposeStatement.objects.exists()
    assert runner.record_of(session).challenge == "Cold calls"


def test_it_logs_timing_on_the_server_and_repeats_are_harmless(session):
    start = timezone.now() - timedelta(minutes=10)
    runner_clock.timing_event(session=session, event="start", at=start)
    runner_clock.timing_event(session=session, event="start", at=start + timedelta(minutes=1))
    runner_clock.timing_event(
        session=session, event="next", segment=1, at=start + timedelta(minutes=3)
    )
    runner_clock.timing_event(
        session=session, event="next", segment=1, at=start + timedelta(minutes=4)
    )
    runner_clock.timing_event(session=session, event="pause", at=start + timedelta(minutes=5))
    runner_clock.timing_event(session=session, event="pause", at=start + timedelta(minutes=6))
    record = runner_clock.timing_event(
        session=session, event="resume", at=start + timedelta(minutes=7)
    )
    assert [t["segment"] for t in record.timing] == [0, 1, 1]
    seconds = runner_clock.actual_seconds(record.timing, 5, now=start + timedelta(minutes=8))
    assert seconds[:2] == [180, 180]


def test_it_drafts_the_follow_up_on_completion_without_coach_only_words(session):
    runner.note_save(session=session, uuid=uuid.uuid4(), body=f"Private hunch {SECRET}")
    runner.note_save(
        session=session,
        uuid=uuid.uuid4(),
        body="You come alive when a client wins.",
        visibility="shared_with_client",
    )
    runner.record_save(
        session=session,
        base_version=1,
        challenge=f"Challenge {SECRET}",
        shadow_tendency=f"Shadow {SECRET}",
        adjustments="Ask one more question before proposing.",
    )
    runner.commitment_save(session=session, uuid=uuid.uuid4(), text="Book two discovery calls")
    runner_clock.timing_event(session=session, event="start")
    runner_clock.session_complete(session=session)
    runner_clock.session_complete(session=session)

    session.refresh_from_db()
    assert session.status == CoachingSession.Status.HELD
    message = Message.objects.get(key=emails.follow_up_key(session))
    for part in (message.subject, message.text_body, message.html_body):
        assert SECRET not in part
    assert "You come alive when a client wins." in message.text_body
    assert "Ask one more question before proposing." in message.text_body
    assert "Book two discovery calls" in message.text_body
    assert runner.record_of(session).completed_at is not None
