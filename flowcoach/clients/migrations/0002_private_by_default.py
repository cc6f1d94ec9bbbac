"""Profile parts start "Only you" for new profiles and stories. Defaults change only what is
created from now on: existing profiles and stories keep the visibility they have."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="achievementstory",
            name="visibility",
            field=models.CharField(
                choices=[
                    ("coach_only", "Only you"),
                    ("shared_with_client", "Shared with the client"),
                ],
                default="coach_only",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="motivationprofile",
            name="motivational_flow_visibility",
            field=models.CharField(
                choices=[
                    ("coach_only", "Only you"),
                    ("shared_with_client", "Shared with the client"),
                ],
                default="coach_only",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="motivationprofile",
            name="shadow_side_visibility",
            field=models.CharField(
                choices=[
                    ("coach_only", "Only you"),
                    ("shared_with_client", "Shared with the client"),
                ],
                default="coach_only",
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="motivationprofile",
            name="themes_visibility",
            field=models.CharField(
                choices=[
                    ("coach_only", "Only you"),
                    ("shared_with_client", "Shared with the client"),
                ],
                default="coach_only",
                max_length=20,
            ),
        ),
    ]
