"""Every write to the outbox, one transaction each.

Callers (sessions, check-ins, digests, one-off messages) draft messages under an idempotency
key; coaches approve, edit, cancel and send; the worker (see `dispatch.py`) delivers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import linebreaks

from flowcoach.accounts.audit import settings_changed
from flowcoach.accounts.models import Organisation, User

from .models import (
    DeliveryAttempt,
    Kind,
    Message,
    OrganisationEmailSettings,
    State,
)

logger = logging.getLogger(__name__)


class OutboxError(Exception):
    """A change the outbox refuses, with a reason fit to show a coach."""


# --- helpers --------------------------------------------------------------------------------


def _from_address(organisation: Organisation) -> str:
    if organisation.sending_email:
        return formataddr((organisation.name, organisation.sending_email))
    return settings.DEFAULT_FROM_EMAIL


def _domain_of(address: str) -> str:
    email = parseaddr(address)[1]
    domain = email.rpartition("@")[2].strip()
    # make_msgid() without a domain asks DNS for this host's name, which can take seconds.
    return domain or "flowcoach.invalid"


def _clean_attachments(attachments: Iterable) -> list[dict]:
    cleaned = []
    for item in attachments or ():
        if isinstance(item, dict):
            filename, content, mimetype = item["filename"], item["content"], item["mimetype"]
        else:
            filename, content, mimetype = item
        if not filename or "/" not in mimetype:
            raise OutboxError("Each attachment needs a file name and a type.")
        cleaned.append({"filename": filename, "content": content, "mimetype": mimetype})
    return cleaned


def _clean_headers(headers: dict[str, str] | None) -> dict[str, str]:
    cleaned = {}
    for name, value in (headers or {}).items():
        if name.lower() == "message-id" or not name.replace("-", "").isalnum():
            raise OutboxError(f"The header {name!r} cannot be set.")
        if "\n" in value or "\r" in value:
            raise OutboxError("A header fits on one line.")
        cleaned[name] = value
    return cleaned


def _validate(*, to_email: str, subject: str, text_body: str, one_line: tuple = ()) -> None:
    try:
        validate_email(to_email)
    except ValidationError:
        raise OutboxError("The recipient's email address does not look right.") from None
    if not subject.strip():
        raise OutboxError("A message needs a subject.")
    if "\n" in subject or "\r" in subject:
        raise OutboxError("A subject fits on one line.")
    for line in one_line:
        if "\n" in line or "\r" in line:
            raise OutboxError("Names and addresses fit on one line.")
    if not text_body.strip():
        raise OutboxError("A message needs some text.")


def _aware(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise OutboxError("A send time needs a time zone.")
    return moment


def auto_approves(organisation: Organisation, kind: str) -> bool:
    kinds = (
        OrganisationEmailSettings.objects.filter(organisation=organisation)
        .values_list("auto_approve_kinds", flat=True)
        .first()
    )
    return kind in (kinds or [])


def _schedule(message: Message) -> None:
    """Hand the message to the task worker for its send time.

    With the database backend the task row is written in this same transaction, so approving
    and enqueuing commit together. Other backends (Redis) only see the task after commit, so
    a worker never picks it up before the approval is visible; if the process dies in between,
    the worker's recovery sweep finds the due message and sends it.
    """
    from . import tasks

    tasks.schedule_send(message.pk, _due_at(message))


def _due_at(message: Message) -> datetime:
    due = message.send_after
    if message.next_attempt_at and message.next_attempt_at > due:
        due = message.next_attempt_at
    return due


def _release(message: Message) -> None:
    """Forget any worker's reservation: a worker holding an old one then skips the message."""
    message.claim_token = ""
    message.lease_expires_at = None


def _approve(message: Message, user: User | None, now: datetime) -> None:
    _release(message)
    message.state = State.QUEUED if message.send_after <= now else State.APPROVED
    message.approved_by = user
    message.approved_at = now


def _locked(message: Message) -> Message:
    return Message.objects.select_for_update().get(pk=message.pk)


# --- the contract other apps call -----------------------------------------------------------


def message_draft(
    *,
    organisation: Organisation,
    key: str,
    kind: str,
    to_email: str,
    to_name: str = "",
    reply_to: str = "",
    subject: str,
    text_body: str,
    html_body: str = "",
    send_after: datetime,
    owner: User | None = None,
    attachments: Iterable[tuple[str, str, str]] = (),
    reference: str = "",
    warning: str = "",
    hold: bool = False,
    headers: dict[str, str] | None = None,
) -> Message:
    """Draft the message known by `key`, or re-draft it while nothing has gone out.

    A message already queued, sending, sent or interrupted is returned unchanged: the caller
    drafts an update under a new key instead. With `hold`, the caller knows the draft needs a
    person's eyes (its `warning` says why), so the organisation's auto-approval is skipped.
    """
    values = {
        "organisation": organisation,
        "key": key,
        "kind": kind,
        "to_email": to_email,
        "to_name": to_name,
        "reply_to": reply_to,
        "subject": subject,
        "text_body": text_body,
        "html_body": html_body,
        "send_after": send_after,
        "owner": owner,
        "attachments": attachments,
        "reference": reference,
        "warning": warning,
        "hold": hold,
        "headers": headers,
    }
    try:
        return _draft(**values)
    except IntegrityError:
        # Another process drafted the same key at the same moment; its row is there now.
        return _draft(**values)


