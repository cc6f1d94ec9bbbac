"""What a client may read about their own coaching, shaped once for every client-facing
surface: the portal's "download my records", and the client API (`flowcoach/api`).

Only content that is shared with the client ever enters these dictionaries. The rule, written
down in docs/decisions.md:
- profile: the client's contact details, and the profile parts whose visibility is "shared
  with the client" (never coach-only fields, stories, themes or attachments);
- from a session, only once its coach has completed it: notes marked shared, the purpose
  statement, the adjustments to work on (the only worksheet field the recap email carries),
  the outcomes as marked, and the commitments;
- the recap (follow-up) emails that were actually sent to the client.
Coach-only notes, the rest of the worksheet (challenge, what was learned, shadow-side
tendency, growth need), what was most helpful, the coach's summary, open-session topic
candidates and the timing log stay with the coach.

Every function is a fixed number of queries whatever the number of sessions or notes."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from flowcoach.accounts import hooks
from flowcoach.clients.models import Client
from flowcoach.clients.profile_selectors import shared_profile
from flowcoach.coaching import hooks as seams
from flowcoach.coaching.emails import follow_up_key
from flowcoach.coaching.models import (
    CoachingSession,
    Commitment,
    PurposeStatement,
    SessionNote,
    SessionRecord,
)
from flowcoach.coaching.runner.selectors import OUTCOME_LABELS, markdown_html
from flowcoach.outbox.models import Kind, Message, State
from flowcoach.programs.models import FLOW_STAGE_LABELS as STAGE_LABELS

FORMAT = "flowcoach.client-records"
FORMAT_VERSION = 1


_CLIENT_VERB = re.compile(r"^the client(?:'s)?\s+(\w+)", re.IGNORECASE)
_PRONOUNS = [
    (re.compile(r"\bthe client's\b", re.IGNORECASE), "my"),
    (re.compile(r"\bthe client\b", re.IGNORECASE), "me"),
    (re.compile(r"\bthey are\b"), "I am"),
    (re.compile(r"\bthey were\b"), "I was"),
    (re.compile(r"\bthemselves\b"), "myself"),
    (re.compile(r"\btheir\b"), "my"),
    (re.compile(r"\bthem\b"), "me"),
    (re.compile(r"\bthey\b"), "I"),
]
_IRREGULAR = {"has": "have", "is": "am", "was": "was", "does": "do"}


def _base_form(verb: str) -> str:
    lower = verb.lower()
    if lower in _IRREGULAR:
        return _IRREGULAR[lower]
    if lower.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return lower[:-2]
    return lower[:-1] if lower.endswith("s") and not lower.endswith("ss") else lower


def in_own_words(text: str) -> str:
    """Outcomes are written for the coach ("The client names the pattern..."); the client's
    records say them as the client would ("I name the pattern...")."""
    match = _CLIENT_VERB.match(text.strip())
    if match is None or text.strip().lower().startswith("the client's"):
        return text
    rest = text.strip()[match.end() :]
    for pattern, replacement in _PRONOUNS:
        rest = pattern.sub(replacement, rest)
    return f"I {_base_form(match.group(1))}{rest}"


def _iso(moment: datetime | date | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- profile ----------------------------------------------------------------------------------


def profile_of(client: Client) -> dict:
    """The client's own details and what their coach shared from the motivation profile."""
    shared = shared_profile(client) or {}
    coach = client.coach
    return {
        "full_name": client.full_name,
        "email": client.email,
        "company": client.company,
        "job_title": client.job_title,
        "phone": client.phone,
        "time_zone": client.time_zone,
        "coach": {"full_name": coach.full_name, "email": coach.email} if coach else None,
        "themes": [
            {
                "rank": row["ranked"].rank,
                "name": row["theme"].name,
                "score": float(row["ranked"].score),
                "is_top": row["is_top"],
            }
            for row in shared.get("themes", [])
        ],
        "stories": [
            {
                "title": story.title,
                "trigger": story.trigger,
                "process": story.process,
                "outcome": story.outcome,
            }
            for story in shared.get("stories", [])
        ],
        "fields": [
            {"name": field["name"], "label": field["label"], "text": field["text"]}
            for field in shared.get("fields", [])
        ],
        "files": [
            {"name": a.original_name, "kind": a.get_kind_display(), "size": a.size}
            for a in shared.get("attachments", [])
        ],
    }


