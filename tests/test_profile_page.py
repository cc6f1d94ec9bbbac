"""The coach's profile page: everything at a glance, visibility beside every field, and a
fixed number of queries however long the profile grows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flowcoach.clients.models import AchievementStory, RankedTheme
from tests.authz.fixtures_profiles import complete_profile


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    return private_storage


def page(world, user=None):
    return world.login(user or world.coach).get(reverse("profile_detail", args=[world.client.pk]))


def test_it_shows_the_whole_profile_with_visibility_beside_each_field(world):
    complete_profile(world)
    response = page(world)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Test sample (v1)</a>" in html
    assert "The code:" in html
    for text in ["Build It", "9.5", "Story 0", "trigger 0", "outcome 2", "FLOW-SHARED"]:
        assert text in html
    for text in ["BLIND-PRIVATE", "GOALS-PRIVATE", "IDENTITY-PRIVATE", "STORY-PRIVATE"]:
        assert text in html
    assert "Shared with Cliff" in html
    assert "Only you" in html


def test_it_highlights_the_catalogs_top_themes_as_the_code(world):
    profile = complete_profile(world)
    html = page(world).content.decode()
    code_line = html.split("The code:</strong>")[1].split("</p>")[0]
    assert "Build It" in code_line and "Tell It" in code_line
    assert "Sell It" not in code_line
    profile.catalog.top_count = 1
    profile.catalog.save()
    code_line = page(world).content.decode().split("The code:</strong>")[1].split("</p>")[0]
    assert "Fix It" not in code_line


def test_it_prompts_for_empty_fields_on_a_new_profile(world):
    html = page(world).content.decode()
    assert "No themes ranked yet" in html
    assert "No stories yet" in html
    assert "Where can this drive cost the client influence" in html


def test_it_keeps_the_query_count_fixed_as_the_profile_grows(world, django_assert_max_num_queries):
    profile = complete_profile(world)
    http = world.login(world.coach)
    url = reverse("profile_detail", args=[world.client.pk])
    http.get(url)  # the first view settles the session; count the ones after it
    with django_assert_max_num_queries(9):
        assert http.get(url).status_code == 200
    for i in range(6):
        AchievementStory.objects.create(
            profile=profile, title=f"More {i}", trigger="t", process="p", outcome="o"
        )
    RankedTheme.objects.create(
        profile=profile, theme=profile.catalog.themes.get(name="Ship It"), rank=5, score=4
    )
    with django_assert_max_num_queries(9):
        assert http.get(url).status_code == 200


@pytest.mark.parametrize("who", ["admin", "other_coach", "other_admin"])
def test_it_hides_the_profile_from_everyone_but_the_coach(world, who):
    complete_profile(world)
    response = page(world, getattr(world, who))
    assert response.status_code == 404
    assert b"FLOW-SHARED" not in response.content


def test_it_answers_404_for_a_client_of_another_coach(world):
    response = world.login(world.coach).get(reverse("profile_detail", args=[world.other_client.pk]))
    assert response.status_code == 404
