"""The client list with each client's next and last session, open commitments and attention
flag, sortable with search kept; and the Sessions page (coming up, recently done, to
schedule) with its client filter."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching.models import CoachingSession, Commitment
from tests.home_helpers import add_client


def html_of(http, name: str, query: str = "") -> str:
    response = http.get(reverse(name) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_next_and_last_session_commitments_and_attention(world):
    client = add_client(world, 1)
    booked = CoachingSession.objects.get(engagement__client=client, status="scheduled")
    html = html_of(world.login(world.coach), "client_list")
    row = html.split(f'href="/clients/{client.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert reverse("session_detail", args=[booked.pk]) in row and "Today 12:00" in row
    last = row.split('data-label="Last session">', 1)[1].split("</td>", 1)[0]
    held = CoachingSession.objects.get(engagement__client=client, status="held").starts_at
    assert last == held.astimezone(timezone.get_current_timezone()).strftime("%a ") + str(
        held.day
    ) + held.strftime(" %b")
    assert "Quiet for 21 days" in row
    assert '<td data-label="Open commitments">1</td>' in row
    # world.client: in no program, so nothing asks for attention.
    plain = html.split(f'href="/clients/{world.client.pk}/"', 1)[1].split("</tr>", 1)[0]
    assert "None booked" in plain and '<span class="muted">No</span>' in plain


def test_it_flags_nothing_booked_and_overdue_commitments(world):
    client = add_client(world, 1)
    CoachingSession.objects.filter(engagement__client=client, status="scheduled").update(
        status="unscheduled", starts_at=None
    )
    Commitment.objects.filter(client=client).update(
        due_date=timezone.now().date() - timedelta(days=2)
    )
    html = html_of(world.login(world.coach), "client_list")
    assert "Nothing booked" in html and "Commitment overdue" in html


def test_it_sorts_by_each_column_and_keeps_the_search(world):
    near, far = add_client(world, 1), add_client(world, 2)
    CoachingSession.objects.filter(engagement__client=far, status="scheduled").update(
        starts_at=timezone.now() + timedelta(days=3)
    )
    Commitment.objects.create(client=far, uuid="00000000-0000-0000-0000-000000000001", text="x")
    http = world.login(world.coach)

    def order(query: str) -> list[int]:
        html = html_of(http, "client_list", query)
        names = [c.full_name for c in (near, far, world.client)]
        found = [(html.index(name), name) for name in names if name in html]
        return [name for _, name in sorted(found)]

    assert order("?sort=next") == [near.full_name, far.full_name, world.client.full_name]
    assert order("?sort=commitments")[0] == far.full_name
    assert order("?sort=name") == sorted([near.full_name, far.full_name, world.client.full_name])
    assert order("?sort=next&q=Number2") == [far.full_name]
    # An unknown sort falls back to names; the chosen sort is kept in the form.
    assert order("?sort=bogus") == order("?sort=name")
    assert '<option value="next" selected>' in html_of(http, "client_list", "?sort=next")


def test_it_lists_coming_up_recent_and_to_schedule_sessions(world):
    client = add_client(world, 1)
    booked = CoachingSession.objects.get(engagement__client=client, status="scheduled")
    held = CoachingSession.objects.get(engagement__client=client, status="held")
    http = world.login(world.coach)
    upcoming = html_of(http, "session_list")
    assert reverse("runner_prepare", args=[booked.pk]) in upcoming
    assert reverse("session_detail", args=[held.pk]) not in upcoming
    recent = html_of(http, "session_list", "?show=recent")
    assert reverse("runner_summary", args=[held.pk]) in recent
    assert reverse("runner_prepare", args=[booked.pk]) not in recent
    CoachingSession.objects.filter(pk=booked.pk).update(status="unscheduled", starts_at=None)
    waiting = html_of(http, "session_list", "?show=to_schedule")
    assert reverse("session_schedule", args=[booked.pk]) in waiting


def test_it_filters_sessions_by_client_and_ignores_anothers(world):
    mine, theirs = add_client(world, 1), add_client(world, 2)
    other = add_client(world, 3, coach=world.other_coach)
    http = world.login(world.coach)
    html = html_of(http, "session_list", f"?client={mine.pk}")
    assert mine.full_name in html.split("<tbody>", 1)[1]
    assert theirs.full_name not in html.split("<tbody>", 1)[1]
    # Another coach's client is not a choice: the filter falls back to every client of mine.
    html = html_of(http, "session_list", f"?client={other.pk}")
    assert other.full_name not in html
    assert theirs.full_name in html


def test_it_says_so_when_nothing_is_booked(world):
    html = html_of(world.login(world.coach), "session_list")
    assert "No session booked from today on." in html
    assert "No session held yet." in html_of(
        world.login(world.coach), "session_list", "?show=recent"
    )
