"""Reads for the client list (each client with their next and last session, open commitments
and whether they need attention) and the client page (the client's story). Fixed numbers of
queries whatever the number of clients or the length of a history."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from flowcoach.accounts.models import User
from flowcoach.clients import story
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement, PurposeStatement
from flowcoach.lib import dates

from .selectors import QUIET_DAYS, day_start

# ?sort= value -> (label, ordering)
SORTS = {
    "name": ("Name", [F("full_name").asc(), F("pk").asc()]),
    "next": ("Next session", [F("next_session_at").asc(nulls_last=True), F("full_name").asc()]),
    "last": ("Last session", [F("last_session_at").desc(nulls_last=True), F("full_name").asc()]),
    "commitments": ("Open commitments", [F("open_commitments").desc(), F("full_name").asc()]),
}
TIMELINE_PAGE = 20


def _upcoming(since: datetime) -> QuerySet:
    return CoachingSession.objects.filter(
        engagement__client=OuterRef("pk"),
        status=CoachingSession.Status.SCHEDULED,
        starts_at__gte=since,
    ).order_by("starts_at", "pk")


def client_rows(
    clients: QuerySet[Client], *, sort: str, now: datetime, time_zone: str
) -> QuerySet[Client]:
    """`clients` with their next booked session, last held session, open commitments, and
    the facts the attention flag is made of, sorted as asked. One query per page."""
    last = CoachingSession.objects.filter(
        engagement__client=OuterRef("pk"), status=CoachingSession.Status.HELD
    ).order_by(F("starts_at").desc(nulls_last=True), "-pk")
    open_ones = Commitment.objects.filter(client=OuterRef("pk"), state=Commitment.State.OPEN)
    counted = open_ones.values("client").annotate(n=Count("pk")).values("n")
    today = dates.today_in(time_zone, now)
    # From the start of today, as on Home: a session earlier today not yet marked is still
    # the one to open.
    since = day_start(today, time_zone)
    return clients.annotate(
        next_session_at=Subquery(_upcoming(since).values("starts_at")[:1]),
        next_session_id=Subquery(_upcoming(since).values("pk")[:1]),
        last_session_at=Subquery(last.values("starts_at")[:1]),
        open_commitments=Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        has_overdue=Exists(open_ones.filter(due_date__lt=today)),
        in_program=Exists(
            Engagement.objects.filter(client=OuterRef("pk"), status=Engagement.Status.ACTIVE)
        ),
    ).order_by(*SORTS.get(sort, SORTS["name"])[1])


def attention_of(clients: list[Client], *, now: datetime, time_zone: str) -> None:
    """Sets `attention` (a list of short reasons) and the dates in words on each client of a
    page, asking the story's activity providers once for the whole page."""
    latest = story.last_activity(c.pk for c in clients if c.in_program)
    today = dates.today_in(time_zone, now)
    cutoff = now - timedelta(days=QUIET_DAYS)
    for client in clients:
        reasons = []
        if client.in_program and client.next_session_at is None and not client.is_archived:
            reasons.append("Nothing booked")
        if client.has_overdue:
            reasons.append("Commitment overdue")
        last = latest.get(client.pk)
        if client.in_program and (last or client.created_at) < cutoff:
            quiet_since = dates.local(last, time_zone).date() if last else None
            reasons.append(
                f"Quiet for {dates.days_text((today - quiet_since).days)}"
                if quiet_since
                else "No activity yet"
            )
        client.attention = reasons
        client.next_words = (
            dates.moment_words(client.next_session_at, time_zone, now)
            if client.next_session_at
            else ""
        )
        client.last_words = (
            dates.day_words(dates.local(client.last_session_at, time_zone).date(), today)
            if client.last_session_at
            else ""
        )


# --- the client page ----------------------------------------------------------------------------


def next_session_of(client: Client, *, now: datetime, time_zone: str) -> dict | None:
    """The client's next booked session from the start of today (a session running late is
    still "next"), with its time in words for the viewer and for the client."""
    session = (
        CoachingSession.objects.filter(
            engagement__client=client,
            status=CoachingSession.Status.SCHEDULED,
            starts_at__gte=day_start(dates.today_in(time_zone, now), time_zone),
        )
        .select_related("engagement__program")
        .order_by("starts_at", "pk")
        .first()
    )
    if session is None:
        return None
    theirs = ""
    if client.time_zone != time_zone:
        there = dates.local(session.starts_at, client.time_zone)
        theirs = f"{there:%H:%M} {dates.zone_place(client.time_zone)} for {client.first_name}"
    return {
        "session": session,
        "when": dates.moment_words(session.starts_at, time_zone, now),
        "zone": dates.zone_place(time_zone),
        "theirs": theirs,
    }


def active_programs_of(client: Client) -> list[dict]:
    """Each active engagement with its progress: how many sessions, how many done, and the
    number of the next one ("S3 of 6")."""
    done = Q(sessions__status__in=CoachingSession.DONE_STATES)
    engagements = (
        Engagement.objects.filter(client=client, status=Engagement.Status.ACTIVE)
        .select_related("program")
        .annotate(total=Count("sessions"), done=Count("sessions", filter=done))
        .order_by("-created_at", "-pk")
    )
    return [
        {
            "engagement": e,
            "total": e.total,
            "done": e.done,
            "next_number": min(e.done + 1, e.total),
            "percent": round(100 * e.done / e.total) if e.total else 0,
        }
        for e in engagements
    ]


def open_commitments_of(client: Client, *, now: datetime, time_zone: str) -> list[dict]:
    today = dates.today_in(time_zone, now)
    commitments = Commitment.objects.filter(client=client, state=Commitment.State.OPEN).order_by(
        F("due_date").asc(nulls_last=True), "created_at", "pk"
    )
    return [
        {
            "commitment": c,
            "owner": "You" if c.owner == Commitment.Owner.COACH else client.first_name,
            "due": dates.day_words(c.due_date, today) if c.due_date else "",
            "overdue": bool(c.due_date and c.due_date < today),
        }
        for c in commitments
    ]


def client_story(
    client: Client, viewer: User, *, wanted: list[str], page: int, now: datetime | None = None
) -> dict:
    now = now or timezone.now()
    zone = viewer.time_zone
    page = max(page, 1)
    events, has_more = story.timeline(
        client, viewer=viewer, wanted=wanted or None, limit=page * TIMELINE_PAGE
    )
    today = dates.today_in(zone, now)
    entries = [
        {
            "event": event,
            "day": dates.day_words(dates.local(event.at, zone).date(), today),
            "time": f"{dates.local(event.at, zone):%H:%M}",
        }
        for event in events[(page - 1) * TIMELINE_PAGE :]
    ]
    return {
        "next": next_session_of(client, now=now, time_zone=zone),
        "programs": active_programs_of(client),
        "commitments": open_commitments_of(client, now=now, time_zone=zone),
        "purpose": PurposeStatement.objects.filter(client=client)
        .order_by("-created_at", "-pk")
        .first(),
        "timeline": entries,
        "timeline_page": page,
        "timeline_more": has_more,
        "kinds": story.kinds(),
        "wanted": wanted,
        "zone": dates.zone_place(zone),
    }
