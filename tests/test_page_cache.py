"""Kept copies of pages (accounts/page_cache.py): served again only to the same sign-in, in
the same organisation, while nothing was written, within the minute; never across people or
organisations, never hiding a change or a waiting message."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from flowcoach.accounts.models import Membership, Role
from flowcoach.accounts.page_cache import HIT_HEADER
from flowcoach.clients.models import Client
from flowcoach.lib import generations
from tests.query_counts import FLOOR

pytestmark = pytest.mark.django_db


def kept(response) -> bool:
    return response.get(HIT_HEADER) == "kept copy"


def edit_client(http, client: Client, **changes) -> None:
    data = {
        "full_name": client.full_name,
        "email": client.email,
        "company": client.company,
        "job_title": client.job_title,
        "phone": client.phone,
        "time_zone": client.time_zone,
        **changes,
    }
    response = http.post(f"/clients/{client.pk}/edit/", data)
    assert response.status_code == 302, response.content[:500]


def test_it_serves_a_kept_copy_again_to_the_same_sign_in(world):
    http = world.login(world.coach)
    first = http.get(f"/clients/{world.client.pk}/")
    again = http.get(f"/clients/{world.client.pk}/")
    assert first.status_code == again.status_code == 200
    assert not kept(first) and kept(again)
    assert again.content == first.content
    assert b"Cliff Client" in again.content


def test_it_never_gives_one_persons_copy_to_another_person_or_organisation(world):
    """Same path, asked by people who may see it and people who may not, after the coach's
    copy was made: nobody but the coach's own sign-in ever gets it."""
    coach = world.login(world.coach)
    coach.get("/clients/")
    assert kept(coach.get("/clients/"))

    # Another coach of the same organisation: their own list, made for them.
    colleague = world.login(world.other_coach).get("/clients/")
    assert not kept(colleague)
    assert b"Clara Second" in colleague.content and b"Cliff Client" not in colleague.content

    # The admin of another organisation, on the same address.
    stranger = world.login(world.other_admin).get("/clients/")
    assert not kept(stranger) and b"Cliff Client" not in stranger.content

    # The same coach signed in on a second browser gets a copy of their own.
    second_browser = world.login(world.coach)
    assert not kept(second_browser.get("/clients/"))

    # The same coach working in a second organisation sees that organisation's list.
    Membership.objects.create(user=world.coach, organisation=world.other_org, role=Role.COACH)
    Client.objects.create(
        organisation=world.other_org, coach=world.coach, full_name="Oona Other", email="o@x.test"
    )
    coach.post("/organisations/switch/", {"organisation": world.other_org.pk})
    other_list = coach.get("/clients/")
    assert not kept(other_list)
    assert b"Oona Other" in other_list.content and b"Cliff Client" not in other_list.content


def test_it_leaves_copies_behind_when_the_organisation_writes_anything(world):
    coach = world.login(world.coach)
    page = f"/clients/{world.client.pk}/"
    coach.get(page)
    assert kept(coach.get(page))

    # Through a page (the write is the organisation's)...
    edit_client(coach, world.client, company="Northwind")
    coach.get(page)  # shows the "saved" message, so it is rendered, not kept
    fresh = coach.get(page)
    assert b"Northwind" in fresh.content

    # ...by another person of the organisation (a colleague, the client on the portal)...
    assert kept(coach.get(page))
    edit_client(world.login(world.admin), world.client, company="Southwind")
    after_admin = coach.get(page)
    assert not kept(after_admin) and b"Southwind" in after_admin.content

    # ...and outside any request (the worker, a command): a bulk update the ORM sends
    # without signals is seen too.
    assert kept(coach.get(page))
    Client.objects.filter(pk=world.client.pk).update(company="Eastwind")
    after_worker = coach.get(page)
    assert not kept(after_worker) and b"Eastwind" in after_worker.content


def test_it_keeps_copies_when_only_another_organisation_writes(world):
    coach = world.login(world.coach)
    coach.get("/clients/")
    other_client = Client.objects.create(
        organisation=world.other_org,
        coach=world.other_admin,
        full_name="Far Away",
        email="far@away.test",
    )
    stranger = world.login(world.other_admin)
    # The test's own writes above are nobody's request: they changed everything.
    coach.get("/clients/")
    assert kept(coach.get("/clients/"))
    edit_client(stranger, other_client, company="Elsewhere Ltd")
    assert kept(coach.get("/clients/"))


