"""Claiming and delivering messages: the only code that talks to the mail server.

The rule that keeps a message from going out twice: a worker first *reserves* due messages
with a conditional update (still approved/queued/retry-due, due, and not reserved by a live
worker) that records a claim token and a lease. Then, one message at a time, it marks the
message "sending" with another conditional update, commits, and only then hands it to the
SMTP server. Whatever happens next, a message is either marked sent by the worker holding
the claim, or found still "sending" after its lease ran out and flagged "interrupted" for its
coach (`services.recover_interrupted`), never silently sent again.
"""

from __future__ import annotations

import logging
import smtplib
import uuid
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import CLAIMABLE, DeliveryAttempt, Message, State
from .selectors import due_messages

logger = logging.getLogger("flowcoach.outbox")


def lease_seconds() -> int:
    return int(getattr(settings, "FLOWCOACH_OUTBOX_LEASE_SECONDS", 300))


def max_attempts() -> int:
    return int(getattr(settings, "FLOWCOACH_OUTBOX_MAX_ATTEMPTS", 5))


def retry_base_seconds() -> int:
    return int(getattr(settings, "FLOWCOACH_OUTBOX_RETRY_BASE_SECONDS", 60))


def batch_size() -> int:
    """Messages sent over one SMTP connection before the worker looks at its queue again."""
    return int(getattr(settings, "FLOWCOACH_OUTBOX_BATCH_SIZE", 100))


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8… times the base delay after the first, second, third… failed attempt."""
    return timedelta(seconds=retry_base_seconds() * 2 ** max(attempts - 1, 0))


def claim(*, pks: list[int] | None = None, limit: int = 100) -> list[Message]:
    """Reserve up to `limit` due messages for this worker (a claim token and a lease).

    The UPDATE re-checks the due condition, so two workers racing for the same row cannot
    both win it; on PostgreSQL the candidates are also locked with SKIP LOCKED so concurrent
    workers pick different rows instead of queueing behind each other. A reservation changes
    no state: each message is marked "sending" on its own, just before its SMTP call
    (`start_sending`), so a worker that dies mid-batch leaves one message in doubt, not the batch;
    the rest become claimable again when the lease runs out.
    """
    now = timezone.now()
    if pks is not None and len(pks) == 1 and not _may_be_due(pks[0], now):
        # The common case of a task whose message went out with an earlier batch: one
        # primary-key lookup instead of the full due query.
        return []
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = due_messages(now)
        if pks is not None:
            candidates = candidates.filter(pk__in=pks)
        candidates = candidates.order_by("send_after", "pk")
        if db_connection.vendor == "postgresql":
            candidates = candidates.select_for_update(skip_locked=True)
        chosen = list(candidates.values_list("pk", flat=True)[:limit])
        if not chosen:
            return []
        due_messages(now).filter(pk__in=chosen).update(
            claim_token=token, lease_expires_at=now + timedelta(seconds=lease_seconds())
        )
    claimed = list(Message.objects.filter(claim_token=token).order_by("send_after", "pk"))
    for message in claimed:
        message.claimed_at = now
    return claimed


def _may_be_due(pk: int, now) -> bool:
    row = (
        Message.objects.filter(pk=pk).values_list("state", "send_after", "lease_expires_at").first()
    )
    if row is None:
        return False
    state, send_after, lease_expires_at = row
    return (
        state in CLAIMABLE
        and send_after <= now
        and (lease_expires_at is None or lease_expires_at < now)
    )


# The two statements run for every message sent are written out: the ORM spent more time
# building them than the database spent running them (measured in bench/README.md).
TABLE = Message._meta.db_table


def _dt(value):
    return db_connection.ops.adapt_datetimefield_value(value)


def _execute(sql: str, params: list) -> int:
    with db_connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _mark_sending_unchanged(message: Message, now) -> bool:
    """Mark sending if still ours, still claimable and unchanged since we reserved it."""
    return bool(
        _execute(
            f"UPDATE {TABLE} SET state = %s, attempts = attempts + 1, lease_expires_at = %s,"
            " updated_at = %s WHERE id = %s AND claim_token = %s AND updated_at = %s"
            " AND state IN (%s, %s, %s)",
            [
                State.SENDING.value,
                _dt(now + timedelta(seconds=lease_seconds())),
                _dt(now),
                message.pk,
                message.claim_token,
                _dt(message.updated_at),
                *(state.value for state in CLAIMABLE),
            ],
        )
    )


def start_sending(message: Message) -> Message | None:
    """Mark one reserved message "sending" and commit, right before its SMTP call.

    Returns the message to send (reloaded if a coach changed it since it was reserved), or
    None when it is no longer ours or no longer due (cancelled, moved to a later time,
    taken back to draft).
    """
    now = timezone.now()
    # Every change a person makes that could make it not due (cancel, re-draft, reschedule,
    # send now) releases the reservation or changes the state, so "still ours and still
    # claimable" is enough; an unchanged `updated_at` means the content we hold is current.
    if _mark_sending_unchanged(message, now):
        message.state = State.SENDING
        message.attempts += 1
        return message
    still_mine = Message.objects.filter(
        pk=message.pk, claim_token=message.claim_token, state__in=CLAIMABLE
    )
    sending = {
        "state": State.SENDING,
        "attempts": F("attempts") + 1,
        "lease_expires_at": now + timedelta(seconds=lease_seconds()),
        "updated_at": now,
    }
    if still_mine.update(**sending):
        # A coach edited it after we reserved it: send what they wrote last.
        fresh = Message.objects.get(pk=message.pk)
        fresh.claimed_at = getattr(message, "claimed_at", now)
        return fresh
    return None


def _mime_attachment(item: dict):
    maintype, _, rest = item["mimetype"].partition("/")
    subtype, *params = [part.strip() for part in rest.split(";")]
    if maintype == "text":
        part = MIMEText(item["content"], subtype, "utf-8")
    else:
        part = MIMEBase(maintype, subtype)
        content = item["content"]
        part.set_payload(content.encode() if isinstance(content, str) else content)
        encoders.encode_base64(part)
    for param in params:
        name, _, value = param.partition("=")
        if name and value:
            part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=item["filename"])
    return part


def build_email(message: Message, connection=None) -> EmailMultiAlternatives:
    to = formataddr((message.to_name, message.to_email)) if message.to_name else message.to_email
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text_body,
        from_email=message.from_email,
        to=[to],
        reply_to=[message.reply_to] if message.reply_to else None,
        headers={**(message.headers or {}), "Message-ID": message.message_id},
        connection=connection,
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    for item in message.attachments:
        email.attach(_mime_attachment(item))
    return email


def _server_answer(error: Exception) -> tuple[int | None, str]:
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        code, text = next(iter(error.recipients.values()))
    elif isinstance(error, smtplib.SMTPResponseException):
        code, text = error.smtp_code, error.smtp_error
    else:
        return None, f"{type(error).__name__}: {error}"
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return code, f"{code} {text}"


class _Log:
    """The delivery log of one batch, written in one statement when the batch is done.

    The message rows themselves are updated one by one, right after each SMTP answer: that is
    what keeps the crash window small. Should the worker die before the log is written, the
    messages still tell the truth; only their log lines are missing.
    """

    def __init__(self):
        self.rows: list[DeliveryAttempt] = []

    def add(self, message: Message, outcome: str, response: str) -> None:
        self.rows.append(
            DeliveryAttempt(
                message_id=message.pk,
                started_at=getattr(message, "claimed_at", None) or timezone.now(),
                finished_at=timezone.now(),
                outcome=outcome,
                smtp_response=response[:2000],
            )
        )

    def write(self) -> None:
        if not self.rows:
            return
        # A message may have been deleted meanwhile (a client's data erased): its log goes too.
        present = set(
            Message.objects.filter(pk__in={row.message_id for row in self.rows}).values_list(
                "pk", flat=True
            )
        )
        DeliveryAttempt.objects.bulk_create([row for row in self.rows if row.message_id in present])
        self.rows = []


def _record_sent(message: Message, log: _Log) -> None:
    now = timezone.now()
    # The worker holding the claim knows it went out; that holds even if a recovery sweep
    # flagged it interrupted in the meantime. One statement, committed at once.
    _execute(
        f"UPDATE {TABLE} SET state = %s, sent_at = %s, last_error = '', next_attempt_at = NULL,"
        " lease_expires_at = NULL, updated_at = %s"
        " WHERE id = %s AND claim_token = %s AND state IN (%s, %s)",
        [State.SENT.value, _dt(now), _dt(now), message.pk, message.claim_token]
        + [State.SENDING.value, State.INTERRUPTED.value],
    )
    log.add(message, DeliveryAttempt.Outcome.SENT, "250 accepted")


def _record_failure(
    message: Message, answer: str, log: _Log, *, permanent: bool, schedule_retry=None
) -> None:
    now = timezone.now()
    retry = not permanent and message.attempts < max_attempts()
    next_attempt = now + backoff(message.attempts) if retry else None
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, claim_token=message.claim_token, state=State.SENDING
        ).update(
            state=State.FAILED,
            last_error=answer[:2000],
            next_attempt_at=next_attempt,
            lease_expires_at=None,
            claim_token="",
            updated_at=now,
        )
        if updated and retry and schedule_retry:
            # In the same transaction as the failure, so the retry and the state agree.
            schedule_retry(message.pk, next_attempt)
    log.add(message, DeliveryAttempt.Outcome.FAILED, answer)
    logger.warning(
        "Outbox: message %s to %s failed (attempt %d): %s%s",
        message.pk,
        message.to_email,
        message.attempts,
        answer,
        f"; next try at {next_attempt:%Y-%m-%d %H:%M:%S} UTC" if retry else "; giving up",
    )


def _record_interrupted(message: Message, answer: str, log: _Log) -> None:
    now = timezone.now()
    Message.objects.filter(
        pk=message.pk, claim_token=message.claim_token, state=State.SENDING
    ).update(
        state=State.INTERRUPTED,
        last_error=f"The connection broke while sending; it may have arrived. {answer}"[:2000],
        lease_expires_at=None,
        updated_at=now,
    )
    log.add(message, DeliveryAttempt.Outcome.INTERRUPTED, answer)
    logger.warning("Outbox: message %s interrupted mid-send: %s", message.pk, answer)


def deliver(messages: list[Message], connection=None, *, schedule_retry=None) -> dict[str, int]:
    """Send claimed messages over one SMTP connection and record each outcome.

    `schedule_retry(pk, when)` queues the next try of a temporary failure; the worker's
    tasks pass their own (`tasks.schedule_send`), so this module never imports them. Without
    it a failed message still carries its next try time, and the worker's sweep finds it."""
    counts = {"sent": 0, "failed": 0, "interrupted": 0, "skipped": 0}
    if not messages:
        return counts
    log = _Log()
    own_connection = connection is None
    connection = connection or get_connection(fail_silently=False)
    try:
        try:
            connection.open()
        except Exception as error:  # noqa: BLE001 (any failure to connect is retryable)
            _, answer = _server_answer(error)
            for message in messages:
                message = start_sending(message)
                if message is None:
                    counts["skipped"] += 1
                    continue
                _record_failure(
                    message,
                    f"Could not reach the mail server: {answer}",
                    log,
                    permanent=False,
                    schedule_retry=schedule_retry,
                )
                counts["failed"] += 1
            return counts
        for message in messages:
            message = start_sending(message)
            if message is None:
                counts["skipped"] += 1
                continue
            try:
                connection.send_messages([build_email(message, connection)])
            except ValueError as error:
                # Raised while building the message (a bad header), before anything was sent.
                _record_failure(
                    message, f"The message could not be built: {error}", log, permanent=True
                )
                counts["failed"] += 1
            except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as error:
                # The server answered: nothing was accepted. 5xx will not change by retrying.
                code, answer = _server_answer(error)
                _record_failure(
                    message,
                    answer,
                    log,
                    permanent=bool(code and code >= 500),
                    schedule_retry=schedule_retry,
                )
                counts["failed"] += 1
            except Exception as error:  # noqa: BLE001
                # The conversation broke off: we cannot tell whether the server took it.
                _, answer = _server_answer(error)
                _record_interrupted(message, answer, log)
                counts["interrupted"] += 1
                try:
                    connection.close()
                    connection.open()
                except Exception:  # noqa: BLE001
                    pass
            else:
                _record_sent(message, log)
                counts["sent"] += 1
    finally:
        log.write()
        if own_connection:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
    return counts


