"""What a coach types into the outbox, checked before any write."""

from __future__ import annotations

import uuid

from django import forms

from flowcoach.lib.text import TextPolicyMixin

from .models import ESSENTIAL_KINDS, SYSTEM_KINDS, Kind


class MessageEditForm(TextPolicyMixin, forms.Form):
    subject = forms.CharField(
        max_length=300, error_messages={"required": "Give the message a subject."}
    )
    text_body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 12}),
        strip=False,
        error_messages={"required": "Write a few words before saving."},
    )

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise forms.ValidationError("Give the message a subject.")
        return subject

    def clean_text_body(self) -> str:
        text = self.cleaned_data["text_body"]
        if not text.strip():
            raise forms.ValidationError("Write a few words before saving.")
        return text


class OneOffForm(MessageEditForm):
    to_name = forms.CharField(label="Their name", max_length=150, required=False)
    to_email = forms.EmailField(
        label="Their email address",
        error_messages={
            "required": "Who is it for? Add their email address.",
            "invalid": "That email address does not look right.",
        },
    )
    # One key per form, so pressing Send twice (or a retried request) makes one message.
    key = forms.CharField(widget=forms.HiddenInput)

    field_order = ["to_name", "to_email", "subject", "text_body", "key"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex

    def clean_key(self) -> str:
        key = self.cleaned_data["key"]
        try:
            return uuid.UUID(key).hex
        except ValueError:
            raise forms.ValidationError("Please reload the page and try again.") from None


class EmailSettingsForm(TextPolicyMixin, forms.Form):
    auto_approve_kinds = forms.MultipleChoiceField(
        label="Send these without a coach's approval",
        choices=[
            (kind.value, kind.label)
            for kind in Kind
            if kind != Kind.ONE_OFF and kind not in (*ESSENTIAL_KINDS, *SYSTEM_KINDS)
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Everything else waits in the coach's outbox until they approve it. "
        "Invitations to join are essential and always go at once.",
    )
