"""Forgetting a person: every stored message to them or about them goes, with its delivery
log. Used when a client is deleted; the outbox still knows nothing of why."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from flowcoach.accounts.models import Organisation

from .models import Message


@transaction.atomic
def messages_purge(
    *,
    organisation: Organisation,
    to_email: str,
    references: list[str] = (),
    mentions: list[str] = (),
) -> int:
    """Deletes the organisation's messages sent to `to_email`, carrying one of `references`,
    or naming one of `mentions` in their subject or text (a digest listing the person).
    A send task still waiting finds its message gone and does nothing. Returns the count."""
    match = Q(to_email__iexact=to_email)
    if references:
        match |= Q(reference__in=list(references))
    for text in mentions:
        if text:
            match |= Q(subject__icontains=text) | Q(text_body__icontains=text)
    deleted, _ = Message.objects.filter(organisation=organisation).filter(match).delete()
    return deleted
