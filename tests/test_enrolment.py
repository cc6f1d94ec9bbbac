import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from flowcoach.coaching import selectors, services
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.programs.models import Program, TemplateVersion
from flowcoach.programs.services import program_import, template_version_for_edit
from flowcoach.programs.yaml_io import parse_program_yaml

WEEKLY_YAML = """
format: flowcoach.program/1
slug: weekly-test
title: Weekly test
recurring: true
sessions:
- code: W
  title: Weekly one-to-one
  kind: weekly_1on1
  minutes_min: 60
  minutes_max: 60
  pre_session_email: {days_before: 1, subject: 'See you {{ session_date }}', body: 'Hi {{ client_first_name }}'}
  follow_up_email: {days_after: 1, subject: Thanks, body: 'Thanks {{ client_first_name }}'}
  segments:
  - {name: Review, kind: review, minutes_min: 10, minutes_max: 10}
  - {name: Topic, kind: topic, minutes_min: 40, minutes_max: 40}
  - {name: Anchor, kind: anchor, minutes_min: 10, minutes_max: 10}
"""


def track_yaml(codes: list[str]) -> str:
    sessions = "".join(
        f"""
- code: {code}
  title: Session {code}
  kind: scripted
  minutes_min: 50
  minutes_max: 55
  pre_session_email: {{days_before: 7, subject: 'Soon: {{{{ session_date }}}}', body: 'Hi {{{{ client_first_name }}}}'}}
  follow_up_email: {{days_after: 1, subject: Recap, body: 'Thanks {{{{ client_first_name }}}}'}}
  segments:
  - {{name: Open, kind: greeting, minutes_min: 5, minutes_max: 5}}
  - {{name: Talk, kind: conversation, minutes_min: 40, minutes_max: 45}}
  - {{name: Wrap, kind: wrap, minutes_min: 5, minutes_max: 5}}"""
        for code in codes
    )
    return (
        f"format: flowcoach.program/1\nslug: track-test\ntitle: Track test\nsessions:{sessions}\n"
    )


@pytest.fixture
def track(world):
    return program_import(
        data=parse_program_yaml(track_yaml(["S1", "S2", "S3"])), organisation=world.org
    )


@pytest.fixture
def best_seller(db):
    return Program.objects.get(organisation=None, slug="best-seller")


@pytest.fixture
def weekly(world):
    return program_import(data=parse_program_yaml(WEEKLY_YAML), organisation=world.org)


def test_it_creates_the_engagement_and_a_session_per_template_unscheduled(world, track):
    engagement = services.engagement_enrol(client=world.client, program=track, coach=world.coach)
    sessions = list(engagement.sessions.order_by("sequence"))
    assert [s.code for s in sessions] == ["S1", "S2", "S3"]
    assert all(
        s.status == CoachingSession.Status.UNSCHEDULED and s.starts_at is None for s in sessions
    )
    first = sessions[0]
    assert first.template_version.number == 1 and first.template_version.in_use
    assert first.duration_minutes == 55


def test_it_keeps_the_local_hour_of_a_weekly_cadence_across_a_daylight_saving_change(world, track):
    # Europe/Paris leaves summer time on 25 October 2026.
    engagement = services.engagement_enrol(
        client=world.client,
        program=track,
        coach=world.coach,
        cadence=Engagement.Cadence.WEEKLY,
        first_session_local=datetime(2026, 10, 20, 9, 30),
        time_zone="Europe/Paris",
    )
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    starts = [s.starts_at for s in engagement.sessions.order_by("sequence")][:2]
    assert [s.astimezone(paris).strftime("%Y-%m-%d %H:%M") for s in starts] == [
        "2026-10-20 09:30",
        "2026-10-27 09:30",
    ]
    assert [s.hour for s in starts] == [7, 8]  # UTC moved by an hour, the client's did not


def test_it_plans_fortnightly_sessions_two_weeks_apart(world, track):
    engagement = services.engagement_enrol(
        client=world.client,
        program=track,
        coach=world.coach,
        cadence=Engagement.Cadence.FORTNIGHTLY,
        first_session_local=datetime(2027, 1, 5, 14, 0),
        time_zone="UTC",
    )
    first, second = list(engagement.sessions.order_by("sequence"))[:2]
    assert (second.starts_at - first.starts_at).days == 14
    assert first.status == CoachingSession.Status.SCHEDULED


