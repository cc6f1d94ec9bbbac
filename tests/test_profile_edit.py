"""Editing a profile: every rule gets a message at the field or row, and on any error the
profile in the database is exactly as it was."""

from __future__ import annotations

import pytest
from django.urls import reverse

from flowcoach.clients.models import (
    AchievementStory,
    MotivationProfile,
    RankedTheme,
    Theme,
    ThemeCatalog,
    Visibility,
)
from tests.authz.fixtures_profiles import complete_profile, sample_catalog


def snapshot(profile: MotivationProfile) -> tuple:
    """Everything the editor can change, to prove a failed save changed nothing."""
    profile = MotivationProfile.objects.get(pk=profile.pk)
    fields = [getattr(profile, f.attname) for f in profile._meta.fields if f.name != "updated_at"]
    themes = list(RankedTheme.objects.filter(profile=profile).values_list("theme", "rank", "score"))
    stories = list(
        AchievementStory.objects.filter(profile=profile).values_list(
            "pk", "position", "title", "trigger", "process", "outcome", "visibility"
        )
    )
    return fields, themes, stories, Theme.objects.count()


def form_data(profile: MotivationProfile, *, themes=None, stories=None, **fields) -> dict:
    """The edit form as a browser would post it, starting from the saved profile."""
    if themes is None:
        themes = [(rt.theme_id, str(rt.score), rt.rank) for rt in profile.ranked_themes.all()]
    if stories is None:
        stories = [
            {
                "id": s.pk,
                "title": s.title,
                "trigger": s.trigger,
                "process": s.process,
                "outcome": s.outcome,
                "visibility": s.visibility,
            }
            for s in profile.stories.all()
        ]
    data = {
        "profile-catalog": profile.catalog_id or "",
        "profile-assessment_date": "2026-10-01",
        "profile-themes_visibility": profile.themes_visibility,
    }
    for name in MotivationProfile.TEXT_FIELDS:
        data[f"profile-{name}"] = getattr(profile, name)
        data[f"profile-{name}_visibility"] = getattr(profile, f"{name}_visibility")
    saved_themes, saved_stories = profile.ranked_themes.count(), profile.stories.count()
    data.update(
        {"themes-TOTAL_FORMS": len(themes), "themes-INITIAL_FORMS": min(len(themes), saved_themes)}
    )
    for i, (theme, score, rank) in enumerate(themes):
        data.update(
            {f"themes-{i}-theme": theme, f"themes-{i}-score": score, f"themes-{i}-rank": rank}
        )
    data.update(
        {
            "stories-TOTAL_FORMS": len(stories),
            "stories-INITIAL_FORMS": min(len(stories), saved_stories),
        }
    )
    for i, story in enumerate(stories):
        for key, value in story.items():
            data[f"stories-{i}-{key}"] = "" if value is None else value
    data.update({f"profile-{k}": v for k, v in fields.items()})
    return data


def post(world, data):
    return world.login(world.coach).post(reverse("profile_edit", args=[world.client.pk]), data)


def theme(profile, name):
    return profile.catalog.themes.get(name=name).pk


def story(title="A new story", **overrides):
    return {
        "id": "",
        "title": title,
        "trigger": "something happened",
        "process": "they worked it out",
        "outcome": "it felt good",
        "visibility": Visibility.SHARED,
        **overrides,
    }


