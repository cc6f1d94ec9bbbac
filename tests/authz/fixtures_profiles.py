"""Objects the profile and catalog routes act upon."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from flowcoach.clients.access import profile_of
from flowcoach.clients.models import ProfileAttachment, Theme, ThemeCatalog, Visibility

TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def add_extras(world):
    catalog = ThemeCatalog.objects.filter(organisation=world.org).order_by("pk").first()
    world.extras["catalog"] = catalog
    world.extras["free_theme"] = Theme.objects.create(catalog=catalog, name="Matrix Theme")
    attachment = ProfileAttachment(
        profile=profile_of(world.client),
        kind=ProfileAttachment.Kind.REPORT,
        original_name="report.pdf",
        content_type="application/pdf",
        size=len(TINY_PDF),
        visibility=Visibility.SHARED,
        uploaded_by=world.coach,
    )
    # One stable file in private storage, written once: the matrix runs for every route and
    # role, and a fresh random name each time would pile files up in var/private.
    name = "profiles/authz-matrix/report.pdf"
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(TINY_PDF))
    attachment.file.name = name
    attachment.save()
    world.extras["attachment"] = attachment


def sample_catalog(world, *, top_count: int = 3) -> ThemeCatalog:
    """A catalog of our own with six themes in two groups, for profile tests."""
    from flowcoach.clients import catalogs

    return catalogs.catalog_import(
        organisation=world.org,
        data={
            "key": "test-sample",
            "name": "Test sample",
            "top_count": top_count,
            "groups": [
                {"name": "Makers", "themes": ["Build It", "Fix It", "Ship It"]},
                {"name": "Talkers", "themes": ["Tell It", "Teach It", "Sell It"]},
            ],
        },
    )


def complete_profile(world):
    """world.client's profile filled in, with some fields shared and some coach-only."""
    from flowcoach.clients.models import AchievementStory, RankedTheme

    catalog = sample_catalog(world)
    profile = profile_of(world.client)
    profile.catalog = catalog
    profile.motivational_flow = "FLOW-SHARED puzzles lead to answers"
    profile.shadow_side = "SHADOW-SHARED overthinks"
    profile.blind_spots = "BLIND-PRIVATE misses quiet buyers"
    profile.foundations_notes = "FOUNDATIONS-PRIVATE likes structure"
    profile.personal_goals = "GOALS-PRIVATE run a marathon"
    profile.identity_notes = "IDENTITY-PRIVATE a maker at heart"
    # Everything starts private; share what the *-SHARED names say, as the coach would.
    profile.themes_visibility = Visibility.SHARED
    profile.motivational_flow_visibility = Visibility.SHARED
    profile.shadow_side_visibility = Visibility.SHARED
    profile.save()
    themes = {t.name: t for t in catalog.themes.all()}
    for rank, (name, score) in enumerate(
        [("Build It", "9.5"), ("Fix It", "8.0"), ("Tell It", "7.5"), ("Sell It", "5.0")], 1
    ):
        RankedTheme.objects.create(profile=profile, theme=themes[name], rank=rank, score=score)
    for i in range(3):
        AchievementStory.objects.create(
            profile=profile,
            position=i,
            title=f"Story {i}",
            trigger=f"trigger {i}",
            process=f"process {i}",
            outcome=f"outcome {i}",
            visibility=Visibility.SHARED,
        )
    AchievementStory.objects.create(
        profile=profile,
        position=3,
        title="STORY-PRIVATE",
        trigger="t",
        process="p",
        outcome="o",
        visibility=Visibility.COACH_ONLY,
    )
    return profile
