"""Reads that shape the runner page and the session summary. Each is a fixed number of
queries whatever the number of notes or commitments: the runner is reloaded mid-session and
must stay quick."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from django.db.models import F, Q, QuerySet, Subquery
from django.utils import timezone
from markdown_it import MarkdownIt

from flowcoach.accounts import hooks
from flowcoach.clients.profile_selectors import profile_page
from flowcoach.coaching import hooks as seams
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    FlowStage,
    PurposeStatement,
    Reflection,
    SessionNote,
    SessionRecord,
    Topic,
)
from flowcoach.coaching.preparation import selectors as preparation

from . import clock as runner_clock
from . import services as runner

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})
STAGES = [{"value": value, "label": label} for value, label in FlowStage.choices]
STAGE_LABELS = dict(FlowStage.choices)
TOPIC_LABELS = dict(Topic.choices)
REFLECTION_LABELS = dict(Reflection.choices)
OUTCOME_LABELS = {"": "Not marked", "met": "Met", "partly": "Partly met", "not_yet": "Not yet"}


_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def answer_lines(text: str) -> list[str]:
    """A worksheet answer as its lines, without the bullets or numbers typed before them: a
    multi-line answer (the adjustments, say) reads as a list in the summary and exports."""
    lines = (_BULLET.sub("", line).strip() for line in (text or "").splitlines())
    return [line for line in lines if line]


def outcome_line(outcome: dict) -> str:
    """An outcome as "Met: the client ...", the mark first, so the outcome's own full stop
    ends the line instead of running into the mark."""
    text = (outcome.get("text") or "").strip()
    return f"{outcome['label']}: {text}" if text else outcome["label"]


def markdown_html(text: str) -> str:
    """A note's Markdown as safe HTML: raw HTML is escaped by the parser and the result is
    sanitised again, so no script or handler ever reaches a page."""
    return nh3.clean(_markdown.render(text or ""))


def _segments(session: CoachingSession, record: SessionRecord, now: datetime) -> list[dict]:
    segments = session.template_version.segments or []
    seconds = runner_clock.actual_seconds(record.timing, len(segments), now)
    return [
        {
            "index": index,
            "name": segment.get("name", f"Segment {index + 1}"),
            "kind": segment.get("kind", ""),
            "minutes_min": segment.get("minutes_min", 0),
            "minutes_max": segment.get("minutes_max", 0),
            "prompts": segment.get("prompts", []),
            "notes": segment.get("notes", ""),
            "flow_stages": [
                {**stage, "label": STAGE_LABELS.get(stage.get("stage"), stage.get("stage"))}
                for stage in segment.get("flow_stages", [])
            ],
            "actual_seconds": seconds[index] if index < len(seconds) else 0,
        }
        for index, segment in enumerate(segments)
    ]


def readable_notes(session: CoachingSession, notes: QuerySet) -> QuerySet:
    """The notes the session's coach may read: shared ones, and the coach-only ones they
    wrote themselves. Another coach's coach-only notes (from before a change of coach) stay
    private to their author. Only the session's coach reaches these pages (access.py)."""
    return notes.filter(deleted_at__isnull=True).filter(
        Q(visibility=SessionNote.Visibility.SHARED) | Q(author_id=session.engagement.coach_id)
    )


def _previous_session(session: CoachingSession) -> CoachingSession | None:
    """The client's most recent other session that was held, in any engagement."""
    return (
        CoachingSession.objects.filter(
            engagement__client_id=session.engagement.client_id,
            status=CoachingSession.Status.HELD,
        )
        .exclude(pk=session.pk)
        .order_by(F("starts_at").desc(nulls_last=True), "-pk")
        .first()
    )


def checkins_since(session: CoachingSession, previous: CoachingSession | None) -> dict | None:
    """What the client sent since their last held session (check-ins, commitment updates,
    progress), from whichever app answers the seam; None when none does."""
    since = previous.starts_at if previous is not None else None
    found = hooks.collect(
        seams.SESSION_CHECKINS,
        client=session.engagement.client,
        since=since,
        until=timezone.now(),
    )
    return found[0] if found else None


