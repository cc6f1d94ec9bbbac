"""The outbox: drafts, approval, idempotency, and delivery through the task worker to a real
SMTP server (aiosmtpd)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from flowcoach.outbox import dispatch, services, tasks, worker
from flowcoach.outbox.models import DeliveryAttempt, Kind, Message, State
from flowcoach.outbox.worker import run_worker_once
from tests.conftest import free_port

ICS = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//flowcoach//test//EN\r
METHOD:REQUEST\r
BEGIN:VEVENT\r
UID:session-12@flowcoach.test\r
DTSTAMP:20261123T120000Z\r
DTSTART:20261201T090000Z\r
DTEND:20261201T100000Z\r
SUMMARY:Coaching session\r
SEQUENCE:0\r
END:VEVENT\r
END:VCALENDAR\r
"""


def draft(world, key="session:12:invitation", **overrides):
    values = {
        "organisation": world.org,
        "key": key,
        "kind": Kind.INVITATION,
        "to_email": "client@harbour.test",
        "to_name": "Cliff Client",
        "subject": "Your first session with Cora",
        "text_body": "Hello Cliff,\n\nSee you on Tuesday at 10:00 (Paris time).\n",
        "html_body": "<p>Hello Cliff,</p><p>See you on Tuesday at 10:00 (Paris time).</p>",
        "send_after": timezone.now() - timedelta(minutes=1),
        "owner": world.coach,
        "attachments": [("invite.ics", ICS, "text/calendar; method=REQUEST")],
        "reference": "session:12",
    }
    values.update(overrides)
    return services.message_draft(**values)


@pytest.fixture
def org_sends_from(world):
    world.org.sending_email = "hello@harbour.test"
    world.org.save()
    return world


def test_it_delivers_an_approved_message_through_the_task_worker(org_sends_from, smtp_server):
    world = org_sends_from
    message = draft(world)
    assert message.state == State.DRAFT
    assert run_worker_once() == 0, "a draft is not sent"

    message = services.message_approve(message=message, user=world.coach)
    assert message.state == State.QUEUED
    run_worker_once()

    message.refresh_from_db()
    assert message.state == State.SENT and message.sent_at is not None
    assert message.attempts == 1
    [received] = smtp_server.messages
    assert received["Subject"] == "Your first session with Cora"
    assert received["Message-ID"] == message.message_id
    assert "hello@harbour.test" in received["From"]
    assert "Harbour Practice" in received["From"]
    assert received["Reply-To"] == "coach@harbour.test"
    assert "client@harbour.test" in received["To"]
    assert "10:00 (Paris time)" in received.get_body(("plain",)).get_content()
    assert "<p>Hello Cliff,</p>" in received.get_body(("html",)).get_content()
    [attachment] = list(received.iter_attachments())
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == "session-12@flowcoach.test"
    assert event.decoded("DTSTART") == datetime(2026, 12, 1, 9, tzinfo=UTC)
    assert DeliveryAttempt.objects.get(message=message).outcome == "sent"


def test_it_falls_back_to_the_default_from_address(world, smtp_server, settings):
    settings.DEFAULT_FROM_EMAIL = "flowcoach <no-reply@flowcoach.test>"
    message = services.message_send_now(message=draft(world), user=world.coach)
    run_worker_once()
    assert "no-reply@flowcoach.test" in smtp_server.messages[0]["From"]
    assert message.message_id.endswith("@flowcoach.test>")


# --- idempotency --------------------------------------------------------------------------


def test_it_keeps_one_message_per_key_and_redrafts_it_until_it_goes_out(world):
    first = draft(world, subject="Before")
    later = timezone.now() + timedelta(days=2)
    second = draft(world, subject="After", send_after=later)
    assert first.pk == second.pk and first.message_id == second.message_id
    assert Message.objects.filter(key="session:12:invitation").count() == 1
    second.refresh_from_db()
    assert second.subject == "After" and second.send_after == later


