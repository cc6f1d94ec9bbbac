from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import page_cache, policy

from . import access, selectors, services
from .forms import EmailSettingsForm, MessageEditForm, OneOffForm


def _data(request: HttpRequest):
    return request.POST if request.method == "POST" else None


@require_GET
@policy.role_required(*policy.STAFF)
@page_cache.cached_page
def outbox(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    context = {"groups": None, "overall": None}
    if actor.is_coach:
        context["groups"] = selectors.outbox_groups(access.messages_visible_to(actor))
    if actor.is_admin:
        context["overall"], context["per_coach"] = selectors.counts_for(actor.organisation)
    return render(request, "outbox/outbox.html", context)


@policy.role_required(*policy.COACH)
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    message = access.get_message_for(actor, pk)
    form = MessageEditForm(
        _data(request), initial={"subject": message.subject, "text_body": message.text_body}
    )
    if request.method == "POST":
        if not message.is_editable:
            messages.error(
                request, "This message is on its way or done, so it can no longer change."
            )
            return redirect("outbox_message", message.pk)
        if form.is_valid():
            try:
                services.message_edit(message=message, **form.cleaned_data)
            except services.OutboxError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Saved. The message will go out with your changes.")
                return redirect("outbox_message", message.pk)
    return render(
        request,
        "outbox/message.html",
        {"message": message, "form": form, "deliveries": selectors.deliveries_of(message)},
        status=400 if form.errors else 200,
    )


def _act(request: HttpRequest, pk: int, action, done: str) -> HttpResponse:
    actor = policy.actor_of(request)
    message = access.get_message_for(actor, pk)
    try:
        action(message=message, user=actor.user)
    except services.OutboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("outbox_message", message.pk)


@require_POST
@policy.role_required(*policy.COACH)
def message_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.message_approve, "Approved. It will go out at its time.")


@require_POST
@policy.role_required(*policy.COACH)
def message_send_now(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.message_send_now, "On its way: it goes out in a moment.")


@require_POST
@policy.role_required(*policy.COACH)
def message_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    def cancel(*, message, user):
        return services.message_cancel(message=message, reason="Cancelled by the coach")

    return _act(request, pk, cancel, "Cancelled. It will not be sent.")


@require_POST
@policy.role_required(*policy.COACH)
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.message_retry, "Trying again now.")


@require_POST
@policy.role_required(*policy.COACH)
def message_arrived(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.message_confirm_arrived, "Thanks. It is marked as sent.")


@require_POST
@policy.role_required(*policy.COACH)
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        services.message_resend,
        "Sending it again. If the first one did arrive, most mail apps will show it once.",
    )


@policy.role_required(*policy.COACH)
def message_new(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = OneOffForm(
        _data(request),
        initial={"to_email": request.GET.get("to", ""), "to_name": request.GET.get("name", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.message_create_one_off(
                organisation=actor.organisation,
                owner=actor.user,
                send=request.POST.get("action") != "draft",
                **data,
            )
        except services.OutboxError as error:
            form.add_error(None, str(error))
        else:
            if message.state == "draft":
                messages.success(request, "Saved as a draft in your outbox.")
            else:
                messages.success(request, f"On its way to {message.to_name or message.to_email}.")
            return redirect("outbox_message", message.pk)
    return render(request, "outbox/new.html", {"form": form}, status=400 if form.errors else 200)


@policy.role_required(*policy.ADMIN)
def email_settings(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = EmailSettingsForm(
        _data(request),
        initial={"auto_approve_kinds": selectors.auto_approve_kinds(actor.organisation)},
    )
    if request.method == "POST" and form.is_valid():
        services.email_settings_update(
            organisation=actor.organisation,
            auto_approve_kinds=form.cleaned_data["auto_approve_kinds"],
            by=actor.user,
        )
        messages.success(request, "Saved. New emails of the ticked kinds go out without waiting.")
        return redirect("outbox_settings")
    return render(request, "outbox/settings.html", {"form": form})
