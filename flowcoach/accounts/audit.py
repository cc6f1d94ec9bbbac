"""The audit log's one writer, and the sign-in hook that notes new devices.

Apps on every floor record here (accounts is the ground floor of apps), inside the
transaction of the action they record, so an action that rolls back leaves no entry. What an
entry may hold is checked, not trusted: ids, counts and short codes, never words a person
typed."""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.db import IntegrityError, transaction

from .models import AuditAction, AuditEntry, KnownDevice, Membership, Organisation, Role, User

CODE = re.compile(r"^[a-z0-9_.:-]{1,40}$")


def _clean_detail(detail: dict) -> dict:
    clean = {}
    for key, value in (detail or {}).items():
        if not CODE.match(str(key)):
            raise ValueError(f"audit detail key {key!r} is not a short code")
        values = value if isinstance(value, list) else [value]
        for item in values:
            if isinstance(item, bool | int):
                continue
            if not (isinstance(item, str) and CODE.match(item)):
                raise ValueError(f"audit detail {key!r} holds more than counts and codes")
        clean[key] = value
    return clean


def audit_record(
    *,
    organisation: Organisation | int,
    actor: User | None,
    action: str,
    object_type: str = "",
    object_id: int | None = None,
    actor_role: str = "",
    detail: dict | None = None,
) -> AuditEntry:
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return AuditEntry.objects.create(
        organisation_id=organisation_id,
        actor=actor if actor is not None and actor.pk else None,
        actor_role=actor_role,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=_clean_detail(detail or {}),
    )


def settings_changed(
    *, organisation: Organisation, by: User | None, object_type: str, object_id: int, detail: dict
) -> AuditEntry:
    """An admin changed an organisation setting; `by` is None when a command or the system
    did it, so no role is claimed for nobody."""
    return audit_record(
        organisation=organisation,
        actor=by,
        actor_role=Role.ADMIN if by is not None else "",
        action=AuditAction.SETTINGS_CHANGED,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


def export_noted(actor, *, object_type: str, object_id: int, file_format: str) -> AuditEntry:
    """A coach took data away (`actor` as `policy.actor_of` gives it): who, what kind of
    object and which file format, never what the file held."""
    return audit_record(
        organisation=actor.organisation,
        actor=actor.user,
        actor_role=Role.COACH,
        action=AuditAction.EXPORT,
        object_type=object_type,
        object_id=object_id,
        detail={"format": file_format},
    )


def _fingerprint(user_agent: str) -> str:
    # Keyed, so the table cannot be matched against a list of known agents elsewhere.
    return hmac.new(
        settings.SECRET_KEY.encode(), user_agent.encode("utf-8", "replace"), hashlib.sha256
    ).hexdigest()


def sign_in_noted(*, user: User, user_agent: str) -> bool:
    """Remembers the device; a device never seen before (after the first ever sign-in) is
    recorded for each organisation the person works in. Answers whether it was new."""
    fingerprint = _fingerprint(user_agent or "")
    first_ever = not KnownDevice.objects.filter(user=user).exists()
    try:
        with transaction.atomic():
            KnownDevice.objects.create(user=user, fingerprint=fingerprint)
    except IntegrityError:
        return False  # seen before (or by a simultaneous sign-in)
    if first_ever:
        return False
    for membership in Membership.objects.filter(user=user, is_active=True):
        audit_record(
            organisation=membership.organisation_id,
            actor=user,
            actor_role=membership.role,
            action=AuditAction.NEW_DEVICE,
            object_type="user",
            object_id=user.pk,
        )
    return True


def on_user_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not getattr(user, "pk", None):
        return
    sign_in_noted(user=user, user_agent=request.headers.get("User-Agent", ""))
