"""Signed links in session emails that let a client confirm, ask to move or cancel a session
without signing in.

A link names its session, its action and the version of the time it was sent for (the
session's calendar SEQUENCE), and it expires when the session starts. It works once: the
request it records is unique per session, action and version. A reschedule raises the
version, so links from older emails stop working and say why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from .models import CoachingSession, SessionRequest

SALT = "flowcoach.coaching.session-link"
ACTIONS = {
    SessionRequest.Kind.CONFIRM: "session_link_confirm",
    SessionRequest.Kind.RESCHEDULE: "session_link_reschedule",
    SessionRequest.Kind.CANCEL: "session_link_cancel",
}


class LinkInvalid(Exception):
    """Not a link we made (altered or cut short)."""


class LinkExpired(Exception):
    """A real link whose session has started."""


@dataclass(frozen=True)
class LinkTarget:
    session: CoachingSession
    action: str
    ics_sequence: int


def make_token(session: CoachingSession, action: str) -> str:
    return signing.dumps(
        {
            "s": session.pk,
            "a": action,
            "q": session.ics_sequence,
            # The link's max age runs out when the session starts.
            "e": int(session.starts_at.timestamp()),
        },
        salt=SALT,
        compress=True,
    )


def link_url(session: CoachingSession, action: str) -> str:
    return f"{settings.SITE_URL}{reverse(ACTIONS[action], args=[make_token(session, action)])}"


def links_for(session: CoachingSession) -> dict[str, str]:
    return {action: link_url(session, action) for action in ACTIONS}


def read_token(token: str, action: str, now: datetime | None = None) -> LinkTarget:
    """The session a link points at. Raises LinkInvalid for anything we did not sign for this
    action, LinkExpired once the session has started."""
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict) or data.get("a") != action:
        raise LinkInvalid
    try:
        expires = datetime.fromtimestamp(int(data["e"]), tz=UTC)
        pk, sequence = int(data["s"]), int(data["q"])
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid from None
    session = (
        CoachingSession.objects.select_related("engagement__client", "engagement__coach")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise LinkInvalid
    if now >= expires:
        raise LinkExpired
    return LinkTarget(session=session, action=action, ics_sequence=sequence)
