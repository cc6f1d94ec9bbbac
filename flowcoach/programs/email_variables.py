"""The variables an email template may use. An unknown name is an error when the template is
saved or imported, never a blank in an email that went out."""

from __future__ import annotations

import re

VARIABLES: dict[str, str] = {
    "client_first_name": "The client's first name.",
    "client_name": "The client's full name.",
    "coach_name": "The coach's full name.",
    "coach_first_name": "The coach's first name.",
    "organisation_name": "The coaching practice or team.",
    "program_title": "The program's title, e.g. Best Seller sales track.",
    "session_code": "The session's code, e.g. S1.",
    "session_title": "The session's title.",
    "session_date": "The session's date, in the client's time zone (e.g. Tuesday 3 March 2026).",
    "session_time": "The session's start time, in the client's time zone, with the zone.",
    "session_place": "The video link, address or phone number, as one line.",
    "video_link": "The video call link, if the session is online.",
    "address": "The meeting address, if the session is in person.",
    "preparation_list": "The client's preparation checklist, one item per line.",
    "pre_reading_list": "The pre-reading links, one per line.",
    "last_commitments": "The commitments made in the previous session, one per line.",
    "open_session_topic": "The chosen topic of an open session.",
    "session_recap": "The shared insights of the session just held (follow-up emails).",
    "session_commitments": "The commitments made in the session just held (follow-up emails).",
    "next_session_date": "The next session's date, in the client's time zone.",
    "next_session_time": "The next session's start time, in the client's time zone.",
    "portal_link": "A link to the client's own coaching space.",
}

PLACEHOLDER = re.compile(r"{{\s*(.*?)\s*}}")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def template_errors(text: str) -> list[str]:
    """Problems with one subject or body: unknown variables, filters or tags, broken braces."""
    errors = []
    if "{%" in text or "%}" in text:
        errors.append("template tags ({% … %}) are not allowed; use {{ variable }} only")
    for match in PLACEHOLDER.finditer(text):
        name = match.group(1)
        if not NAME.match(name):
            errors.append(f"'{{{{ {name} }}}}' is not a variable name")
        elif name not in VARIABLES:
            errors.append(f"unknown variable '{name}'")
    stripped = PLACEHOLDER.sub("", text)
    if "{{" in stripped or "}}" in stripped:
        errors.append("unbalanced '{{' or '}}'")
    return errors


def render(text: str, context: dict[str, str]) -> str:
    """Fills the placeholders. Callers validate first; a missing value renders empty here
    only for optional parts such as an address on an online session."""
    return PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), "")), text)


def sample_context() -> dict[str, str]:
    """What the preview shows: a made-up client and session."""
    return {
        "client_first_name": "Jordan",
        "client_name": "Jordan Example",
        "coach_name": "Sam Coach",
        "coach_first_name": "Sam",
        "organisation_name": "Your practice",
        "program_title": "Sample program",
        "session_code": "S1",
        "session_title": "Sample session",
        "session_date": "Tuesday 3 March 2026",
        "session_time": "10:00 (Europe/London)",
        "session_place": "https://video.example.org/room/jordan",
        "video_link": "https://video.example.org/room/jordan",
        "address": "",
        "preparation_list": "- Reread your three achievement stories\n- Note one current challenge",
        "pre_reading_list": "- A short article on motivation: https://example.org/reading",
        "last_commitments": "- Call two dormant accounts each morning",
        "open_session_topic": "Handling price pushback",
        "session_recap": "- You light up when a problem needs untangling",
        "session_commitments": "- Block 30 minutes each morning for prospecting",
        "next_session_date": "Tuesday 17 March 2026",
        "next_session_time": "10:00 (Europe/London)",
        "portal_link": "https://coach.example.org/portal/",
    }
