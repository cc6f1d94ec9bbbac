"""Access rules for programs, built on the accounts policy primitives. One place.

- Admins and coaches of an organisation see every built-in program, the organisation's
  published and archived programs, and their own private drafts. Another coach's draft and
  another organisation's programs answer 404, as if they did not exist.
- Built-ins are read-only for everyone; they can be copied into the organisation.
- A private draft is edited only by its owner, who may publish it to the organisation.
- Published organisation programs are edited by the organisation's admins and coaches.
- Archived programs are read-only until restored.
Clients never reach program pages: the views' role gate answers 403 first.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from flowcoach.accounts.actor import Actor

from .models import Program, SessionTemplate


def _is_staff(actor: Actor) -> bool:
    return actor.organisation is not None and (actor.is_admin or actor.is_coach)


def programs_visible_to(actor: Actor) -> QuerySet[Program]:
    if not _is_staff(actor):
        return Program.objects.none()
    return Program.objects.filter(
        Q(organisation__isnull=True)
        | Q(
            organisation=actor.organisation,
            status__in=[Program.Status.PUBLISHED, Program.Status.ARCHIVED],
        )
        | Q(organisation=actor.organisation, status=Program.Status.DRAFT, owner=actor.user)
    )


def get_program_for(actor: Actor, pk: int) -> Program:
    """A program the actor may read (404 otherwise)."""
    try:
        return programs_visible_to(actor).select_related("owner", "copied_from").get(pk=pk)
    except Program.DoesNotExist:
        raise Http404 from None


def can_edit(actor: Actor, program: Program) -> bool:
    if program.is_builtin or program.organisation_id != getattr(actor.organisation, "pk", None):
        return False
    if program.status == Program.Status.DRAFT:
        return program.owner_id == actor.user.pk
    return program.status == Program.Status.PUBLISHED and _is_staff(actor)


def can_publish(actor: Actor, program: Program) -> bool:
    return (
        not program.is_builtin
        and program.status == Program.Status.DRAFT
        and program.owner_id == actor.user.pk
    )


def can_archive(actor: Actor, program: Program) -> bool:
    return not program.is_builtin and program.status == Program.Status.PUBLISHED


def can_restore(actor: Actor, program: Program) -> bool:
    return not program.is_builtin and program.status == Program.Status.ARCHIVED


def get_editable_program_for(actor: Actor, pk: int) -> Program:
    """A program the actor may change: 404 if they cannot see it, 403 if it is read-only
    for them (a built-in, an archived program)."""
    program = get_program_for(actor, pk)
    if not can_edit(actor, program):
        raise PermissionDenied
    return program


def get_template_for(actor: Actor, pk: int) -> SessionTemplate:
    """A session template of a program the actor may read (404 otherwise)."""
    try:
        return SessionTemplate.objects.select_related("program", "program__owner").get(
            pk=pk, program__in=programs_visible_to(actor)
        )
    except SessionTemplate.DoesNotExist:
        raise Http404 from None


def get_editable_template_for(actor: Actor, pk: int) -> SessionTemplate:
    """A template the actor may change. A retired template (removed from its program but kept
    for the sessions that used it) is history: it can be read, not edited."""
    template = get_template_for(actor, pk)
    if not can_edit(actor, template.program) or template.retired:
        raise PermissionDenied
    return template
