"""Where an engagement's sessions usually happen, set once at enrolment."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0007_coachingsession_held_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="engagement",
            name="address",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="engagement",
            name="phone",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="engagement",
            name="video_link",
            field=models.URLField(blank=True, max_length=500),
        ),
    ]
