from flowcoach.coaching.services import engagement_enrol
from flowcoach.programs.models import Program


def add_extras(world) -> None:
    world.extras["engagement"] = engagement_enrol(
        client=world.client,
        program=Program.objects.get(organisation=None, slug="best-seller"),
        coach=world.coach,
    )
