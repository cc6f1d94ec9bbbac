from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from flowcoach.accounts.models import Organisation
from flowcoach.lib.timezones import time_zone_choices


class Visibility(models.TextChoices):
    COACH_ONLY = "coach_only", "Only you"
    SHARED = "shared_with_client", "Shared with the client"


def visibility_field(default: str) -> models.CharField:
    return models.CharField(max_length=20, choices=Visibility.choices, default=default)


class Client(models.Model):
    """A salesperson being coached. Belongs to exactly one coach at a time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clients")
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="coached_clients"
    )
    # Set once the client accepts an invitation and has their own sign-in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_records",
    )
    full_name = models.CharField(max_length=150)
    email = models.EmailField()
    company = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    time_zone = models.CharField(max_length=64, choices=time_zone_choices, default="UTC")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("email"), name="client_email_unique_per_org"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "coach", "archived_at"]),
            models.Index(fields=["organisation", "full_name"]),
        ]
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def first_name(self) -> str:
        return self.full_name.split(" ")[0]

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class ThemeCatalog(models.Model):
    """A published list of motivation themes, as data. Profiles point at one exact version."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="theme_catalogs"
    )
    key = models.SlugField(max_length=60, help_text="Stable name shared by all versions.")
    version = models.PositiveIntegerField(default=1)
    name = models.CharField(max_length=150)
    group_label = models.CharField(
        max_length=40, default="family", help_text="What the catalog calls its groups."
    )
    top_count = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    description = models.TextField(blank=True)
    source = models.CharField(max_length=255, blank=True)
    is_archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key", "version"], name="catalog_version_unique"
            )
        ]
        ordering = ["name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class ThemeGroup(models.Model):
    """A family (book model) or dimension (current report) of themes."""

    catalog = models.ForeignKey(ThemeCatalog, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=80)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["catalog", "name"], name="group_unique_in_catalog")
        ]
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Theme(models.Model):
    catalog = models.ForeignKey(ThemeCatalog, on_delete=models.CASCADE, related_name="themes")
    group = models.ForeignKey(
        ThemeGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="themes"
    )
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("catalog", Lower("name"), name="theme_unique_in_catalog")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MotivationProfile(models.Model):
    """What the coach keeps of a client's motivation code. Each text field carries its own
    visibility, and every one starts "Only you": private until the coach shares it (the
    profile page shares the ones a client reviews before S1 in one step)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="profile")
    catalog = models.ForeignKey(
        ThemeCatalog, on_delete=models.PROTECT, null=True, blank=True, related_name="profiles"
    )
    assessment_date = models.DateField(null=True, blank=True)
    themes_visibility = visibility_field(Visibility.COACH_ONLY)
    motivational_flow = models.TextField(blank=True)
    motivational_flow_visibility = visibility_field(Visibility.COACH_ONLY)
    shadow_side = models.TextField(blank=True)
    shadow_side_visibility = visibility_field(Visibility.COACH_ONLY)
    blind_spots = models.TextField(blank=True)
    blind_spots_visibility = visibility_field(Visibility.COACH_ONLY)
    foundations_notes = models.TextField(blank=True)
    foundations_notes_visibility = visibility_field(Visibility.COACH_ONLY)
    personal_goals = models.TextField(blank=True)
    personal_goals_visibility = visibility_field(Visibility.COACH_ONLY)
    identity_notes = models.TextField(blank=True)
    identity_notes_visibility = visibility_field(Visibility.COACH_ONLY)
    updated_at = models.DateTimeField(auto_now=True)

    TEXT_FIELDS = (
        "motivational_flow",
        "shadow_side",
        "blind_spots",
        "foundations_notes",
        "personal_goals",
        "identity_notes",
    )

    def __str__(self) -> str:
        return f"Profile of {self.client}"


class RankedTheme(models.Model):
    profile = models.ForeignKey(
        MotivationProfile, on_delete=models.CASCADE, related_name="ranked_themes"
    )
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="rankings")
    rank = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    score = models.DecimalField(
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "theme"], name="ranked_theme_once"),
            models.UniqueConstraint(fields=["profile", "rank"], name="ranked_theme_rank_once"),
        ]
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"{self.rank}. {self.theme} ({self.score})"


class AchievementStory(models.Model):
    profile = models.ForeignKey(MotivationProfile, on_delete=models.CASCADE, related_name="stories")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=150)
    trigger = models.TextField()
    process = models.TextField()
    outcome = models.TextField()
    visibility = visibility_field(Visibility.COACH_ONLY)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "achievement stories"

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: ProfileAttachment, filename: str) -> str:
    # A random name on disk: the original name is kept in the row, never trusted as a path.
    return f"profiles/{instance.profile.client.organisation_id}/{uuid.uuid4().hex}"


class ProfileAttachment(models.Model):
    class Kind(models.TextChoices):
        REPORT = "assessment_report", "Assessment report"
        HANDOUT = "handout", "Handout"
        OTHER = "other", "Other"

    profile = models.ForeignKey(
        MotivationProfile, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REPORT)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    visibility = visibility_field(Visibility.COACH_ONLY)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
