from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from flowcoach.lib import redirects

from . import policy, retention, selectors, services
from .actor import SESSION_KEY
from .audit import audit_record
from .forms import (
    AcceptInvitationForm,
    AuditFilterForm,
    InvitationForm,
    OrganisationSettingsForm,
    PersonalSettingsForm,
    RetentionForm,
    SetupForm,
)
from .models import AuditAction, Organisation, Role


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not healthy", whatever its type
        return JsonResponse({"status": "error", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    if actor.user is None:
        if not Organisation.objects.exists():
            return redirect("setup")
        return redirect("account_login")
    if actor.organisation is None:
        return render(request, "accounts/no_organisation.html")
    # Everyone lands where their work is: a coach on Home, an admin on the admin's home.
    if actor.is_coach:
        return redirect("coach_home")
    if actor.is_admin:
        return redirect("admin_home")
    return redirect("portal")


def setup(request: HttpRequest) -> HttpResponse:
    """First run: the first visitor of an empty install creates the organisation and its
    admin. Once any organisation exists this page is gone."""
    if Organisation.objects.exists():
        raise Http404
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            # Checked again inside the write transaction: two people opening a fresh install
            # at once must not both become its first admin.
            if Organisation.objects.exists():
                raise Http404
            _, user = services.organisation_create(
                name=data["organisation_name"],
                admin_email=data["email"],
                admin_full_name=data["full_name"],
                admin_password=data["password1"],
                time_zone=data["time_zone"],
                admin_also_coaches=data["also_coach"],
            )
        perform_login(request, user, email_verification="none")
        if data["also_coach"]:
            messages.success(request, "Your organisation is ready. Add your first client.")
            return redirect("client_create")
        messages.success(request, "Your organisation is ready. Invite your coaches next.")
        return redirect("people")
    return render(request, "accounts/setup.html", {"form": form})


@require_POST
@policy.login_required
def organisation_switch(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    try:
        wanted = int(request.POST.get("organisation", ""))
    except ValueError:
        wanted = None
    if wanted not in {org.pk for org in actor.organisations}:
        raise Http404
    request.session[SESSION_KEY] = wanted
    return redirect("home")


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410
        )
    actor = policy.actor_of(request)
    existing = selectors.user_by_email(invitation.email)
    context = {"invitation": invitation, "existing": existing}

    if actor.user is not None and actor.user.email.lower() != invitation.email.lower():
        context["wrong_user"] = actor.user
        return render(request, "accounts/invitation_accept.html", context)

    if existing is not None:
        # Someone who already has an account (a coach joining a second practice) accepts
        # while signed in, so nobody can take over an account with a forwarded link.
        if actor.user is None:
            return render(request, "accounts/invitation_accept.html", context)
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=actor.user)
            except services.InvitationError as error:
                return render(
                    request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410
                )
            request.session[SESSION_KEY] = invitation.organisation_id
            messages.success(request, f"You have joined {invitation.organisation}.")
            return redirect("home")
        return render(request, "accounts/invitation_accept.html", context)

    form = AcceptInvitationForm(
        request.POST or None,
        email=invitation.email,
        initial={"full_name": invitation.full_name, "time_zone": invitation.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
                time_zone=form.cleaned_data["time_zone"],
            )
        except services.InvitationError as error:
            return render(
                request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410
            )
        perform_login(request, user, email_verification="none")
        request.session[SESSION_KEY] = invitation.organisation_id
        messages.success(request, f"Welcome to {invitation.organisation}.")
        return redirect("home")
    context["form"] = form
    return render(request, "accounts/invitation_accept.html", context)


@policy.role_required(*policy.ADMIN)
def people(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = InvitationForm(
        request.POST or None,
        roles=[Role.COACH, Role.ADMIN],
        organisation=actor.organisation,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(
                organisation=actor.organisation,
                invited_by=actor.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                full_name=form.cleaned_data["full_name"],
            )
        except services.InvitationPending as pending:
            form.add_error("email", str(pending))
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("people")
    context = {
        "form": form,
        **selectors.people_overview(actor.organisation),
    }
    return render(request, "accounts/people.html", context, status=400 if form.errors else 200)


@require_POST
@policy.role_required(*policy.STAFF)
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = policy.get_invitation_for(policy.actor_of(request), pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn.")
    return redirect(redirects.next_or(request, "people"))


@require_POST
@policy.role_required(*policy.STAFF)
def invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = policy.get_invitation_for(policy.actor_of(request), pk)
    if invitation.status == invitation.Status.ACCEPTED:
        messages.info(request, f"{invitation.email} has already accepted.")
    else:
        try:
            services.invitation_resend(invitation=invitation)
        except services.InvitationPending as pending:
            messages.info(request, str(pending))
        else:
            messages.success(request, f"A fresh invitation went to {invitation.email}.")
    return redirect(redirects.next_or(request, "people"))


@require_POST
@policy.role_required(*policy.ADMIN)
def membership_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    actor = policy.actor_of(request)
    membership = policy.get_membership_for(actor, pk)
    if membership.user_id == actor.user.pk and membership.role == Role.ADMIN:
        messages.error(request, "You cannot remove your own admin access.")
        return redirect("people")
    try:
        services.membership_set_active(
            membership=membership, active=not membership.is_active, by=actor.user
        )
    except services.MembershipError as error:
        messages.error(request, str(error))
    else:
        state = "restored" if membership.is_active else "suspended"
        messages.success(request, f"Access for {membership.user} {state}.")
    return redirect("people")


@policy.role_required(*policy.ADMIN)
def organisation_settings(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = OrganisationSettingsForm(request.POST or None, instance=actor.organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            if form.changed_data:
                audit_record(
                    organisation=actor.organisation,
                    actor=actor.user,
                    actor_role=Role.ADMIN,
                    action=AuditAction.SETTINGS_CHANGED,
                    object_type="organisation",
                    object_id=actor.organisation.pk,
                    detail={"fields": sorted(form.changed_data)},
                )
        messages.success(request, "Organisation settings saved.")
        return redirect("organisation_settings")
    return render(
        request,
        "accounts/organisation_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@policy.login_required
def personal_settings(request: HttpRequest) -> HttpResponse:
    form = PersonalSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("personal_settings")
    return render(
        request,
        "accounts/personal_settings.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@require_GET
@policy.role_required(*policy.ADMIN)
def audit_log(request: HttpRequest) -> HttpResponse:
    """Sensitive actions in this organisation, for its admins: who, what, on which record, when.
    Read only: nothing here changes an entry."""
    actor = policy.actor_of(request)
    actors = selectors.audit_actors(actor.organisation)
    form = AuditFilterForm(request.GET or None, actors=actors)
    filters = form.cleaned_filters(actor.user) if form.is_valid() else {}
    entries = selectors.audit_entries(actor.organisation, **filters)
    page = Paginator(entries, selectors.AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "filtered": bool(filters)},
        status=400 if form.errors else 200,
    )


@policy.role_required(*policy.ADMIN)
def retention_settings(request: HttpRequest) -> HttpResponse:
    """How long coaching content is kept after an engagement ends, with a preview of what a
    setting would remove and when (counts and dates only) before it is saved."""
    actor = policy.actor_of(request)
    organisation = actor.organisation
    form = RetentionForm(
        request.POST or None, kinds=retention.kinds(), current=organisation.retention
    )
    proposed = None
    if request.method == "POST" and form.is_valid():
        proposed = form.settings()
        if "save" in request.POST:
            services.retention_set(organisation=organisation, settings=proposed, by=actor.user)
            messages.success(request, "Saved. What is due goes in tonight's run.")
            return redirect("retention_settings")
    return render(
        request,
        "accounts/retention.html",
        {
            "form": form,
            "previewing": proposed is not None,
            "preview": retention.preview(organisation, proposed),
        },
        status=400 if form.errors else 200,
    )
