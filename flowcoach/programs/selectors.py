"""Reads that shape program data for pages. Query counts stay constant whatever the number
of programs, templates or versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from flowcoach.accounts.actor import Actor

from . import access
from .models import Program, SessionTemplate, TemplateVersion
from .yaml_io import dump_program_yaml, version_to_dict


@dataclass
class ProgramGroups:
    builtins: list[Program] = field(default_factory=list)
    organisation: list[Program] = field(default_factory=list)
    drafts: list[Program] = field(default_factory=list)
    archived: list[Program] = field(default_factory=list)


def program_groups(actor: Actor) -> ProgramGroups:
    """The program list in one query: built-ins, the organisation's, my drafts, archived."""
    programs = (
        access.programs_visible_to(actor)
        .annotate(session_count=Count("templates", filter=Q(templates__retired=False)))
        .order_by("title", "pk")
    )
    groups = ProgramGroups()
    for program in programs:
        if program.is_builtin:
            groups.builtins.append(program)
        elif program.status == Program.Status.DRAFT:
            groups.drafts.append(program)
        elif program.status == Program.Status.ARCHIVED:
            groups.archived.append(program)
        else:
            groups.organisation.append(program)
    return groups


@dataclass
class TemplateRow:
    """A session template with its latest version, as the program page shows it."""

    template: SessionTemplate
    version: TemplateVersion
    version_count: int

    @property
    def planned(self) -> tuple[int, int]:
        return self.version.planned_segment_minutes

    @property
    def fits(self) -> bool:
        return self.version.fit == "fits"

    @property
    def runs_over(self) -> bool:
        return self.version.fit == "over"


def program_templates(program: Program) -> list[TemplateRow]:
    """Every template of the program with its latest version, in two queries."""
    latest_number = (
        TemplateVersion.objects.filter(template=OuterRef("template"))
        .order_by("-number")
        .values("number")[:1]
    )
    templates = (
        SessionTemplate.objects.filter(program=program, retired=False)
        .annotate(version_count=Count("versions"))
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=TemplateVersion.objects.filter(number=Subquery(latest_number)),
                to_attr="latest",
            )
        )
        .order_by("position", "pk")
    )
    return [
        TemplateRow(template=t, version=t.latest[0], version_count=t.version_count)
        for t in templates
        if t.latest
    ]


def template_versions(template: SessionTemplate) -> list[TemplateVersion]:
    return list(
        TemplateVersion.objects.filter(template=template)
        .select_related("created_by")
        .order_by("-number")
    )


@dataclass
class DiffRow:
    change: str  # "same", "added", "removed" or "gap"
    old: int | None
    new: int | None
    text: str


def version_yaml(version: TemplateVersion, code: str) -> str:
    return dump_program_yaml(version_to_dict(version, code))


def version_diff(old: TemplateVersion, new: TemplateVersion, code: str) -> list[DiffRow]:
    """What changed between two versions, line by line in their canonical YAML, with three
    lines of context around each change."""
    a = version_yaml(old, code).splitlines()
    b = version_yaml(new, code).splitlines()
    rows: list[DiffRow] = []
    groups = list(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_grouped_opcodes(3))
    for n, group in enumerate(groups):
        if n or group[0][1] > 0:
            rows.append(DiffRow("gap", None, None, ""))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [
                    DiffRow("same", i + 1, j + 1, a[i])
                    for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
                ]
                continue
            rows += [DiffRow("removed", i + 1, None, a[i]) for i in range(i1, i2)]
            rows += [DiffRow("added", None, j + 1, b[j]) for j in range(j1, j2)]
    if groups and groups[-1][-1][2] < len(a):
        rows.append(DiffRow("gap", None, None, ""))
    return rows
