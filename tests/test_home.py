"""The coach's Home and the admin's overview: what needs doing today, each item one click
from its action, empty sections that say so, and an overview with numbers, never content."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching import emails
from flowcoach.coaching.models import CoachingSession, Commitment, Engagement
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Message, State
from tests.home_helpers import add_client, practice


def page(http, name="coach_home") -> str:
    response = http.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lands_a_coach_on_home_and_an_admin_on_the_overview(world):
    assert world.login(world.coach).get(reverse("home"))["Location"] == reverse("coach_home")
    assert world.login(world.admin).get(reverse("home"))["Location"] == reverse("admin_home")


def test_it_shows_every_section_with_its_action(world):
    client = add_client(world, 1)
    today = CoachingSession.objects.get(engagement__client=client, status="scheduled")
    held = CoachingSession.objects.get(engagement__client=client, status="held")
    follow_up = Message.objects.get(key=emails.follow_up_key(held))
    html = page(world.login(world.coach))
    # Today's session, one click from preparing or running it.
    assert reverse("runner_prepare", args=[today.pk]) in html
    assert reverse("runner", args=[today.pk]) in html
    assert "13:00 Paris time for Pat" in html  # the client's own time beside the coach's
    # The overdue recap is a draft, so it is both waiting and overdue.
    assert f'name="message" value="{follow_up.pk}"' in html
    assert "Review the recap" in html and reverse("outbox_message", args=[follow_up.pk]) in html
    assert "Call three old customers (1)" in html and "due " in html
    # Held three weeks ago and nothing since: quiet.
    assert "last heard from 21 days ago" in html
    assert reverse("client_detail", args=[client.pk]) + "#timeline" in html


def test_it_says_so_when_a_section_is_empty(world):
    html = page(world.login(world.coach))
    for line in (
        "No session today.",
        "Nothing waits for your approval.",
        "Every recap has gone out.",
        "No commitment falls due this week.",
        "Every client in a program has a session booked.",
        "Nobody has gone quiet",
    ):
        assert line in html


def test_it_lists_programs_with_nothing_booked_with_the_session_to_book(world):
    client = add_client(world, 2)
    CoachingSession.objects.filter(engagement__client=client, status="scheduled").update(
        status="unscheduled", starts_at=None
    )
    waiting = CoachingSession.objects.filter(
        engagement__client=client, status="unscheduled"
    ).order_by("sequence")[0]
    html = page(world.login(world.coach))
    assert reverse("session_schedule", args=[waiting.pk]) in html
    assert f"Book {waiting.code}" in html


def test_it_does_not_count_a_recap_that_went_out_or_is_on_its_way(world):
    client = add_client(world, 3)
    held = CoachingSession.objects.get(engagement__client=client, status="held")
    follow_up = Message.objects.get(key=emails.follow_up_key(held))
    outbox.message_approve(message=follow_up, user=world.coach)
    assert "Review the recap" not in page(world.login(world.coach))


def test_it_flags_a_held_session_with_no_recap_at_all(world):
    client = add_client(world, 4)
    held = CoachingSession.objects.get(engagement__client=client, status="held")
    Message.objects.filter(key=emails.follow_up_key(held)).delete()
    html = page(world.login(world.coach))
    assert "no recap written" in html
    assert reverse("runner_summary", args=[held.pk]) in html


def test_it_keeps_overdue_commitments_first_and_ignores_kept_ones(world):
    client = add_client(world, 5)
    Commitment.objects.filter(client=client).update(
        due_date=timezone.now().date() - timedelta(days=3)
    )
    html = page(world.login(world.coach))
    assert "overdue since" in html
    Commitment.objects.filter(client=client).update(state="kept")
    assert "Call three old customers (5)" not in page(world.login(world.coach))


def test_it_no_longer_calls_a_client_quiet_after_a_reply(world):
    client = add_client(world, 6)
    session = CoachingSession.objects.get(engagement__client=client, status="scheduled")
    session.client_requests.create(kind="confirm", ics_sequence=0)
    assert "last heard from" not in page(world.login(world.coach))


def test_it_leaves_out_clients_not_in_an_active_program(world):
    client = add_client(world, 7)
    Engagement.objects.filter(client=client).update(status="stopped")
    assert "last heard from" not in page(world.login(world.coach))


def test_it_shows_a_coach_only_their_own_practice(world):
    practice(world, 2, coach=world.other_coach)
    html = page(world.login(world.coach))
    assert "Pat Number" not in html and "Good to talk" not in html


def test_it_approves_the_ticked_drafts_and_leaves_the_rest(world):
    first, second = practice(world, 2)
    drafts = list(Message.objects.filter(owner=world.coach, state=State.DRAFT).order_by("pk"))
    warned = drafts[1]
    Message.objects.filter(pk=warned.pk).update(warning="No topic chosen yet")
    http = world.login(world.coach)
    response = http.post(reverse("home_approve"), {"message": [d.pk for d in drafts]})
    assert response.status_code == 302 and response["Location"] == reverse("coach_home")
    states = dict(Message.objects.filter(pk__in=[d.pk for d in drafts]).values_list("pk", "state"))
    assert states[drafts[0].pk] in (State.APPROVED, State.QUEUED)
    assert states[warned.pk] == State.DRAFT
    assert "Approved 1 email." in http.get(reverse("coach_home")).content.decode()


def test_it_never_approves_another_coachs_draft(world):
    practice(world, 1)
    draft = Message.objects.get(owner=world.coach, state=State.DRAFT)
    http = world.login(world.other_coach)
    http.post(reverse("home_approve"), {"message": [draft.pk]})
    draft.refresh_from_db()
    assert draft.state == State.DRAFT


def test_it_asks_for_a_tick_when_none_is_given(world):
    http = world.login(world.coach)
    response = http.post(reverse("home_approve"), {"message": ["x"]}, follow=True)
    assert "Tick the emails you want to approve first." in response.content.decode()


def test_it_gives_the_admin_numbers_never_content(world):
    practice(world, 2)
    html = page(world.login(world.admin), "admin_home")
    assert "Cora Coach" in html  # the coach, with their numbers
    for content in ("Pat Number", "Good to talk", "Private view", "Call three", "a recap"):
        assert content not in html
    assert "Waiting for approval" in html


def test_it_counts_each_coachs_active_clients_and_sessions_held_this_month(world):
    practice(world, 2)
    CoachingSession.objects.filter(engagement__coach=world.coach, status="held").update(
        starts_at=timezone.now() - timedelta(minutes=5)
    )
    html = page(world.login(world.admin), "admin_home")
    row = html.split("Cora Coach", 1)[1].split("</tr>", 1)[0]
    # world.client and the two new ones; both held sessions fall in this month.
    assert '<td data-label="Active clients">3</td>' in row
    assert "Sessions held in" in row and ">2</td>" in row
    other = html.split("Cole Second", 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Active clients">1</td>' in other and ">0</td>" in other


def test_it_lists_invitations_waiting_with_the_expired_ones_first(world):
    from flowcoach.accounts import services as account_services
    from flowcoach.accounts.models import Invitation

    fresh = account_services.invitation_create(
        organisation=world.org, invited_by=world.admin, email="fresh@harbour.test", role="coach"
    )
    old = account_services.invitation_create(
        organisation=world.org, invited_by=world.admin, email="old@harbour.test", role="admin"
    )
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    html = page(world.login(world.admin), "admin_home")
    assert html.index("old@harbour.test") < html.index("fresh@harbour.test")
    assert "expired" in html.split("old@harbour.test", 1)[1][:200]
    assert fresh.email in html
