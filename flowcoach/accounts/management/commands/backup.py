from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flowcoach.lib import backup


class Command(BaseCommand):
    help = (
        "Back up a SQLite install (database and private files) into one archive, safely while "
        "the app runs. PostgreSQL installs use pg_dump (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path", help="The archive to write, or a folder to write a dated archive into."
        )

    def handle(self, *args, path, **options):
        try:
            summary = backup.backup(Path(path))
        except backup.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up {summary.rows} rows in {summary.tables} tables and {summary.files} "
            f"files to {summary.path}"
        )
