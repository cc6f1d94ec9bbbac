"""Who is asking: the signed-in user, the organisation they are working in, and their roles
there. Built once per request by the middleware and read by the access policy."""

from __future__ import annotations

from dataclasses import dataclass, field

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


def build_actor(user: User, preferred_organisation_id: int | None) -> Actor:
    memberships = list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "role")
    )
    if not memberships:
        return Actor(user=user)
    organisations: dict[int, Organisation] = {}
    for membership in memberships:
        organisations.setdefault(membership.organisation_id, membership.organisation)
    active_id = (
        preferred_organisation_id
        if preferred_organisation_id in organisations
        else next(iter(organisations))
    )
    roles = frozenset(m.role for m in memberships if m.organisation_id == active_id)
    return Actor(
        user=user,
        organisation=organisations[active_id],
        roles=roles,
        organisations=tuple(organisations.values()),
    )
