"""Every row of every table of ours, to prove a refused request wrote nothing at all (not
only nothing in the table the URL is about)."""

from __future__ import annotations

from django.apps import apps

# The sign-in session of the person making the request is Django's, not ours, and changes
# on every request that sets a message.
IGNORED = {"sessions"}


def database_rows() -> dict[str, list[tuple]]:
    rows = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in IGNORED:
            continue
        rows[meta.label] = list(model._base_manager.order_by("pk").values_list())
    return rows


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )
