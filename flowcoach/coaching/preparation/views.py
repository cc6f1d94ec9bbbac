"""The coach's preparation view and its writes from the browser: the coach's ticks and an open
session's topic. The client's own ticks are the portal's (same tick form, `ticks.py`).

A tick form works as a plain form (every box, one button, a redirect back); the small
`checklist.js` turns each box into an instant save that asks for JSON instead."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import page_cache, policy
from flowcoach.coaching import access
from flowcoach.coaching.forms import OpenTopicForm
from flowcoach.coaching.models import PreparationTick
from flowcoach.coaching.runner import selectors as runner_selectors
from flowcoach.outbox.models import State

from . import selectors as preparation_selectors
from . import services as preparation_services
from . import ticks
from .services import PreparationError


@policy.role_required(*policy.COACH)
@require_POST
def prepare_ticks(request: HttpRequest, pk: int) -> HttpResponse:
    """The coach's own preparation list: theirs alone, never shown to the client."""
    session = access.get_session_for(policy.actor_of(request), pk)
    back = reverse("runner_prepare", args=[session.pk]) + "#coach-prep-heading"
    return ticks.ticks_answer(request, session, PreparationTick.Side.COACH, back)


@require_GET
@policy.role_required(*policy.COACH)
@never_cache
@page_cache.cached_page
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    """The preparation view: what to read and tick before the session starts."""
    session = access.get_session_for(policy.actor_of(request), pk)
    data = runner_selectors.prepare_page(session)
    if session.is_open_session:
        data["topic_form"] = OpenTopicForm(
            candidates=data["topic_candidates"], current=session.open_topic
        )
    return render(
        request,
        "runner/prepare.html",
        {"session": session, "client": session.engagement.client, **data},
    )


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
