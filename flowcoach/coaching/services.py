"""Writes for engagements and their sessions."""

from __future__ import annotations

import secrets
import zoneinfo
from contextlib import contextmanager
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from flowcoach.accounts.models import User
from flowcoach.clients.models import Client
from flowcoach.programs.models import Program, SessionTemplate
from flowcoach.programs.services import template_version_mark_used

from .models import (
    CalendarFeed,
    CoachingSession,
    Engagement,
    NudgeSetting,
    SessionRecord,
    SessionRequest,
)

# A recurring program (the weekly 1:1) keeps this many sessions planned ahead.
RECURRING_AHEAD = 4
CADENCE_DAYS = {Engagement.Cadence.WEEKLY: 7, Engagement.Cadence.FORTNIGHTLY: 14}


class EnrolmentError(Exception):
    pass


def local_to_utc(local: datetime, time_zone: str) -> datetime:
    """A wall-clock time in the client's zone, as UTC. Stepping by calendar days in the local
    zone keeps a weekly session at the same local hour across daylight-saving changes."""
    return local.replace(tzinfo=zoneinfo.ZoneInfo(time_zone)).astimezone(zoneinfo.ZoneInfo("UTC"))


def _session_start(engagement: Engagement, index: int) -> datetime | None:
    if engagement.first_session_at is None or engagement.cadence == Engagement.Cadence.NONE:
        return None
    zone = zoneinfo.ZoneInfo(engagement.time_zone)
    first_local = engagement.first_session_at.astimezone(zone).replace(tzinfo=None)
    local = first_local + timedelta(days=CADENCE_DAYS[engagement.cadence] * index)
    return local_to_utc(local, engagement.time_zone)


def _create_session(
    engagement: Engagement, template: SessionTemplate, sequence: int
) -> CoachingSession:
    version = template.latest_version()
    template_version_mark_used(version=version)
    starts_at = _session_start(engagement, sequence - 1)
    code = template.code if not engagement.program.recurring else f"{template.code}{sequence}"
    return CoachingSession.objects.create(
        engagement=engagement,
        template=template,
        template_version=version,
        sequence=sequence,
        code=code,
        title=version.title,
        status=CoachingSession.Status.SCHEDULED
        if starts_at
        else CoachingSession.Status.UNSCHEDULED,
        starts_at=starts_at,
        time_zone=engagement.time_zone,
        duration_minutes=version.minutes_max,
        video_link=engagement.video_link,
        address=engagement.address,
        phone=engagement.phone,
    )


@transaction.atomic
def engagement_enrol(
    *,
    client: Client,
    program: Program,
    coach: User,
    cadence: str = Engagement.Cadence.NONE,
    first_session_local: datetime | None = None,
    time_zone: str | None = None,
    video_link: str = "",
    address: str = "",
    phone: str = "",
) -> Engagement:
    """Enrols a client: the engagement and its sessions, from the templates' current
    versions, either unscheduled or on a weekly or fortnightly cadence."""
    if client.is_archived:
        raise EnrolmentError("This client is archived. Restore them before enrolling.")
    if program.status != Program.Status.PUBLISHED:
        raise EnrolmentError("Only published programs can be used for enrolment.")
    templates = list(program.templates.filter(retired=False).order_by("position", "pk"))
    if not templates:
        raise EnrolmentError("This program has no sessions yet.")
    if cadence != Engagement.Cadence.NONE and first_session_local is None:
        raise EnrolmentError("Choose the date and time of the first session.")
    zone = time_zone or client.time_zone
    already = f"{client.full_name} is already enrolled in {program.title}."
    if Engagement.objects.filter(
        client=client, program=program, status=Engagement.Status.ACTIVE
    ).exists():
        raise EnrolmentError(already)
    try:
        # A double click or two tabs pass the check above together; the one-active-engagement
        # constraint lets only one insert through, and the other gets the same message.
        with transaction.atomic():
            engagement = Engagement.objects.create(
                organisation=client.organisation,
                client=client,
                coach=coach,
                program=program,
                cadence=cadence,
                time_zone=zone,
                first_session_at=(
                    local_to_utc(first_session_local, zone)
                    if first_session_local is not None
                    else None
                ),
                video_link=video_link.strip(),
                address=address.strip(),
                phone=phone.strip(),
            )
    except IntegrityError:
        raise EnrolmentError(already) from None
    if program.recurring:
        for sequence in range(1, RECURRING_AHEAD + 1):
            _create_session(engagement, templates[0], sequence)
    else:
        for sequence, template in enumerate(templates, start=1):
            _create_session(engagement, template, sequence)
    return engagement