def send_one(message_pk: int, *, companions: int = 0, on_reserved=None, schedule_retry=None) -> str:
    """Claim and send one message; a no-op when it is not (or no longer) due.

    With `companions`, other due messages ride along on the same SMTP connection: a burst of
    approvals goes out at batch speed. `on_reserved(pks)` is told which messages this call
    took, so their own queued tasks can be retired instead of running as no-ops.
    """
    claimed = claim(pks=[message_pk], limit=1)
    if not claimed:
        return "skipped"
    if companions:
        claimed += claim(limit=companions)
    if on_reserved and len(claimed) > 1:
        on_reserved([message.pk for message in claimed[1:]])
    deliver(claimed, schedule_retry=schedule_retry)
    return "sent" if claimed[0].pk in _sent_pks(claimed) else "not sent"


def _sent_pks(messages: list[Message]) -> set[int]:
    return set(
        Message.objects.filter(pk__in=[m.pk for m in messages], state=State.SENT).values_list(
            "pk", flat=True
        )
    )


def dispatch_due(
    *,
    batch_size: int = 200,
    max_batches: int | None = None,
    on_reserved=None,
    schedule_retry=None,
) -> dict[str, int]:
    """Send every due message, in batches, over one SMTP connection."""
    totals = {"sent": 0, "failed": 0, "interrupted": 0, "skipped": 0}
    connection = None
    batches = 0
    try:
        while max_batches is None or batches < max_batches:
            claimed = claim(limit=batch_size)
            if not claimed:
                break
            batches += 1
            if on_reserved:
                on_reserved([message.pk for message in claimed])
            if connection is None:
                connection = get_connection(fail_silently=False)
            for outcome, n in deliver(claimed, connection, schedule_retry=schedule_retry).items():
                totals[outcome] += n
    finally:
        if connection is not None:
            try:
                connection.close()
            except Exception:  # noqa: BLE001
                pass
    return totals