def runner_page(session: CoachingSession) -> dict:
    now = timezone.now()
    record = runner.record_of(session)
    client = session.engagement.client
    notes = list(readable_notes(session, session.notes.all()).order_by("created_at", "id"))
    previous = _previous_session(session)
    # This session's commitments and the previous one's to review, in one round trip.
    both = Commitment.objects.filter(session_id__in=[session.pk, previous.pk if previous else 0])
    both = list(both.order_by("created_at", "id"))
    commitments = [c for c in both if c.session_id == session.pk]
    review = [c for c in both if c.session_id != session.pk]
    # This session's own statement, however many the client has made since (a later session
    # run first, or a test of the runner), and the newest one from any other session: one
    # query for both, the newest other one picked by a subquery.
    purpose = PurposeStatement.objects.filter(client=client).order_by("-created_at", "-id")
    newest_other = purpose.exclude(session=session).values("pk")[:1]
    statements = list(purpose.filter(Q(session=session) | Q(pk=Subquery(newest_other))))
    purpose_here = next((p for p in statements if p.session_id == session.pk), None)
    purpose_before = next((p for p in statements if p.session_id != session.pk), None)
    segments = _segments(session, record, now)
    rendered = [{"note": note, "html": markdown_html(note.body)} for note in notes]
    earlier_topics = [
        topic
        for topics in SessionRecord.objects.filter(session__engagement_id=session.engagement_id)
        .exclude(session=session)
        .order_by("session__sequence")
        .values_list("topic_candidates", flat=True)
        for topic in topics or []
    ]
    state = {
        "session": session.pk,
        "now": now.isoformat(),
        "timing": record.timing,
        "completed": record.completed_at is not None,
        "segments": [
            {"name": s["name"], "min": s["minutes_min"], "max": s["minutes_max"], "kind": s["kind"]}
            for s in segments
        ],
        "planned_minutes": session.duration_minutes,
        # The session turns amber at its template's shortest length, red past its own.
        "session_min": min(session.template_version.minutes_min, session.duration_minutes),
        # A shared note by the client's previous coach reads here but stays as they left it.
        "notes": [
            {
                **runner.note_as_dict(r["note"]),
                "html": r["html"],
                "readonly": r["note"].author_id != session.engagement.coach_id,
            }
            for r in rendered
        ],
        "record": runner.record_as_dict(record),
        "commitments": [
            *({**runner.commitment_as_dict(c), "here": True} for c in commitments),
            *({**runner.commitment_as_dict(c), "here": False} for c in review),
        ],
        "purpose": purpose_here.text if purpose_here else "",
        "purpose_version": purpose_here.version if purpose_here else None,
    }
    return {
        "record": record,
        "topic_text": "\n".join(record.topic_candidates or []),
        "earlier_topics": earlier_topics,
        "segments": segments,
        "current": runner_clock.current_segment(record.timing),
        "stages": STAGES,
        "topics": Topic.choices,
        "reflections": Reflection.choices,
        "notes": rendered,
        "previous": previous,
        "review": review,
        "commitments": commitments,
        "purpose_here": purpose_here,
        "purpose_before": purpose_before,
        "profile": profile_page(client),
        "checkins": checkins_since(session, previous),
        "state": state,
        "commitment_states": Commitment.State.choices,
        "outcome_marks": [(k, v) for k, v in OUTCOME_LABELS.items() if k],
    }


# --- summary ---------------------------------------------------------------------------------


