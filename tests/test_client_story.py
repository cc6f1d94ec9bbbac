"""The client page as the client's story: next session, program progress, open commitments,
the latest purpose statement, and a timeline filtered by kind and paginated, with coach-only
parts marked and shown to the client's own coach only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from flowcoach.clients import services as client_services
from flowcoach.clients import story
from flowcoach.coaching.models import CoachingSession
from tests.home_helpers import add_client, lengthen_history


def detail(http, client, query: str = "") -> str:
    response = http.get(reverse("client_detail", args=[client.pk]) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_tells_the_coach_the_clients_story(world):
    client = add_client(world, 1)
    html = detail(world.login(world.coach), client)
    booked = CoachingSession.objects.get(engagement__client=client, status="scheduled")
    assert reverse("runner_prepare", args=[booked.pk]) in html
    assert "Next: S2 of" in html and "1 done" in html
    assert "Call three old customers (1)" in html
    assert "I help buyers (1)" in html
    # The timeline: a held session with its shared and coach-only parts, the purpose, the
    # commitment, the email.
    assert "S1" in html and ": held" in html
    assert "To work on:</strong> Ask one more question (1)" in html
    assert "Your summary:</strong> Private view of Pat 1" in html
    assert "Purpose statement drafted" in html
    assert "Email sent: Good to talk, Pat 1" in html
    assert "Pat joined your client list" in html


def test_it_marks_coach_only_parts(world):
    client = add_client(world, 1)
    html = detail(world.login(world.coach), client)
    part = html.split("Private view of Pat 1", 1)[1][:120]
    assert 'class="visibility private">Only you' in part


def test_it_never_shows_the_story_to_an_admin(world):
    client = add_client(world, 1)
    html = detail(world.login(world.admin), client)
    assert 'id="timeline"' not in html
    for content in ("Private view", "Ask one more question", "I help buyers", "Call three"):
        assert content not in html
    assert client.email in html  # the contact card stays


def test_it_answers_404_to_another_coach(world):
    client = add_client(world, 1)
    response = world.login(world.other_coach).get(reverse("client_detail", args=[client.pk]))
    assert response.status_code == 404


def test_it_filters_the_timeline_by_kind(world):
    client = add_client(world, 1)
    html = detail(world.login(world.coach), client, "?kind=email")
    timeline = html.split('id="timeline"', 1)[1]
    assert "Email sent: Good to talk, Pat 1" in timeline
    assert "Purpose statement drafted" not in timeline and ": held" not in timeline
    assert 'value="email" checked' in timeline
    both = detail(world.login(world.coach), client, "?kind=email&kind=purpose&kind=bogus")
    assert "Purpose statement drafted" in both and "Email sent" in both


def test_it_pages_a_long_history_newest_first(world):
    client = add_client(world, 1)
    lengthen_history(world, client, 30)
    http = world.login(world.coach)
    first = detail(http, client)
    assert "Older entries" in first and "Newer entries" not in first
    # Newest first: the session held three weeks ago comes before anything from 25+ days.
    assert first.index("Ask one more question (1)") < first.index("Extra note 0")
    second = detail(http, client, "?page=2")
    assert "Newer entries" in second
    first_titles = {line for line in first.splitlines() if "story-title" in line}
    second_titles = {line for line in second.splitlines() if "story-title" in line}
    assert first_titles and second_titles and not first_titles & second_titles


def test_it_shows_a_new_coach_no_email_from_the_previous_coachs_outbox(world):
    client = add_client(world, 1)
    client_services.client_reassign(client=client, coach=world.other_coach)
    html = detail(world.login(world.other_coach), client)
    assert "Email sent: Good to talk" not in html
    assert "Ask one more question (1)" in html  # the coaching itself was handed over


def test_it_says_what_will_appear_in_an_empty_story(world):
    html = detail(world.login(world.coach), world.client)
    assert "No session booked." in html
    assert "Not in a program now." in html
    assert "No open commitment." in html
    assert "None yet." in html
    html = detail(world.login(world.coach), world.client, "?kind=session")
    assert "Nothing of this kind yet." in html


@pytest.fixture
def extra_provider():
    """A provider registered the way the check-ins app registers its own, removed after."""
    saved = (dict(story._registry.kinds), list(story._registry.timelines))
    saved_activities = list(story._registry.activities)
    calls = []

    def checkins(*, client, viewer, kinds, limit):
        calls.append(kinds)
        return [
            story.Event(
                at=timezone.now() - timedelta(days=1),
                kind="checkin",
                title="Weekly check-in answered",
                parts=(story.Part("Better", "Asked for the order sooner"),),
            )
        ]

    def heard_from(*, client_ids):
        return {client_id: timezone.now() - timedelta(days=2) for client_id in client_ids}

    story.register_kind("checkin", "Check-ins", 40)
    story.register_timeline(["checkin"], checkins)
    story.register_activity(heard_from)
    yield calls
    story._registry.kinds, story._registry.timelines = saved
    story._registry.activities = saved_activities


def test_it_takes_entries_and_signs_of_life_from_registered_providers(world, extra_provider):
    client = add_client(world, 1)
    http = world.login(world.coach)
    html = detail(http, client)
    assert "Weekly check-in answered" in html and "Asked for the order sooner" in html
    assert 'value="checkin"' in html  # its kind is a filter
    # Filtered to another kind, the provider is not even asked.
    extra_provider.clear()
    detail(http, client, "?kind=email")
    assert extra_provider == []
    # A check-in two days ago: not quiet any more, on Home or in the list.
    assert "last heard from" not in http.get(reverse("coach_home")).content.decode()
    assert "Quiet for" not in http.get(reverse("client_list")).content.decode()


def test_it_tells_the_check_ins_in_the_story_and_counts_an_answer_as_a_sign_of_life(world):
    import uuid as uuid_module
    from datetime import timedelta

    from django.utils import timezone

    from flowcoach.checkins.models import Checkin, CommitmentUpdate, ProgressLog
    from flowcoach.clients import story
    from flowcoach.coaching.models import Commitment
    from tests.session_helpers import enrol

    engagement = enrol(world)
    now = timezone.now()
    answered = Checkin.objects.create(
        engagement=engagement,
        client=world.client,
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=4),
        remind_at=now - timedelta(days=1),
        state=Checkin.State.ANSWERED,
        answered_at=now - timedelta(days=2),
        more="Ask for the next step on every call",
        energy=7,
    )
    Checkin.objects.create(
        engagement=engagement,
        client=world.client,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=3),
        remind_at=now - timedelta(days=8),
        state=Checkin.State.MISSED,
        closed_at=now - timedelta(days=3),
    )
    commitment = Commitment.objects.create(
        client=world.client, uuid=uuid_module.uuid4(), text="Call three buyers"
    )
    CommitmentUpdate.objects.create(
        commitment=commitment, uuid=uuid_module.uuid4(), state="kept", comment="All three"
    )
    ProgressLog.objects.create(
        commitment=commitment, uuid=uuid_module.uuid4(), day=now.date(), text="Two done"
    )
    events, _ = story.timeline(world.client, viewer=world.coach, wanted=["checkin"])
    assert [e.title for e in events] == ["Check-in answered", "Check-in missed"]
    assert ("More", "Ask for the next step on every call") in [
        (p.label, p.text) for p in events[0].parts
    ]
    progress, _ = story.timeline(world.client, viewer=world.coach, wanted=["commitment_progress"])
    assert {e.title for e in progress} == {"Marked a commitment kept", "Logged progress"}
    assert story.last_activity([world.client.pk])[world.client.pk] >= answered.answered_at
    page = world.login(world.coach).get(
        reverse("client_detail", args=[world.client.pk]), {"kind": "checkin"}
    )
    assert "Ask for the next step on every call" in page.content.decode()


def test_it_shows_the_coach_their_own_coaching_reports_in_the_story(world):
    from flowcoach.transcripts.models import Transcript
    from tests.session_helpers import enrol

    session = enrol(world).sessions.order_by("sequence").first()
    transcript = Transcript.objects.create(
        session=session,
        client=world.client,
        coach=world.coach,
        filename="s1.vtt",
        format="vtt",
        consent_confirmed_at=timezone.now(),
    )
    events, _ = story.timeline(world.client, viewer=world.coach, wanted=["coaching_report"])
    assert [(e.title, e.coach_only) for e in events] == [
        ("Coaching report on S1 (speakers to map)", True)
    ]
    assert events[0].url == reverse("transcript_report", args=[transcript.pk])
    # Another coach (after a hand-over, say) never sees a report that is not theirs.
    assert (
        story.timeline(world.client, viewer=world.other_coach, wanted=["coaching_report"])[0] == []
    )
