"""Reads that shape motivation profiles for pages. Each read is a fixed number of queries,
whatever the number of themes, stories or attachments, because the profile page will sit
beside the live session runner and is rendered often."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from .models import (
    Client,
    MotivationProfile,
    RankedTheme,
    Theme,
    ThemeCatalog,
    ThemeGroup,
    Visibility,
)

# Labels for the coach's page and the client's portal; the portal speaks to the client.
FIELD_LABELS = {
    "motivational_flow": "Motivational flow",
    "shadow_side": "Shadow side",
    "blind_spots": "Blind spots",
    "foundations_notes": "Foundations notes",
    "personal_goals": "Personal goals",
    "identity_notes": "Identity notes",
}
PORTAL_LABELS = {
    "motivational_flow": "Your motivational flow",
    "shadow_side": "Your shadow side",
    "blind_spots": "Blind spots to watch",
    "foundations_notes": "What you took from foundations",
    "personal_goals": "Your personal goals",
    "identity_notes": "Who you are beyond the role",
}
FIELD_PROMPTS = {
    "motivational_flow": "How does trigger, process and outcome repeat across the stories?",
    "shadow_side": "Where can this drive cost the client influence, focus or energy?",
    "blind_spots": "Anything the client may not see in themselves yet?",
    "foundations_notes": "What did the client take from the foundations track?",
    "personal_goals": "What does the client want for life outside work?",
    "identity_notes": "Who is the client beyond the role?",
}


def _profile_queryset() -> QuerySet[MotivationProfile]:
    return MotivationProfile.objects.select_related("catalog").prefetch_related(
        Prefetch("ranked_themes", queryset=RankedTheme.objects.select_related("theme__group")),
        "stories",
        "attachments",
    )


def _ranked(profile: MotivationProfile) -> list[dict]:
    top_count = profile.catalog.top_count if profile.catalog else 3
    return [
        {
            "ranked": rt,
            "theme": rt.theme,
            "is_top": rt.rank <= top_count,
            # Width of the score bar as a whole percentage, for a CSS custom property.
            "percent": int(rt.score * 10),
        }
        for rt in profile.ranked_themes.all()
    ]


def profile_page(client: Client) -> dict:
    """Everything the coach's profile page shows. The profile row is created on first view
    so a new client's page offers prompts rather than an error."""
    profile = _profile_queryset().filter(client=client).first()
    if profile is None:
        MotivationProfile.objects.create(client=client)
        profile = _profile_queryset().get(client=client)
    fields = [
        {
            "name": name,
            "label": FIELD_LABELS[name],
            "text": getattr(profile, name),
            "visibility": getattr(profile, f"{name}_visibility"),
            "prompt": FIELD_PROMPTS[name],
        }
        for name in MotivationProfile.TEXT_FIELDS
    ]
    themes = _ranked(profile)
    stories = list(profile.stories.all())
    return {
        "profile": profile,
        "themes": themes,
        "top": [row for row in themes if row["is_top"]],
        "stories": stories,
        "fields": fields,
        "attachments": list(profile.attachments.all()),
        "private_parts": private_parts(profile, bool(themes), stories, fields),
    }


# What a client reviews before the first session: offered ticked in "share these".
REVIEWED_BEFORE_S1 = ("themes", "stories", "motivational_flow", "shadow_side")


def private_parts(profile: MotivationProfile, has_themes: bool, stories, fields) -> list[dict]:
    """The parts with content that only the coach sees, for the one-step "share these"."""
    parts = []
    if has_themes and profile.themes_visibility == Visibility.COACH_ONLY:
        parts.append({"name": "themes", "label": "Ranked themes"})
    private_stories = [s for s in stories if s.visibility == Visibility.COACH_ONLY]
    if private_stories:
        count = len(private_stories)
        parts.append(
            {"name": "stories", "label": f"{count} achievement stor{'y' if count == 1 else 'ies'}"}
        )
    parts += [
        {"name": field["name"], "label": field["label"]}
        for field in fields
        if field["text"].strip() and field["visibility"] == Visibility.COACH_ONLY
    ]
    for part in parts:
        part["suggested"] = part["name"] in REVIEWED_BEFORE_S1
    return parts


def shared_profile(client: Client) -> dict | None:
    """Only what the coach shared with the client: coach-only fields never leave here."""
    profile = _profile_queryset().filter(client=client).first()
    if profile is None:
        return None
    shared = Visibility.SHARED
    fields = [
        {"name": name, "label": PORTAL_LABELS[name], "text": getattr(profile, name)}
        for name in MotivationProfile.TEXT_FIELDS
        if getattr(profile, f"{name}_visibility") == shared and getattr(profile, name)
    ]
    themes = _ranked(profile) if profile.themes_visibility == shared else []
    stories = [story for story in profile.stories.all() if story.visibility == shared]
    attachments = [a for a in profile.attachments.all() if a.visibility == shared]
    if not (fields or themes or stories or attachments):
        return None
    return {
        "catalog": profile.catalog if themes else None,
        "fields": fields,
        "themes": themes,
        "stories": stories,
        "attachments": attachments,
    }


def catalogs_of(organisation) -> QuerySet[ThemeCatalog]:
    return (
        ThemeCatalog.objects.filter(organisation=organisation)
        .annotate(theme_count=Count("themes", distinct=True))
        .annotate(profile_count=Count("profiles", distinct=True))
        .order_by("name", "-version")
    )


def catalog_detail(catalog: ThemeCatalog) -> dict:
    """Groups with their themes, each theme with how many profiles rank it (rename and
    remove are only offered when none do)."""
    themes = list(
        Theme.objects.filter(catalog=catalog).annotate(use_count=Count("rankings")).order_by("name")
    )
    groups = list(ThemeGroup.objects.filter(catalog=catalog).order_by("position", "name"))
    by_group: dict[int | None, list[Theme]] = {}
    for theme in themes:
        by_group.setdefault(theme.group_id, []).append(theme)
    return {
        "groups": [{"group": g, "themes": by_group.get(g.pk, [])} for g in groups],
        "ungrouped": by_group.get(None, []),
        "theme_count": len(themes),
        "profile_count": catalog.profiles.count(),
        "versions": list(
            ThemeCatalog.objects.filter(organisation=catalog.organisation, key=catalog.key)
            .order_by("-version")
            .values_list("pk", "version")
        ),
    }