def test_it_sends_once_however_often_it_is_approved_or_enqueued(world, smtp_server):
    message = draft(world)
    services.message_approve(message=message, user=world.coach)
    again = services.message_approve(message=message, user=world.coach)
    assert again.state == State.QUEUED
    # A stray extra task for the same message, as a retry storm or a lost-task sweep makes.
    tasks.send_message.enqueue(message.pk)
    tasks.dispatch_due.enqueue()
    run_worker_once()
    run_worker_once()
    assert len(smtp_server.messages) == 1
    message.refresh_from_db()
    assert message.state == State.SENT and message.attempts == 1


def test_it_returns_a_message_already_on_its_way_unchanged(world, smtp_server):
    message = services.message_send_now(message=draft(world), user=world.coach)
    queued_again = draft(world, subject="A new subject")
    assert queued_again.state == State.QUEUED and queued_again.subject != "A new subject"
    run_worker_once()
    sent_again = draft(world, subject="A new subject")
    assert sent_again.pk == message.pk and sent_again.state == State.SENT
    assert sent_again.subject == "Your first session with Cora"
    run_worker_once()
    assert len(smtp_server.messages) == 1


def test_it_waits_for_the_send_time_and_ignores_a_task_that_fires_early(world, smtp_server):
    soon = timezone.now() + timedelta(hours=1)
    message = services.message_approve(message=draft(world, send_after=soon), user=world.coach)
    assert message.state == State.APPROVED
    task_row = DBTaskResult.objects.get()
    assert task_row.run_after == soon
    # Fire it early, as after a reschedule to a later time.
    assert tasks.send_message.call(message.pk) == "skipped"
    assert run_worker_once() == 0
    assert smtp_server.messages == []
    message.refresh_from_db()
    assert message.state == State.APPROVED


def test_it_approves_at_once_the_kinds_the_organisation_trusts(world, smtp_server):
    services.email_settings_update(organisation=world.org, auto_approve_kinds=[Kind.REMINDER])
    reminder = draft(world, key="reminder:1", kind=Kind.REMINDER, attachments=())
    invitation = draft(world, key="invitation:1")
    assert reminder.state == State.QUEUED and reminder.approved_by is None
    assert invitation.state == State.DRAFT
    run_worker_once()
    assert [m["Subject"] for m in smtp_server.messages] == [reminder.subject]


def test_it_cancels_only_what_has_not_gone_out(world, smtp_server):
    pending = draft(world, key="a")
    assert services.message_cancel_by_key(key="a", reason="Session cancelled").state == "cancelled"
    assert services.message_cancel_by_key(key="missing") is None
    sent = services.message_send_now(message=draft(world, key="b"), user=world.coach)
    run_worker_once()
    with pytest.raises(services.OutboxError):
        services.message_cancel(message=sent)
    assert services.message_cancel_by_key(key="b").state == State.SENT
    pending.refresh_from_db()
    assert pending.cancel_reason == "Session cancelled"
    assert len(smtp_server.messages) == 1


def test_it_refuses_bad_drafts_and_bad_edits_and_changes_nothing(world):
    with pytest.raises(services.OutboxError):
        draft(world, to_email="not-an-address")
    with pytest.raises(services.OutboxError):
        draft(world, send_after=datetime(2026, 12, 1, 9))
    message = draft(world)
    with pytest.raises(services.OutboxError):
        services.message_edit(message=message, subject="  ", text_body="Still here")
    with pytest.raises(services.OutboxError):
        services.message_edit(message=message, subject="Line\nbreak", text_body="Still here")
    message.refresh_from_db()
    assert message.subject == "Your first session with Cora"
    assert Message.objects.count() == 1


# --- failures -----------------------------------------------------------------------------


class Refusing:
    """An SMTP server that answers DATA with the given reply."""

    def __init__(self, reply: str):
        self.reply = reply
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        return self.reply


@pytest.fixture
def refusing_server(settings):
    from aiosmtpd.controller import Controller

    handler = Refusing("451 4.3.0 Mailbox temporarily unavailable, try later")
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.FLOWCOACH_OUTBOX_RETRY_BASE_SECONDS = 60
    yield handler
    controller.stop()


