"""One call from a file to the full analysis: parse, build utterances, label, measure.

Plain data in and out (no database), so the CLI, the upload and the benchmark share it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowcoach.transcripts import metrics
from flowcoach.transcripts.parsing import parse
from flowcoach.transcripts.utterances import Utterance, build


@dataclass
class Analysis:
    format: str
    estimated_ends: bool
    utterances: list[Utterance]
    roles: dict[str, str]
    figures: dict

    def speakers(self) -> list[str]:
        return list(dict.fromkeys(u.speaker for u in self.utterances))


def read(data: bytes, filename: str = "") -> tuple[str, list[Utterance], bool]:
    fmt, cues = parse(data, filename)
    utterances, estimated = build(cues)
    return fmt, utterances, estimated


def analyse(
    data: bytes,
    filename: str = "",
    coach: str | None = None,
    roles: dict[str, str] | None = None,
) -> Analysis:
    fmt, utterances, estimated = read(data, filename)
    return measure(fmt, utterances, estimated, coach=coach, roles=roles)


def measure(
    fmt: str,
    utterances: list[Utterance],
    estimated: bool,
    coach: str | None = None,
    roles: dict[str, str] | None = None,
) -> Analysis:
    if roles is None or metrics.COACH not in roles.values():
        roles = metrics.guess_roles(utterances, coach)
    metrics.label(utterances, roles)
    return Analysis(fmt, estimated, utterances, roles, metrics.figures(utterances, roles))


def as_json(analysis: Analysis) -> dict:
    """The `--json` shape: the truth files' keys, plus commitments and utterances."""
    figures = analysis.figures
    return {
        "format": analysis.format,
        "estimated_ends": analysis.estimated_ends,
        "roles": analysis.roles,
        "duration_seconds": figures["duration_seconds"],
        "total_talk_seconds": figures["total_talk_seconds"],
        "speakers": figures["speakers"],
        "coach_questions": figures["coach_questions"],
        "client_questions": figures["client_questions"],
        "coach_telling_count": figures["coach_telling_count"],
        "longest_coach_monologue_seconds": figures["longest_coach_monologue_seconds"],
        "longest_coach_monologues": figures["longest_coach_monologues"],
        "interactivity_per_minute": figures["interactivity_per_minute"],
        "patience_seconds": figures["patience_seconds"],
        "flow_stages_covered": figures["flow_stages_covered"],
        "topics_covered": figures["topics_covered"],
        "mbd_covered": figures["mbd_covered"],
        "commitments": [
            {"speaker": c["speaker"], "start": c["start"], "text": c["text"]}
            for c in figures["commitments"]
        ],
        "utterances": [
            {
                "speaker": u.speaker,
                "start": round(u.start, 3),
                "end": round(u.end, 3),
                "text": u.text,
                "question": u.labels["question"],
                "question_type": u.labels["question_type"],
                "telling": u.labels["telling"],
                "commitment": u.labels["commitment"],
                "why": u.labels["why"],
            }
            for u in analysis.utterances
        ],
    }
