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
from django.urls import get_resolver, reverse
from freezegun import freeze_time

from flowcoach.accounts.models import User
from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Engagement
from tests.query_counts import FLOOR

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

# Few rows: ten clients a coach, eight sessions a client. Many: fifty clients a coach (two
# pages of the client list), twenty sessions a client with about twenty notes each.
SIZES = {
    "few": ["--coaches", "3", "--clients", "30", "--sessions", "240", "--notes", "1200"],
    "many": ["--coaches", "3", "--clients", "150", "--sessions", "3000", "--notes", "24000"],
}

MOMENT = "2026-06-10 09:30:00+00:00"  # a Wednesday morning in Europe and in the Americas


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
    # One fixed moment (time still runs from it): which sessions fall today, which programs
    # wait for a booking and so on follow the clock, and an empty list skips its prefetch,
    # so a count read at another hour could differ for reasons that have nothing to do with
    # size.
    # The URLs (and with them the API's schemas) load before the clock is frozen: pydantic
    # cannot build a schema for freezegun's stand-in datetime.
    assert get_resolver().url_patterns
    with freeze_time(MOMENT, tick=True), django_db_blocker.unblock():
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


def count(http: HttpClient, url: str, expected: int = 200, **post) -> int:
    """Queries of one answer, read once before so sessions and caches are warm."""
    send = (lambda: http.post(url, **post)) if post else (lambda: http.get(url))
    assert send().status_code == expected
    with CaptureQueriesContext(connection) as queries:
        response = send()
    assert response.status_code == expected, response.status_code
    return len(queries)


def _client_page(name: str, query: str = ""):
    return lambda p: reverse(name, args=[p.client.pk]) + query


def _session_page(name: str, which: str):
    return lambda p: reverse(name, args=[getattr(p, which).pk])


def _page(name: str, query: str = ""):
    return lambda p: reverse(name) + query


# Who reads the page, its own queries on top of FLOOR, and its address.
PAGES = {
    "coach: home": ("coach", 11, _page("coach_home")),
    "coach: client list": ("coach", 6, _page("client_list")),
    "coach: client list, page 2": ("coach", 6, _page("client_list", "?page=2")),
    "coach: client list, a search": (
        "coach",
        6,
        lambda p: reverse("client_list") + "?q=" + p.client.full_name.split()[-1],
    ),
    "coach: client page": ("coach", 15, _client_page("client_detail")),
    "coach: client page, page 2": ("coach", 15, _client_page("client_detail", "?page=2")),
    "coach: motivation profile": ("coach", 5, _client_page("profile_detail")),
    "coach: client progress": ("coach", 5, _client_page("client_progress")),
    "coach: preparation": ("coach", 14, _session_page("runner_prepare", "coming")),
    "coach: runner page": ("coach", 14, _session_page("runner", "coming")),
    "coach: summary": ("coach", 6, _session_page("runner_summary", "held")),
    "coach: summary, Markdown": ("coach", 7, _session_page("runner_summary_md", "held")),
    "coach: summary, PDF": ("coach", 7, _session_page("runner_summary_pdf", "held")),
    "coach: outbox": ("coach", 3, _page("outbox")),
    "coach: sessions": ("coach", 3, _page("session_list")),
    "coach: engagement": (
        "coach",
        3,
        lambda p: reverse("engagement_detail", args=[p.engagement.pk]),
    ),
    "coach: check-in schedule": (
        "coach",
        3,
        lambda p: reverse("engagement_checkins", args=[p.engagement.pk]),
    ),
    "client: portal": ("client", 13, _page("portal")),
    "client: progress": ("client", 4, _page("portal_progress")),
    "client: commitments": ("client", 4, _page("portal_commitments")),
    "client: email choices": ("client", 2, _page("checkin_preferences")),
    "client: API sessions": ("client", 2, lambda p: "/api/v1/sessions/"),
    "client: API one session": ("client", 5, lambda p: f"/api/v1/sessions/{p.held.pk}/"),
    "client: API commitments": ("client", 3, lambda p: "/api/v1/commitments/"),
    "client: API me": ("client", 5, lambda p: "/api/v1/me/"),
    "admin: overview": ("admin", 5, _page("admin_home")),
    "admin: organisation figures": ("admin", 5, _page("organisation_figures")),
    "admin: audit log": ("admin", 2, _page("audit_log")),
    "admin: check-in overview": ("admin", 1, _page("checkin_overview")),
    "admin: outbox": ("admin", 2, _page("outbox")),
    "admin: client list": ("admin", 7, _page("client_list")),
}


def test_it_measures_the_floor_as_a_signed_in_address_with_no_view(practice, db):
    http = practice.http(practice.coach)
    assert count(http, "/no-such-page/", expected=404) == FLOOR
    # The health probe reads no session and builds no person: its own query only.
    assert count(http, reverse("healthz")) == 1


@pytest.mark.parametrize("page", sorted(PAGES))
def test_it_answers_every_page_in_fixed_queries(practice, db, page):
    role, own, url = PAGES[page]
    reader = {"coach": practice.coach, "client": practice.client.user, "admin": practice.admin}
    assert count(practice.http(reader[role]), url(practice)) == FLOOR + own


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
    assert len(queries) == FLOOR + 4
