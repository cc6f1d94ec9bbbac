"""The emails a session sends, drafted into the outbox under one key per logical message.

Keys: `session:<id>:invitation`, `session:<id>:update:<sequence>`, `session:<id>:cancel`,
`session:<id>:preparation`, `session:<id>:follow_up`, and `session:<id>:request:<id>` for
the coach's notice of a client's answer (drafted in `coach_emails`, with the other notes to
the coach). The outbox re-drafts a message under the same key while nothing has gone out and
returns it unchanged once it is on its way, so calling these again is always safe. Every date and time in a client's email is in the client's time zone.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message, State
from flowcoach.programs.email_variables import PLACEHOLDER, render

from . import calendar, links
from .models import CoachingSession, SessionRequest

# Once in one of these states a message may have reached the client (or is about to).
ON_ITS_WAY = (State.QUEUED, State.SENDING, State.SENT, State.INTERRUPTED)
ICS_FILENAME = "session.ics"
ICS_TYPE = "text/calendar"
URL = re.compile(r"(https?://[^\s<>\"]+)")


# --- keys -------------------------------------------------------------------------------------


def invitation_key(session: CoachingSession) -> str:
    return f"session:{session.pk}:invitation"


def update_key(session: CoachingSession, sequence: int) -> str:
    return f"session:{session.pk}:update:{sequence}"


def cancel_key(session: CoachingSession) -> str:
    return f"session:{session.pk}:cancel"


def preparation_key(session: CoachingSession) -> str:
    return f"session:{session.pk}:preparation"


def follow_up_key(session: CoachingSession) -> str:
    return f"session:{session.pk}:follow_up"


def reference_of(session: CoachingSession) -> str:
    return f"session:{session.pk}"


def _message(key: str) -> Message | None:
    return Message.objects.filter(key=key).first()


def invitation_exists(session: CoachingSession) -> bool:
    message = _message(invitation_key(session))
    return message is not None and message.state != State.CANCELLED


def messages_of(session: CoachingSession) -> list[Message]:
    return list(Message.objects.filter(reference=reference_of(session)).order_by("created_at"))


# --- words ------------------------------------------------------------------------------------


def local(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone))


def date_text(moment: datetime, time_zone: str) -> str:
    day = local(moment, time_zone)
    return f"{day:%A} {day.day} {day:%B %Y}"


def time_text(moment: datetime, time_zone: str) -> str:
    return f"{local(moment, time_zone):%H:%M} ({time_zone})"


def _bullets(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items if item)


def _reading(items: list[dict]) -> str:
    return _bullets(
        [
            ": ".join(part for part in (item.get("title", ""), item.get("url", "")) if part)
            for item in items
        ]
    )


def last_commitments(session: CoachingSession) -> str:
    """What the client committed to in their last held session before this one, so the
    preparation email can ask how it went. Commitments already settled are left out."""
    from django.db.models import F

    from .models import Commitment

    earlier = CoachingSession.objects.filter(
        engagement__client_id=session.engagement.client_id,
        status=CoachingSession.Status.HELD,
    ).exclude(pk=session.pk)
    if session.starts_at is not None:
        earlier = earlier.filter(starts_at__lt=session.starts_at)
    previous = earlier.order_by(F("starts_at").desc(nulls_last=True), "-pk").first()
    if previous is None:
        return ""
    texts = Commitment.objects.filter(
        session=previous, owner=Commitment.Owner.CLIENT, state=Commitment.State.OPEN
    ).values_list("text", flat=True)
    return _bullets(list(texts))


def _next_session(session: CoachingSession) -> CoachingSession | None:
    return (
        session.engagement.sessions.filter(
            status=CoachingSession.Status.SCHEDULED, starts_at__gt=session.starts_at
        )
        .order_by("starts_at")
        .first()
    )


def session_context(session: CoachingSession, **extra: str) -> dict[str, str]:
    """The values of every email variable for this session, in the client's time zone."""
    engagement = session.engagement
    client, coach = engagement.client, engagement.coach
    zone = client.time_zone
    version = session.template_version
    context = {
        "client_first_name": client.first_name,
        "client_name": client.full_name,
        "coach_name": coach.full_name,
        "coach_first_name": coach.get_short_name(),
        "organisation_name": engagement.organisation.name,
        "program_title": engagement.program.title,
        "session_code": session.code,
        "session_title": session.title,
        # A held session's date is the day it ran, which may differ from its booking.
        "session_date": date_text(session.when, zone) if session.when else "",
        "session_time": time_text(session.when, zone) if session.when else "",
        "session_place": session.place,
        "video_link": session.video_link,
        "address": session.address,
        "preparation_list": _bullets(version.client_preparation),
        "pre_reading_list": _reading(version.pre_reading),
        "last_commitments": last_commitments(session),
        "open_session_topic": session.open_topic,
        "session_recap": "",
        "session_commitments": "",
        "next_session_date": "",
        "next_session_time": "",
        "portal_link": f"{settings.SITE_URL}{reverse('portal')}",
    }
    if session.starts_at:
        following = _next_session(session)
        if following is not None:
            context["next_session_date"] = date_text(following.starts_at, zone)
            context["next_session_time"] = time_text(following.starts_at, zone)
    context.update(extra)
    return context


