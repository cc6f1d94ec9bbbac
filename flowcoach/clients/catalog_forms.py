"""Forms for editing theme catalogs. Names are unique per catalog ignoring case, as the
database constraint says; the forms say so in words before the database would."""

from __future__ import annotations

from django import forms

from flowcoach.lib.text import TextPolicyMixin

from .models import Theme, ThemeCatalog, ThemeGroup


class ThemeAddForm(TextPolicyMixin, forms.Form):
    name = forms.CharField(
        label="Theme name",
        max_length=80,
        error_messages={"required": "Write the theme's name as the report gives it."},
    )
    group = forms.ModelChoiceField(
        queryset=ThemeGroup.objects.none(), label="Group", required=False
    )

    def __init__(self, *args, catalog: ThemeCatalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.fields["group"].queryset = ThemeGroup.objects.filter(catalog=catalog)
        self.fields["group"].label = catalog.group_label.capitalize()
        self.fields["group"].empty_label = "No group"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if Theme.objects.filter(catalog=self.catalog, name__iexact=name).exists():
            raise forms.ValidationError(f"{self.catalog.name} already has {name}.")
        return name


class ThemeRenameForm(TextPolicyMixin, forms.Form):
    name = forms.CharField(
        label="New name",
        max_length=80,
        error_messages={"required": "Write the new name."},
    )

    def __init__(self, *args, theme: Theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme = theme

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Theme.objects.filter(catalog=self.theme.catalog_id, name__iexact=name).exclude(
            pk=self.theme.pk
        )
        if clash.exists():
            raise forms.ValidationError(f"The catalog already has {name}.")
        return name


class GroupAddForm(TextPolicyMixin, forms.Form):
    name = forms.CharField(
        label="Group name",
        max_length=80,
        error_messages={"required": "Write the group's name."},
    )

    def __init__(self, *args, catalog: ThemeCatalog, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = catalog
        self.fields["name"].label = f"New {catalog.group_label}"

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if ThemeGroup.objects.filter(catalog=self.catalog, name__iexact=name).exists():
            raise forms.ValidationError(
                f"The catalog already has a {self.catalog.group_label} called {name}."
            )
        return name


class CatalogImportForm(TextPolicyMixin, forms.Form):
    file = forms.FileField(
        label="Catalog file (YAML)",
        help_text="The same format as an exported catalog.",
        error_messages={"required": "Choose a catalog file.", "empty": "That file is empty."},
    )

    MAX_BYTES = 256 * 1024
