"""Exports a coach takes away: streamed CSV and JSON of one client or the whole practice,
the two formats agreeing, only the coach's own clients, spreadsheet formulas defused, and
every download in the audit log."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flowcoach.accounts.models import AuditAction, AuditEntry
from flowcoach.clients.models import Client
from flowcoach.coaching.models import Commitment
from tests.session_helpers import enrol

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")


def body(response) -> str:
    assert response.streaming, "exports are streamed, not built in memory"
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(body(response).lstrip("\ufeff"))))


@pytest.fixture
def coaching(world):
    enrol(world)
    enrol(world, client=world.other_client, coach=world.other_coach)
    for text, state in [("Call three buyers", "kept"), ('=HYPERLINK("http://x")', "open")]:
        Commitment.objects.create(client=world.client, uuid=uuid.uuid4(), text=text, state=state)
    Commitment.objects.create(
        client=world.other_client, uuid=uuid.uuid4(), text="Not Cora's client", state="open"
    )


def test_it_exports_one_client_as_csv_and_json_that_agree(world, coaching):
    coach = world.login(world.coach)
    sessions = csv_rows(coach.get(reverse("client_export_csv", args=[world.client.pk, "sessions"])))
    commitments = csv_rows(
        coach.get(reverse("client_export_csv", args=[world.client.pk, "commitments"]))
    )
    whole = json.loads(body(coach.get(reverse("client_export_json", args=[world.client.pk]))))
    assert len(sessions) == world.client.engagements.get().sessions.count() > 0
    assert {row["client"] for row in sessions} == {world.client.full_name}
    assert [row["commitment"] for row in commitments] == [
        "Call three buyers",
        '\'=HYPERLINK("http://x")',  # a formula stays text in a spreadsheet
    ]
    assert [row["session"] for row in whole["sessions"]] == [row["session"] for row in sessions]
    assert [row["state"] for row in whole["commitments"]] == [row["state"] for row in commitments]
    assert whole["commitments"][1]["commitment"] == '=HYPERLINK("http://x")'
    exported = AuditEntry.objects.filter(action=AuditAction.EXPORT).values_list(
        "object_type", "object_id"
    )
    assert set(exported) == {
        ("client_sessions", world.client.pk),
        ("client_commitments", world.client.pk),
        ("client", world.client.pk),
    }


def test_it_exports_the_coachs_whole_practice_and_nobody_elses(world, coaching):
    extra = Client.objects.create(
        organisation=world.org, coach=world.coach, full_name="Mo Second", email="mo@example.org"
    )
    enrol(world, client=extra)
    coach = world.login(world.coach)
    assert coach.get(reverse("practice_exports")).status_code == 200
    rows = csv_rows(coach.get(reverse("practice_export_csv", args=["sessions"])))
    assert {row["client"] for row in rows} == {world.client.full_name, "Mo Second"}
    whole = json.loads(body(coach.get(reverse("practice_export_json"))))
    assert "Not Cora's client" not in json.dumps(whole)
    assert coach.get(reverse("practice_export_csv", args=["unknown"])).status_code == 404


def test_it_refuses_everyone_but_the_clients_coach(world, coaching):
    url = reverse("client_export_json", args=[world.client.pk])
    for other in (world.other_coach, world.admin):
        assert world.login(other).get(url).status_code == 404
    assert world.login(world.client_user).get(url).status_code == 403
    assert world.login(world.admin).get(reverse("practice_exports")).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


@pytest.mark.parametrize("extra", [0, 40])
def test_it_streams_in_the_same_queries_whatever_the_size(world, coaching, extra):
    for n in range(extra):
        Commitment.objects.create(client=world.client, uuid=uuid.uuid4(), text=f"C{n}")
    coach = world.login(world.coach)
    url = reverse("practice_export_json")
    body(coach.get(url))
    with CaptureQueriesContext(connection) as queries:
        text = body(coach.get(url))
    assert len(json.loads(text)["commitments"]) == 2 + extra
    # session, user, memberships, the audit entry, sessions, commitments, check-ins (a table
    # the check-ins app registers)
    assert len(queries) == 5, [q["sql"] for q in queries.captured_queries]
