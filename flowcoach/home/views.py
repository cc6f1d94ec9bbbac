"""Home for coaches and admins, the client list and page, and the Sessions page. Thin:
access through the policy, reads from selectors, writes through services."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import page_cache, policy
from flowcoach.clients import access as client_access
from flowcoach.clients import selectors as client_selectors
from flowcoach.clients import story
from flowcoach.lib import dates

from . import clients as client_reads
from . import selectors, services
from . import sessions as session_reads

PAGE_SIZE = 25


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page_number(request: HttpRequest) -> int:
    number = _int_or_none(request.GET.get("page"))
    return number if number and number > 0 else 1


@require_GET
@policy.role_required(*policy.COACH)
@page_cache.cached_page
def coach_home(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    home = selectors.coach_home(actor.user, actor.organisation)
    return render(request, "home/coach.html", {"home": home})


@require_POST
@policy.role_required(*policy.COACH)
def home_approve(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    ids = [n for n in (_int_or_none(v) for v in request.POST.getlist("message")) if n]
    if not ids:
        messages.error(request, "Tick the emails you want to approve first.")
        return redirect("coach_home")
    approved, left = services.drafts_approve(actor=actor, ids=ids)
    if approved:
        done = f"Approved {approved} email{'s' * (approved != 1)}. Each goes out at its time."
        if left:
            done += f" {left} need{'s' * (left == 1)} a look first: open {'it' if left == 1 else 'them'} from the list."
        messages.success(request, done)
    else:
        messages.error(
            request, "Nothing was approved: those emails need a look first, or are gone."
        )
    return redirect("coach_home")


@require_GET
@policy.role_required(*policy.ADMIN)
@page_cache.cached_page
def admin_home(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    return render(request, "home/admin.html", selectors.admin_home(actor.organisation))


@require_GET
@policy.role_required(*policy.COACH)
@page_cache.cached_page
def session_list(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    show = request.GET.get("show", "upcoming")
    if show not in session_reads.SHOWS:
        show = "upcoming"
    clients = session_reads.clients_for_filter(actor.user, actor.organisation)
    wanted = _int_or_none(request.GET.get("client"))
    client_id = next((c.pk for c in clients if c.pk == wanted), None)
    context = {
        "show": show,
        "shows": session_reads.SHOWS,
        "clients": clients,
        "client_id": client_id,
        "filtered": bool(client_id),
    }
    if show == "to_schedule":
        context["rows"] = session_reads.to_schedule_rows(
            actor.user, actor.organisation, client_id=client_id
        )
    else:
        now = timezone.now()
        sessions = session_reads.sessions_of(
            actor.user, actor.organisation, show=show, client_id=client_id, now=now
        )
        page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
        context["page"] = page
        context["rows"] = session_reads.session_rows(page.object_list, actor.user, now=now)
    return render(request, "home/sessions.html", context)


@require_GET
@policy.role_required(*policy.STAFF)
@page_cache.cached_page
def client_list(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "active")
    if state not in client_selectors.STATES:
        state = "active"
    sort = request.GET.get("sort", "name")
    if sort not in client_reads.SORTS:
        sort = "name"
    coaches, coach_id = [], None
    if actor.is_admin:
        coaches = list(policy.coaches_of(actor))
        wanted = request.GET.get("coach", "")
        coach_id = next((c.pk for c in coaches if str(c.pk) == wanted), None)
    now = timezone.now()
    clients = client_selectors.client_search(
        client_access.clients_visible_to(actor), query=query, state=state, coach_id=coach_id
    )
    clients = client_reads.client_rows(clients, sort=sort, now=now, time_zone=actor.user.time_zone)
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    client_reads.attention_of(page.object_list, now=now, time_zone=actor.user.time_zone)
    return render(
        request,
        "clients/client_list.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "sort": sort,
            "sorts": {key: label for key, (label, _) in client_reads.SORTS.items()},
            "coaches": coaches,
            "coach_id": coach_id,
            "filtered": bool(query or coach_id or state != "active"),
            "zone": dates.zone_place(actor.user.time_zone),
        },
    )


@require_GET
@policy.role_required(*policy.STAFF)
@page_cache.cached_page
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = client_access.get_client_for(actor, pk)
    is_their_coach = client.coach_id == actor.user.pk
    context = {
        "client": client,
        "portal": client_selectors.portal_access_of(client),
        "is_their_coach": is_their_coach,
    }
    # The story is coaching content: the client's own coach reads it, an admin never does.
    if is_their_coach and actor.is_coach:
        known = {kind.slug for kind in story.kinds()}
        wanted = [kind for kind in request.GET.getlist("kind") if kind in known]
        context["story"] = client_reads.client_story(
            client, actor.user, wanted=wanted, page=_page_number(request)
        )
    return render(request, "clients/client_detail.html", context)
