"""Handing a person's waiting messages to another owner (a client moving to a new coach).
The outbox still knows nothing of why: it is told whose messages, about whom, go to whom."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape

from flowcoach.accounts.models import Organisation, User

from .models import NOT_YET_SENT, Message, State


def _renamed(text: str, old: str, new: str) -> str:
    return text.replace(old, new) if old and old != new else text


@transaction.atomic
def messages_hand_over(
    *,
    organisation: Organisation,
    to_email: str,
    references: list[str],
    previous_owner: User,
    owner: User,
) -> int:
    """Every message of the organisation not yet sent that goes to `to_email` or carries one
    of `references`, and is not already the new owner's, becomes `owner`'s: they review it
    and replies reach them. A note meant for the previous owner goes to the new one, and
    words naming the previous owner by full name name the new one. An interrupted message
    may already have arrived, so its words stay as they were; only owner and Reply-To move.
    Returns how many moved."""
    match = Q(to_email__iexact=to_email)
    if references:
        match |= Q(reference__in=list(references))
    waiting = (
        Message.objects.select_for_update()
        .filter(organisation=organisation, state__in=(*NOT_YET_SENT, State.INTERRUPTED))
        .filter(match)
        .exclude(owner=owner)
    )
    old_name, new_name = previous_owner.full_name.strip(), owner.full_name.strip()
    now = timezone.now()
    moved = 0
    for message in waiting:
        message.owner = owner
        message.reply_to = owner.email
        if message.to_email.lower() == previous_owner.email.lower():
            message.to_email, message.to_name = owner.email, owner.full_name
        if message.state != State.INTERRUPTED:
            message.subject = _renamed(message.subject, old_name, new_name)
            message.text_body = _renamed(message.text_body, old_name, new_name)
            message.html_body = _renamed(message.html_body, escape(old_name), escape(new_name))
        message.updated_at = now
        message.save()
        moved += 1
    return moved
