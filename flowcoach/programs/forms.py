"""Editor forms. They check what they build with the importer's own rules
(`yaml_io.validate_program_data`), so a program written in the editor and a program file
pass or fail the same checks, and each problem lands at its field."""

from __future__ import annotations

import re

from django import forms

from flowcoach.lib.text import TextPolicyMixin

from . import email_variables
from .models import (
    FLOW_STAGE_LABELS,
    FLOW_STAGES,
    SEGMENT_FLAGS,
    SEGMENT_KINDS,
    Program,
    SessionTemplate,
    TemplateVersion,
)
from .timing import planned_minutes
from .yaml_io import (
    FORMAT,
    MAX_FILE_BYTES,
    ProgramFileError,
    canonical_segment,
    validate_program_data,
    version_to_dict,
)

SEGMENT_KIND_LABELS = {
    "greeting": "Greeting",
    "transition": "Transition",
    "conversation": "Conversation",
    "flow": "F.L.O.W.",
    "review": "Review",
    "topic": "Topic",
    "anchor": "Anchor",
    "wrap": "Wrap",
}
MINUTES = {"min_value": 0, "max_value": 480}
DAYS = {"min_value": 0, "max_value": 60}


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_session(session: dict) -> list[tuple[str, str]]:
    """The importer's checks on one session, as (path inside the session, message): the very
    same validation, so whatever the editor saves exports and imports again. Segments still
    to be written, or that do not yet fill the planned length, are work in progress (a
    warning on the program page), never an error; segments that could run past the
    session's maximum are refused."""
    wrapper = {"format": FORMAT, "slug": "check", "title": "check", "sessions": [session]}
    try:
        validate_program_data(wrapper)
    except ProgramFileError as exc:
        found = []
        for error in exc.errors:
            path, _, message = error.partition(": ")
            found.append((path.removeprefix("sessions[0]").lstrip("."), message))
        return found
    return []


def overrun_message(session: dict) -> str:
    low, high = planned_minutes(session["segments"])
    return (
        f"With this, the segments can take up to {high} minutes, more than the session's "
        f"{session['minutes_max']} at most. Shorten a segment, or lengthen the session first."
    )


def _field_for(path: str, fields: dict[str, str]) -> str | None:
    """The form field for an error path such as `pre_reading[1].url`."""
    plain = re.sub(r"\[\d+\]", "", path)
    parts = plain.split(".")
    while parts:
        key = ".".join(parts)
        if key in fields:
            return fields[key]
        parts.pop()
    return None


def _same_text(new, old):
    """Browsers send CRLF and forms strip edges: when only that differs, keep the stored
    text, so saving an untouched form never makes a new version."""
    if isinstance(new, str):
        new = new.replace("\r\n", "\n")
        if isinstance(old, str) and new.strip() == old.strip():
            return old
    return new


def _nice(message: str) -> str:
    if message == "must be at least minutes_min":
        return "Make this at least as long as the minimum."
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _line_of(path: str) -> str:
    match = re.search(r"\[(\d+)\]", path)
    return f"Line {int(match.group(1)) + 1}: " if match else ""


SLUG_TAKEN = "Another program of your organisation uses this name."


class ProgramForm(TextPolicyMixin, forms.Form):
    title = forms.CharField(
        max_length=150, label="Title", error_messages={"required": "Give the program a title."}
    )
    slug = forms.CharField(
        required=False,
        max_length=80,
        label="Short name for links and files",
        help_text="Lowercase letters, digits and dashes. Left empty, we make one from the title.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    audience = forms.CharField(
        label="Who it is for", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    recurring = forms.BooleanField(
        label="Recurring: sessions keep coming until the coach stops them", required=False
    )

    def __init__(self, *args, organisation, program: Program | None = None, **kwargs):
        if program is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": program.title,
                "description": program.description,
                "audience": program.audience,
                "recurring": program.recurring,
            }
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if program is not None:
            # Links and exported files keep working: the slug is fixed once created.
            del self.fields["slug"]

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the program a title.")
        return title

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug", "").strip()
        if slug and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            raise forms.ValidationError("Use lowercase letters, digits and single dashes.")
        if slug and Program.objects.filter(organisation=self.organisation, slug=slug).exists():
            raise forms.ValidationError(SLUG_TAKEN)
        return slug

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"].strip(),
            "audience": data["audience"].strip(),
            "recurring": data["recurring"],
        }


TEMPLATE_ERROR_FIELDS = {
    "code": "code",
    "title": "title",
    "kind": "kind",
    "minutes_min": "minutes_min",
    "minutes_max": "minutes_max",
    "outcomes": "outcomes",
    "coach_preparation": "coach_preparation",
    "client_preparation": "client_preparation",
    "pre_reading": "pre_reading",
    "pre_session_email.days_before": "pre_email_days",
    "pre_session_email.subject": "pre_email_subject",
    "pre_session_email.body": "pre_email_body",
    "follow_up_email.days_after": "follow_email_days",
    "follow_up_email.subject": "follow_email_subject",
    "follow_up_email.body": "follow_email_body",
}
LIST_HELP = "One per line."
VARIABLES_HELP = (
    "Use {{ variable }} names from the list on this page, e.g. {{ client_first_name }}."
)


