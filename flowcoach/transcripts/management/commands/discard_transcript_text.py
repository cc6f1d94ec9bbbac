from django.core.management.base import BaseCommand

from flowcoach.transcripts.services import KEEP_CHOICE_DAYS, stale_text_discard


class Command(BaseCommand):
    help = (
        "In organisations that discard transcript text, discard the text of transcripts "
        f"analysed more than {KEEP_CHOICE_DAYS} days ago whose coach kept no lines. Run daily."
    )

    def handle(self, *args, **options):
        count = stale_text_discard()
        self.stdout.write(f"Transcript text discarded for {count} transcript(s).")
