"""A profile is private until the coach shares it: every part of a new profile and every new
story starts "Only you", and the profile page shares the chosen parts in one step."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from flowcoach.clients.access import profile_of
from flowcoach.clients.models import AchievementStory, MotivationProfile, RankedTheme, Visibility
from flowcoach.clients.profile_forms import StoryForm
from tests.authz.fixtures_profiles import sample_catalog


def _filled(world) -> MotivationProfile:
    """A new profile filled in the way a coach would, leaving every visibility as it starts."""
    catalog = sample_catalog(world)
    profile = profile_of(world.client)
    profile.catalog = catalog
    profile.motivational_flow = "PRIVATE-FLOW puzzles then answers"
    profile.shadow_side = "PRIVATE-SHADOW takes over the room"
    profile.blind_spots = "PRIVATE-BLIND misses the quiet ones"
    profile.save()
    RankedTheme.objects.create(
        profile=profile, theme=catalog.themes.get(name="Build It"), rank=1, score=Decimal("9")
    )
    AchievementStory.objects.create(
        profile=profile, title="PRIVATE-STORY the garden", trigger="t", process="p", outcome="o"
    )
    return profile


def test_it_starts_every_part_of_a_new_profile_private(world):
    profile = _filled(world)
    for name in ("themes", *MotivationProfile.TEXT_FIELDS):
        assert getattr(profile, f"{name}_visibility") == Visibility.COACH_ONLY, name
    assert profile.stories.get().visibility == Visibility.COACH_ONLY
    assert StoryForm(client=world.client).fields["visibility"].initial == Visibility.COACH_ONLY
    portal = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "PRIVATE-" not in portal and "Build It" not in portal


def test_it_offers_to_share_what_a_client_reviews_before_the_first_session(world):
    _filled(world)
    page = world.login(world.coach).get(reverse("profile_detail", args=[world.client.pk]))
    html = page.content.decode()
    assert "Share these with Cliff" in html
    assert 'value="themes" id="share-themes" checked' in html
    assert 'value="shadow_side" id="share-shadow_side" checked' in html
    assert 'value="stories" id="share-stories" checked' in html
    # Blind spots are offered, not suggested.
    assert 'value="blind_spots" id="share-blind_spots">' in html


def test_it_shares_the_ticked_parts_in_one_step(world):
    profile = _filled(world)
    http = world.login(world.coach)
    response = http.post(
        reverse("profile_share", args=[world.client.pk]),
        {"parts": ["themes", "stories", "motivational_flow", "shadow_side"]},
        follow=True,
    )
    assert "Shared with Cliff" in response.content.decode()
    profile.refresh_from_db()
    assert profile.themes_visibility == Visibility.SHARED
    assert profile.motivational_flow_visibility == Visibility.SHARED
    assert profile.blind_spots_visibility == Visibility.COACH_ONLY
    assert profile.stories.get().visibility == Visibility.SHARED
    portal = world.login(world.client_user).get(reverse("portal")).content.decode()
    assert "PRIVATE-FLOW" in portal and "PRIVATE-STORY" in portal and "Build It" in portal
    assert "PRIVATE-BLIND" not in portal
    # Once everything with content is shared, there is nothing left to offer but the rest.
    html = http.get(reverse("profile_detail", args=[world.client.pk])).content.decode()
    assert 'value="themes"' not in html and 'value="blind_spots"' in html


def test_it_changes_nothing_when_nothing_is_ticked(world):
    profile = _filled(world)
    response = world.login(world.coach).post(
        reverse("profile_share", args=[world.client.pk]), {"parts": ["not-a-part"]}, follow=True
    )
    assert "Nothing changed" in response.content.decode()
    profile.refresh_from_db()
    assert profile.themes_visibility == Visibility.COACH_ONLY
