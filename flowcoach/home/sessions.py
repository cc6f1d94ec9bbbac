"""Reads for the Sessions page: the coach's sessions still to come, those recently done, and
the programs with nothing booked (what "To schedule" used to be on its own)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, QuerySet
from django.utils import timezone

from flowcoach.accounts.models import Organisation, User
from flowcoach.clients.models import Client
from flowcoach.coaching import selectors as coaching
from flowcoach.coaching.models import CoachingSession
from flowcoach.lib import dates

from .selectors import day_start

SHOWS = {
    "upcoming": "Coming up",
    "recent": "Recently done",
    "to_schedule": "To schedule",
}


def clients_for_filter(coach: User, organisation: Organisation) -> list[Client]:
    return list(
        Client.objects.filter(organisation=organisation, coach=coach)
        .only("pk", "full_name")
        .order_by("full_name", "pk")
    )


def sessions_of(
    coach: User,
    organisation: Organisation,
    *,
    show: str,
    client_id: int | None = None,
    now: datetime | None = None,
) -> QuerySet[CoachingSession]:
    """Booked sessions from the start of today on, soonest first ("upcoming"), or sessions
    held, missed or cancelled, newest first ("recent")."""
    now = now or timezone.now()
    sessions = CoachingSession.objects.filter(
        engagement__coach=coach, engagement__organisation=organisation
    ).select_related("engagement__client", "engagement__program")
    if client_id is not None:
        sessions = sessions.filter(engagement__client_id=client_id)
    if show == "recent":
        return sessions.filter(status__in=CoachingSession.DONE_STATES).order_by(
            F("starts_at").desc(nulls_last=True), "-pk"
        )
    today = dates.today_in(coach.time_zone, now)
    return sessions.filter(
        status=CoachingSession.Status.SCHEDULED,
        starts_at__gte=day_start(today, coach.time_zone),
    ).order_by("starts_at", "pk")


def session_rows(sessions: list[CoachingSession], viewer: User, *, now: datetime) -> list[dict]:
    zone = viewer.time_zone
    rows = []
    for session in sessions:
        client = session.engagement.client
        when, theirs = "", ""
        if session.starts_at is not None:
            when = dates.moment_words(session.starts_at, zone, now)
            if client.time_zone != zone:
                there = dates.local(session.starts_at, client.time_zone)
                theirs = f"{there:%H:%M} {dates.zone_place(client.time_zone)}"
        rows.append({"session": session, "client": client, "when": when, "theirs": theirs})
    return rows


def to_schedule_rows(
    coach: User, organisation: Organisation, *, client_id: int | None = None
) -> list[dict]:
    engagements = coaching.clients_to_schedule(coach=coach, organisation=organisation)
    if client_id is not None:
        engagements = [e for e in engagements if e.client_id == client_id]
    return coaching.nudge_rows(engagements)