def test_it_keeps_a_recurring_program_topped_up_with_sessions_ahead(world, weekly):
    engagement = services.engagement_enrol(
        client=world.client,
        program=weekly,
        coach=world.coach,
        cadence=Engagement.Cadence.WEEKLY,
        first_session_local=datetime(2027, 2, 1, 10, 0),
        time_zone="Europe/London",
    )
    assert engagement.sessions.count() == services.RECURRING_AHEAD
    assert [s.code for s in engagement.sessions.order_by("sequence")] == ["W1", "W2", "W3", "W4"]
    engagement.sessions.filter(sequence__in=[1, 2]).update(status=CoachingSession.Status.HELD)
    assert services.engagement_extend_recurring(engagement=engagement) == 2
    assert engagement.sessions.count() == 6
    assert services.engagement_extend_recurring(engagement=engagement) == 0


def test_it_keeps_the_exact_template_version_a_session_was_created_from(world, best_seller):
    engagement = services.engagement_enrol(
        client=world.client, program=best_seller, coach=world.coach
    )
    session = engagement.sessions.get(code="S1")
    original_segments = list(session.template_version.segments)
    edited = template_version_for_edit(template=session.template, user=world.coach)
    assert edited.number == 2
    edited.segments = [*edited.segments[:-1], {**edited.segments[-1], "minutes_max": 8}]
    edited.title = "Purpose, revised"
    edited.save()
    session.refresh_from_db()
    assert session.template_version.number == 1
    assert session.template_version.segments == original_segments
    assert session.title != "Purpose, revised"
    # A new enrolment picks up the new version.
    later = services.engagement_enrol(
        client=world.other_client, program=best_seller, coach=world.other_coach
    )
    assert later.sessions.get(code="S1").template_version.number == 2
    assert TemplateVersion.objects.filter(template=session.template).count() == 2


def test_it_refuses_to_enrol_an_archived_client_and_changes_nothing(world, best_seller):
    from django.utils import timezone

    world.client.archived_at = timezone.now()
    world.client.save()
    with pytest.raises(services.EnrolmentError):
        services.engagement_enrol(client=world.client, program=best_seller, coach=world.coach)
    assert Engagement.objects.count() == 0


def test_it_shows_the_track_as_done_next_and_later(world, track):
    engagement = services.engagement_enrol(client=world.client, program=track, coach=world.coach)
    engagement.sessions.filter(code="S1").update(status=CoachingSession.Status.HELD)
    stages = [(i["session"].code, i["stage"]) for i in selectors.engagement_timeline(engagement)]
    assert stages[:3] == [("S1", "done"), ("S2", "next"), ("S3", "later")]
    page = world.login(world.coach).get(reverse("engagement_detail", args=[engagement.pk]))
    assert page.status_code == 200
    assert b"Next" in page.content and b"Done" in page.content


def test_it_enrols_through_the_form(world, best_seller):
    http = world.login(world.coach)
    response = http.post(
        reverse("engagement_enrol", args=[world.client.pk]),
        {
            "program": best_seller.pk,
            "cadence": "weekly",
            "first_session": "2027-03-02T09:00",
            "time_zone": "Europe/Paris",
        },
    )
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "engagement_detail", args=[engagement.pk]
    )
    first = engagement.sessions.order_by("sequence").first()
    assert first.starts_at.astimezone(zoneinfo.ZoneInfo("Europe/Paris")).hour == 9


def test_it_asks_for_the_first_date_when_a_cadence_is_chosen_and_saves_nothing(world, best_seller):
    response = world.login(world.coach).post(
        reverse("engagement_enrol", args=[world.client.pk]),
        {"program": best_seller.pk, "cadence": "weekly", "first_session": "", "time_zone": "UTC"},
    )
    assert response.status_code == 400
    assert b"Pick the date and time of the first session." in response.content
    assert Engagement.objects.count() == 0


def test_it_stops_an_engagement_and_cancels_sessions_not_yet_held(world, track):
    engagement = services.engagement_enrol(client=world.client, program=track, coach=world.coach)
    engagement.sessions.filter(code="S1").update(status=CoachingSession.Status.HELD)
    world.login(world.coach).post(reverse("engagement_stop", args=[engagement.pk]))
    engagement.refresh_from_db()
    assert engagement.status == Engagement.Status.STOPPED
    statuses = dict(engagement.sessions.values_list("code", "status"))
    assert statuses["S1"] == "held" and all(
        v == "cancelled" for k, v in statuses.items() if k != "S1"
    )