class TemplateForm(TextPolicyMixin, forms.Form):
    code = forms.CharField(max_length=20, label="Code", help_text="Short and unique, e.g. S1.")
    title = forms.CharField(
        max_length=150, label="Title", error_messages={"required": "Give the session a title."}
    )
    kind = forms.ChoiceField(label="Kind", choices=TemplateVersion.Kind.choices)
    minutes_min = forms.IntegerField(label="Planned length: at least (minutes)", **MINUTES)
    minutes_max = forms.IntegerField(label="Planned length: at most (minutes)", **MINUTES)
    outcomes = forms.CharField(
        label="Outcomes", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    coach_preparation = forms.CharField(
        label="Coach preparation", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_preparation = forms.CharField(
        label="Client preparation checklist",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pre_reading = forms.CharField(
        label="Pre-reading",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One link per line, written as: Title | https://…",
    )
    pre_email_days = forms.IntegerField(label="Days before the session", initial=7, **DAYS)
    pre_email_subject = forms.CharField(max_length=200, label="Subject")
    pre_email_body = forms.CharField(label="Body", widget=forms.Textarea(attrs={"rows": 8}))
    follow_email_days = forms.IntegerField(label="Days after the session", initial=1, **DAYS)
    follow_email_subject = forms.CharField(max_length=200, label="Subject")
    follow_email_body = forms.CharField(label="Body", widget=forms.Textarea(attrs={"rows": 8}))

    PREPARATION = ("code", "title", "kind", "minutes_min", "minutes_max")
    LISTS = ("outcomes", "coach_preparation", "client_preparation", "pre_reading")
    PRE_EMAIL = ("pre_email_days", "pre_email_subject", "pre_email_body")
    FOLLOW_EMAIL = ("follow_email_days", "follow_email_subject", "follow_email_body")

    def __init__(self, *args, program: Program, template: SessionTemplate | None = None, **kw):
        super().__init__(*args, **kw)
        self.program = program
        self.template = template
        self.segments = template.latest_version().segments if template else []
        for name in ("outcomes", "coach_preparation", "client_preparation"):
            self.fields[name].help_text = LIST_HELP
        for name in ("pre_email_subject", "pre_email_body", "follow_email_subject"):
            self.fields[name].help_text = VARIABLES_HELP
        self.fields["follow_email_body"].help_text = VARIABLES_HELP

    @classmethod
    def initial_from(cls, template: SessionTemplate) -> dict:
        version = template.latest_version()
        initial = {"code": template.code}
        for name in cls.declared_fields:
            if name in ("code",):
                continue
            value = getattr(version, name)
            if name == "pre_reading":
                value = "\n".join(f"{item['title']} | {item['url']}" for item in value)
            elif name in cls.LISTS:
                value = "\n".join(value)
            initial[name] = value
        return initial

    def groups(self):
        """Fields in the fieldsets the page shows."""
        return [
            ("The session", [self[name] for name in self.PREPARATION]),
            ("Preparation", [self[name] for name in self.LISTS]),
            ("Email before the session", [self[name] for name in self.PRE_EMAIL]),
            ("Follow-up email", [self[name] for name in self.FOLLOW_EMAIL]),
        ]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        taken = SessionTemplate.objects.filter(program=self.program, code__iexact=code)
        if self.template is not None:
            taken = taken.exclude(pk=self.template.pk)
        taken = taken.first()
        if taken is not None and taken.retired:
            raise forms.ValidationError(
                f"{code} belonged to a session removed from this program, which planned "
                "sessions still use. Please pick another code."
            )
        if taken is not None:
            raise forms.ValidationError(f"{code} is already used in this program.")
        return code

    def clean_pre_reading(self) -> list[dict]:
        items = []
        for n, line in enumerate(lines(self.cleaned_data["pre_reading"]), start=1):
            title, bar, url = line.rpartition("|")
            if not bar or not title.strip() or not url.strip():
                raise forms.ValidationError(f"Line {n}: write it as Title | https://…")
            items.append({"title": title.strip(), "url": url.strip()})
        return items

    def clean(self):
        cleaned = super().clean()
        for name in ("outcomes", "coach_preparation", "client_preparation"):
            if name in cleaned:
                cleaned[name] = lines(cleaned[name])
        if self.template is not None:
            current = self.template.latest_version()
            for name in ("title", *self.PRE_EMAIL[1:], *self.FOLLOW_EMAIL[1:]):
                if name in cleaned:
                    cleaned[name] = _same_text(cleaned[name], getattr(current, name))
        if self.errors:
            return cleaned
        for path, message in check_session(self.session_dict()):
            if path == "segments":
                self.add_error("minutes_max", overrun_message(self.session_dict()))
                continue
            field = _field_for(path, TEMPLATE_ERROR_FIELDS)
            if field == "pre_reading" and path.endswith(".url"):
                message = "the link must start with http:// or https://"
            text = _line_of(path) + _nice(message) if field in self.LISTS else _nice(message)
            self.add_error(field if field in self.fields else None, text)
        return cleaned

    def version_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.declared_fields if name != "code"}

    def session_dict(self) -> dict:
        fields = self.version_fields()
        version = TemplateVersion(**fields, segments=self.segments)
        return version_to_dict(version, self.cleaned_data["code"])


class SegmentForm(TextPolicyMixin, forms.Form):
    name = forms.CharField(
        max_length=120, label="Name", error_messages={"required": "Give the segment a name."}
    )
    kind = forms.ChoiceField(
        label="Kind", choices=[(kind, SEGMENT_KIND_LABELS[kind]) for kind in SEGMENT_KINDS]
    )
    minutes_min = forms.IntegerField(label="Minutes: at least", **MINUTES)
    minutes_max = forms.IntegerField(label="Minutes: at most", **MINUTES)
    prompts = forms.CharField(
        label="Questions and prompts",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line.",
    )
    notes = forms.CharField(
        label="Practitioner notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For the coach only: what to watch for, how to keep time.",
    )
    flags = forms.MultipleChoiceField(
        label="Reminders during this segment",
        required=False,
        choices=list(SEGMENT_FLAGS.items()),
        widget=forms.CheckboxSelectMultiple,
    )

    MAIN = ("name", "kind", "minutes_min", "minutes_max", "prompts", "notes")

    def __init__(self, *args, session: dict, index: int | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.index = index
        self.original = session["segments"][index] if index is not None else {}
        for stage in FLOW_STAGES:
            label = FLOW_STAGE_LABELS[stage]
            self.fields[f"{stage}_on"] = forms.BooleanField(
                required=False, label=f"Include {label}"
            )
            self.fields[f"{stage}_prompts"] = forms.CharField(
                required=False,
                label=f"{label} prompts",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="One per line.",
            )

    @staticmethod
    def initial_from(segment: dict) -> dict:
        initial = {
            "name": segment.get("name", ""),
            "kind": segment.get("kind", ""),
            "minutes_min": segment.get("minutes_min"),
            "minutes_max": segment.get("minutes_max"),
            "prompts": "\n".join(segment.get("prompts", [])),
            "notes": segment.get("notes", ""),
            "flags": list(segment.get("flags", [])),
        }
        for stage in segment.get("flow_stages", []):
            initial[f"{stage['stage']}_on"] = True
            initial[f"{stage['stage']}_prompts"] = "\n".join(stage.get("prompts", []))
        return initial

    def stages(self):
        """(label, include checkbox, prompts) for each F.L.O.W. stage, in order."""
        return [(FLOW_STAGE_LABELS[s], self[f"{s}_on"], self[f"{s}_prompts"]) for s in FLOW_STAGES]

    def main_fields(self):
        return [self[name] for name in self.MAIN]

    def segment(self) -> dict:
        data = self.cleaned_data
        stages = []
        for stage in FLOW_STAGES:
            prompts = lines(data.get(f"{stage}_prompts", ""))
            if data.get(f"{stage}_on") or prompts:
                stages.append({"stage": stage, "prompts": prompts})
        raw = {
            "name": data["name"].strip(),
            "kind": data["kind"],
            "minutes_min": data["minutes_min"],
            "minutes_max": data["minutes_max"],
            "prompts": lines(data.get("prompts", "")),
            "flow_stages": stages,
            "notes": _same_text(data.get("notes", "").strip(), self.original.get("notes")),
            "flags": [flag for flag in SEGMENT_FLAGS if flag in data.get("flags", [])],
        }
        return canonical_segment(raw)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if not cleaned["name"].strip():
            self.add_error("name", "Give the segment a name.")
            return cleaned
        session = dict(self.session)
        segments = list(session["segments"])
        index = len(segments) if self.index is None else self.index
        segments[index : index + 1] = [self.segment()]
        session["segments"] = segments
        prefix = f"segments[{index}]"
        for path, message in check_session(session):
            if path == "segments":
                self.add_error("minutes_max", overrun_message(session))
                continue
            if not path.startswith(prefix):
                continue
            rest = path.removeprefix(prefix).lstrip(".")
            match = re.match(r"flow_stages\[(\d+)\]", rest)
            if match:
                stage = self.segment()["flow_stages"][int(match.group(1))]["stage"]
                self.add_error(f"{stage}_prompts", _nice(message))
                continue
            field = rest.split(".")[0].split("[")[0]
            self.add_error(field if field in self.fields else None, _nice(message))
        return cleaned


class ImportForm(TextPolicyMixin, forms.Form):
    file = forms.FileField(
        label="Program file (YAML)",
        help_text=f"A file exported from flowcoach or written to its format, up to "
        f"{MAX_FILE_BYTES // 1024} KB.",
    )


def email_variable_rows() -> list[tuple[str, str]]:
    return list(email_variables.VARIABLES.items())
