"""Theme catalogs are data: shipped as YAML files, copied into each organisation, then edited
there. Parsing is strict so a broken file fails loudly instead of loading half a catalog."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from flowcoach.accounts.models import Organisation
from flowcoach.lib import safe_parse

from .models import RankedTheme, Theme, ThemeCatalog, ThemeGroup

SHIPPED_DIR = Path(__file__).resolve().parent / "catalog_files"


class CatalogFileError(ValueError):
    """Every problem found in a catalog file, each as "path: message", so a person can fix
    the whole file in one go."""

    def __init__(self, errors: list[str] | str):
        self.errors = [errors] if isinstance(errors, str) else list(errors)
        super().__init__("; ".join(self.errors))


def _positive_int(data: dict, field: str, errors: list[str], *, upper: int | None = None):
    value = data.get(field)
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append(f"{field}: must be a whole number from 1")
    elif upper is not None and value > upper:
        errors.append(f"{field}: must be at most {upper}")


MAX_FILE_BYTES = 256 * 1024
# A broken file is described in full, up to this many problems: enough to fix it in one go,
# and a file repeating one mistake cannot produce a million lines.
MAX_ERRORS = 50
LIMITS = {"key": 60, "name": 150, "group_label": 40, "description": 2000, "source": 255}
NAME_LIMIT = 80  # a group's or a theme's name
MAX_VERSION = 1_000_000


def parse_catalog(text: str | bytes) -> dict:
    try:
        data = safe_parse.load_yaml(text, max_bytes=MAX_FILE_BYTES)
    except safe_parse.ParseError as error:
        raise CatalogFileError(str(error)) from None
    if not isinstance(data, dict):
        raise CatalogFileError("a catalog file is a mapping with key, name and groups")
    errors = []
    for field in ("key", "name", "groups"):
        if not data.get(field):
            errors.append(f"{field}: required")
    for field, limit in LIMITS.items():
        if data.get(field) is not None and not isinstance(data[field], str):
            errors.append(f"{field}: must be text")
        elif isinstance(data.get(field), str) and len(data[field]) > limit:
            errors.append(f"{field}: at most {limit} characters")
    if isinstance(data.get("key"), str) and data["key"] and not slugify(data["key"]) == data["key"]:
        errors.append("key: use lowercase letters, digits and hyphens only")
    _positive_int(data, "version", errors, upper=MAX_VERSION)
    _positive_int(data, "top_count", errors, upper=10)
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        errors.append("groups: must be a list")
        groups = []
    seen_groups, seen_themes = set(), set()
    for i, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("name"), str):
            errors.append(f"groups[{i}].name: required")
            continue
        if not group["name"].strip():
            errors.append(f"groups[{i}].name: required")
            continue
        if len(group["name"]) > NAME_LIMIT:
            errors.append(f"groups[{i}].name: at most {NAME_LIMIT} characters")
        if group["name"].lower() in seen_groups:
            errors.append(f"groups[{i}].name: '{group['name']}' appears twice")
        seen_groups.add(group["name"].lower())
        group_themes = group.get("themes") or []
        if not isinstance(group_themes, list):
            errors.append(f"groups[{i}].themes: must be a list")
            continue
        for j, theme in enumerate(group_themes):
            if not isinstance(theme, str) or not theme.strip():
                errors.append(f"groups[{i}].themes[{j}]: must be a theme name")
            elif len(theme) > NAME_LIMIT:
                errors.append(f"groups[{i}].themes[{j}]: at most {NAME_LIMIT} characters")
            elif theme.lower() in seen_themes:
                errors.append(f"groups[{i}].themes[{j}]: '{theme}' appears twice")
            else:
                seen_themes.add(theme.lower())
    if len(errors) > MAX_ERRORS:
        errors = [*errors[:MAX_ERRORS], f"… and {len(errors) - MAX_ERRORS} more problems"]
    if errors:
        raise CatalogFileError(errors)
    return data


@transaction.atomic
def catalog_import(*, organisation: Organisation, data: dict) -> ThemeCatalog:
    catalog = ThemeCatalog.objects.create(
        organisation=organisation,
        key=data["key"],
        version=int(data.get("version") or 1),
        name=data["name"],
        group_label=data.get("group_label") or "family",
        top_count=int(data.get("top_count") or 3),
        description=(data.get("description") or "").strip(),
        source=data.get("source") or "",
    )
    for position, group_data in enumerate(data["groups"]):
        group = ThemeGroup.objects.create(
            catalog=catalog, name=group_data["name"].strip(), position=position
        )
        Theme.objects.bulk_create(
            Theme(catalog=catalog, group=group, name=name.strip())
            for name in group_data.get("themes") or []
        )
    return catalog


def shipped_catalogs() -> list[dict]:
    return [parse_catalog(path.read_text("utf-8")) for path in sorted(SHIPPED_DIR.glob("*.yaml"))]


def install_shipped_catalogs(*, organisation: Organisation, **_) -> None:
    """Gives a new organisation its own editable copy of every shipped catalog."""
    existing = set(
        ThemeCatalog.objects.filter(organisation=organisation).values_list("key", flat=True)
    )
    for data in shipped_catalogs():
        if data["key"] not in existing:
            catalog_import(organisation=organisation, data=data)


def catalog_export(catalog: ThemeCatalog) -> str:
    """The catalog in the shipped file format, so an export imports again unchanged."""
    groups = []
    for group in catalog.groups.order_by("position", "name").prefetch_related("themes"):
        entry: dict = {"name": group.name}
        names = sorted(theme.name for theme in group.themes.all())
        if names:
            entry["themes"] = names
        groups.append(entry)
    ungrouped = sorted(catalog.themes.filter(group=None).values_list("name", flat=True))
    data = {
        "key": catalog.key,
        "version": catalog.version,
        "name": catalog.name,
        "group_label": catalog.group_label,
        "top_count": catalog.top_count,
        "source": catalog.source,
        "description": catalog.description,
        "groups": groups,
    }
    if ungrouped:
        # The file format keeps themes inside groups; themes without one get their own.
        data["groups"].append({"name": "Ungrouped", "themes": list(ungrouped)})
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


@transaction.atomic
def catalog_new_version(*, catalog: ThemeCatalog) -> ThemeCatalog:
    """Copies groups and themes into the next free version of the same key. Profiles keep
    pointing at the version they were scored with."""
    latest = ThemeCatalog.objects.filter(
        organisation=catalog.organisation, key=catalog.key
    ).aggregate(Max("version"))["version__max"]
    copy = ThemeCatalog.objects.create(
        organisation=catalog.organisation,
        key=catalog.key,
        version=latest + 1,
        name=catalog.name,
        group_label=catalog.group_label,
        top_count=catalog.top_count,
        description=catalog.description,
        source=catalog.source,
    )
    group_map = {}
    for group in catalog.groups.all():
        group_map[group.pk] = ThemeGroup.objects.create(
            catalog=copy, name=group.name, position=group.position
        )
    Theme.objects.bulk_create(
        Theme(
            catalog=copy,
            group=group_map.get(theme.group_id),
            name=theme.name,
            description=theme.description,
        )
        for theme in catalog.themes.all()
    )
    return copy


def theme_is_ranked(theme: Theme) -> bool:
    return RankedTheme.objects.filter(theme=theme).exists()


def theme_add(*, catalog: ThemeCatalog, name: str, group: ThemeGroup | None) -> Theme:
    return Theme.objects.create(catalog=catalog, name=name, group=group)


def theme_rename(*, theme: Theme, name: str) -> None:
    theme.name = name
    theme.save(update_fields=["name"])


def theme_remove(*, theme: Theme) -> None:
    theme.delete()


def group_add(*, catalog: ThemeCatalog, name: str) -> ThemeGroup:
    position = (catalog.groups.aggregate(Max("position"))["position__max"] or 0) + 1
    return ThemeGroup.objects.create(catalog=catalog, name=name, position=position)
