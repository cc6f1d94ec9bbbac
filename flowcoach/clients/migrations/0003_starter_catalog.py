"""Organisations made before the starter catalog shipped get their own copy of it, as new
organisations do on creation, so every practice can rank themes without typing them first."""

from pathlib import Path

import yaml
from django.db import migrations

STARTER = Path(__file__).resolve().parent.parent / "catalog_files" / "starter.yaml"


def install_starter(apps, schema_editor) -> None:
    Organisation = apps.get_model("accounts", "Organisation")
    ThemeCatalog = apps.get_model("clients", "ThemeCatalog")
    ThemeGroup = apps.get_model("clients", "ThemeGroup")
    Theme = apps.get_model("clients", "Theme")
    data = yaml.safe_load(STARTER.read_text("utf-8"))
    for organisation in Organisation.objects.exclude(theme_catalogs__key=data["key"]):
        catalog = ThemeCatalog.objects.create(
            organisation=organisation,
            key=data["key"],
            version=data["version"],
            name=data["name"],
            group_label=data["group_label"],
            top_count=data["top_count"],
            description=data["description"],
            source=data["source"],
        )
        for position, group_data in enumerate(data["groups"]):
            group = ThemeGroup.objects.create(
                catalog=catalog, name=group_data["name"], position=position
            )
            Theme.objects.bulk_create(
                Theme(catalog=catalog, group=group, name=name) for name in group_data["themes"]
            )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_private_by_default"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(install_starter, migrations.RunPython.noop)]
