"""A fresh install can rank a client's themes without leaving the profile page: a starter
catalog in our own words, a theme proposed in the profile form itself, guidance on an empty
catalog, and a catalog menu that matches who may add themes."""

from __future__ import annotations

from django.urls import reverse

from flowcoach.clients.access import profile_of
from flowcoach.clients.catalogs import parse_catalog, shipped_catalogs
from flowcoach.clients.models import Theme, ThemeCatalog
from tests.test_profile_edit import form_data, post


def test_it_gives_every_new_organisation_a_usable_starter_catalog(world):
    starter = ThemeCatalog.objects.get(organisation=world.org, key="starter")
    assert starter.themes.count() >= 15 and starter.groups.count() >= 5
    # The book and report catalogs hold structure only, never invented names.
    keys = {data["key"] for data in shipped_catalogs()}
    assert {"starter", "mcode-book-2020", "mcode-report"} <= keys


def test_it_starts_a_new_profile_on_the_catalog_it_can_rank_from(world):
    page = world.login(world.coach).get(reverse("profile_edit", args=[world.client.pk]))
    html = page.content.decode()
    starter = ThemeCatalog.objects.get(organisation=world.org, key="starter")
    assert f'<option value="{starter.pk}" selected>' in html
    assert "Getting to the bottom of things" in html
    assert "Or a theme not in the list yet" in html


def test_it_ranks_a_theme_the_coach_names_in_the_profile_form_in_one_save(world):
    profile = profile_of(world.client)
    starter = ThemeCatalog.objects.get(organisation=world.org, key="starter")
    listed = starter.themes.get(name="Helping someone else succeed")
    data = form_data(profile, themes=[(listed.pk, "9", 1)], catalog=starter.pk)
    data.update(
        {
            "themes-TOTAL_FORMS": 2,
            "themes-1-theme": "",
            "themes-1-new_theme": "  Building   a community ",
            "themes-1-score": "7.5",
            "themes-1-rank": "2",
        }
    )
    response = post(world, data)
    assert response.status_code == 302, response.content.decode()
    added = Theme.objects.get(catalog=starter, name="Building a community")
    assert [(rt.rank, rt.theme) for rt in profile.ranked_themes.all()] == [
        (1, listed),
        (2, added),
    ]


def test_it_refuses_a_row_with_both_a_listed_and_a_new_theme_and_adds_nothing(world):
    profile = profile_of(world.client)
    starter = ThemeCatalog.objects.get(organisation=world.org, key="starter")
    listed = starter.themes.first()
    data = form_data(profile, themes=[(listed.pk, "9", 1)], catalog=starter.pk)
    data["themes-0-new_theme"] = "Something else"
    before = Theme.objects.count()
    response = post(world, data)
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    assert Theme.objects.count() == before


def test_it_reuses_a_listed_theme_named_again_as_new(world):
    profile = profile_of(world.client)
    starter = ThemeCatalog.objects.get(organisation=world.org, key="starter")
    data = form_data(profile, themes=[], catalog=starter.pk)
    data.update(
        {
            "themes-TOTAL_FORMS": 1,
            "themes-0-theme": "",
            "themes-0-new_theme": "being part of a close team",
            "themes-0-score": "8",
            "themes-0-rank": "1",
        }
    )
    before = Theme.objects.count()
    assert post(world, data).status_code == 302
    assert Theme.objects.count() == before
    assert profile.ranked_themes.get().theme.name == "Being part of a close team"


def test_it_tells_what_to_do_on_an_empty_catalog(world):
    catalog = ThemeCatalog.objects.create(organisation=world.org, key="empty", name="Empty one")
    html = world.login(world.coach).get(reverse("catalog_detail", args=[catalog.pk])).content
    assert b"No theme in this catalog yet. Add the first one below" in html


def test_it_shows_coaches_the_catalog_menu_they_may_use(world):
    html = world.login(world.coach).get(reverse("client_list")).content.decode()
    assert f'href="{reverse("catalog_list")}"' in html


def test_it_writes_the_starter_catalog_in_its_own_words():
    starter = next(data for data in shipped_catalogs() if data["key"] == "starter")
    assert parse_catalog(
        (
            __import__("pathlib").Path(__file__).resolve().parent.parent
            / "flowcoach/clients/catalog_files/starter.yaml"
        ).read_text("utf-8")
    )
    assert "flowcoach" in starter["source"]
