"""Forms for editing a motivation profile and uploading its attachments.

The edit page is one form made of three parts (the profile's own fields, the ranked themes and
the stories). `ProfileEditForms` validates all three, including the rules that span them, so
the service is only called once everything is right: on any error nothing is saved."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count
from django.template.defaultfilters import filesizeformat

from flowcoach.lib.text import TextPolicyMixin

from .models import (
    Client,
    MotivationProfile,
    ProfileAttachment,
    Theme,
    ThemeCatalog,
    Visibility,
)
from .profile_selectors import FIELD_LABELS


def visibility_choices(client: Client) -> list[tuple[str, str]]:
    return [
        (Visibility.COACH_ONLY, "Only you"),
        (Visibility.SHARED, f"Shared with {client.first_name}"),
    ]


class ProfileForm(TextPolicyMixin, forms.ModelForm):
    class Meta:
        model = MotivationProfile
        fields = [
            "catalog",
            "assessment_date",
            "themes_visibility",
            *[
                name
                for field in MotivationProfile.TEXT_FIELDS
                for name in (field, f"{field}_visibility")
            ],
        ]
        widgets = {
            "assessment_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{field: forms.Textarea(attrs={"rows": 3}) for field in MotivationProfile.TEXT_FIELDS},
        }
        labels = {
            "catalog": "Theme catalog",
            "assessment_date": "Assessment date",
            "themes_visibility": "Who sees the ranked themes",
            **FIELD_LABELS,
            **{f"{f}_visibility": f"Who sees the {FIELD_LABELS[f].lower()}" for f in FIELD_LABELS},
        }

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["catalog"].queryset = ThemeCatalog.objects.filter(
            organisation=client.organisation
        ).order_by("name", "-version")
        self.fields["catalog"].empty_label = "Choose a catalog"
        for name, field in self.fields.items():
            if name.endswith("_visibility"):
                field.choices = visibility_choices(client)


class RankedThemeForm(TextPolicyMixin, forms.Form):
    theme = forms.ModelChoiceField(
        queryset=Theme.objects.none(),
        label="Theme",
        required=False,
        error_messages={
            "invalid_choice": "That theme is not in your organisation's catalogs.",
        },
    )
    # A theme the catalog lacks is proposed right here and added to the catalog on save, so
    # a coach never has to leave the page (or save twice) to rank it.
    new_theme = forms.CharField(
        label="Or a theme not in the list yet",
        max_length=80,
        required=False,
        help_text="Saved to the catalog too, for every coach here.",
    )
    score = forms.DecimalField(
        label="Score (0 to 10)",
        max_digits=3,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("0"), "Scores go from 0 to 10."),
            MaxValueValidator(Decimal("10"), "Scores go from 0 to 10."),
        ],
        error_messages={
            "required": "Give this theme a score from 0 to 10.",
            "invalid": "Write the score as a number, such as 8.5.",
            "max_decimal_places": "Use at most one decimal, such as 8.5.",
            "max_digits": "Scores go from 0 to 10.",
            "max_whole_digits": "Scores go from 0 to 10.",
        },
        widget=forms.NumberInput(attrs={"step": "0.1", "min": "0", "max": "10"}),
    )
    rank = forms.IntegerField(
        label="Rank",
        validators=[MinValueValidator(1, "Ranks start at 1.")],
        error_messages={
            "required": "Give this theme a rank.",
            "invalid": "Ranks are whole numbers.",
        },
        widget=forms.NumberInput(attrs={"min": "1"}),
    )

    def clean(self):
        """One of the two: a theme from the list or a new one's name."""
        data = super().clean()
        data["new_theme"] = " ".join((data.get("new_theme") or "").split())
        if data.get("theme") and data["new_theme"]:
            self.add_error("new_theme", "Choose from the list or name a new theme, not both.")
        elif not data.get("theme") and not data["new_theme"]:
            self.add_error("theme", "Choose a theme for this row, or name one not in the list.")
        return data


