"""Program files: parse, validate (every error, with its path) and write back.

The JSON Schema in `program.schema.json` checks shape and types; the checks here add what a
schema cannot say (minutes that must fit, codes that must be unique, email variables that
must exist). Writing is canonical: the same program always gives the same YAML, so export →
import → export is stable and diffs between versions are meaningful.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from flowcoach.lib import safe_parse

from . import email_variables
from .models import FLOW_STAGES
from .timing import planned_minutes, segments_fit

SCHEMA_PATH = Path(__file__).resolve().parent / "program.schema.json"
FORMAT = "flowcoach.program/1"
MAX_FILE_BYTES = 512 * 1024


class ProgramFileError(ValueError):
    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text("utf-8")))


def format_path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_message(error) -> tuple[str, str]:
    """A readable (path, message) for one jsonschema error."""
    path = list(error.absolute_path)
    if error.validator == "required":
        missing = error.message.split("'")[1]
        return format_path([*path, missing]), "required"
    if error.validator == "additionalProperties":
        extras = sorted(map(str, set(error.instance) - set(error.schema.get("properties", {}))))
        if len(extras) == 1:
            return format_path([*path, extras[0]]), "unknown key"
        return format_path(path) or "(top)", f"unknown keys {', '.join(extras)}"
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return format_path(path), f"must be one of {allowed}"
    if error.validator == "const":
        return format_path(path), f"must be {error.validator_value!r}"
    if error.validator == "type":
        return format_path(path), f"must be of type {error.validator_value}"
    if error.validator == "minLength" and error.validator_value == 1:
        return format_path(path), "must not be empty"
    if error.validator == "minItems":
        return format_path(path), f"needs at least {error.validator_value} item(s)"
    if error.validator == "maxItems":
        return format_path(path), f"has more than {error.validator_value} items"
    if error.validator in {"minimum", "maximum"}:
        word = "at least" if error.validator == "minimum" else "at most"
        return format_path(path), f"must be {word} {error.validator_value}"
    if error.validator == "pattern":
        if error.validator_value == "^[^\\r\\n]*$":
            return format_path(path), "must be a single line"
        return format_path(path), "is not in the expected format"
    if error.validator == "uniqueItems":
        return format_path(path), "lists the same value twice"
    return format_path(path), error.message


def _segment_errors(segment: dict, at: str) -> list[str]:
    errors = []
    if segment["minutes_max"] < segment["minutes_min"]:
        errors.append(f"{at}.minutes_max: must be at least minutes_min")
    stages = [s["stage"] for s in segment.get("flow_stages", [])]
    if len(stages) != len(set(stages)):
        errors.append(f"{at}.flow_stages: a stage appears twice")
    elif stages != sorted(stages, key=FLOW_STAGES.index):
        errors.append(
            f"{at}.flow_stages: stages go in F.L.O.W. order (find_out, learn_about, own, work_it)"
        )
    if segment["kind"] == "flow" and not stages:
        errors.append(f"{at}.flow_stages: a flow segment needs at least one stage")
    return errors


def _session_errors(session: dict, at: str) -> list[str]:
    errors = []
    if session["minutes_max"] < session["minutes_min"]:
        errors.append(f"{at}.minutes_max: must be at least minutes_min")
    segment_errors = []
    for j, segment in enumerate(session["segments"]):
        segment_errors += _segment_errors(segment, f"{at}.segments[{j}]")
    errors += segment_errors
    if not segment_errors and not errors:
        fit = segments_fit(session["minutes_min"], session["minutes_max"], session["segments"])
        if fit == "over":
            low, high = planned_minutes(session["segments"])
            errors.append(
                f"{at}.segments: planned {low}–{high} minutes run past the session's "
                f"{session['minutes_min']}–{session['minutes_max']} minutes (the segments' "
                f"maximums may add up to {session['minutes_max']} at most)"
            )
    for key in ("pre_session_email", "follow_up_email"):
        for part in ("subject", "body"):
            for problem in email_variables.template_errors(session[key][part]):
                errors.append(f"{at}.{key}.{part}: {problem}")
    return errors


def _semantic_errors(data: dict, invalid_paths: set[str]) -> list[str]:
    """Checks a schema cannot express, on every session whose shape is already valid, so one
    pass reports as many problems as possible."""
    errors: list[str] = []
    sessions = data.get("sessions")
    if not isinstance(sessions, list):
        return errors
    codes: dict[str, int] = {}
    for i, session in enumerate(sessions):
        at = f"sessions[{i}]"
        if any(p == at or p.startswith((at + ".", at + "[")) for p in invalid_paths):
            continue
        code = session["code"].lower()
        if code in codes:
            errors.append(
                f"{at}.code: '{session['code']}' is already used by sessions[{codes[code]}]"
            )
        codes.setdefault(code, i)
        errors += _session_errors(session, at)
    return errors


def validate_program_data(data) -> dict:
    """Raises ProgramFileError listing every problem; returns the data unchanged if fine."""
    if not isinstance(data, dict):
        raise ProgramFileError(
            ["(top): a program file is a mapping with format, slug, title and sessions"]
        )
    raw_errors = list(validator().iter_errors(data))
    schema_errors = sorted((_schema_message(e) for e in raw_errors), key=lambda pe: pe[0])
    invalid_paths = {format_path(e.absolute_path) for e in raw_errors}
    errors = [f"{path or '(top)'}: {msg}" for path, msg in schema_errors]
    errors += _semantic_errors(data, invalid_paths)
    if errors:
        raise ProgramFileError(errors)
    return data


_SESSION_AT = re.compile(r"^sessions\[(\d+)\]")


def with_codes(messages: list[str], data) -> list[str]:
    """Errors and notes for people: a message about a session ends with the session's code,
    so `sessions[2].title: required` reads `sessions[2].title: required (in S3)`."""
    sessions = data.get("sessions") if isinstance(data, dict) else None
    if not isinstance(sessions, list):
        return list(messages)
    labelled = []
    for message in messages:
        match = _SESSION_AT.match(message)
        index = int(match.group(1)) if match else len(sessions)
        session = sessions[index] if index < len(sessions) else None
        code = session.get("code") if isinstance(session, dict) else None
        labelled.append(f"{message} (in {code})" if isinstance(code, str) and code else message)
    return labelled


def program_warnings(data: dict) -> list[str]:
    """What a valid program still lacks (sessions, segments, planned minutes), by path like
    the errors; shown on import and publishing, never a reason to refuse."""
    sessions = data.get("sessions") or []
    if not sessions:
        return ["sessions: no sessions yet; add one in the editor"]
    warnings = []
    for i, session in enumerate(sessions):
        at = f"sessions[{i}]"
        fit = segments_fit(session["minutes_min"], session["minutes_max"], session["segments"])
        if fit == "empty":
            warnings.append(f"{at}.segments: no segments yet, so the runner has no outline")
        elif fit == "under":
            low, high = planned_minutes(session["segments"])
            warnings.append(
                f"{at}.segments: planned {low}–{high} minutes leave part of the session's "
                f"{session['minutes_min']}–{session['minutes_max']} minutes unplanned"
            )
    return warnings


def parse_program_yaml(content: str | bytes) -> dict:
    """Aliases, duplicate keys, deep nesting and huge numbers are refused by the shared
    limited parser (flowcoach/lib/safe_parse.py)."""
    try:
        data = safe_parse.load_yaml(content, max_bytes=MAX_FILE_BYTES)
    except safe_parse.ParseError as error:
        raise ProgramFileError([f"(file): {error}"]) from None
    try:
        return validate_program_data(data)
    except ProgramFileError as exc:
        # Kept for the page and the command, which name each session by its code too.
        exc.data = data
        raise


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper, value: str):
    # Multi-line text (email bodies, notes) as literal blocks so files read like prose.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump_program_yaml(data: dict) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100_000, indent=2
    )


def version_to_dict(version, code: str) -> dict:
    """One session template version in file form, keys in schema order."""
    session = {
        "code": code,
        "title": version.title,
        "kind": version.kind,
        "minutes_min": version.minutes_min,
        "minutes_max": version.minutes_max,
        "outcomes": list(version.outcomes),
        "coach_preparation": list(version.coach_preparation),
        "client_preparation": list(version.client_preparation),
        # Key order spelled out: PostgreSQL's jsonb does not keep the order keys were written in.
        "pre_reading": [{"title": i["title"], "url": i["url"]} for i in version.pre_reading],
        "pre_session_email": {
            "days_before": version.pre_email_days,
            "subject": version.pre_email_subject,
            "body": version.pre_email_body,
        },
        "segments": [canonical_segment(s) for s in version.segments],
        "follow_up_email": {
            "days_after": version.follow_email_days,
            "subject": version.follow_email_subject,
            "body": version.follow_email_body,
        },
    }
    for key in ("outcomes", "coach_preparation", "client_preparation", "pre_reading"):
        if not session[key]:
            del session[key]
    return session


SEGMENT_KEYS = (
    "name",
    "kind",
    "minutes_min",
    "minutes_max",
    "prompts",
    "flow_stages",
    "notes",
    "flags",
)


def canonical_segment(segment: dict) -> dict:
    out = {}
    for key in SEGMENT_KEYS:
        value = segment.get(key)
        if value in (None, "", []):
            continue
        if key == "flow_stages":
            value = [{"stage": s["stage"], "prompts": list(s.get("prompts", []))} for s in value]
        out[key] = value
    return out


def program_to_dict(program, versions: list | None = None) -> dict:
    """The program with the latest version of each template (or the given versions)."""
    data = {
        "format": FORMAT,
        "slug": program.slug,
        "title": program.title,
        "description": program.description,
        "audience": program.audience,
        "recurring": program.recurring,
        "sessions": [],
    }
    for key in ("description", "audience"):
        if not data[key]:
            del data[key]
    templates = list(
        program.templates.filter(retired=False)
        .prefetch_related("versions")
        .order_by("position", "pk")
    )
    for template in templates:
        version = max(template.versions.all(), key=lambda v: v.number)
        data["sessions"].append(version_to_dict(version, template.code))
    return data
