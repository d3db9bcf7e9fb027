"""The protocol the registry tests register: built on the shared world's study T-001 (tests/conftest.py)."""

import datetime as dt

from opencro.audit.services import audited_save
from opencro.safety.models import SafetyProduct
from opencro.studies import services as studies
from opencro.studies.models import (
    Country,
    EligibilityCriterion,
    Endpoint,
    Objective,
    ProtocolVersion,
    Site,
)


def save(instance):
    return studies.protocol_item_save(actor=None, instance=instance)


def registry_protocol(world):
    """The world's study T-001 with a protocol to register: version 1.0 approved, one primary objective and
    endpoint, an age criterion, an investigational product; sites with cities and targets (A1 Chicago 20, B1 Tokyo
    20) and a selected site C1 in Berlin (10), so the EU CTR export has a member state."""
    study = world.study
    version = save(ProtocolVersion(study=study, version="1.0", status="approved", effective_date=dt.date(2026, 1, 1)))
    objective = save(Objective(study=study, level="primary", description="Efficacy of X", order=1))
    save(
        Endpoint(objective=objective, level="primary", type="continuous", description="NT-proBNP", timeframe="Week 12")
    )
    save(EligibilityCriterion(study=study, kind="inclusion", number=1, text="Adults", expression="age >= 18"))
    save(EligibilityCriterion(study=study, kind="exclusion", number=1, text="Pregnancy"))
    audited_save(SafetyProduct(study=study, name="Drug X", kind="investigational"), actor=None)
    Site.objects.filter(pk=world.site_a.pk).update(city="Chicago", target_enrolment=20)
    Site.objects.filter(pk=world.site_b.pk).update(city="Tokyo", target_enrolment=20)
    germany = save(Country(study=study, code="DE", name="Germany", regulator="BfArM"))
    studies.site_create(
        actor=None,
        study=study,
        number="C1",
        institution="Charite Berlin",
        principal_investigator="Dr C",
        country=germany,
        city="Berlin",
        time_zone="Europe/Berlin",
        status="selected",
        target_enrolment=10,
    )
    return version