class BaseThemeFormSet(forms.BaseFormSet):
    def __init__(self, *args, organisation, catalog: ThemeCatalog | None, **kwargs):
        self.organisation = organisation
        self.catalog = catalog
        super().__init__(*args, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Any theme of the organisation parses, so a theme from the wrong catalog gets a
        # message naming it instead of a bare "invalid choice"; the list offers only the
        # catalog in use.
        field = form.fields["theme"]
        field.queryset = Theme.objects.filter(catalog__organisation=self.organisation)
        listed = (
            Theme.objects.filter(catalog=self.catalog).select_related("group")
            if self.catalog
            else []
        )
        field.choices = [("", "Choose a theme")] + [
            (t.pk, f"{t.name} ({t.group.name})" if t.group else t.name) for t in listed
        ]
        return form

    def rows(self) -> list[forms.Form]:
        """The rows that will be saved: filled in and not marked for removal."""
        return [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]

    def clean(self):
        if any(self.errors):
            return
        rows = self.rows()
        seen_themes: dict[int, int] = {}
        seen_ranks: dict[int, int] = {}
        for form in rows:
            theme, rank = form.cleaned_data["theme"], form.cleaned_data["rank"]
            key = theme.pk if theme else form.cleaned_data["new_theme"].lower()
            name = theme.name if theme else form.cleaned_data["new_theme"]
            if key in seen_themes:
                form.add_error(
                    "theme" if theme else "new_theme",
                    f"{name} is already ranked above; list it once.",
                )
            seen_themes[key] = rank
            if rank in seen_ranks:
                form.add_error("rank", f"Rank {rank} is used twice; each rank once.")
            seen_ranks[rank] = 1
        if any(self.errors):
            raise forms.ValidationError("Fix the marked theme rows.")
        expected = set(range(1, len(rows) + 1))
        if set(seen_ranks) != expected:
            for form in rows:
                if form.cleaned_data["rank"] not in expected:
                    form.add_error(
                        "rank",
                        f"Ranks go 1 to {len(rows)} without gaps; "
                        f"{form.cleaned_data['rank']} leaves a gap.",
                    )
            raise forms.ValidationError(f"Number the themes 1 to {len(rows)}, without gaps.")

    def check_catalog(self, catalog: ThemeCatalog | None) -> bool:
        """Every ranked theme must come from the profile's catalog. Returns False on error."""
        ok = True
        for form in self.rows():
            theme = form.cleaned_data["theme"]
            if theme is None and catalog is not None:
                # A proposed name the catalog already has is simply that theme.
                theme = Theme.objects.filter(
                    catalog=catalog, name__iexact=form.cleaned_data["new_theme"]
                ).first()
                form.cleaned_data["theme"] = theme
                continue
            if catalog is not None and theme.catalog_id != catalog.pk:
                form.add_error(
                    "theme",
                    f"{theme.name} is not in {catalog.name}. Choose a theme from that "
                    "catalog, or add it to the catalog first.",
                )
                ok = False
        return ok


ThemeFormSet = forms.formset_factory(
    RankedThemeForm, formset=BaseThemeFormSet, extra=3, can_delete=True
)


class StoryForm(TextPolicyMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(
        label="Title",
        max_length=150,
        error_messages={"required": "Give the story a short title."},
    )
    trigger = forms.CharField(
        label="Trigger: what set it off",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add the trigger: what set the story off."},
    )
    process = forms.CharField(
        label="Process: how they went about it",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add the process: how they went about it."},
    )
    outcome = forms.CharField(
        label="Outcome: what satisfied them",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Add the outcome: what satisfied them."},
    )
    visibility = forms.ChoiceField(label="Who sees this story", initial=Visibility.COACH_ONLY)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = visibility_choices(client)


MIN_STORIES = 3


class BaseStoryFormSet(forms.BaseFormSet):
    def rows(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.cleaned_data and not (self.can_delete and self._should_delete_form(form))
        ]

    # Fewer than MIN_STORIES is allowed on purpose: a coach often types a profile in over
    # several sittings, and refusing to save would lose their work. The profile page asks
    # for the missing stories instead.


StoryFormSet = forms.formset_factory(StoryForm, formset=BaseStoryFormSet, extra=1, can_delete=True)


class ProfileEditForms:
    """The whole edit page: profile fields, ranked themes and stories, validated together."""

    def __init__(self, *, client: Client, profile: MotivationProfile, data=None):
        self.client = client
        self.profile = profile
        self.form = ProfileForm(data, instance=profile, client=client, prefix="profile")
        catalog = profile.catalog
        if catalog is None and data is None:
            # A fresh profile starts on the organisation's first catalog, so the theme lists
            # are usable at once instead of after a first save.
            catalog = (
                self.form.fields["catalog"]
                .queryset.annotate(theme_count=Count("themes"))
                .order_by("-theme_count", "name")
                .first()
            )
            self.form.initial["catalog"] = catalog.pk if catalog else None
        if data is not None:
            # The theme list follows the catalog chosen in this submission.
            chosen = data.get("profile-catalog")
            if chosen and str(chosen).isdigit():
                catalog = self.form.fields["catalog"].queryset.filter(pk=chosen).first()
            else:
                catalog = None
        themes_initial = [
            {"theme": rt.theme_id, "score": rt.score, "rank": rt.rank}
            for rt in profile.ranked_themes.all()
        ]
        # A submission carries every row, so saved values are only the starting point of an
        # unbound page; bound rows are then judged blank by their own content alone.
        self.themes = ThemeFormSet(
            data,
            initial=themes_initial if data is None else None,
            prefix="themes",
            organisation=client.organisation,
            catalog=catalog,
        )
        stories = list(profile.stories.all())
        stories_initial = [
            {
                "id": s.pk,
                "title": s.title,
                "trigger": s.trigger,
                "process": s.process,
                "outcome": s.outcome,
                "visibility": s.visibility,
            }
            for s in stories
        ]
        self.stories = StoryFormSet(
            data,
            initial=stories_initial if data is None else None,
            prefix="stories",
            form_kwargs={"client": client},
        )
        if data is None:
            # Always offer enough empty rows to reach three stories.
            self.stories.extra = max(1, MIN_STORIES - len(stories))

    def is_valid(self) -> bool:
        valid = self.form.is_valid()
        valid = self.themes.is_valid() and valid
        valid = self.stories.is_valid() and valid
        # The catalog checks need only the catalog and the themes: run them even when another
        # field is wrong, so one save shows every problem instead of revealing one per save.
        if "catalog" not in self.form.errors and self.themes.is_valid():
            catalog = self.form.cleaned_data.get("catalog")
            if self.themes.rows() and catalog is None:
                self.form.add_error("catalog", "Choose the catalog these themes come from.")
                valid = False
            valid = self.themes.check_catalog(catalog) and valid
        return valid

    def cleaned(self) -> dict:
        fields = dict(self.form.cleaned_data)
        themes = [
            {k: f.cleaned_data[k] for k in ("theme", "new_theme", "score", "rank")}
            for f in self.themes.rows()
        ]
        stories = [
            {
                k: f.cleaned_data[k]
                for k in ("id", "title", "trigger", "process", "outcome", "visibility")
            }
            for f in self.stories.rows()
        ]
        return {"fields": fields, "themes": themes, "stories": stories}


# --- Attachments ---------------------------------------------------------------------------

# Extension → (content type, signature check). The content type we store and serve comes
# from here, never from the browser, and the bytes must match the extension.
FILE_TYPES = {
    ".pdf": ("application/pdf", lambda head: head.startswith(b"%PDF-")),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        lambda head: head.startswith(b"PK\x03\x04"),
    ),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        lambda head: head.startswith(b"PK\x03\x04"),
    ),
    ".png": ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ".jpg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ".jpeg": ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
}
ALLOWED_BY_KIND = {
    ProfileAttachment.Kind.REPORT: (".pdf",),
    ProfileAttachment.Kind.HANDOUT: (".pdf", ".docx", ".pptx", ".png", ".jpg", ".jpeg"),
    ProfileAttachment.Kind.OTHER: (".pdf", ".docx", ".pptx", ".png", ".jpg", ".jpeg"),
}


