"""Give the default roles of existing studies the site-payment permissions; new studies get them from
DEFAULT_ROLES. Custom roles are left alone."""

from django.db import migrations

ADDED = {
    "project_manager": ["payment.view", "payment.manage", "payment.approve"],
    "sponsor_oversight": ["payment.view", "payment.approve"],
    "monitor": ["payment.view"],
    "investigator": ["payment.view"],
    "study_coordinator": ["payment.view"],
    "auditor": ["payment.view"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_organisations")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
