"""Reading a CSV file of clients: every problem is found and reported per line before
anything is written, because a half-imported file is worse than none."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from flowcoach.accounts.actor import Actor
from flowcoach.lib import text
from flowcoach.lib.timezones import canonical_time_zone, is_valid_time_zone

from . import selectors
from .access import coach_choices_for
from .services import NewClient

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
REQUIRED = ("full_name", "email")
OPTIONAL = ("company", "job_title", "phone", "time_zone", "coach_email")
COLUMNS = REQUIRED + OPTIONAL
MAX_LENGTHS = {"full_name": 150, "email": 254, "company": 150, "job_title": 150, "phone": 40}
SIGNING_SALT = "flowcoach.clients.csv_import"
# Long enough to read a preview over coffee; short enough that a stale page cannot linger.
PREVIEW_MAX_AGE = 60 * 60

EXAMPLE = (
    "full_name,email,company,job_title,phone,time_zone,coach_email\r\n"
    "Priya Natarajan,priya@example.com,Northwind Traders,Account Executive,+44 20 7946 0001,"
    "Europe/London,\r\n"
    "Tomás Ruiz,tomas@example.com,Contoso,Sales Development Rep,,Europe/Madrid,\r\n"
)


CHANGED_MESSAGE = (
    "Something changed while you were importing, so nothing was imported. "
    "Upload the file again to see what's different."
)


class CsvFileError(Exception):
    """The file as a whole cannot be read; the message says what to fix."""


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    coach: object | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """Decodes and splits the file into (line number, values) pairs, or raises CsvFileError."""
    if not data.strip():
        raise CsvFileError("That file is empty. Add a header row and at least one client.")
    if len(data) > MAX_BYTES:
        raise CsvFileError(
            "That file is larger than 2 MB. Split it into smaller files and import each."
        )
    if b"\x00" in data:
        raise CsvFileError(
            "That doesn't look like a CSV file. Save your spreadsheet as .csv and try again."
        )
    try:
        # utf-8-sig drops the byte-order mark Excel puts at the start of "CSV UTF-8" files.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvFileError(
            "This file isn't saved as UTF-8. In your spreadsheet choose "
            "“CSV UTF-8” when saving, then upload it again."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise CsvFileError("That file is empty. Add a header row and at least one client.")
        header = [cell.strip().lower() for cell in header]
        _check_header(header)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise CsvFileError(
                    f"That file has more than {MAX_ROWS:,} clients. "
                    "Split it into smaller files and import each."
                )
            values = dict.fromkeys(COLUMNS, "")
            extra = len(cells) > len(header)
            for name, cell in zip(header, cells, strict=False):
                values[name] = cell.strip()
            if extra:
                values["__extra__"] = "1"
            rows.append((reader.line_num, values))
    except csv.Error as exc:
        raise CsvFileError(
            f"That file couldn't be read as CSV (line {reader.line_num}: {exc})."
        ) from None
    if not rows:
        raise CsvFileError("The file has a header but no clients below it.")
    return rows


def _check_header(header: list[str]) -> None:
    problems = []
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(f"The header row is missing {_listing(missing)}.")
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problems.append(
            f"Unknown column{'s' if len(unknown) > 1 else ''} {_listing(unknown)}. "
            f"The columns we read are {_listing(list(COLUMNS))}."
        )
    repeated = sorted({name for name in header if header.count(name) > 1 and name in COLUMNS})
    if repeated:
        problems.append(f"The header names {_listing(repeated)} more than once.")
    if problems:
        raise CsvFileError(" ".join(problems))


def _listing(names: list[str]) -> str:
    return ", ".join(f"“{name or '(blank)'}”" for name in names)


def check_rows(
    raw_rows: list[tuple[int, dict[str, str]]], *, actor: Actor, default_coach_id: int | None
) -> list[ImportRow]:
    """Validates every row against the file itself and the organisation's current data."""
    coaches = {coach.email.lower(): coach for coach in coach_choices_for(actor)}
    default_coach = next((c for c in coaches.values() if c.pk == default_coach_id), None)
    existing = selectors.emails_in_organisation(
        organisation=actor.organisation, emails=[values["email"] for _, values in raw_rows]
    )
    seen: dict[str, int] = {}
    rows = []
    for line, values in raw_rows:
        row = ImportRow(line=line, values={k: v for k, v in values.items() if k in COLUMNS})
        if values.get("__extra__"):
            row.errors.append("This line has more values than the header has columns.")
        for name, limit in MAX_LENGTHS.items():
            if len(row.values[name]) > limit:
                row.errors.append(f"{name} is longer than {limit} characters.")
            elif text.problem_one_line(row.values[name], limit):
                # A quoted CSV value may hold a line break; a name must stay on one line.
                row.errors.append(f"{name}: {text.ONE_LINE_MESSAGE}")
        if not row.values["full_name"]:
            row.errors.append("full_name is empty.")
        email = row.values["email"].lower()
        row.values["email"] = email
        if not email:
            row.errors.append("email is empty.")
        else:
            try:
                validate_email(email)
            except ValidationError:
                row.errors.append(f"“{email}” isn't a valid email address.")
            else:
                if email in seen:
                    row.errors.append(f"This email is also on line {seen[email]}.")
                elif email in existing:
                    row.errors.append("A client with this email is already in your organisation.")
            seen.setdefault(email, line)
        # An old name (US/Eastern) is stored as today's (America/New_York), so the client's
        # form shows it chosen rather than falling back to UTC on the next save.
        time_zone = row.values["time_zone"] = canonical_time_zone(row.values["time_zone"])
        if time_zone and not is_valid_time_zone(time_zone):
            row.errors.append(
                f"“{time_zone}” isn't a time zone we know. Use a name like Europe/London."
            )
        row.coach = _coach_for(row, actor=actor, coaches=coaches, default_coach=default_coach)
        rows.append(row)
    return rows


