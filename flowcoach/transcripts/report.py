"""Shapes one transcript's report page: figures beside their reference bands, the
who-spoke-when timeline, the lines worth reading again, and time per segment against the
template where the runner kept a timing log."""

from __future__ import annotations

from datetime import datetime

from flowcoach.coaching.models import SessionRecord
from flowcoach.coaching.runner import clock as runner_clock

from .coverage import FLOW_STAGES, MBD, TOPICS
from .models import Role, Transcript

STAGE_LABELS = {
    "find_out": "Find out",
    "learn_about": "Learn about",
    "own": "Own",
    "work_it": "Work it",
}
TOPIC_LABELS = {
    "self_concept": "Self-concept",
    "identity_role": "Identity and role",
    "personal_goals": "Personal goals",
    "behavioural_reflection": "Behavioural reflection",
}
MBD_LABELS = {"more": "More", "better": "Better", "different": "Different"}

# Coaching practice guidance: the coach at roughly 10 to 33 percent of the talk.
COACHING_BAND = (0.10, 0.33)
# Sales-call research, about sales calls rather than coaching: winning reps near 43 percent,
# those above 65 percent losing. Shown for comparison, labelled as such.
SALES_WINNING = 0.43
SALES_LOSING = 0.65


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


def clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def talk_band(share: float) -> dict:
    low, high = COACHING_BAND
    if share < low:
        verdict, tone = "below the usual coaching range", "ok"
    elif share <= high:
        verdict, tone = "within the usual coaching range", "ok"
    else:
        verdict, tone = "above the usual coaching range", "warn"
    return {"verdict": verdict, "tone": tone, "percent": round(share * 100)}


def report(transcript: Transcript) -> dict:
    figures = transcript.figures
    roles = transcript.roles
    lines = _lines(transcript)
    coach_share = figures.get("coach_talk_share", 0.0)
    speakers = [
        {
            "name": name,
            "role": Role(row["role"]).label if row["role"] in Role.values else row["role"],
            "talk": minutes(row["talk_seconds"]),
            "percent": round(row["talk_share"] * 100),
            "questions": row["questions"],
            "open": row["questions_open"],
            "closed": row["questions_closed"],
        }
        for name, row in figures["speakers"].items()
    ]
    coach_questions = figures["coach_questions"]
    monologues = []
    for run in figures.get("longest_coach_monologues", []):
        words = [
            line["text"]
            for line in lines
            if run["first_index"] <= line["index"] <= run["last_index"]
            and roles.get(line["speaker"]) == Role.COACH
        ]
        monologues.append(
            {
                **run,
                "length": minutes(run["seconds"]),
                "at": clock(run["start"]),
                "text": " ".join(words),
            }
        )
    return {
        "transcript": transcript,
        "discarded": transcript.text_discarded_at is not None,
        "duration": minutes(figures["duration_seconds"]),
        "speakers": speakers,
        "coach_share": talk_band(coach_share),
        "sales": {"winning": round(SALES_WINNING * 100), "losing": round(SALES_LOSING * 100)},
        "coach_questions": coach_questions,
        "open_percent": round(100 * coach_questions["open"] / coach_questions["total"])
        if coach_questions["total"]
        else 0,
        "client_questions": figures["client_questions"],
        "telling_count": figures["coach_telling_count"],
        "longest": minutes(figures["longest_coach_monologue_seconds"]),
        "interactivity": figures.get("interactivity_per_minute"),
        "patience": figures.get("patience_seconds"),
        "questions": [line for line in lines if line.get("question") and _is_coach(line, roles)],
        "telling": [line for line in lines if line.get("telling")],
        "commitments": [line for line in lines if line.get("commitment")],
        "monologues": monologues,
        "coverage": _coverage(figures),
        "timeline": timeline(transcript),
        "segments": segments(transcript),
    }


def _is_coach(line: dict, roles: dict) -> bool:
    return roles.get(line["speaker"]) == Role.COACH


def _lines(transcript: Transcript) -> list[dict]:
    if transcript.text_discarded_at:
        return [{**line, "at": clock(line["start"])} for line in transcript.kept_lines]
    return [
        {**line, "index": index, "at": clock(line["start"])}
        for index, line in enumerate(transcript.utterances)
    ]


def _coverage(figures: dict) -> list[dict]:
    groups = [
        ("F.L.O.W. stages", FLOW_STAGES, STAGE_LABELS, figures.get("flow_stages_covered", [])),
        ("The four topics", TOPICS, TOPIC_LABELS, figures.get("topics_covered", [])),
        ("More, better, different", MBD, MBD_LABELS, figures.get("mbd_covered", [])),
    ]
    return [
        {
            "title": title,
            "items": [{"label": labels[name], "covered": name in covered} for name in names],
        }
        for title, names, labels, covered in groups
    ]


