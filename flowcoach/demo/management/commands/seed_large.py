import sys
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from flowcoach.demo import large
from flowcoach.programs.builtins import sync_builtin_programs


class Command(BaseCommand):
    help = (
        "Seed a large practice for speed work (bulk inserts, a progress bar per table). "
        "Coaches sign in as coachN@large.test, the admin as admin@large.test."
    )

    def add_arguments(self, parser):
        parser.add_argument("--coaches", type=int, default=200)
        parser.add_argument("--clients", type=int, default=10_000)
        parser.add_argument("--sessions", type=int, default=100_000)
        parser.add_argument("--notes", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=5_000, help="Rows per insert.")
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same practice.")
        parser.add_argument(
            "--replace", action="store_true", help="Remove an earlier large practice first."
        )
        parser.add_argument("--quiet", action="store_true", help="No progress bars.")

    def handle(self, *args, replace, quiet, **options):
        sizes = large.Sizes(**{key: options[key] for key in large.Sizes.__dataclass_fields__})
        if (
            min(sizes.coaches, sizes.clients, sizes.batch) < 1
            or min(sizes.sessions, sizes.notes) < 0
        ):
            raise CommandError("Give at least one coach and one client, and no negative sizes.")
        if sizes.clients < sizes.coaches:
            raise CommandError("Give at least as many clients as coaches.")
        if large.existing() is not None:
            if not replace:
                raise CommandError(
                    "The large practice is already here. Add --replace to seed it again."
                )
            large.remove()
        # The built-in programs the sessions run on (present after migrate; made sure of).
        sync_builtin_programs()
        started = time.monotonic()

        def progress(label: str, total: int):
            bar = tqdm(
                total=total,
                desc=f"{label:>18}",
                unit=" rows",
                file=sys.stderr,
                disable=quiet,
                leave=True,
            )

            def step(n: int) -> None:
                bar.update(n)
                if bar.n >= total:
                    bar.close()

            return step

        made = large.seed(sizes, progress)
        seconds = time.monotonic() - started
        summary = ", ".join(f"{count:,} {what}" for what, count in made.items())
        self.stdout.write(
            self.style.SUCCESS(f"Large practice ready in {seconds:.0f} s: {summary}.")
        )
        self.stdout.write(f"Sign in as admin@large.test or coach0@large.test ('{large.PASSWORD}').")
