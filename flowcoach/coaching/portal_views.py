"""The client's own space: their next sessions and what their coach shares with them. It lives
here, above clients, because it brings sessions and the profile together."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from flowcoach.accounts import policy
from flowcoach.clients import access as client_access
from flowcoach.clients import profile_selectors

from . import client_selectors, panels, preparation_selectors, selectors


@require_GET
@policy.role_required(*policy.CLIENT)
def portal(request: HttpRequest) -> HttpResponse:
    client = client_access.own_client_record(policy.actor_of(request))
    upcoming = selectors.upcoming_sessions_for_client(client)
    # The client's own preparation list for each session still to come (never the coach's).
    checklists = preparation_selectors.portal_checklists([item["session"] for item in upcoming])
    for item in upcoming:
        item["checklist"] = checklists.get(item["session"].pk)
    return render(
        request,
        "coaching/portal.html",
        {
            "client": client,
            "profile": profile_selectors.shared_profile(client),
            "upcoming": upcoming,
            "history": client_selectors.portal_history(client),
            "panels": panels.collect(panels.PORTAL_PAGE, client=client),
        },
    )