def _coach_for(row: ImportRow, *, actor: Actor, coaches: dict, default_coach):
    if not actor.is_admin:
        # A coach imports their own clients; any coach_email column is ignored.
        return actor.user
    coach_email = row.values["coach_email"].lower()
    if coach_email:
        coach = coaches.get(coach_email)
        if coach is None:
            row.errors.append(f"No active coach here has the email “{coach_email}”.")
        return coach
    if default_coach is None:
        row.errors.append("No coach: fill in coach_email or choose a default coach above.")
    return default_coach


def new_clients(rows: list[ImportRow], *, default_time_zone: str) -> list[NewClient]:
    return [
        NewClient(
            coach=row.coach,
            full_name=row.values["full_name"],
            email=row.values["email"],
            company=row.values["company"],
            job_title=row.values["job_title"],
            phone=row.values["phone"],
            time_zone=row.values["time_zone"] or default_time_zone,
        )
        for row in rows
    ]


def sign(raw_rows: list[tuple[int, dict[str, str]]], *, default_coach_id: int | None, actor) -> str:
    """The previewed rows travel back with the confirmation, signed so they cannot be edited
    in between and tied to the person and organisation that uploaded them."""
    return signing.dumps(
        {
            "rows": raw_rows,
            "coach": default_coach_id,
            "user": actor.user.pk,
            "org": actor.organisation.pk,
        },
        salt=SIGNING_SALT,
        compress=True,
    )


def unsign(token: str, *, actor) -> tuple[list[tuple[int, dict[str, str]]], int | None]:
    try:
        data = signing.loads(token, salt=SIGNING_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.SignatureExpired:
        raise CsvFileError(
            "This preview is more than an hour old. Upload the file again."
        ) from None
    except signing.BadSignature:
        raise CsvFileError("This preview couldn't be checked. Upload the file again.") from None
    if data.get("user") != actor.user.pk or data.get("org") != actor.organisation.pk:
        raise CsvFileError("This preview couldn't be checked. Upload the file again.")
    return [(line, values) for line, values in data["rows"]], data.get("coach")
