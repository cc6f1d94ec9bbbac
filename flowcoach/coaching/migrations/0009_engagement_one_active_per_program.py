from django.db import migrations, models
from django.utils import timezone


def stop_double_enrolments(apps, schema_editor):
    """Before the constraint: where a double submit left several active engagements of one
    client in one program, the oldest stays and the later copies are stopped."""
    Engagement = apps.get_model("coaching", "Engagement")
    seen = set()
    for engagement in Engagement.objects.filter(status="active").order_by("created_at", "pk"):
        pair = (engagement.client_id, engagement.program_id)
        if pair in seen:
            engagement.status = "stopped"
            engagement.ended_at = timezone.now()
            engagement.save(update_fields=["status", "ended_at"])
        seen.add(pair)


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0008_engagement_place"),
    ]

    operations = [
        migrations.RunPython(stop_double_enrolments, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="engagement",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "active")),
                fields=("client", "program"),
                name="engagement_one_active_per_program",
            ),
        ),
    ]