def test_it_retries_a_temporary_refusal_with_back_off_then_shows_the_failure(
    world, refusing_server, caplog
):
    message = services.message_send_now(message=draft(world), user=world.coach)
    delays = []
    for attempt in range(1, 6):
        run_worker_once()
        message.refresh_from_db()
        assert message.state == State.FAILED and message.attempts == attempt
        assert "451 4.3.0 Mailbox temporarily unavailable" in message.last_error
        if attempt < 5:
            delays.append(round((message.next_attempt_at - timezone.now()).total_seconds()))
            # Nothing happens before the back-off is over…
            assert run_worker_once() == 0
            # …then the retry task becomes due.
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
            Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert delays == [60, 120, 240, 480]
    assert message.next_attempt_at is None, "after five attempts it waits for the coach"
    assert DeliveryAttempt.objects.filter(message=message, outcome="failed").count() == 5
    assert "451 4.3.0" in caplog.text

    refusing_server.reply = "250 OK"
    services.message_retry(message=message, user=world.coach)
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.SENT


def test_it_does_not_retry_a_permanent_refusal(world, refusing_server):
    refusing_server.reply = "550 5.1.1 No such mailbox here"
    message = services.message_send_now(message=draft(world), user=world.coach)
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.FAILED and message.next_attempt_at is None
    assert message.last_error == "550 5.1.1 No such mailbox here"
    assert run_worker_once() == 0


def test_it_retries_when_the_mail_server_is_unreachable(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    message = services.message_send_now(message=draft(world), user=world.coach)
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.FAILED and message.next_attempt_at is not None
    assert "Could not reach the mail server" in message.last_error


# --- crash safety, in-process -------------------------------------------------------------


def test_it_flags_a_message_whose_worker_died_mid_send_and_never_resends_it_blindly(
    world, smtp_server
):
    message = services.message_send_now(message=draft(world), user=world.coach)
    [claimed] = dispatch.claim(pks=[message.pk])
    dispatch.start_sending(claimed)
    # The worker dies here. Later, after its lease has run out, a sweep finds the message.
    assert worker.sweep()["interrupted"] == 0, "the lease still runs"
    Message.objects.filter(pk=message.pk).update(lease_expires_at=timezone.now())
    assert worker.sweep()["interrupted"] == 1
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.INTERRUPTED and smtp_server.messages == []

    services.message_resend(message=message, user=world.coach)
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.SENT
    assert [m["Message-ID"] for m in smtp_server.messages] == [claimed.message_id]


def test_it_lets_the_coach_confirm_an_interrupted_message_arrived(world):
    message = services.message_send_now(message=draft(world), user=world.coach)
    dispatch.start_sending(dispatch.claim(pks=[message.pk])[0])
    Message.objects.filter(pk=message.pk).update(lease_expires_at=timezone.now())
    worker.sweep()
    message = services.message_confirm_arrived(message=message, user=world.coach)
    assert message.state == State.SENT


def test_it_records_a_send_that_finishes_after_its_lease_ran_out(world, smtp_server):
    message = services.message_send_now(message=draft(world), user=world.coach)
    claimed = dispatch.claim(pks=[message.pk])
    dispatch.start_sending(claimed[0])
    Message.objects.filter(pk=message.pk).update(lease_expires_at=timezone.now())
    worker.sweep()
    # The slow worker was alive after all: its SMTP call returns and it records the send.
    dispatch._record_sent(claimed[0], dispatch._Log())
    message.refresh_from_db()
    assert message.state == State.SENT
    run_worker_once()
    assert smtp_server.messages == [], "and nobody sends it again"


def test_it_flags_only_the_message_in_flight_when_a_worker_dies_mid_batch(world, smtp_server):
    for n in range(5):
        services.message_send_now(message=draft(world, key=f"b:{n}"), user=world.coach)
    batch = dispatch.claim(limit=5)
    dispatch.start_sending(batch[0])
    # The worker dies with one message handed to SMTP and four merely reserved.
    assert dispatch.dispatch_due()["sent"] == 0, "reserved messages wait for the lease"
    Message.objects.update(lease_expires_at=timezone.now())
    assert worker.sweep()["interrupted"] == 1
    assert dispatch.dispatch_due()["sent"] == 4
    states = Counter(Message.objects.values_list("state", flat=True))
    assert states == {State.SENT: 4, State.INTERRUPTED: 1}


def test_it_sends_what_the_coach_last_wrote_even_when_edited_after_reservation(world, smtp_server):
    later = timezone.now() + timedelta(minutes=5)
    message = services.message_approve(message=draft(world, send_after=later), user=world.coach)
    # Time passes: the approved message is due and a worker reserves it.
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now())
    message.refresh_from_db()
    reserved = dispatch.claim(pks=[message.pk])
    assert reserved
    services.message_edit(message=message, subject="Moved to Wednesday", text_body="New day.")
    dispatch.deliver(reserved)
    assert smtp_server.messages[0]["Subject"] == "Moved to Wednesday"