class AttachmentUploadForm(TextPolicyMixin, forms.Form):
    kind = forms.ChoiceField(label="What is it", choices=ProfileAttachment.Kind.choices)
    file = forms.FileField(
        label="File",
        help_text="Assessment reports as PDF; handouts as PDF, Word, PowerPoint, PNG or JPEG.",
        error_messages={
            "required": "Choose a file to upload.",
            "empty": "That file is empty.",
        },
    )
    visibility = forms.ChoiceField(label="Who sees it", initial=Visibility.COACH_ONLY)

    def __init__(self, *args, client: Client, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = visibility_choices(client)

    def clean(self):
        cleaned = super().clean()
        upload, kind = cleaned.get("file"), cleaned.get("kind")
        if upload is None or kind is None:
            return cleaned
        limit = settings.FLOWCOACH_MAX_ATTACHMENT_BYTES
        if upload.size > limit:
            self.add_error(
                "file",
                f"That file is {filesizeformat(upload.size)}; the limit is "
                f"{filesizeformat(limit)}.",
            )
            return cleaned
        name = upload.name or ""
        extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
        allowed = ALLOWED_BY_KIND[kind]
        if extension not in allowed:
            if kind == ProfileAttachment.Kind.REPORT:
                message = "The assessment report must be a PDF file."
            else:
                message = "Attach a PDF, Word (.docx), PowerPoint (.pptx), PNG or JPEG file."
            self.add_error("file", message)
            return cleaned
        content_type, looks_right = FILE_TYPES[extension]
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        if not looks_right(head):
            self.add_error(
                "file",
                f"This file's content is not a real {extension.lstrip('.').upper()}; "
                "it may be damaged or renamed.",
            )
            return cleaned
        cleaned["content_type"] = content_type
        return cleaned


class AttachmentVisibilityForm(TextPolicyMixin, forms.Form):
    visibility = forms.ChoiceField(choices=Visibility.choices)
