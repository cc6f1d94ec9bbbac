"""Reads that shape client data for pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from flowcoach.accounts.models import Invitation, Organisation

from .models import Client

STATES = ("active", "archived", "all")


def client_search(
    clients: QuerySet[Client],
    *,
    query: str = "",
    state: str = "active",
    coach_id: int | None = None,
) -> QuerySet[Client]:
    if state == "archived":
        clients = clients.filter(archived_at__isnull=False)
    elif state != "all":
        clients = clients.filter(archived_at__isnull=True)
    if query:
        clients = clients.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(company__icontains=query)
        )
    if coach_id is not None:
        clients = clients.filter(coach_id=coach_id)
    return clients.select_related("coach").order_by("full_name", "pk")


def email_taken(*, organisation: Organisation, email: str, exclude_pk: int | None = None) -> bool:
    clients = Client.objects.filter(organisation=organisation, email__iexact=email.strip())
    if exclude_pk is not None:
        clients = clients.exclude(pk=exclude_pk)
    return clients.exists()


def emails_in_organisation(*, organisation: Organisation, emails: list[str]) -> set[str]:
    """Which of `emails` (lower-cased) already belong to a client of the organisation."""
    wanted = {email.strip().lower() for email in emails}
    if not wanted:
        return set()
    return set(
        Client.objects.filter(organisation=organisation)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower__in=wanted)
        .values_list("email_lower", flat=True)
    )


@dataclass(frozen=True)
class PortalAccess:
    state: str  # "none", "invited", "expired", "joined"
    since: datetime | None = None
    invitation: Invitation | None = None


def portal_access_of(client: Client) -> PortalAccess:
    """Whether the client can reach their portal: signed up, invited and waiting, or nothing
    yet. The newest invitation wins because sending one withdraws the earlier links."""
    if client.user_id is not None:
        last_login = client.user.last_login if client.user else None
        return PortalAccess(state="joined", since=last_login)
    invitation = (
        Invitation.objects.filter(organisation_id=client.organisation_id, role="client")
        .filter(Q(payload__client_id=client.pk) | Q(email__iexact=client.email))
        .exclude(status=Invitation.Status.REVOKED)
        .order_by("-created_at", "-pk")
        .first()
    )
    if invitation is None:
        return PortalAccess(state="none")
    if invitation.status == Invitation.Status.PENDING and invitation.is_expired:
        return PortalAccess(state="expired", since=invitation.created_at, invitation=invitation)
    return PortalAccess(state="invited", since=invitation.created_at, invitation=invitation)
