import uuid
from datetime import timedelta

from django.utils import timezone

from flowcoach.checkins import tokens
from flowcoach.checkins.models import Checkin
from flowcoach.coaching.models import Commitment


def add_extras(world) -> None:
    """This week's open check-in of world.client (on the engagement from fixtures_coaching)
    and one commitment of theirs made outside a session, as a check-in makes them."""
    engagement = world.extras["engagement"]
    now = timezone.now()
    week = Checkin.objects.create(
        engagement=engagement,
        client=world.client,
        opens_at=now - timedelta(minutes=5),
        closes_at=now + timedelta(days=7),
        remind_at=now + timedelta(days=2),
    )
    world.extras["checkin"] = week
    world.extras["checkin_token"] = tokens.answer_token(week)
    world.extras["unsubscribe_token"] = tokens.unsubscribe_token(world.client)
    world.extras["checkin_commitment"] = Commitment.objects.create(
        client=world.client, uuid=uuid.uuid4(), text="Matrix commitment from a check-in"
    )
