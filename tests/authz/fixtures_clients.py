"""Objects the client routes of the matrix act upon, so destructive requests never touch
the shared personas."""

from flowcoach.clients import services


def add_extras(world) -> None:
    world.extras["doomed_client"] = services.client_create(
        organisation=world.org,
        coach=world.coach,
        full_name="Dora Doomed",
        email="dora@harbour.test",
    )