# --- sessions ---------------------------------------------------------------------------------


def sessions_of(client: Client):
    """The client's sessions in every engagement of the organisation, in the order they run."""
    return (
        CoachingSession.objects.filter(engagement__client=client)
        .select_related("engagement__program", "record", "template_version")
        .order_by("engagement__created_at", "engagement_id", "sequence")
    )


def get_own_session(client: Client, pk: int) -> CoachingSession | None:
    return sessions_of(client).filter(pk=pk).first()


def _completed(session: CoachingSession) -> SessionRecord | None:
    """The session's record once its coach completed it; before that nothing of its content
    reaches the client, so the coach can still tidy what is shared."""
    try:
        record = session.record
    except SessionRecord.DoesNotExist:
        return None
    return record if record.completed_at is not None else None


def session_brief(session: CoachingSession) -> dict:
    return {
        "id": session.pk,
        "code": session.code,
        "title": session.title,
        "program": session.engagement.program.title,
        "status": session.status,
        "status_label": session.get_status_display(),
        "starts_at": _iso(session.starts_at),
        "ends_at": _iso(session.ends_at),
        "time_zone": session.time_zone,
        "duration_minutes": session.duration_minutes,
        "video_link": session.video_link,
        "address": session.address,
        "phone": session.phone,
        "has_summary": _completed(session) is not None,
    }


def _commitment(commitment: Commitment, sessions: dict[int, CoachingSession]) -> dict:
    session = sessions.get(commitment.session_id)
    return {
        "id": str(commitment.uuid),
        "owner": commitment.owner,
        "owner_label": "You" if commitment.owner == Commitment.Owner.CLIENT else "Your coach",
        "text": commitment.text,
        "due_date": _iso(commitment.due_date),
        "state": commitment.state,
        "state_label": commitment.get_state_display(),
        "session": {"id": session.pk, "code": session.code} if session else None,
        "created_at": _iso(commitment.created_at),
    }


def _summary(
    session: CoachingSession,
    record: SessionRecord,
    notes: list[SessionNote],
    purpose: PurposeStatement | None,
    commitments: list[dict],
) -> dict:
    segments = session.template_version.segments or []
    return {
        "completed_at": _iso(record.completed_at),
        "purpose_statement": purpose.text if purpose else "",
        "shared_notes": [
            {
                "text": note.body,
                "segment": segments[note.segment].get("name", "")
                if note.segment < len(segments)
                else "",
                "flow_stage": note.flow_stage,
                "flow_stage_label": STAGE_LABELS.get(note.flow_stage, ""),
            }
            for note in notes
            if note.body.strip()
        ],
        "adjustments": record.adjustments,
        "outcomes": [
            {
                "text": in_own_words(outcome.get("text", "")),
                "mark": outcome.get("mark", ""),
                "mark_label": OUTCOME_LABELS.get(outcome.get("mark", ""), ""),
            }
            for outcome in record.outcomes or []
        ],
        "commitments": commitments,
    }


def _shared_notes_by_session(session_ids: list[int]) -> dict[int, list[SessionNote]]:
    by_session: dict[int, list[SessionNote]] = {}
    notes = SessionNote.objects.filter(
        session_id__in=session_ids,
        deleted_at__isnull=True,
        visibility=SessionNote.Visibility.SHARED,
    ).order_by("created_at", "id")
    for note in notes:
        by_session.setdefault(note.session_id, []).append(note)
    return by_session


def _visible_commitments(client: Client, completed_ids: list[int]):
    """Commitments from completed sessions, and any made outside a session."""
    return (
        Commitment.objects.filter(client=client)
        .filter(Q(session__isnull=True) | Q(session_id__in=completed_ids))
        .order_by("created_at", "id")
    )


def commitments_of(client: Client, state: str | None = None) -> list[dict]:
    sessions = {s.pk: s for s in sessions_of(client)}
    completed = [pk for pk, s in sessions.items() if _completed(s) is not None]
    commitments = _visible_commitments(client, completed)
    if state:
        commitments = commitments.filter(state=state)
    return [_commitment(c, sessions) for c in commitments]


