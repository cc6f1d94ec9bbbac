"""The client's own space: their next sessions, their preparation ticks, what their coach
shares with them, and their records to take home. Nothing coach-only is read here: the
records download shares no code path with the coach's own summary PDF."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import hooks, page_cache, policy
from flowcoach.accounts.audit import audit_record
from flowcoach.accounts.models import AuditAction, Role
from flowcoach.clients import access as client_access
from flowcoach.clients import profile_selectors
from flowcoach.coaching import access, selectors
from flowcoach.coaching import hooks as seams
from flowcoach.coaching.models import PreparationTick
from flowcoach.coaching.preparation import selectors as preparation_selectors
from flowcoach.coaching.preparation import ticks
from flowcoach.insights import progress

from . import selectors as client_selectors


@require_GET
@policy.role_required(*policy.CLIENT)
@page_cache.cached_page
def portal(request: HttpRequest) -> HttpResponse:
    client = client_access.own_client_record(policy.actor_of(request))
    upcoming = selectors.upcoming_sessions_for_client(client)
    # The client's own preparation list for each session still to come (never the coach's).
    checklists = preparation_selectors.portal_checklists([item["session"] for item in upcoming])
    for item in upcoming:
        item["checklist"] = checklists.get(item["session"].pk)
    # What apps above add at the top (this week's check-in), most urgent after the session.
    cards = hooks.collect(seams.PORTAL_CARDS, client=client, now=timezone.now())
    history = client_selectors.portal_history(client)
    purpose = next((r for r in history["sessions"] if r["summary"]["purpose_statement"]), None)
    return render(
        request,
        "coaching/portal.html",
        {
            "client": client,
            "profile": profile_selectors.shared_profile(client),
            "upcoming": upcoming,
            "cards": cards,
            "history": history,
            "purpose": purpose,
            # Apps above coaching add their part (a transcript's consent) through panels.
            "panels": hooks.collect(seams.PORTAL_PAGE, client=client),
        },
    )


@policy.role_required(*policy.CLIENT)
@require_POST
def portal_preparation(request: HttpRequest, pk: int) -> HttpResponse:
    """The client ticks their own list for one of their sessions; their coach sees it."""
    session = access.get_own_session_for(policy.actor_of(request), pk)
    back = reverse("portal") + f"#prep-{session.pk}"
    return ticks.ticks_answer(request, session, PreparationTick.Side.CLIENT, back)


@require_GET
@policy.role_required(*policy.CLIENT)
@never_cache
def my_records(request: HttpRequest) -> HttpResponse:
    """Everything the client's coach shared with them, as one ZIP holding a JSON file (for
    other tools) and a Markdown file (to read)."""
    actor = policy.actor_of(request)
    client = client_access.own_client_record(actor)
    records = client_selectors.client_records(client)
    archive = client_selectors.records_zip(records)
    stamp = timezone.now().strftime("%Y-%m-%d")
    audit_record(
        organisation=actor.organisation,
        actor=actor.user,
        actor_role=Role.CLIENT,
        action=AuditAction.EXPORT,
        object_type="client",
        object_id=client.pk,
        detail={"format": "zip"},
    )
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-coaching-records-{stamp}.zip"'
    return response


@require_GET
@policy.role_required(*policy.CLIENT)
@page_cache.cached_page
def portal_progress(request: HttpRequest) -> HttpResponse:
    """The client's own progress: what they committed to and kept, their purpose statement as
    it grew, and their own check-ins; nothing coach-only (no timing, no notes)."""
    client = client_access.own_client_record(policy.actor_of(request))
    return render(
        request,
        "insights/client_progress.html",
        {
            "client": client,
            "progress": progress.client_progress(client, shared_only=True),
            "shared_only": True,
        },
    )
