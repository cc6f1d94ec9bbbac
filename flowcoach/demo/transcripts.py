"""Demo coaching reports: the transcript of Marcus's purpose session with Dana (question-led,
all four F.L.O.W. stages) and of Tom's latest weekly 1:1 with Aisha (the four topics and
more / better / different), analysed as a coach would after mapping the speakers."""

from __future__ import annotations

from pathlib import Path

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession
from flowcoach.transcripts import services
from flowcoach.transcripts.models import Transcript

FILES = Path(__file__).parent / "transcripts"

# client email → (program slug, which held session: 0 the first, -1 the latest, file, roles)
REPORTS = {
    "marcus@example.org": (
        "best-seller",
        0,
        "T1.zoom.vtt",
        {"Dana Whitfield": "coach", "Marcus Oyelaran": "client"},
    ),
    "tom@example.org": (
        "weekly-1on1",
        -1,
        "T3.teams.vtt",
        {"Aisha Karimova": "coach", "Tom Brennan": "client"},
    ),
}


def seed_transcripts(organisation) -> int:
    """Adds each report once; a second run finds them and changes nothing."""
    created = 0
    for email, (program, position, filename, roles) in REPORTS.items():
        client = Client.objects.filter(organisation=organisation, email__iexact=email).first()
        if client is None:
            continue
        held = list(
            CoachingSession.objects.filter(
                engagement__client=client,
                engagement__program__slug=program,
                status=CoachingSession.Status.HELD,
            ).order_by("sequence")
        )
        if not held:
            continue
        session = held[position]
        if Transcript.objects.filter(session=session).exists():
            continue
        transcript = services.transcript_import(
            session=session,
            coach=client.coach,
            data=(FILES / filename).read_bytes(),
            filename=filename,
            consent=True,
        )
        if not transcript.is_analysed:
            services.transcript_map_speakers(transcript=transcript, roles=roles)
        created += 1
    return created
