from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from flowcoach.lib import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made with `manage.py backup` into this SQLite install (stop the app "
        "and the worker first). Refuses a backup from a newer version of flowcoach."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive written by `manage.py backup`.")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite an install that already has accounts (everything here is lost).",
        )

    def handle(self, *args, path, replace, **options):
        try:
            summary = backup.restore(Path(path), replace=replace)
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        # A backup from an older version gets this version's later migrations.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"Restored {summary.rows} rows in {summary.tables} tables and {summary.files} "
            f"files from {Path(path).name}. Start the app and the worker again."
        )
