"""Model instances from a written-out SQL row, for the few reads that run on every request.

On those paths the ORM spends far longer building a query than the database spends running
it (bench/README.md). `load` turns a row into an instance exactly as a queryset with
`.only(*columns)` would: each value through the same converters the ORM applies (booleans
and dates on SQLite, JSON everywhere), every other field deferred, so reading one loads it
and `save()` writes the loaded fields only.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TypeVar

from django.db import connections
from django.db.models import Model

M = TypeVar("M", bound=Model)


@cache
def _converters(model: type[Model], alias: str, columns: tuple[str, ...]) -> tuple:
    connection = connections[alias]
    found = []
    for column in columns:
        field = model._meta.get_field(column)
        expression = field.get_col(model._meta.db_table)
        found.append(
            (
                expression,
                tuple(
                    connection.ops.get_db_converters(expression)
                    + expression.get_db_converters(connection)
                ),
            )
        )
    return tuple(found)


def load(model: type[M], columns: Sequence[str], values: Sequence, alias: str = "default") -> M:
    """`columns` are attribute names (`organisation_id`, not `organisation`), in the order
    of `values`."""
    columns = tuple(columns)
    connection = connections[alias]
    converted = []
    for value, (expression, converters) in zip(
        values, _converters(model, alias, columns), strict=True
    ):
        for converter in converters:
            value = converter(value, expression, connection)
        converted.append(value)
    ordered, positions = _field_order(model, columns)
    return model.from_db(alias, ordered, [converted[at] for at in positions])


@cache
def _field_order(model: type[Model], columns: tuple[str, ...]) -> tuple[tuple, tuple]:
    """`columns` in the model's field order, and where each of them stands in `columns`:
    from_db hands partial values out in field order, not in the order they were given."""
    ordered = tuple(f.attname for f in model._meta.concrete_fields if f.attname in columns)
    return ordered, tuple(columns.index(name) for name in ordered)