def session_summary(client: Client, session: CoachingSession) -> dict | None:
    """One completed session's shared summary, or None while it is not completed."""
    record = _completed(session)
    if record is None:
        return None
    notes = _shared_notes_by_session([session.pk]).get(session.pk, [])
    purpose = PurposeStatement.objects.filter(client=client, session=session).first()
    sessions = {session.pk: session}
    commitments = [
        _commitment(c, sessions)
        for c in session.commitments.filter(client=client).order_by("created_at", "id")
    ]
    return _summary(session, record, notes, purpose, commitments)


# --- the whole export -------------------------------------------------------------------------


def recap_emails_of(client: Client, sessions: list[CoachingSession]) -> list[dict]:
    """The follow-up emails that went out to the client, as sent."""
    keys = [follow_up_key(session) for session in sessions]
    messages = Message.objects.filter(
        organisation=client.organisation, kind=Kind.FOLLOW_UP, state=State.SENT, key__in=keys
    ).order_by("sent_at", "id")
    return [
        {
            "sent_at": _iso(m.sent_at),
            "to": m.to_email,
            "subject": m.subject,
            "text": m.text_body,
        }
        for m in messages
    ]


@dataclass
class _Coaching:
    """The client's sessions, each with its shared summary once completed, and the
    commitments they may see: what both the export and the portal are made of."""

    sessions: list[CoachingSession]
    rows: list[dict]
    commitments: list[dict]
    completed: list[CoachingSession]
    purposes: dict[int, PurposeStatement]


def _coaching(client: Client) -> _Coaching:
    sessions = list(sessions_of(client))
    by_pk = {s.pk: s for s in sessions}
    completed = [s for s in sessions if _completed(s) is not None]
    completed_ids = [s.pk for s in completed]
    notes = _shared_notes_by_session(completed_ids)
    purposes = {
        p.session_id: p
        for p in PurposeStatement.objects.filter(client=client, session_id__in=completed_ids)
    }
    commitments = list(_visible_commitments(client, completed_ids))
    per_session: dict[int, list[dict]] = {}
    for c in commitments:
        if c.session_id is not None:
            per_session.setdefault(c.session_id, []).append(_commitment(c, by_pk))
    rows = []
    for session in sessions:
        row = session_brief(session)
        record = _completed(session)
        row["summary"] = (
            _summary(
                session,
                record,
                notes.get(session.pk, []),
                purposes.get(session.pk),
                per_session.get(session.pk, []),
            )
            if record is not None
            else None
        )
        rows.append(row)
    return _Coaching(
        sessions=sessions,
        rows=rows,
        commitments=[_commitment(c, by_pk) for c in commitments],
        completed=completed,
        purposes=purposes,
    )


def client_records(client: Client) -> dict:
    """Everything above in one dictionary: the JSON file of the client's export."""
    coaching = _coaching(client)
    purposes = coaching.purposes
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(timezone.now()),
        "profile": profile_of(client),
        "sessions": coaching.rows,
        "commitments": coaching.commitments,
        "purpose_statements": [
            {
                "text": purposes[s.pk].text,
                "session": {"id": s.pk, "code": s.code},
                "created_at": _iso(purposes[s.pk].created_at),
            }
            for s in coaching.completed
            if s.pk in purposes
        ],
        "recap_emails": recap_emails_of(client, coaching.sessions),
        # Parts other apps keep (check-ins, progress), each under its own key.
        **{
            part["key"]: part["data"] for part in hooks.collect(seams.CLIENT_RECORDS, client=client)
        },
    }


def portal_history(client: Client) -> dict:
    """What the portal shows of the coaching so far: the commitments still open and, newest
    first, each completed session's shared summary with its notes rendered. Built from the
    export's own selection, so the portal and the export can never disagree on what is shared
    (without the export's profile and recap emails, which the portal does not show here)."""
    coaching = _coaching(client)
    sessions = []
    for row in reversed(coaching.rows):
        summary = row["summary"]
        if summary is None:
            continue
        notes = [{**note, "html": markdown_html(note["text"])} for note in summary["shared_notes"]]
        sessions.append(
            {
                **row,
                "starts_at": datetime.fromisoformat(row["starts_at"]) if row["starts_at"] else None,
                "summary": {**summary, "shared_notes": notes},
            }
        )
    open_commitments = [
        {**c, "due_date": date.fromisoformat(c["due_date"]) if c["due_date"] else None}
        for c in coaching.commitments
        if c["state"] == Commitment.State.OPEN
    ]
    return {"sessions": sessions, "open_commitments": open_commitments}


