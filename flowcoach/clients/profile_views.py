"""Motivation profile pages: the coach's profile page and editor, attachments, and the
client's portal. Profile pages admit admins and coaches at the door and then ask
`access.get_coached_client_for`, so an admin meets a 404 (the content is not theirs to know
of) rather than a 403. Views stay thin: access checks here, reads in profile_selectors, writes in
profile_services."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import page_cache, policy

from . import access, profile_selectors, profile_services
from .catalog_forms import ThemeAddForm
from .models import ProfileAttachment, Visibility
from .profile_forms import AttachmentUploadForm, AttachmentVisibilityForm, ProfileEditForms


def _profile_page(request, client, *, upload_form=None, status=200) -> HttpResponse:
    context = profile_selectors.profile_page(client)
    context["client"] = client
    context["upload_form"] = upload_form or AttachmentUploadForm(client=client)
    return render(request, "profiles/detail.html", context, status=status)


@require_GET
@policy.role_required(*policy.STAFF)
@page_cache.cached_page
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_coached_client_for(policy.actor_of(request), pk)
    return _profile_page(request, client)


@policy.role_required(*policy.STAFF)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_coached_client_for(policy.actor_of(request), pk)
    profile = access.profile_of(client)
    edit = ProfileEditForms(
        client=client, profile=profile, data=request.POST if request.method == "POST" else None
    )
    if request.method == "POST":
        if edit.is_valid():
            profile_services.profile_update(profile=profile, **edit.cleaned())
            messages.success(request, f"{client.first_name}'s profile is saved.")
            return redirect("profile_detail", pk=client.pk)
        messages.error(request, "Nothing was saved yet: please fix the marked fields.")
    theme_form = None
    if profile.catalog_id:
        theme_form = ThemeAddForm(catalog=profile.catalog)
    return render(
        request,
        "profiles/edit.html",
        {
            "client": client,
            "profile": profile,
            "form": edit.form,
            "themes": edit.themes,
            "stories": edit.stories,
            "theme_form": theme_form,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@policy.role_required(*policy.STAFF)
def profile_share(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile page's "share these with <client>": the ticked parts, in one step."""
    client = access.get_coached_client_for(policy.actor_of(request), pk)
    shared = profile_services.profile_share(
        profile=access.profile_of(client), parts=request.POST.getlist("parts")
    )
    if shared:
        messages.success(request, f"Shared with {client.first_name}. They see it in their portal.")
    else:
        messages.error(request, "Tick what you want to share first. Nothing changed.")
    return redirect("profile_detail", pk=client.pk)


@require_POST
@policy.role_required(*policy.STAFF)
def profile_attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    client = access.get_coached_client_for(actor, pk)
    form = AttachmentUploadForm(request.POST, request.FILES, client=client)
    if not form.is_valid():
        messages.error(request, "The file was not attached: see the message below.")
        return _profile_page(request, client, upload_form=form, status=400)
    profile_services.attachment_create(
        profile=access.profile_of(client),
        upload=form.cleaned_data["file"],
        kind=form.cleaned_data["kind"],
        content_type=form.cleaned_data["content_type"],
        visibility=form.cleaned_data["visibility"],
        uploaded_by=actor.user,
    )
    messages.success(request, "File attached.")
    return redirect("profile_detail", pk=client.pk)


@require_GET
@policy.role_required(*policy.ANY_ROLE)
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    attachment = access.get_attachment_for(policy.actor_of(request), pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _coached_attachment(request: HttpRequest, pk: int) -> ProfileAttachment:
    """Changing an attachment is for the client's coach alone, even where the client may
    read it."""
    actor = policy.actor_of(request)
    attachment = access.get_attachment_for(actor, pk)
    access.get_coached_client_for(actor, attachment.profile.client_id)
    return attachment


@require_POST
@policy.role_required(*policy.STAFF)
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _coached_attachment(request, pk)
    client_pk = attachment.profile.client_id
    profile_services.attachment_delete(attachment=attachment)
    messages.success(request, f"{attachment.original_name} is deleted.")
    return redirect("profile_detail", pk=client_pk)


@require_POST
@policy.role_required(*policy.STAFF)
def attachment_visibility(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _coached_attachment(request, pk)
    form = AttachmentVisibilityForm(request.POST)
    if form.is_valid():
        profile_services.attachment_set_visibility(
            attachment=attachment, visibility=form.cleaned_data["visibility"]
        )
        client = attachment.profile.client
        if form.cleaned_data["visibility"] == Visibility.SHARED:
            messages.success(
                request, f"{client.first_name} can now see {attachment.original_name}."
            )
        else:
            messages.success(request, f"{attachment.original_name} is now for you only.")
    else:
        messages.error(request, "Choose who should see the file.")
    return redirect("profile_detail", pk=attachment.profile.client_id)
