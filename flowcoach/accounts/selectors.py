"""Reads that shape account data for pages."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from .models import AuditEntry, Invitation, Membership, Organisation, Role, User


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
    now = timezone.now()
    for invitation in invitations:
        # "0 minutes ago" reads like a glitch.
        invitation.just_sent = now - invitation.created_at < timedelta(minutes=1)
    # One row per person: an admin who also coaches is one person with two roles.
    people: dict[int, dict] = {}
    for membership in memberships:
        row = people.setdefault(membership.user_id, {"user": membership.user, "memberships": []})
        row["memberships"].append(membership)
    for row in people.values():
        row["roles"] = " and ".join(m.get_role_display().lower() for m in row["memberships"])
    return {
        "memberships": memberships,
        "people": list(people.values()),
        "invitations": invitations,
        "counts": counts,
    }


def organisation_slugs_text() -> str:
    """The organisations' slugs, for command-line messages that ask for one."""
    slugs = list(Organisation.objects.order_by("slug").values_list("slug", flat=True))
    if not slugs:
        return "There is no organisation yet: create one with manage.py create_organisation."
    return "Organisations here: " + ", ".join(slugs) + "."


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
    """The people the actor filter offers: those with a role here who did something the log
    holds, once. Offering every member made the page grow with the practice (2,200 options,
    98 KB and 130 ms of widget rendering on the large practice) for names that could only
    ever filter to an empty list."""
    acted = AuditEntry.objects.filter(organisation=organisation, actor=OuterRef("pk"))
    return list(
        User.objects.filter(memberships__organisation=organisation)
        .filter(Exists(acted))
        .distinct()
        .order_by("full_name", "pk")
        .only("pk", "full_name")
    )
