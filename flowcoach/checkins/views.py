"""The check-in pages: answering by the emailed link (no sign-in) or in the portal, the
client's commitments, their email choices and one-click unsubscribe, and the coach's
schedule and history of an engagement's check-ins. Thin: access, forms, one service call."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from flowcoach.accounts import policy
from flowcoach.coaching import access as coaching_access
from flowcoach.coaching.models import Commitment

from . import access, rhythm, selectors, services, tokens
from .forms import (
    CheckinForm,
    CommitmentUpdateForm,
    PreferenceForm,
    ProgressLogForm,
    ScheduleForm,
)
from .models import Checkin


def _problem(request, heading: str, reason: str, status: int) -> HttpResponse:
    return render(
        request,
        "checkins/link_problem.html",
        {"heading": heading, "reason": reason, "sign_in": reverse("portal")},
        status=status,
    )


def _commitment_answers(request, rows: list[dict]) -> list[services.CommitmentAnswer]:
    answers = []
    for row in rows:
        commitment = row["commitment"]
        state = request.POST.get(f"state-{commitment.uuid}")
        if state is None:
            continue
        comment = request.POST.get(f"comment-{commitment.uuid}", "")[:1000]
        answers.append(services.CommitmentAnswer(commitment, state, comment))
    return answers


def _answer(request: HttpRequest, checkin: Checkin, *, action: str, via_link: bool):
    """The check-in form, shared by the emailed link and the portal."""
    now = timezone.now()
    if rhythm.is_closed(checkin, now):
        return _problem(
            request,
            "This check-in has closed",
            "The week this check-in was for is over, so its answers can no longer change.",
            410,
        )
    data = selectors.answer_form(checkin)
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if form.is_valid():
            try:
                services.checkin_answer(
                    checkin=checkin,
                    more=form.cleaned_data["more"],
                    better=form.cleaned_data["better"],
                    different=form.cleaned_data["different"],
                    energy=form.cleaned_data["energy"],
                    identity_rating=form.cleaned_data["identity_rating"],
                    role_rating=form.cleaned_data["role_rating"],
                    note=form.cleaned_data["note"],
                    commit_words=form.cleaned_data["commit"],
                    commitments=_commitment_answers(request, data["commitment_rows"]),
                )
            except services.CheckinClosed as error:
                return _problem(request, "This check-in has closed", str(error), 410)
            except services.CheckinError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Thank you. Your coach will read this before you meet.")
                return redirect(action)
    else:
        form = CheckinForm(
            initial={
                "more": checkin.more,
                "better": checkin.better,
                "different": checkin.different,
                "energy": checkin.energy,
                "identity_rating": checkin.identity_rating,
                "role_rating": checkin.role_rating,
                "note": checkin.note,
                "commit": [q["word"] for q in data["questions"] if q["committed"]],
            }
        )
    posted_states = {
        str(row["commitment"].uuid): request.POST.get(f"state-{row['commitment'].uuid}")
        for row in data["commitment_rows"]
    }
    return render(
        request,
        "checkins/answer.html",
        {
            **data,
            "form": form,
            "action": action,
            "via_link": via_link,
            "coach": checkin.engagement.coach,
            "client": checkin.client,
            "posted_states": posted_states if request.method == "POST" else {},
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
def answer_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: works without signing in, for that client and that week only."""
    try:
        checkin = tokens.read_answer_token(token)
    except tokens.TokenExpired:
        return _problem(
            request,
            "This link has expired",
            "Check-in links work for two weeks. Sign in to see this week's check-in.",
            410,
        )
    except tokens.TokenForeign:
        return _problem(
            request,
            "This link doesn't match its check-in",
            "It may have been copied from someone else's email. Sign in to see your own.",
            400,
        )
    except tokens.TokenInvalid:
        return _problem(
            request,
            "This link doesn't work",
            "It may have been cut short or changed on the way. Sign in to see your check-in.",
            400,
        )
    user = policy.actor_of(request).user
    if user is not None and user.pk != checkin.client.user_id:
        return _problem(
            request,
            "This check-in belongs to someone else",
            "You are signed in as another person. Each check-in link is for one client only.",
            403,
        )
    action = reverse("checkin_answer_link", args=[token])
    return _answer(request, checkin, action=action, via_link=True)


@require_http_methods(["GET", "POST"])
@policy.role_required(*policy.CLIENT)
def portal_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    checkin = access.get_own_checkin_for(policy.actor_of(request), pk)
    return _answer(
        request, checkin, action=reverse("portal_checkin", args=[checkin.pk]), via_link=False
    )


# --- commitments ---------------------------------------------------------------------------------


def _today(client) -> object:
    return timezone.now().astimezone(ZoneInfo(client.time_zone)).date()


def _commitments_page(request, client, bound: dict | None = None, status: int = 200):
    rows = selectors.client_commitments(client)
    today = _today(client)
    bound = bound or {}
    for row in rows:
        c = row["commitment"]
        row["update_form"] = bound.get(("u", c.pk)) or CommitmentUpdateForm(commitment=c)
        row["log_form"] = bound.get(("p", c.pk)) or ProgressLogForm(commitment=c, today=today)
    return render(
        request,
        "checkins/commitments.html",
        {"client": client, "rows": rows, "open_state": Commitment.State.OPEN},
        status=status,
    )


