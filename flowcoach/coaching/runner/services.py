"""Writes of the live session runner: notes, commitments, the session record (worksheet,
wrap, outcomes, topic candidates) and the purpose statement. The timing log and completion
are in `runner/clock.py`.

Every note and commitment carries an id made by the browser, so a retried save updates the
same row and never adds a second one. Each carries a `version` too: a save based on an older
version than the stored one, with different content, is refused with both texts (two tabs
must never overwrite each other silently). Saving the same content again is a no-op.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction
from django.utils import timezone

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
from flowcoach.lib import rows

MAX_NOTE = 20_000
MAX_TEXT = 10_000
MAX_ITEMS = 50
OUTCOME_MARKS = ("", "met", "partly", "not_yet")
RECORD_TEXT_FIELDS = (
    "challenge",
    "learned",
    "shadow_tendency",
    "growth_need",
    "adjustments",
    "most_helpful",
    "coach_summary",
)
RECORD_FIELDS = (*RECORD_TEXT_FIELDS, "outcomes", "topic_candidates")


class RunnerError(Exception):
    """Input the runner refuses, with a reason fit to show the coach."""


@dataclass
class Conflict(Exception):
    """A save based on an older version: nothing was written. Carries both sides so the
    coach can see them and choose."""

    stored_version: int | None
    stored: dict
    yours: dict

    def __str__(self) -> str:
        return "This was changed elsewhere since you opened it."


# --- helpers -----------------------------------------------------------------------------------


def _uuid(value) -> uuid_module.UUID:
    try:
        return value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise RunnerError("Each item needs a valid id.") from None


def _text(value, label: str, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RunnerError(f"{label} must be text.")
    if len(value) > limit:
        raise RunnerError(f"{label} is too long (at most {limit} characters).")
    return value


def _choice(value, choices, label: str) -> str:
    value = value or ""
    if value not in ("", *choices):
        raise RunnerError(f"{label} is not one we know.")
    return value


def _base_version(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise RunnerError("The version must be a whole number.") from None
    if number < 0:
        raise RunnerError("The version must be a whole number.")
    return number


def segment_count(session: CoachingSession) -> int:
    return len(session.template_version.segments or [])


def record_of(session: CoachingSession, *, lock: bool = False) -> SessionRecord:
    """The session's record, created on first use with the template's outcomes unmarked."""
    record, _ = SessionRecord.objects.get_or_create(
        session=session,
        defaults={
            "outcomes": [
                {"text": text, "mark": ""} for text in session.template_version.outcomes or []
            ]
        },
    )
    if lock:
        record = SessionRecord.objects.select_for_update().get(pk=record.pk)
    return record


def check_writable(session: CoachingSession) -> None:
    if session.status in (
        CoachingSession.Status.CANCELLED,
        CoachingSession.Status.CANCELLED_LATE,
        CoachingSession.Status.NO_SHOW,
    ):
        raise RunnerError("This session did not take place, so it cannot be run.")


# --- notes -------------------------------------------------------------------------------------

NOTE_FIELDS = ("body", "segment", "flow_stage", "topic", "reflection", "marker", "visibility")

# Every autosave of a note reads it under lock first; built with the ORM that read cost
# about as much CPU as the rest of the save, so it is written out (bench/README.md).
_NOTE_COLUMNS = tuple(field.attname for field in SessionNote._meta.concrete_fields)
_NOTE_SQL = (
    "SELECT "
    + ", ".join(SessionNote._meta.get_field(name).column for name in _NOTE_COLUMNS)
    + f" FROM {SessionNote._meta.db_table} WHERE uuid = %s"
)


def _note_for_update(note_id: uuid_module.UUID) -> SessionNote | None:
    """The note with this id, locked until the transaction ends (SQLite's writers already
    queue on BEGIN IMMEDIATE)."""
    sql = _NOTE_SQL + (" FOR UPDATE" if connection.features.has_select_for_update else "")
    prepared = SessionNote._meta.get_field("uuid").get_db_prep_value(note_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prepared])
        row = cursor.fetchone()
    return rows.load(SessionNote, _NOTE_COLUMNS, row) if row else None


def _note_fields(session: CoachingSession, fields: dict) -> dict:
    unknown = set(fields) - set(NOTE_FIELDS)
    if unknown:
        raise RunnerError(f"Unknown note field: {sorted(unknown)[0]}.")
    clean = {}
    if "body" in fields:
        clean["body"] = _text(fields["body"], "A note", MAX_NOTE)
    if "segment" in fields:
        try:
            segment = int(fields["segment"])
        except (TypeError, ValueError):
            raise RunnerError("The segment must be a number.") from None
        if not 0 <= segment < max(segment_count(session), 1):
            raise RunnerError("That segment is not part of this session.")
        clean["segment"] = segment
    if "flow_stage" in fields:
        clean["flow_stage"] = _choice(fields["flow_stage"], FlowStage.values, "The stage")
    if "topic" in fields:
        clean["topic"] = _choice(fields["topic"], Topic.values, "The topic")
    if "reflection" in fields:
        clean["reflection"] = _choice(fields["reflection"], Reflection.values, "The reflection")
    if "marker" in fields:
        clean["marker"] = _choice(fields["marker"], SessionNote.Marker.values, "The marker")
    if "visibility" in fields:
        value = fields["visibility"] or SessionNote.Visibility.COACH_ONLY
        clean["visibility"] = _choice(value, SessionNote.Visibility.values, "The visibility")
    return clean


def note_as_dict(note: SessionNote) -> dict:
    return {
        "uuid": str(note.uuid),
        "version": note.version,
        "deleted": note.deleted_at is not None,
        **{name: getattr(note, name) for name in NOTE_FIELDS},
    }


NOT_YOUR_NOTE = (
    "This note was written by the client's previous coach, so it stays as they left it. "
    "Add a note of your own instead."
)


def _own(session: CoachingSession, note: SessionNote) -> None:
    """Only the note's author changes or deletes it. The session's coach is the one saving
    (access lets no one else in), so a note by anyone else came with a change of coach."""
    if note.author_id != session.engagement.coach_id:
        raise RunnerError(NOT_YOUR_NOTE)


@transaction.atomic
def note_save(*, session: CoachingSession, uuid, base_version=None, **fields) -> SessionNote:
    """Creates or updates the note with this id. Same content again: no change. An update
    based on an older version than the stored one: refused with a Conflict."""
    check_writable(session)
    note_id = _uuid(uuid)
    base = _base_version(base_version)
    clean = _note_fields(session, fields)
    now = timezone.now()
    note = _note_for_update(note_id)
    if note is None:
        return SessionNote.objects.create(
            session=session,
            uuid=note_id,
            author_id=session.engagement.coach_id,
            created_at=now,
            updated_at=now,
            **clean,
        )
    if note.session_id != session.pk:
        raise RunnerError("Each item needs a valid id.")
    _own(session, note)
    changed = {k: v for k, v in clean.items() if getattr(note, k) != v}
    if not changed and note.deleted_at is None:
        return note  # a retry of what is already stored
    if base is None or base < note.version:
        raise Conflict(
            stored_version=note.version,
            stored=note_as_dict(note),
            yours={**note_as_dict(note), **clean, "version": base},
        )
    for name, value in changed.items():
        setattr(note, name, value)
    note.deleted_at = None
    note.version += 1
    note.updated_at = now
    # Only what changed: an autosave usually writes the body, not all thirteen columns.
    note.save(update_fields=[*changed, "deleted_at", "version", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, session: CoachingSession, uuid, base_version=None) -> SessionNote | None:
    """Soft delete: the row stays (so a late retry of its last save cannot bring back a
    second copy) but no page shows it. Deleting twice, or an unknown id, changes nothing."""
    check_writable(session)
    note = _note_for_update(_uuid(uuid))
    if note is None or note.session_id != session.pk:
        return None
    _own(session, note)
    if note.deleted_at is not None:
        return note
    base = _base_version(base_version)
    if base is not None and base < note.version:
        raise Conflict(
            stored_version=note.version,
            stored=note_as_dict(note),
            yours={**note_as_dict(note), "deleted": True, "version": base},
        )
    note.deleted_at = timezone.now()
    note.version += 1
    note.updated_at = note.deleted_at
    note.save(update_fields=["deleted_at", "version", "updated_at"])
    return note


# --- commitments -------------------------------------------------------------------------------


def commitment_as_dict(commitment: Commitment) -> dict:
    return {
        "uuid": str(commitment.uuid),
        "version": commitment.version,
        "owner": commitment.owner,
        "text": commitment.text,
        "due_date": commitment.due_date.isoformat() if commitment.due_date else "",
        "state": commitment.state,
    }


def _commitment_json(clean: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in clean.items()}


def _commitment_fields(fields: dict) -> dict:
    unknown = set(fields) - {"owner", "text", "due_date", "state"}
    if unknown:
        raise RunnerError(f"Unknown commitment field: {sorted(unknown)[0]}.")
    clean = {}
    if "owner" in fields:
        clean["owner"] = _choice(fields["owner"], Commitment.Owner.values, "Whose commitment")
        if not clean["owner"]:
            raise RunnerError("Say whose commitment it is: the client's or yours.")
    if "text" in fields:
        clean["text"] = _text(fields["text"], "A commitment", 2_000).strip()
    if "due_date" in fields:
        value = fields["due_date"]
        if value in (None, ""):
            clean["due_date"] = None
        else:
            try:
                clean["due_date"] = date.fromisoformat(str(value))
            except ValueError:
                raise RunnerError("The due date must be a date, like 2026-12-01.") from None
    if "state" in fields:
        clean["state"] = _choice(fields["state"], Commitment.State.values, "The state")
        if not clean["state"]:
            raise RunnerError("The state is not one we know.")
    return clean


@transaction.atomic
def commitment_save(*, session: CoachingSession, uuid, base_version=None, **fields) -> Commitment:
    """Creates a commitment from this session, or updates one of this client's (say, marking
    last session's commitment kept during the review). Same idempotency and conflict rule as
    notes."""
    check_writable(session)
    commitment_id = _uuid(uuid)
    base = _base_version(base_version)
    clean = _commitment_fields(fields)
    now = timezone.now()
    client = session.engagement.client
    commitment = Commitment.objects.select_for_update().filter(uuid=commitment_id).first()
    if commitment is None and base is not None:
        # A create never carries a version, so this edit is of one deleted meanwhile (in
        # another tab): bringing it back silently would undo that delete.
        raise Conflict(
            stored_version=None,
            stored={"uuid": str(commitment_id), "deleted": True},
            yours={"uuid": str(commitment_id), **_commitment_json(clean), "version": base},
        )
    if commitment is None:
        if not clean.get("text"):
            raise RunnerError("A commitment needs a few words saying what will be done.")
        return Commitment.objects.create(
            client=client,
            session=session,
            uuid=commitment_id,
            created_at=now,
            updated_at=now,
            **clean,
        )
    if commitment.client_id != client.pk:
        raise RunnerError("Each item needs a valid id.")
    if "text" in clean and not clean["text"]:
        raise RunnerError("A commitment needs a few words saying what will be done.")
    changed = {k: v for k, v in clean.items() if getattr(commitment, k) != v}
    if not changed:
        return commitment
    if base is None or base < commitment.version:
        raise Conflict(
            stored_version=commitment.version,
            stored=commitment_as_dict(commitment),
            yours={**commitment_as_dict(commitment), **_commitment_json(clean), "version": base},
        )
    for name, value in changed.items():
        setattr(commitment, name, value)
    commitment.version += 1
    commitment.updated_at = now
    commitment.save()
    return commitment


@transaction.atomic
def commitment_delete(*, session: CoachingSession, uuid, base_version=None) -> None:
    """Removes a commitment made in this session (one typed by mistake; a commitment the
    client let go is marked dropped instead, and stays in the record). Deleting twice, or an
    unknown id, changes nothing, so a retried delete is harmless."""
    check_writable(session)
    commitment = Commitment.objects.select_for_update().filter(uuid=_uuid(uuid)).first()
    if commitment is None:
        return
    if commitment.client_id != session.engagement.client_id:
        raise RunnerError("Each item needs a valid id.")
    if commitment.session_id != session.pk:
        raise RunnerError("A commitment from an earlier session can be marked, not deleted.")
    base = _base_version(base_version)
    if base is not None and base < commitment.version:
        raise Conflict(
            stored_version=commitment.version,
            stored=commitment_as_dict(commitment),
            yours={**commitment_as_dict(commitment), "deleted": True, "version": base},
        )
    commitment.delete()


# --- record: worksheet, wrap, outcomes, topic candidates ---------------------------------------


def record_as_dict(record: SessionRecord) -> dict:
    return {"version": record.version, **{name: getattr(record, name) for name in RECORD_FIELDS}}


def _outcomes(value, record: SessionRecord) -> list[dict]:
    if not isinstance(value, list) or len(value) > MAX_ITEMS:
        raise RunnerError("Outcomes must be a list.")
    clean = []
    for item in value:
        if not isinstance(item, dict):
            raise RunnerError("Each outcome needs a text and a mark.")
        text = _text(item.get("text"), "An outcome", 1_000)
        mark = item.get("mark") or ""
        if mark not in OUTCOME_MARKS:
            raise RunnerError("Mark each outcome met, partly met or not yet.")
        clean.append({"text": text, "mark": mark})
    return clean


def _record_fields(fields: dict, record: SessionRecord) -> dict:
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise RunnerError(f"Unknown field: {sorted(unknown)[0]}.")
    clean = {}
    for name in RECORD_TEXT_FIELDS:
        if name in fields:
            clean[name] = _text(fields[name], "That field")
    if "outcomes" in fields:
        clean["outcomes"] = _outcomes(fields["outcomes"], record)
    if "topic_candidates" in fields:
        value = fields["topic_candidates"]
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise RunnerError("Topic candidates must be a list.")
        clean["topic_candidates"] = [
            text for text in (_text(t, "A topic", 500).strip() for t in value) if text
        ]
    return clean


@transaction.atomic
def record_save(*, session: CoachingSession, base_version=None, **fields) -> SessionRecord:
    """Saves the fields given (the others stay as they are)."""
    check_writable(session)
    base = _base_version(base_version)
    record = record_of(session, lock=True)
    clean = _record_fields(fields, record)
    changed = {k: v for k, v in clean.items() if getattr(record, k) != v}
    if not changed:
        return record
    if base is None or base < record.version:
        raise Conflict(
            stored_version=record.version,
            stored=record_as_dict(record),
            yours={**record_as_dict(record), **clean, "version": base},
        )
    for name, value in changed.items():
        setattr(record, name, value)
    record.version += 1
    record.updated_at = timezone.now()
    record.save()
    return record


def purpose_as_dict(statement: PurposeStatement | None) -> dict:
    if statement is None:
        return {"version": None, "text": ""}
    return {"version": statement.version, "text": statement.text}


@transaction.atomic
def purpose_save(
    *, session: CoachingSession, text: str, base_version=None
) -> PurposeStatement | None:
    """The statement as drafted in this session. Each session keeps its own row, so the
    client's statement can be followed as it evolves; the newest is the current one. Same
    text again: no change. A change based on an older version: refused with a Conflict."""
    check_writable(session)
    text = _text(text, "The purpose statement", 2_000).strip()
    base = _base_version(base_version)
    client = session.engagement.client
    statement = (
        PurposeStatement.objects.select_for_update().filter(client=client, session=session).first()
    )
    if statement is None:
        if not text:
            return None
        return PurposeStatement.objects.create(client=client, session=session, text=text)
    if statement.text == text:
        return statement
    if base is None or base < statement.version:
        raise Conflict(
            stored_version=statement.version,
            stored=purpose_as_dict(statement),
            yours={"version": base, "text": text},
        )
    statement.text = text
    statement.version += 1
    statement.save(update_fields=["text", "version"])
    return statement


@transaction.atomic
def record_and_purpose_save(
    *,
    session: CoachingSession,
    fields: dict,
    base_version=None,
    purpose: str | None = None,
    purpose_version=None,
) -> tuple[SessionRecord, PurposeStatement | None]:
    """One save of the record's fields and the purpose statement together (a form post may
    carry both): a refusal of either writes neither."""
    statement = None
    if purpose is not None:
        statement = purpose_save(session=session, text=purpose, base_version=purpose_version)
    if fields:
        record = record_save(session=session, base_version=base_version, **fields)
    else:
        record = record_of(session)
    return record, statement
