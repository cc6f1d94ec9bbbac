"""Writes that touch client records and their profiles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from flowcoach.accounts import hooks
from flowcoach.accounts import services as account_services
from flowcoach.accounts.audit import audit_record
from flowcoach.accounts.models import (
    AuditAction,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)

from .models import Client, MotivationProfile, ProfileAttachment

CONTACT_FIELDS = ("full_name", "email", "company", "job_title", "phone", "time_zone")
DUPLICATE_EMAIL = "A client with this email is already in your organisation."


class DuplicateClient(Exception):
    """Another client of the organisation already has this email."""


@dataclass(frozen=True)
class NewClient:
    """One client to create, already validated (by a form or the CSV import)."""

    coach: User
    full_name: str
    email: str
    company: str = ""
    job_title: str = ""
    phone: str = ""
    time_zone: str = "UTC"


def _unsaved(*, organisation: Organisation, new: NewClient) -> Client:
    return Client(
        organisation=organisation,
        coach=new.coach,
        full_name=new.full_name.strip(),
        email=new.email.strip().lower(),
        company=new.company.strip(),
        job_title=new.job_title.strip(),
        phone=new.phone.strip(),
        time_zone=new.time_zone or "UTC",
    )


def _create(*, organisation: Organisation, new: NewClient) -> Client:
    client = _unsaved(organisation=organisation, new=new)
    client.save()
    # Every client has a profile from day one, so the coach's profile page never has to
    # wonder whether one exists.
    MotivationProfile.objects.create(client=client)
    return client


@transaction.atomic
def client_create(
    *,
    organisation: Organisation,
    coach: User,
    full_name: str,
    email: str,
    company: str = "",
    job_title: str = "",
    phone: str = "",
    time_zone: str = "UTC",
) -> Client:
    new = NewClient(
        coach=coach,
        full_name=full_name,
        email=email,
        company=company,
        job_title=job_title,
        phone=phone,
        time_zone=time_zone,
    )
    try:
        # Two submits with one email both pass the form's check; the per-organisation email
        # constraint lets one through and the other gets a plain answer, never a 500.
        with transaction.atomic():
            return _create(organisation=organisation, new=new)
    except IntegrityError:
        raise DuplicateClient(DUPLICATE_EMAIL) from None


@transaction.atomic
def client_update(*, client: Client, **changes: str) -> Client:
    unknown = set(changes) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"client_update() cannot change {sorted(unknown)}")
    for name, value in changes.items():
        value = (value or "").strip()
        setattr(client, name, value.lower() if name == "email" else value)
    client.save()
    return client


@transaction.atomic
def client_archive(*, client: Client) -> Client:
    if client.archived_at is None:
        client.archived_at = timezone.now()
        client.save(update_fields=["archived_at", "updated_at"])
    return client


@transaction.atomic
def client_restore(*, client: Client) -> Client:
    if client.archived_at is not None:
        client.archived_at = None
        client.save(update_fields=["archived_at", "updated_at"])
    return client


class ReassignRefused(Exception):
    """The client cannot change coach yet; the message says why and nothing changed."""


@transaction.atomic
def client_reassign(*, client: Client, coach: User, by: User | None = None) -> Client:
    """Moves the client, and with them all their coaching (apps above hear of it through
    hooks), to `coach` in one transaction: a client belongs to one coach at a time."""
    client = (
        Client.objects.select_for_update(of=("self",)).select_related("coach").get(pk=client.pk)
    )
    previous = client.coach
    if previous.pk == coach.pk:
        return client
    objections = hooks.collect(hooks.CLIENT_REASSIGN_OBJECTIONS, client=client, coach=coach)
    if objections:
        raise ReassignRefused(" ".join(objections))
    client.coach = coach
    client.save(update_fields=["coach", "updated_at"])
    try:
        hooks.fire(hooks.CLIENT_REASSIGNING, client=client, previous_coach=previous, coach=coach)
    except hooks.Refused as error:
        # Raising out of the atomic block rolls back the coach change as well.
        raise ReassignRefused(str(error)) from None
    audit_record(
        organisation=client.organisation_id,
        actor=by,
        action=AuditAction.COACH_CHANGED,
        object_type="client",
        object_id=client.pk,
        detail={"from_user": previous.pk, "to_user": coach.pk},
    )
    return client


@transaction.atomic
def client_invite(*, client: Client, invited_by: User) -> Invitation:
    """Invites the client to their portal; a new invitation withdraws any earlier link."""
    return account_services.invitation_create(
        organisation=client.organisation,
        invited_by=invited_by,
        email=client.email,
        role=Role.CLIENT,
        full_name=client.full_name,
        # The zone the coach recorded: the acceptance form starts from it, not the
        # organisation's.
        payload={"client_id": client.pk, "time_zone": client.time_zone},
    )


@transaction.atomic
def clients_import(*, organisation: Organisation, rows: Iterable[NewClient]) -> list[Client]:
    """Creates every client or none: one bad row rolls back the whole file. Inserted in
    batches because a 2,000-row file one INSERT at a time keeps the request waiting."""
    clients = Client.objects.bulk_create(
        [_unsaved(organisation=organisation, new=new) for new in rows], batch_size=500
    )
    MotivationProfile.objects.bulk_create(
        [MotivationProfile(client=client) for client in clients], batch_size=500
    )
    return clients


def _user_session_keys(user: User) -> list[str]:
    # Django's sessions hold the user id inside encoded data, not as a foreign key, so they
    # do not cascade; decoding each live session is the only reliable way to find them.
    keys = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            keys.append(session.session_key)
    return keys


@transaction.atomic
def client_delete(*, client: Client, by: User | None = None) -> None:
    """Removes every trace of the client: record, profile with its themes, stories and files,
    invitations, their membership here, and their sign-in when nothing else needs it."""
    client = Client.objects.select_for_update(of=("self",)).select_related("user").get(pk=client.pk)
    organisation_id = client.organisation_id
    storage_names = [
        (attachment.file.storage, attachment.file.name)
        for attachment in ProfileAttachment.objects.filter(profile__client=client)
        if attachment.file.name
    ]
    Invitation.objects.filter(organisation_id=organisation_id).filter(
        Q(payload__client_id=client.pk) | Q(email__iexact=client.email)
    ).delete()
    user = client.user
    # An id and nothing else: the log must not keep what the deletion removes.
    audit_record(
        organisation=organisation_id,
        actor=by,
        action=AuditAction.CLIENT_DELETED,
        object_type="client",
        object_id=client.pk,
    )
    hooks.fire(hooks.CLIENT_DELETING, client=client)
    client.delete()  # cascades to the profile, ranked themes, stories and attachment rows
    if user is not None:
        Membership.objects.filter(
            user=user, organisation_id=organisation_id, role=Role.CLIENT
        ).delete()
        still_needed = (
            Membership.objects.filter(user=user).exists()
            or Client.objects.filter(user=user).exists()
            or Client.objects.filter(coach=user).exists()
        )
        if not still_needed:
            # Through the session store, so the cached copy goes with the row (settings:
            # SESSION_ENGINE); a row deleted alone would leave the copy signed in.
            store = import_module(settings.SESSION_ENGINE).SessionStore()
            for session_key in _user_session_keys(user):
                store.delete(session_key)
            user.delete()  # cascades to allauth's email addresses and authenticators

    def remove_files() -> None:
        # Files go only once the rows are surely gone: a rollback must not leave a profile
        # pointing at a missing report.
        for storage, name in storage_names:
            storage.delete(name)

    transaction.on_commit(remove_files)


@transaction.atomic
def client_invitation_accepted(*, invitation: Invitation, user: User) -> None:
    """Links the client record named in the invitation to the account that accepted it."""
    client_id = invitation.payload.get("client_id")
    if client_id is None:
        return
    Client.objects.filter(pk=client_id, organisation=invitation.organisation).update(user=user)


def coach_suspension_objection(*, membership, **_) -> str | None:
    """A coach with active clients cannot lose access: every client must keep a coach."""
    if membership.role != "coach":
        return None
    count = Client.objects.filter(
        organisation=membership.organisation, coach=membership.user, archived_at__isnull=True
    ).count()
    if count:
        return (
            f"{membership.user} still coaches {count} active client(s) here. Reassign them first."
        )
    return None
