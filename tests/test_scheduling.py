"""Scheduling sessions: time, zone and place; the drafts it makes; reschedule, cancel and
marks; what the coach sees. Emails go through the real outbox and a real SMTP server."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from flowcoach.coaching import emails, services
from flowcoach.coaching.models import CoachingSession, Engagement
from flowcoach.outbox import dispatch
from flowcoach.outbox import services as outbox
from flowcoach.outbox.models import Message, State
from flowcoach.programs.models import TemplateVersion
from flowcoach.programs.services import program_import
from flowcoach.programs.yaml_io import parse_program_yaml

PROGRAM_YAML = """
format: flowcoach.program/1
slug: scheduling-test
title: Scheduling test
sessions:
- code: S1
  title: Your sales purpose
  kind: scripted
  minutes_min: 80
  minutes_max: 90
  client_preparation: [Reread your three achievement stories, Note one deal that stalled]
  pre_reading: [{title: Why stories matter, url: 'https://example.org/stories'}]
  pre_session_email:
    days_before: 7
    subject: 'Getting ready for {{ session_date }}'
    body: |
      Hi {{ client_first_name }},

      We meet on {{ session_date }} at {{ session_time }}: {{ session_place }}.

      Before then:
      {{ preparation_list }}

      Reading:
      {{ pre_reading_list }}

      {{ coach_name }}
  follow_up_email:
    days_after: 1
    subject: 'After {{ session_title }}'
    body: |
      Hi {{ client_first_name }},

      {{ session_recap }}

      You committed to:
      {{ session_commitments }}
  segments:
  - {name: Open, kind: greeting, minutes_min: 10, minutes_max: 10}
  - {name: Talk, kind: conversation, minutes_min: 60, minutes_max: 70}
  - {name: Wrap, kind: wrap, minutes_min: 10, minutes_max: 10}
- code: S2
  title: Your goals
  kind: scripted
  minutes_min: 50
  minutes_max: 60
  pre_session_email: {days_before: 3, subject: 'Soon', body: 'Hi {{ client_first_name }}'}
  follow_up_email: {days_after: 1, subject: Recap, body: 'Thanks {{ client_first_name }}'}
  segments:
  - {name: Talk, kind: conversation, minutes_min: 50, minutes_max: 60}
"""

WEEKLY_YAML = """
format: flowcoach.program/1
slug: weekly-scheduling
title: Weekly scheduling
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
  - {name: Topic, kind: topic, minutes_min: 60, minutes_max: 60}
