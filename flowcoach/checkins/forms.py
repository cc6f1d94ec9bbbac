"""The check-in form and the client's commitment forms. Labels speak to the client."""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from flowcoach.coaching.models import Commitment
from flowcoach.lib.text import TextPolicyMixin

from .models import WEEKDAYS
from .selectors import CLIENT_STATE_CHOICES, QUESTIONS

ANSWER_LENGTH = 2000


def _scale(low: int, high: int) -> list[tuple[int, str]]:
    return [(n, str(n)) for n in range(low, high + 1)]


class CheckinForm(TextPolicyMixin, forms.Form):
    more = forms.CharField(
        label=QUESTIONS[0][1], required=False, max_length=ANSWER_LENGTH, widget=forms.Textarea
    )
    better = forms.CharField(
        label=QUESTIONS[1][1], required=False, max_length=ANSWER_LENGTH, widget=forms.Textarea
    )
    different = forms.CharField(
        label=QUESTIONS[2][1], required=False, max_length=ANSWER_LENGTH, widget=forms.Textarea
    )
    commit = forms.MultipleChoiceField(
        required=False, choices=[(word, word) for word, _ in QUESTIONS]
    )
    energy = forms.TypedChoiceField(
        label="Your energy this week",
        choices=_scale(1, 10),
        coerce=int,
        error_messages={"required": "Choose your energy this week, from 1 to 10."},
    )
    identity_rating = forms.TypedChoiceField(
        label="Who you are, as a person",
        choices=_scale(0, 10),
        coerce=int,
        required=False,
        empty_value=None,
    )
    role_rating = forms.TypedChoiceField(
        label="How you did in your role",
        choices=_scale(0, 10),
        coerce=int,
        required=False,
        empty_value=None,
    )
    note = forms.CharField(
        label="Anything else for your coach",
        required=False,
        max_length=ANSWER_LENGTH,
        widget=forms.Textarea,
    )

    def clean(self):
        data = super().clean()
        if not any((data.get(word) or "").strip() for word, _ in QUESTIONS):
            self.add_error("more", "Answer at least one of the three questions.")
        for word in data.get("commit") or []:
            if not (data.get(word) or "").strip():
                self.add_error(word, "Write this answer before committing to it.")
        return data


class CommitmentUpdateForm(TextPolicyMixin, forms.Form):
    form_id = forms.UUIDField(widget=forms.HiddenInput)
    state = forms.ChoiceField(label="How is it going?", choices=CLIENT_STATE_CHOICES)
    comment = forms.CharField(label="A word about it", required=False, max_length=1000)

    def __init__(self, *args, commitment: Commitment | None = None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_id", uuid.uuid4())
        if commitment is not None:
            kwargs["initial"].setdefault("state", commitment.state)
            kwargs.setdefault("prefix", f"u-{commitment.uuid}")
        super().__init__(*args, **kwargs)


class ProgressLogForm(TextPolicyMixin, forms.Form):
    form_id = forms.UUIDField(widget=forms.HiddenInput)
    day = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    text = forms.CharField(label="What you did", max_length=280)

    def __init__(self, *args, commitment: Commitment | None = None, today=None, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("form_id", uuid.uuid4())
        kwargs["initial"].setdefault("day", today or timezone.localdate())
        if commitment is not None:
            kwargs.setdefault("prefix", f"p-{commitment.uuid}")
        super().__init__(*args, **kwargs)


class ScheduleForm(TextPolicyMixin, forms.Form):
    enabled = forms.BooleanField(label="Send a weekly check-in", required=False)
    weekday = forms.TypedChoiceField(label="Day", choices=WEEKDAYS, coerce=int)
    local_time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )


class PreferenceForm(TextPolicyMixin, forms.Form):
    checkin_reminders = forms.BooleanField(
        label="Remind me when my weekly check-in is still open", required=False
    )
