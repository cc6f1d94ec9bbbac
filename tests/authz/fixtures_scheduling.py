from datetime import timedelta

from django.utils import timezone

from flowcoach.coaching import links, services
from flowcoach.coaching.models import SessionRequest


def add_extras(world) -> None:
    """A scheduled session of world.client (coach: world.coach), its coach's calendar feed
    and one link of each kind from its emails."""
    engagement = world.extras["engagement"]
    first = engagement.sessions.order_by("sequence").first()
    day = timezone.now() + timedelta(days=14)
    session = services.session_schedule(
        session=first,
        starts_local=day.replace(tzinfo=None, hour=10, minute=0, second=0, microsecond=0),
        time_zone="Europe/Paris",
        duration_minutes=first.duration_minutes,
        video_link="https://video.example.org/room/matrix",
    )
    world.extras["session"] = session
    world.extras["coach_feed"] = services.calendar_feed_of(world.coach)
    for action in (
        SessionRequest.Kind.CONFIRM,
        SessionRequest.Kind.RESCHEDULE,
        SessionRequest.Kind.CANCEL,
    ):
        world.extras[f"link_{action}"] = links.make_token(session, action)
