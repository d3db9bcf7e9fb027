"""`opencro audit verify`: exit 0 on an intact chain, 1 naming the first bad record otherwise."""

import json

import pytest
from typer.testing import CliRunner

from opencro.audit.models import AuditRecord
from opencro.cli.main import app
from tests.audit.conftest import raw, triggers_off

runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_verify_passes_on_a_clean_chain(world):
    total = AuditRecord.objects.count()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"Audit trail intact: {total} records verified." in result.output


@pytest.mark.django_db(transaction=True)
def test_verify_fails_naming_the_tampered_record(world):
    target = AuditRecord.objects.order_by("id").values_list("id", flat=True)[7]
    triggers_off()
    raw("UPDATE audit_auditrecord SET old_value = %s WHERE id = %s", ["edited", target])
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert f"#{target}" in result.output
    assert "content does not match its hash" in " ".join(result.output.split())


@pytest.mark.django_db(transaction=True)
def test_verify_json_reports_the_break(world):
    ids = list(AuditRecord.objects.order_by("id").values_list("id", flat=True))
    triggers_off()
    raw("DELETE FROM audit_auditrecord WHERE id = %s", [ids[-1]])
    result = runner.invoke(app, ["audit", "verify", "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout.strip().splitlines()[0])
    assert report == {
        "checked": len(ids) - 1,
        "total": len(ids) - 1,
        "break_id": ids[-1],
        "problem": "records are missing at the end of the chain",
        "ok": False,
    }