@transaction.atomic
def engagement_extend_recurring(*, engagement: Engagement, now: datetime | None = None) -> int:
    """Tops a recurring engagement up so it always has sessions planned ahead. Returns how
    many sessions it added."""
    if not engagement.program.recurring or engagement.status != Engagement.Status.ACTIVE:
        return 0
    now = now or timezone.now()
    sessions = list(engagement.sessions.select_for_update().order_by("sequence"))
    upcoming = [
        s
        for s in sessions
        if s.status not in CoachingSession.DONE_STATES
        and (s.starts_at is None or s.starts_at >= now)
    ]
    template = engagement.program.templates.filter(retired=False).order_by("position", "pk").first()
    added = 0
    next_sequence = (sessions[-1].sequence if sessions else 0) + 1
    while len(upcoming) + added < RECURRING_AHEAD:
        _create_session(engagement, template, next_sequence)
        next_sequence += 1
        added += 1
    return added


@transaction.atomic
def engagement_stop(*, engagement: Engagement) -> Engagement:
    """Stops an engagement: sessions not yet held are cancelled, held ones stay on record."""
    engagement.status = Engagement.Status.STOPPED
    engagement.ended_at = timezone.now()
    engagement.save(update_fields=["status", "ended_at"])
    from . import emails

    now = engagement.ended_at
    for session in engagement.sessions.select_for_update().filter(
        status__in=[CoachingSession.Status.UNSCHEDULED, CoachingSession.Status.SCHEDULED]
    ):
        was_planned = session.starts_at is not None
        session.status = CoachingSession.Status.CANCELLED
        session.cancelled_at = now
        if was_planned:
            session.ics_sequence += 1
        session.save(update_fields=["status", "cancelled_at", "ics_sequence"])
        # Emails still waiting stop; a client who had the invitation gets the cancellation.
        emails.session_emails_cancelled(session, by_client=False)
    return engagement


# --- scheduling -------------------------------------------------------------------------------

# A client cancelling closer than this to the start counts as a late cancellation.
LATE_CANCEL_HOURS = 24
OPEN_STATES = (CoachingSession.Status.UNSCHEDULED, CoachingSession.Status.SCHEDULED)
MARKS = (
    CoachingSession.Status.HELD,
    CoachingSession.Status.NO_SHOW,
    CoachingSession.Status.CANCELLED_LATE,
)


class SchedulingError(Exception):
    """A change to a session that cannot be made, with a reason fit to show."""


@contextmanager
def _drafting():
    """An email the outbox refuses (say, a template whose subject became two lines) undoes
    the whole change, and the coach reads why instead of an error page."""
    from flowcoach.outbox.services import OutboxError

    try:
        yield
    except OutboxError as error:
        raise SchedulingError(f"The email for this change could not be prepared: {error}") from None


def local_time_exists(local: datetime, time_zone: str) -> bool:
    """False for a wall-clock time skipped when the clocks go forward (02:30 on the last
    Sunday of March in Paris never happens)."""
    utc = local_to_utc(local, time_zone)
    return utc.astimezone(zoneinfo.ZoneInfo(time_zone)).replace(tzinfo=None) == local