TIMELINE_WIDTH = 760
ROW_HEIGHT = 26
LABEL_WIDTH = 150


def timeline(transcript: Transcript) -> dict:
    """Who spoke when, one row per speaker; bars scaled to the session's length."""
    figures = transcript.figures
    names = list(figures["speakers"])
    items = transcript.utterances
    if not items:
        return {"rows": [], "width": TIMELINE_WIDTH, "height": 0}
    start = min(item["start"] for item in items)
    span = max(item["end"] for item in items) - start or 1.0
    plot = TIMELINE_WIDTH - LABEL_WIDTH
    rows = []
    for row_index, name in enumerate(names):
        role = transcript.roles.get(name, Role.OTHER)
        bars = [
            {
                "x": round(LABEL_WIDTH + (item["start"] - start) / span * plot, 1),
                "width": max(0.8, round((item["end"] - item["start"]) / span * plot, 1)),
            }
            for item in items
            if item["speaker"] == name
        ]
        rows.append(
            {
                "name": name,
                "role": role,
                "y": row_index * ROW_HEIGHT + 4,
                "text_y": row_index * ROW_HEIGHT + 19,
                "bars": bars,
            }
        )
    ticks = []
    step = 300 if span <= 3600 else 600
    for second in range(0, int(span) + 1, step):
        ticks.append(
            {"x": round(LABEL_WIDTH + second / span * plot, 1), "label": f"{second // 60}"}
        )
    height = len(names) * ROW_HEIGHT + 24
    return {
        "rows": rows,
        "ticks": ticks,
        # Room on the right for the last minute label.
        "width": TIMELINE_WIDTH + 24,
        "height": height,
        "axis_y": len(names) * ROW_HEIGHT + 4,
        "tick_y": len(names) * ROW_HEIGHT + 18,
        "blocks": _blocks(transcript, names, start, span),
    }


def _blocks(transcript: Transcript, names: list[str], start: float, span: float) -> list[dict]:
    """The timeline's numbers as a table: seconds of talk per speaker per 5 minutes."""
    size = 300
    count = int(span // size) + 1
    table = [dict.fromkeys(names, 0.0) for _ in range(count)]
    for item in transcript.utterances:
        at = item["start"] - start
        while at < item["end"] - start:
            block = min(int(at // size), count - 1)
            until = min(item["end"] - start, (block + 1) * size)
            table[block][item["speaker"]] += until - at
            at = until
            if block == count - 1:
                break
    return [
        {"label": f"{i * 5}–{i * 5 + 5} min", "seconds": [round(row[name]) for name in names]}
        for i, row in enumerate(table)
    ]


def segments(transcript: Transcript) -> list[dict]:
    """The template's segments, the runner's minutes, and the transcript's talk in each.

    The transcript's clock starts when the runner's first segment started: recordings are
    started with the session, so the two line up to within a minute or so."""
    record = SessionRecord.objects.filter(session=transcript.session).first()
    if record is None or not record.timing:
        return []
    template = transcript.session.template_version.segments or []
    actual = runner_clock.actual_seconds(record.timing, len(template))
    origin = min(datetime.fromisoformat(s["started_at"]) for s in record.timing)
    windows: dict[int, list[tuple[float, float]]] = {}
    for stretch in record.timing:
        begin = (datetime.fromisoformat(stretch["started_at"]) - origin).total_seconds()
        end_at = stretch.get("ended_at")
        end = (datetime.fromisoformat(end_at) - origin).total_seconds() if end_at else begin
        windows.setdefault(stretch["segment"], []).append((begin, end))
    rows = []
    coach_names = {name for name, role in transcript.roles.items() if role == Role.COACH}
    for index, segment in enumerate(template):
        coach_talk = total_talk = 0.0
        for begin, end in windows.get(index, []):
            for item in transcript.utterances:
                overlap = min(end, item["end"]) - max(begin, item["start"])
                if overlap > 0:
                    total_talk += overlap
                    if item["speaker"] in coach_names:
                        coach_talk += overlap
        planned_max = segment.get("minutes_max", 0)
        rows.append(
            {
                "name": segment.get("name", f"Segment {index + 1}"),
                "planned": f"{segment.get('minutes_min', 0)}–{planned_max} min"
                if segment.get("minutes_min", 0) != planned_max
                else f"{planned_max} min",
                "actual": minutes(actual[index]) if index < len(actual) else "–",
                "over": index < len(actual) and actual[index] > planned_max * 60 > 0,
                "coach_percent": round(100 * coach_talk / total_talk) if total_talk else None,
            }
        )
    return rows
