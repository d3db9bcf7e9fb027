"""The demo's safety set-up: the study drug and placebo, the investigator's brochure's expected terms, and the
reporting rule sets of its countries. Serious adverse events then reach the safety database from the EDC as the
clinical data is entered, coded with the demo's fictional MedDRA (`demo.coding`), which also gives the expected
terms their PT codes."""

import datetime as dt

from opencro.accounts.models import User
from opencro.demo.meddra import PT_CODES
from opencro.safety.models import (
    AssessmentSource,
    CaseCausality,
    CaseDrugEvent,
    ProductKind,
    ProductRole,
    ReferenceSafetyInformation,
    Relatedness,
    SafetyProduct,
)
from opencro.safety.services.content import case_part_save
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
        terms=[(PT_CODES[term], term, False) for term in EXPECTED_TERMS],
    )


# The sponsor's own causality (the company assessment, E2B G.k.9.i.2.r): the safety physician sees a reasonable
# possibility where the investigators did not, so these serious, unexpected events become SUSARs with clocks.
COMPANY_RELATED = {
    "Cardiac failure": "Company assessment: a reasonable possibility cannot be excluded; cardiorelaxin acts on cardiac "
    "haemodynamics (IB 3.0 section 5) and the worsening followed dosing.",
}


def review_cases(study: Study) -> int:
    """The safety physician's first review of the cases the EDC opened: record the company's causality where it
    differs from the investigator's (`COMPANY_RELATED`, by coded PT); return the number of assessments recorded.

    A case is a suspected adverse reaction when either the reporter or the company sees a reasonable possibility
    (ICH E2A III.A.1; Regulation (EU) No 536/2014 Annex III 2.1(4)), so the clocks of these cases start.
    """
    physician = User.objects.get(username="safety")
    recorded = 0
    pairs = CaseDrugEvent.objects.filter(
        version__case__study=study,
        version__frozen_at=None,
        event__pt_name__in=COMPANY_RELATED,
        product__role=ProductRole.SUSPECT,
    ).select_related("version", "event")
    for pair in pairs.order_by("version__case__number", "pk"):
        if pair.assessments.filter(source=AssessmentSource.COMPANY).exists():
            continue
        case_part_save(
            actor=physician,
            part=CaseCausality(
                version=pair.version,
                pair=pair,
                source=AssessmentSource.COMPANY,
                result=Relatedness.RELATED,
                comment=COMPANY_RELATED[pair.event.pt_name],
            ),
            reason="company causality assessment at medical review",
        )
        recorded += 1
    return recorded
