"""Reads that shape engagements for pages."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.utils import timezone

from flowcoach.accounts.models import Organisation, User
from flowcoach.clients.models import Client
from flowcoach.lib.timezones import place_name

from .models import CoachingSession, Engagement


def engagement_timeline(engagement: Engagement, viewer: User | None = None) -> list[dict]:
    """Each session with its place on the track: done, next (the first still to come) or
    later; with `viewer`, also when it is for them and for the client."""
    sessions = list(engagement.sessions.select_related("template_version").order_by("sequence"))
    items, next_found = [], False
    for session in sessions:
        if session.status in CoachingSession.DONE_STATES:
            stage = "done"
        elif not next_found and engagement.status == Engagement.Status.ACTIVE:
            stage, next_found = "next", True
        else:
            stage = "later"
        item = {"session": session, "stage": stage}
        if viewer is not None:
            item["when"] = session_when(session, viewer)
        items.append(item)
    return items


def engagements_of(client: Client) -> list[Engagement]:
    return list(
        Engagement.objects.filter(client=client).select_related("program").order_by("-created_at")
    )


def _moment(moment: datetime, time_zone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def session_when(session: CoachingSession, viewer: User) -> dict[str, str]:
    """The start in the viewer's zone, and the client's own time when their zone differs."""
    if session.starts_at is None:
        return {"mine": "", "theirs": ""}
    client = session.engagement.client
    mine = f"{_moment(session.starts_at, viewer.time_zone)} ({viewer.time_zone})"
    theirs = ""
    if client.time_zone != viewer.time_zone:
        theirs = (
            f"{_moment(session.starts_at, client.time_zone)} for {client.first_name} "
            f"({client.time_zone})"
        )
    return {"mine": mine, "theirs": theirs}


def session_requests(session: CoachingSession, viewer: User) -> list[dict]:
    """What the client asked through their email links, newest first, with the times they
    proposed shown in the viewer's zone (and their own when it differs)."""
    client_zone = session.engagement.client.time_zone
    items = []
    for request in session.client_requests.order_by("-created_at"):
        proposed = []
        for text in request.proposed_times:
            moment = datetime.fromisoformat(text)
            line = f"{_moment(moment, viewer.time_zone)} ({viewer.time_zone})"
            if client_zone != viewer.time_zone:
                line += (
                    f" · {_moment(moment, client_zone)} for "
                    f"{session.engagement.client.first_name} ({client_zone})"
                )
            there = moment.astimezone(zoneinfo.ZoneInfo(client_zone))
            use = urlencode(
                {"date": f"{there:%Y-%m-%d}", "time": f"{there:%H:%M}", "time_zone": client_zone}
            )
            proposed.append({"text": line, "query": use})
        items.append({"request": request, "proposed": proposed})
    return items


def clients_to_schedule(
    *, coach: User, organisation: Organisation | None = None, now: datetime | None = None
) -> list[Engagement]:
    """The coach's active engagements with nothing scheduled from now on, oldest first."""
    now = now or timezone.now()
    upcoming = CoachingSession.objects.filter(
        engagement=OuterRef("pk"),
        status=CoachingSession.Status.SCHEDULED,
        starts_at__gte=now,
    )
    engagements = Engagement.objects.filter(
        coach=coach, status=Engagement.Status.ACTIVE, client__archived_at__isnull=True
    )
    if organisation is not None:
        engagements = engagements.filter(organisation=organisation)
    return list(
        engagements.annotate(has_upcoming=Exists(upcoming))
        .filter(has_upcoming=False)
        .select_related("client", "program", "organisation")
        .order_by("client__full_name", "created_at")
    )


def nudge_rows(engagements: list[Engagement]) -> list[dict]:
    """Each engagement with the first of its sessions still waiting for a date (or None),
    in one query."""
    waiting: dict[int, CoachingSession] = {}
    for session in CoachingSession.objects.filter(
        engagement__in=engagements, status=CoachingSession.Status.UNSCHEDULED
    ).order_by("engagement_id", "-sequence"):
        waiting[session.engagement_id] = session  # the lowest sequence is written last
    return [{"engagement": e, "session": waiting.get(e.pk)} for e in engagements]


def upcoming_sessions_for_client(client: Client, now: datetime | None = None) -> list[dict]:
    """The client's booked sessions still to come, each with its time in the client's zone."""
    now = now or timezone.now()
    sessions = (
        CoachingSession.objects.filter(
            engagement__client=client,
            status=CoachingSession.Status.SCHEDULED,
            starts_at__gte=now,
        )
        .select_related("engagement__program", "template_version")
        .order_by("starts_at")[:5]
    )
    zone = zoneinfo.ZoneInfo(client.time_zone)
    today = now.astimezone(zone).date()
    rows = []
    for s in sessions:
        local = s.starts_at.astimezone(zone)
        is_today = local.date() == today
        day = "Today" if is_today else f"{local:%a} {local.day} {local:%b %Y}"
        rows.append(
            {
                "session": s,
                "today": is_today,
                "when": f"{day}, {local:%H:%M} ({place_name(client.time_zone)})",
            }
        )
    return rows
