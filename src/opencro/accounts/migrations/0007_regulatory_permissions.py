"""Give the default roles of existing studies the regulatory and trial master file permissions of issue 10; new
studies get them from DEFAULT_ROLES. Custom roles are left alone."""

from django.db import migrations

ADDED = {
    "project_manager": ["regulatory.view", "regulatory.edit", "document.approve", "tmf.file", "tmf.qc"],
    "sponsor_oversight": ["regulatory.view", "document.approve"],
    "monitor": ["regulatory.view", "tmf.file"],
    "data_manager": ["regulatory.view"],
    "regulatory_specialist": ["regulatory.view", "document.approve", "tmf.file", "tmf.qc"],
    "investigator": ["regulatory.view", "tmf.file"],
    "study_coordinator": ["regulatory.view", "tmf.file"],
    "auditor": ["regulatory.view"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_oversight_permissions")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
