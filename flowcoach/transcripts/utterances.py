"""Cues to utterances: merge what a captioning tool split, estimate ends where none are given.

Rules (docs/transcripts.md explains them for coaches):
- Consecutive cues of one speaker are one utterance when the pause between them is under
  MERGE_GAP seconds. Teams splits a long turn into cues that touch (no pause at all); a real
  pause by the same person (a second or more) starts a new utterance.
- Plain-text transcripts give start times only. An utterance then ends at the next start
  minus the pause before the next person speaks (1 s, or 1.8 s after a question, when people
  think before answering), unless the speaker would have finished well before at their own
  pace (their median words a second): then at 1.5 times that pace. Silence after someone
  finishes is not talk. Starts rounded down to whole seconds move half a second later.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from flowcoach.transcripts.parsing import Cue

MERGE_GAP = 0.5
# The pause before the next person speaks: about a second, and longer after a question,
# because people think before they answer.
TURN_PAUSE = 1.0
QUESTION_PAUSE = 1.8
# A speaker may run a little slower than their usual pace before the gap counts as silence.
PACE_SLACK = 1.5
# Plain text rounds starts down to whole seconds: half a second on average.
ROUNDING = 0.5


@dataclass
class Utterance:
    speaker: str
    start: float
    end: float
    text: str
    labels: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


def build(cues: list[Cue]) -> tuple[list[Utterance], bool]:
    """Return utterances and whether their ends were estimated."""
    estimated = any(cue.end is None for cue in cues)
    if estimated:
        return _estimate_ends(cues), True
    utterances: list[Utterance] = []
    for cue in cues:
        last = utterances[-1] if utterances else None
        if last and last.speaker == cue.speaker and cue.start - last.end < MERGE_GAP:
            last.end = max(last.end, cue.end)
            last.text = f"{last.text} {cue.text}"
        else:
            utterances.append(Utterance(cue.speaker, cue.start, cue.end, cue.text))
    return utterances, False


def _words(text: str) -> int:
    return max(1, len(text.split()))


def _estimate_ends(cues: list[Cue]) -> list[Utterance]:
    starts = [cue.start + ROUNDING if cue.start == int(cue.start) else cue.start for cue in cues]
    pauses = [QUESTION_PAUSE if cue.text.rstrip().endswith("?") else TURN_PAUSE for cue in cues]
    gaps: list[float | None] = [
        starts[i + 1] - starts[i] if i + 1 < len(cues) else None for i in range(len(cues))
    ]
    pace = _paces(cues, gaps, pauses)
    utterances = []
    for i, cue in enumerate(cues):
        at_pace = _words(cue.text) / pace[cue.speaker]
        gap = gaps[i]
        if gap is None:
            length = at_pace
        else:
            # Never past the next start; never shorter than half a second of speech.
            length = max(min(gap - pauses[i], at_pace * PACE_SLACK), min(gap, 0.5))
        utterances.append(Utterance(cue.speaker, starts[i], starts[i] + length, cue.text))
    return utterances


def _paces(cues: list[Cue], gaps: list[float | None], pauses: list[float]) -> dict[str, float]:
    """Words a second per speaker (the median over their turns), 2.5 when unknown."""
    samples: dict[str, list[float]] = {}
    for cue, gap, pause in zip(cues, gaps, pauses, strict=True):
        if gap is None or gap - pause <= 1.0:
            continue
        samples.setdefault(cue.speaker, []).append(_words(cue.text) / (gap - pause))
    everyone = [rate for rates in samples.values() for rate in rates]
    default = statistics.median(everyone) if everyone else 2.5
    return {
        cue.speaker: statistics.median(samples[cue.speaker])
        if len(samples.get(cue.speaker, [])) >= 3
        else default
        for cue in cues
    }
