"""Give the default roles of existing studies the permissions the RTSM added (new studies get them from
DEFAULT_ROLES). Roles a study renamed keep their code, so they are updated too; custom roles are left alone."""

from django.db import migrations

ADDED = {
    "unblinded_statistician": ["rtsm.configure"],
    "safety_physician": ["treatment.unblind_notify"],
    "pharmacist": ["supply.dispense"],
    "investigator": ["subject.randomise", "treatment.unblind", "supply.dispense"],
    "study_coordinator": ["subject.randomise", "supply.dispense"],
}


def add_permissions(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for role in Role.objects.filter(code__in=ADDED):
        missing = [p for p in ADDED[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_alter_signature_meaning")]
    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
