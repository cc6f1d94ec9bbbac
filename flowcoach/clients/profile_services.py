"""Writes to motivation profiles and their attachments. Callers validate first (see
profile_forms.ProfileEditForms); each service writes in one transaction so a failure halfway
leaves the profile as it was."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from flowcoach.accounts.models import User

from .models import (
    AchievementStory,
    MotivationProfile,
    ProfileAttachment,
    RankedTheme,
    Theme,
    Visibility,
)

SHAREABLE = ("themes", "stories", *MotivationProfile.TEXT_FIELDS)


@transaction.atomic
def profile_update(
    *,
    profile: MotivationProfile,
    fields: dict,
    themes: list[dict],
    stories: list[dict],
) -> MotivationProfile:
    """Replace the profile's fields, ranked themes and stories with validated values.

    themes: dicts with theme, score, rank (ranks exactly 1..n, each theme once); a row whose
    theme is None names a `new_theme`, added to the profile's catalog first.
    stories: dicts with id (an existing story of this profile, or None), title, trigger,
    process, outcome, visibility; their order becomes the stories' order."""
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.save()

    # Ranked themes are rewritten whole: nothing refers to them, and swapping two ranks in
    # place would trip the unique (profile, rank) constraint midway.
    profile.ranked_themes.all().delete()
    for row in themes:
        if row.get("theme") is None:
            row["theme"] = Theme.objects.filter(
                catalog=profile.catalog, name__iexact=row["new_theme"]
            ).first() or Theme.objects.create(catalog=profile.catalog, name=row["new_theme"])
    RankedTheme.objects.bulk_create(
        RankedTheme(profile=profile, theme=row["theme"], rank=row["rank"], score=row["score"])
        for row in themes
    )

    # Stories keep their identity when edited, so later features can point at them.
    existing = {story.pk: story for story in profile.stories.all()}
    kept = set()
    for position, row in enumerate(stories):
        story = existing.get(row.get("id")) or AchievementStory(profile=profile)
        story.position = position
        for name in ("title", "trigger", "process", "outcome", "visibility"):
            setattr(story, name, row[name])
        story.save()
        kept.add(story.pk)
    profile.stories.exclude(pk__in=kept).delete()
    return profile


@transaction.atomic
def attachment_create(
    *,
    profile: MotivationProfile,
    upload: UploadedFile,
    kind: str,
    content_type: str,
    visibility: str,
    uploaded_by: User | None,
) -> ProfileAttachment:
    attachment = ProfileAttachment(
        profile=profile,
        kind=kind,
        original_name=upload.name[:255],
        content_type=content_type,
        size=upload.size,
        visibility=visibility,
        uploaded_by=uploaded_by,
    )
    # The file is written by save(); if the row then fails, remove the file so nothing
    # is left on disk without a row pointing at it.
    attachment.file.save(upload.name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


def attachment_delete(*, attachment: ProfileAttachment) -> None:
    storage, name = attachment.file.storage, attachment.file.name
    with transaction.atomic():
        attachment.delete()
        # Only after the row is really gone: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: storage.delete(name))


def attachment_set_visibility(*, attachment: ProfileAttachment, visibility: str) -> None:
    attachment.visibility = visibility
    attachment.save(update_fields=["visibility"])


@transaction.atomic
def profile_share(*, profile: MotivationProfile, parts: list[str]) -> list[str]:
    """Shares the named parts with the client in one step: "themes", "stories" (every story)
    or a text field's name. Returns the parts shared; unknown names are ignored."""
    chosen = [part for part in SHAREABLE if part in parts]
    fields = [f"{part}_visibility" for part in chosen if part != "stories"]
    for name in fields:
        setattr(profile, name, Visibility.SHARED)
    if fields:
        profile.save(update_fields=[*fields, "updated_at"])
    if "stories" in chosen:
        profile.stories.update(visibility=Visibility.SHARED)
    return chosen
