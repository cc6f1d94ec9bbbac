from django.core.management.base import BaseCommand
from django.utils import timezone

from flowcoach.insights import figures


class Command(BaseCommand):
    help = (
        "Count every organisation's last two finished months of figures again and keep them "
        "(the worker runs this daily; safe to repeat)."
    )

    def handle(self, *args, **options):
        counted = figures.recount_recent(timezone.now())
        self.stdout.write(f"Counted the figures of {counted} organisation(s) again.")
