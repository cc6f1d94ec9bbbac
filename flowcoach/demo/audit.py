"""A few days of the demo organisation's audit log, so the admin's log page shows every kind
of entry: settings, an export by a coach and by a client, a new sign-in device."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from flowcoach.accounts.models import AuditAction, AuditEntry, Membership, Organisation, Role
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession


def seed_audit(org: Organisation) -> None:
    if AuditEntry.objects.filter(organisation=org).exists():
        return  # a second run changes nothing
    now = timezone.now()
    admin = Membership.objects.filter(organisation=org, role=Role.ADMIN).first().user
    held = (
        CoachingSession.objects.filter(
            engagement__client__organisation=org, status=CoachingSession.Status.HELD
        )
        .select_related("engagement__coach")
        .order_by("-starts_at")
        .first()
    )
    portal_client = Client.objects.filter(organisation=org, user__isnull=False).first()
    rows = [
        AuditEntry(
            organisation=org,
            actor=admin,
            actor_role=Role.ADMIN,
            action=AuditAction.SETTINGS_CHANGED,
            object_type="email_settings",
            detail={"auto_approve": ["invitation", "session_update"]},
            created_at=now - timedelta(days=6, hours=3),
        )
    ]
    if held is not None:
        coach = held.engagement.coach
        rows += [
            AuditEntry(
                organisation=org,
                actor=coach,
                actor_role=Role.COACH,
                action=AuditAction.NEW_DEVICE,
                object_type="user",
                object_id=coach.pk,
                created_at=now - timedelta(days=2, hours=5),
            ),
            AuditEntry(
                organisation=org,
                actor=coach,
                actor_role=Role.COACH,
                action=AuditAction.EXPORT,
                object_type="session",
                object_id=held.pk,
                detail={"format": "pdf"},
                created_at=now - timedelta(days=2, hours=4),
            ),
        ]
    if portal_client is not None:
        rows.append(
            AuditEntry(
                organisation=org,
                actor=portal_client.user,
                actor_role=Role.CLIENT,
                action=AuditAction.EXPORT,
                object_type="client",
                object_id=portal_client.pk,
                detail={"format": "zip"},
                created_at=now - timedelta(days=1, hours=2),
            )
        )
    AuditEntry.objects.bulk_create(rows)
