"""Reads for transcript pages and for the panels this app adds to coaching's pages."""

from __future__ import annotations

from flowcoach.accounts.actor import Actor
from flowcoach.clients import access as client_access
from flowcoach.coaching.models import CoachingSession, Engagement

from .models import SpeakerMapping, Transcript
from .report import minutes, talk_band


def session_panel(*, session: CoachingSession, actor: Actor, **_) -> dict | None:
    """On the session page: this coach's transcripts of the session, and the upload link."""
    if not actor.is_coach:
        return None
    transcripts = list(Transcript.objects.filter(session=session, coach=actor.user))
    return {
        "template": "transcripts/_session_panel.html",
        "context": {"transcripts": transcripts, "session": session},
    }


def engagement_panel(*, engagement: Engagement, actor: Actor, **_) -> dict | None:
    """Where the coach sees the client's sessions: their reports, newest first."""
    if not actor.is_coach:
        return None
    transcripts = list(
        Transcript.objects.filter(session__engagement=engagement, coach=actor.user)
        .select_related("session")
        .order_by("-uploaded_at")
    )
    return {
        "template": "transcripts/_engagement_panel.html",
        "context": {"reports": [_row(t) for t in transcripts], "engagement": engagement},
    }


def portal_panel(*, client, **_) -> dict | None:
    count = Transcript.objects.filter(client=client).count()
    if not count:
        return None
    return {"template": "transcripts/_portal_panel.html", "context": {"count": count}}


def _row(transcript: Transcript) -> dict:
    figures = transcript.figures or {}
    row = {
        "transcript": transcript,
        "session": transcript.session,
        "analysed": transcript.is_analysed,
    }
    if transcript.is_analysed:
        questions = figures["coach_questions"]
        row.update(
            coach_percent=round(figures["coach_talk_share"] * 100),
            band=talk_band(figures["coach_talk_share"]),
            questions=questions["total"],
            per_10=questions["per_10_minutes"],
            open_percent=round(100 * questions["open"] / questions["total"])
            if questions["total"]
            else 0,
            telling=figures["coach_telling_count"],
            longest=minutes(figures["longest_coach_monologue_seconds"]),
            longest_seconds=figures["longest_coach_monologue_seconds"],
        )
    return row


def speaker_rows(transcript: Transcript, remembered: dict[str, str]) -> list[dict]:
    """Each speaker with their talk time and the role to preselect: the mapping chosen
    before, else a guess (the one who asks most is the coach)."""
    from . import metrics
    from .utterances import Utterance

    utterances = [
        Utterance(i["speaker"], i["start"], i["end"], i.get("text", ""))
        for i in transcript.utterances
    ]
    guess = metrics.guess_roles(utterances)
    talk: dict[str, float] = {}
    lines: dict[str, str] = {}
    for u in utterances:
        talk[u.speaker] = talk.get(u.speaker, 0.0) + u.seconds
        if u.speaker not in lines and len(u.text.split()) >= 4:
            lines[u.speaker] = u.text
    total = sum(talk.values()) or 1.0
    return [
        {
            "name": name,
            "talk": minutes(seconds),
            "percent": round(100 * seconds / total),
            "role": transcript.roles.get(name) or remembered.get(name) or guess[name],
            "remembered": name in remembered,
            "sample": lines.get(name, ""),
        }
        for name, seconds in talk.items()
    ]


def trends(actor: Actor) -> dict:
    """The coach's own analysed sessions, oldest first, for the trend chart and table."""
    transcripts = list(
        Transcript.objects.filter(
            coach=actor.user,
            client__organisation=actor.organisation,
            analysed_at__isnull=False,
        )
        .select_related("session", "client")
        .order_by("session__starts_at", "uploaded_at")
    )
    rows = [_row(t) for t in transcripts]
    return {"rows": rows, "chart": _trend_chart(rows)}


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_TOP = 640, 200, 44, 12


def _trend_chart(rows: list[dict]) -> dict | None:
    """Coach share of talk per session, with the coaching range shaded."""
    if len(rows) < 2:
        return None
    plot_width = CHART_WIDTH - CHART_LEFT - 16
    plot_height = CHART_HEIGHT - CHART_TOP - 28

    def y(percent: float) -> float:
        return round(CHART_TOP + plot_height * (1 - percent / 100), 1)

    step = plot_width / (len(rows) - 1)
    points = [
        {"x": round(CHART_LEFT + i * step, 1), "y": y(row["coach_percent"]), "row": row}
        for i, row in enumerate(rows)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "points": points,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "band_top": y(33),
        "band_height": round(y(10) - y(33), 1),
        "left": CHART_LEFT,
        "band_width": CHART_WIDTH - 16 - CHART_LEFT,
        "right": CHART_WIDTH - 16,
        "grid": [{"y": y(v), "label": f"{v}%"} for v in (0, 25, 50, 75, 100)],
        "label_y": CHART_HEIGHT - 8,
    }


def own_transcripts(actor: Actor) -> list[Transcript]:
    """The signed-in client's sessions that have a transcript: what they consented to."""
    client = client_access.own_client_record(actor)
    return list(
        Transcript.objects.filter(client=client)
        .select_related("session", "coach")
        .order_by("-uploaded_at")
    )


def remembered_count(transcript: Transcript) -> int:
    return SpeakerMapping.objects.filter(client=transcript.client, coach=transcript.coach).count()
