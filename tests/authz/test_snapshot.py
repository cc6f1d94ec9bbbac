"""The database snapshot the authorization matrix compares around each refused POST. If it
went blind (a table left out, a kind of change unseen), every "refused, wrote nothing" row of
the matrix would pass without proving anything; these tests make that fail instead."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import F

from flowcoach.accounts.models import Membership, Role
from flowcoach.clients.models import Client
from tests.authz.snapshot import changed_tables, database_rows


def test_it_reads_every_table_in_the_database_but_django_s_own_bookkeeping(db):
    read = {apps.get_model(label)._meta.db_table for label in database_rows()}
    tables = set(connection.introspection.table_names())
    # Sessions change on any request that sets a message; the cache table (when the cache is
    # the database) counts sign-in failures, which a refused request may rightly add to.
    bookkeeping = {"django_session", "django_migrations", "flowcoach_cache"}
    assert tables - read <= bookkeeping
    assert "django_session" in tables - read
    assert read <= tables


def test_it_sees_nothing_when_nothing_was_written(world):
    before = database_rows()
    assert any(before.values())
    assert changed_tables(before, database_rows()) == []


def test_it_sees_one_text_column_of_one_row_change(world):
    before = database_rows()
    Client.objects.filter(pk=world.client.pk).update(company="Acme Holdings")
    assert changed_tables(before, database_rows()) == ["clients.Client"]


def test_it_sees_a_timestamp_move_by_one_microsecond(world):
    before = database_rows()
    Client.objects.filter(pk=world.other_client.pk).update(
        created_at=F("created_at") + timedelta(microseconds=1)
    )
    assert changed_tables(before, database_rows()) == ["clients.Client"]


def test_it_sees_a_flag_flip(world):
    before = database_rows()
    Membership.objects.filter(user=world.coach).update(is_active=False)
    assert changed_tables(before, database_rows()) == ["accounts.Membership"]


def test_it_sees_a_row_inserted(world):
    before = database_rows()
    Membership.objects.create(user=world.coach, organisation=world.other_org, role=Role.COACH)
    assert changed_tables(before, database_rows()) == ["accounts.Membership"]


def test_it_sees_a_row_deleted(world):
    before = database_rows()
    Membership.objects.filter(user=world.other_coach).delete()
    assert changed_tables(before, database_rows()) == ["accounts.Membership"]


def test_it_sees_a_row_replaced_by_another_though_the_count_stays(world):
    before = database_rows()
    Membership.objects.filter(user=world.other_coach).delete()
    Membership.objects.create(user=world.coach, organisation=world.other_org, role=Role.COACH)
    assert changed_tables(before, database_rows()) == ["accounts.Membership"]


def test_it_sees_a_row_in_a_many_to_many_table_django_made(world):
    group = Group.objects.create(name="Reviewers")
    before = database_rows()
    world.coach.groups.add(group)
    assert changed_tables(before, database_rows()) == ["accounts.User_groups"]
