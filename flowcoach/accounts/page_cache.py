"""Pages kept for the person who asked, until the data under them changes.

A page a coach or client opens again (home after a session, the client list while working
through it, a client's page, the outbox) is served from the copy made the last time, when
nothing in their organisation was written since, within the same minute. It costs the
request's floor and one cache read instead of its queries and its template (bench/README.md).

What a copy is kept under, so that it can never reach anyone else or outlive its data:

- the browser's sign-in session (so never another person, another browser or another
  sign-in), the organisation the person works in, and their time zone;
- the data generations of that organisation, that person and everything
  (lib/generations.py): any committed write leaves every copy made before it behind;
- the minute: copies are dropped a minute after they are made, so "due today", "in 5
  minutes" and anything a generation cannot see stay at most a minute old;
- the method, the full address with its query, and the htmx headers (a fragment and its
  full page are different answers).

Never kept: the runner (its page carries the server's clock, which sets the timers), anything
but a plain 200 answer to a GET, an answer that sets a cookie or changes
the session, a page shown while a message waits to be shown (it would swallow it), and
anything when the browser asks for a fresh copy (a hard reload sends `no-cache`).

Copies live in the "pages" cache, which every worker shares (files under VAR_DIR or Redis):
a copy in one worker's memory would not see another worker's writes.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse

from flowcoach.lib import generations

from .policy import actor_of

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
HIT_HEADER = "X-Flowcoach-Page"
LIFETIME = 60
# Headers a copy keeps. Its body carries the nonce of the request it was made for, which
# goes back on `request.csp_nonce` so the policy header names it (lib/headers.py).
_KEPT_HEADERS = ("Content-Type", "Content-Language")


def _fresh_copy_wanted(request: HttpRequest) -> bool:
    asked = request.headers.get("Cache-Control", "") + request.headers.get("Pragma", "")
    return "no-cache" in asked or "max-age=0" in asked


def _message_waiting(request: HttpRequest) -> bool:
    return bool(
        request.COOKIES.get(CookieStorage.cookie_name)
        or SessionStorage.session_key in request.session
    )


def _key(request: HttpRequest) -> str | None:
    actor = actor_of(request)
    session_key = request.session.session_key
    if actor.user is None or actor.organisation is None or not session_key:
        return None
    tokens = generations.current(generations.names_for(actor.organisation.pk, actor.user.pk))
    htmx = sorted(
        (name.lower(), value)
        for name, value in request.headers.items()
        if name.lower().startswith("hx-")
    )
    parts = [
        session_key,
        actor.user.pk,
        actor.organisation.pk,
        actor.user.time_zone,
        tokens,
        int(time.time() // LIFETIME),
        request.method,
        request.get_full_path(),
        htmx,
    ]
    return "page:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    queued = getattr(getattr(request, "_messages", None), "_queued_messages", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.session.modified
        and not queued
    )


def cached_page(view: Callable) -> Callable:
    """Serve `view`'s page from the person's own copy while its data is unchanged. Goes
    under the access decorators, which still run on every request."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if (
            request.method != "GET"
            or not settings.FLOWCOACH_PAGE_CACHE
            or _fresh_copy_wanted(request)
            or _message_waiting(request)
        ):
            return view(request, *args, **kwargs)
        # The generations are read before the data, so a write that lands while the page is
        # built leaves this copy behind instead of hiding under the new generation.
        cache = caches[CACHE_ALIAS]
        try:
            key = _key(request)
            kept = cache.get(key) if key else None
        except Exception:  # an unreachable cache costs speed, never the page
            logger.exception("Could not read a kept page")
            return view(request, *args, **kwargs)
        if key is None:
            return view(request, *args, **kwargs)
        if kept is not None:
            content, headers, nonce = kept
            request.csp_nonce = nonce
            response = HttpResponse(content, headers=headers)
            response[HIT_HEADER] = "kept copy"
            return response
        response = view(request, *args, **kwargs)
        if _keepable(request, response):
            headers = {name: response[name] for name in _KEPT_HEADERS if name in response}
            nonce = getattr(request, "csp_nonce", "")
            try:
                cache.set(key, (response.content, headers, nonce), timeout=LIFETIME)
            except Exception:
                logger.exception("Could not keep a page")
        return response

    return wrapped
