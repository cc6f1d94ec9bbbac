"""Who may call the client API, and as which client.

Every way of signing in answers the same question, "which user, in which organisation?"
(an `Actor`), and `client_for` turns that into the caller's own client record or a 403. The
endpoints only ever see `request.auth`, that record, so a second way in (per-user API tokens
for apps that cannot hold a browser session) is one more class here, added to the API's
`auth=[...]` list, with no endpoint changed. Ninja tries the list in order; a caller none of
them recognises gets 401."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie

from flowcoach.accounts import policy
from flowcoach.accounts.actor import Actor
from flowcoach.clients import access as client_access
from flowcoach.clients.models import Client


class ApiError(HttpError):
    """An answer other than 200, with a stable `code` for apps to branch on."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def client_for(actor: Actor) -> Client:
    """The actor's own client record in their active organisation. Coaches and admins are
    refused: a client's view of their records is theirs alone, and staff have their pages."""
    if actor.organisation is None or not actor.is_client:
        raise ApiError(403, "not_a_client", "This API is for clients, about their own coaching.")
    # A client membership with no client record yet answers 404: there is nothing to read.
    return client_access.own_client_record(actor)


class ClientSession(APIKeyCookie):
    """The portal's own sign-in: Django's session cookie, read by the usual middleware.
    `csrf=True` (ninja's default for cookies) means any future write must carry the CSRF
    token, as a form on our pages does; reads are safe methods and pass."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Client | None:
        actor = policy.actor_of(request)
        if actor.user is None:
            return None
        return client_for(actor)
