from django.db import migrations, models


def withdraw_older_duplicates(apps, schema_editor):
    # Before the constraint: should two pending links to one address and role exist (two
    # sends at the same moment), the newest stays live, as a later send would have left it.
    Invitation = apps.get_model("accounts", "Invitation")
    seen = set()
    for invitation in Invitation.objects.filter(status="pending").order_by("-created_at", "-pk"):
        key = (invitation.organisation_id, invitation.email.lower(), invitation.role)
        if key in seen:
            Invitation.objects.filter(pk=invitation.pk).update(status="revoked")
        seen.add(key)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_shared_cache_table"),
    ]

    operations = [
        migrations.RunPython(withdraw_older_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status", "pending")),
                fields=("organisation", "email", "role"),
                name="invitation_pending_once",
            ),
        ),
    ]