def _locked_session(session: CoachingSession) -> CoachingSession:
    # Lock the session row only; its engagement, client and coach are read, not changed.
    return (
        CoachingSession.objects.select_for_update(of=("self",))
        .select_related("engagement__client", "engagement__coach", "engagement__program")
        .get(pk=session.pk)
    )


def _set_time_and_place(
    session: CoachingSession,
    *,
    starts_local: datetime,
    time_zone: str,
    duration_minutes: int,
    video_link: str,
    address: str,
    phone: str,
) -> None:
    if not (video_link or address or phone).strip():
        raise SchedulingError("Add where you meet: a video link, an address or a phone number.")
    if not local_time_exists(starts_local, time_zone):
        raise SchedulingError(
            f"That time does not exist in {time_zone}: the clocks go forward that night."
        )
    if not 5 <= duration_minutes <= 480:
        raise SchedulingError("A session lasts between 5 minutes and 8 hours.")
    if local_to_utc(starts_local, time_zone) <= timezone.now():
        raise SchedulingError("That time has already passed. Pick one still to come.")
    session.starts_at = local_to_utc(starts_local, time_zone)
    session.time_zone = time_zone
    session.duration_minutes = duration_minutes
    session.video_link = video_link.strip()
    session.address = address.strip()
    session.phone = phone.strip()
    session.status = CoachingSession.Status.SCHEDULED
    session.confirmed_at = None


def _set_topic(session: CoachingSession, open_topic: str | None) -> None:
    from .preparation.services import PreparationError, clean_topic

    if open_topic is None:
        return
    try:
        session.open_topic = clean_topic(session, open_topic)
    except PreparationError as error:
        raise SchedulingError(str(error)) from None


def _resolve_requests(session: CoachingSession, now: datetime) -> None:
    session.client_requests.filter(resolved_at__isnull=True).update(resolved_at=now)


@transaction.atomic
def session_schedule(
    *,
    session: CoachingSession,
    starts_local: datetime,
    time_zone: str,
    duration_minutes: int,
    video_link: str = "",
    address: str = "",
    phone: str = "",
    open_topic: str | None = None,
) -> CoachingSession:
    """Gives an unscheduled session its time and place, and drafts its invitation and
    preparation email for the coach to approve. `open_topic` (for an open session) is set
    first, so the preparation email names it; None leaves the topic as it is."""
    from . import emails

    session = _locked_session(session)
    if session.status not in OPEN_STATES:
        raise SchedulingError("This session is already over; it cannot be scheduled again.")
    if session.status == CoachingSession.Status.SCHEDULED and emails.invitation_exists(session):
        return session_reschedule(
            session=session,
            starts_local=starts_local,
            time_zone=time_zone,
            duration_minutes=duration_minutes,
            video_link=video_link,
            address=address,
            phone=phone,
            open_topic=open_topic,
        )
    _set_topic(session, open_topic)
    _set_time_and_place(
        session,
        starts_local=starts_local,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        video_link=video_link,
        address=address,
        phone=phone,
    )
    session.save()
    with _drafting():
        emails.session_emails_time_set(session)
    return session


@transaction.atomic
def session_reschedule(
    *,
    session: CoachingSession,
    starts_local: datetime,
    time_zone: str,
    duration_minutes: int,
    video_link: str = "",
    address: str = "",
    phone: str = "",
    open_topic: str | None = None,
) -> CoachingSession:
    """Moves a scheduled session. The calendar event keeps its UID and its SEQUENCE goes up;
    the client hears about it through an update if the invitation had already gone out."""
    from . import emails

    session = _locked_session(session)
    if session.status != CoachingSession.Status.SCHEDULED:
        raise SchedulingError("Only a scheduled session can be moved.")
    _set_topic(session, open_topic)
    _set_time_and_place(
        session,
        starts_local=starts_local,
        time_zone=time_zone,
        duration_minutes=duration_minutes,
        video_link=video_link,
        address=address,
        phone=phone,
    )
    session.ics_sequence += 1
    session.save()
    _resolve_requests(session, timezone.now())
    with _drafting():
        emails.session_emails_time_set(session)
    return session


