"""What coaching keeps about a client, removed when the client is deleted."""

from __future__ import annotations

from flowcoach.clients.models import Client
from flowcoach.outbox.purge import messages_purge

from .emails import reference_of
from .models import CoachingSession


def client_traces_purge(*, client: Client, **_) -> None:
    """Runs inside the client's deletion. Engagements, sessions and their requests go with the
    client row (cascade); emails to the client or about their sessions go here."""
    sessions = CoachingSession.objects.filter(engagement__client=client)
    messages_purge(
        organisation=client.organisation,
        to_email=client.email,
        references=[reference_of(session) for session in sessions],
        mentions=[client.full_name, client.email],
    )