def test_it_shows_the_editor_with_labelled_rows(world):
    complete_profile(world)
    response = world.login(world.coach).get(reverse("profile_edit", args=[world.client.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<legend>Theme row 1</legend>" in html
    assert "Story: Story 0" in html
    assert 'for="id_themes-0-score"' in html
    assert 'for="id_stories-0-trigger"' in html
    assert "Shared with Cliff" in html


def test_it_saves_a_complete_edit(world):
    profile = complete_profile(world)
    stories = form_data(profile)["stories-TOTAL_FORMS"]
    data = form_data(
        profile,
        themes=[(theme(profile, "Sell It"), "10", 1), (theme(profile, "Build It"), "7.5", 2)],
        motivational_flow="A new flow",
        blind_spots_visibility=Visibility.SHARED,
    )
    data["stories-0-title"] = "Renamed story"
    response = post(world, data)
    assert response.status_code == 302, response.content.decode()
    profile.refresh_from_db()
    assert profile.motivational_flow == "A new flow"
    assert profile.blind_spots_visibility == Visibility.SHARED
    assert [(rt.theme.name, str(rt.score)) for rt in profile.ranked_themes.all()] == [
        ("Sell It", "10.0"),
        ("Build It", "7.5"),
    ]
    assert profile.stories.count() == stories
    assert profile.stories.first().title == "Renamed story"


def test_it_fills_a_new_profile_from_scratch(world):
    catalog = sample_catalog(world)
    profile = MotivationProfile.objects.create(client=world.client)
    data = form_data(
        profile,
        themes=[(catalog.themes.get(name="Fix It").pk, "8", 1)],
        stories=[story("One"), story("Two"), story("Three")],
        catalog=catalog.pk,
    )
    assert post(world, data).status_code == 302
    profile.refresh_from_db()
    assert profile.catalog == catalog
    assert list(profile.stories.values_list("title", flat=True)) == ["One", "Two", "Three"]
    # Each story keeps the visibility the coach chose for it.
    assert set(profile.stories.values_list("visibility", flat=True)) == {Visibility.SHARED}


def test_it_ignores_fully_blank_extra_story_rows(world):
    profile = complete_profile(world)
    data = form_data(profile)
    n = data["stories-TOTAL_FORMS"]
    data.update({"stories-TOTAL_FORMS": n + 1, "stories-INITIAL_FORMS": n})
    data.update({f"stories-{n}-{k}": "" for k in ("id", "title", "trigger", "process", "outcome")})
    data[f"stories-{n}-visibility"] = Visibility.COACH_ONLY
    assert post(world, data).status_code == 302
    assert profile.stories.count() == n


def test_it_deletes_a_story_while_three_remain(world):
    profile = complete_profile(world)
    data = form_data(profile)
    data["stories-3-DELETE"] = "on"
    assert post(world, data).status_code == 302
    assert profile.stories.count() == 3
    assert not profile.stories.filter(title="STORY-PRIVATE").exists()


def assert_refused(world, profile, data, *messages):
    before = snapshot(profile)
    response = post(world, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was saved yet" in html
    for message in messages:
        assert message in html, message
    assert snapshot(profile) == before
    return html


def test_it_refuses_a_theme_ranked_twice(world):
    profile = complete_profile(world)
    build = theme(profile, "Build It")
    data = form_data(profile, themes=[(build, "9", 1), (build, "8", 2)], motivational_flow="x")
    html = assert_refused(world, profile, data, "Build It is already ranked above")
    assert 'id="id_themes-1-theme_error"' in html


@pytest.mark.parametrize(
    "score, message",
    [
        ("10.5", "Scores go from 0 to 10."),
        ("-1", "Scores go from 0 to 10."),
        ("8.25", "Use at most one decimal"),
        ("lots", "Write the score as a number"),
        ("", "Give this theme a score"),
    ],
)
def test_it_refuses_a_score_out_of_range(world, score, message):
    profile = complete_profile(world)
    data = form_data(profile, themes=[(theme(profile, "Build It"), score, 1)])
    assert_refused(world, profile, data, message)


def test_it_refuses_ranks_with_a_gap(world):
    profile = complete_profile(world)
    data = form_data(
        profile,
        themes=[(theme(profile, "Build It"), "9", 1), (theme(profile, "Fix It"), "8", 3)],
    )
    html = assert_refused(world, profile, data, "Number the themes 1 to 2, without gaps.")
    assert 'id="id_themes-1-rank_error"' in html


def test_it_refuses_a_rank_used_twice(world):
    profile = complete_profile(world)
    data = form_data(
        profile,
        themes=[(theme(profile, "Build It"), "9", 1), (theme(profile, "Fix It"), "8", 1)],
    )
    assert_refused(world, profile, data, "Rank 1 is used twice")


def test_it_refuses_a_theme_from_another_catalog(world):
    profile = complete_profile(world)
    other = ThemeCatalog.objects.filter(organisation=world.org).exclude(pk=profile.catalog_id)
    stranger = Theme.objects.filter(catalog__in=other).first()
    data = form_data(profile, themes=[(stranger.pk, "9", 1)])
    assert_refused(world, profile, data, f"{stranger.name} is not in Test sample")


def test_it_refuses_a_theme_of_another_organisation(world):
    profile = complete_profile(world)
    foreign = Theme.objects.filter(catalog__organisation=world.other_org).first()
    data = form_data(profile, themes=[(foreign.pk, "9", 1)])
    assert_refused(world, profile, data, "not in your organisation")


def test_it_refuses_themes_without_a_catalog(world):
    profile = complete_profile(world)
    data = form_data(profile, catalog="")
    assert_refused(world, profile, data, "Choose the catalog these themes come from.")


@pytest.mark.parametrize(
    "blank, message",
    [
        ("title", "Give the story a short title."),
        ("trigger", "Add the trigger"),
        ("process", "Add the process"),
        ("outcome", "Add the outcome"),
    ],
)
def test_it_refuses_a_partial_story(world, blank, message):
    profile = complete_profile(world)
    data = form_data(profile)
    data[f"stories-0-{blank}"] = ""
    html = assert_refused(world, profile, data, message)
    assert f'id="id_stories-0-{blank}_error"' in html


def test_it_refuses_a_partly_filled_new_story(world):
    profile = complete_profile(world)
    stories = form_data(profile)
    data = form_data(profile, stories=[*[story(str(i)) for i in range(3)], story(outcome="")])
    assert stories
    assert_refused(world, profile, data, "Add the outcome")


def test_it_saves_fewer_than_three_stories_and_asks_for_more_on_the_profile(world):
    profile = complete_profile(world)
    data = form_data(profile)
    data["stories-2-DELETE"] = "on"
    data["stories-3-DELETE"] = "on"
    response = post(world, data)
    assert response.status_code == 302
    assert profile.stories.count() == 2
    page = world.login(world.coach).get(response["Location"]).content.decode()
    assert "2 stories so far" in page


def test_it_starts_a_fresh_profile_on_the_fullest_catalog_so_themes_can_be_chosen(world):
    html = (
        world.login(world.coach).get(f"/clients/{world.client.pk}/profile/edit/").content.decode()
    )
    assert "Being part of a close team" in html


def test_it_refuses_an_unknown_visibility(world):
    profile = complete_profile(world)
    data = form_data(profile, shadow_side_visibility="everyone")
    assert_refused(world, profile, data, "Select a valid choice")


def test_it_saves_nothing_when_only_one_part_is_wrong(world):
    profile = complete_profile(world)
    data = form_data(profile, motivational_flow="Changed flow")
    data["stories-1-process"] = ""
    assert_refused(world, profile, data, "Add the process")
    profile.refresh_from_db()
    assert profile.motivational_flow == "FLOW-SHARED puzzles lead to answers"


def test_it_lets_a_coach_add_a_missing_theme_from_the_editor(world):
    profile = complete_profile(world)
    edit_url = reverse("profile_edit", args=[world.client.pk])
    http = world.login(world.coach)
    assert "A theme missing from Test sample" in http.get(edit_url).content.decode()
    group = profile.catalog.groups.get(name="Makers")
    response = http.post(
        reverse("catalog_theme_add", args=[profile.catalog_id]),
        {"name": "  Mend   It ", "group": group.pk, "next": edit_url},
    )
    assert response.status_code == 302
    assert response["Location"] == edit_url
    assert profile.catalog.themes.get(name="Mend It").group == group


def test_it_refuses_a_duplicate_theme_whatever_its_case(world):
    profile = complete_profile(world)
    before = Theme.objects.count()
    response = world.login(world.coach).post(
        reverse("catalog_theme_add", args=[profile.catalog_id]), {"name": "build it"}
    )
    assert response.status_code == 400
    assert "Test sample already has build it." in response.content.decode()
    assert Theme.objects.count() == before


def test_it_refuses_an_empty_theme_name(world):
    profile = complete_profile(world)
    before = Theme.objects.count()
    response = world.login(world.coach).post(
        reverse("catalog_theme_add", args=[profile.catalog_id]), {"name": ""}
    )
    assert response.status_code == 400
    assert "Write the theme&#x27;s name" in response.content.decode()
    assert Theme.objects.count() == before


def test_it_never_touches_a_story_of_another_profile_named_in_the_form(world):
    profile = complete_profile(world)
    theirs = AchievementStory.objects.create(
        profile=MotivationProfile.objects.create(client=world.other_client),
        title="Theirs",
        trigger="t",
        process="p",
        outcome="o",
    )
    data = form_data(profile)
    data["stories-0-id"] = theirs.pk
    data["stories-0-title"] = "Hijacked"
    assert post(world, data).status_code == 302
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert theirs.profile.client == world.other_client
    assert profile.stories.filter(title="Hijacked").exists()


def test_it_ignores_a_return_address_on_another_site(world):
    profile = complete_profile(world)
    response = world.login(world.coach).post(
        reverse("catalog_theme_add", args=[profile.catalog_id]),
        {"name": "Roam It", "next": "https://evil.example/steal"},
    )
    assert response["Location"] == reverse("catalog_detail", args=[profile.catalog_id])


def test_it_shows_every_problem_on_the_first_save(world):
    profile = complete_profile(world)
    stranger = ThemeCatalog.objects.filter(organisation=world.org).exclude(pk=profile.catalog_id)
    stranger = Theme.objects.filter(catalog__in=stranger).first()
    data = form_data(profile, themes=[(stranger.pk, "8", 1)], shadow_side_visibility="everyone")
    assert_refused(
        world, profile, data, "Select a valid choice", f"{stranger.name} is not in Test sample"
    )
