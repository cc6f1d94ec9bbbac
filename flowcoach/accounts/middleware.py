import zoneinfo

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from flowcoach.lib import generations

from .actor import ANONYMOUS, SESSION_KEY, build_actor, load_signed_in

# Paths whose views never ask who is there: no session is read, no user or actor is built.
# The load balancer's probe, the browser's violation reports, and the calendar feed, whose
# token is its only credential (calendar apps cannot sign in).
NOBODY_NEEDED = ("/healthz", "/csp-report/")


def needs_nobody(path: str) -> bool:
    return path in NOBODY_NEEDED or (path.startswith("/calendar/") and path.endswith(".ics"))


def signed_in_user(request):
    """Django's `auth.get_user`, step for step (the backend named in the session, the
    session's password hash checked, fallback secrets honoured, the session flushed on a
    mismatch), except that for the model backends the user comes with their memberships in
    one query (`load_signed_in`), which the actor then reads instead of asking again."""
    try:
        user_id = int(request.session[auth.SESSION_KEY])
        backend_path = request.session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValueError):
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = auth.load_backend(backend_path)
    if isinstance(backend, ModelBackend) and type(backend).get_user is ModelBackend.get_user:
        user = load_signed_in(user_id)
        if user is not None and not backend.user_can_authenticate(user):
            user = None
    else:
        user = backend.get_user(user_id)
    if user is None:
        return AnonymousUser()
    session_hash = request.session.get(auth.HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        request.session.cycle_key()
        request.session[auth.HASH_SESSION_KEY] = current
        return user
    request.session.flush()
    return AnonymousUser()


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with the user loaded by `signed_in_user`."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _cached_user(request))


def _cached_user(request):
    # Django's own lazy user keeps it under the same name.
    if not hasattr(request, "_cached_user"):
        request._cached_user = signed_in_user(request)
    return request._cached_user


class ActiveOrganisationMiddleware:
    """Attaches `request.actor`: the user, their active organisation and their roles in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_nobody(request.path):
            request.actor = ANONYMOUS
            return self.get_response(request)
        user = request.user
        if user.is_authenticated:
            request.actor = build_actor(user, request.session.get(SESSION_KEY))
        else:
            request.actor = ANONYMOUS
        # Writes made for this request change this organisation's and this person's data
        # generations only (lib/generations.py).
        organisation = request.actor.organisation
        token = generations.scope.set(
            generations.names_for(organisation.pk, user.pk) if organisation else ()
        )
        try:
            return self.get_response(request)
        finally:
            generations.scope.reset(token)


class UserTimezoneMiddleware:
    """Shows every time in the viewer's own time zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_nobody(request.path):
            timezone.deactivate()
            return self.get_response(request)
        user = request.user
        if user.is_authenticated and user.time_zone:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequireMfaMiddleware:
    """When an organisation requires two factors, its coaches and admins must set up an
    authenticator before they can do anything else."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/organisations/switch")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = getattr(request, "actor", ANONYMOUS)
        if (
            actor.organisation is not None
            and actor.organisation.require_mfa
            and actor.is_staff_role
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            from allauth.mfa.models import Authenticator

            if not Authenticator.objects.filter(
                user=actor.user, type=Authenticator.Type.TOTP
            ).exists():
                return redirect(f"{reverse('mfa_activate_totp')}?required=1")
        return self.get_response(request)
