"""Instances from written-out SQL rows (flowcoach.lib.rows): the same values and deferred
fields a queryset with `.only()` gives, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from django.db import connection

from flowcoach.accounts.actor import build_actor
from flowcoach.accounts.models import Membership, Organisation, Role
from flowcoach.lib import rows


def test_it_loads_a_row_with_the_orms_conversions(world):
    world.org.require_mfa = True
    world.org.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, require_mfa, created_at FROM accounts_organisation WHERE id = %s",
            [world.org.pk],
        )
        row = cursor.fetchone()
    loaded = rows.load(Organisation, ["id", "require_mfa", "created_at"], row)
    assert loaded.require_mfa is True
    assert loaded.created_at == Organisation.objects.get(pk=world.org.pk).created_at
    assert loaded.get_deferred_fields() == {"name", "slug", "time_zone", "sending_email"}
    assert loaded.name == world.org.name  # a deferred field loads when read


def test_it_saves_only_the_loaded_fields_of_a_loaded_row(world):
    loaded = rows.load(Organisation, ["id", "require_mfa"], [world.org.pk, False])
    Organisation.objects.filter(pk=world.org.pk).update(name="Renamed meanwhile")
    loaded.require_mfa = True
    loaded.save()
    stored = Organisation.objects.get(pk=world.org.pk)
    assert stored.require_mfa is True and stored.name == "Renamed meanwhile"


def test_it_builds_the_actor_from_active_memberships_only(world):
    second = Organisation.objects.create(name="Aardvark Coaching", slug="aardvark")
    Membership.objects.create(user=world.coach, organisation=second, role=Role.ADMIN)
    Membership.objects.create(
        user=world.coach, organisation=second, role=Role.COACH, is_active=False
    )
    actor = build_actor(world.coach, second.pk)
    assert actor.organisation == second and actor.roles == {Role.ADMIN}
    assert actor.organisations[0] == second  # by name
    assert world.org in actor.organisations
    assert build_actor(world.coach, None).organisation == second
    assert build_actor(world.coach, world.org.pk).roles >= {Role.COACH}
