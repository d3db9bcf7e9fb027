"""Create the chain head row at install, so two first-ever writers never race to create it."""

from django.db import migrations

GENESIS = "0" * 64


def create_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditHead")
    if not head.objects.filter(pk=1).exists():
        head.objects.create(pk=1, last_id=0, last_hash=GENESIS, count=0)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(create_head, migrations.RunPython.noop)]