def _chart(segments: list[dict]) -> dict:
    """Bars of planned (the maximum) against actual minutes, in SVG units."""
    width, label_width, bar_height, gap = 640, 200, 14, 14
    longest = max(
        [s["minutes_max"] for s in segments] + [s["actual_seconds"] / 60 for s in segments] + [1]
    )
    # Room after the longest bar for its "12.5 of 25 min (over)" label, which an SVG would clip.
    scale = (width - label_width - 150) / longest
    rows = []
    for position, s in enumerate(segments):
        actual = s["actual_seconds"] / 60
        y = position * (2 * bar_height + gap) + 10
        rows.append(
            {
                "name": s["name"],
                "y": y,
                "text_y": y + bar_height,
                "planned_width": round(s["minutes_max"] * scale, 1),
                "actual_y": y + bar_height,
                "actual_width": round(actual * scale, 1),
                "actual_text_x": round(label_width + actual * scale + 6, 1),
                "actual_text_y": y + 2 * bar_height - 3,
                "planned": s["minutes_max"],
                "actual": round(actual, 1),
                "over": actual > s["minutes_max"] > 0,
            }
        )
    return {
        "width": width,
        "height": len(segments) * (2 * bar_height + gap) + 20,
        "label_width": label_width,
        "bar_height": bar_height,
        "rows": rows,
    }


WORKSHEET_LABELS = [
    ("challenge", "The challenge found"),
    ("learned", "What the stories and the flow taught"),
    ("shadow_tendency", "The shadow-side tendency"),
    ("growth_need", "The growth need owned"),
    ("adjustments", "Adjustments"),
]


def summary_page(session: CoachingSession) -> dict:
    record = runner.record_of(session)
    notes = list(readable_notes(session, session.notes.all()).order_by("created_at", "id"))
    segments = _segments(session, record, record.completed_at or timezone.now())
    groups = []
    for segment in segments:
        in_segment = [n for n in notes if n.segment == segment["index"]]
        if not in_segment:
            continue
        stages = []
        for value, label in [("", "No stage"), *FlowStage.choices]:
            rows = [n for n in in_segment if n.flow_stage == value]
            if rows:
                stages.append(
                    {
                        "label": label,
                        "notes": [{"note": n, "html": markdown_html(n.body)} for n in rows],
                    }
                )
        groups.append({"segment": segment, "stages": stages})
    purpose = (
        PurposeStatement.objects.filter(client=session.engagement.client, session=session)
        .order_by("-created_at")
        .first()
    )
    from flowcoach.coaching.emails import follow_up_key
    from flowcoach.outbox.models import Message

    return {
        "record": record,
        # The follow-up email drafted on completion, for the coach to read, edit and approve.
        "follow_up": Message.objects.filter(key=follow_up_key(session)).first(),
        "worksheet": [
            {"label": label, "lines": answer_lines(getattr(record, name))}
            for name, label in WORKSHEET_LABELS
        ],
        "segments": segments,
        "groups": groups,
        "moments": [
            {"note": n, "html": markdown_html(n.body), "stage": STAGE_LABELS.get(n.flow_stage, "")}
            for n in notes
            if n.marker
        ],
        "purpose": purpose,
        "commitments": list(session.commitments.order_by("created_at", "id")),
        "outcomes": [
            {**o, "label": label, "line": outcome_line({**o, "label": label})}
            for o in record.outcomes
            for label in [OUTCOME_LABELS.get(o.get("mark", ""), "")]
        ],
        "chart": _chart(segments),
        "planned_total": sum(s["minutes_max"] for s in segments),
        "actual_total": round(sum(s["actual_seconds"] for s in segments) / 60, 1),
        "stage_labels": STAGE_LABELS,
        "topic_labels": TOPIC_LABELS,
        "reflection_labels": REFLECTION_LABELS,
    }


