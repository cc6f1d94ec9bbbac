"""Check-ins in the client's story (clients/story.py): weeks answered, late or missed, and the
client's own commitment updates and progress lines, for the coach's timeline; and the latest
answer as a sign of life for "gone quiet". Each provider reads its newest rows only, in one
query per kind, whatever the length of the history."""

from __future__ import annotations

from django.db.models import Max
from django.urls import reverse

from flowcoach.clients import story

from .models import Checkin, CommitmentUpdate, ProgressLog
from .selectors import CLIENT_STATE_LABELS

CHECKIN = "checkin"
PROGRESS = "commitment_progress"


def checkin_weeks(*, client, viewer, kinds, limit: int) -> list[story.Event]:
    weeks = (
        Checkin.objects.filter(client=client)
        .exclude(state=Checkin.State.OPEN)
        .order_by("-opens_at", "-pk")[:limit]
    )
    events = []
    for week in weeks:
        url = reverse("engagement_checkins", args=[week.engagement_id])
        if week.state == Checkin.State.MISSED:
            events.append(
                story.Event(
                    week.closed_at or week.closes_at,
                    CHECKIN,
                    "Check-in missed",
                    url=url,
                    sort_key=f"checkin-{week.pk}",
                )
            )
            continue
        parts = tuple(
            story.Part(label, text)
            for label, text in (
                ("More", week.more),
                ("Better", week.better),
                ("Differently", week.different),
            )
            if text
        )
        if week.energy:
            parts += (story.Part("Energy", f"{week.energy}/10"),)
        late = " late" if week.state == Checkin.State.LATE else ""
        events.append(
            story.Event(
                week.answered_at or week.opens_at,
                CHECKIN,
                f"Check-in answered{late}",
                parts=parts,
                url=url,
                sort_key=f"checkin-{week.pk}",
            )
        )
    return events


def commitment_progress(*, client, viewer, kinds, limit: int) -> list[story.Event]:
    updates = (
        CommitmentUpdate.objects.filter(commitment__client=client)
        .select_related("commitment")
        .order_by("-updated_at", "-pk")[:limit]
    )
    logs = (
        ProgressLog.objects.filter(commitment__client=client)
        .select_related("commitment")
        .order_by("-created_at", "-pk")[:limit]
    )
    events = [
        story.Event(
            update.updated_at,
            PROGRESS,
            f"Marked a commitment {CLIENT_STATE_LABELS.get(update.state, update.state).lower()}",
            parts=(story.Part("Commitment", update.commitment.text),)
            + ((story.Part("Comment", update.comment),) if update.comment else ()),
            sort_key=f"update-{update.pk}",
        )
        for update in updates
    ]
    events += [
        story.Event(
            log.created_at,
            PROGRESS,
            "Logged progress",
            parts=(story.Part("Commitment", log.commitment.text), story.Part("Progress", log.text)),
            sort_key=f"log-{log.pk}",
        )
        for log in logs
    ]
    return events


def last_answers(*, client_ids) -> dict:
    rows = (
        Checkin.objects.filter(client_id__in=client_ids, answered_at__isnull=False)
        .values("client_id")
        .annotate(last=Max("answered_at"))
    )
    return {row["client_id"]: row["last"] for row in rows}


def register() -> None:
    story.register_kind(CHECKIN, "Check-ins", 40)
    story.register_kind(PROGRESS, "Commitment progress", 45)
    story.register_timeline([CHECKIN], checkin_weeks)
    story.register_timeline([PROGRESS], commitment_progress)
    story.register_activity(last_answers)
