"""The parts of a client's story that coaching, the outbox and the profile know: registered
into `clients.story` from `HomeConfig.ready()`, exactly as check-ins register theirs.

Every provider is a fixed number of queries (at most two) whatever the client's history,
and returns at most `limit` entries of the kinds asked. Only the client's own coach reads a
timeline (the page checks), so coach-only content may appear, always marked."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Max, Q, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from flowcoach.clients import story
from flowcoach.clients.models import Client, MotivationProfile, ProfileAttachment, Visibility
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    PreparationTick,
    PurposeStatement,
    SessionRecord,
    SessionRequest,
)
from flowcoach.lib import dates
from flowcoach.outbox.models import Message, State

SESSION = "session"
PURPOSE = "purpose"
COMMITMENT = "commitment"
EMAIL = "email"
PROFILE = "profile"

DONE = {
    CoachingSession.Status.HELD: "held",
    CoachingSession.Status.NO_SHOW: "missed (no-show)",
    CoachingSession.Status.CANCELLED: "cancelled",
    CoachingSession.Status.CANCELLED_LATE: "cancelled late",
}


def _record(session: CoachingSession) -> SessionRecord | None:
    try:
        return session.record
    except SessionRecord.DoesNotExist:
        return None


def sessions_done(*, client: Client, viewer, kinds, limit: int) -> list[story.Event]:
    sessions = (
        CoachingSession.objects.filter(engagement__client=client, status__in=list(DONE))
        .annotate(moment=Coalesce("starts_at", "cancelled_at", "created_at"))
        .select_related("record", "engagement__program")
        .order_by("-moment", "-pk")[:limit]
    )
    events = []
    for session in sessions:
        parts = []
        record = _record(session)
        url = ""
        if session.status == CoachingSession.Status.HELD:
            url = reverse("runner_summary", args=[session.pk])
            if record is not None and record.adjustments.strip():
                parts.append(story.Part("To work on", record.adjustments))
            if record is not None and record.coach_summary.strip():
                parts.append(story.Part("Your summary", record.coach_summary, coach_only=True))
        elif session.cancel_reason.strip():
            parts.append(story.Part("Reason", session.cancel_reason))
        events.append(
            story.Event(
                at=session.moment,
                kind=SESSION,
                title=f"{session.code} {session.title}: {DONE[session.status]}",
                parts=tuple(parts),
                url=url or reverse("session_detail", args=[session.pk]),
                sort_key=f"session:{session.pk:012d}",
            )
        )
    return events


def purpose_versions(*, client: Client, viewer, kinds, limit: int) -> list[story.Event]:
    statements = (
        PurposeStatement.objects.filter(client=client)
        .annotate(number=Window(RowNumber(), order_by=[F("created_at").asc(), F("pk").asc()]))
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        story.Event(
            at=statement.created_at,
            kind=PURPOSE,
            title="Purpose statement drafted"
            if statement.number == 1
            else f"Purpose statement revised (version {statement.number})",
            parts=(story.Part("", statement.text),),
            sort_key=f"purpose:{statement.pk:012d}",
        )
        for statement in statements
    ]


def _owner(commitment: Commitment) -> str:
    return "You" if commitment.owner == Commitment.Owner.COACH else commitment.client.first_name


def commitments(*, client: Client, viewer, kinds, limit: int) -> list[story.Event]:
    """Each commitment when made, and its latest change of state (the runner and the portal
    keep the state, not a log of every change)."""
    rows = Commitment.objects.filter(client=client)
    made = rows.order_by("-created_at", "-pk").values("pk")[:limit]
    changed = (
        rows.exclude(state=Commitment.State.OPEN)
        .order_by("-updated_at", "-pk")
        .values("pk")[:limit]
    )
    # Both lists in one round trip: the newest made and the newest changed, split below.
    both = list(rows.filter(Q(pk__in=made) | Q(pk__in=changed)).select_related("client"))
    events = []
    for commitment in sorted(both, key=lambda c: (c.created_at, c.pk), reverse=True)[:limit]:
        due = f" (due {dates.short_day(commitment.due_date)})" if commitment.due_date else ""
        events.append(
            story.Event(
                at=commitment.created_at,
                kind=COMMITMENT,
                title=f"{_owner(commitment)} committed to: {commitment.text}{due}",
                sort_key=f"commitment:{commitment.pk:012d}:a",
            )
        )
    changed_rows = [c for c in both if c.state != Commitment.State.OPEN]
    for commitment in sorted(changed_rows, key=lambda c: (c.updated_at, c.pk), reverse=True)[
        :limit
    ]:
        events.append(
            story.Event(
                at=commitment.updated_at,
                kind=COMMITMENT,
                title=f"Commitment marked {commitment.get_state_display().lower()}: "
                f"{commitment.text}",
                sort_key=f"commitment:{commitment.pk:012d}:b",
            )
        )
    return events


def emails_sent(*, client: Client, viewer, kinds, limit: int) -> list[story.Event]:
    """Emails that went to the client from the viewer's own outbox (a coach reads only the
    messages they own, as in the outbox)."""
    messages = Message.objects.filter(
        organisation_id=client.organisation_id,
        owner=viewer,
        state=State.SENT,
        to_email__iexact=client.email,
    ).order_by("-sent_at", "-pk")[:limit]
    return [
        story.Event(
            at=message.sent_at,
            kind=EMAIL,
            title=f"Email sent: {message.subject}",
            parts=(story.Part("", message.get_kind_display()),),
            url=reverse("outbox_message", args=[message.pk]),
            sort_key=f"email:{message.pk:012d}",
        )
        for message in messages
    ]


def profile_changes(*, client: Client, viewer, kinds, limit: int) -> list[story.Event]:
    events = [
        story.Event(
            at=client.created_at,
            kind=PROFILE,
            title=f"{client.first_name} joined your client list",
            sort_key="profile:0",
        )
    ]
    updated = MotivationProfile.objects.filter(client=client).values_list("updated_at", flat=True)
    for moment in updated[:1]:
        events.append(
            story.Event(
                at=moment,
                kind=PROFILE,
                title="Motivation profile last updated",
                url=reverse("profile_detail", args=[client.pk]),
                sort_key="profile:1",
            )
        )
    files = ProfileAttachment.objects.filter(profile__client=client).order_by(
        "-uploaded_at", "-pk"
    )[:limit]
    for attachment in files:
        events.append(
            story.Event(
                at=attachment.uploaded_at,
                kind=PROFILE,
                title=f"File added to the profile: {attachment.original_name}",
                coach_only=attachment.visibility == Visibility.COACH_ONLY,
                url=reverse("profile_detail", args=[client.pk]),
                sort_key=f"profile:file:{attachment.pk:012d}",
            )
        )
    return events


# --- signs of life, for "gone quiet" ------------------------------------------------------------


def _latest(rows, key: str) -> dict[int, datetime]:
    return {row[key]: row["latest"] for row in rows}


def sessions_held_activity(*, client_ids: list[int]) -> dict[int, datetime]:
    rows = (
        CoachingSession.objects.filter(
            engagement__client_id__in=client_ids,
            status=CoachingSession.Status.HELD,
            starts_at__lte=timezone.now(),
        )
        .values("engagement__client_id")
        .annotate(latest=Max("starts_at"))
        .order_by()
    )
    return _latest(rows, "engagement__client_id")


def replies_activity(*, client_ids: list[int]) -> dict[int, datetime]:
    """A client's answers through their session links (confirm, move, cancel)."""
    rows = (
        SessionRequest.objects.filter(session__engagement__client_id__in=client_ids)
        .values("session__engagement__client_id")
        .annotate(latest=Max("created_at"))
        .order_by()
    )
    return _latest(rows, "session__engagement__client_id")


def preparation_activity(*, client_ids: list[int]) -> dict[int, datetime]:
    """A client ticking their own preparation list."""
    rows = (
        PreparationTick.objects.filter(
            session__engagement__client_id__in=client_ids, side=PreparationTick.Side.CLIENT
        )
        .values("session__engagement__client_id")
        .annotate(latest=Max("ticked_at"))
        .order_by()
    )
    return _latest(rows, "session__engagement__client_id")


def register() -> None:
    story.register_kind(SESSION, "Sessions", 10)
    story.register_kind(PURPOSE, "Purpose statements", 20)
    story.register_kind(COMMITMENT, "Commitments", 30)
    story.register_kind(EMAIL, "Emails", 50)
    story.register_kind(PROFILE, "Profile", 60)
    story.register_timeline([SESSION], sessions_done)
    story.register_timeline([PURPOSE], purpose_versions)
    story.register_timeline([COMMITMENT], commitments)
    story.register_timeline([EMAIL], emails_sent)
    story.register_timeline([PROFILE], profile_changes)
    story.register_activity(sessions_held_activity)
    story.register_activity(replies_activity)
    story.register_activity(preparation_activity)