@transaction.atomic
def _draft(
    *,
    organisation: Organisation,
    key: str,
    kind: str,
    to_email: str,
    to_name: str = "",
    reply_to: str = "",
    subject: str,
    text_body: str,
    html_body: str = "",
    send_after: datetime,
    owner: User | None = None,
    attachments: Iterable[tuple[str, str, str]] = (),
    reference: str = "",
    warning: str = "",
    hold: bool = False,
    headers: dict[str, str] | None = None,
) -> Message:
    """See `message_draft`."""
    if kind not in Kind.values:
        raise OutboxError(f"Unknown kind of email: {kind}.")
    if not key or len(key) > 200:
        raise OutboxError("A message needs a key of at most 200 characters.")
    to_email = to_email.strip()
    _validate(to_email=to_email, subject=subject, text_body=text_body, one_line=(to_name, reply_to))
    send_after = _aware(send_after)
    now = timezone.now()
    content = {
        "organisation": organisation,
        "owner": owner,
        "kind": kind,
        "to_email": to_email,
        "to_name": to_name.strip(),
        "from_email": _from_address(organisation),
        "reply_to": reply_to or (owner.email if owner else ""),
        "subject": subject.strip(),
        "text_body": text_body,
        "html_body": html_body,
        "attachments": _clean_attachments(attachments),
        "headers": _clean_headers(headers),
        "send_after": send_after,
        "reference": reference,
        "warning": warning,
    }
    message = Message.objects.select_for_update().filter(key=key).first()
    if message is not None and message.organisation_id != organisation.pk:
        raise OutboxError("This message cannot be saved. Please reload the page and try again.")
    if message is None:
        message = Message(
            key=key,
            message_id=make_msgid(domain=_domain_of(content["from_email"])),
            created_at=now,
            **content,
        )
    elif message.state in (State.DRAFT, State.APPROVED, State.FAILED, State.CANCELLED):
        for field, value in content.items():
            setattr(message, field, value)
        message.attempts = 0
        message.last_error = ""
        message.next_attempt_at = None
        message.cancel_reason = ""
        message.approved_by = None
        message.approved_at = None
    else:
        # Queued, sending, sent or interrupted: on its way or possibly out already.
        return message
    message.state = State.DRAFT
    _release(message)
    if not hold and auto_approves(organisation, kind):
        _approve(message, None, now)
    message.updated_at = now
    message.save()
    if message.state != State.DRAFT:
        _schedule(message)
    return message


@transaction.atomic
def message_approve(*, message: Message, user: User | None) -> Message:
    """Approve a draft; approving again, or anything past draft, changes nothing."""
    message = _locked(message)
    if message.state != State.DRAFT:
        return message
    now = timezone.now()
    _approve(message, user, now)
    message.updated_at = now
    message.save()
    _schedule(message)
    return message


@transaction.atomic
def message_cancel(*, message: Message, reason: str = "") -> Message:
    """Cancel a message nothing has sent yet (or an interrupted one the coach lets go)."""
    message = _locked(message)
    if message.state == State.CANCELLED:
        return message
    if not message.is_cancellable:
        raise OutboxError("This message is already on its way or sent, so it cannot be cancelled.")
    message.state = State.CANCELLED
    message.cancel_reason = reason[:300]
    message.next_attempt_at = None
    message.updated_at = timezone.now()
    message.save()
    return message


def message_cancel_by_key(*, key: str, reason: str = "") -> Message | None:
    """Cancel the message drafted under `key` if it has not gone out; a message already
    sending or sent is returned unchanged. None when no message has that key."""
    message = Message.objects.filter(key=key).first()
    if message is None:
        return None
    try:
        return message_cancel(message=message, reason=reason)
    except OutboxError:
        return Message.objects.get(pk=message.pk)


@transaction.atomic
def message_send_now(*, message: Message, user: User | None) -> Message:
    """Approve if needed and send as soon as a worker is free."""
    message = _locked(message)
    if message.state not in (State.DRAFT, State.APPROVED, State.QUEUED):
        raise OutboxError("Only a message waiting to go out can be sent now.")
    now = timezone.now()
    if message.state == State.DRAFT:
        message.approved_by = user
        message.approved_at = now
    message.state = State.QUEUED
    message.send_after = now
    _release(message)
    message.updated_at = now
    message.save()
    _schedule(message)
    return message


# --- the coach's outbox page ----------------------------------------------------------------


