"""Preparation writes from the browser: the coach's ticks and an open session's topic (on the
preparation view), and the client's own ticks (in the portal).

A tick form works as a plain form (every box, one button, a redirect back); the small
`checklist.js` turns each box into an instant save that asks for JSON instead."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from flowcoach.accounts import policy
from flowcoach.outbox.models import State

from . import access, preparation_selectors, preparation_services, runner_selectors
from .forms import OpenTopicForm
from .models import CoachingSession, PreparationTick
from .preparation_services import PreparationError

TRUE, FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _ticks(request: HttpRequest, session: CoachingSession, side: str, back: str) -> HttpResponse:
    """One box ({item, checked}) or the whole list ({done: [...]}) from a plain form."""
    try:
        if "item" in request.POST:
            checked = request.POST.get("checked", "").strip().lower()
            if checked not in TRUE + FALSE:
                raise PreparationError("Say whether the item is done or not.")
            done = preparation_services.preparation_tick(
                session=session, side=side, item=request.POST["item"], done=checked in TRUE
            )
        else:
            done = preparation_services.preparation_set(
                session=session, side=side, done=request.POST.getlist("done")
            )
    except PreparationError as error:
        if _wants_json(request):
            return JsonResponse({"ok": False, "error": str(error)}, status=400)
        messages.error(request, str(error))
        return redirect(back)
    total = len(preparation_services.items_of(session, side))
    progress = preparation_selectors.progress_text(len(done), total)
    if _wants_json(request):
        return JsonResponse({"ok": True, "done": sorted(done), "progress": progress})
    messages.success(request, f"Saved: {progress[0].lower()}{progress[1:]}.")
    return redirect(back)


@policy.role_required(*policy.COACH)
@require_POST
def prepare_ticks(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's own preparation list: theirs alone, never shown to the client."""
    session = access.get_session_for(policy.actor_of(request), pk)
    back = reverse("runner_prepare", args=[session.pk]) + "#coach-prep-heading"
    return _ticks(request, session, PreparationTick.Side.COACH, back)


@policy.role_required(*policy.CLIENT)
@require_POST
def portal_preparation(request: HttpRequest, pk: int) -> HttpResponse:
    """The client ticks their own list for one of their sessions; their coach sees it."""
    session = access.get_own_session_for(policy.actor_of(request), pk)
    back = reverse("portal") + f"#prep-{session.pk}"
    return _ticks(request, session, PreparationTick.Side.CLIENT, back)


@policy.role_required(*policy.COACH)
@require_POST
def session_topic(request: HttpRequest, pk: int) -> HttpResponse:
    """Chooses an open session's topic from the preparation view."""
    session = access.get_session_for(policy.actor_of(request), pk)
    form = OpenTopicForm(
        request.POST,
        candidates=preparation_selectors.topic_candidates(session),
        current=session.open_topic,
    )
    if form.is_valid():
        try:
            change = preparation_services.session_topic_set(
                session=session, topic=form.cleaned_data["chosen"]
            )
        except PreparationError as error:
            form.add_error(None, str(error))
            if not session.is_open_session:
                # The page shows no topic form for such a session; say it at the top.
                messages.error(request, str(error))
        else:
            messages.success(request, topic_saved_message(change))
            return redirect(reverse("runner_prepare", args=[session.pk]) + "#topic-heading")
    data = {**runner_selectors.prepare_page(session), "topic_form": form}
    return render(
        request,
        "runner/prepare.html",
        {"session": session, "client": session.engagement.client, **data},
        status=400,
    )


def topic_saved_message(change: preparation_services.TopicChange) -> str:
    session = change.session
    first_name = session.engagement.client.first_name
    if not session.open_topic:
        return "Topic cleared. The preparation email waits for you until a topic is chosen."
    if change.email is None or change.email.state == State.CANCELLED:
        return "Topic saved. The preparation email will name it once the session is scheduled."
    if change.email_already_gone:
        return (
            "Topic saved. The preparation email had already gone out with the earlier topic, "
            f"so let {first_name} know about the change."
        )
    return "Topic saved. The preparation email now names it; review it in your outbox."
