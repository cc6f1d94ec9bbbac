import zoneinfo
from collections import Counter
from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone

from flowcoach.lib.text import TextPolicyMixin
from flowcoach.lib.timezones import time_zone_choices
from flowcoach.programs.models import Program

from .models import CoachingSession, Engagement


class ProgramChoiceField(forms.ModelChoiceField):
    """Programs by title; two that share one (the same file imported twice) also show their
    slug and who they come from, so the coach can tell them apart."""

    def label_from_instance(self, program: Program) -> str:
        titles = getattr(self, "_titles", None)
        if titles is None:
            titles = self._titles = Counter(p.title.casefold() for p in self.queryset)
        if titles[program.title.casefold()] < 2:
            return program.title
        origin = "built-in" if program.organisation_id is None else "your organisation"
        return f"{program.title} ({program.slug}, {origin})"


class EnrolForm(TextPolicyMixin, forms.Form):
    program = ProgramChoiceField(queryset=Program.objects.none(), empty_label=None)
    cadence = forms.ChoiceField(
        label="Schedule",
        # "Not scheduled yet" suits a session; for the choice, say what it means.
        choices=[
            (Engagement.Cadence.NONE, "Book sessions one at a time"),
            (Engagement.Cadence.WEEKLY, Engagement.Cadence.WEEKLY.label),
            (Engagement.Cadence.FORTNIGHTLY, Engagement.Cadence.FORTNIGHTLY.label),
        ],
        initial=Engagement.Cadence.NONE,
        help_text="Plan every session now on a rhythm, or schedule them one by one later.",
    )
    first_session = forms.DateTimeField(
        label="First session",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="In the time zone below.",
    )
    time_zone = forms.ChoiceField(choices=time_zone_choices)
    video_link = forms.URLField(
        label="Video call link",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Set it once here if you always meet on the same link: every session starts "
        "with it.",
    )
    address = forms.CharField(label="Address", required=False, max_length=255)
    phone = forms.CharField(label="Phone number", required=False, max_length=40)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = Program.objects.filter(
            Q(organisation=None) | Q(organisation=organisation),
            status=Program.Status.PUBLISHED,
        ).order_by("title")

    def clean(self):
        data = super().clean()
        if data.get("cadence") not in (None, Engagement.Cadence.NONE) and not data.get(
            "first_session"
        ):
            self.add_error("first_session", "Pick the date and time of the first session.")
        return data


class ScheduleForm(TextPolicyMixin, forms.Form):
    """Date and time as the coach reads them in the chosen zone (the client's by default)."""

    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H:%M:%S"],
    )
    time_zone = forms.ChoiceField(
        label="Time zone", choices=time_zone_choices, help_text="The date and time above are in it."
    )
    duration_minutes = forms.IntegerField(label="Length in minutes", min_value=5, max_value=480)
    video_link = forms.URLField(
        label="Video call link", required=False, max_length=500, assume_scheme="https"
    )
    address = forms.CharField(label="Address", required=False, max_length=255)
    phone = forms.CharField(label="Phone number", required=False, max_length=40)

    def clean(self):
        data = super().clean()
        if not any(data.get(name) for name in ("video_link", "address", "phone")):
            raise forms.ValidationError(
                "Add where you meet: a video link, an address or a phone number."
            )
        return data

    def starts_local(self) -> datetime:
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])


class CancelForm(TextPolicyMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="The client sees this in the cancellation email.",
    )


class MarkForm(TextPolicyMixin, forms.Form):
    status = forms.ChoiceField(
        choices=[
            (CoachingSession.Status.HELD, "Held"),
            (CoachingSession.Status.NO_SHOW, "No-show"),
            (CoachingSession.Status.CANCELLED_LATE, "Cancelled late"),
        ]
    )


class RescheduleRequestForm(TextPolicyMixin, forms.Form):
    """Up to three times the client could do instead, in their own zone."""

    first = forms.DateTimeField(
        label="A time that suits you",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    second = forms.DateTimeField(
        label="Another time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    third = forms.DateTimeField(
        label="One more time",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    message = forms.CharField(
        label="A note for your coach",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        for name in ("first", "second", "third"):
            self.fields[name].help_text = f"In your time zone, {time_zone}."

    def clean(self):
        data = super().clean()
        now = timezone.now()
        for name in ("first", "second", "third"):
            value = data.get(name)
            if (
                value
                and value.replace(tzinfo=None).replace(tzinfo=zoneinfo.ZoneInfo(self.time_zone))
                <= now
            ):
                self.add_error(name, "That time has already passed. Pick one still to come.")
        return data

    def proposed(self) -> list[datetime]:
        zone = zoneinfo.ZoneInfo(self.time_zone)
        times = []
        for name in ("first", "second", "third"):
            value = self.cleaned_data.get(name)
            if value:
                times.append(value.replace(tzinfo=None).replace(tzinfo=zone))
        return times


class ClientCancelForm(TextPolicyMixin, forms.Form):
    message = forms.CharField(
        label="A note for your coach",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NudgeSettingForm(TextPolicyMixin, forms.Form):
    weekly_digest = forms.BooleanField(label="Email me this list once a week", required=False)


OTHER_TOPIC = "__other__"


class OpenTopicForm(TextPolicyMixin, forms.Form):
    """An open session's topic: one of the candidates collected in earlier sessions, one the
    coach types, or none yet."""

    topic = forms.ChoiceField(label="Topic", widget=forms.RadioSelect, required=False)
    other = forms.CharField(label="Another topic", required=False, max_length=200)

    def __init__(self, *args, candidates: list[dict], current: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        texts = [c["text"] for c in candidates]
        choices = []
        for candidate in candidates:
            label = f"{candidate['text']} (from {candidate['from']})"
            if candidate["chosen_for"]:
                label += f", already the topic of {candidate['chosen_for']}"
            choices.append((candidate["text"], label))
        choices += [(OTHER_TOPIC, "Another topic, typed below"), ("", "Not chosen yet")]
        self.fields["topic"].choices = choices
        if current and current not in texts:
            self.initial.setdefault("topic", OTHER_TOPIC)
            self.initial.setdefault("other", current)
        else:
            self.initial.setdefault("topic", current)

    def clean(self):
        data = super().clean()
        choice, other = data.get("topic") or "", " ".join((data.get("other") or "").split())
        if choice == OTHER_TOPIC:
            if not other:
                self.add_error("other", "Type the topic, or pick one of those above.")
            data["chosen"] = other
        elif choice and other and other != choice:
            self.add_error("other", "Pick one of the topics above or type your own, not both.")
        else:
            # Typing a topic without picking "another topic" first still means that topic.
            data["chosen"] = choice or other
        return data
