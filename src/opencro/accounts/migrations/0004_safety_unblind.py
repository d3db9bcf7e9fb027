"""The e-signature meaning of a safety case's unblinding, and `safety.unblind` for the safety physician roles of
existing studies (new studies get it from DEFAULT_ROLES; custom roles are left alone)."""

from django.db import migrations, models


def add_permission(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code="safety_physician"):
        if "safety.unblind" not in role.permissions:
            role.permissions = [*role.permissions, "safety.unblind"]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_rtsm_permissions'),
    ]

    operations = [
        migrations.AlterField(
            model_name='signature',
            name='meaning',
            field=models.CharField(choices=[('approve', 'I approve'), ('author', 'I am the author'), ('review', 'I have reviewed'), ('verify', 'I have verified against source'), ('unblind', 'I break the blind for this subject in an emergency'), ('unblind_case', 'I break the blind of this case to decide on expedited reporting')], max_length=20),
        ),
        migrations.RunPython(add_permission, migrations.RunPython.noop),
    ]
