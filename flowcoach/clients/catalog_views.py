"""Theme catalog pages. Admins and coaches read catalogs and add missing themes (a coach meets
a new theme in a client's report); renaming, removing, groups, versions and imports are for
admins, because they change the data every coach of the organisation scores with."""

from __future__ import annotations

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from flowcoach.accounts import policy
from flowcoach.lib import redirects

from . import access, catalogs, profile_selectors
from .catalog_forms import CatalogImportForm, GroupAddForm, ThemeAddForm, ThemeRenameForm
from .models import Theme, ThemeCatalog


def _detail(request, catalog, *, status=200, **forms) -> HttpResponse:
    context = profile_selectors.catalog_detail(catalog)
    context.update(
        {
            "catalog": catalog,
            "theme_form": forms.get("theme_form") or ThemeAddForm(catalog=catalog),
            "group_form": forms.get("group_form") or GroupAddForm(catalog=catalog),
            "rename_theme": forms.get("rename_theme"),
            "rename_form": forms.get("rename_form"),
        }
    )
    return render(request, "catalogs/detail.html", context, status=status)


def _theme_of(catalog: ThemeCatalog, theme_pk: int) -> Theme:
    return get_object_or_404(Theme, pk=theme_pk, catalog=catalog)


@require_GET
@policy.role_required(*policy.STAFF)
def catalog_list(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    return render(
        request,
        "catalogs/list.html",
        {
            "catalogs": profile_selectors.catalogs_of(actor.organisation),
            "import_form": CatalogImportForm() if actor.is_admin else None,
        },
    )


@require_GET
@policy.role_required(*policy.STAFF)
def catalog_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_catalog_for(policy.actor_of(request), pk))


@require_POST
@policy.role_required(*policy.STAFF)
def catalog_theme_add(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    form = ThemeAddForm(request.POST, catalog=catalog)
    if not form.is_valid():
        messages.error(request, "The theme was not added: see the message below.")
        return _detail(request, catalog, theme_form=form, status=400)
    theme = catalogs.theme_add(
        catalog=catalog, name=form.cleaned_data["name"], group=form.cleaned_data["group"]
    )
    messages.success(request, f"{theme.name} is now in {catalog.name}.")
    # From a profile's edit page, go back there so the coach can rank the new theme.
    return redirect(redirects.next_or(request, "catalog_detail", catalog.pk))


def _in_use_message(theme: Theme) -> str:
    return (
        f"{theme.name} is ranked in a client's profile, so it stays as it is. "
        "To change it, start a new version of the catalog and change it there."
    )


@require_POST
@policy.role_required(*policy.ADMIN)
def catalog_theme_rename(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    theme = _theme_of(catalog, theme_pk)
    if catalogs.theme_is_ranked(theme):
        messages.error(request, _in_use_message(theme))
        return redirect("catalog_detail", pk=catalog.pk)
    form = ThemeRenameForm(request.POST, theme=theme)
    if not form.is_valid():
        messages.error(request, "The theme was not renamed: see the message below.")
        return _detail(request, catalog, rename_theme=theme, rename_form=form, status=400)
    old = theme.name
    catalogs.theme_rename(theme=theme, name=form.cleaned_data["name"])
    messages.success(request, f"{old} is now called {theme.name}.")
    return redirect("catalog_detail", pk=catalog.pk)


@require_POST
@policy.role_required(*policy.ADMIN)
def catalog_theme_remove(request: HttpRequest, pk: int, theme_pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    theme = _theme_of(catalog, theme_pk)
    if catalogs.theme_is_ranked(theme):
        messages.error(request, _in_use_message(theme))
        return redirect("catalog_detail", pk=catalog.pk)
    catalogs.theme_remove(theme=theme)
    messages.success(request, f"{theme.name} is removed from {catalog.name}.")
    return redirect("catalog_detail", pk=catalog.pk)


@require_POST
@policy.role_required(*policy.ADMIN)
def catalog_group_add(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    form = GroupAddForm(request.POST, catalog=catalog)
    if not form.is_valid():
        messages.error(request, f"The {catalog.group_label} was not added: see below.")
        return _detail(request, catalog, group_form=form, status=400)
    group = catalogs.group_add(catalog=catalog, name=form.cleaned_data["name"])
    messages.success(request, f"{group.name} is added.")
    return redirect("catalog_detail", pk=catalog.pk)


@require_POST
@policy.role_required(*policy.ADMIN)
def catalog_new_version(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    copy = catalogs.catalog_new_version(catalog=catalog)
    messages.success(
        request,
        f"Version {copy.version} is ready to edit. Profiles scored with version "
        f"{catalog.version} keep it.",
    )
    return redirect("catalog_detail", pk=copy.pk)


@require_GET
@policy.role_required(*policy.STAFF)
def catalog_export(request: HttpRequest, pk: int) -> HttpResponse:
    catalog = access.get_catalog_for(policy.actor_of(request), pk)
    response = HttpResponse(
        catalogs.catalog_export(catalog), content_type="application/yaml; charset=utf-8"
    )
    filename = f"{catalog.key}-v{catalog.version}.yaml"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_POST
@policy.role_required(*policy.ADMIN)
def catalog_import(request: HttpRequest) -> HttpResponse:
    actor = policy.actor_of(request)
    form = CatalogImportForm(request.POST, request.FILES)
    errors: list[str] = []
    data = None
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > CatalogImportForm.MAX_BYTES:
            errors.append("file: a catalog file is at most 256 KB")
        else:
            try:
                data = catalogs.parse_catalog(upload.read().decode("utf-8"))
            except UnicodeDecodeError:
                errors.append("file: save the file as UTF-8 text")
            except catalogs.CatalogFileError as exc:
                errors.extend(exc.errors)
        if (
            data is not None
            and ThemeCatalog.objects.filter(
                organisation=actor.organisation, key=data["key"], version=data.get("version") or 1
            ).exists()
        ):
            errors.append(_version_taken(data))
    if form.is_valid() and not errors:
        try:
            catalog = catalogs.catalog_import(organisation=actor.organisation, data=data)
        except IntegrityError:
            # The same file imported at the same moment (a double click, two tabs): the
            # constraint lets one through, and this one is told why it was not.
            errors.append(_version_taken(data))
        else:
            messages.success(request, f"{catalog} is imported.")
            return redirect("catalog_detail", pk=catalog.pk)
    messages.error(request, "Nothing was imported: fix the file and try again.")
    return render(
        request,
        "catalogs/list.html",
        {
            "catalogs": profile_selectors.catalogs_of(actor.organisation),
            "import_form": form,
            "import_errors": errors,
        },
        status=400,
    )


def _version_taken(data: dict) -> str:
    version = data.get("version") or 1
    return (
        f"version: {data['key']} version {version} exists already; "
        "raise the version number in the file"
    )
