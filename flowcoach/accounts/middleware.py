import zoneinfo

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .actor import ANONYMOUS, SESSION_KEY, build_actor


class ActiveOrganisationMiddleware:
    """Attaches `request.actor`: the user, their active organisation and their roles in it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            request.actor = build_actor(user, request.session.get(SESSION_KEY))
        else:
            request.actor = ANONYMOUS
        return self.get_response(request)


class UserTimezoneMiddleware:
    """Shows every time in the viewer's own time zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
