import zoneinfo
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe

from flowcoach.accounts import hooks, policy
from flowcoach.accounts.models import Role
from flowcoach.clients import access as client_access
from flowcoach.lib import conditional

from . import access, calendar, links, selectors, services
from . import hooks as seams
from .forms import (
    CancelForm,
    ClientCancelForm,
    EnrolForm,
    MarkForm,
    NudgeSettingForm,
    OpenTopicForm,
    RescheduleRequestForm,
    ScheduleForm,
)
from .models import CalendarFeed, NudgeSetting, SessionRequest
from .preparation import selectors as preparation_selectors


@policy.role_required(*policy.COACH)
def enrol(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = client_access.get_coached_client_for(actor, pk)
    form = EnrolForm(
        request.POST or None,
        organisation=actor.organisation,
        initial={"time_zone": client.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            engagement = services.engagement_enrol(
                client=client,
                program=data["program"],
                coach=actor.user,
                cadence=data["cadence"],
                first_session_local=data["first_session"].replace(tzinfo=None)
                if data["first_session"]
                else None,
                time_zone=data["time_zone"],
                video_link=data["video_link"],
                address=data["address"],
                phone=data["phone"],
            )
        except services.EnrolmentError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{client.first_name} is enrolled in {engagement.program}.")
            return redirect("engagement_detail", engagement.pk)
    return render(
        request,
        "coaching/enrol.html",
        {"client": client, "form": form, "engagements": selectors.engagements_of(client)},
        status=400 if form.errors else 200,
    )


@require_GET
@policy.role_required(*policy.COACH)
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    engagement = access.get_engagement_for(actor, pk)
    return render(
        request,
        "coaching/engagement_detail.html",
        {
            "engagement": engagement,
            "timeline": selectors.engagement_timeline(engagement, viewer=actor.user),
            "panels": hooks.collect(seams.ENGAGEMENT_PAGE, engagement=engagement, actor=actor),
        },
    )


@require_POST
@policy.role_required(*policy.COACH)
def engagement_stop(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = access.get_engagement_for(policy.actor_of(request), pk)
    if engagement.status == engagement.Status.ACTIVE:
        services.engagement_stop(engagement=engagement)
        messages.success(
            request, "The engagement is stopped. Sessions not yet held were cancelled."
        )
    return redirect("engagement_detail", engagement.pk)


# --- sessions ---------------------------------------------------------------------------------


def _is_soon(session) -> bool:
    """From a day before the session until half a day after its planned end: the time to
    prepare it, run it and finish its notes, when the page leads with those."""
    if session.starts_at is None:
        return False
    now = timezone.now()
    end = session.starts_at + timedelta(minutes=session.duration_minutes or 0)
    return session.starts_at - timedelta(days=1) <= now <= end + timedelta(hours=12)


def _session_page(request: HttpRequest, session, *, cancel_form=None, status=200):
    from . import emails

    actor = policy.actor_of(request)
    return render(
        request,
        "scheduling/session_detail.html",
        {
            "session": session,
            "engagement": session.engagement,
            "client": session.engagement.client,
            "when": selectors.session_when(session, actor.user),
            "requests": selectors.session_requests(session, actor.user),
            "session_emails": emails.messages_of(session),
            "cancel_form": cancel_form or CancelForm(),
            "mark_form": MarkForm(),
            "is_open": session.status in services.OPEN_STATES,
            "is_past": session.starts_at is not None and session.starts_at <= timezone.now(),
            "is_soon": _is_soon(session),
            "panels": hooks.collect(seams.SESSION_PAGE, session=session, actor=actor),
        },
        status=status,
    )


@require_GET
@policy.role_required(*policy.COACH)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    return _session_page(request, session)


@policy.role_required(*policy.COACH)
def session_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    client = session.engagement.client
    if session.status not in services.OPEN_STATES:
        messages.error(request, "This session is over, so its time cannot change any more.")
        return redirect("session_detail", session.pk)
    engagement = session.engagement
    # The session's own place, else the one set once for the whole enrolment.
    place_set = any((session.video_link, session.address, session.phone))
    initial = {
        "time_zone": client.time_zone,
        "duration_minutes": session.duration_minutes or session.template_version.minutes_max,
        "video_link": session.video_link if place_set else engagement.video_link,
        "address": session.address if place_set else engagement.address,
        "phone": session.phone if place_set else engagement.phone,
    }
    if session.starts_at:
        local = session.starts_at.astimezone(zoneinfo.ZoneInfo(client.time_zone))
        initial.update(date=local.date(), time=local.time().replace(second=0, microsecond=0))
    # A time the client proposed arrives as ?date=…&time=…&time_zone=… to start from.
    initial.update({k: request.GET[k] for k in ("date", "time", "time_zone") if request.GET.get(k)})
    form = ScheduleForm(request.POST if request.method == "POST" else None, initial=initial)
    topic_form = None
    if session.is_open_session:
        # An open session's topic can be chosen while scheduling, so the preparation email
        # drafted now names it.
        topic_form = OpenTopicForm(
            request.POST if request.method == "POST" else None,
            prefix="topic",
            candidates=preparation_selectors.topic_candidates(session),
            current=session.open_topic,
        )
    moving = session.status == session.Status.SCHEDULED and session.starts_at is not None
    if (
        request.method == "POST"
        and form.is_valid()
        and (topic_form is None or topic_form.is_valid())
    ):
        data = form.cleaned_data
        arguments = {
            "session": session,
            "starts_local": form.starts_local(),
            "time_zone": data["time_zone"],
            "duration_minutes": data["duration_minutes"],
            "video_link": data["video_link"],
            "address": data["address"],
            "phone": data["phone"],
        }
        if topic_form is not None:
            arguments["open_topic"] = topic_form.cleaned_data["chosen"]
        try:
            # Scheduling a session whose invitation exists already is a reschedule.
            services.session_schedule(**arguments)
        except services.SchedulingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "Saved. Review the update to the client in your outbox."
                if moving
                else "Scheduled. The invitation and preparation email wait in your outbox.",
            )
            return redirect("session_detail", session.pk)
    return render(
        request,
        "scheduling/session_schedule.html",
        {
            "session": session,
            "client": client,
            "form": form,
            "topic_form": topic_form,
            "moving": moving,
        },
        status=400 if form.errors or (topic_form is not None and topic_form.errors) else 200,
    )


@require_POST
@policy.role_required(*policy.COACH)
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, cancel_form=form, status=400)
    try:
        services.session_cancel(session=session, reason=form.cleaned_data["reason"])
    except services.SchedulingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The session is cancelled. Emails still waiting were stopped.")
    return redirect("session_detail", session.pk)


@require_POST
@policy.role_required(*policy.COACH)
def session_mark(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for(policy.actor_of(request), pk)
    form = MarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose held, no-show or cancelled late.")
        return redirect("session_detail", session.pk)
    try:
        session = services.session_mark(session=session, status=form.cleaned_data["status"])
    except services.SchedulingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Marked as {session.get_status_display().lower()}.")
    return redirect("session_detail", session.pk)


@require_POST
@policy.role_required(*policy.COACH)
def session_move_to_now(request: HttpRequest, pk: int) -> HttpResponse:
    """From the runner: the coach is holding the session now, not when it was booked."""
    session = access.get_session_for(policy.actor_of(request), pk)
    try:
        services.session_move_to_now(session=session)
    except services.SchedulingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{session.code} is now booked for this minute. Over to you.")
    return redirect("runner", session.pk)


# --- calendar feeds ---------------------------------------------------------------------------

FEED_ROLES = (Role.COACH, Role.CLIENT)


@require_GET
@policy.role_required(*FEED_ROLES)
def calendar_settings(request: HttpRequest) -> HttpResponse:
    feed = services.calendar_feed_of(policy.actor_of(request).user)
    url = f"{settings.SITE_URL}{reverse('calendar_feed', args=[feed.token])}"
    return render(
        request,
        "scheduling/calendar_settings.html",
        {"feed": feed, "feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[-1]},
    )


@require_POST
@policy.role_required(*FEED_ROLES)
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    services.calendar_feed_regenerate(user=policy.actor_of(request).user)
    messages.success(
        request,
        "Here is your new calendar link. The old one no longer works: "
        "subscribe again with this one.",
    )
    return redirect("calendar_settings")


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: calendar apps cannot log in. The token is the secret."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    response = HttpResponse(
        calendar.feed_ics(feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="flowcoach.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    # Calendar apps fetch the feed every few minutes and send back the tag they were given:
    # an unchanged feed is answered "not modified". Each event's DTSTAMP is the moment of
    # answering, not data, so it is left out of the tag. The tag is the feed owner's alone.
    return conditional.answer(
        request,
        response,
        scope=("calendar", feed.user_id, feed.token),
        versioned=calendar.DTSTAMP_LINE.sub(b"", response.content),
    )


# --- links in the client's emails -------------------------------------------------------------


def _link_page(request: HttpRequest, template: str, context: dict, status: int = 200):
    return render(request, f"scheduling/{template}", context, status=status)


def _session_link(request: HttpRequest, token: str, action: str) -> HttpResponse:
    try:
        target = links.read_token(token, action)
    except links.LinkInvalid:
        return _link_page(
            request,
            "link_problem.html",
            {
                "heading": "This link doesn't work",
                "reason": "It may have been cut short when it was copied. Try the link in the "
                "email again, or simply reply to the email.",
            },
            status=400,
        )
    except links.LinkExpired:
        return _link_page(
            request,
            "link_problem.html",
            {
                "heading": "This link has expired",
                "reason": "The session it was for has already started. Nothing was changed.",
            },
            status=410,
        )
    session = target.session
    client = session.engagement.client
    if access.client_suspended(client):
        return _link_page(
            request,
            "link_problem.html",
            {
                "heading": "This link no longer works",
                "reason": "Your account with this practice is paused. Nothing was changed; "
                "please get in touch with your coach directly.",
            },
            status=410,
        )
    zone = client.time_zone
    context = {
        "session": session,
        "client": client,
        "coach": session.engagement.coach,
        "when": f"{emails_date(session.starts_at, zone)}",
        "action": action,
    }
    refusal = services.request_refusal(
        session=session, kind=action, ics_sequence=target.ics_sequence
    )
    if refusal:
        return _link_page(
            request,
            "link_problem.html",
            {**context, "heading": "This link has nothing left to do", "reason": refusal},
            status=410,
        )
    if action == SessionRequest.Kind.RESCHEDULE:
        form = RescheduleRequestForm(
            request.POST if request.method == "POST" else None, time_zone=zone
        )
    elif action == SessionRequest.Kind.CANCEL:
        form = ClientCancelForm(request.POST if request.method == "POST" else None)
    else:
        form = None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            services.session_request_record(
                session=session,
                kind=action,
                ics_sequence=target.ics_sequence,
                proposed_times=form.proposed() if action == SessionRequest.Kind.RESCHEDULE else [],
                message=form.cleaned_data.get("message", "") if form else "",
            )
        except services.RequestRefused as refused:
            return _link_page(
                request,
                "link_problem.html",
                {**context, "heading": "This link has nothing left to do", "reason": str(refused)},
                status=410,
            )
        except services.SchedulingError:
            return _link_page(
                request,
                "link_problem.html",
                {
                    **context,
                    "heading": "We could not pass this on",
                    "reason": "Something went wrong on our side.",
                },
                status=503,
            )
        return _link_page(request, "link_done.html", context)
    return _link_page(
        request,
        "link_action.html",
        {**context, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


def emails_date(moment, time_zone: str) -> str:
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M} ({time_zone})"


@never_cache
def session_link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    return _session_link(request, token, SessionRequest.Kind.CONFIRM)


@never_cache
def session_link_reschedule(request: HttpRequest, token: str) -> HttpResponse:
    return _session_link(request, token, SessionRequest.Kind.RESCHEDULE)


@never_cache
def session_link_cancel(request: HttpRequest, token: str) -> HttpResponse:
    return _session_link(request, token, SessionRequest.Kind.CANCEL)


# --- the schedule nudge -----------------------------------------------------------------------


@policy.role_required(*policy.COACH)
def schedule_nudge(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    setting = NudgeSetting.objects.filter(user=actor.user).first()
    form = NudgeSettingForm(
        request.POST if request.method == "POST" else None,
        initial={"weekly_digest": bool(setting and setting.weekly_digest)},
    )
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["weekly_digest"]
        services.nudge_setting_update(user=actor.user, weekly_digest=on)
        messages.success(
            request,
            "You will get this list by email once a week."
            if on
            else "No more weekly emails about this list.",
        )
        return redirect("schedule_nudge")
    engagements = selectors.clients_to_schedule(coach=actor.user, organisation=actor.organisation)
    rows = selectors.nudge_rows(engagements)
    return render(request, "scheduling/nudge.html", {"rows": rows, "form": form})
