"""manage.py import_program FILE --organisation ORG_SLUG [--owner EMAIL] [--draft]: imports a
program file into an organisation, or lists every error by path and imports nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flowcoach.accounts.models import Membership, Organisation, Role, User
from flowcoach.accounts.selectors import organisation_slugs_text
from flowcoach.programs.models import Program
from flowcoach.programs.services import program_import
from flowcoach.programs.yaml_io import (
    MAX_FILE_BYTES,
    ProgramFileError,
    parse_program_yaml,
    program_warnings,
    with_codes,
)


class Command(BaseCommand):
    help = "Import a program YAML file into an organisation. Nothing is imported on any error."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path to the program file (YAML).")
        parser.add_argument("--organisation", metavar="ORG_SLUG", required=True)
        parser.add_argument(
            "--owner", metavar="EMAIL", help="An admin or coach of the organisation."
        )
        parser.add_argument(
            "--draft",
            action="store_true",
            help="Import as the owner's private draft instead of publishing it.",
        )

    def handle(self, *args, file: str, organisation: str, owner=None, draft=False, **options):
        org = Organisation.objects.filter(slug=organisation).first()
        if org is None:
            raise CommandError(
                f"No organisation with the slug '{organisation}'. {organisation_slugs_text()}"
            )
        user = None
        if owner:
            user = User.objects.filter(email__iexact=owner).first()
            is_staff = (
                user is not None
                and Membership.objects.filter(
                    user=user,
                    organisation=org,
                    role__in=[Role.ADMIN, Role.COACH],
                    is_active=True,
                ).exists()
            )
            if not is_staff:
                raise CommandError(f"{owner} is not an admin or coach of '{organisation}'.")
        if draft and user is None:
            raise CommandError("A draft needs an owner: add --owner EMAIL.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"{file}: larger than {MAX_FILE_BYTES // 1024} KB")
        try:
            data = parse_program_yaml(path.read_bytes())
        except ProgramFileError as exc:
            errors = with_codes(exc.errors, getattr(exc, "data", None))
            count = len(errors)
            lines = "\n".join(f"  {error}" for error in errors)
            raise CommandError(
                f"{file}: {count} problem{'s' * (count != 1)}, nothing imported:\n{lines}"
            ) from None
        program = program_import(
            data=data,
            organisation=org,
            owner=user,
            status=Program.Status.DRAFT if draft else Program.Status.PUBLISHED,
        )
        for warning in with_codes(program_warnings(data), data):
            self.stdout.write(f"Note: {warning}")
        sessions = program.templates.count()
        self.stdout.write(
            f"Imported '{program.title}' as {program.slug} into {org.name} "
            f"({sessions} session{'s' * (sessions != 1)}"
            f"{', private draft' if draft else ''})."
        )
