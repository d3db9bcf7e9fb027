"""Give the default roles of existing studies the close-out permissions (the project manager runs the close-out, the
sponsor's oversight approves it; the project manager holds the approval too, so as to grant the sponsor's oversight
role, but the close-out service refuses an approval by someone who signed one of its steps); new studies get them
from DEFAULT_ROLES. Custom roles are left alone. The organisation role "project lead" joins the choices."""

from django.db import migrations, models

ADDED = {
    "project_manager": ["closeout.manage", "closeout.approve"],
    "sponsor_oversight": ["closeout.approve"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0009_payment_permissions")]
    operations = [
        migrations.RunPython(add_permissions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="organisationmember",
            name="role",
            field=models.CharField(
                choices=[
                    ("admin", "Organisation administrator"),
                    ("executive", "Executive (signs contracts)"),
                    ("contracts", "Contracts manager"),
                    ("project_lead", "Project lead"),
                    ("viewer", "Viewer"),
                ],
                max_length=12,
                verbose_name="role",
            ),
        ),
    ]
