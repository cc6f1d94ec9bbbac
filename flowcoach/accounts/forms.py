import json
import zoneinfo
from datetime import datetime, time, timedelta

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from django import forms
from django.contrib.auth import password_validation

from flowcoach.lib.text import TextPolicyMixin
from flowcoach.lib.timezones import aliases, time_zone_choices

from .models import AuditAction, Organisation, Role, User


class PasswordPairMixin(TextPolicyMixin, forms.Form):
    password1 = forms.CharField(label="Password", widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label="Password again", widget=forms.PasswordInput, strip=False)

    def clean_password2(self):
        p1, p2 = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError("The two passwords differ. Type the same one twice.")
        return p2

    def _post_clean(self):
        super()._post_clean()
        password = self.cleaned_data.get("password2")
        if password:
            probe = User(
                email=self.cleaned_data.get("email") or getattr(self, "known_email", ""),
                full_name=self.cleaned_data.get("full_name", ""),
            )
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)


class SetupForm(PasswordPairMixin):
    field_order = [
        "organisation_name",
        "full_name",
        "email",
        "time_zone",
        "also_coach",
        "password1",
        "password2",
    ]

    organisation_name = forms.CharField(
        max_length=150, help_text="Your practice or your sales team, as people know it."
    )
    full_name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(label="Your email")
    # The page moves it to the browser's own zone (static/js/local-zone.js).
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        initial="UTC",
        widget=forms.Select(attrs={"data-local-zone": "UTC"}),
        help_text="Yours, for times on your pages; the organisation starts with it too.",
    )
    also_coach = forms.BooleanField(
        label="I coach clients myself too",
        required=False,
        initial=True,
        help_text="Leave this on if you run your own practice; you can invite other coaches later.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Browsers still report some zones by old names (Chrome: Asia/Calcutta), which no
        # choice carries; the page looks the current name up here.
        self.fields["time_zone"].widget.attrs["data-zone-aliases"] = json.dumps(aliases())


class AcceptInvitationForm(PasswordPairMixin):
    # In the order the page's sentence names them.
    field_order = ["full_name", "time_zone", "password1", "password2"]

    full_name = forms.CharField(label="Your name", max_length=150)
    time_zone = forms.ChoiceField(choices=time_zone_choices, initial="UTC")

    def __init__(self, *args, email: str, **kwargs):
        self.known_email = email
        super().__init__(*args, **kwargs)


class InvitationForm(TextPolicyMixin, forms.Form):
    full_name = forms.CharField(label="Name", max_length=150, required=False)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices)

    def __init__(self, *args, roles: list[str], organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]

    def clean(self):
        data = super().clean()
        email, role = data.get("email"), data.get("role")
        if (
            email
            and role
            and self.organisation.memberships.filter(
                user__email__iexact=email, role=role, is_active=True
            ).exists()
        ):
            self.add_error("email", "This person already has that role here.")
        return data


class OrganisationSettingsForm(TextPolicyMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "time_zone", "sending_email", "require_mfa"]


class PersonalSettingsForm(TextPolicyMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "time_zone"]
        labels = {"full_name": "Your name"}


class RequestLoginCodeForm(TextPolicyMixin, AllauthRequestLoginCodeForm):
    """Asking for a sign-in code also works for an invited address not yet accepted: its
    account is made then (see services.invitation_account_for_code)."""

    def clean_email(self) -> str:
        from . import services

        email = super().clean_email()
        if email and getattr(self, "_user", None) is None:
            self._user = services.invitation_account_for_code(email=email)
        return email


class AuditFilterForm(TextPolicyMixin, forms.Form):
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AuditAction.choices]
    )
    actor = forms.TypedChoiceField(label="Done by", required=False, coerce=int, empty_value=None)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actors: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].choices = [("", "Anyone")] + [
            (user.pk, user.full_name) for user in actors
        ]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "Choose a day on or after the first one.")
        return data

    def cleaned_filters(self, viewer: User) -> dict:
        """Days are the viewer's own: "until 6 December" includes all of that day there."""
        zone = zoneinfo.ZoneInfo(viewer.time_zone or "UTC")
        data, filters = self.cleaned_data, {}
        if data.get("action"):
            filters["action"] = data["action"]
        if data.get("actor"):
            filters["actor_id"] = data["actor"]
        if data.get("since"):
            filters["since"] = datetime.combine(data["since"], time.min, zone)
        if data.get("until"):
            filters["until"] = datetime.combine(data["until"] + timedelta(days=1), time.min, zone)
        return filters


class RetentionForm(TextPolicyMixin, forms.Form):
    """One field per kind of content the apps registered: days to keep after an engagement
    ends, or blank to keep it until someone deletes it."""

    def __init__(self, *args, kinds, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        from .retention import MAX_DAYS, MIN_DAYS

        for kind in kinds:
            self.fields[kind.key] = forms.IntegerField(
                label=f"{kind.label}: days to keep after an engagement ends",
                required=False,
                min_value=MIN_DAYS,
                max_value=MAX_DAYS,
                initial=current.get(kind.key),
                help_text="Leave empty to keep them until you delete them.",
            )

    def settings(self) -> dict[str, int]:
        return {key: days for key, days in self.cleaned_data.items() if days}
