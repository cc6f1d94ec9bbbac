"""Objects the program routes of the matrix act upon: a built-in, a published and an
archived program of world.org, and a private draft of world.coach."""

from flowcoach.programs import services
from flowcoach.programs.models import Program
from flowcoach.programs.yaml_io import program_to_dict


def add_extras(world) -> None:
    builtin = Program.objects.filter(organisation=None).order_by("pk").first()
    data = program_to_dict(builtin)
    published = services.program_import(data=data, organisation=world.org, owner=world.admin)
    archived = services.program_import(
        data=data, organisation=world.org, status=Program.Status.ARCHIVED
    )
    draft = services.program_import(
        data=data, organisation=world.org, owner=world.coach, status=Program.Status.DRAFT
    )
    world.extras.update(
        builtin_program=builtin,
        builtin_template=builtin.templates.order_by("position").first(),
        org_program=published,
        org_template=published.templates.order_by("position").first(),
        archived_program=archived,
        coach_draft=draft,
        draft_template=draft.templates.order_by("position").first(),
    )