# Opening the runner further than this from the booked time is worth a word to the coach.
FAR_FROM_BOOKING = timedelta(hours=6)


def far_from_booking(session: CoachingSession, now: datetime | None = None) -> bool:
    """True when a scheduled session is being opened well before or after its booking, as
    when a coach runs next week's session today."""
    now = now or timezone.now()
    return (
        session.status == CoachingSession.Status.SCHEDULED
        and session.starts_at is not None
        and abs(session.starts_at - now) > FAR_FROM_BOOKING
    )


@transaction.atomic
def session_move_to_now(
    *, session: CoachingSession, now: datetime | None = None
) -> CoachingSession:
    """Moves the booking of a session the coach is about to run to this minute, as a
    reschedule does (the client's calendar gets an update once the invitation is out). The
    preparation email is withdrawn: there is no time left to prepare."""
    from flowcoach.outbox import services as outbox

    from . import emails

    now = (now or timezone.now()).replace(second=0, microsecond=0)
    session = _locked_session(session)
    if session.status != CoachingSession.Status.SCHEDULED:
        raise SchedulingError("Only a scheduled session can be moved.")
    session.starts_at = now
    session.confirmed_at = None
    session.ics_sequence += 1
    session.save()
    _resolve_requests(session, now)
    with _drafting():
        emails.session_emails_time_set(session)
        outbox.message_cancel_by_key(
            key=emails.preparation_key(session),
            reason="Withdrawn: the session was moved to start now, so there is no time left "
            "to prepare.",
        )
    return session


@transaction.atomic
def session_cancel(
    *,
    session: CoachingSession,
    reason: str = "",
    by_client: bool = False,
    now: datetime | None = None,
) -> CoachingSession:
    """Cancels a session not yet held: emails still waiting are cancelled, and a cancellation
    (METHOD:CANCEL) goes to the client if they had the invitation. A client cancelling within
    a day of the start counts as cancelled late."""
    from . import emails

    now = now or timezone.now()
    session = _locked_session(session)
    if session.status not in OPEN_STATES:
        raise SchedulingError("This session is already over or cancelled.")
    late = (
        by_client
        and session.starts_at is not None
        and session.starts_at - now < timedelta(hours=LATE_CANCEL_HOURS)
    )
    session.status = (
        CoachingSession.Status.CANCELLED_LATE if late else CoachingSession.Status.CANCELLED
    )
    session.cancel_reason = reason.strip()
    session.cancelled_at = now
    session.ics_sequence += 1
    session.save()
    _resolve_requests(session, now)
    with _drafting():
        emails.session_emails_cancelled(session, by_client=by_client)
    engagement_extend_recurring(engagement=session.engagement, now=now)
    return session


@transaction.atomic
def session_mark(
    *, session: CoachingSession, status: str, now: datetime | None = None
) -> CoachingSession:
    """Records what happened: held, no-show or cancelled late. A recurring engagement is
    topped up so the next sessions stay planned."""
    from . import emails

    now = now or timezone.now()
    if status not in MARKS:
        raise SchedulingError("Choose held, no-show or cancelled late.")
    session = _locked_session(session)
    if session.status != CoachingSession.Status.SCHEDULED:
        raise SchedulingError("Only a scheduled session can be marked.")
    if status == CoachingSession.Status.HELD and session.starts_at > now:
        raise SchedulingError("This session has not started yet.")
    session.status = status
    if status == CoachingSession.Status.HELD:
        record = SessionRecord.objects.filter(session=session).first()
        session.held_at = (record and record.started_at) or session.starts_at
    if status == CoachingSession.Status.CANCELLED_LATE:
        session.cancelled_at = now
        session.ics_sequence += 1
    session.save()
    _resolve_requests(session, now)
    if status == CoachingSession.Status.HELD:
        emails.session_emails_held(session)
    else:
        # Nothing more to prepare for a session that did not happen; a late cancellation also
        # clears the event from the client's calendar.
        emails.session_emails_cancelled(
            session,
            by_client=False,
            notify_client=status == CoachingSession.Status.CANCELLED_LATE,
            reason=(
                "Withdrawn: the session was cancelled late."
                if status == CoachingSession.Status.CANCELLED_LATE
                else "Withdrawn: the client did not come to the session."
            ),
        )
    engagement_extend_recurring(engagement=session.engagement, now=now)
    return session


