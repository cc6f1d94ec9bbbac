"""The client API, version 1: read-only JSON about the signed-in client's own coaching, the
seam a mobile app would use. Plain Django views (see docs/decisions.md): every answer is
JSON, errors included, because an app cannot follow a redirect to a sign-in page.

Signed in through the ordinary session cookie. Only GET (and HEAD) are served, so nothing
here changes state and the CSRF check has nothing to guard. Coaches and admins get 403:
a client's view of their records is theirs alone, and staff have their own pages. Content
comes from `coaching.client_selectors`, which holds the one rule of what is shared."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.cache import add_never_cache_headers

from flowcoach.accounts import policy
from flowcoach.clients import access as client_access
from flowcoach.coaching import client_selectors
from flowcoach.coaching.models import Commitment

API_VERSION = "1"


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _answer(response: JsonResponse) -> JsonResponse:
    response["API-Version"] = API_VERSION
    # Personal data: no shared cache or browser history may keep it.
    add_never_cache_headers(response)
    return response


def client_endpoint(view: Callable) -> Callable:
    """Signed in (401), a client in the active organisation (403), GET only (405); the view
    gets the client's own record. A 404 raised inside stays JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        if request.method not in ("GET", "HEAD"):
            response = _error(405, "method_not_allowed", "This API only reads; use GET.")
            response["Allow"] = "GET, HEAD"
            return _answer(response)
        actor = policy.actor_of(request)
        if actor.user is None:
            response = _error(401, "not_signed_in", "Please sign in first.")
            response["WWW-Authenticate"] = 'Session realm="flowcoach"'
            return _answer(response)
        if actor.organisation is None or not actor.is_client:
            return _answer(
                _error(403, "not_a_client", "This API is for clients, about their own coaching.")
            )
        try:
            client = client_access.own_client_record(actor)
            return _answer(view(request, client, *args, **kwargs))
        except Http404:
            return _answer(_error(404, "not_found", "There is nothing here."))

    return wrapped


@client_endpoint
def me(request: HttpRequest, client) -> JsonResponse:
    """The client's details and what their coach shared from their motivation profile."""
    return JsonResponse({"profile": client_selectors.profile_of(client)})


@client_endpoint
def sessions(request: HttpRequest, client) -> JsonResponse:
    rows = [client_selectors.session_brief(s) for s in client_selectors.sessions_of(client)]
    return JsonResponse({"sessions": rows})


@client_endpoint
def session_detail(request: HttpRequest, client, pk: int) -> JsonResponse:
    """One session and, once its coach completed it, its shared summary."""
    session = client_selectors.get_own_session(client, pk)
    if session is None:
        raise Http404
    return JsonResponse(
        {
            "session": client_selectors.session_brief(session),
            "summary": client_selectors.session_summary(client, session),
        }
    )


@client_endpoint
def commitments(request: HttpRequest, client) -> JsonResponse:
    """All the client's commitments; `?state=open` (or kept, partly_kept, missed, dropped)
    narrows them."""
    state = request.GET.get("state")
    if state is not None and state not in Commitment.State.values:
        return _error(
            400,
            "bad_state",
            f"Unknown state. Use one of: {', '.join(Commitment.State.values)}.",
        )
    return JsonResponse({"commitments": client_selectors.commitments_of(client, state)})


def not_found(request: HttpRequest, rest: str) -> JsonResponse:
    return _answer(_error(404, "not_found", "There is nothing here."))
