from datetime import timedelta

from django.utils import timezone

from flowcoach.outbox import services


def add_extras(world) -> None:
    # A draft in the outbox of world.coach (the coach of world.client).
    world.extras["outbox_message"] = services.message_draft(
        organisation=world.org,
        key="authz:outbox:1",
        kind="follow_up",
        to_email=world.client.email,
        to_name=world.client.full_name,
        subject="Thank you for today",
        text_body="Here is what we agreed.",
        send_after=timezone.now() + timedelta(days=1),
        owner=world.coach,
    )