def summary_markdown(session: CoachingSession, data: dict) -> str:
    """The summary as Markdown, for the coach's own records (it holds coach-only notes)."""
    client = session.engagement.client
    lines = [f"# {session.code} · {session.title}", "", f"With {client.full_name}."]
    if session.when:
        held = session.when.astimezone(ZoneInfo(session.time_zone))
        lines.append(f"Held on {held:%-d %B %Y}.")
    if data["purpose"]:
        lines += ["", "## Purpose statement", "", data["purpose"].text]
    lines += ["", "## Notes"]
    for group in data["groups"]:
        lines += ["", f"### {group['segment']['name']}"]
        for stage in group["stages"]:
            lines += ["", f"#### {stage['label']}", ""]
            for row in stage["notes"]:
                note = row["note"]
                tags = [
                    note.get_marker_display() if note.marker else "",
                    TOPIC_LABELS.get(note.topic, ""),
                    REFLECTION_LABELS.get(note.reflection, ""),
                    "shared" if note.visibility == SessionNote.Visibility.SHARED else "",
                ]
                tag_text = ", ".join(t for t in tags if t)
                body = note.body.strip().replace("\n", "\n  ")
                lines.append(f"- {body}" + (f" _({tag_text})_" if tag_text else ""))
    lines += ["", "## Energy and aha moments", ""]
    for moment in data["moments"]:
        note = moment["note"]
        where = f" in {moment['stage']}" if moment["stage"] else ""
        words = note.body.strip().replace("\n", "\n  ") or "(no words written)"
        lines.append(f"- **{note.get_marker_display()}{where}:** {words}")
    if not data["moments"]:
        lines.append("- None marked.")
    record = data["record"]
    lines += ["", "## Worksheet", ""]
    for item in data["worksheet"]:
        if len(item["lines"]) > 1:
            lines.append(f"- **{item['label']}:**")
            lines += [f"  - {line}" for line in item["lines"]]
        else:
            lines.append(f"- **{item['label']}:** {(item['lines'] or ['—'])[0]}")
    lines += ["", "## Commitments", ""]
    for c in data["commitments"]:
        due = f", due {c.due_date:%-d %B %Y}" if c.due_date else ""
        lines.append(f"- {c.get_owner_display()}: {c.text} ({c.get_state_display()}{due})")
    if not data["commitments"]:
        lines.append("- None recorded.")
    lines += ["", "## Outcomes", ""]
    lines += [f"- {outcome_line(o)}" for o in data["outcomes"]]
    lines += [
        "",
        "## Wrap",
        "",
        f"- **Most helpful:** {record.most_helpful.strip() or '—'}",
        f"- **Summary:** {record.coach_summary.strip() or '—'}",
    ]
    if record.topic_candidates:
        lines.append("- **Topics for open sessions:**")
        lines += [f"  - {topic}" for topic in record.topic_candidates]
    lines += [
        "",
        "## Timing",
        "",
        "| Segment | Planned (min) | Actual (min) |",
        "| --- | --- | --- |",
    ]
    for row in data["chart"]["rows"]:
        lines.append(f"| {row['name']} | {row['planned']} | {row['actual']} |")
    lines.append(f"| Whole session | {data['planned_total']} | {data['actual_total']} |")
    return "\n".join(lines) + "\n"


# --- preparation -----------------------------------------------------------------------------


def prepare_page(session: CoachingSession) -> dict:
    """What the coach reads before a session: the template's preparation lists, the client's
    profile, the last held session (in any engagement), the client's open commitments and
    what the client sent since that session (the `checkins` seam)."""
    client = session.engagement.client
    version = session.template_version
    previous = _previous_session(session)
    previous_notes, previous_record, previous_purpose = [], None, None
    if previous is not None:
        previous_notes = [
            {"note": n, "html": markdown_html(n.body), "stage": STAGE_LABELS.get(n.flow_stage, "")}
            for n in readable_notes(session, previous.notes.all()).order_by("created_at", "id")
        ]
        previous_record = SessionRecord.objects.filter(session=previous).first()
        previous_purpose = PurposeStatement.objects.filter(session=previous).first()
    open_commitments = list(
        Commitment.objects.filter(client=client, state=Commitment.State.OPEN)
        .exclude(session=session)
        .select_related("session")
        .order_by("created_at", "id")
    )
    return {
        "coach_preparation": list(version.coach_preparation or []),
        "client_preparation": list(version.client_preparation or []),
        # The ticks, stored on the server: the coach's own and the client's progress.
        **preparation.session_checklists(session),
        "is_open_session": session.is_open_session,
        "topic_candidates": preparation.topic_candidates(session)
        if session.is_open_session
        else [],
        "profile": profile_page(client),
        "previous": previous,
        "previous_notes": previous_notes,
        "previous_record": previous_record,
        "previous_purpose": previous_purpose,
        "open_commitments": open_commitments,
        "checkins": checkins_since(session, previous),
    }
