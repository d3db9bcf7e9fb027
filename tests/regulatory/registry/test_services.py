"""Recording what was registered and showing what changed since: `registry_record_create` and the selectors, on the
shared world's study T-001 with the `protocol` fixture (tests/regulatory/registry/conftest.py)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.formats.ctgov.registration import registration_from_ctgov
from opencro.formats.errors import FormatError
from opencro.regulatory.models import RegistryRecord
from opencro.regulatory.registry import selectors, services
from opencro.studies.models import Endpoint, ProtocolVersion
from tests.regulatory.registry.protocol import save

pytestmark = pytest.mark.django_db
RA = RoleCode.REGULATORY_SPECIALIST
DAY = dt.date(2026, 6, 1)


def test_a_record_keeps_the_export_and_the_changes_follow_the_protocol(world, protocol):
    study = world.study
    actor = world.user(RA)
    assert selectors.registry_changes(study, "ctgov").record is None
    record = services.registry_record_create(
        actor=actor, study=study, registry="ctgov", registered_on=DAY, identifier="NCT01234567"
    )
    assert record.payload == selectors.registry_export(study, "ctgov")
    assert (record.protocol_version, record.recorded_by, record.identifier) == (protocol, actor, "NCT01234567")
    assert AuditRecord.objects.filter(object_type="regulatory.registryrecord", object_id=str(record.pk)).exists()
    kept = registration_from_ctgov(record.payload)
    assert [o.time_frame for o in kept.primary_outcomes] == ["Week 12"]
    assert kept.eligibility.minimum_age == "18 Years"  # from the criterion's expression "age >= 18"
    assert selectors.registry_changes(study, "ctgov").changes == ()  # nothing changed yet

    amendment = save(ProtocolVersion(study=study, version="2.0", status="approved", effective_date=dt.date(2026, 7, 1)))
    Endpoint.objects.filter(objective__study=study).update(timeframe="Week 16")
    found = selectors.registry_changes(study, "ctgov")
    assert (found.record, found.registered_version, found.current_version) == (record, protocol, amendment)
    assert [(c.path, c.registered, c.current) for c in found.changes] == [
        ("outcomes.primary[0].timeFrame", "Week 12", "Week 16")
    ]

    second = services.registry_record_create(actor=actor, study=study, registry="ctgov", registered_on=DAY)
    assert list(selectors.registry_records(study, "ctgov")) == [second, record]  # same day: the latest first
    assert selectors.registry_changes(study, "ctgov").changes == ()


def test_the_eu_record(world, protocol):
    study = world.study
    record = services.registry_record_create(actor=world.user(RA), study=study, registry="euctr", registered_on=DAY)
    assert record.payload["memberStatesConcerned"] == [{"code": "DE", "name": "Germany", "plannedParticipants": 10}]
    assert record.payload["plannedParticipantsOutsideEEA"] == 40  # A1 and B1: 20 each (the enrolment is 50)
    study.therapeutic_area = "Cardiovascular"
    study.save()
    changes = selectors.registry_changes(study, "euctr").changes
    assert [(c.path, c.registered, c.current) for c in changes] == [
        ("trialInformation.therapeuticAreas[0]", "Cardiology", "Cardiovascular")
    ]


def test_refusals(world, protocol):
    study, actor = world.study, world.user(RA)
    future = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(ValidationError) as refused:
        services.registry_record_create(
            actor=actor, study=study, registry="ctgov", registered_on=future, identifier="12345"
        )
    assert set(refused.value.message_dict) == {"registered_on", "identifier"}
    with pytest.raises(ValidationError) as refused:
        services.registry_record_create(
            actor=actor, study=study, registry="euctr", registered_on=DAY, identifier="NCT01234567"
        )
    assert set(refused.value.message_dict) == {"identifier"}  # an EU CT number is wanted
    with pytest.raises(ValidationError):
        services.registry_record_create(actor=actor, study=study, registry="isrctn", registered_on=DAY)
    with pytest.raises(PermissionDenied):  # regulatory.view only
        services.registry_record_create(
            actor=world.user(RoleCode.AUDITOR), study=study, registry="ctgov", registered_on=DAY
        )
    assert not RegistryRecord.objects.exists()


def test_an_export_that_cannot_be_made_is_not_recorded(world):
    """T-001 without the protocol fixture has sites in the US and Japan only: no EU document."""
    with pytest.raises(ValidationError) as refused:
        services.registry_record_create(actor=world.user(RA), study=world.study, registry="euctr", registered_on=DAY)
    assert "EU/EEA" in str(refused.value)
    with pytest.raises(FormatError):
        selectors.registry_export(world.study, "euctr")


def test_a_site_restricted_reader_sees_only_their_sites(world, protocol):
    study = world.study
    services.registry_record_create(actor=world.user(RA), study=study, registry="ctgov", registered_on=DAY)
    Endpoint.objects.filter(objective__study=study).update(timeframe="Week 16")
    world.site_b.refresh_from_db()
    world.site_b.institution = "Beta Hospital Tokyo"  # renamed at B1: a change the restricted reader must not see
    world.site_b.save()
    mine = {world.site_a.pk}
    document = selectors.registry_export(study, "ctgov", site_ids=mine)
    locations = document["protocolSection"]["contactsLocationsModule"]["locations"]
    assert [loc["facility"] for loc in locations] == ["Alpha Hospital"]
    found = selectors.registry_changes(study, "ctgov", site_ids=mine)
    assert [c.path for c in found.changes] == ["outcomes.primary[0].timeFrame"]
    everyone = selectors.registry_changes(study, "ctgov")
    assert {c.kind for c in everyone.changes if c.path.startswith("locations")} == {"added", "removed"}
