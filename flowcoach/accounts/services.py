"""Writes across accounts, organisations, memberships and invitations."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from . import hooks
from .audit import audit_record, settings_changed
from .models import AuditAction, Invitation, Membership, Organisation, Role, User

INVITATION_SALT = "flowcoach.invitation"
INVITATION_DAYS = 14


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the visitor."""


class InvitationPending(Exception):
    """Another invitation to the same address and role was sent at the same moment."""


INVITATION_PENDING = "An invitation to this address is on its way already."


def _unique_slug(name: str) -> str:
    base = slugify(name)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def user_create(
    *, email: str, full_name: str, password: str | None, time_zone: str = "UTC"
) -> User:
    """A user whose email is already proven (they followed an emailed link or are set up by
    an operator), so allauth does not ask them to verify it again."""
    user = User.objects.create_user(
        email=email, password=password, full_name=full_name, time_zone=time_zone
    )
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@transaction.atomic
def organisation_create(
    *,
    name: str,
    admin_email: str,
    admin_full_name: str,
    admin_password: str | None,
    time_zone: str = "UTC",
    admin_also_coaches: bool = False,
) -> tuple[Organisation, User]:
    """Creates an organisation with its first admin (the first-run page and the
    `create_organisation` command). An existing user becomes admin of the new organisation.
    A practitioner running their own practice is both: `admin_also_coaches` adds the coach
    role, so they can take on clients straight away."""
    organisation = Organisation.objects.create(
        name=name.strip(), slug=_unique_slug(name), time_zone=time_zone
    )
    user = User.objects.filter(email__iexact=admin_email).first()
    if user is None:
        user = user_create(
            email=admin_email,
            full_name=admin_full_name,
            password=admin_password,
            time_zone=time_zone,
        )
    Membership.objects.create(user=user, organisation=organisation, role=Role.ADMIN)
    if admin_also_coaches:
        Membership.objects.create(user=user, organisation=organisation, role=Role.COACH)
    hooks.fire(hooks.ORGANISATION_CREATED, organisation=organisation)
    return organisation, user


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitation_accept", args=[invitation_token(invitation)])
    return f"{settings.SITE_URL}{path}"


def _send_invitation_email(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "url": invitation_url(invitation),
        "inviter": invitation.invited_by,
        "days": INVITATION_DAYS,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    from_email = invitation.organisation.sending_email or settings.DEFAULT_FROM_EMAIL
    send_mail(
        subject=subject,
        message=render_to_string("accounts/email/invitation.txt", context),
        html_message=render_to_string("accounts/email/invitation.html", context),
        from_email=from_email,
        recipient_list=[invitation.email],
    )
    # The record keeps the words but not the personal link, which only the invited person
    # should hold.
    context["url"] = "(their personal link, kept out of the outbox)"
    hooks.fire(
        hooks.INVITATION_SENT,
        invitation=invitation,
        subject=subject,
        text_body=render_to_string("accounts/email/invitation.txt", context),
        from_email=from_email,
    )


@transaction.atomic
def invitation_create(
    *,
    organisation: Organisation,
    invited_by: User,
    email: str,
    role: str,
    full_name: str = "",
    payload: dict | None = None,
) -> Invitation:
    """Creates and emails an invitation; earlier pending invitations for the same address and
    role are revoked so only the newest link works."""
    email = email.strip().lower()
    Invitation.objects.filter(
        organisation=organisation, email__iexact=email, role=role, status=Invitation.Status.PENDING
    ).update(status=Invitation.Status.REVOKED)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                full_name=full_name.strip(),
                role=role,
                invited_by=invited_by,
                payload=payload or {},
                expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
            )
    except IntegrityError:
        # A simultaneous send (a double click, two admins) won: its link is the live one.
        raise InvitationPending(INVITATION_PENDING) from None
    # Sent after commit so a rolled-back invitation never reaches anyone's inbox.
    transaction.on_commit(lambda: _send_invitation_email(invitation))
    return invitation


def invitation_resend(*, invitation: Invitation) -> Invitation:
    return invitation_create(
        organisation=invitation.organisation,
        invited_by=invitation.invited_by,
        email=invitation.email,
        role=invitation.role,
        full_name=invitation.full_name,
        payload=invitation.payload,
    )


