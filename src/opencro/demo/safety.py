"""The demo's safety set-up: the study drug and placebo, the investigator's brochure's expected terms, and the
reporting rule sets of its countries. Serious adverse events then reach the safety database from the EDC as the
clinical data is entered."""

import datetime as dt

from opencro.safety.models import ProductKind, ReferenceSafetyInformation, SafetyProduct
from opencro.safety.services.reporting import rule_sets_install, study_rule_sets_set
from opencro.safety.services.rsi import rsi_version_save, safety_product_save
from opencro.studies.models import Study

# The IB's reference safety information (section 7.4), as MedDRA preferred terms; fatal outcomes are not expected.
EXPECTED_TERMS = ["Hypotension", "Dizziness", "Hyperkalaemia", "Headache", "Renal impairment", "Fatigue", "Nausea"]
RULE_SETS = ["FDA-IND", "EU-CTR", "PMDA-EXAMPLE", "EC-INV-EXAMPLE"]


def load_safety(study: Study) -> None:
    rule_sets_install()
    study_rule_sets_set(actor=None, study=study, codes=RULE_SETS)
    drug = safety_product_save(
        actor=None,
        product=SafetyProduct(
            study=study,
            name="OPC-1127 (cardiorelaxin)",
            kind=ProductKind.INVESTIGATIONAL,
            active_ingredient="cardiorelaxin",
            ind_number=study.ind_number,
            blinded=True,
        ),
    )
    safety_product_save(
        actor=None, product=SafetyProduct(study=study, name="Placebo", kind=ProductKind.PLACEBO, blinded=True)
    )
    rsi_version_save(
        actor=None,
        rsi=ReferenceSafetyInformation(
            study=study,
            product=drug,
            document="Investigator's Brochure",
            version="3.0",
            effective_from=dt.date(2025, 9, 1),
        ),
        terms=[("", term, False) for term in EXPECTED_TERMS],
    )