"""

VIDEO = "https://video.example.org/room/cliff"


@pytest.fixture
def program(world):
    return program_import(data=parse_program_yaml(PROGRAM_YAML), organisation=world.org)


@pytest.fixture
def engagement(world, program) -> Engagement:
    return services.engagement_enrol(client=world.client, program=program, coach=world.coach)


@pytest.fixture
def session(engagement) -> CoachingSession:
    return engagement.sessions.get(sequence=1)


def days_ahead(days: int, hour: int = 10, minute: int = 0) -> datetime:
    """A naive wall-clock time `days` from today."""
    day = timezone.now().date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute)


def schedule(session, when: datetime, tz: str = "Europe/Paris", **place) -> CoachingSession:
    place = place or {"video_link": VIDEO}
    return services.session_schedule(
        session=session,
        starts_local=when,
        time_zone=tz,
        duration_minutes=session.template_version.minutes_max,
        **place,
    )


def approve_all(user) -> None:
    for message in Message.objects.filter(state=State.DRAFT):
        outbox.message_approve(message=message, user=user)


def send_due() -> dict:
    return dispatch.dispatch_due()


def arrived(mailbox, subject_part: str):
    found = [m for m in mailbox.messages if subject_part in m["Subject"]]
    assert found, [m["Subject"] for m in mailbox.messages]
    return found[-1]


def ics_of(mail) -> Calendar:
    parts = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert parts, "no calendar attachment"
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def text_of(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def html_of(mail) -> str:
    return mail.get_body(preferencelist=("html",)).get_content()


# --- scheduling -------------------------------------------------------------------------------


def test_it_schedules_in_the_clients_zone_and_drafts_the_invitation_and_preparation(world, session):
    session = schedule(session, days_ahead(20, 9, 30), "Europe/Paris")
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert session.status == CoachingSession.Status.SCHEDULED
    assert session.starts_at.astimezone(paris).strftime("%H:%M") == "09:30"
    assert session.starts_at.utcoffset() == timedelta(0)  # stored in UTC
    assert session.duration_minutes == 90 and session.video_link == VIDEO
    invitation = Message.objects.get(key=f"session:{session.pk}:invitation")
    preparation = Message.objects.get(key=f"session:{session.pk}:preparation")
    assert invitation.state == preparation.state == State.DRAFT
    assert invitation.reply_to == world.coach.email and invitation.to_email == world.client.email
    assert invitation.attachments[0]["mimetype"] == "text/calendar"
    # Seven days before, at the same local hour.
    assert preparation.send_after.astimezone(paris) == session.starts_at.astimezone(
        paris
    ) - timedelta(days=7)
    assert preparation.warning == ""
    assert "Reread your three achievement stories" in preparation.text_body
    assert "{{" not in preparation.text_body + preparation.subject


def test_it_refuses_to_schedule_without_a_place(world, session):
    with pytest.raises(services.SchedulingError, match="video link, an address or a phone"):
        schedule(session, days_ahead(10), video_link="", address="  ")
    response = world.login(world.coach).post(
        reverse("session_schedule", args=[session.pk]),
        {
            "date": days_ahead(10).date().isoformat(),
            "time": "10:00",
            "time_zone": "Europe/Paris",
            "duration_minutes": 90,
        },
    )
    assert response.status_code == 400
    assert b"Add where you meet" in response.content
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.UNSCHEDULED
    assert not Message.objects.exists()


def test_it_refuses_a_time_that_has_passed(session):
    with pytest.raises(services.SchedulingError, match="already passed"):
        schedule(session, days_ahead(-1, 10))
    session.refresh_from_db()
    assert session.starts_at is None and not Message.objects.exists()


def test_it_refuses_a_local_time_skipped_by_the_clocks_going_forward(session):
    # Paris skips 02:00-03:00 on 28 March 2027.
    with pytest.raises(services.SchedulingError, match="does not exist in Europe/Paris"):
        schedule(session, datetime(2027, 3, 28, 2, 30), "Europe/Paris")


def test_it_schedules_through_the_page_with_the_template_duration_by_default(world, session):
    http = world.login(world.coach)
    page = http.get(reverse("session_schedule", args=[session.pk]))
    assert page.status_code == 200
    assert page.context["form"].initial["duration_minutes"] == 90
    assert page.context["form"].initial["time_zone"] == "Europe/Paris"
    when = days_ahead(15)
    response = http.post(
        reverse("session_schedule", args=[session.pk]),
        {
            "date": when.date().isoformat(),
            "time": "14:00",
            "time_zone": "America/New_York",
            "duration_minutes": 90,
            "address": "12 Harbour Street, Leeds",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York")).hour == 14
    assert session.time_zone == "America/New_York" and session.address.startswith("12 Harbour")


def test_it_shows_the_time_for_the_coach_and_for_a_client_in_another_zone(world, session):
    world.client.time_zone = "America/Los_Angeles"
    world.client.save()
    schedule(session, datetime(2027, 2, 10, 9, 0), "America/Los_Angeles")
    page = world.login(world.coach).get(reverse("session_detail", args=[session.pk]))
    text = page.content.decode()
    # The coach reads London time (17:00) and sees Cliff's own 09:00 beside it.
    assert "Wed 10 Feb 2027, 17:00 (Europe/London)" in text
    assert "Wed 10 Feb 2027, 09:00 for Cliff (America/Los_Angeles)" in text
    track = world.login(world.coach).get(reverse("engagement_detail", args=[session.engagement.pk]))
    assert reverse("session_detail", args=[session.pk]) in track.content.decode()
    assert "09:00 for Cliff" in track.content.decode()
    assert VIDEO in track.content.decode()


def test_it_shows_one_time_when_coach_and_client_share_a_zone(world, session):
    world.client.time_zone = "Europe/London"
    world.client.save()
    schedule(session, datetime(2027, 2, 10, 9, 0), "Europe/London")
    page = world.login(world.coach).get(reverse("session_detail", args=[session.pk]))
    assert "09:00 (Europe/London)" in page.content.decode()
    assert " for Cliff" not in page.content.decode()


# --- emails through a real SMTP server -----------------------------------------------------------


def test_it_delivers_the_preparation_email_and_invitation_filled_in_the_clients_zone(
    world, session, smtp_server
):
    world.coach.time_zone = "America/New_York"
    world.coach.save()
    when = days_ahead(3, 9, 30)  # the preparation moment (7 days before) has passed
    session = schedule(session, when, "Europe/Paris")
    preparation = Message.objects.get(key=f"session:{session.pk}:preparation")
    assert "which has passed" in preparation.warning
    assert preparation.send_after <= timezone.now()
    approve_all(world.coach)
    assert send_due()["sent"] == 2

    mail = arrived(smtp_server, "Getting ready for")
    text = text_of(mail)
    assert mail["To"] == "Cliff Client <client@harbour.test>"
    assert mail["Reply-To"] == world.coach.email
    assert "Hi Cliff," in text and "Cora Coach" in text
    assert f"at 09:30 (Europe/Paris): {VIDEO}" in text  # the client's time, not the coach's
    assert "- Reread your three achievement stories" in text
    assert "- Why stories matter: https://example.org/stories" in text
    assert "{{" not in text and "{{" not in mail["Subject"]
    # The answer links and the calendar file come with the invitation, not again here.
    assert "/reschedule/" not in text and not list(mail.iter_attachments())

    invitation = arrived(smtp_server, "Your sales purpose with Cora Coach")
    assert invitation["Reply-To"] == world.coach.email
    assert "09:30 (Europe/Paris)" in text_of(invitation)
    assert "/s/" in text_of(invitation) and "/reschedule/" in text_of(invitation)
    assert "I need another time</a>" in html_of(invitation)
    calendar = ics_of(invitation)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == session.ics_uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTEND") == session.starts_at + timedelta(minutes=90)
    assert event.decoded("DTSTART").tzinfo is not None
    assert "Z" in event["DTSTART"].to_ical().decode()
    assert str(event["LOCATION"]) == VIDEO
    assert "mailto:coach@harbour.test" in str(event["ORGANIZER"])
    assert "mailto:client@harbour.test" in str(event["ATTENDEE"])


def test_it_sends_an_update_with_a_higher_sequence_after_a_reschedule(world, session, smtp_server):
    session = schedule(session, days_ahead(20, 10))
    approve_all(world.coach)
    outbox.message_send_now(
        message=Message.objects.get(key=f"session:{session.pk}:invitation"), user=world.coach
    )
    send_due()
    uid = session.ics_uid
    session = services.session_reschedule(
        session=session,
        starts_local=days_ahead(22, 15),
        time_zone="Europe/Paris",
        duration_minutes=90,
        video_link=VIDEO,
    )
    assert session.ics_uid == uid and session.ics_sequence == 1
    update = Message.objects.get(key=f"session:{session.pk}:update:1")
    assert update.kind == "session_update" and update.state == State.DRAFT
    # The unsent preparation email was re-drafted with the new time, not duplicated.
    preparation = Message.objects.get(key=f"session:{session.pk}:preparation")
    assert "15:00 (Europe/Paris)" in preparation.text_body
    assert Message.objects.filter(reference=f"session:{session.pk}").count() == 3
    outbox.message_send_now(message=update, user=world.coach)
    send_due()
    mail = arrived(smtp_server, "New time:")
    event = ics_of(mail).walk("VEVENT")[0]
    assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == session.starts_at
    assert "15:00 (Europe/Paris)" in text_of(mail)


def test_it_re_drafts_the_unsent_invitation_on_a_reschedule(world, session):
    session = schedule(session, days_ahead(20, 10))
    session = services.session_reschedule(
        session=session,
        starts_local=days_ahead(21, 11),
        time_zone="Europe/Paris",
        duration_minutes=60,
        video_link=VIDEO,
    )
    invitation = Message.objects.get(key=f"session:{session.pk}:invitation")
    assert invitation.state == State.DRAFT and "11:00 (Europe/Paris)" in invitation.text_body
    assert "SEQUENCE:1" in invitation.attachments[0]["content"]
    assert not Message.objects.filter(key__contains=":update:").exists()


def test_it_cancels_waiting_emails_and_tells_the_calendar_once_the_invitation_went_out(
    world, session, smtp_server
):
    session = schedule(session, days_ahead(20, 10))
    invitation = Message.objects.get(key=f"session:{session.pk}:invitation")
    outbox.message_send_now(message=invitation, user=world.coach)
    send_due()
    response = world.login(world.coach).post(
        reverse("session_cancel", args=[session.pk]), {"reason": "I am unwell that week."}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.CANCELLED
    assert session.cancel_reason == "I am unwell that week." and session.cancelled_at
    preparation = Message.objects.get(key=f"session:{session.pk}:preparation")
    assert preparation.state == State.CANCELLED
    cancellation = Message.objects.get(key=f"session:{session.pk}:cancel")
    outbox.message_send_now(message=cancellation, user=world.coach)
    send_due()
    mail = arrived(smtp_server, "Cancelled:")
    assert "I am unwell that week." in text_of(mail)
    calendar = ics_of(mail)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == session.ics_uid and int(event["SEQUENCE"]) == 1
    assert "/s/" not in text_of(mail)  # nothing left to confirm


def test_it_sends_no_cancellation_when_nothing_had_gone_out(world, session):
    session = schedule(session, days_ahead(20, 10))
    services.session_cancel(session=session, reason="Plans changed")
    assert set(Message.objects.values_list("state", flat=True)) == {State.CANCELLED}
    assert not Message.objects.filter(key=f"session:{session.pk}:cancel").exists()


def test_it_asks_for_a_reason_to_cancel(world, session):
    schedule(session, days_ahead(20, 10))
    response = world.login(world.coach).post(
        reverse("session_cancel", args=[session.pk]), {"reason": ""}
    )
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.SCHEDULED


def test_it_drafts_the_follow_up_the_template_days_after(world, session):
    session = schedule(session, days_ahead(20, 10))
    message = emails.session_follow_up_draft(
        session=session,
        recap_text="- You light up when a deal gets complicated",
        commitments_text="- Call two dormant accounts each morning",
    )
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    assert message.key == f"session:{session.pk}:follow_up" and message.kind == "follow_up"
    assert message.send_after.astimezone(paris) == session.starts_at.astimezone(paris) + timedelta(
        days=1
    )
    assert "- Call two dormant accounts each morning" in message.text_body
    assert message.subject == "After Your sales purpose"
    again = emails.session_follow_up_draft(session=session, recap_text="x", commitments_text="y")
    assert again.pk == message.pk  # one logical message, re-drafted


# --- time zones and daylight saving -----------------------------------------------------------


def test_it_keeps_the_local_hour_of_the_preparation_email_across_a_daylight_saving_change(
    world, session
):
    # Paris leaves summer time on 31 October 2027; the session is after, its email before.
    session = schedule(session, datetime(2027, 11, 3, 9, 30), "Europe/Paris")
    assert session.starts_at == datetime(2027, 11, 3, 8, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    preparation = Message.objects.get(key=f"session:{session.pk}:preparation")
    assert preparation.send_after == datetime(2027, 10, 27, 7, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert "Wednesday 3 November 2027 at 09:30 (Europe/Paris)" in preparation.text_body


def test_it_times_a_session_that_spans_the_night_the_clocks_change(world, session):
    # 01:00 in London on 31 October 2027 plus 90 minutes: the clocks go back at 02:00, so it
    # ends at 01:30 local time, 90 real minutes later.
    session = schedule(session, datetime(2027, 10, 31, 0, 30), "Europe/London")
    ics = emails.calendar.session_ics(session)
    event = Calendar.from_ical(ics).walk("VEVENT")[0]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert end - start == timedelta(minutes=90)
    assert "DTSTART:20271030T233000Z" in ics and "DTEND:20271031T010000Z" in ics


# --- marks ------------------------------------------------------------------------------------


def test_it_marks_a_past_session_held_and_refuses_a_future_one(world, session):
    session = schedule(session, days_ahead(2, 10))
    with pytest.raises(services.SchedulingError, match="not started yet"):
        services.session_mark(session=session, status=CoachingSession.Status.HELD)
    later = session.starts_at + timedelta(hours=2)
    session = services.session_mark(session=session, status=CoachingSession.Status.HELD, now=later)
    assert session.status == CoachingSession.Status.HELD
    with pytest.raises(services.SchedulingError):
        services.session_mark(session=session, status=CoachingSession.Status.NO_SHOW, now=later)


def test_it_marks_a_no_show_through_the_page_and_stops_waiting_emails(world, session):
    session = schedule(session, days_ahead(1, 10))
    CoachingSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=1)
    )
    response = world.login(world.coach).post(
        reverse("session_mark", args=[session.pk]), {"status": "no_show"}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.NO_SHOW
    assert Message.objects.get(key=f"session:{session.pk}:preparation").state == State.CANCELLED


def test_it_tops_up_a_recurring_engagement_when_a_session_is_held_or_cancelled(world):
    weekly = program_import(data=parse_program_yaml(WEEKLY_YAML), organisation=world.org)
    engagement = services.engagement_enrol(
        client=world.client,
        program=weekly,
        coach=world.coach,
        cadence=Engagement.Cadence.WEEKLY,
        first_session_local=days_ahead(1, 10),
        time_zone="Europe/Paris",
    )
    assert engagement.sessions.count() == services.RECURRING_AHEAD
    first, second = list(engagement.sessions.order_by("sequence"))[:2]
    services.session_mark(
        session=first,
        status=CoachingSession.Status.HELD,
        now=first.starts_at + timedelta(hours=1),
    )
    assert engagement.sessions.count() == services.RECURRING_AHEAD + 1
    services.session_cancel(session=second, reason="Holiday")
    assert engagement.sessions.count() == services.RECURRING_AHEAD + 2


def test_it_treats_scheduling_a_cadence_session_as_its_first_invitation(world, program):
    engagement = services.engagement_enrol(
        client=world.client,
        program=program,
        coach=world.coach,
        cadence=Engagement.Cadence.WEEKLY,
        first_session_local=days_ahead(10, 9),
        time_zone="Europe/Paris",
    )
    session = engagement.sessions.get(sequence=1)
    session = schedule(session, days_ahead(10, 11))
    assert session.ics_sequence == 0
    assert Message.objects.filter(key=f"session:{session.pk}:invitation").exists()
    # Once invited, scheduling again is a reschedule.
    session = schedule(session, days_ahead(11, 11))
    assert session.ics_sequence == 1


def test_it_shows_the_session_page_to_its_coach_only(world, session):
    assert (
        world.login(world.coach).get(reverse("session_detail", args=[session.pk])).status_code
        == 200
    )
    assert (
        world.login(world.other_coach).get(reverse("session_detail", args=[session.pk])).status_code
        == 404
    )


def test_it_replaces_an_approved_invitation_that_has_not_gone_out_yet(world, session):
    session = schedule(session, days_ahead(20, 10))
    invitation = Message.objects.get(key=f"session:{session.pk}:invitation")
    outbox.message_approve(message=invitation, user=world.coach)
    invitation.refresh_from_db()
    assert invitation.state == State.QUEUED
    session = schedule(session, days_ahead(21, 10))
    invitation.refresh_from_db()
    # Re-drafted with the new time for the coach to approve again; no update needed.
    assert invitation.state == State.DRAFT and session.ics_sequence == 1
    assert not Message.objects.filter(key__contains=":update:").exists()


def test_it_stops_an_engagement_with_its_waiting_emails_and_tells_the_invited_client(
    world, engagement
):
    first, second, *_ = list(engagement.sessions.order_by("sequence"))
    first = schedule(first, days_ahead(10, 10))
    second = schedule(second, days_ahead(17, 10))
    outbox.message_send_now(
        message=Message.objects.get(key=f"session:{first.pk}:invitation"), user=world.coach
    )
    dispatch.dispatch_due()
    services.engagement_stop(engagement=engagement)
    first.refresh_from_db()
    assert first.status == CoachingSession.Status.CANCELLED and first.ics_sequence == 1
    waiting = Message.objects.exclude(key__endswith=":cancel").exclude(state=State.SENT)
    assert set(waiting.values_list("state", flat=True)) == {State.CANCELLED}
    assert Message.objects.filter(key=f"session:{first.pk}:cancel").exists()
    assert not Message.objects.filter(key=f"session:{second.pk}:cancel").exists()


def test_it_invites_for_a_cadence_session_that_has_a_time_but_no_place(world, program):
    engagement = services.engagement_enrol(
        client=world.client,
        program=program,
        coach=world.coach,
        cadence=Engagement.Cadence.WEEKLY,
        first_session_local=days_ahead(10, 9),
        time_zone="Europe/Paris",
    )
    page = world.login(world.coach).get(reverse("engagement_detail", args=[engagement.pk]))
    assert "Add where you meet and invite Cliff" in page.content.decode()


def test_it_undoes_the_schedule_and_explains_when_an_email_cannot_be_prepared(world, session):
    # A subject that renders to two lines is refused by the outbox.
    TemplateVersion.objects.filter(pk=session.template_version_id).update(
        pre_email_subject="Before we meet {{ preparation_list }}"
    )
    response = world.login(world.coach).post(
        reverse("session_schedule", args=[session.pk]),
        {
            "date": days_ahead(20).date().isoformat(),
            "time": "10:00",
            "time_zone": "Europe/Paris",
            "duration_minutes": 90,
            "video_link": VIDEO,
        },
    )
    assert response.status_code == 400
    assert b"could not be prepared" in response.content
    session.refresh_from_db()
    assert session.status == CoachingSession.Status.UNSCHEDULED and session.starts_at is None
    assert not Message.objects.exists()