def test_it_never_swallows_a_waiting_message(world):
    coach = world.login(world.coach)
    page = f"/clients/{world.client.pk}/"
    coach.get(page)
    assert kept(coach.get(page))
    # A message set by a request that wrote nothing (a file the exports page does not offer).
    coach.post("/exports/prepare/", {"format": "exe", "table": "clients"})
    shown = coach.get(page)
    assert not kept(shown)
    assert b"Please choose one of the files on this page." in shown.content


def test_it_renders_afresh_when_the_browser_asks_for_it(world):
    coach = world.login(world.coach)
    coach.get("/home/")
    assert kept(coach.get("/home/"))
    assert not kept(coach.get("/home/", headers={"Cache-Control": "no-cache"}))
    assert not kept(coach.get("/home/", headers={"Pragma": "no-cache"}))


def test_it_keeps_a_copy_for_a_minute_at_most(world):
    coach = world.login(world.coach)
    coach.get("/home/")  # loads every address (and the API's schemas) before time stands still
    with freeze_time("2026-12-07 10:00:05") as clock:
        coach.get("/home/")
        clock.tick(40)
        assert kept(coach.get("/home/"))
        clock.tick(30)  # into the next minute
        assert not kept(coach.get("/home/"))


@pytest.mark.urls("tests.page_cache_urls")
def test_it_sends_a_kept_page_with_the_nonce_its_body_carries(world):
    coach = world.login(world.coach)
    first = coach.get("/nonce/")
    again = coach.get("/nonce/")
    assert kept(again)
    header_nonce = re.search(r"'nonce-([^']+)'", again["Content-Security-Policy"]).group(1)
    assert re.findall(rb'nonce="([^"]+)"', again.content) == [header_nonce.encode()]
    assert again.content == first.content
    assert "no-store" in again["Cache-Control"]


def test_it_keeps_nothing_for_htmx_fragments_under_the_full_pages_name(world):
    coach = world.login(world.coach)
    coach.get("/clients/")
    fragment = coach.get("/clients/", headers={"HX-Request": "true"})
    assert not kept(fragment)


def test_it_can_be_switched_off(world, settings):
    settings.FLOWCOACH_PAGE_CACHE = False
    coach = world.login(world.coach)
    coach.get("/home/")
    assert not kept(coach.get("/home/"))


# --- the generations themselves ----------------------------------------------------------------


def tokens(organisation_id: int) -> tuple[str, ...]:
    return generations.current((f"organisation:{organisation_id}",))


def test_it_changes_the_generation_for_rows_written_not_for_statements_that_matched_none(world):
    before = tokens(world.org.pk)
    assert tokens(world.org.pk) == before
    Client.objects.filter(pk=-1).update(company="nobody")
    assert tokens(world.org.pk) == before
    Client.objects.filter(pk=world.client.pk).update(company="Someone")
    assert tokens(world.org.pk)[0] != before[0]


def test_it_ignores_tables_no_page_shows(world):
    world.login(world.coach)  # writes a session row
    before = tokens(world.org.pk)
    caches["default"].set("a-key", "a-value")  # the database cache's table
    assert tokens(world.org.pk) == before


def test_it_names_the_table_each_statement_writes():
    assert generations.written_table('INSERT INTO "clients_client" ("a") VALUES (1)') == (
        "clients_client"
    )
    assert generations.written_table("  update clients_client SET a = 1") == "clients_client"
    assert generations.written_table('DELETE FROM "x_y" WHERE id = 1') == "x_y"
    assert generations.written_table('SELECT * FROM "clients_client"') is None
    assert generations.written_table("SAVEPOINT s1") is None


@pytest.mark.django_db(transaction=True)
def test_it_changes_the_generation_again_when_the_transaction_commits(world):
    """A copy made from the old data by another process between the write and the commit
    is left behind by the second change."""
    seen = []
    with transaction.atomic():
        Client.objects.filter(pk=world.client.pk).update(company="In flight")
        seen.append(tokens(world.org.pk)[0])
        with transaction.atomic():
            Client.objects.filter(pk=world.client.pk).update(company="Nested")
    seen.append(tokens(world.org.pk)[0])
    assert seen[0] != seen[1]


@pytest.mark.django_db(transaction=True)
def test_it_still_changes_at_commit_after_a_rolled_back_savepoint(world):
    with transaction.atomic():
        try:
            with transaction.atomic():
                Client.objects.filter(pk=world.client.pk).update(company="Rolled back")
                raise RuntimeError
        except RuntimeError:
            pass
        Client.objects.filter(pk=world.client.pk).update(company="Kept")
        during = tokens(world.org.pk)[0]
    assert tokens(world.org.pk)[0] != during


KEPT_PAGES = [
    "/home/",
    "/clients/",
    "/clients/{client}/",
    "/clients/{client}/profile/",
    "/clients/{client}/progress/",
    "/sessions/",
    "/outbox/",
]


