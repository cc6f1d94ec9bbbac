"""The coaching figures of one transcript, from labelled utterances and who is who.

Definitions follow DOMAIN.md ("Transcript coaching metrics"); docs/transcripts.md gives the
exact rules. Output keys match the fixture truth files where they share a figure.
"""

from __future__ import annotations

from flowcoach.transcripts.coverage import covered, themes_in
from flowcoach.transcripts.language import commitment_label, question_label, telling_label
from flowcoach.transcripts.utterances import Utterance

COACH, CLIENT, OTHER = "coach", "client", "other"


def label(utterances: list[Utterance], roles: dict[str, str]) -> None:
    """Attach labels (and the reason for each) to every utterance, in place."""
    for utterance in utterances:
        question = question_label(utterance.text)
        is_coach = roles.get(utterance.speaker) == COACH
        telling = telling_label(utterance.text, question) if is_coach else None
        commitment = commitment_label(utterance.text)
        utterance.labels = {
            "question": question.is_question,
            "question_type": question.kind,
            "telling": bool(telling and telling.is_telling),
            "commitment": commitment.is_commitment,
            "why": {
                "question": question.why if question.is_question else "",
                "telling": telling.why if telling and telling.is_telling else "",
                "commitment": commitment.why,
            },
            "themes": themes_in(utterance.text),
        }


def guess_roles(utterances: list[Utterance], coach: str | None = None) -> dict[str, str]:
    """Coach: the named one, else whoever asks the most questions; client: the one who talks
    most of the rest; anyone else is 'other' until the coach maps them."""
    talk: dict[str, float] = {}
    asks: dict[str, int] = {}
    for utterance in utterances:
        talk[utterance.speaker] = talk.get(utterance.speaker, 0.0) + utterance.seconds
        asks[utterance.speaker] = asks.get(utterance.speaker, 0) + int(
            question_label(utterance.text).is_question
        )
    speakers = list(talk)
    if coach is None or coach not in talk:
        coach = max(speakers, key=lambda name: (asks[name], -speakers.index(name)))
    roles = dict.fromkeys(speakers, OTHER)
    roles[coach] = COACH
    rest = [name for name in speakers if name != coach]
    if rest:
        roles[max(rest, key=lambda name: talk[name])] = CLIENT
    return roles


def figures(utterances: list[Utterance], roles: dict[str, str]) -> dict:
    if not utterances:
        raise ValueError("no utterances")
    start = min(u.start for u in utterances)
    end = max(u.end for u in utterances)
    duration = end - start
    speakers: dict[str, dict] = {}
    for u in utterances:
        row = speakers.setdefault(
            u.speaker,
            {
                "role": roles.get(u.speaker, OTHER),
                "talk_seconds": 0.0,
                "words": 0,
                "utterances": 0,
                "questions": 0,
                "questions_open": 0,
                "questions_closed": 0,
                "telling": 0,
            },
        )
        row["talk_seconds"] += u.seconds
        row["words"] += len(u.text.split())
        row["utterances"] += 1
        if u.labels["question"]:
            row["questions"] += 1
            row["questions_" + u.labels["question_type"]] += 1
        row["telling"] += int(u.labels["telling"])
    total_talk = sum(row["talk_seconds"] for row in speakers.values()) or 1.0
    for row in speakers.values():
        row["talk_share"] = round(row["talk_seconds"] / total_talk, 4)
        row["talk_seconds"] = round(row["talk_seconds"], 3)

    def by_role(role: str, key: str) -> int:
        return sum(row[key] for row in speakers.values() if row["role"] == role)

    coach_total = by_role(COACH, "questions")
    monologues = coach_runs(utterances, roles)
    coverage = covered(
        [u.labels["themes"] for u in utterances],
        [roles.get(u.speaker) == COACH for u in utterances],
    )
    return {
        "duration_seconds": round(duration, 3),
        "total_talk_seconds": round(total_talk, 3),
        "speakers": speakers,
        "coach_talk_share": round(
            sum(r["talk_share"] for r in speakers.values() if r["role"] == COACH), 4
        ),
        "coach_questions": {
            "total": coach_total,
            "open": by_role(COACH, "questions_open"),
            "closed": by_role(COACH, "questions_closed"),
            "per_10_minutes": round(coach_total / (duration / 600), 2) if duration else 0.0,
        },
        "client_questions": by_role(CLIENT, "questions"),
        "coach_telling_count": by_role(COACH, "telling"),
        "longest_coach_monologue_seconds": round(monologues[0]["seconds"], 3)
        if monologues
        else 0.0,
        "longest_coach_monologues": monologues[:3],
        "interactivity_per_minute": round(_switches(utterances) / (duration / 60), 2)
        if duration
        else 0.0,
        "patience_seconds": _patience(utterances, roles),
        "flow_stages_covered": coverage["flow"],
        "topics_covered": coverage["topic"],
        "mbd_covered": coverage["mbd"],
        "commitments": [
            {
                "index": index,
                "speaker": u.speaker,
                "role": roles.get(u.speaker, OTHER),
                "start": round(u.start, 3),
                "text": u.text,
            }
            for index, u in enumerate(utterances)
            if u.labels["commitment"]
        ],
    }


def coach_runs(utterances: list[Utterance], roles: dict[str, str]) -> list[dict]:
    """Runs of coach utterances with no client utterance between them, longest first.

    A third person (a manager who joins) does not end the coach's run: only the client's
    words do, however short (DOMAIN.md)."""
    runs: list[dict] = []
    current: dict | None = None
    for index, u in enumerate(utterances):
        role = roles.get(u.speaker, OTHER)
        if role == COACH:
            if current is None:
                current = {"first_index": index, "start": u.start}
            current["last_index"] = index
            current["end"] = max(current.get("end", u.end), u.end)
        elif role == CLIENT and current is not None:
            runs.append(current)
            current = None
    if current is not None:
        runs.append(current)
    for run in runs:
        run["seconds"] = round(run["end"] - run["start"], 3)
        run["utterances"] = run["last_index"] - run["first_index"] + 1
        run["start"] = round(run["start"], 3)
        run["end"] = round(run["end"], 3)
    return sorted(runs, key=lambda run: -run["seconds"])


def _switches(utterances: list[Utterance]) -> int:
    return sum(
        1 for a, b in zip(utterances, utterances[1:], strict=False) if a.speaker != b.speaker
    )


def _patience(utterances: list[Utterance], roles: dict[str, str]) -> float | None:
    """Average pause before the coach speaks after the client; overlaps count as 0."""
    pauses = [
        max(0.0, b.start - a.end)
        for a, b in zip(utterances, utterances[1:], strict=False)
        if roles.get(a.speaker) == CLIENT and roles.get(b.speaker) == COACH
    ]
    return round(sum(pauses) / len(pauses), 2) if pauses else None
