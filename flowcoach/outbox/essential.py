"""Essential emails: those that leave at once, without approval, because someone is waiting
for them (an invitation to join). They are not sent by the outbox, but the outbox lists them
as sent, so a coach's outbox shows everything that went out in their name."""

from __future__ import annotations

from email.utils import make_msgid

from django.utils import timezone

from .models import Kind, Message, State


def invitation_sent(*, invitation, subject: str, text_body: str, from_email: str, **_) -> None:
    """Records an invitation email that has just left (a resend is a new invitation, so a
    new record)."""
    now = timezone.now()
    domain = from_email.rpartition("@")[2].strip(" >") or "flowcoach.invalid"
    Message.objects.get_or_create(
        key=f"account-invitation:{invitation.pk}",
        defaults={
            "organisation": invitation.organisation,
            "owner": invitation.invited_by,
            "kind": Kind.ACCOUNT_INVITATION,
            "state": State.SENT,
            "to_email": invitation.email,
            "to_name": invitation.full_name,
            "from_email": from_email,
            "subject": subject[:300],
            "text_body": text_body,
            "send_after": now,
            "sent_at": now,
            "attempts": 1,
            "message_id": make_msgid(domain=domain),
        },
    )
