"""Every row of every table of ours, to prove a refused request wrote nothing at all (not
only nothing in the table the URL is about).

The authorization matrix takes this snapshot before and after each of its ~1,100 POSTs, so
each table is read with one plain SQL query: every column as the database driver returns it,
without the ORM's query building and value conversion, which made a snapshot of the matrix's
world cost about 17 ms on SQLite and 30 ms on PostgreSQL instead of about 1 ms and 6 ms.
Raw values are at least as strict as converted ones: rows that read the same raw read the
same through the ORM."""

from __future__ import annotations

from django.apps import apps
from django.db import connection

# The sign-in session of the person making the request is Django's, not ours, and changes
# on every request that sets a message.
IGNORED = {"sessions"}


def snapshot_queries() -> dict[str, str]:
    """Per model label, the query reading its table whole. Many-to-many tables Django makes
    by itself (a user's groups and permissions) count too: they are tables a request could
    write."""
    quote = connection.ops.quote_name
    queries = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.app_label in IGNORED:
            continue
        order = ", ".join(quote(field.column) for field in meta.pk_fields)
        # SELECT *: a column no model field maps is still compared.
        queries[meta.label] = f"SELECT * FROM {quote(meta.db_table)} ORDER BY {order}"
    return queries


def database_rows() -> dict[str, list[tuple]]:
    queries = snapshot_queries()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One round trip to the server instead of one per table: psycopg runs the
            # statements together and hands back each one's rows in turn.
            cursor.execute(";\n".join(queries.values()))
            results = [cursor.fetchall()]
            while cursor.nextset():
                results.append(cursor.fetchall())
            return dict(zip(queries, results, strict=True))
        rows = {}
        for label, sql in queries.items():
            cursor.execute(sql)
            rows[label] = cursor.fetchall()
        return rows


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return sorted(
        label for label in before.keys() | after.keys() if before.get(label) != after.get(label)
    )
