"""Access rules for engagements and sessions: coaching material, so only the client's coach
(never an admin, who sees counts elsewhere)."""

from __future__ import annotations

from django.db import connection
from django.http import Http404

from flowcoach.accounts.actor import Actor
from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client
from flowcoach.lib import rows
from flowcoach.programs.models import TemplateVersion

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
            # The client's own coach too: the check-ins the runner and preparation show are
            # dated in that coach's zone (one query saved on each of those pages).
            "engagement__client__coach",
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


# Every autosave runs this. Built with the ORM (select_related over five tables) it cost
# about 1.3 ms of CPU, a quarter of a save; written out, about 0.1 ms (bench/README.md).
# Same rule as get_session_for: the session's own coach, in the actor's organisation.
_SAVE_SQL = (
    "SELECT s.id, s.status, s.engagement_id, s.template_version_id, e.client_id,"
    " tv.segments, tv.outcomes"
    f" FROM {CoachingSession._meta.db_table} s"
    f" JOIN {Engagement._meta.db_table} e ON e.id = s.engagement_id"
    f" JOIN {TemplateVersion._meta.db_table} tv ON tv.id = s.template_version_id"
    " WHERE s.id = %s AND e.organisation_id = %s AND e.coach_id = %s"
)


def get_session_for_save(actor: Actor, pk: int) -> CoachingSession:
    """The session as an autosave needs it, for its engagement's coach only.

    Only the columns the runner's writes read are loaded (status, the template's segments
    and outcomes, the engagement's client); the rest are deferred, as `.only()` would leave
    them, so reading another field loads it and saving writes the loaded fields only."""
    if actor.organisation is None or not actor.is_coach:
        raise Http404
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_SQL, [int(pk), actor.organisation.pk, actor.user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    session_id, status, engagement_id, version_id, client_id, segments, outcomes = row
    session = rows.load(
        CoachingSession,
        ["id", "status", "engagement_id", "template_version_id"],
        [session_id, status, engagement_id, version_id],
    )
    session.template_version = rows.load(
        TemplateVersion, ["id", "segments", "outcomes"], [version_id, segments, outcomes]
    )
    session.engagement = rows.load(
        Engagement,
        ["id", "organisation_id", "client_id", "coach_id"],
        [engagement_id, actor.organisation.pk, client_id, actor.user.pk],
    )
    session.engagement.client = rows.load(Client, ["id"], [client_id])
    return session


def client_suspended(client: Client) -> bool:
    """True when the client's account was suspended in the client's organisation. Links in
    emails work without sign-in, so they ask this themselves, as the access policy would."""
    if client.user_id is None:
        return False
    return Membership.objects.filter(
        user_id=client.user_id,
        organisation_id=client.organisation_id,
        role=Role.CLIENT,
        is_active=False,
    ).exists()