@require_http_methods(["GET"])
@policy.role_required(*policy.CLIENT)
def portal_commitments(request: HttpRequest) -> HttpResponse:
    return _commitments_page(request, access.own_client(policy.actor_of(request)))


def _commitment_post(
    request: HttpRequest,
    commitment_uuid: uuid.UUID,
    *,
    form_class: type[CommitmentUpdateForm] | type[ProgressLogForm],
    key: str,
    save: Callable[[Commitment, dict], object],
    error_field: str | None,
    success: str,
) -> HttpResponse:
    """The two forms on a commitment (a change of state, a progress log) take a POST alike.
    `key` is the form's slot in _commitments_page, so a refused form shows again, with its
    errors, under its own commitment."""
    commitment = access.get_own_commitment_for(policy.actor_of(request), commitment_uuid)
    form = form_class(request.POST, commitment=commitment)
    if form.is_valid():
        try:
            save(commitment, form.cleaned_data)
        except services.CheckinError as error:
            form.add_error(error_field, str(error))
        else:
            messages.success(request, success)
            return redirect(reverse("portal_commitments") + f"#c-{commitment.uuid}")
    return _commitments_page(request, commitment.client, {(key, commitment.pk): form}, 400)


@require_POST
@policy.role_required(*policy.CLIENT)
def portal_commitment_update(request: HttpRequest, commitment_uuid: uuid.UUID) -> HttpResponse:
    def save(commitment: Commitment, data: dict) -> None:
        services.commitment_update(
            commitment=commitment,
            uuid=data["form_id"],
            state=data["state"],
            comment=data["comment"],
        )

    return _commitment_post(
        request,
        commitment_uuid,
        form_class=CommitmentUpdateForm,
        key="u",
        save=save,
        error_field=None,
        success="Saved. Your coach sees the change.",
    )


@require_POST
@policy.role_required(*policy.CLIENT)
def portal_progress_log(request: HttpRequest, commitment_uuid: uuid.UUID) -> HttpResponse:
    def save(commitment: Commitment, data: dict) -> None:
        services.progress_log_add(
            commitment=commitment, uuid=data["form_id"], day=data["day"], text=data["text"]
        )

    return _commitment_post(
        request,
        commitment_uuid,
        form_class=ProgressLogForm,
        key="p",
        save=save,
        error_field="text",
        success="Logged. Nice work.",
    )


# --- email choices -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.role_required(*policy.CLIENT)
def preferences(request: HttpRequest) -> HttpResponse:
    client = access.own_client(policy.actor_of(request))
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(
                client=client, checkin_reminders=form.cleaned_data["checkin_reminders"]
            )
            messages.success(request, "Your email choices are saved.")
            return redirect("checkin_preferences")
    else:
        form = PreferenceForm(initial={"checkin_reminders": services.reminders_wanted(client)})
    return render(request, "checkins/preferences.html", {"form": form, "client": client})


@csrf_exempt  # RFC 8058: a mail client POSTs here with no cookie; the signed token is the proof.
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        client = tokens.read_unsubscribe_token(token)
    except tokens.TokenInvalid:
        return _problem(
            request,
            "This link doesn't work",
            "It may have been cut short or changed on the way. Sign in to choose your emails.",
            400,
        )
    if request.method == "POST":
        services.preference_update(client=client, checkin_reminders=False)
        return render(request, "checkins/unsubscribed.html", {"client": client, "done": True})
    return render(
        request,
        "checkins/unsubscribed.html",
        {"client": client, "done": False, "already": not services.reminders_wanted(client)},
    )


# --- the coach -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@policy.role_required(*policy.COACH)
def engagement_checkins(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = coaching_access.get_engagement_for(policy.actor_of(request), pk)
    on, weekday, at = rhythm.schedule_of(engagement)
    if request.method == "POST":
        form = ScheduleForm(request.POST)
        if form.is_valid():
            services.schedule_update(
                engagement=engagement,
                enabled=form.cleaned_data["enabled"],
                weekday=form.cleaned_data["weekday"],
                local_time=form.cleaned_data["local_time"],
            )
            messages.success(request, "The check-in schedule is saved.")
            return redirect("engagement_checkins", engagement.pk)
    else:
        form = ScheduleForm(initial={"enabled": on, "weekday": weekday, "local_time": at})
    return render(
        request,
        "checkins/engagement.html",
        {
            "engagement": engagement,
            "client": engagement.client,
            "form": form,
            "zone_name": selectors.place_name(engagement.client.time_zone),
            "stopped": engagement.status != engagement.Status.ACTIVE,
            **selectors.engagement_history(engagement),
        },
        status=200 if request.method == "GET" or form.is_valid() else 400,
    )


@require_http_methods(["GET"])
@policy.role_required(*policy.ADMIN)
def organisation_overview(request: HttpRequest) -> HttpResponse:
    """Admins see how the rhythm runs (counts), never what a client wrote."""
    actor = policy.actor_of(request)
    counts = selectors.organisation_counts(actor.organisation)
    labels = dict(Checkin.State.choices)
    return render(
        request,
        "checkins/overview.html",
        {"counts": [(labels[state], n) for state, n in counts.items()]},
    )
