"""Home, the client page, the client list and the Sessions page answer in the same number of
queries whatever the size of the practice: counted exactly at two sizes, so a query added
per client or per entry fails here."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse
from freezegun import freeze_time

from tests.home_helpers import lengthen_history, practice

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

# One of every signed-in request (the user with the actor's memberships) is included; the
# session is read from its cache (settings.SESSION_ENGINE).
COACH_PAGES = {
    # Today and the week, drafts and their count, overdue recaps, commitments due, programs
    # with nothing booked and their waiting sessions, quiet candidates and four activity
    # providers (check-in answers among them).
    "coach_home": 12,
    # The client (with their sign-in), portal access (an invitation, for a client who has
    # not joined), eight timeline providers (ten queries, with check-in weeks, commitment
    # updates and progress lines, coaching reports), next session, programs, open
    # commitments, latest purpose.
    "client_detail": 17,
    # Count, the page of clients with every column, four activity providers.
    "client_list": 7,
    "session_list": 4,
}
ADMIN_PAGES = {
    # Invitations, people counts, coaches with their numbers, the outbox counts (two).
    "admin_home": 6,
    "client_list": 8,
}
SIZES = [2, 9]


@pytest.fixture(autouse=True)
def _morning():
    """A fixed morning: the practice books a session for today at noon, so in the afternoon
    every program waits for a booking and the waiting sessions' prefetch adds a query."""
    assert get_resolver().url_patterns  # the API's schemas, built on the real datetime
    with freeze_time("2026-06-10 08:30:00+00:00", tick=True):
        yield


def queries_for(http, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries)


def url_for(name: str, clients) -> str:
    if name == "client_detail":
        return reverse(name, args=[clients[0].pk])
    return reverse(name)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", sorted(COACH_PAGES))
def test_it_answers_a_coach_in_a_fixed_number_of_queries(world, name, size):
    clients = practice(world, size)
    assert queries_for(world.login(world.coach), url_for(name, clients)) == COACH_PAGES[name]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("query", ["?show=recent", "?show=to_schedule", "?show=upcoming"])
def test_it_keeps_every_sessions_tab_fixed(world, query, size):
    practice(world, size)
    http = world.login(world.coach)
    expected = 3 if query == "?show=to_schedule" else COACH_PAGES["session_list"]
    assert queries_for(http, reverse("session_list") + query) == expected


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", sorted(ADMIN_PAGES))
def test_it_answers_an_admin_in_a_fixed_number_of_queries(world, name, size):
    clients = practice(world, size)
    assert queries_for(world.login(world.admin), url_for(name, clients)) == ADMIN_PAGES[name]


@pytest.mark.parametrize("extra", [0, 30])
@pytest.mark.parametrize("page", [1, 2])
def test_it_reads_a_short_and_a_long_history_in_the_same_queries(world, extra, page):
    """A client's page costs the same whatever the length of their history, on any page of
    the timeline."""
    client = practice(world, 1)[0]
    lengthen_history(world, client, extra)
    http = world.login(world.coach)
    url = reverse("client_detail", args=[client.pk]) + f"?page={page}"
    assert queries_for(http, url) == COACH_PAGES["client_detail"]
