"""Reads that shape account data for pages."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Invitation, Membership, Organisation, Role, User


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


def people_overview(organisation: Organisation) -> dict:
    memberships = list(
        Membership.objects.filter(organisation=organisation)
        .exclude(role=Role.CLIENT)
        .select_related("user")
        .order_by("role", "user__full_name")
    )
    invitations = list(
        Invitation.objects.filter(organisation=organisation, status=Invitation.Status.PENDING)
        .select_related("invited_by")
        .order_by("-created_at")
    )
    counts = Membership.objects.filter(organisation=organisation, is_active=True).aggregate(
        coaches=Count("pk", filter=Q(role=Role.COACH)),
        admins=Count("pk", filter=Q(role=Role.ADMIN)),
        clients=Count("pk", filter=Q(role=Role.CLIENT)),
    )
    return {"memberships": memberships, "invitations": invitations, "counts": counts}


AUDIT_PAGE_SIZE = 50


def audit_entries(
    organisation: Organisation,
    *,
    action: str = "",
    actor_id: int | None = None,
    since=None,
    until=None,
):
    """The organisation's audit log, newest first, filtered. Entries hold no personal content,
    so an admin may read them all; the actor's name comes from their account while it exists."""
    from .models import AuditEntry

    entries = AuditEntry.objects.filter(organisation=organisation).select_related("actor")
    if action:
        entries = entries.filter(action=action)
    if actor_id:
        entries = entries.filter(actor_id=actor_id)
    if since:
        entries = entries.filter(created_at__gte=since)
    if until:
        entries = entries.filter(created_at__lt=until)
    return entries.order_by("-created_at", "-pk")


def audit_actors(organisation: Organisation) -> list[User]:
    """The people who may appear in the actor filter: everyone with a role here, once."""
    return list(
        User.objects.filter(memberships__organisation=organisation)
        .distinct()
        .order_by("full_name", "pk")
        .only("pk", "full_name")
    )
