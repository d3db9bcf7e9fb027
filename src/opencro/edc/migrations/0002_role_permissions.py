"""Give existing studies' default roles the EDC permissions added with this app (audited)."""

from django.db import migrations
from django.utils import timezone

ADDED = {
    "project_manager": ["data.view"],
    "sponsor_oversight": ["data.view"],
    "monitor": ["data.view"],
    "data_manager": ["data.view", "edc.build"],
    "medical_coder": ["data.view"],
    "biostatistician": ["data.view"],
    "unblinded_statistician": ["data.view"],
    "safety_physician": ["data.view"],
    "regulatory_specialist": ["data.view"],
    "investigator": ["data.view", "data.signoff"],
    "study_coordinator": ["data.view"],
    "auditor": ["data.view"],
}


def forwards(apps, schema_editor):
    from opencro.audit.chain import GENESIS, record_hash

    Role = apps.get_model("accounts", "Role")
    AuditRecord = apps.get_model("audit", "AuditRecord")
    AuditHead = apps.get_model("audit", "AuditHead")
    head = AuditHead.objects.filter(pk=1).first()
    prev = head.last_hash if head else GENESIS
    count = 0
    last_id = head.last_id if head else 0
    for role in Role.objects.filter(code__in=ADDED).order_by("pk"):
        old = sorted(role.permissions)
        new = sorted(set(old) | set(ADDED[role.code]))
        if new == old:
            continue
        role.permissions = new
        role.save(update_fields=["permissions"])
        row = {
            "timestamp": timezone.now(),
            "username": "system",
            "user_id": None,
            "action": "update",
            "object_type": "accounts.role",
            "object_id": str(role.pk),
            "object_repr": role.name[:255],
            "study_id": role.study_id,
            "site_id": None,
            "field": "permissions",
            "old_value": _json(old),
            "new_value": _json(new),
            "reason": "EDC permissions added by software upgrade",
        }
        row["prev_hash"] = prev
        row["hash"] = prev = record_hash(row, prev)
        last_id = AuditRecord.objects.create(**row).pk
        count += 1
    if count:
        AuditHead.objects.update_or_create(
            pk=1, defaults={"last_id": last_id, "last_hash": prev, "count": (head.count if head else 0) + count}
        )


def _json(value):
    import json

    return json.dumps(value, sort_keys=True, default=str)


class Migration(migrations.Migration):
    dependencies = [("edc", "0001_initial"), ("accounts", "0001_initial"), ("audit", "0003_chain_head")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