def html_of(text: str) -> str:
    """Plain text as simple HTML: paragraphs, line breaks and clickable links."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = escape(block)
        linked = URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        paragraphs.append(f"<p>{linked.replace(chr(10), '<br>')}</p>")
    return "\n".join(paragraphs)


def _links_parts(session: CoachingSession) -> tuple[str, str]:
    urls = links.links_for(session)
    labels = [
        (SessionRequest.Kind.CONFIRM, "Yes, that works for me"),
        (SessionRequest.Kind.RESCHEDULE, "I need another time"),
        (SessionRequest.Kind.CANCEL, "I can't make it"),
    ]
    text = "Does this time suit you? One click lets your coach know:\n" + "\n".join(
        f"{label}: {urls[action]}" for action, label in labels
    )
    html = (
        "<p>Does this time suit you? One click lets your coach know:</p>\n<ul>"
        + "".join(
            f'<li><a href="{escape(urls[action])}">{label}</a></li>' for action, label in labels
        )
        + "</ul>"
    )
    return text, html


def _bodies(main: str, session: CoachingSession, *, with_links: bool) -> tuple[str, str]:
    coach = session.engagement.coach
    sign_off = f"Reply to this email to reach {coach.full_name} directly."
    if not with_links:
        text = f"{main.strip()}\n\n{sign_off}\n"
        return text, f"{html_of(main)}\n<p>{escape(sign_off)}</p>"
    links_text, links_html = _links_parts(session)
    text = f"{main.strip()}\n\n{links_text}\n\n{sign_off}\n"
    return text, f"{html_of(main)}\n{links_html}\n<p>{escape(sign_off)}</p>"


def _when_where(session: CoachingSession) -> str:
    zone = session.engagement.client.time_zone
    lines = [
        f"When: {date_text(session.starts_at, zone)}, {time_text(session.starts_at, zone)}, "
        f"{session.duration_minutes} minutes",
    ]
    if session.video_link:
        lines.append(f"Join online: {session.video_link}")
    if session.address:
        lines.append(f"Where: {session.address}")
    if session.phone:
        lines.append(f"Phone: {session.phone}")
    return "\n".join(lines)


def _common(session: CoachingSession) -> dict:
    engagement = session.engagement
    return {
        "organisation": engagement.organisation,
        "to_email": engagement.client.email,
        "to_name": engagement.client.full_name,
        "reply_to": engagement.coach.email,
        "owner": engagement.coach,
        "reference": reference_of(session),
    }


def _subject_when(session: CoachingSession) -> str:
    zone = session.engagement.client.time_zone
    day = local(session.starts_at, zone)
    return f"{day:%a} {day.day} {day:%b}, {day:%H:%M}"


# --- drafts -----------------------------------------------------------------------------------


def _draft_invitation(
    session: CoachingSession, *, update: bool, new_coach: bool = False
) -> Message:
    client, coach = session.engagement.client, session.engagement.coach
    if update and new_coach:
        subject = (
            f"Your new coach: {session.title} with {coach.full_name}, {_subject_when(session)}"
        )
        opening = (
            f"Hi {client.first_name},\n\n{coach.full_name} is your coach from now on, so this "
            "session is with them. The attached calendar file updates the event you already have."
        )
    elif update:
        subject = f"New time: {session.title} with {coach.full_name}, {_subject_when(session)}"
        opening = (
            f"Hi {client.first_name},\n\nYour session has moved. Here is the new time, and the "
            "attached calendar file updates the event you already have."
        )
    else:
        subject = f"{session.title} with {coach.full_name}, {_subject_when(session)}"
        opening = (
            f"Hi {client.first_name},\n\nYour next coaching session is booked. The attached "
            "calendar file adds it to your calendar."
        )
    main = f"{opening}\n\n{session.code} · {session.title}\n{_when_where(session)}"
    text, html = _bodies(main, session, with_links=True)
    return outbox.message_draft(
        key=update_key(session, session.ics_sequence) if update else invitation_key(session),
        kind=Kind.SESSION_UPDATE if update else Kind.INVITATION,
        subject=subject,
        text_body=text,
        html_body=html,
        send_after=timezone.now(),
        attachments=[(ICS_FILENAME, calendar.session_ics(session, calendar.REQUEST), ICS_TYPE)],
        **_common(session),
    )


def _send_time(
    session: CoachingSession, days: int, *, after: bool, now: datetime
) -> tuple[datetime, str]:
    """When a template's email goes: a number of days before the booked time, or after the
    time the session was held (its booking until then), at the same local hour in the
    client's zone (so a daylight-saving change between them does not move it by an hour). A
    moment already past becomes now, with a warning for the coach."""
    zone = session.engagement.client.time_zone
    base = session.when if after else session.starts_at
    start_local = local(base, zone).replace(tzinfo=None)
    moment_local = start_local + timedelta(days=days if after else -days)
    moment = moment_local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(
        zoneinfo.ZoneInfo("UTC")
    )
    if moment > now:
        return moment, ""
    due = f"{date_text(moment, zone)}, {time_text(moment, zone)}"
    return (
        now,
        f"This email was due on {due}, which has passed, so it goes as soon as you approve it.",
    )


TOPIC_MISSING = (
    "No topic is chosen for this open session yet, so this email has a gap where the topic "
    "goes. Choose one on the session's preparation page and the draft fills itself in."
)
TOPIC_MISSING_AFTER = (
    "No topic was chosen for this open session, so this email has a gap where the topic "
    "goes. Edit it to name the topic before you approve it."
)


def _topic_gap(session: CoachingSession, *texts: str) -> bool:
    """True when the email names the open-session topic and none is chosen: such a draft is
    held for the coach (never auto-approved) with a warning, instead of going out blank."""
    if session.open_topic.strip():
        return False
    return any(
        match.group(1) == "open_session_topic"
        for text in texts
        for match in PLACEHOLDER.finditer(text or "")
    )


def _warnings(*parts: str) -> str:
    # The outbox keeps a warning of at most 300 characters.
    return " ".join(part for part in parts if part)[:300]


def _draft_preparation(session: CoachingSession, now: datetime) -> Message:
    version = session.template_version
    context = session_context(session)
    send_after, warning = _send_time(session, version.pre_email_days, after=False, now=now)
    gap = _topic_gap(session, version.pre_email_subject, version.pre_email_body)
    # The template's words and the sign-off only: the time, the answer links and the
    # calendar file came with the invitation, and a block under the coach's signature is
    # one the coach never sees in the draft box.
    text, html = _bodies(render(version.pre_email_body, context), session, with_links=False)
    return outbox.message_draft(
        key=preparation_key(session),
        kind=Kind.PREPARATION,
        subject=render(version.pre_email_subject, context),
        text_body=text,
        html_body=html,
        send_after=send_after,
        warning=_warnings(TOPIC_MISSING if gap else "", warning),
        hold=gap,
        **_common(session),
    )


def preparation_message(session: CoachingSession) -> Message | None:
    return _message(preparation_key(session))


def session_preparation_redraft(session: CoachingSession) -> Message | None:
    """Re-renders the preparation email after something it names changed (the open-session
    topic): a message not yet on its way is replaced (a queued one taken back first); one
    already on its way is returned unchanged. None when the session has no preparation
    email (not scheduled yet)."""
    if session.status != CoachingSession.Status.SCHEDULED or session.starts_at is None:
        return _message(preparation_key(session))
    return _redraft_unsent(
        preparation_key(session), lambda: _draft_preparation(session, timezone.now())
    )


def session_emails_time_set(session: CoachingSession) -> None:
    """After scheduling or rescheduling: the invitation (or, once it has gone out, an update
    under a new key) and the preparation email, re-drafted while unsent."""
    now = timezone.now()
    invitation = _message(invitation_key(session))
    if invitation is not None and invitation.state == State.QUEUED:
        # Approved but not yet handed to a worker: replace it rather than follow it with an
        # update. If a worker has just claimed it, the cancel fails and an update follows.
        invitation = outbox.message_cancel_by_key(
            key=invitation_key(session), reason="Replaced by the new time."
        )
    if invitation is not None and invitation.state in ON_ITS_WAY:
        _draft_invitation(session, update=True)
        for sequence in range(1, session.ics_sequence):
            outbox.message_cancel_by_key(
                key=update_key(session, sequence), reason="A newer time replaced this update."
            )
    else:
        _draft_invitation(session, update=False)
    _draft_preparation(session, now)


def _redraft_unsent(key: str, draft) -> Message | None:
    """Re-drafts the message under `key` with `draft()` while it has not gone out. A queued
    one is taken back first (if a worker has just claimed it, it goes as it is); one the
    coach cancelled stays cancelled."""
    message = _message(key)
    if message is None or message.state == State.CANCELLED:
        return message
    if message.state == State.QUEUED:
        message = outbox.message_cancel_by_key(key=key, reason="Rewritten for the new coach.")
        if message.state != State.CANCELLED:
            return message
    elif message.state not in (State.DRAFT, State.APPROVED, State.FAILED):
        return message
    return draft()


def invitation_reached(session: CoachingSession) -> bool:
    """True when the invitation may already be with the client, so a change to the event
    needs an update with a higher SEQUENCE rather than a rewritten invitation."""
    message = _message(invitation_key(session))
    return message is not None and message.state in (
        State.SENDING,
        State.SENT,
        State.INTERRUPTED,
    )


def session_emails_coach_changed(session: CoachingSession, *, reached: bool) -> None:
    """After the client moved to another coach (`session.engagement.coach` is the new one):
    the session's emails not yet out are re-drafted in the new coach's name, through the same
    re-draft a reschedule uses, so they wait for the new coach's approval. When the invitation
    had `reached` the client, the caller raised the session's SEQUENCE and an update naming
    the new coach follows; older unsent updates give way to it."""
    if reached:
        _draft_invitation(session, update=True, new_coach=True)
        for sequence in range(1, session.ics_sequence):
            outbox.message_cancel_by_key(
                key=update_key(session, sequence), reason="A newer update replaced this one."
            )
    else:
        # Updates only follow an invitation that went out, so there are none to rewrite here.
        _redraft_unsent(invitation_key(session), lambda: _draft_invitation(session, update=False))
    if session.status == CoachingSession.Status.SCHEDULED and session.starts_at is not None:
        _redraft_unsent(
            preparation_key(session), lambda: _draft_preparation(session, timezone.now())
        )


def session_follow_up_coach_changed(
    session: CoachingSession, *, recap_text: str, commitments_text: str
) -> Message | None:
    """The follow-up of a held session, re-drafted in the new coach's name while unsent."""
    return _redraft_unsent(
        follow_up_key(session),
        lambda: session_follow_up_draft(
            session=session, recap_text=recap_text, commitments_text=commitments_text
        ),
    )


