"""Program pages. Thin: access in access.py, reads in selectors.py, writes in services.py,
checks in forms.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy

from . import access, email_variables, selectors, services
from .forms import (
    SEGMENT_KIND_LABELS,
    SLUG_TAKEN,
    ImportForm,
    ProgramForm,
    SegmentForm,
    TemplateForm,
)
from .models import Program, SessionTemplate
from .yaml_io import (
    MAX_FILE_BYTES,
    ProgramFileError,
    dump_program_yaml,
    parse_program_yaml,
    program_to_dict,
    program_warnings,
    version_to_dict,
    with_codes,
)

staff_only = policy.role_required(*policy.STAFF)


# Programs


@require_GET
@staff_only
def program_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.program_groups(policy.actor_of(request))
    return render(request, "programs/program_list.html", {"groups": groups})


@require_GET
@staff_only
def program_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_program_for(actor, pk)
    return render(
        request,
        "programs/program_detail.html",
        {
            "program": program,
            "rows": selectors.program_templates(program),
            "can_edit": access.can_edit(actor, program),
            "can_publish": access.can_publish(actor, program),
            "can_archive": access.can_archive(actor, program),
            "can_restore": access.can_restore(actor, program),
        },
    )


@staff_only
def program_create(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = ProgramForm(request.POST or None, organisation=actor.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            program = services.program_create(
                organisation=actor.organisation,
                owner=actor.user,
                slug=form.cleaned_data["slug"],
                **form.values(),
            )
        except services.SlugTaken:
            # Taken between the form's check and the insert (a double click, two tabs).
            form.add_error("slug", SLUG_TAKEN)
        else:
            messages.success(request, "Your draft is ready. Add its first session.")
            return redirect("template_create", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": None})


@staff_only
def program_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_editable_program_for(actor, pk)
    form = ProgramForm(request.POST or None, organisation=actor.organisation, program=program)
    if request.method == "POST" and form.is_valid():
        services.program_update(program=program, **form.values())
        messages.success(request, "Saved.")
        return redirect("program_detail", pk=program.pk)
    return render(request, "programs/program_form.html", {"form": form, "program": program})


@require_GET
@staff_only
def program_export(request: HttpRequest, pk: int) -> HttpResponse:
    program = access.get_program_for(policy.actor_of(request), pk)
    response = HttpResponse(
        dump_program_yaml(program_to_dict(program)), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{program.slug}.yaml"'
    return response


def _problems(request: HttpRequest, intro: str, exc: ProgramFileError) -> None:
    messages.error(request, intro + " " + "; ".join(exc.errors))


@require_POST
@staff_only
def program_copy(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_program_for(actor, pk)
    try:
        copy = services.program_copy(
            program=program, organisation=actor.organisation, owner=actor.user
        )
    except ProgramFileError as exc:
        _problems(request, "This program cannot be copied until it passes its checks:", exc)
        return redirect("program_detail", pk=program.pk)
    messages.success(request, "Here is your private copy. Change it as you like.")
    return redirect("program_detail", pk=copy.pk)


@require_POST
@staff_only
def program_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_program_for(actor, pk)
    if not access.can_publish(actor, program):
        raise PermissionDenied
    try:
        services.program_publish(program=program)
    except ProgramFileError as exc:
        _problems(request, "Not published yet. Please fix these first:", exc)
    else:
        messages.success(request, "Published: everyone in your organisation can use it now.")
    return redirect("program_detail", pk=program.pk)


@require_POST
@staff_only
def program_archive(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_program_for(actor, pk)
    if not access.can_archive(actor, program):
        raise PermissionDenied
    services.program_archive(program=program)
    messages.success(request, "Archived. Sessions already planned carry on; restore it anytime.")
    return redirect("program_detail", pk=program.pk)


@require_POST
@staff_only
def program_restore(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_program_for(actor, pk)
    if not access.can_restore(actor, program):
        raise PermissionDenied
    services.program_restore(program=program)
    messages.success(request, "Restored. It is back in use.")
    return redirect("program_detail", pk=program.pk)


@staff_only
def program_import(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            # One byte more than allowed is enough to know the file is too large.
            data = parse_program_yaml(upload.read(MAX_FILE_BYTES + 1))
        except ProgramFileError as exc:
            errors = with_codes(exc.errors, getattr(exc, "data", None))
        else:
            program = services.program_import(
                data=data,
                organisation=actor.organisation,
                owner=actor.user,
                status=Program.Status.DRAFT,
            )
            messages.success(request, "Imported as your private draft. Publish it when ready.")
            unfinished = with_codes(program_warnings(data), data)
            if unfinished:
                messages.warning(
                    request, "Still to finish before you publish: " + "; ".join(unfinished)
                )
            return redirect("program_detail", pk=program.pk)
    return render(
        request,
        "programs/program_import.html",
        {"form": form, "errors": errors, "max_kb": MAX_FILE_BYTES // 1024},
    )


# Session templates


def _version_notice(template: SessionTemplate | None) -> dict:
    version = template.latest_version() if template else None
    return {"version": version, "in_use": bool(version and version.in_use)}


@staff_only
def template_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    program = access.get_editable_program_for(actor, pk)
    form = TemplateForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        template = services.template_create(
            program=program,
            user=actor.user,
            code=form.cleaned_data["code"],
            fields=form.version_fields(),
        )
        messages.success(request, f"{template.code} is added. Now plan its segments.")
        return redirect(reverse("template_edit", args=[template.pk]) + "#segments")
    if request.method == "GET":
        taken = {code.lower() for code in program.templates.values_list("code", flat=True)}
        n = len(taken) + 1
        while f"s{n}" in taken:
            n += 1
        form.initial.update({"code": f"S{n}", "kind": "scripted"})
    return render(
        request,
        "programs/template_form.html",
        {
            "form": form,
            "program": program,
            "template": None,
            "variables": email_variables.VARIABLES.items(),
        },
    )


@staff_only
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    template = access.get_editable_template_for(actor, pk)
    program = template.program
    form = TemplateForm(
        request.POST or None,
        program=program,
        template=template,
        initial=TemplateForm.initial_from(template),
    )
    if request.method == "POST" and form.is_valid():
        before = template.latest_version()
        version = services.template_update(
            template=template,
            user=actor.user,
            code=form.cleaned_data["code"],
            fields=form.version_fields(),
        )
        if version.number != before.number:
            messages.success(request, f"Saved as version {version.number}.")
        else:
            messages.success(request, "Saved.")
        return redirect("template_edit", pk=template.pk)
    if request.method == "POST":
        # Form errors must not leave the unsaved code on the page's heading.
        template.refresh_from_db(fields=["code"])
    return render(
        request,
        "programs/template_form.html",
        {
            "form": form,
            "program": program,
            "template": template,
            "variables": email_variables.VARIABLES.items(),
            "saved": request.GET.get("saved", ""),
            **_segments_context(template),
        },
    )


@require_POST
@staff_only
def template_move(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_editable_template_for(policy.actor_of(request), pk)
    step = -1 if request.POST.get("direction") == "up" else 1
    position = list(
        template.program.templates.order_by("position", "pk").values_list("pk", flat=True)
    ).index(template.pk)
    services.template_move(template=template, to=position + step)
    return redirect(reverse("program_detail", args=[template.program_id]) + f"#t{template.pk}")


@require_POST
@staff_only
def template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_editable_template_for(policy.actor_of(request), pk)
    deleted = services.template_remove(template=template)
    if deleted:
        messages.success(request, f"{template.code} is removed from the program.")
    else:
        messages.success(
            request,
            f"{template.code} is removed from the program. Sessions already planned with it "
            "keep it, and its history stays.",
        )
    return redirect("program_detail", pk=template.program_id)


@require_GET
@staff_only
def template_history(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    template = access.get_template_for(actor, pk)
    versions = selectors.template_versions(template)
    return render(
        request,
        "programs/template_history.html",
        {
            "template": template,
            "program": template.program,
            "versions": versions,
            "can_edit": access.can_edit(actor, template.program),
        },
    )


def _number(value: str | None, default: int) -> int:
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@require_GET
@staff_only
def template_diff(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_template_for(policy.actor_of(request), pk)
    versions = {v.number: v for v in selectors.template_versions(template)}
    latest = max(versions)
    old_number = _number(request.GET.get("from"), max(latest - 1, 1))
    new_number = _number(request.GET.get("to"), latest)
    if old_number not in versions or new_number not in versions:
        raise Http404
    old, new = versions[old_number], versions[new_number]
    rows = selectors.version_diff(old, new, template.code)
    return render(
        request,
        "programs/template_diff.html",
        {
            "template": template,
            "program": template.program,
            "old": old,
            "new": new,
            "rows": rows,
            "versions": list(versions.values()),
            "changed": any(row.change in ("added", "removed") for row in rows),
            "added": sum(1 for row in rows if row.change == "added"),
            "removed": sum(1 for row in rows if row.change == "removed"),
        },
    )


def _days(days: int, side: str) -> str:
    if days == 0:
        return "on the day of the session"
    return f"{days} day{'s' * (days != 1)} {side}"


@require_GET
@staff_only
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    template = access.get_template_for(policy.actor_of(request), pk)
    version = template.latest_version()
    context = email_variables.sample_context()
    context.update(
        program_title=template.program.title,
        session_code=template.code,
        session_title=version.title,
        # The template's own lists, as the client will get them; only the people are samples.
        preparation_list="\n".join(f"- {item}" for item in version.client_preparation),
        pre_reading_list="\n".join(
            f"- {item['title']}: {item['url']}" for item in version.pre_reading
        ),
    )
    session = version_to_dict(version, template.code)
    emails = [
        (
            "Before the session",
            session["pre_session_email"],
            _days(version.pre_email_days, "before"),
        ),
        ("Follow-up", session["follow_up_email"], _days(version.follow_email_days, "after")),
    ]
    return render(
        request,
        "programs/template_preview.html",
        {
            "template": template,
            "program": template.program,
            "version": version,
            "emails": [
                {
                    "heading": heading,
                    "when": when,
                    "subject": email_variables.render(email["subject"], context),
                    "body": email_variables.render(email["body"], context),
                    "problems": email_variables.template_errors(email["subject"])
                    + email_variables.template_errors(email["body"]),
                }
                for heading, email, when in emails
            ],
            "variables": [
                (name, description, context.get(name, ""))
                for name, description in email_variables.VARIABLES.items()
            ],
            "sample": context,
        },
    )


# Segments


def _segments_context(template: SessionTemplate) -> dict:
    """The segment list of the editor, with the fit of their minutes and the version notice."""
    version = template.latest_version()
    segments = version.segments
    return {
        "segments": [
            {
                "index": i,
                "segment": s,
                "kind": SEGMENT_KIND_LABELS.get(s.get("kind"), s.get("kind")),
                "first": i == 0,
                "last": i == len(segments) - 1,
            }
            for i, s in enumerate(segments)
        ],
        "fit": selectors.TemplateRow(template=template, version=version, version_count=0),
        "version": version,
        "in_use": version.in_use,
    }


def _segment_form_page(request, template, form, index) -> HttpResponse:
    return render(
        request,
        "programs/segment_form.html",
        {
            "form": form,
            "template": template,
            "program": template.program,
            "index": index,
            **_version_notice(template),
        },
    )


def _saved_segment_url(template: SessionTemplate, index: int) -> str:
    """Back to the segment just saved, which then says "Saved" itself: the page scrolls to
    it, past the message at the top of the page."""
    return f"{reverse('template_edit', args=[template.pk])}?saved={index}#segment-{index}"


@staff_only
def segment_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    template = access.get_editable_template_for(actor, pk)
    session = version_to_dict(template.latest_version(), template.code)
    form = SegmentForm(request.POST or None, session=session, index=None)
    if request.method == "POST" and form.is_valid():
        services.segment_save(
            template=template, user=actor.user, index=None, segment=form.segment()
        )
        messages.success(request, f"Added “{form.cleaned_data['name']}”.")
        index = len(template.latest_version().segments) - 1
        return redirect(_saved_segment_url(template, index))
    return _segment_form_page(request, template, form, None)


def _segment_index(template: SessionTemplate, index: int) -> dict:
    segments = template.latest_version().segments
    if not 0 <= index < len(segments):
        raise Http404
    return segments[index]


@staff_only
def segment_edit(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    actor = policy.actor_of(request)
    template = access.get_editable_template_for(actor, pk)
    segment = _segment_index(template, index)
    session = version_to_dict(template.latest_version(), template.code)
    form = SegmentForm(
        request.POST or None,
        session=session,
        index=index,
        initial=SegmentForm.initial_from(segment),
    )
    if request.method == "POST" and form.is_valid():
        services.segment_save(
            template=template, user=actor.user, index=index, segment=form.segment()
        )
        messages.success(request, f"Saved “{form.cleaned_data['name']}”.")
        return redirect(_saved_segment_url(template, index))
    return _segment_form_page(request, template, form, index)


@require_POST
@staff_only
def segment_delete(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    actor = policy.actor_of(request)
    template = access.get_editable_template_for(actor, pk)
    segment = _segment_index(template, index)
    services.segment_delete(template=template, user=actor.user, index=index)
    messages.success(request, f"Removed “{segment.get('name', '')}”.")
    return redirect(reverse("template_edit", args=[template.pk]) + "#segments")


@require_POST
@staff_only
def segment_move(request: HttpRequest, pk: int, index: int) -> HttpResponse:
    """Up / down buttons (keyboard) and drag and drop (mouse) both post here; htmx swaps the
    list in place and puts the focus back on the moved segment."""
    actor = policy.actor_of(request)
    template = access.get_editable_template_for(actor, pk)
    segment = _segment_index(template, index)
    direction = request.POST.get("direction", "")
    if direction in ("up", "down"):
        to = index - 1 if direction == "up" else index + 1
    else:
        to = _number(request.POST.get("to"), index)
    count = len(template.latest_version().segments)
    to = max(0, min(to, count - 1))
    if to != index:
        services.segment_move(template=template, user=actor.user, index=index, to=to)
    status = f"“{segment.get('name', '')}” is now number {to + 1} of {count}."
    if not request.htmx:
        messages.success(request, status)
        return redirect(reverse("template_edit", args=[template.pk]) + f"#segment-{to}")
    return render(
        request,
        "programs/_segments.html",
        {
            "template": template,
            "moved": to,
            "direction": direction,
            "status": status,
            "oob": True,
            **_segments_context(template),
        },
    )
