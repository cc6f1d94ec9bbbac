"""A session's held time, apart from its booked time. Sessions already held get the moment
the runner first started them, else their booked time (which is what was shown until now)."""

from django.db import migrations, models


def held_from_timing(apps, schema_editor) -> None:
    CoachingSession = apps.get_model("coaching", "CoachingSession")
    SessionRecord = apps.get_model("coaching", "SessionRecord")
    started = dict(
        SessionRecord.objects.filter(session__status="held", started_at__isnull=False).values_list(
            "session_id", "started_at"
        )
    )
    for session in CoachingSession.objects.filter(status="held", held_at__isnull=True).only(
        "pk", "starts_at"
    ):
        held = started.get(session.pk) or session.starts_at
        if held is not None:
            CoachingSession.objects.filter(pk=session.pk).update(held_at=held)


class Migration(migrations.Migration):
    dependencies = [("coaching", "0006_purposestatement_version")]

    operations = [
        migrations.AddField(
            model_name="coachingsession",
            name="held_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(held_from_timing, migrations.RunPython.noop),
    ]
