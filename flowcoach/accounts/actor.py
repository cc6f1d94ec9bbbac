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
# (bench/README.md). The signed-in user comes in the same query (`load_signed_in`): the
# request's floor was the session, the user and this, three round trips before any view.
_USER_COLUMNS = [field.attname for field in User._meta.concrete_fields]
_ORGANISATION_COLUMNS = [field.attname for field in Organisation._meta.concrete_fields]
_ORGANISATION_SELECT = ", ".join(
    f"o.{Organisation._meta.get_field(name).column}" for name in _ORGANISATION_COLUMNS
)
_MEMBERSHIPS_SQL = (
    f"SELECT m.role, {_ORGANISATION_SELECT}"
    + f" FROM {Membership._meta.db_table} m"
    + f" JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
    + " WHERE m.user_id = %s AND m.is_active ORDER BY o.name, m.role"
)
_SIGNED_IN_SQL = (
    "SELECT "
    + ", ".join(f"u.{User._meta.get_field(name).column}" for name in _USER_COLUMNS)
    + f", m.role, {_ORGANISATION_SELECT}"
    + f" FROM {User._meta.db_table} u"
    + f" LEFT JOIN {Membership._meta.db_table} m ON m.user_id = u.id AND m.is_active"
    + f" LEFT JOIN {Organisation._meta.db_table} o ON o.id = m.organisation_id"
    + " WHERE u.id = %s ORDER BY o.name, m.role"
)
# Where a user loaded by `load_signed_in` keeps its memberships for `build_actor`. The user
# object lives for one request, so these can never be older than the request.
_MEMBERSHIPS_ATTRIBUTE = "_flowcoach_memberships"


def load_signed_in(user_id: int) -> User | None:
    """The user and their active memberships, with their organisations, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_SIGNED_IN_SQL, [user_id])
        found = cursor.fetchall()
    if not found:
        return None
    width = len(_USER_COLUMNS)
    user = rows.load(User, _USER_COLUMNS, found[0][:width])
    setattr(user, _MEMBERSHIPS_ATTRIBUTE, [row[width:] for row in found if row[width]])
    return user


def build_actor(user: User, preferred_organisation_id: int | None) -> Actor:
    memberships = getattr(user, _MEMBERSHIPS_ATTRIBUTE, None)
    if memberships is None:
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
