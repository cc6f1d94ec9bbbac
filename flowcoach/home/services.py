"""Writes started from Home. Each goes through the owning app's own services."""

from __future__ import annotations

from django.db import transaction

from flowcoach.accounts.actor import Actor
from flowcoach.outbox import access as outbox_access
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import State


@transaction.atomic
def drafts_approve(*, actor: Actor, ids: list[int]) -> tuple[int, int]:
    """Approves the actor's own drafts among `ids` that need no edit (no warning), all or
    nothing. Returns (approved, left): `left` counts those skipped because they carry a
    warning or are no longer drafts; ids that are not the actor's are ignored, as if unseen."""
    messages = list(
        outbox_access.messages_visible_to(actor).filter(pk__in=ids).order_by("send_after", "pk")
    )
    approved = 0
    for message in messages:
        if message.state != State.DRAFT or message.warning:
            continue
        outbox.message_approve(message=message, user=actor.user)
        approved += 1
    return approved, len(messages) - approved
