"""Forms for client records: what a coach or admin types, checked before any write."""

from __future__ import annotations

from django import forms

from flowcoach.accounts.actor import Actor
from flowcoach.lib.text import TextPolicyMixin

from . import csv_import, selectors, services
from .access import coach_choices_for
from .models import Client


class CoachChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.full_name} ({obj.email})"


class ClientForm(TextPolicyMixin, forms.ModelForm):
    """Contact details; on creation an admin also picks the coach."""

    class Meta:
        model = Client
        fields = ["full_name", "email", "company", "job_title", "phone", "time_zone"]
        labels = {"full_name": "Full name", "job_title": "Job title", "time_zone": "Time zone"}
        help_texts = {"time_zone": "Session times are shown to the client in this time zone."}

    def __init__(self, *args, actor: Actor, choose_coach: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        if not self.instance.pk:
            self.initial.setdefault("time_zone", actor.organisation.time_zone)
        if choose_coach:
            self.fields["coach"] = CoachChoiceField(
                queryset=coach_choices_for(actor),
                label="Coach",
                empty_label="Choose a coach",
                error_messages={"required": "Choose who will coach this client."},
            )
            self.order_fields(["coach"])
            coaches = list(self.fields["coach"].queryset[:2])
            # One coach to choose from (often the admin who coaches): choose them already.
            if len(coaches) == 1 or actor.user in coaches:
                self.initial.setdefault(
                    "coach", actor.user.pk if actor.user in coaches else coaches[0].pk
                )
        self.fields["full_name"].error_messages["required"] = "Please enter the client's name."
        self.fields["email"].error_messages["required"] = "Please enter an email address."

    def clean_full_name(self) -> str:
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError("Please enter the client's name.")
        return name

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if selectors.email_taken(
            organisation=self.actor.organisation, email=email, exclude_pk=self.instance.pk
        ):
            raise forms.ValidationError(services.DUPLICATE_EMAIL)
        return email

    def validate_unique(self) -> None:
        # The organisation is not a form field, so Django cannot check the per-organisation
        # email constraint here; clean_email does it with a friendlier message.
        pass

    def contact_details(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ReassignForm(TextPolicyMixin, forms.Form):
    coach = CoachChoiceField(
        queryset=None,
        label="New coach",
        empty_label="Choose a coach",
        error_messages={"required": "Choose the coach who takes over."},
    )

    def __init__(self, *args, actor: Actor, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = coach_choices_for(actor).exclude(pk=client.coach_id)


class DeleteForm(TextPolicyMixin, forms.Form):
    confirm_name = forms.CharField(
        label="Type the client's full name to confirm",
        max_length=150,
        error_messages={"required": "Type the client's full name to confirm."},
    )

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.fields["confirm_name"].help_text = f"Type {client.full_name} exactly as shown."

    def clean_confirm_name(self) -> str:
        typed = self.cleaned_data["confirm_name"].strip()
        if typed != self.client.full_name.strip():
            raise forms.ValidationError(
                "That doesn't match the client's name, so nothing was deleted. "
                "Check the spelling and capitals."
            )
        return typed


class ImportUploadForm(TextPolicyMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A .csv file saved as UTF-8, up to 2 MB and 2,000 clients.",
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "That file is empty. Choose a CSV file with at least one client.",
        },
    )

    def __init__(self, *args, actor: Actor, default_coach_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor.is_admin:
            coaches = coach_choices_for(actor)
            self.fields["default_coach"] = CoachChoiceField(
                queryset=coaches,
                required=False,
                label="Coach for rows without a coach_email",
                empty_label="No default: every row names its coach",
            )
            # An admin who coaches imports their own clients unless they choose otherwise,
            # so a file without coach_email works as the page describes.
            if default_coach_id is None and coaches.filter(pk=actor.user.pk).exists():
                default_coach_id = actor.user.pk
            self.fields["default_coach"].initial = default_coach_id

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > csv_import.MAX_BYTES:
            raise forms.ValidationError(
                "That file is larger than 2 MB. Split it into smaller files and import each."
            )
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(
                "That doesn't look like a CSV file. Save your spreadsheet as .csv and try again."
            )
        return upload