@transaction.atomic
def message_edit(
    *, message: Message, subject: str, text_body: str, html_body: str | None = None
) -> Message:
    """Change the words of a message not yet on its way. An approved message stays approved."""
    message = _locked(message)
    if not message.is_editable:
        raise OutboxError("Only a draft or an approved message waiting for its time can change.")
    _validate(to_email=message.to_email, subject=subject, text_body=text_body)
    message.subject = subject.strip()
    message.text_body = text_body
    if html_body is not None:
        message.html_body = html_body
    elif message.html_body:
        # The formatted part must say what the coach wrote, so it follows the new text.
        message.html_body = linebreaks(text_body, autoescape=True)
    message.updated_at = timezone.now()
    message.save()
    return message


@transaction.atomic
def message_retry(*, message: Message, user: User | None) -> Message:
    """Try a failed message again now, with a fresh round of attempts."""
    message = _locked(message)
    if message.state != State.FAILED:
        raise OutboxError("Only a message that failed can be tried again.")
    now = timezone.now()
    message.state = State.QUEUED
    message.attempts = 0
    message.next_attempt_at = None
    _release(message)
    if message.send_after > now:
        message.send_after = now
    message.updated_at = now
    message.save()
    _schedule(message)
    return message


@transaction.atomic
def message_confirm_arrived(*, message: Message, user: User | None) -> Message:
    """The coach says an interrupted message did reach its recipient."""
    message = _locked(message)
    if message.state != State.INTERRUPTED:
        raise OutboxError("Only an interrupted message needs confirming.")
    now = timezone.now()
    message.state = State.SENT
    message.sent_at = message.sent_at or now
    message.warning = "Marked as arrived by the coach after an interrupted send."
    message.updated_at = now
    message.save()
    return message


@transaction.atomic
def message_resend(*, message: Message, user: User | None) -> Message:
    """Send an interrupted message again, under the same Message-ID, so a mail client that
    already has it shows it once."""
    message = _locked(message)
    if message.state != State.INTERRUPTED:
        raise OutboxError("Only an interrupted message can be sent again.")
    now = timezone.now()
    message.state = State.QUEUED
    message.next_attempt_at = None
    message.send_after = min(message.send_after, now)
    _release(message)
    message.updated_at = now
    message.save()
    _schedule(message)
    return message


@transaction.atomic
def message_create_one_off(
    *,
    organisation: Organisation,
    owner: User,
    to_email: str,
    to_name: str,
    subject: str,
    text_body: str,
    key: str,
    send: bool,
) -> Message:
    """A message the coach writes themselves: kept as a draft, or sent at once."""
    message = message_draft(
        organisation=organisation,
        # The form's key comes from the browser: scoped to its organisation and writer, so a
        # key seen elsewhere can never reach another organisation's or person's message.
        key=f"one_off:{organisation.pk}:{owner.pk}:{key}",
        kind=Kind.ONE_OFF,
        to_email=to_email,
        to_name=to_name,
        subject=subject,
        text_body=text_body,
        send_after=timezone.now(),
        owner=owner,
    )
    if send and message.state in (State.DRAFT, State.APPROVED):
        message = message_send_now(message=message, user=owner)
    return message


@transaction.atomic
def email_settings_update(
    *, organisation: Organisation, auto_approve_kinds: Iterable[str], by: User | None = None
) -> OrganisationEmailSettings:
    kinds = sorted(set(auto_approve_kinds))
    unknown = set(kinds) - set(Kind.values)
    if unknown:
        raise OutboxError(f"Unknown kinds of email: {', '.join(sorted(unknown))}.")
    email_settings, _ = OrganisationEmailSettings.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    changed = sorted(set(kinds) ^ set(email_settings.auto_approve_kinds or []))
    email_settings.auto_approve_kinds = kinds
    email_settings.updated_at = timezone.now()
    email_settings.save()
    if changed:
        settings_changed(
            organisation=organisation,
            by=by,
            object_type="email_settings",
            object_id=email_settings.pk,
            detail={"auto_approve": kinds},
        )
    return email_settings


# --- the worker's side ----------------------------------------------------------------------


def recover_interrupted(*, now: datetime | None = None) -> int:
    """Flag messages whose worker died after claiming them (lease run out while "sending").

    They are never resent blindly: the worker may have handed them to the mail server just
    before it died. The coach confirms they arrived or sends them again (same Message-ID).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stale = list(
            Message.objects.select_for_update()
            .filter(state=State.SENDING, lease_expires_at__lt=now)
            .values_list("pk", flat=True)
        )
        if not stale:
            return 0
        Message.objects.filter(pk__in=stale, state=State.SENDING).update(
            state=State.INTERRUPTED,
            # The claim token stays: should the slow worker turn out alive and finish, it can
            # still record the message as sent.
            lease_expires_at=None,
            last_error="The worker stopped while sending; it may or may not have arrived.",
            updated_at=now,
        )
        DeliveryAttempt.objects.bulk_create(
            [
                DeliveryAttempt(
                    message_id=pk,
                    started_at=now,
                    finished_at=now,
                    outcome=DeliveryAttempt.Outcome.INTERRUPTED,
                    smtp_response="The worker stopped while this message was being sent.",
                )
                for pk in stale
            ]
        )
    logger.warning("Outbox: %d interrupted message(s) flagged for their coach", len(stale))
    return len(stale)
