"""The one access policy: who may see and change what.

Every view asks here. Object fetches answer 404 for anything the actor may not see, so the
existence of another organisation's data never leaks; role checks on whole pages answer 403
(the page exists, the actor's role cannot use it). Rules for objects of apps above `accounts`
live in those apps' `access.py`, built only from the primitives here, and are all listed in
the authorization-matrix test.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .actor import ANONYMOUS, Actor
from .models import Invitation, Membership, Role


def actor_of(request: HttpRequest) -> Actor:
    return getattr(request, "actor", ANONYMOUS)


def role_required(*roles: str) -> Callable:
    """Page-level gate: signed in, working in an organisation, holding one of `roles`."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            actor = actor_of(request)
            if actor.user is None:
                return redirect_to_login(request.get_full_path())
            if actor.organisation is None or not actor.roles.intersection(roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def login_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if actor_of(request).user is None:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


ADMIN = (Role.ADMIN,)
COACH = (Role.COACH,)
CLIENT = (Role.CLIENT,)
STAFF = (Role.ADMIN, Role.COACH)
ANY_ROLE = (Role.ADMIN, Role.COACH, Role.CLIENT)


def roles_actor_may_invite(actor: Actor) -> list[str]:
    """Admins invite anyone; coaches invite only their own clients."""
    if actor.is_admin:
        return [Role.COACH, Role.ADMIN, Role.CLIENT]
    if actor.is_coach:
        return [Role.CLIENT]
    return []


def get_invitation_for(actor: Actor, pk: int) -> Invitation:
    """Admins manage every invitation of their organisation; a coach only those they sent."""
    if actor.organisation is None:
        raise Http404
    qs = Invitation.objects.filter(organisation=actor.organisation)
    if not actor.is_admin:
        if not actor.is_coach:
            raise Http404
        qs = qs.filter(invited_by=actor.user)
    try:
        return qs.get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def get_membership_for(actor: Actor, pk: int) -> Membership:
    """Only an organisation's admins manage its memberships."""
    if actor.organisation is None or not actor.is_admin:
        raise Http404
    try:
        return Membership.objects.select_related("user").get(pk=pk, organisation=actor.organisation)
    except Membership.DoesNotExist:
        raise Http404 from None


def coaches_of(actor: Actor):
    """The coaches of the actor's organisation (for choosing or reassigning a client's coach)."""
    from .models import User

    return (
        User.objects.filter(
            memberships__organisation=actor.organisation,
            memberships__role=Role.COACH,
            memberships__is_active=True,
        )
        .order_by("full_name")
        .distinct()
    )
