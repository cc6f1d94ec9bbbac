"""The database cache's table: it holds the sign-in rate-limit counters that every worker
process must share (settings.CACHES). Made here so `migrate` alone prepares a new install;
with Redis configured, createcachetable has nothing to do."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_retention")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
