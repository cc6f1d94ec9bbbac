"""Writes for programs and their versioned session templates."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from flowcoach.accounts.models import Organisation, User

from .models import Program, SessionTemplate, TemplateVersion
from .yaml_io import (
    FORMAT,
    ProgramFileError,
    program_to_dict,
    program_warnings,
    validate_program_data,
    version_to_dict,
)

VERSION_FIELDS = (
    "title",
    "kind",
    "minutes_min",
    "minutes_max",
    "outcomes",
    "coach_preparation",
    "client_preparation",
    "pre_reading",
    "pre_email_days",
    "pre_email_subject",
    "pre_email_body",
    "follow_email_days",
    "follow_email_subject",
    "follow_email_body",
    "segments",
)


def version_fields_from_session(session: dict) -> dict:
    """Maps one `sessions[i]` entry of a program file onto TemplateVersion fields."""
    return {
        "title": session["title"],
        "kind": session["kind"],
        "minutes_min": session["minutes_min"],
        "minutes_max": session["minutes_max"],
        "outcomes": session.get("outcomes", []),
        "coach_preparation": session.get("coach_preparation", []),
        "client_preparation": session.get("client_preparation", []),
        "pre_reading": session.get("pre_reading", []),
        "pre_email_days": session["pre_session_email"]["days_before"],
        "pre_email_subject": session["pre_session_email"]["subject"],
        "pre_email_body": session["pre_session_email"]["body"],
        "follow_email_days": session["follow_up_email"]["days_after"],
        "follow_email_subject": session["follow_up_email"]["subject"],
        "follow_email_body": session["follow_up_email"]["body"],
        "segments": session["segments"],
    }


def unique_program_slug(organisation: Organisation | None, wanted: str) -> str:
    base = slugify(wanted)[:70] or "program"
    slug, n = base, 2
    while Program.objects.filter(organisation=organisation, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class SlugTaken(Exception):
    """The short name a person chose is another program's of the organisation."""


def _program_insert(*, organisation: Organisation | None, wanted: str, chosen: bool, **fields):
    """Inserts a program under a free short name. Two people (or one double click) creating
    "Closing" at once both see "closing" free; the constraint stops the second, which then
    takes the next free name, as a later repeat would. A name the person chose is theirs
    only if free: the second gets SlugTaken, never a 500."""
    for _ in range(20):
        slug = wanted if chosen else unique_program_slug(organisation, wanted)
        try:
            with transaction.atomic():
                return Program.objects.create(organisation=organisation, slug=slug, **fields)
        except IntegrityError:
            if chosen:
                raise SlugTaken(slug) from None
    raise SlugTaken(wanted)


@transaction.atomic
def program_import(
    *,
    data: dict,
    organisation: Organisation | None,
    owner: User | None = None,
    status: str = Program.Status.PUBLISHED,
    copied_from: Program | None = None,
    source_hash: str = "",
) -> Program:
    """Creates a program from validated file data. A slug already taken in the organisation
    gets a suffix, so importing never overwrites someone's program."""
    validate_program_data(data)
    program = _program_insert(
        organisation=organisation,
        wanted=data["slug"],
        chosen=False,
        owner=owner,
        title=data["title"],
        description=data.get("description", ""),
        audience=data.get("audience", ""),
        recurring=data.get("recurring", False),
        status=status,
        copied_from=copied_from,
        source_hash=source_hash,
    )
    for position, session in enumerate(data["sessions"]):
        template = SessionTemplate.objects.create(
            program=program, position=position, code=session["code"]
        )
        TemplateVersion.objects.create(
            template=template, number=1, created_by=owner, **version_fields_from_session(session)
        )
    return program


def program_copy(*, program: Program, organisation: Organisation, owner: User) -> Program:
    """A private draft copy in the organisation, starting from the latest versions."""
    data = program_to_dict(program)
    data["title"] = f"{program.title} (copy)"
    return program_import(
        data=data,
        organisation=organisation,
        owner=owner,
        status=Program.Status.DRAFT,
        copied_from=program,
    )


@transaction.atomic
def template_version_for_edit(*, template: SessionTemplate, user: User | None) -> TemplateVersion:
    """The version an edit may change: the latest one while no session uses it, otherwise a
    fresh copy numbered one higher, so sessions keep the script they ran on."""
    latest = (
        TemplateVersion.objects.select_for_update()
        .filter(template=template)
        .order_by("-number")
        .first()
    )
    if not latest.in_use:
        return latest
    return TemplateVersion.objects.create(
        template=template,
        number=latest.number + 1,
        created_by=user,
        **{field: getattr(latest, field) for field in VERSION_FIELDS},
    )


def template_version_mark_used(*, version: TemplateVersion) -> None:
    if not version.in_use:
        TemplateVersion.objects.filter(pk=version.pk).update(in_use=True)
        version.in_use = True


# Editor writes. Every change to a template's content goes through template_version_for_edit,
# so a version that sessions already use is never touched: the edit lands in the next one.


@transaction.atomic
def program_create(
    *,
    organisation: Organisation,
    owner: User,
    title: str,
    slug: str = "",
    description: str = "",
    audience: str = "",
    recurring: bool = False,
) -> Program:
    """A new program starts as its author's private draft."""
    return _program_insert(
        organisation=organisation,
        wanted=slug or title,
        chosen=bool(slug),
        owner=owner,
        title=title,
        description=description,
        audience=audience,
        recurring=recurring,
        status=Program.Status.DRAFT,
    )


