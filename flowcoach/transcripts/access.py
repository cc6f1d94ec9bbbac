"""Who may read a transcript: the coach who uploaded it, nobody else. An admin sees no
transcript content (counts live elsewhere); the client sees only that one exists, to withdraw
consent. Everything else answers 404, so a transcript's existence never leaks."""

from __future__ import annotations

from django.http import Http404

from flowcoach.accounts.actor import Actor
from flowcoach.clients import access as client_access

from .models import Transcript


def get_transcript_for(actor: Actor, pk: int) -> Transcript:
    if actor.organisation is None or not actor.is_coach:
        raise Http404
    try:
        return Transcript.objects.select_related(
            "session__engagement__client",
            "session__template_version",
            "client",
        ).get(pk=pk, coach=actor.user, client__organisation=actor.organisation)
    except Transcript.DoesNotExist:
        raise Http404 from None


def get_own_transcript_for(actor: Actor, pk: int) -> Transcript:
    """One of the signed-in client's own sessions' transcripts (for withdrawing consent)."""
    client = client_access.own_client_record(actor)
    try:
        return Transcript.objects.select_related("session").get(pk=pk, client=client)
    except Transcript.DoesNotExist:
        raise Http404 from None
