"""Who reaches which check-in and commitment, built on the accounts policy primitives.

- A check-in's answers are the client's words for their coach: the client (signed in, or
  holding the week's emailed link) and the engagement's coach read them. An admin sees
  counts only; another coach or client gets 404.
- A client updates and logs only their own commitments."""

from __future__ import annotations

import uuid

from django.http import Http404

from flowcoach.accounts.actor import Actor
from flowcoach.clients import access as client_access
from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment

from . import selectors
from .models import Checkin


def own_client(actor: Actor) -> Client:
    return client_access.own_client_record(actor)


def get_own_checkin_for(actor: Actor, pk: int) -> Checkin:
    client = own_client(actor)
    checkin = (
        Checkin.objects.select_related("client", "engagement__coach")
        .filter(pk=pk, client=client)
        .first()
    )
    if checkin is None:
        raise Http404
    return checkin


def get_own_commitment_for(actor: Actor, commitment_uuid: uuid.UUID) -> Commitment:
    client = own_client(actor)
    commitment = selectors.visible_commitments(client).filter(uuid=commitment_uuid).first()
    if commitment is None:
        raise Http404
    commitment.client = client
    return commitment
