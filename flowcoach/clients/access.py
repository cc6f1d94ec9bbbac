"""Access rules for client records and profiles, built on the accounts policy primitives.

- An admin sees every client of the organisation (name, contact, coach, state) but never the
  profile's content: that is coaching material.
- A coach sees and edits only the clients they coach.
- A client sees only their own record, and only the profile fields shared with them.
Anything else is a 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from flowcoach.accounts.actor import Actor

from .models import Client, MotivationProfile, ProfileAttachment, ThemeCatalog


def clients_visible_to(actor: Actor) -> QuerySet[Client]:
    if actor.organisation is None:
        return Client.objects.none()
    qs = Client.objects.filter(organisation=actor.organisation)
    if actor.is_admin:
        return qs
    if actor.is_coach:
        return qs.filter(coach=actor.user)
    return Client.objects.none()


def get_client_for(actor: Actor, pk: int) -> Client:
    """A client record the actor may manage (admin: any in the organisation; coach: own)."""
    try:
        # The client's own sign-in too: the client page shows when they last came in.
        return clients_visible_to(actor).select_related("coach", "organisation", "user").get(pk=pk)
    except Client.DoesNotExist:
        raise Http404 from None


def get_coached_client_for(actor: Actor, pk: int) -> Client:
    """A client whose coaching material (profile, attachments) the actor may read and edit:
    only their coach, never an admin."""
    if actor.organisation is None or not actor.is_coach:
        raise Http404
    try:
        return Client.objects.select_related("coach", "organisation").get(
            pk=pk, organisation=actor.organisation, coach=actor.user
        )
    except Client.DoesNotExist:
        raise Http404 from None


def own_client_record(actor: Actor) -> Client:
    """The signed-in client's own record in the active organisation."""
    if actor.organisation is None or not actor.is_client:
        raise Http404
    client = (
        Client.objects.select_related("coach", "organisation")
        .filter(organisation=actor.organisation, user=actor.user)
        .first()
    )
    if client is None:
        raise Http404
    return client


def get_attachment_for(actor: Actor, pk: int) -> ProfileAttachment:
    """The coach reads every attachment of their clients; a client only shared ones of their
    own profile."""
    attachment = ProfileAttachment.objects.select_related("profile__client").filter(pk=pk).first()
    if attachment is None or actor.organisation is None:
        raise Http404
    client = attachment.profile.client
    if client.organisation_id != actor.organisation.pk:
        raise Http404
    if actor.is_coach and client.coach_id == actor.user.pk:
        return attachment
    if (
        actor.is_client
        and client.user_id == actor.user.pk
        and attachment.visibility == "shared_with_client"
    ):
        return attachment
    raise Http404


def profile_of(client: Client) -> MotivationProfile:
    profile, _ = MotivationProfile.objects.get_or_create(client=client)
    return profile


def get_client_for_admin(actor: Actor, pk: int) -> Client:
    """A client record only an admin may act on (choosing its coach): anyone else gets a
    404, as if the record did not exist for them."""
    if actor.organisation is None or not actor.is_admin:
        raise Http404
    return get_client_for(actor, pk)


def coach_choices_for(actor: Actor):
    """The coaches an actor may give a client to: an admin picks among the organisation's
    active coaches; a coach only ever adds clients for themselves."""
    from flowcoach.accounts import policy

    if actor.is_admin:
        return policy.coaches_of(actor)
    return policy.coaches_of(actor).filter(pk=actor.user.pk)


def get_catalog_for(actor: Actor, pk: int) -> ThemeCatalog:
    """A theme catalog of the actor's organisation. Admins and coaches read it (coaches rank
    themes from it and add missing ones); which of them may change it is decided per view."""
    if actor.organisation is None or not (actor.is_admin or actor.is_coach):
        raise Http404
    try:
        return ThemeCatalog.objects.select_related("organisation").get(
            pk=pk, organisation=actor.organisation
        )
    except ThemeCatalog.DoesNotExist:
        raise Http404 from None
