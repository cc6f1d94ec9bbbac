"""Every page of the load benchmark (and the pages around it) answers in the same, exact
number of queries on a practice with few rows and on one with many: the practice is the one
`seed_large` writes, seeded once per size for this module, and the page is read as the
benchmark reads it (the coach with the most history, their client with a portal).

Each count is the page's own queries plus FLOOR, what any signed-in request pays before its
view (tests/query_counts.py), so a change to the floor moves every page by the same number."""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import dataclass

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from flowcoach.accounts.models import User
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Engagement
from tests.query_counts import FLOOR

# Few rows: ten clients a coach, eight sessions a client. Many: fifty clients a coach (two
# pages of the client list), twenty sessions a client with about twenty notes each.
SIZES = {
    "few": ["--coaches", "3", "--clients", "30", "--sessions", "240", "--notes", "1200"],
    "many": ["--coaches", "3", "--clients", "150", "--sessions", "3000", "--notes", "24000"],
}


@dataclass
class Practice:
    coach: User
    admin: User
    client: Client
    engagement: Engagement
    held: CoachingSession
    coming: CoachingSession

    def http(self, user: User) -> HttpClient:
        http = HttpClient()
        http.force_login(user)
        return http


@pytest.fixture(scope="module", params=sorted(SIZES))
def practice(request, django_db_setup, django_db_blocker):
    """The large practice at one size, seeded once for the module inside a transaction that
    is rolled back afterwards, so no other test sees it (each test adds its own savepoint)."""
    with django_db_blocker.unblock():
        with transaction.atomic():
            call_command("seed_large", *SIZES[request.param], "--quiet", stdout=io.StringIO())
            coach = User.objects.get(email="coach0@large.test")
            client = (
                Client.objects.filter(coach=coach, user__isnull=False, engagements__status="active")
                .order_by("pk")
                .first()
            )
            engagement = client.engagements.get(status="active")
            sessions = engagement.sessions.order_by("sequence")
            yield Practice(
                coach=coach,
                admin=User.objects.get(email="admin@large.test"),
                client=client,
                engagement=engagement,
                held=sessions.filter(status="held").last(),
                coming=sessions.filter(status="scheduled").first(),
            )
            transaction.set_rollback(True)


def count(http: HttpClient, url: str, **post) -> int:
    """Queries of one answer, read once before so sessions and caches are warm."""
    send = (lambda: http.post(url, **post)) if post else (lambda: http.get(url))
    assert send().status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == 200, response.status_code
    return len(queries)


# The page's own queries, on top of FLOOR.
COACH = {
    "coach_home": 10,
    "client_list": 5,
    "client_list_search": 5,
    "client_list_page_2": 5,
    "client_detail": 14,
    "client_detail_page_2": 14,
    "profile_detail": 4,
    "client_progress": 4,
    "runner_prepare": 13,
    "runner": 13,
    "runner_summary": 5,
    "runner_summary_md": 6,
    "runner_summary_pdf": 6,
    "outbox": 2,
    "session_list": 2,
    "engagement_detail": 2,
    "engagement_checkins": 2,
}
CLIENT = {
    "portal": 12,
    "portal_progress": 3,
    "portal_commitments": 3,
    "checkin_preferences": 1,
    "api_sessions": 1,
    "api_session": 4,
    "api_commitments": 2,
    "api_me": 4,
}
ADMIN = {
    "admin_home": 4,
    "organisation_figures": 4,
    "audit_log": 1,
    "checkin_overview": 0,
    "outbox": 1,
    "client_list": 6,
}


def coach_url(name: str, p: Practice) -> str:
    client, held, coming = p.client.pk, p.held.pk, p.coming.pk
    return {
        "coach_home": reverse("coach_home"),
        "client_list": reverse("client_list"),
        "client_list_search": reverse("client_list") + "?q=" + p.client.full_name.split()[-1],
        "client_list_page_2": reverse("client_list") + "?page=2",
        "client_detail": reverse("client_detail", args=[client]),
        "client_detail_page_2": reverse("client_detail", args=[client]) + "?page=2",
        "profile_detail": reverse("profile_detail", args=[client]),
        "client_progress": reverse("client_progress", args=[client]),
        "runner_prepare": reverse("runner_prepare", args=[coming]),
        "runner": reverse("runner", args=[coming]),
        "runner_summary": reverse("runner_summary", args=[held]),
        "runner_summary_md": reverse("runner_summary_md", args=[held]),
        "runner_summary_pdf": reverse("runner_summary_pdf", args=[held]),
        "outbox": reverse("outbox"),
        "session_list": reverse("session_list"),
        "engagement_detail": reverse("engagement_detail", args=[p.engagement.pk]),
        "engagement_checkins": reverse("engagement_checkins", args=[p.engagement.pk]),
    }[name]


def client_url(name: str, p: Practice) -> str:
    return {
        "portal": reverse("portal"),
        "portal_progress": reverse("portal_progress"),
        "portal_commitments": reverse("portal_commitments"),
        "checkin_preferences": reverse("checkin_preferences"),
        "api_sessions": "/api/v1/sessions/",
        "api_session": f"/api/v1/sessions/{p.held.pk}/",
        "api_commitments": "/api/v1/commitments/",
        "api_me": "/api/v1/me/",
    }[name]


def admin_url(name: str, p: Practice) -> str:
    return {
        "admin_home": reverse("admin_home"),
        "organisation_figures": reverse("organisation_figures"),
        "audit_log": reverse("audit_log"),
        "checkin_overview": reverse("checkin_overview"),
        "outbox": reverse("outbox"),
        "client_list": reverse("client_list"),
    }[name]


def test_it_measures_the_floor_as_a_signed_in_healthz(practice, db):
    assert count(practice.http(practice.coach), reverse("healthz")) == FLOOR


@pytest.mark.parametrize("name", sorted(COACH))
def test_it_answers_the_coach_in_fixed_queries(practice, db, name):
    url = coach_url(name, practice)
    assert count(practice.http(practice.coach), url) == FLOOR + COACH[name]


@pytest.mark.parametrize("name", sorted(CLIENT))
def test_it_answers_the_client_in_fixed_queries(practice, db, name):
    url = client_url(name, practice)
    assert count(practice.http(practice.client.user), url) == FLOOR + CLIENT[name]


@pytest.mark.parametrize("name", sorted(ADMIN))
def test_it_answers_the_admin_in_fixed_queries(practice, db, name):
    url = admin_url(name, practice)
    assert count(practice.http(practice.admin), url) == FLOOR + ADMIN[name]


def test_it_saves_a_runner_note_in_fixed_queries(practice, db):
    http = practice.http(practice.coach)
    url = reverse("runner_notes", args=[practice.coming.pk])
    note = str(uuid.uuid4())

    def save(version):
        body = {"uuid": note, "base_version": version, "body": "Rises when **winning**."}
        response = http.post(url, json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()["version"]

    version = save(save(None))
    with CaptureQueriesContext(connection) as queries:
        save(version)
    assert len(queries) == FLOOR + 3
