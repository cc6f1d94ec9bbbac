from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy
from flowcoach.accounts.services import InvitationPending

from . import access, csv_import, services
from .forms import ClientForm, DeleteForm, ImportUploadForm, ReassignForm


def _data(request: HttpRequest):
    # An empty POST must still bind the form, or a blank submit would silently re-render.
    return request.POST if request.method == "POST" else None


def _bound(request: HttpRequest) -> tuple:
    return (request.POST, request.FILES) if request.method == "POST" else (None, None)


@policy.role_required(*policy.STAFF)
def client_create(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = ClientForm(_data(request), actor=actor, choose_coach=actor.is_admin)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                organisation=actor.organisation,
                coach=form.cleaned_data.get("coach") or actor.user,
                **form.contact_details(),
            )
        except services.DuplicateClient as duplicate:
            form.add_error("email", str(duplicate))
        else:
            messages.success(request, f"{client.full_name} is on your client list.")
            return redirect("client_detail", pk=client.pk)
    needs_coach_first = actor.is_admin and not form.fields["coach"].queryset.exists()
    return render(
        request,
        "clients/client_form.html",
        {"form": form, "client": None, "needs_coach_first": needs_coach_first},
    )


@policy.role_required(*policy.STAFF)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = access.get_client_for(actor, pk)
    form = ClientForm(_data(request), instance=client, actor=actor)
    if request.method == "POST" and form.is_valid():
        # Re-fetched so a failed form above cannot leave half-applied values on `client`.
        client = access.get_client_for(actor, pk)
        services.client_update(client=client, **form.contact_details())
        messages.success(request, "Saved.")
        return redirect("client_detail", pk=client.pk)
    if request.method == "POST":
        client = access.get_client_for(actor, pk)
    return render(request, "clients/client_form.html", {"form": form, "client": client})


@require_POST
@policy.role_required(*policy.STAFF)
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for(policy.actor_of(request), pk)
    services.client_archive(client=client)
    messages.success(
        request, f"{client.full_name} is archived. Nothing is lost; you can restore them anytime."
    )
    return redirect("client_detail", pk=client.pk)


@require_POST
@policy.role_required(*policy.STAFF)
def client_restore(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for(policy.actor_of(request), pk)
    services.client_restore(client=client)
    messages.success(request, f"{client.full_name} is active again.")
    return redirect("client_detail", pk=client.pk)


@policy.role_required(*policy.STAFF)
def client_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = access.get_client_for_admin(actor, pk)
    form = ReassignForm(_data(request), actor=actor, client=client)
    if request.method == "POST" and form.is_valid():
        coach = form.cleaned_data["coach"]
        try:
            services.client_reassign(client=client, coach=coach, by=request.user)
        except services.ReassignRefused as refusal:
            form.add_error(None, f"Nothing has changed. {refusal}")
        else:
            messages.success(
                request,
                f"Done: {coach.full_name} now coaches {client.full_name}, with their programs, "
                "sessions and waiting emails. The previous coach's private notes stay with them.",
            )
            return redirect("client_detail", pk=client.pk)
    return render(
        request,
        "clients/client_reassign.html",
        {"form": form, "client": client, "has_choices": form.fields["coach"].queryset.exists()},
    )


@require_POST
@policy.role_required(*policy.STAFF)
def client_invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = access.get_client_for(actor, pk)
    if client.user_id is not None:
        messages.info(request, f"{client.full_name} already has their own sign-in.")
    elif client.is_archived:
        messages.error(request, "Restore this client before inviting them.")
    else:
        try:
            services.client_invite(client=client, invited_by=actor.user)
        except InvitationPending as pending:
            messages.info(request, str(pending))
        else:
            messages.success(request, f"Invitation sent to {client.email}.")
    return redirect("client_detail", pk=client.pk)


@policy.role_required(*policy.STAFF)
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_client_for(policy.actor_of(request), pk)
    form = DeleteForm(_data(request), client=client)
    if request.method == "POST" and form.is_valid():
        name = client.full_name
        services.client_delete(client=client, by=request.user)
        messages.success(request, f"{name} and everything about them has been deleted.")
        return redirect("client_list")
    return render(request, "clients/client_delete.html", {"form": form, "client": client})


@policy.role_required(*policy.STAFF)
def client_import(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    context: dict = {"columns": csv_import.COLUMNS, "max_rows": csv_import.MAX_ROWS}
    if request.method == "POST" and "payload" in request.POST:
        try:
            raw_rows, default_coach_id = csv_import.unsign(request.POST["payload"], actor=actor)
        except csv_import.CsvFileError as exc:
            context.update(form=ImportUploadForm(actor=actor), file_error=str(exc))
            return render(request, "clients/client_import.html", context)
        # A file refused now is chosen again with the same default coach already selected.
        form = ImportUploadForm(actor=actor, default_coach_id=default_coach_id)
        # Checked again: clients may have been added or coaches suspended since the preview.
        rows = csv_import.check_rows(raw_rows, actor=actor, default_coach_id=default_coach_id)
        if all(row.ok for row in rows):
            try:
                created = services.clients_import(
                    organisation=actor.organisation,
                    rows=csv_import.new_clients(
                        rows, default_time_zone=actor.organisation.time_zone
                    ),
                )
            except IntegrityError:
                # Someone added one of these emails between the check above and the insert.
                context.update(form=form, file_error=csv_import.CHANGED_MESSAGE)
                return render(request, "clients/client_import.html", context)
            messages.success(request, f"Imported {len(created)} client{'s' * (len(created) != 1)}.")
            return redirect("client_list")
        context.update(form=form, rows=rows, changed_since_preview=True)
        return render(request, "clients/client_import.html", context)

    form = ImportUploadForm(*_bound(request), actor=actor)
    if request.method == "POST" and form.is_valid():
        default_coach = form.cleaned_data.get("default_coach")
        default_coach_id = default_coach.pk if default_coach else None
        try:
            raw_rows = csv_import.read_rows(form.cleaned_data["file"].read())
        except csv_import.CsvFileError as exc:
            context.update(form=form, file_error=str(exc))
            return render(request, "clients/client_import.html", context)
        rows = csv_import.check_rows(raw_rows, actor=actor, default_coach_id=default_coach_id)
        context.update(form=form, rows=rows)
        if all(row.ok for row in rows):
            context["payload"] = csv_import.sign(
                raw_rows, default_coach_id=default_coach_id, actor=actor
            )
    else:
        context["form"] = form
    if "rows" in context:
        context["bad_rows"] = sum(1 for row in context["rows"] if not row.ok)
    return render(request, "clients/client_import.html", context)


@require_GET
@policy.role_required(*policy.STAFF)
def client_import_example(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(csv_import.EXAMPLE, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="flowcoach-clients-example.csv"'
    return response
