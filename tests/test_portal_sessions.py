from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from flowcoach.coaching import services
from flowcoach.programs.models import Program


def booked_session(world, client, coach, *, video="https://meet.example.org/room-a"):
    engagement = services.engagement_enrol(
        client=client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=coach,
    )
    session = engagement.sessions.order_by("sequence").first()
    start = (timezone.now() + timedelta(days=3)).astimezone(timezone.get_default_timezone())
    return services.session_schedule(
        session=session,
        starts_local=datetime(start.year, start.month, start.day, 10, 0),
        time_zone=client.time_zone,
        duration_minutes=55,
        video_link=video,
    )


def test_it_shows_the_client_their_next_sessions_in_their_own_time_zone(world):
    session = booked_session(world, world.client, world.coach)
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "Your next sessions" in page
    assert "10:00 (Paris time)" in page
    assert session.video_link in page
    assert reverse("calendar_settings") in page


def test_it_never_shows_another_clients_sessions(world):
    booked_session(
        world, world.other_client, world.other_coach, video="https://meet.example.org/secret"
    )
    page = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "meet.example.org/secret" not in page
    assert "Nothing booked yet" in page