def session_emails_held(session: CoachingSession) -> None:
    """Withdraws what a held session no longer needs: an invitation, update or preparation
    email not yet sent would ask the client to get ready for something already over. The
    reason stays on each message, so the outbox says why it was withdrawn."""
    zone = session.engagement.client.time_zone
    held = date_text(session.when, zone) if session.when else "already"
    reason = f"Withdrawn: the session was held on {held}, so this email is no longer needed."
    keys = [invitation_key(session), preparation_key(session)]
    keys += [update_key(session, n) for n in range(1, session.ics_sequence + 1)]
    for key in keys:
        outbox.message_cancel_by_key(key=key, reason=reason)


def session_emails_cancelled(
    session: CoachingSession,
    *,
    by_client: bool,
    notify_client: bool = True,
    reason: str = "Withdrawn: the session was cancelled.",
) -> Message | None:
    """Cancels every email of the session still waiting, and tells the client's calendar
    (METHOD:CANCEL) if an invitation or update had already reached them."""
    keys = [invitation_key(session), preparation_key(session), follow_up_key(session)]
    keys += [update_key(session, n) for n in range(1, session.ics_sequence + 1)]
    reached = False
    for key in keys:
        message = outbox.message_cancel_by_key(key=key, reason=reason)
        if (
            message is not None
            and message.kind in (Kind.INVITATION, Kind.SESSION_UPDATE)
            and message.state in ON_ITS_WAY
        ):
            reached = True
    if not (reached and notify_client) or session.starts_at is None:
        return None
    client, coach = session.engagement.client, session.engagement.coach
    if by_client:
        opening = (
            f"Hi {client.first_name},\n\nThanks for letting us know. Your session is cancelled "
            f"and {coach.get_short_name()} has been told."
        )
    else:
        opening = f"Hi {client.first_name},\n\nThis session is cancelled."
        if session.cancel_reason:
            opening += f"\n\n{coach.get_short_name()} says: {session.cancel_reason}"
    main = (
        f"{opening}\n\n{session.code} · {session.title}\n{_when_where(session)}\n\n"
        "The attached calendar file removes it from your calendar."
    )
    text, html = _bodies(main, session, with_links=False)
    return outbox.message_draft(
        key=cancel_key(session),
        kind=Kind.SESSION_UPDATE,
        subject=f"Cancelled: {session.title}, {_subject_when(session)}",
        text_body=text,
        html_body=html,
        send_after=timezone.now(),
        attachments=[(ICS_FILENAME, calendar.session_ics(session, calendar.CANCEL), ICS_TYPE)],
        **_common(session),
    )


def session_follow_up_draft(
    *, session: CoachingSession, recap_text: str, commitments_text: str
) -> Message:
    """Drafts the session's follow-up from its template, to go the template's number of days
    after the session (the live runner calls this on completion and fills the recap)."""
    version = session.template_version
    context = session_context(
        session, session_recap=recap_text.strip(), session_commitments=commitments_text.strip()
    )
    now = timezone.now()
    if session.when is None:
        # Held without a recorded time: count the days from now.
        send_after, warning = now + timedelta(days=version.follow_email_days), ""
    else:
        send_after, warning = _send_time(session, version.follow_email_days, after=True, now=now)
    gap = _topic_gap(session, version.follow_email_subject, version.follow_email_body)
    text, html = _bodies(render(version.follow_email_body, context), session, with_links=False)
    return outbox.message_draft(
        key=follow_up_key(session),
        kind=Kind.FOLLOW_UP,
        subject=render(version.follow_email_subject, context),
        text_body=text,
        html_body=html,
        send_after=send_after,
        warning=_warnings(TOPIC_MISSING_AFTER if gap else "", warning),
        hold=gap,
        **_common(session),
    )
