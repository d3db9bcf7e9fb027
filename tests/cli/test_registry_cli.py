"""`opencro registry`: export writes the selector's document (and lists what is left to complete), an export that
cannot be made writes nothing and exits 1, changes lists what changed since the latest record. Commands are invoked
on `registry.app` (the lead mounts it as `opencro registry`)."""

import datetime as dt
import json

import pytest
from tests.regulatory.registry.protocol import registry_protocol
from typer.testing import CliRunner

from opencro.accounts.permissions import RoleCode
from opencro.cli import registry
from opencro.regulatory.registry import selectors, services
from opencro.studies.models import Endpoint

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def protocol(world):
    return registry_protocol(world)


def test_export_and_changes(world, protocol, tmp_path):
    out = tmp_path / "ctgov.json"
    result = runner.invoke(registry.app, ["export", "--study", "T-001", "--registry", "ctgov", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text()) == selectors.registry_export(world.study, "ctgov")
    assert "protocol version 1.0" in result.stdout and "eligibilityModule.sex" in result.stdout

    result = runner.invoke(registry.app, ["changes", "--study", "T-001"])
    assert result.exit_code == 0, result.output
    assert "ctgov: nothing recorded as registered." in result.stdout

    services.registry_record_create(
        actor=world.user(RoleCode.REGULATORY_SPECIALIST),
        study=world.study,
        registry="ctgov",
        registered_on=dt.date(2026, 6, 1),
    )
    Endpoint.objects.filter(objective__study=world.study).update(timeframe="Week 16")
    result = runner.invoke(registry.app, ["changes", "--study", "T-001", "--registry", "ctgov", "--json"])
    assert result.exit_code == 0, result.output
    (only,) = json.loads(result.stdout)["registries"]
    assert only["registered_on"] == "2026-06-01" and only["registered_version"] == "1.0"
    assert only["changes"] == [
        {"path": "outcomes.primary[0].timeFrame", "kind": "changed", "registered": "Week 12", "current": "Week 16"}
    ]
    text = runner.invoke(registry.app, ["changes", "--study", "T-001", "--registry", "ctgov"]).stdout
    assert "outcomes.primary[0].timeFrame: Week 12 -> Week 16" in text


def test_refusals(world, tmp_path):
    out = tmp_path / "eu.json"
    result = runner.invoke(registry.app, ["export", "--study", "T-001", "--registry", "euctr", "--out", str(out)])
    assert result.exit_code == 1 and not out.exists()  # sites in the US and Japan only
    assert "EU/EEA" in result.stderr
    result = runner.invoke(registry.app, ["changes", "--study", "NOPE"])
    assert result.exit_code == 1 and "no study" in result.stderr
    result = runner.invoke(registry.app, ["export", "--study", "T-001", "--registry", "isrctn", "--out", str(out)])
    assert result.exit_code == 2