@transaction.atomic
def program_update(
    *, program: Program, title: str, description: str, audience: str, recurring: bool
) -> Program:
    program.title = title
    program.description = description
    program.audience = audience
    program.recurring = recurring
    program.save(update_fields=["title", "description", "audience", "recurring", "updated_at"])
    return program


def _program_set_status(program: Program, status: str) -> Program:
    program.status = status
    program.save(update_fields=["status", "updated_at"])
    return program


@transaction.atomic
def program_archive(*, program: Program) -> Program:
    return _program_set_status(program, Program.Status.ARCHIVED)


@transaction.atomic
def program_restore(*, program: Program) -> Program:
    return _program_set_status(program, Program.Status.PUBLISHED)


@transaction.atomic
def program_publish(*, program: Program) -> Program:
    """A draft becomes the organisation's, with the same checks an imported file passes
    (raises ProgramFileError listing them), so every published program can be exported and
    imported again; and, since other coaches will enrol clients on it, only once every
    session is fully planned (what an import only warns about)."""
    data = validate_program_data(program_to_dict(program))
    unfinished = program_warnings(data)
    if unfinished:
        raise ProgramFileError(unfinished)
    return _program_set_status(program, Program.Status.PUBLISHED)


@transaction.atomic
def template_create(
    *, program: Program, user: User | None, code: str, fields: dict
) -> SessionTemplate:
    """A new session template at the end of the program, as version 1 with no segments."""
    last = program.templates.order_by("-position").values_list("position", flat=True).first()
    template = SessionTemplate.objects.create(
        program=program, code=code, position=0 if last is None else last + 1
    )
    version = TemplateVersion(
        template=template, number=1, created_by=user, **{"segments": [], **fields}
    )
    check_version(version, code)
    version.save()
    return template


def _version_edit(template: SessionTemplate, user: User | None, changes: dict) -> TemplateVersion:
    """Applies `changes` to the version an edit may change. No change, no new version."""
    latest = template.latest_version()
    if all(getattr(latest, field) == value for field, value in changes.items()):
        return latest
    version = template_version_for_edit(template=template, user=user)
    for field, value in changes.items():
        setattr(version, field, value)
    check_version(version, template.code)
    version.save(update_fields=list(changes))
    return version


def check_version(version: TemplateVersion, code: str) -> None:
    """The importer's validation on one version about to be saved (raises ProgramFileError),
    so nothing the editor saves can fail to import after an export."""
    session = version_to_dict(version, code)
    validate_program_data(
        {"format": FORMAT, "slug": "check", "title": "check", "sessions": [session]}
    )


@transaction.atomic
def template_update(
    *, template: SessionTemplate, user: User | None, code: str, fields: dict
) -> TemplateVersion:
    if template.code != code:
        template.code = code
        template.save(update_fields=["code"])
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise ValueError(f"not version fields: {sorted(unknown)}")
    return _version_edit(template, user, fields)


@transaction.atomic
def segment_save(
    *, template: SessionTemplate, user: User | None, index: int | None, segment: dict
) -> TemplateVersion:
    """Adds a segment at the end (index None) or replaces the one at `index`."""
    segments = [dict(s) for s in template.latest_version().segments]
    if index is None:
        segments.append(segment)
    else:
        if not 0 <= index < len(segments):
            raise IndexError(index)
        segments[index] = segment
    return _version_edit(template, user, {"segments": segments})


@transaction.atomic
def segment_delete(*, template: SessionTemplate, user: User | None, index: int) -> TemplateVersion:
    segments = [dict(s) for s in template.latest_version().segments]
    if not 0 <= index < len(segments):
        raise IndexError(index)
    del segments[index]
    return _version_edit(template, user, {"segments": segments})


@transaction.atomic
def segment_move(
    *, template: SessionTemplate, user: User | None, index: int, to: int
) -> TemplateVersion:
    """Moves the segment at `index` to position `to` (both counted from 0; `to` is clamped)."""
    segments = [dict(s) for s in template.latest_version().segments]
    if not 0 <= index < len(segments):
        raise IndexError(index)
    to = max(0, min(to, len(segments) - 1))
    segments.insert(to, segments.pop(index))
    return _version_edit(template, user, {"segments": segments})


@transaction.atomic
def template_move(*, template: SessionTemplate, to: int) -> None:
    """Moves a template to position `to` within its program (clamped) and renumbers all."""
    siblings = list(
        SessionTemplate.objects.select_for_update()
        .filter(program_id=template.program_id)
        .order_by("position", "pk")
    )
    current = next(i for i, t in enumerate(siblings) if t.pk == template.pk)
    to = max(0, min(to, len(siblings) - 1))
    siblings.insert(to, siblings.pop(current))
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            SessionTemplate.objects.filter(pk=sibling.pk).update(position=position)
    template.position = to


@transaction.atomic
def template_remove(*, template: SessionTemplate) -> bool:
    """Takes a template out of its program. One that sessions used is retired, not deleted,
    so those sessions keep their script; returns True when it was deleted outright."""
    if template.versions.filter(in_use=True).exists():
        template.retired = True
        template.save(update_fields=["retired"])
        return False
    template.delete()
    return True
