"""Preparing a session: the coach's own ticks and the client's checklist, stored on the
server; an open session's topic, chosen from earlier candidates, named in its emails, and
never left as a silent gap."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from flowcoach.coaching import emails
from flowcoach.coaching.models import CoachingSession, PreparationTick
from flowcoach.coaching.runner import services as runner
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Kind, Message, State
from tests.session_helpers import book, enrol, held_track, local_day

# These count the queries of pages as rendered (conftest.pages_rendered).
pytestmark = pytest.mark.usefixtures("pages_rendered")

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def track(world):
    """world.client on the sales track: S1 to S3 held (with topics collected in S2 and S3),
    S4 (an open session) booked in ten days."""
    sessions = held_track(
        world,
        {
            1: ["Handling price pushback", "Saying no to discounting"],
            2: ["handling price pushback", "Prospecting when busy"],
        },
    )
    sessions[3] = book(sessions[3], 10)
    return sessions


@pytest.fixture
def first(world):
    """S1 of the sales track (scripted) booked in three days."""
    return book(enrol(world).sessions.order_by("sequence").first(), 3)


def prep_email(session) -> Message:
    return Message.objects.get(key=emails.preparation_key(session))


# --- the coach's own ticks ---------------------------------------------------------------------


def test_it_keeps_the_coachs_ticks_on_the_server_across_browsers(world, first):
    items = first.template_version.coach_preparation
    assert len(items) >= 2
    url = reverse("runner_prepare_ticks", args=[first.pk])
    answer = world.login(world.coach).post(url, {"item": "1", "checked": "true"}, **JSON)
    assert answer.status_code == 200
    assert answer.json() == {
        "ok": True,
        "done": [1],
        "progress": f"1 of {len(items)} done",
    }
    # Ticking again changes nothing; another browser (a fresh sign-in) sees the tick.
    world.login(world.coach).post(url, {"item": "1", "checked": "true"}, **JSON)
    assert PreparationTick.objects.filter(session=first).count() == 1
    page = world.login(world.coach).get(reverse("runner_prepare", args=[first.pk])).content
    assert b'value="1" id="prep-1" checked' in page
    assert b'value="0" id="prep-0">' in page
    world.login(world.coach).post(url, {"item": "1", "checked": "false"}, **JSON)
    assert not PreparationTick.objects.filter(session=first).exists()


def test_it_saves_the_whole_list_from_a_plain_form(world, first):
    http = world.login(world.coach)
    url = reverse("runner_prepare_ticks", args=[first.pk])
    http.post(url, {"item": "0", "checked": "on"})
    response = http.post(url, {"done": ["1", "2"]})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("runner_prepare", args=[first.pk]))
    ticks = PreparationTick.objects.filter(session=first, side="coach")
    assert sorted(ticks.values_list("item", flat=True)) == [1, 2]
    assert "Saved: 2 of" in http.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"item": "99", "checked": "true"},
        {"item": "-1", "checked": "true"},
        {"item": "first", "checked": "true"},
        {"item": "0", "checked": "maybe"},
        {"done": ["0", "12"]},
    ],
)
def test_it_refuses_a_tick_it_cannot_place_and_changes_nothing(world, first, data):
    http = world.login(world.coach)
    url = reverse("runner_prepare_ticks", args=[first.pk])
    http.post(url, {"item": "1", "checked": "true"}, **JSON)
    answer = http.post(url, data, **JSON)
    assert answer.status_code == 400 and answer.json()["ok"] is False
    assert answer.json()["error"] in (
        "That item is not on this session's list.",
        "Say whether the item is done or not.",
    )
    plain = http.post(url, data)
    assert plain.status_code == 302
    page = http.get(plain["Location"]).content.decode()
    assert escape(answer.json()["error"]) in page
    assert list(PreparationTick.objects.values_list("item", flat=True)) == [1]


def test_it_stops_ticking_once_the_session_is_over(world, first):
    CoachingSession.objects.filter(pk=first.pk).update(status=CoachingSession.Status.HELD)
    answer = world.login(world.coach).post(
        reverse("runner_prepare_ticks", args=[first.pk]), {"item": "0", "checked": "1"}, **JSON
    )
    assert answer.status_code == 400
    assert "over" in answer.json()["error"]
    assert not PreparationTick.objects.exists()


def test_it_never_shows_the_coachs_list_or_ticks_to_the_client(world, first):
    http = world.login(world.coach)
    http.post(reverse("runner_prepare_ticks", args=[first.pk]), {"done": ["0", "1"]})
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    for item in first.template_version.coach_preparation:
        assert escape(item) not in page
    assert reverse("runner_prepare_ticks", args=[first.pk]) not in page


# --- the client's own checklist -----------------------------------------------------------------


def test_it_lets_the_client_tick_their_own_list_and_the_coach_see_it(world, first):
    items = first.template_version.client_preparation
    assert len(items) >= 2
    portal = world.login(world.client_user)
    page = portal.get(reverse("portal")).content.decode()
    for item in items:
        assert escape(item) in page
    assert f"0 of {len(items)} done" in page
    url = reverse("portal_preparation", args=[first.pk])
    assert url in page
    response = portal.post(url, {"done": ["1"]})
    assert response.status_code == 302 and response["Location"].endswith(f"#prep-{first.pk}")
    assert portal.post(url, {"item": "0", "checked": "true"}, **JSON).json()["progress"] == (
        f"2 of {len(items)} done"
    )
    page = portal.get(reverse("portal")).content.decode()
    assert f'id="prep-{first.pk}-1" checked' in page
    coach_page = world.login(world.coach).get(reverse("runner_prepare", args=[first.pk]))
    text = coach_page.content.decode()
    assert f"2 of {len(items)} done" in text
    assert text.count('class="done"') == 2
    # The client's ticks are theirs, never on the coach's own list.
    assert not PreparationTick.objects.filter(side="coach").exists()


def test_it_needs_the_clients_csrf_token(world, first):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(world.client_user)
    response = http.post(reverse("portal_preparation", args=[first.pk]), {"done": ["0"]})
    assert response.status_code == 403
    assert not PreparationTick.objects.exists()


def test_it_keeps_other_people_off_the_clients_list(world, first):
    url = reverse("portal_preparation", args=[first.pk])
    assert world.login(world.other_client_user).post(url, {"done": ["0"]}).status_code == 404
    assert world.login(world.coach).post(url, {"done": ["0"]}).status_code == 403
    assert world.login(world.admin).post(url, {"done": ["0"]}).status_code == 403
    assert not PreparationTick.objects.exists()


def test_it_refuses_a_bad_client_tick_with_a_message(world, first):
    portal = world.login(world.client_user)
    response = portal.post(reverse("portal_preparation", args=[first.pk]), {"done": ["7"]})
    assert response.status_code == 302
    assert "not on this session" in portal.get(response["Location"]).content.decode()
    assert not PreparationTick.objects.exists()


def test_it_keeps_the_portal_to_a_fixed_number_of_queries(
    world, first, django_assert_max_num_queries
):
    portal = world.login(world.client_user)
    portal.get(reverse("portal"))
    with django_assert_max_num_queries(30) as few:
        portal.get(reverse("portal"))
    count = len(few.captured_queries)  # read now: each request resets Django's query log
    # More sessions booked, more ticks: the same number of queries.
    for session in first.engagement.sessions.order_by("sequence")[1:4]:
        book(session, 3 + 7 * session.sequence)
        portal.post(reverse("portal_preparation", args=[session.pk]), {"done": ["0", "1"]})
    page = portal.get(reverse("portal")).content.decode()
    assert page.count("data-checklist") >= 4
    with django_assert_max_num_queries(count):
        assert portal.get(reverse("portal")).status_code == 200


# --- the open-session topic --------------------------------------------------------------------


def test_it_says_plainly_when_an_open_session_has_no_topic_and_holds_its_email(world, track):
    s4 = track[3]
    assert s4.template_version.kind == "open" and s4.open_topic == ""
    message = prep_email(s4)
    assert message.state == State.DRAFT
    assert message.warning.startswith("No topic is chosen for this open session yet")
    http = world.login(world.coach)
    for url in (reverse("runner_prepare", args=[s4.pk]), reverse("session_detail", args=[s4.pk])):
        page = http.get(url).content.decode()
        assert "No topic chosen yet" in page, url
    assert "No topic is chosen" in http.get(reverse("outbox")).content.decode()


def test_it_never_auto_approves_an_email_with_a_topic_gap(world, track):
    outbox.email_settings_update(organisation=world.org, auto_approve_kinds=[Kind.PREPARATION])
    s5 = book(track[4], 17)
    assert prep_email(s5).state == State.DRAFT
    assert prep_email(s5).warning
    # Once the topic is chosen, the organisation's choice applies again.
    world.login(world.coach).post(reverse("session_topic", args=[s5.pk]), {"other": "Pricing"})
    assert prep_email(s5).state in (State.APPROVED, State.QUEUED)


def test_it_offers_the_topics_collected_earlier_once_each(world, track):
    page = world.login(world.coach).get(reverse("runner_prepare", args=[track[3].pk]))
    text = page.content.decode()
    assert "Handling price pushback (from S2)" in text
    assert text.count("andling price pushback (from") == 1
    assert "Saying no to discounting (from S2)" in text
    assert "Prospecting when busy (from S3)" in text
    assert 'id="topic-heading"' in text


def test_it_names_the_chosen_topic_in_the_preparation_email(world, track):
    s4 = track[3]
    http = world.login(world.coach)
    response = http.post(
        reverse("session_topic", args=[s4.pk]), {"topic": "Prospecting when busy", "other": ""}
    )
    assert response.status_code == 302
    s4.refresh_from_db()
    assert s4.open_topic == "Prospecting when busy"
    message = prep_email(s4)
    assert "Prospecting when busy" in message.subject
    assert "You chose the topic: Prospecting when busy." in message.text_body
    assert message.warning == ""
    page = http.get(response["Location"]).content.decode()
    assert "now names it" in page and "The topic is <strong>Prospecting when busy</strong>" in page
    # Another session offered the same candidate says it is taken.
    s5 = book(track[4], 17)
    text = http.get(reverse("runner_prepare", args=[s5.pk])).content.decode()
    assert "Prospecting when busy (from S3), already the topic of S4" in text


def test_it_takes_a_typed_topic_and_re_drafts_after_each_change(world, track):
    s4 = track[3]
    http = world.login(world.coach)
    url = reverse("session_topic", args=[s4.pk])
    http.post(url, {"topic": "__other__", "other": "  Asking  for referrals "})
    assert prep_email(s4).subject.endswith(": Asking for referrals")
    message = prep_email(s4)
    outbox.message_approve(message=message, user=world.coach)
    assert prep_email(s4).state == State.APPROVED  # due in three days
    http.post(url, {"topic": "Handling price pushback"})
    message = prep_email(s4)
    assert message.state == State.DRAFT and "Handling price pushback" in message.subject
    http.post(url, {"topic": "", "other": ""})
    s4.refresh_from_db()
    assert s4.open_topic == ""
    assert prep_email(s4).warning.startswith("No topic is chosen")


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"topic": "__other__", "other": ""}, "Type the topic"),
        ({"topic": "Prospecting when busy", "other": "Something else"}, "not both"),
        ({"topic": "__other__", "other": "x" * 201}, "at most 200 characters"),
        ({"topic": "A topic nobody collected"}, "Select a valid choice"),
    ],
)
def test_it_refuses_an_unclear_topic_and_changes_nothing(world, track, data, error):
    s4 = track[3]
    before = prep_email(s4).subject
    response = world.login(world.coach).post(reverse("session_topic", args=[s4.pk]), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    s4.refresh_from_db()
    assert s4.open_topic == "" and prep_email(s4).subject == before


def test_it_has_no_topic_for_a_scripted_session(world, first):
    http = world.login(world.coach)
    assert (
        "topic-heading" not in http.get(reverse("runner_prepare", args=[first.pk])).content.decode()
    )
    response = http.post(reverse("session_topic", args=[first.pk]), {"other": "Anything"})
    assert response.status_code == 400
    assert "Only an open session has a topic" in response.content.decode()
    first.refresh_from_db()
    assert first.open_topic == ""


def test_it_tells_the_coach_when_the_email_already_went(world, track):
    s4 = track[3]
    http = world.login(world.coach)
    http.post(reverse("session_topic", args=[s4.pk]), {"topic": "Prospecting when busy"})
    Message.objects.filter(pk=prep_email(s4).pk).update(state=State.SENT, sent_at=timezone.now())
    response = http.post(reverse("session_topic", args=[s4.pk]), {"other": "Asking for referrals"})
    assert "already gone out" in http.get(response["Location"]).content.decode()
    assert "Prospecting when busy" in prep_email(s4).subject


def test_it_takes_back_a_queued_email_and_names_the_new_topic(world, track):
    s4 = track[3]
    http = world.login(world.coach)
    http.post(reverse("session_topic", args=[s4.pk]), {"topic": "Prospecting when busy"})
    Message.objects.filter(pk=prep_email(s4).pk).update(state=State.QUEUED)
    response = http.post(reverse("session_topic", args=[s4.pk]), {"other": "Asking for referrals"})
    assert "already gone out" not in http.get(response["Location"]).content.decode()
    assert "Asking for referrals" in prep_email(s4).subject
    assert prep_email(s4).state != State.QUEUED


def test_it_chooses_the_topic_while_scheduling(world, track):
    s5 = track[4]
    http = world.login(world.coach)
    url = reverse("session_schedule", args=[s5.pk])
    page = http.get(url).content.decode()
    assert "Saying no to discounting (from S2)" in page
    day = local_day(20)
    form = {
        "date": day.strftime("%Y-%m-%d"),
        "time": "11:00",
        "time_zone": world.client.time_zone,
        "duration_minutes": "50",
        "video_link": "https://meet.example.org/s5",
        "topic-topic": "Saying no to discounting",
        "topic-other": "",
    }
    bad = http.post(url, {**form, "topic-topic": "__other__"})
    assert bad.status_code == 400 and "Type the topic" in bad.content.decode()
    s5.refresh_from_db()
    assert s5.status == CoachingSession.Status.UNSCHEDULED
    assert http.post(url, form).status_code == 302
    s5.refresh_from_db()
    assert s5.open_topic == "Saying no to discounting"
    assert "The topic you chose is: Saying no to discounting." in prep_email(s5).text_body
    assert prep_email(s5).warning == ""


def test_it_holds_an_open_sessions_follow_up_without_a_topic(world, track):
    outbox.email_settings_update(organisation=world.org, auto_approve_kinds=[Kind.FOLLOW_UP])
    s4 = track[3]
    runner.note_save(session=s4, uuid=uuid.uuid4(), body="Shared", visibility="shared_with_client")
    message = emails.session_follow_up_draft(session=s4, recap_text="- A", commitments_text="")
    assert message.state == State.DRAFT
    assert message.warning.startswith("No topic was chosen for this open session")


def test_it_keeps_the_prepare_page_to_a_fixed_number_of_queries_with_ticks_and_topics(
    world, track, django_assert_max_num_queries
):
    s4 = track[3]
    http = world.login(world.coach)
    url = reverse("runner_prepare", args=[s4.pk])
    http.get(url)
    with django_assert_max_num_queries(30) as few:
        http.get(url)
    count = len(few.captured_queries)
    http.post(reverse("runner_prepare_ticks", args=[s4.pk]), {"done": ["0", "1"]})
    world.login(world.client_user).post(
        reverse("portal_preparation", args=[s4.pk]), {"done": ["0", "1"]}
    )
    for session in track[:3]:
        record = runner.record_of(session)
        runner.record_save(
            session=session,
            base_version=record.version,
            topic_candidates=[f"Topic {session.code} {n}" for n in range(10)],
        )
    with django_assert_max_num_queries(count):
        page = http.get(url).content.decode()
    assert "Topic S1 9 (from S1)" in page and "2 of" in page
