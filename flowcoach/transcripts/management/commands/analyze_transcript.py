"""`manage.py analyze_transcript FILE [--coach NAME] [--json]`: the report without the web.

Reads nothing from and writes nothing to the database: a coach can check a file, and a
script can collect figures, with the same rules the upload uses."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flowcoach.transcripts.analysis import analyse, as_json
from flowcoach.transcripts.parsing import TranscriptError
from flowcoach.transcripts.report import minutes


class Command(BaseCommand):
    help = "Analyse a transcript file (.vtt, .srt, .txt, .docx) and print its coaching figures."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--coach", help="The coach's name as the transcript spells it (default: a guess)."
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror}.") from None
        try:
            result = analyse(data, path.name, coach=options["coach"])
        except TranscriptError as error:
            raise CommandError(str(error)) from None
        if options["coach"] and options["coach"] not in result.roles:
            names = ", ".join(result.roles)
            raise CommandError(f"No speaker called {options['coach']!r}. Speakers: {names}.")
        if options["json"]:
            self.stdout.write(json.dumps(as_json(result), indent=2, ensure_ascii=False))
            return
        self.stdout.write(_text(result))


def _text(result) -> str:
    f = result.figures
    coach = next(name for name, role in result.roles.items() if role == "coach")
    q = f["coach_questions"]
    lines = [
        f"{result.format} transcript, {minutes(f['duration_seconds'])}"
        + (" (ends estimated from start times)" if result.estimated_ends else ""),
        "",
        "Speakers:",
    ]
    for name, row in f["speakers"].items():
        lines.append(
            f"  {name} ({row['role']}): {minutes(row['talk_seconds'])}, "
            f"{round(row['talk_share'] * 100)}% of talk, {row['questions']} questions"
        )
    lines += [
        "",
        f"Coach ({coach}) share of talk: {round(f['coach_talk_share'] * 100)}% "
        "(coaching practice: 10-33%)",
        f"Coach questions: {q['total']} ({q['open']} open, {q['closed']} closed), "
        f"{q['per_10_minutes']} per 10 minutes",
        f"Client questions: {f['client_questions']}",
        f"Telling: {f['coach_telling_count']}",
        f"Longest coach monologue: {minutes(f['longest_coach_monologue_seconds'])}",
        f"Speaker changes per minute: {f['interactivity_per_minute']}",
        f"F.L.O.W. stages covered: {', '.join(f['flow_stages_covered']) or 'none'}",
        f"Topics covered: {', '.join(f['topics_covered']) or 'none'}",
        f"More / better / different covered: {', '.join(f['mbd_covered']) or 'none'}",
        f"Commitments heard: {len(f['commitments'])}",
    ]
    for commitment in f["commitments"]:
        lines.append(
            f"  [{minutes(commitment['start'])}] {commitment['speaker']}: {commitment['text']}"
        )
    return "\n".join(lines)
