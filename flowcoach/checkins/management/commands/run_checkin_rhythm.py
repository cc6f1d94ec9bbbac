"""`manage.py run_checkin_rhythm`: open, remind and close check-in weeks now, without
waiting for the worker's sweep (the worker runs the same thing every half minute)."""

from django.core.management.base import BaseCommand

from flowcoach.checkins import services


class Command(BaseCommand):
    help = "Open due check-in weeks, send due reminders and close finished weeks."

    def handle(self, *args, **options):
        counts = services.rhythm_run()
        self.stdout.write(
            f"Opened {counts['opened']}, reminded {counts['reminded']}, closed {counts['closed']}."
        )