# --- what clients ask through the links in their emails ----------------------------------------


class RequestRefused(Exception):
    """The link cannot act any more; the message says why, and nothing changed."""


def request_refusal(
    *, session: CoachingSession, kind: str, ics_sequence: int, now: datetime | None = None
) -> str:
    """Why a link can no longer act ("" when it still can)."""
    now = now or timezone.now()
    if session.status != CoachingSession.Status.SCHEDULED:
        return "This session is no longer planned, so there is nothing left to change."
    if session.ics_sequence != ics_sequence:
        return (
            "The time of this session has changed since this email was sent. "
            "The newest email about it has links that work."
        )
    if session.starts_at <= now:
        return "This session has already started, so this link has expired."
    if SessionRequest.objects.filter(
        session=session, kind=kind, ics_sequence=ics_sequence
    ).exists():
        return "This link has already been used, so nothing more needs doing."
    return ""


@transaction.atomic
def session_request_record(
    *,
    session: CoachingSession,
    kind: str,
    ics_sequence: int,
    proposed_times: list[datetime] | None = None,
    message: str = "",
    now: datetime | None = None,
) -> SessionRequest:
    """Records a client's answer from an email link, once per link. A confirmation marks the
    session confirmed, a cancellation cancels it, a request to move changes nothing until the
    coach decides. The coach is told each time."""
    from . import coach_emails

    now = now or timezone.now()
    session = _locked_session(session)
    refusal = request_refusal(session=session, kind=kind, ics_sequence=ics_sequence, now=now)
    if refusal:
        raise RequestRefused(refusal)
    proposed = [t.astimezone(zoneinfo.ZoneInfo("UTC")) for t in (proposed_times or [])][:3]
    if kind == SessionRequest.Kind.RESCHEDULE and not proposed:
        raise RequestRefused("Suggest at least one time that would suit you.")
    try:
        with transaction.atomic():
            request = SessionRequest.objects.create(
                session=session,
                kind=kind,
                ics_sequence=ics_sequence,
                proposed_times=[t.isoformat() for t in proposed],
                message=message.strip()[:2000],
                created_at=now,
            )
    except IntegrityError:
        raise RequestRefused(
            "This link has already been used, so nothing more needs doing."
        ) from None
    if kind == SessionRequest.Kind.CONFIRM:
        session.confirmed_at = now
        session.save(update_fields=["confirmed_at"])
        request.resolved_at = now
        request.save(update_fields=["resolved_at"])
    elif kind == SessionRequest.Kind.CANCEL:
        session_cancel(session=session, reason=message, by_client=True, now=now)
        request.refresh_from_db()
    with _drafting():
        coach_emails.coach_notify_request(request)
    return request


# --- calendar feeds and the nudge setting -------------------------------------------------------


def calendar_feed_of(user: User) -> CalendarFeed:
    """The person's feed, made on first use."""
    feed, _ = CalendarFeed.objects.get_or_create(
        user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, user: User) -> CalendarFeed:
    """A new secret: the old URL stops working at once."""
    feed = calendar_feed_of(user)
    feed.token = secrets.token_urlsafe(32)
    feed.created_at = timezone.now()
    feed.save(update_fields=["token", "created_at"])
    return feed


@transaction.atomic
def nudge_setting_update(*, user: User, weekly_digest: bool) -> NudgeSetting:
    setting, _ = NudgeSetting.objects.update_or_create(
        user=user, defaults={"weekly_digest": weekly_digest}
    )
    return setting
