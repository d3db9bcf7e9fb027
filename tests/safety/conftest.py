"""The safety world: the shared study with an EDC build whose AE form is CDASH, an investigational product with
its reference safety information, the fictional MedDRA loaded, and the FDA and PMDA rule sets followed."""

import datetime as dt

import pytest

from opencro.coding.services import dictionary_load, study_coding_configure
from opencro.edc.entries import ItemEntry
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import form_save
from opencro.edc.spec import spec_cache_clear
from opencro.formats.coding import write_fictional_meddra
from opencro.safety.models import ProductKind, ReferenceSafetyInformation, SafetyCase, SafetyProduct
from opencro.safety.services.reporting import rule_sets_install, study_rule_sets_set
from opencro.safety.services.rsi import rsi_version_save, safety_product_save
from tests.safety.builds import safety_build

RSI_FROM = dt.date(2026, 1, 1)


@pytest.fixture
def safety_world(world, tmp_path):
    spec_cache_clear()
    world.version = build_import(actor=world.users["data_manager"], study=world.study, build=safety_build())
    meddra = dictionary_load(actor=None, kind="meddra", directory=write_fictional_meddra(tmp_path / "m261", "26.1"))
    study_coding_configure(actor=None, study=world.study, meddra=meddra, whodrug=None, items={"IT.AETERM": "MedDRA"})
    world.meddra = meddra
    rule_sets_install()
    study_rule_sets_set(actor=None, study=world.study, codes=["FDA-IND", "PMDA-EXAMPLE"])
    world.product = safety_product_save(
        actor=None,
        product=SafetyProduct(study=world.study, name="Cardiozan", kind=ProductKind.INVESTIGATIONAL, blinded=True),
    )
    world.rsi = rsi_version_save(
        actor=None,
        rsi=ReferenceSafetyInformation(
            study=world.study,
            product=world.product,
            document="Investigator's Brochure",
            version="5.0",
            effective_from=RSI_FROM,
        ),
        terms=[("940000001", "Headache", False), ("940000006", "Nausea", False)],
    )
    return world


def report_sae(
    world,
    term="Headache",
    *,
    repeat=1,
    criteria="HOSP",
    outcome="RECOVERING/RESOLVING",
    relationship="RELATED",
    start="2026-11-20",
    user="investigator",
    serious="1",
    **more,
) -> SafetyCase | None:
    """The investigator saves an adverse-event row on subject A1-001's AE form; returns the row's case, if any."""
    values = {
        "IT.AETERM": term,
        "IT.AESTDAT": start,
        "IT.AESER": serious,
        "IT.AESCRIT": criteria,
        "IT.AEOUT": outcome,
        "IT.AEREL": relationship,
        **more,
    }
    result = form_save(
        actor=world.users[user],
        subject=world.subject_a,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=[ItemEntry(oid, value, repeat=repeat) for oid, value in values.items() if value is not None],
        reason="follow-up from the site",
    )
    return SafetyCase.objects.filter(edc_form=result.form, edc_row=repeat).first()
