"""Stored email messages and their delivery log.

The outbox sends any message and knows nothing of coaching: callers hand it a recipient, a
subject, the rendered parts and a send time under an idempotency key; the outbox keeps them
until a person (or the organisation's auto-approval) says yes, then the task worker delivers
them once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from flowcoach.accounts.models import Organisation


class Kind(models.TextChoices):
    INVITATION = "invitation", "Session invitation"
    SESSION_UPDATE = "session_update", "Session update"
    PREPARATION = "preparation", "Preparation email"
    FOLLOW_UP = "follow_up", "Follow-up"
    CHECKIN = "checkin", "Check-in invitation"
    REMINDER = "reminder", "Reminder"
    DIGEST = "digest", "Digest"
    ONE_OFF = "one_off", "One-off message"
    NOTIFICATION = "notification", "Notification"
    # Essential: sent at once without approval, recorded here as sent.
    ACCOUNT_INVITATION = "account_invitation", "Invitation to join"
    # System: drafted and approved by the app itself, for the person who asked for it.
    EXPORT_READY = "export_ready", "Your export is ready"


# Kinds that never wait for approval, because someone is waiting for them right now.
ESSENTIAL_KINDS = (Kind.ACCOUNT_INVITATION,)
# Kinds the app approves as it drafts them: they answer the reader's own request, so no
# organisation setting applies to them.
SYSTEM_KINDS = (Kind.EXPORT_READY,)


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    INTERRUPTED = "interrupted", "Interrupted"


# States in which a message may be re-drafted, edited or cancelled: nothing has gone out yet.
NOT_YET_SENT = (State.DRAFT, State.APPROVED, State.QUEUED, State.FAILED)
# States a worker may claim (failed ones only while a retry is scheduled).
CLAIMABLE = (State.APPROVED, State.QUEUED, State.FAILED)


class Message(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="outbox_messages"
    )
    # The coach who reviews it; replies go to them.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outbox_messages",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)

    to_email = models.EmailField()
    to_name = models.CharField(max_length=150, blank=True)
    from_email = models.CharField(max_length=300)
    reply_to = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=300)
    text_body = models.TextField()
    html_body = models.TextField(blank=True)
    # [{"filename": ..., "content": ..., "mimetype": ...}]
    attachments = models.JSONField(default=list, blank=True)
    # Extra headers the caller asks for, e.g. one-click unsubscribe (RFC 8058) on emails a
    # client may switch off. Message-ID is the outbox's own and never comes from here.
    headers = models.JSONField(default=dict, blank=True)

    send_after = models.DateTimeField()
    # Generated once, at creation, and reused by every attempt so mail clients can recognise
    # a resend as the same message.
    message_id = models.CharField(max_length=300, unique=True)

    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set when a worker claims the message; a message still "sending" after its lease ran out
    # belongs to a worker that died.
    claim_token = models.CharField(max_length=40, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    reference = models.CharField(max_length=100, blank=True, db_index=True)
    warning = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["state", "send_after"]),
            models.Index(fields=["organisation", "owner", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_email} ({self.state})"

    @property
    def is_editable(self) -> bool:
        return self.state in (State.DRAFT, State.APPROVED)

    @property
    def is_cancellable(self) -> bool:
        return self.state in (*NOT_YET_SENT, State.INTERRUPTED)

    @property
    def retry_scheduled(self) -> bool:
        return self.state == State.FAILED and self.next_attempt_at is not None

    @property
    def recipient(self) -> str:
        return f"{self.to_name} <{self.to_email}>" if self.to_name else self.to_email


class DeliveryAttempt(models.Model):
    class Outcome(models.TextChoices):
        SENDING = "sending", "In progress"
        SENT = "sent", "Delivered to the mail server"
        FAILED = "failed", "Refused or unreachable"
        INTERRUPTED = "interrupted", "Interrupted"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.SENDING)
    smtp_response = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.message_id} {self.outcome} at {self.started_at}"


class OrganisationEmailSettings(models.Model):
    """Which kinds of email an organisation lets go out without a coach's approval."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="email_settings"
    )
    auto_approve_kinds = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Email settings of {self.organisation}"
