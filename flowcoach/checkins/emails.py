"""The check-in emails, drafted into the outbox under one key per week and kind, so the
worker's rhythm can run any number of times and each goes at most once:
`checkin:<id>:invitation` (always goes: it is the coaching itself) and
`checkin:<id>:reminder` (the client can switch reminders off, so it carries one-click
unsubscribe headers, RFC 8058). Neither ever holds an answer: answers stay on the site."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from flowcoach.coaching.emails import html_of
from flowcoach.lib.timezones import place_name
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message

from . import tokens
from .models import Checkin


def invitation_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.pk}:invitation"


def reminder_key(checkin: Checkin) -> str:
    return f"checkin:{checkin.pk}:reminder"


def reference_of(checkin: Checkin) -> str:
    return f"checkin:{checkin.pk}"


def _when(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M} ({place_name(zone)})"


def _draft(checkin: Checkin, *, key: str, kind: str, subject: str, text: str, headers=None):
    engagement = checkin.engagement
    client = checkin.client
    return outbox.message_draft(
        organisation=engagement.organisation,
        key=key,
        kind=kind,
        to_email=client.email,
        to_name=client.full_name,
        subject=subject,
        text_body=text,
        html_body=html_of(text),
        send_after=checkin.opens_at if kind == Kind.CHECKIN else checkin.remind_at,
        owner=engagement.coach,
        reference=reference_of(checkin),
        headers=headers,
    )


def invitation_draft(checkin: Checkin, closes_at: datetime) -> Message:
    client = checkin.client
    coach = checkin.engagement.coach
    preferences = f"{settings.SITE_URL}{reverse('checkin_preferences')}"
    text = (
        f"Hi {client.first_name},\n\n"
        f"Your weekly check-in is open. A few minutes is enough: what to do more of, better "
        f"and differently, how your commitments went, and your energy this week.\n\n"
        f"Answer here (no password needed): {tokens.answer_url(checkin)}\n\n"
        f"Only {coach.full_name} reads your answers. You can change them until "
        f"{_when(closes_at, client.time_zone)}.\n\n"
        f"Check-in reminders can be switched off here: {preferences}\n"
    )
    return _draft(
        checkin,
        key=invitation_key(checkin),
        kind=Kind.CHECKIN,
        subject="Your weekly check-in",
        text=text,
    )


def reminder_draft(checkin: Checkin, closes_at: datetime) -> Message:
    client = checkin.client
    unsubscribe = tokens.unsubscribe_url(checkin.client)
    text = (
        f"Hi {client.first_name},\n\n"
        f"A gentle nudge: this week's check-in is still waiting for you. It stays open until "
        f"{_when(closes_at, client.time_zone)}.\n\n"
        f"Answer here: {tokens.answer_url(checkin)}\n\n"
        f"Rather not get these reminders? Switch them off with one click: {unsubscribe}\n"
    )
    return _draft(
        checkin,
        key=reminder_key(checkin),
        kind=Kind.REMINDER,
        subject="Your check-in is still open",
        text=text,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def reminder_withdraw(checkin: Checkin) -> None:
    """The client answered: a reminder still waiting to go is cancelled."""
    outbox.message_cancel_by_key(key=reminder_key(checkin), reason="The client answered.")
