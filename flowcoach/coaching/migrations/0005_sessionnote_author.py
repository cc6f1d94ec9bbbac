"""Every note gets its author. Until now only a session's coach could write in it, so the
engagement's coach wrote every existing note."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def authors_from_engagements(apps, schema_editor) -> None:
    SessionNote = apps.get_model("coaching", "SessionNote")
    Engagement = apps.get_model("coaching", "Engagement")
    coach = Engagement.objects.filter(sessions__notes=OuterRef("pk")).values("coach_id")[:1]
    SessionNote.objects.filter(author__isnull=True).update(author_id=Subquery(coach))


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0004_preparation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sessionnote",
            name="author",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="session_notes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(authors_from_engagements, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sessionnote",
            name="author",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="session_notes",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]
