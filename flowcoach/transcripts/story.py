"""Coaching reports in the client's story (clients/story.py): each transcript the viewing
coach uploaded for this client, with its headline figures, one click from the report. Only
the uploading coach's own reports: a transcript is theirs alone."""

from __future__ import annotations

from django.urls import reverse

from flowcoach.clients import story

from .models import Transcript
from .selectors import _row

KIND = "coaching_report"


def coaching_reports(*, client, viewer, kinds, limit: int) -> list[story.Event]:
    transcripts = (
        Transcript.objects.filter(client=client, coach=viewer)
        .select_related("session")
        .order_by("-uploaded_at", "-pk")[:limit]
    )
    events = []
    for transcript in transcripts:
        row = _row(transcript)
        parts = ()
        if row["analysed"]:
            parts = (
                story.Part("You talked", f"{row['coach_percent']}% of the time"),
                story.Part("Questions", f"{row['questions']} ({row['open_percent']}% open)"),
            )
        events.append(
            story.Event(
                transcript.uploaded_at,
                KIND,
                f"Coaching report on {transcript.session.code}"
                + ("" if row["analysed"] else " (speakers to map)"),
                parts=parts,
                coach_only=True,
                url=reverse("transcript_report", args=[transcript.pk]),
                sort_key=f"transcript-{transcript.pk}",
            )
        )
    return events


def register() -> None:
    story.register_kind(KIND, "Coaching reports", 70)
    story.register_timeline([KIND], coaching_reports)
