"""iCalendar for sessions: the invitation, update and cancellation attached to emails, and
each person's private subscription feed.

Times go out in UTC (DTSTART/DTEND with Z): every calendar converts them to its owner's zone,
and no VTIMEZONE block can drift from the real rules. The UID never changes for a session,
and SEQUENCE rises on each reschedule, so calendars replace the event instead of adding one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from flowcoach.accounts.models import Membership, Role, User

from .models import CoachingSession

PRODID = "-//flowcoach//coaching sessions//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"
# Sessions in a feed: these still show in the calendar; the rest are sent as cancelled.
SHOWN = (
    CoachingSession.Status.SCHEDULED,
    CoachingSession.Status.HELD,
    CoachingSession.Status.NO_SHOW,
)


def _calendar(method: str, name: str = "") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _event(session: CoachingSession, *, cancelled: bool, stamp: datetime) -> Event:
    engagement = session.engagement
    client, coach = engagement.client, engagement.coach
    event = Event()
    event.add("uid", session.ics_uid)
    event.add("sequence", session.ics_sequence)
    event.add("dtstamp", _utc(stamp))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", f"{session.title} ({client.full_name} with {coach.full_name})")
    description = [f"{engagement.program.title}, session {session.code}."]
    if session.video_link:
        description.append(f"Join: {session.video_link}")
    if session.phone:
        description.append(f"Phone: {session.phone}")
    event.add("description", "\n".join(description))
    if session.place:
        event.add("location", session.place)
    if session.video_link:
        event.add("url", session.video_link)
    organizer = vCalAddress(f"mailto:{coach.email}")
    organizer.params["cn"] = vText(coach.full_name or coach.email)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{client.email}")
    attendee.params["cn"] = vText(client.full_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    return event


def session_ics(session: CoachingSession, method: str = REQUEST) -> str:
    """One session as an email attachment: METHOD:REQUEST for the invitation and each update,
    METHOD:CANCEL when it is called off."""
    calendar = _calendar(method)
    calendar.add_component(_event(session, cancelled=method == CANCEL, stamp=timezone.now()))
    return calendar.to_ical().decode()


def _member_as(user: User, role: str) -> Exists:
    # The feed has no sign-in, so it must ask what the access policy asks on every page: is
    # this person still an active member, in this role, of the session's organisation? A
    # suspended member's token would otherwise keep serving titles, times and video links.
    return Exists(
        Membership.objects.filter(
            user=user,
            role=role,
            is_active=True,
            organisation=OuterRef("engagement__organisation"),
        )
    )


def sessions_of(user: User) -> Iterable[CoachingSession]:
    """What a person's feed holds: a coach's sessions, and a client's own sessions, in the
    organisations where they are still an active member in that role."""
    return (
        CoachingSession.objects.filter(starts_at__isnull=False)
        .alias(
            coach_member=_member_as(user, Role.COACH),
            client_member=_member_as(user, Role.CLIENT),
        )
        .filter(
            Q(engagement__coach=user, coach_member=True)
            | Q(engagement__client__user=user, client_member=True)
        )
        .select_related("engagement__client", "engagement__coach", "engagement__program")
        .order_by("starts_at")
    )


# Each event's stamp in a feed: the moment the feed was answered, not part of its data.
DTSTAMP_LINE = re.compile(rb"^DTSTAMP:[^\r\n]*\r\n", re.M)


def feed_ics(user: User) -> str:
    calendar = _calendar(PUBLISH, name="flowcoach sessions")
    stamp = timezone.now()
    for session in sessions_of(user):
        calendar.add_component(_event(session, cancelled=session.status not in SHOWN, stamp=stamp))
    return calendar.to_ical().decode()