def _day(value: str | None, zone: str) -> str:
    if not value:
        return "not scheduled yet"
    moment = datetime.fromisoformat(value)
    if isinstance(moment, datetime) and moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(zone))
    return moment.strftime("%-d %B %Y")


def records_markdown(records: dict) -> str:
    """The same records as a document to read."""
    profile = records["profile"]
    zone = profile["time_zone"]
    lines = [
        f"# My coaching records: {profile['full_name']}",
        "",
        f"Exported on {_day(records['exported_at'], zone)}. Everything here is what your coach shared "
        "with you.",
        "",
        "## About me",
        "",
    ]
    for label, key in [
        ("Name", "full_name"),
        ("Email", "email"),
        ("Company", "company"),
        ("Job title", "job_title"),
        ("Phone", "phone"),
        ("Time zone", "time_zone"),
    ]:
        if profile[key]:
            lines.append(f"- **{label}:** {profile[key]}")
    if profile["coach"]:
        lines.append(f"- **Coach:** {profile['coach']['full_name']} ({profile['coach']['email']})")
    if profile["themes"]:
        lines += ["", "### My motivation themes", ""]
        lines += [f"{t['rank']}. {t['name']} ({t['score']:g} of 10)" for t in profile["themes"]]
    for story in profile["stories"]:
        lines += [
            "",
            f"### Story: {story['title']}",
            "",
            f"- **What set it off:** {story['trigger']}",
            f"- **How I went about it:** {story['process']}",
            f"- **What satisfied me:** {story['outcome']}",
        ]
    for field in profile["fields"]:
        lines += ["", f"### {field['label']}", "", field["text"]]
    if profile["files"]:
        lines += ["", "### Files shared with me", ""]
        lines += [f"- {f['name']} ({f['kind']})" for f in profile["files"]]

    lines += ["", "## Sessions"]
    for session in records["sessions"]:
        lines += [
            "",
            f"### {session['code']}: {session['title']}",
            "",
            f"{session['program']} · {_day(session['starts_at'], zone)} · {session['status_label']}",
        ]
        summary = session["summary"]
        if summary is None:
            continue
        if summary["purpose_statement"]:
            lines += ["", "**Purpose statement:**", "", summary["purpose_statement"]]
        if summary["shared_notes"]:
            lines += ["", "**Notes shared with me:**", ""]
            for note in summary["shared_notes"]:
                where = " · ".join(p for p in (note["segment"], note["flow_stage_label"]) if p)
                body = note["text"].strip().replace("\n", "\n  ")
                lines.append(f"- {body}" + (f" _({where})_" if where else ""))
        if summary["adjustments"].strip():
            lines += ["", "**What I will work on:**", "", summary["adjustments"].strip()]
        if summary["outcomes"]:
            lines += ["", "**Outcomes:**", ""]
            lines += [f"- {o['text']} ({o['mark_label']})" for o in summary["outcomes"]]
        if summary["commitments"]:
            lines += ["", "**Commitments:**", ""]
            lines += [_commitment_line(c, zone) for c in summary["commitments"]]

    lines += ["", "## All my commitments", ""]
    lines += [_commitment_line(c, zone) for c in records["commitments"]] or ["- None yet."]
    if records["purpose_statements"]:
        lines += ["", "## My purpose statement over time", ""]
        for p in records["purpose_statements"]:
            lines.append(f"- {p['session']['code']}, {_day(p['created_at'], zone)}: {p['text']}")
    lines += ["", "## Recap emails sent to me"]
    for email in records["recap_emails"]:
        lines += ["", f"### {email['subject']}", "", f"Sent {_day(email['sent_at'], zone)}.", ""]
        lines.append(email["text"].strip())
    if not records["recap_emails"]:
        lines += ["", "None yet."]
    for part in hooks.collect(seams.CLIENT_RECORDS_MARKDOWN, records=records):
        lines += part
    return "\n".join(lines) + "\n"


def _commitment_line(c: dict, zone: str) -> str:
    due = f", due {_day(c['due_date'], zone)}" if c["due_date"] else ""
    return f"- {c['owner_label']}: {c['text']} ({c['state_label']}{due})"


def records_zip(records: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "my-coaching-records.json", json.dumps(records, indent=2, ensure_ascii=False)
        )
        archive.writestr("my-coaching-records.md", records_markdown(records))
    return buffer.getvalue()
