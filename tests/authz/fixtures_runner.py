import uuid

from flowcoach.coaching.runner import services as runner_services


def add_extras(world) -> None:
    """A session of world.client to run (the engagement's second one, so the scheduling
    routes keep theirs), with one note and one commitment already saved."""
    engagement = world.extras["engagement"]
    session = engagement.sessions.order_by("sequence")[1]
    world.extras["run_session"] = session
    world.extras["run_note"] = runner_services.note_save(
        session=session, uuid=uuid.uuid4(), body="Matrix note"
    )
    world.extras["run_commitment"] = runner_services.commitment_save(
        session=session, uuid=uuid.uuid4(), text="Matrix commitment"
    )