def invitation_revoke(*, invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.save(update_fields=["status"])


def invitation_from_token(token: str) -> Invitation:
    """Resolves a link to a usable invitation, or explains why it cannot be used."""
    try:
        data = signing.loads(
            token, salt=INVITATION_SALT, max_age=timedelta(days=INVITATION_DAYS + 1)
        )
    except signing.SignatureExpired:
        raise InvitationError("This invitation has expired. Ask for a new one.") from None
    except signing.BadSignature:
        raise InvitationError(
            "This invitation link is not valid. Check that it was copied whole."
        ) from None
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=data.get("i"))
        .first()
    )
    if invitation is not None and invitation.status == Invitation.Status.REVOKED:
        replaced = Invitation.objects.filter(
            organisation=invitation.organisation,
            email__iexact=invitation.email,
            role=invitation.role,
            status=Invitation.Status.PENDING,
            pk__gt=invitation.pk,
        ).exists()
        if replaced:
            raise InvitationError(
                "A newer invitation replaced this link. Use the one in the most recent email."
            )
    if invitation is None or invitation.status == Invitation.Status.REVOKED:
        raise InvitationError(
            "This invitation was withdrawn. Ask for a new one if you still need it."
        )
    if invitation.status == Invitation.Status.ACCEPTED:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if invitation.is_expired:
        raise InvitationError("This invitation has expired. Ask for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    invitation: Invitation,
    user: User | None = None,
    full_name: str = "",
    password: str | None = None,
    time_zone: str = "UTC",
) -> User:
    """Accepts for a signed-in `user`, or creates the account from the form's fields."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.PENDING:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if user is None:
        user = user_create(
            email=invitation.email, full_name=full_name, password=password, time_zone=time_zone
        )
    elif user.email.lower() != invitation.email.lower():
        raise InvitationError(
            f"This invitation is for {invitation.email}. Sign out and open the link again."
        )
    Membership.objects.update_or_create(
        user=user,
        organisation=invitation.organisation,
        role=invitation.role,
        defaults={"is_active": True},
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["status", "accepted_at", "accepted_by"])
    hooks.fire(hooks.invitation_accepted(invitation.role), invitation=invitation, user=user)
    audit_record(
        organisation=invitation.organisation_id,
        actor=user,
        actor_role=invitation.role,
        action=AuditAction.MEMBER_JOINED,
        object_type="user",
        object_id=user.pk,
        detail={"role": invitation.role},
    )
    return user


def _pending_invitations(email: str):
    return Invitation.objects.filter(
        email__iexact=email, status=Invitation.Status.PENDING, expires_at__gt=timezone.now()
    ).select_related("organisation")


@transaction.atomic
def invitation_account_for_code(*, email: str) -> User | None:
    """Someone invited who asks for a sign-in code before accepting gets their account now,
    without a password, so the code can be sent; only the code, sent to the invited
    address, opens it, and signing in with it accepts the invitation. None when the address
    has no pending invitation (or already has an account)."""
    if User.objects.filter(email__iexact=email).exists():
        return None
    invitation = _pending_invitations(email).order_by("-created_at").first()
    if invitation is None:
        return None
    return user_create(
        email=invitation.email,
        full_name=invitation.full_name or invitation.email.split("@")[0],
        password=None,
        time_zone=invitation.time_zone,
    )


def invitations_accept_on_sign_in(*, user: User) -> list[Invitation]:
    """Accepts the pending invitations of someone who signed in (proving they read mail at
    the invited address) and belongs to no organisation yet: the invitation accepted by
    code alone. A member of an organisation still accepts a further one on its page."""
    if Membership.objects.filter(user=user).exists():
        return []
    accepted = []
    for invitation in _pending_invitations(user.email):
        invitation_accept(invitation=invitation, user=user)
        accepted.append(invitation)
    return accepted


class MembershipError(Exception):
    pass


@transaction.atomic
def membership_set_active(
    *, membership: Membership, active: bool, by: User | None = None
) -> Membership:
    """Suspends or restores someone's access to one organisation. Apps above may object (a
    coach who still has clients keeps access until an admin reassigns them)."""
    if not active:
        objections = hooks.collect(hooks.MEMBERSHIP_SUSPENDING, membership=membership)
        if objections:
            raise MembershipError(" ".join(objections))
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    audit_record(
        organisation=membership.organisation_id,
        actor=by,
        actor_role=Role.ADMIN if by is not None else "",
        action=AuditAction.MEMBER_RESTORED if active else AuditAction.MEMBER_SUSPENDED,
        object_type="membership",
        object_id=membership.pk,
        detail={"role": membership.role},
    )
    return membership


@transaction.atomic
def retention_set(*, organisation: Organisation, settings: dict, by: User | None) -> Organisation:
    from .retention import clean_settings

    clean = clean_settings(settings)
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    changed = sorted(
        key
        for key in set(clean) | set(organisation.retention or {})
        if clean.get(key) != (organisation.retention or {}).get(key)
    )
    organisation.retention = clean
    organisation.save(update_fields=["retention"])
    if changed:
        settings_changed(
            organisation=organisation,
            by=by,
            object_type="retention",
            object_id=organisation.pk,
            detail={"fields": changed},
        )
    return organisation
