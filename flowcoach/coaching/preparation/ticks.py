"""One tick form for both preparation lists (the coach's on the preparation view, the client's
in the portal): one box ({item, checked}) or the whole list ({done: [...]}).

A tick form works as a plain form (every box, one button, a redirect back); the small
`checklist.js` turns each box into an instant save that asks for JSON instead."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from flowcoach.coaching.models import CoachingSession

from . import selectors as preparation_selectors
from . import services as preparation_services
from .services import PreparationError

TRUE, FALSE = ("1", "true", "on", "yes"), ("0", "false", "off", "no", "")


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def ticks_answer(
    request: HttpRequest, session: CoachingSession, side: str, back: str
) -> HttpResponse:
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
        if wants_json(request):
            return JsonResponse({"ok": False, "error": str(error)}, status=400)
        messages.error(request, str(error))
        return redirect(back)
    total = len(preparation_services.items_of(session, side))
    progress = preparation_selectors.progress_text(len(done), total)
    if wants_json(request):
        return JsonResponse({"ok": True, "done": sorted(done), "progress": progress})
    messages.success(request, f"Saved: {progress[0].lower()}{progress[1:]}.")
    return redirect(back)
