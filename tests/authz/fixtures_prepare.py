from datetime import timedelta

from django.utils import timezone

from flowcoach.coaching import services


def add_extras(world) -> None:
    """An open session of world.client (S4 of the sales track), booked, so its preparation
    lists can be ticked and its topic chosen."""
    engagement = world.extras["engagement"]
    open_session = engagement.sessions.order_by("sequence")[3]
    day = timezone.now() + timedelta(days=21)
    world.extras["prep_session"] = services.session_schedule(
        session=open_session,
        starts_local=day.replace(tzinfo=None, hour=11, minute=0, second=0, microsecond=0),
        time_zone="Europe/Paris",
        duration_minutes=open_session.duration_minutes,
        video_link="https://video.example.org/room/prepare",
    )
