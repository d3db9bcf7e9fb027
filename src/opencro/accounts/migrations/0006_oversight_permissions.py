"""Give the default roles of existing studies the oversight permissions of issue 9 (risk assessment, QTLs, KRIs,
issues, monitoring visits); new studies get them from DEFAULT_ROLES. Custom roles are left alone."""

from django.db import migrations

ADDED = {
    "project_manager": [
        "oversight.view",
        "risk.manage",
        "risk.approve",
        "issue.manage",
        "visit.manage",
        "visit.approve",
    ],
    "sponsor_oversight": ["oversight.view", "risk.approve", "issue.manage", "visit.approve"],
    "monitor": ["oversight.view", "risk.manage", "issue.manage", "visit.manage"],
    "data_manager": ["oversight.view", "issue.manage"],
    "auditor": ["oversight.view"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_deviation_permissions")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
