from django.core.management.base import BaseCommand

from flowcoach.coaching.tasks import nudge_digests_draft


class Command(BaseCommand):
    help = (
        "Draft this week's 'clients to schedule' email for each coach who asked for it. "
        "Safe to run more than once a week: each coach gets at most one per week."
    )

    def handle(self, *args, **options):
        count = nudge_digests_draft()
        self.stdout.write(f"Weekly schedule nudges drafted for {count} coach(es).")
