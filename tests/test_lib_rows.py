"""`lib.rows.load`: a written-out SQL row becomes the same instance `.only()` would give."""

from __future__ import annotations

from django.db import connection

from flowcoach.accounts.actor import build_actor
from flowcoach.accounts.models import Membership, Organisation, Role
from flowcoach.coaching.models import CoachingSession
from flowcoach.lib import rows
from flowcoach.programs.models import TemplateVersion


def test_it_puts_each_value_in_its_own_field_whatever_the_column_order(db):
    # Given out of the model's field order (id, then outcomes, then segments), so a loader
    # that trusted the order given would swap the two.
    version = rows.load(
        TemplateVersion,
        ["outcomes", "id", "segments"],
        ['["one outcome"]', 7, '[{"name": "a"}, {"name": "b"}]'],
    )
    assert version.pk == 7
    assert version.segments == [{"name": "a"}, {"name": "b"}]
    assert version.outcomes == ["one outcome"]


def test_it_defers_every_field_it_was_not_given(db):
    session = rows.load(CoachingSession, ["status", "id"], ["planned", 3])
    assert session.pk == 3 and session.status == "planned"
    assert session.get_deferred_fields() >= {"engagement_id", "template_version_id"}


def test_it_converts_values_as_the_orm_does(world):
    world.org.require_mfa = True
    world.org.save()
    stored = Organisation.objects.get(pk=world.org.pk)
    with connection.cursor() as cursor:  # each backend hands back its own raw values
        cursor.execute(
            "SELECT id, require_mfa, created_at FROM accounts_organisation WHERE id = %s",
            [stored.pk],
        )
        row = cursor.fetchone()
    loaded = rows.load(Organisation, ["id", "require_mfa", "created_at"], row)
    assert loaded.require_mfa is True and loaded.created_at == stored.created_at
    assert loaded.name == stored.name  # a deferred field loads when read


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
    assert Role.COACH in build_actor(world.coach, world.org.pk).roles