@pytest.mark.parametrize("page", KEPT_PAGES)
def test_it_serves_a_kept_copy_for_the_request_floor_alone_at_any_size(world, page):
    coach = world.login(world.coach)
    url = page.format(client=world.client.pk)

    def kept_queries() -> int:
        coach.get(url)  # rendered (the data just changed)...
        coach.get(url)  # ...and again if that wrote (the profile is made on first sight)
        with CaptureQueriesContext(connection) as captured:
            assert kept(coach.get(url))
        return len(captured.captured_queries)

    few = kept_queries()
    for number in range(30):
        Client.objects.create(
            organisation=world.org,
            coach=world.coach,
            full_name=f"Grown Client {number}",
            email=f"grown{number}@harbour.test",
        )
    assert few == kept_queries() == FLOOR


def test_it_still_serves_and_saves_when_the_cache_is_unreachable(world, settings, caplog):
    """A full disk or Redis gone costs speed, never a page or a write."""
    coach = world.login(world.coach)
    unreachable = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",  # nothing listens on the discard port
    }
    settings.CACHES = {**settings.CACHES, "pages": unreachable, "generations": unreachable}
    page = coach.get(f"/clients/{world.client.pk}/")
    assert page.status_code == 200 and not kept(page)
    edit_client(coach, world.client, company="Still Saved")
    world.client.refresh_from_db()
    assert world.client.company == "Still Saved"
    assert "Could not" in caplog.text


def test_it_sees_a_write_made_while_a_page_is_built(world):
    """The motivation profile is made the first time its page is opened: the copy of that
    first page must not be served once the profile exists (SQLite reports an INSERT with
    RETURNING as zero rows until its rows are read)."""
    coach = world.login(world.coach)
    url = f"/clients/{world.client.pk}/profile/"
    assert not kept(coach.get(url))
    assert not kept(coach.get(url))
    assert kept(coach.get(url))


def test_it_shows_a_new_name_given_while_working_in_another_organisation(world):
    """A person's name shows in every organisation they belong to: renaming themselves while
    working in one retires the copies of the others."""
    Membership.objects.create(user=world.coach, organisation=world.other_org, role=Role.COACH)
    coach = world.login(world.coach)
    admin = world.login(world.admin)
    admin.get("/clients/")
    assert kept(admin.get("/clients/"))
    coach.post("/organisations/switch/", {"organisation": world.other_org.pk})
    token = generations.scope.set(generations.names_for(world.other_org.pk, world.coach.pk))
    try:  # as the account page does while the coach works in the other organisation
        type(world.coach).objects.filter(pk=world.coach.pk).update(full_name="Cora Renamed")
    finally:
        generations.scope.reset(token)
    fresh = admin.get("/clients/")
    assert not kept(fresh) and b"Cora Renamed" in fresh.content


@pytest.mark.django_db(transaction=True)
def test_it_changes_the_generations_twice_per_transaction_not_per_statement(world, monkeypatch):
    """Each change is a cache write (two files, or Redis): a save of several statements pays
    for two, at its first write and at its commit."""
    changes = []
    real = generations.changed
    monkeypatch.setattr(generations, "changed", lambda names: changes.append(names) or real(names))
    with transaction.atomic():
        for number in range(5):
            Client.objects.filter(pk=world.client.pk).update(company=f"Step {number}")
    assert len(changes) == 2
    Client.objects.filter(pk=world.client.pk).update(company="On its own")
    assert len(changes) == 3


def test_it_keeps_generations_in_file_times_that_every_process_sees(tmp_path, settings):
    """Without Redis the generations are files under VAR_DIR: a change made by another
    process (a worker) is seen at once, and every change gives a new token."""
    import subprocess
    import sys

    settings.CACHES = {k: v for k, v in settings.CACHES.items() if k != "generations"}
    settings.FLOWCOACH_GENERATIONS_DIR = tmp_path / "generations"
    names = ("organisation:7", "person:9")
    first = generations.current(names)
    assert generations.current(names) == first and len(first) == 3
    seen = {first}
    for _ in range(20):
        generations.changed(names)
        now = generations.current(names)
        assert now[0] == first[0] and now[1:] != first[1:] and now not in seen
        seen.add(now)
    code = (
        "import os, secrets; from pathlib import Path;"
        f"p = Path({str(tmp_path / 'generations' / 'organisation-7')!r}); t = secrets.randbits(62);"
        "os.utime(p, ns=(t, t))"
    )
    before = generations.current(names)
    subprocess.run([sys.executable, "-c", code], check=True)
    after = generations.current(names)
    assert after[1] != before[1] and after[2] == before[2]
