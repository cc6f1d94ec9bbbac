"""manage.py export_program SLUG [--organisation ORG_SLUG]: the program's latest versions as
canonical YAML on stdout (a built-in when no organisation is given)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from flowcoach.accounts.models import Organisation
from flowcoach.accounts.selectors import organisation_slugs_text
from flowcoach.programs.models import Program
from flowcoach.programs.yaml_io import dump_program_yaml, program_to_dict


class Command(BaseCommand):
    help = "Write a program as YAML to stdout (a built-in unless --organisation is given)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The program's slug, e.g. best-seller.")
        parser.add_argument(
            "--organisation", metavar="ORG_SLUG", help="Export this organisation's program."
        )

    def handle(self, *args, slug: str, organisation: str | None = None, **options):
        org = None
        if organisation:
            org = Organisation.objects.filter(slug=organisation).first()
            if org is None:
                raise CommandError(
                    f"No organisation with the slug '{organisation}'. {organisation_slugs_text()}"
                )
        program = Program.objects.filter(organisation=org, slug=slug).first()
        if program is None:
            where = f"in organisation '{organisation}'" if org else "among the built-ins"
            raise CommandError(f"No program with the slug '{slug}' {where}.")
        # No trailing newline added: the YAML already ends with one, and piping the output
        # back into import_program must give the very same bytes.
        self.stdout.write(dump_program_yaml(program_to_dict(program)), ending="")
