"""Theme catalogs as data: admins edit them, coaches read them and add missing themes,
versions keep old profiles intact, and files round-trip through export and import."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from flowcoach.clients import catalogs
from flowcoach.clients.models import Theme, ThemeCatalog, ThemeGroup
from tests.authz.fixtures_profiles import complete_profile, sample_catalog


def counts():
    return ThemeCatalog.objects.count(), ThemeGroup.objects.count(), Theme.objects.count()


def test_it_lists_the_organisations_catalogs_with_their_use(world):
    complete_profile(world)
    html = world.login(world.admin).get(reverse("catalog_list")).content.decode()
    assert "Motivation code, book model (2020)" in html
    assert "Test sample" in html
    assert "Import a catalog" in html


def test_it_shows_coaches_the_list_read_only(world):
    sample_catalog(world)
    html = world.login(world.coach).get(reverse("catalog_list")).content.decode()
    assert "Test sample" in html
    assert "Import a catalog" not in html


def test_it_shows_groups_themes_and_use_on_the_detail_page(world):
    profile = complete_profile(world)
    html = (
        world.login(world.admin)
        .get(reverse("catalog_detail", args=[profile.catalog_id]))
        .content.decode()
    )
    assert "Makers" in html and "Build It" in html
    assert "used by 1 profile" in html
    assert "ranked in 1 profile" in html
    assert "Start version 2" in html


def test_it_renames_and_removes_an_unused_theme(world):
    catalog = sample_catalog(world)
    theme = catalog.themes.get(name="Ship It")
    http = world.login(world.admin)
    url = reverse("catalog_theme_rename", args=[catalog.pk, theme.pk])
    assert http.post(url, {"name": "Launch It"}).status_code == 302
    theme.refresh_from_db()
    assert theme.name == "Launch It"
    assert (
        http.post(reverse("catalog_theme_remove", args=[catalog.pk, theme.pk])).status_code == 302
    )
    assert not Theme.objects.filter(pk=theme.pk).exists()


@pytest.mark.parametrize("action", ["catalog_theme_rename", "catalog_theme_remove"])
def test_it_keeps_a_ranked_theme_and_suggests_a_new_version(world, action):
    profile = complete_profile(world)
    theme = profile.catalog.themes.get(name="Build It")
    before = counts()
    response = world.login(world.admin).post(
        reverse(action, args=[profile.catalog_id, theme.pk]), {"name": "Other"}, follow=True
    )
    assert "start a new version of the catalog" in response.content.decode()
    theme.refresh_from_db()
    assert theme.name == "Build It"
    assert counts() == before


@pytest.mark.parametrize(
    "name, message", [("FIX IT", "The catalog already has FIX IT."), ("", "Write the new name.")]
)
def test_it_refuses_a_bad_new_name(world, name, message):
    catalog = sample_catalog(world)
    theme = catalog.themes.get(name="Ship It")
    response = world.login(world.admin).post(
        reverse("catalog_theme_rename", args=[catalog.pk, theme.pk]), {"name": name}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    theme.refresh_from_db()
    assert theme.name == "Ship It"


def test_it_adds_a_group_and_refuses_a_duplicate(world):
    catalog = sample_catalog(world)
    http = world.login(world.admin)
    url = reverse("catalog_group_add", args=[catalog.pk])
    assert http.post(url, {"name": "Thinkers"}).status_code == 302
    assert catalog.groups.filter(name="Thinkers").exists()
    before = counts()
    response = http.post(url, {"name": "makers"})
    assert response.status_code == 400
    assert "already has a family called makers" in response.content.decode()
    assert counts() == before


def test_it_starts_a_new_version_and_leaves_profiles_on_theirs(world):
    profile = complete_profile(world)
    old = profile.catalog
    response = world.login(world.admin).post(reverse("catalog_new_version", args=[old.pk]))
    new = ThemeCatalog.objects.get(key=old.key, version=2)
    assert response["Location"] == reverse("catalog_detail", args=[new.pk])
    assert sorted(new.themes.values_list("name", "group__name")) == sorted(
        old.themes.values_list("name", "group__name")
    )
    profile.refresh_from_db()
    assert profile.catalog == old
    # Themes ranked in version 1 can now change freely in version 2.
    renamed = new.themes.get(name="Build It")
    url = reverse("catalog_theme_rename", args=[new.pk, renamed.pk])
    assert world.login(world.admin).post(url, {"name": "Build Things"}).status_code == 302


def test_it_exports_in_the_shipped_format_and_imports_it_back(world):
    catalog = sample_catalog(world)
    Theme.objects.create(catalog=catalog, name="Loose Theme")
    response = world.login(world.coach).get(reverse("catalog_export", args=[catalog.pk]))
    assert response.status_code == 200
    assert 'filename="test-sample-v1.yaml"' in response["Content-Disposition"]
    data = catalogs.parse_catalog(response.content.decode())
    assert data["key"] == "test-sample"
    assert {"name": "Makers", "themes": ["Build It", "Fix It", "Ship It"]} in data["groups"]
    data["version"] = 7
    response = world.login(world.admin).post(
        reverse("catalog_import"),
        {"file": SimpleUploadedFile("c.yaml", yaml.safe_dump(data).encode())},
    )
    assert response.status_code == 302
    imported = ThemeCatalog.objects.get(key="test-sample", version=7)
    assert imported.themes.count() == 7


def test_it_exports_each_shipped_file_unchanged_in_meaning(world):
    for path in sorted(catalogs.SHIPPED_DIR.glob("*.yaml")):
        shipped = catalogs.parse_catalog(path.read_text("utf-8"))
        catalog = ThemeCatalog.objects.get(organisation=world.org, key=shipped["key"])
        exported = catalogs.parse_catalog(catalogs.catalog_export(catalog))
        assert [g["name"] for g in exported["groups"]] == [g["name"] for g in shipped["groups"]]
        assert [g.get("themes") for g in exported["groups"]] == [
            g.get("themes") for g in shipped["groups"]
        ]


@pytest.mark.parametrize(
    "text, errors",
    [
        ("key: [", ["not valid YAML"]),
        ("- a list", ["a catalog file is a mapping"]),
        ("name: X\ngroups: []\n", ["key: required", "groups: required"]),
        (
            "key: k\nname: N\ngroups:\n  - name: A\n    themes: [One, one]\n  - name: a\n",
            ["groups[0].themes[1]: &#x27;one&#x27; appears twice", "groups[1].name"],
        ),
        ("key: Bad Key\nname: N\ngroups:\n  - name: A\n", ["key: use lowercase"]),
        ("key: k\nname: N\ntop_count: 50\ngroups:\n  - name: A\n", ["top_count: must be at most"]),
        ("key: k\nname: N\nversion: zero\ngroups:\n  - name: A\n", ["version: must be a whole"]),
        ("key: k\nname: N\ngroups:\n  - name: A\n    themes: One\n", ["groups[0].themes: must be"]),
        (
            "key: mcode-report\nname: N\ngroups:\n  - name: A\n",
            ["mcode-report version 1 exists already"],
        ),
    ],
)
def test_it_lists_every_error_in_an_imported_file_and_imports_nothing(world, text, errors):
    before = counts()
    response = world.login(world.admin).post(
        reverse("catalog_import"), {"file": SimpleUploadedFile("c.yaml", text.encode())}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in html
    for error in errors:
        assert error in html, error
    assert counts() == before


def test_it_refuses_an_import_without_a_file_or_in_another_encoding(world):
    before = counts()
    http = world.login(world.admin)
    assert "Choose a catalog file." in http.post(reverse("catalog_import")).content.decode()
    response = http.post(
        reverse("catalog_import"),
        {"file": SimpleUploadedFile("c.yaml", "name: Caf\xe9".encode("latin-1"))},
    )
    assert "save the file as UTF-8" in response.content.decode()
    assert counts() == before


def test_it_keeps_other_organisations_catalogs_out_of_reach(world):
    foreign = ThemeCatalog.objects.filter(organisation=world.other_org).first()
    http = world.login(world.admin)
    assert http.get(reverse("catalog_detail", args=[foreign.pk])).status_code == 404
    theme = Theme.objects.create(catalog=sample_catalog(world), name="Mine")
    url = reverse("catalog_theme_remove", args=[foreign.pk, theme.pk])
    assert http.post(url).status_code == 404
    assert Theme.objects.filter(pk=theme.pk).exists()


def test_it_ships_only_structure_and_confirmed_names(world):
    # The published assessments' theme lists stay as shipped: one confirmed name each. (The
    # starter catalog is flowcoach's own words, not an assessment's.)
    for path in catalogs.SHIPPED_DIR.glob("mcode-*.yaml"):
        data = catalogs.parse_catalog(path.read_text("utf-8"))
        names = [t for g in data["groups"] for t in g.get("themes") or []]
        assert names == ["Demonstrate New Learning"]
