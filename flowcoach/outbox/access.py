"""Who may see which message: a coach sees the messages they own, and nobody else sees any
content. Admins get counts (selectors.counts_for) and the auto-approval settings; clients
have no outbox."""

from __future__ import annotations

from django.http import Http404

from flowcoach.accounts.actor import Actor

from .models import Message


def messages_visible_to(actor: Actor):
    if actor.organisation is None or not actor.is_coach:
        return Message.objects.none()
    return Message.objects.filter(organisation=actor.organisation, owner=actor.user)


def get_message_for(actor: Actor, pk: int) -> Message:
    try:
        return messages_visible_to(actor).get(pk=pk)
    except Message.DoesNotExist:
        raise Http404 from None
