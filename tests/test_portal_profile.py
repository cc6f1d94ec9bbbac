"""The client's portal shows what the coach shared, and never anything coach-only."""

from __future__ import annotations

from django.urls import reverse

from flowcoach.clients.models import Visibility
from tests.authz.fixtures_profiles import complete_profile


def portal(world, user=None):
    return world.login(user or world.client_user).get(reverse("portal"))


def test_it_shows_shared_fields_with_friendly_headings(world):
    complete_profile(world)
    html = portal(world).content.decode()
    for text in [
        "Your motivation themes",
        "Your achievement stories",
        "Your motivational flow",
        "Your shadow side",
        "FLOW-SHARED",
        "SHADOW-SHARED",
        "Build It",
        "Story 0",
    ]:
        assert text in html


def test_it_never_shows_coach_only_fields(world):
    complete_profile(world)
    html = portal(world).content.decode()
    for text in [
        "BLIND-PRIVATE",
        "FOUNDATIONS-PRIVATE",
        "GOALS-PRIVATE",
        "IDENTITY-PRIVATE",
        "STORY-PRIVATE",
    ]:
        assert text not in html


def test_it_hides_themes_and_flow_once_the_coach_keeps_them(world):
    profile = complete_profile(world)
    profile.themes_visibility = Visibility.COACH_ONLY
    profile.motivational_flow_visibility = Visibility.COACH_ONLY
    profile.save()
    html = portal(world).content.decode()
    assert "Build It" not in html
    assert "FLOW-SHARED" not in html
    assert "SHADOW-SHARED" in html


def test_it_names_the_clients_coach(world):
    html = portal(world).content.decode()
    assert "Your coach is Cora Coach" in html


def test_it_says_so_kindly_when_nothing_is_shared_yet(world):
    html = portal(world).content.decode()
    assert "hasn't shared anything" in html


def test_it_shows_another_client_only_their_own_profile(world):
    complete_profile(world)
    html = portal(world, world.other_client_user).content.decode()
    assert "FLOW-SHARED" not in html
    assert "Your coach is Cole Second" in html
