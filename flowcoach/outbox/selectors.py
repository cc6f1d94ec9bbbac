"""Reads for the outbox pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from flowcoach.accounts.models import Organisation

from .models import CLAIMABLE, DeliveryAttempt, Message, OrganisationEmailSettings, State

RECENT = 50

# The page's groups, in order: what needs the coach first.
GROUPS = (
    ("attention", "Needs your attention", (State.FAILED, State.INTERRUPTED)),
    ("waiting", "Waiting for your approval", (State.DRAFT,)),
    ("scheduled", "Scheduled", (State.APPROVED, State.QUEUED, State.SENDING)),
    ("sent", "Sent", (State.SENT,)),
    ("cancelled", "Cancelled", (State.CANCELLED,)),
)


@dataclass
class Group:
    slug: str
    title: str
    messages: list[Message]
    total: int


def outbox_groups(messages: QuerySet[Message]) -> list[Group]:
    messages = messages.only(
        "pk",
        "kind",
        "state",
        "to_email",
        "to_name",
        "subject",
        "send_after",
        "sent_at",
        "next_attempt_at",
        "warning",
        "updated_at",
    )
    totals = dict(messages.values_list("state").annotate(n=Count("pk")).order_by())
    groups = []
    for slug, title, states in GROUPS:
        total = sum(totals.get(state, 0) for state in states)
        if slug in ("sent", "cancelled"):
            ordered = messages.filter(state__in=states).order_by("-sent_at", "-updated_at")
        else:
            ordered = messages.filter(state__in=states).order_by("send_after", "pk")
        groups.append(Group(slug, title, list(ordered[:RECENT]) if total else [], total))
    return groups


def deliveries_of(message: Message) -> list[DeliveryAttempt]:
    return list(message.deliveries.all())


@dataclass
class CoachCounts:
    name: str
    counts: dict[str, int]


def counts_for(organisation: Organisation) -> tuple[dict[str, int], list[CoachCounts]]:
    """Numbers of messages by state, overall and per coach: no subjects, no recipients."""
    per_state = {state: Count("pk", filter=Q(state=state)) for state in State.values}
    overall = Message.objects.filter(organisation=organisation).aggregate(**per_state)
    rows = (
        Message.objects.filter(organisation=organisation)
        .values("owner__full_name", "owner__email")
        .annotate(**per_state)
        .order_by("owner__full_name")
    )
    per_coach = [
        CoachCounts(
            row["owner__full_name"] or row["owner__email"] or "No coach",
            {state: row[state] for state in State.values},
        )
        for row in rows
    ]
    return overall, per_coach


def auto_approve_kinds(organisation: Organisation) -> list[str]:
    settings = OrganisationEmailSettings.objects.filter(organisation=organisation).first()
    return list(settings.auto_approve_kinds) if settings else []


# --- for the worker: what is due -------------------------------------------------------------


def due_q(now: datetime) -> Q:
    """Due to be sent: approved and its time has come, or a failed one whose retry is due."""
    return Q(state__in=CLAIMABLE, send_after__lte=now) & (
        Q(state__in=(State.APPROVED, State.QUEUED), next_attempt_at__isnull=True)
        | Q(next_attempt_at__lte=now)
    )


def due_messages(now: datetime | None = None):
    """Messages a worker may reserve now: due, and not reserved by a live worker."""
    now = now or timezone.now()
    return Message.objects.filter(due_q(now)).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)
    )
