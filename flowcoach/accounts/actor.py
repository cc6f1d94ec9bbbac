"""Who is asking: the signed-in user, the organisation they are working in, and their roles
there. Built once per request by the middleware and read by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from flowcoach.lib import rows

from .models import Membership, Organisation, Role, User

SESSION_KEY = "flowcoach_organisation_id"


@dataclass(frozen=True)
class Actor:
    user: User | None
    organisation: Organisation | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    organisations: tuple[Organisation, ...] = ()

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_coach(self) -> bool:
        return Role.COACH in self.roles

    @property
    def is_client(self) -> bool:
        return Role.CLIENT in self.roles

    @property
    def is_staff_role(self) -> bool:
        """Admins and coaches: the people an organisation may require two factors from."""
        return self.is_admin or self.is_coach


ANONYMOUS = Actor(user=None)


# Built on every request. Through the ORM (select_related and an ordering across the join)
# this one query cost about 0.6 ms of CPU, a tenth of an autosave; written out, far less
# (bench/README.md).
_ORGANISATION_COLUMNS = [field.attname for field in Organisation._meta.concrete_fields]
_MEMBERSHIPS_SQL = (
    "SELECT m.role, "
    + ", ".join(f"o.{Organisation._meta.get_field(name).column}" for name in _ORGANISATION_COLUMNS)
    + f" FROM {Membership._meta.db_table} m"
    + f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
    + " WHERE m.user_id = %s AND m.is_active ORDER BY o.name, m.role"
)


def build_actor(user: User, preferred_organisation_id: int | None) -> Actor:
    with connection.cursor() as cursor:
        cursor.execute(_MEMBERSHIPS_SQL, [user.pk])
        memberships = cursor.fetchall()
    if not memberships:
        return Actor(user=user)
    organisations: dict[int, Organisation] = {}
    roles_by_organisation: dict[int, set[str]] = {}
    for role, *columns in memberships:
        organisation = rows.load(Organisation, _ORGANISATION_COLUMNS, columns)
        organisations.setdefault(organisation.pk, organisation)
        roles_by_organisation.setdefault(organisation.pk, set()).add(role)
    active_id = (
        preferred_organisation_id
        if preferred_organisation_id in organisations
        else next(iter(organisations))
    )
    return Actor(
        user=user,
        organisation=organisations[active_id],
        roles=frozenset(roles_by_organisation[active_id]),
        organisations=tuple(organisations.values()),
    )