def test_it_sends_a_batch_over_one_connection(world, smtp_server):
    for n in range(30):
        services.message_send_now(
            message=draft(world, key=f"batch:{n}", attachments=()), user=world.coach
        )
    assert dispatch.dispatch_due(batch_size=8)["sent"] == 30
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 30
    assert run_worker_once() == 30, "the per-message tasks run and find nothing to do"
    assert len(smtp_server.messages) == 30


def test_it_sends_a_burst_of_approvals_with_one_task_and_retires_the_others(world, smtp_server):
    for n in range(30):
        services.message_send_now(
            message=draft(world, key=f"burst:{n}", attachments=()), user=world.coach
        )
    assert DBTaskResult.objects.filter(status="READY").count() == 30
    tasks_run = run_worker_once()
    assert tasks_run <= 2, "one send task took the whole burst (plus the startup sweep's)"
    assert len(smtp_server.messages) == 30
    assert len({m["Message-ID"] for m in smtp_server.messages}) == 30
    assert set(Message.objects.values_list("state", flat=True)) == {State.SENT}
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_it_keeps_the_formatted_part_in_step_with_an_edit(world, smtp_server):
    message = draft(world)
    services.message_edit(message=message, subject="New subject", text_body="New <words>\n\nHere")
    services.message_send_now(message=message, user=world.coach)
    run_worker_once()
    html = smtp_server.messages[0].get_body(("html",)).get_content()
    assert "New &lt;words&gt;" in html and "Hello Cliff" not in html


def test_it_sends_a_due_message_whose_task_was_lost(world, smtp_server):
    message = services.message_send_now(message=draft(world), user=world.coach)
    # The task is gone (a worker killed while running it leaves it "RUNNING" for ever).
    DBTaskResult.objects.update(status="RUNNING")
    lost_after = timedelta(minutes=1)
    assert worker.sweep(lost_after=lost_after)["redispatched"] == 0, "not late yet"
    Message.objects.filter(pk=message.pk).update(send_after=timezone.now() - timedelta(minutes=5))
    assert worker.sweep(lost_after=lost_after)["redispatched"] == 1
    assert worker.sweep(lost_after=lost_after)["redispatched"] == 0, "one dispatch task is enough"
    run_worker_once()
    message.refresh_from_db()
    assert message.state == State.SENT and len(smtp_server.messages) == 1


def test_it_writes_any_recipient_name_safely(world, smtp_server):
    message = draft(world, to_name='Zoë "Z" O\'Brien, Sales')
    services.message_send_now(message=message, user=world.coach)
    run_worker_once()
    [received] = smtp_server.messages
    assert received["To"].addresses[0].display_name == 'Zoë "Z" O\'Brien, Sales'
    assert received["To"].addresses[0].addr_spec == "client@harbour.test"
    with pytest.raises(services.OutboxError):
        draft(world, key="other", to_name="Eve\nBcc: everyone@example.test")


def test_it_copes_with_a_message_erased_while_it_was_being_sent(world, smtp_server):
    message = services.message_send_now(message=draft(world), user=world.coach)
    reserved = dispatch.claim(pks=[message.pk])
    dispatch.start_sending(reserved[0])
    Message.objects.filter(pk=message.pk).delete()
    log = dispatch._Log()
    dispatch._record_sent(reserved[0], log)
    log.write()
    assert not DeliveryAttempt.objects.exists()
