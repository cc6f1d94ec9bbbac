"""Exports a coach takes away: sessions, commitments (and, from apps that register them,
check-ins) of one client or of the coach's whole practice, as CSV or JSON.

Rows are streamed: the queries run with `.iterator()` and each row is written as it is read,
so a practice of ten thousand clients exports in constant memory. Session notes are not in
these files (the summary's Markdown and PDF carry them, one session at a time); what is here
is what a coach moves to another tool: dates, states and the client's commitments."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import QuerySet

from flowcoach.clients.models import Client
from flowcoach.coaching.models import CoachingSession, Commitment

CHUNK = 2000


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    columns: list[str]
    rows: Callable[[QuerySet[Client]], Iterable[dict]]
    # How many rows `rows` gives, for a background export's progress bar.
    count: Callable[[QuerySet[Client]], int] | None = None


def _iso(value) -> str:
    return value.isoformat() if value else ""


def session_rows(clients: QuerySet[Client]) -> Iterator[dict]:
    sessions = (
        CoachingSession.objects.filter(engagement__client__in=clients)
        .select_related("engagement__client", "engagement__program")
        .order_by("engagement__client_id", "engagement_id", "sequence")
    )
    for session in sessions.iterator(chunk_size=CHUNK):
        engagement = session.engagement
        yield {
            "client": engagement.client.full_name,
            "client_email": engagement.client.email,
            "program": engagement.program.title,
            "session": session.code,
            "title": session.title,
            "status": session.status,
            "booked_for": _iso(session.starts_at),
            "time_zone": session.time_zone,
            "minutes": session.duration_minutes,
        }


def session_count(clients: QuerySet[Client]) -> int:
    return CoachingSession.objects.filter(engagement__client__in=clients).count()


def commitment_count(clients: QuerySet[Client]) -> int:
    return Commitment.objects.filter(client__in=clients).count()


def commitment_rows(clients: QuerySet[Client]) -> Iterator[dict]:
    commitments = (
        Commitment.objects.filter(client__in=clients)
        .select_related("client", "session")
        .order_by("client_id", "created_at", "pk")
    )
    for commitment in commitments.iterator(chunk_size=CHUNK):
        yield {
            "client": commitment.client.full_name,
            "client_email": commitment.client.email,
            "who": commitment.owner,
            "commitment": commitment.text,
            "due": _iso(commitment.due_date),
            "state": commitment.state,
            "from_session": commitment.session.code if commitment.session else "",
            "made_on": _iso(commitment.created_at),
        }


TABLES: dict[str, Table] = {}


def register_table(table: Table) -> None:
    TABLES[table.key] = table


register_table(
    Table(
        "sessions",
        "Sessions",
        [
            "client",
            "client_email",
            "program",
            "session",
            "title",
            "status",
            "booked_for",
            "time_zone",
            "minutes",
        ],
        session_rows,
        session_count,
    )
)
register_table(
    Table(
        "commitments",
        "Commitments",
        ["client", "client_email", "who", "commitment", "due", "state", "from_session", "made_on"],
        commitment_rows,
        commitment_count,
    )
)


class _Line:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def _safe_cell(value):
    # A cell starting with = + - @ is run as a formula by spreadsheet apps: keep it text.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_stream(table: Table, clients: QuerySet[Client]) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield "\ufeff"  # so spreadsheet apps read the file as UTF-8
    yield writer.writerow(table.columns)
    for row in table.rows(clients):
        yield writer.writerow([_safe_cell(row.get(column, "")) for column in table.columns])


def row_count(tables: Iterable[Table], clients: QuerySet[Client]) -> int:
    """How many rows these tables hold for these clients (one count query per table)."""
    return sum(table.count(clients) for table in tables if table.count is not None)


def json_stream(
    clients: QuerySet[Client], exported_at: str, tables: Iterable[Table] | None = None
) -> Iterator[str]:
    """One JSON document holding every table, written piece by piece."""
    yield '{"exported_at": ' + json.dumps(exported_at)
    for table in TABLES.values() if tables is None else tables:
        key = table.key
        yield f", {json.dumps(key)}: ["
        first = True
        for row in table.rows(clients):
            yield ("" if first else ", ") + json.dumps(row, ensure_ascii=False)
            first = False
        yield "]"
    yield "}\n"
