from django.core.management.base import BaseCommand

from flowcoach.accounts import retention
from flowcoach.accounts.models import Organisation


class Command(BaseCommand):
    help = (
        "Remove coaching content kept past each organisation's keeping time (the worker runs "
        "this daily; safe to repeat). --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, remove nothing.")

    def handle(self, *args, dry_run, **options):
        if dry_run:
            for organisation in Organisation.objects.all():
                for row in retention.preview(organisation):
                    if row.days:
                        self.stdout.write(
                            f"{organisation.slug}: {row.due_now} {row.kind.unit}(s) of "
                            f"{row.kind.label.lower()} due"
                        )
            return
        totals = retention.apply_all()
        removed = ", ".join(f"{count} {key}" for key, count in totals.items()) or "nothing"
        self.stdout.write(f"Removed {removed}.")
