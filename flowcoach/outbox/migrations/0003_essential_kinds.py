"""A kind for essential emails recorded as sent: invitations to join."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_message_headers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="message",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invitation", "Session invitation"),
                    ("session_update", "Session update"),
                    ("preparation", "Preparation email"),
                    ("follow_up", "Follow-up"),
                    ("checkin", "Check-in invitation"),
                    ("reminder", "Reminder"),
                    ("digest", "Digest"),
                    ("one_off", "One-off message"),
                    ("notification", "Notification"),
                    ("account_invitation", "Invitation to join"),
                ],
                max_length=20,
            ),
        ),
    ]
