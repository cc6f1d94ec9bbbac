"""Short emails to the coach about their own work: a client's answer to a session, and the
weekly list of clients with nothing booked. They need nobody's approval (the coach is both
their reader and the person who would approve them), so they are approved as drafted.

Kept apart from `emails`, which drafts what a session sends to the client; the words
(dates, times, plain text as HTML) come from there.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message, State

from .emails import date_text, html_of, local, reference_of, time_text
from .models import CoachingSession, SessionRequest


def _to_coach(*, session: CoachingSession, key: str, kind: str, subject: str, text: str) -> Message:
    """A short note to the coach about their own work. It needs nobody's approval: the coach
    is both its reader and the person who would approve it."""
    coach = session.engagement.coach
    message = outbox.message_draft(
        organisation=session.engagement.organisation,
        key=key,
        kind=kind,
        to_email=coach.email,
        to_name=coach.full_name,
        subject=subject,
        text_body=text,
        html_body=html_of(text),
        send_after=timezone.now(),
        owner=coach,
        reference=reference_of(session),
    )
    if message.state == State.DRAFT:
        message = outbox.message_approve(message=message, user=None)
    return message


def coach_notify_request(request: SessionRequest) -> Message:
    session = request.session
    client = session.engagement.client
    coach = session.engagement.coach
    zone = coach.time_zone
    when = f"{date_text(session.starts_at, zone)}, {time_text(session.starts_at, zone)}"
    page = f"{settings.SITE_URL}{reverse('session_detail', args=[session.pk])}"
    if request.kind == SessionRequest.Kind.CONFIRM:
        subject = f"{client.full_name} confirmed {session.title}"
        text = f"{client.full_name} confirmed the session on {when}."
    elif request.kind == SessionRequest.Kind.CANCEL:
        subject = f"{client.full_name} cancelled {session.title}"
        text = f"{client.full_name} cancelled the session on {when}."
    else:
        subject = f"{client.full_name} asked to move {session.title}"
        proposed = [datetime.fromisoformat(t) for t in request.proposed_times]
        times = "\n".join(f"- {date_text(t, zone)}, {time_text(t, zone)}" for t in proposed)
        text = (
            f"{client.full_name} cannot make {when} and suggested:\n{times}\n\n"
            "The session stays where it is until you move it."
        )
    if request.message:
        text += f"\n\nTheir note: {request.message}"
    text += f"\n\nThe session: {page}\n"
    return _to_coach(
        session=session,
        key=f"session:{session.pk}:request:{request.pk}",
        kind=Kind.NOTIFICATION,
        subject=subject,
        text=text,
    )


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def coach_nudge_digest_draft(*, coach, engagements: list, now: datetime) -> Message | None:
    """This week's short list of the coach's clients with nothing booked. One key per coach
    and ISO week (in the coach's zone), so it can never go twice in a week."""
    if not engagements:
        return None
    week = iso_week(local(now, coach.time_zone))
    lines = "\n".join(
        f"- {e.client.full_name} ({e.program.title}): "
        f"{settings.SITE_URL}{reverse('engagement_detail', args=[e.pk])}"
        for e in engagements
    )
    count = len(engagements)
    text = (
        f"Hi {coach.get_short_name()},\n\n"
        f"{'One client has' if count == 1 else f'{count} clients have'} no session booked yet:\n"
        f"{lines}\n\n"
        f"The full list: {settings.SITE_URL}{reverse('schedule_nudge')}\n\n"
        "You get this email because you asked for it on that page, where you can also stop it."
    )
    message = outbox.message_draft(
        organisation=engagements[0].organisation,
        key=f"coach:{coach.pk}:nudge:{week}",
        kind=Kind.DIGEST,
        to_email=coach.email,
        to_name=coach.full_name,
        subject=f"{count} to schedule this week" if count > 1 else "One client to schedule",
        text_body=text,
        html_body=html_of(text),
        send_after=now,
        owner=coach,
        reference=f"coach:{coach.pk}:nudge",
    )
    if message.state == State.DRAFT:
        message = outbox.message_approve(message=message, user=None)
    return message
