"""The shapes of the client API's answers, version 1. They mirror the dictionaries
`portal.selectors` builds, field for field; an answer is checked against its shape
on the way out, so a field added to a selector reaches the API only once it is named here.

Times keep the selectors' ISO 8601 form with a `+00:00` offset (pydantic would write `Z`):
apps already parse what docs/api.md shows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import PlainSerializer

Moment = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class ErrorDetail(Schema):
    code: str
    message: str


class Error(Schema):
    error: ErrorDetail


class Coach(Schema):
    full_name: str
    email: str


class Theme(Schema):
    rank: int
    name: str
    score: float
    is_top: bool


class Story(Schema):
    title: str
    trigger: str
    process: str
    outcome: str


class ProfileField(Schema):
    name: str
    label: str
    text: str


class ProfileFile(Schema):
    name: str
    kind: str
    size: int


class Profile(Schema):
    full_name: str
    email: str
    company: str
    job_title: str
    phone: str
    time_zone: str
    coach: Coach | None
    themes: list[Theme]
    stories: list[Story]
    fields: list[ProfileField]
    files: list[ProfileFile]


class Me(Schema):
    profile: Profile


class Session(Schema):
    id: int
    code: str
    title: str
    program: str
    status: str
    status_label: str
    starts_at: Moment | None
    ends_at: Moment | None
    time_zone: str
    duration_minutes: int
    video_link: str
    address: str
    phone: str
    has_summary: bool


class Sessions(Schema):
    sessions: list[Session]


class SessionRef(Schema):
    id: int
    code: str


class Commitment(Schema):
    id: UUID
    owner: str
    owner_label: str
    text: str
    due_date: date | None
    state: str
    state_label: str
    session: SessionRef | None
    created_at: Moment


class Commitments(Schema):
    commitments: list[Commitment]


class SharedNote(Schema):
    text: str
    segment: str
    flow_stage: str
    flow_stage_label: str


class Outcome(Schema):
    text: str
    mark: str
    mark_label: str


class Summary(Schema):
    completed_at: Moment
    purpose_statement: str
    shared_notes: list[SharedNote]
    adjustments: str
    outcomes: list[Outcome]
    commitments: list[Commitment]


class SessionDetail(Schema):
    session: Session
    summary: Summary | None
