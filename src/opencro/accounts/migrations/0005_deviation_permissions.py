"""Give the default roles of existing studies the protocol deviation permissions (new studies get them from
DEFAULT_ROLES). Roles a study renamed keep their code, so they are updated too; custom roles are left alone."""

from django.db import migrations

ADDED = {
    "project_manager": ["deviation.report", "deviation.review"],
    "monitor": ["deviation.report", "deviation.review"],
    "data_manager": ["deviation.report"],
    "investigator": ["deviation.report"],
    "study_coordinator": ["deviation.report"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_safety_unblind")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
