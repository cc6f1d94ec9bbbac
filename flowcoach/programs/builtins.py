"""Built-in programs ship as YAML files in `builtin/` and are kept in the database by every
migrate. A changed file adds new versions; sessions already created keep theirs."""

from __future__ import annotations

import hashlib
from pathlib import Path

from django.db import transaction

from .models import Program, SessionTemplate, TemplateVersion
from .services import VERSION_FIELDS, program_import, version_fields_from_session
from .yaml_io import parse_program_yaml

BUILTIN_DIR = Path(__file__).resolve().parent / "builtin"


def builtin_files() -> list[Path]:
    return sorted(BUILTIN_DIR.glob("*.yaml"))


@transaction.atomic
def sync_builtin_programs() -> list[Program]:
    programs = []
    for path in builtin_files():
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        data = parse_program_yaml(raw)
        program = Program.objects.filter(organisation=None, slug=data["slug"]).first()
        if program is None:
            program = program_import(data=data, organisation=None, source_hash=digest)
        elif program.source_hash != digest:
            _update_builtin(program, data, digest)
        programs.append(program)
    return programs


def _update_builtin(program: Program, data: dict, digest: str) -> None:
    program.title = data["title"]
    program.description = data.get("description", "")
    program.audience = data.get("audience", "")
    program.recurring = data.get("recurring", False)
    program.source_hash = digest
    program.save()
    codes = [session["code"] for session in data["sessions"]]
    for dropped in program.templates.exclude(code__in=codes):
        # A template the file no longer has: gone if no session ever used it; otherwise kept
        # for those sessions' sake, after the live ones, so exports and enrolments skip it.
        if dropped.versions.filter(in_use=True).exists():
            dropped.retired = True
            dropped.position = 10_000 + dropped.pk
            dropped.save(update_fields=["retired", "position"])
        else:
            dropped.delete()
    for position, session in enumerate(data["sessions"]):
        template, _ = SessionTemplate.objects.get_or_create(program=program, code=session["code"])
        if template.position != position or template.retired:
            template.position, template.retired = position, False
            template.save(update_fields=["position", "retired"])
        fields = version_fields_from_session(session)
        latest = template.versions.order_by("-number").first()
        if latest and all(getattr(latest, f) == fields[f] for f in VERSION_FIELDS):
            continue
        TemplateVersion.objects.create(
            template=template, number=(latest.number + 1 if latest else 1), **fields
        )


def sync_builtin_programs_after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    # Only once the programs tables exist (a partial migrate to an earlier app state skips).
    from django.db import connections

    if Program._meta.db_table not in connections[using].introspection.table_names():
        return
    sync_builtin_programs()
