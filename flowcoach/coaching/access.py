"""Access rules for engagements and sessions: coaching material, so only the client's coach
(never an admin, who sees counts elsewhere)."""

from __future__ import annotations

from django.http import Http404

from flowcoach.accounts.actor import Actor

from .models import CoachingSession, Engagement


def get_engagement_for(actor: Actor, pk: int) -> Engagement:
    if actor.organisation is None or not actor.is_coach:
        raise Http404
    try:
        return Engagement.objects.select_related("client", "program", "coach").get(
            pk=pk, organisation=actor.organisation, coach=actor.user
        )
    except Engagement.DoesNotExist:
        raise Http404 from None


def get_session_for(actor: Actor, pk: int) -> CoachingSession:
    """A session, for its engagement's coach only."""
    if actor.organisation is None or not actor.is_coach:
        raise Http404
    try:
        return CoachingSession.objects.select_related(
            "engagement__client",
            "engagement__coach",
            "engagement__program",
            "engagement__organisation",
            "template_version",
        ).get(
            pk=pk,
            engagement__organisation=actor.organisation,
            engagement__coach=actor.user,
        )
    except CoachingSession.DoesNotExist:
        raise Http404 from None


def get_own_session_for(actor: Actor, pk: int) -> CoachingSession:
    """A session of the signed-in client's own engagements, for their own checklist; any
    other session answers 404."""
    if actor.organisation is None or not actor.is_client:
        raise Http404
    try:
        return CoachingSession.objects.select_related("engagement__client", "template_version").get(
            pk=pk,
            engagement__organisation=actor.organisation,
            engagement__client__user=actor.user,
        )
    except CoachingSession.DoesNotExist:
        raise Http404 from None
