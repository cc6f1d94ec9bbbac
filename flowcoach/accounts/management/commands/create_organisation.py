import getpass
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from flowcoach.accounts import services
from flowcoach.accounts.models import Organisation
from flowcoach.lib.timezones import canonical_time_zone, is_valid_time_zone


class Command(BaseCommand):
    help = "Create an organisation and its first admin (the shell twin of the first-run page)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The organisation's name.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", required=True)
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument(
            "--password",
            help="The admin's password. Omit it to be asked, or pass --no-password to let the "
            "admin sign in with an emailed code only.",
        )
        parser.add_argument("--no-password", action="store_true")
        parser.add_argument(
            "--also-coach",
            action="store_true",
            help="The admin coaches clients too (a practitioner's own practice).",
        )

    def handle(
        self, *args, name, admin_email, admin_name, time_zone, password, no_password, **options
    ):
        if not name.strip():
            raise CommandError("The organisation needs a name.")
        if not admin_name.strip():
            raise CommandError("--admin-name: the admin needs a name.")
        try:
            validate_email(admin_email)
        except Exception as exc:
            raise CommandError(f"--admin-email: {admin_email!r} is not an email address") from exc
        time_zone = canonical_time_zone(time_zone)
        if not is_valid_time_zone(time_zone):
            raise CommandError(f"--time-zone: {time_zone!r} is not a known time zone")
        if not no_password and password is None:
            if not sys.stdin.isatty():
                # Nobody can type a password here (a script, a container without a terminal).
                raise CommandError(
                    "No password given and no terminal to ask for one: add --password PASSWORD, "
                    "or --no-password to let the admin sign in with an emailed code."
                )
            try:
                password = getpass.getpass("Password for the admin: ")
            except (EOFError, KeyboardInterrupt):
                raise CommandError("No password typed; nothing was created.") from None
        if not no_password:
            try:
                password_validation.validate_password(password or "")
            except ValidationError as error:
                raise CommandError("--password: " + " ".join(error.messages)) from None
        if Organisation.objects.filter(name__iexact=name.strip()).exists():
            raise CommandError(f"An organisation named {name!r} already exists.")
        with transaction.atomic():
            organisation, user = services.organisation_create(
                name=name,
                admin_email=admin_email,
                admin_full_name=admin_name,
                admin_password=None if no_password else password,
                time_zone=time_zone,
                admin_also_coaches=options.get("also_coach", False),
            )
        self.stdout.write(
            self.style.SUCCESS(f"Created {organisation.name} with admin {user.email}.")
        )
