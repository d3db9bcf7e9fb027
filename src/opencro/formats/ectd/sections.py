"""The CTD heading elements of `ich-ectd-3-2.dtd` this package writes, with their parents and heading attributes.

Element names are those of the ICH eCTD DTD v3.2 (ICH eCTD Specification v3.2.2, Appendix 6 "Table of Contents
headings" and Appendix 8, the DTD), listed here in the DTD's content-model order so a writer that walks this table
emits siblings in the order the DTD requires. Attributes are the heading attributes the DTD declares on that element
(Appendix 6, Table 6-8: substance, manufacturer, product-name, dosage-form, indication); True marks #REQUIRED.

Covered: module 1 (the single ICH element whose only leaf is the regional backbone), module 2 down to 2.7.6, module 3
(3.2.S and 3.2.P with their subsections, 3.2.A, 3.2.R, 3.3), module 4 down to 4.2.3.7 and 4.3, module 5 down to
5.3.7 and 5.4. Deeper module 3/4 headings (e.g. 3.2.A.1-3, 4.2.3.7.x) are not in the table and are refused.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Section:
    """One heading element: its CTD number, parent element (None for a module root) and DTD attributes."""

    element: str
    number: str
    parent: str | None
    attributes: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    order: int = 0


_SUBSTANCE = {"substance": True, "manufacturer": True}
_PRODUCT = {"product-name": False, "dosage-form": True, "manufacturer": True}
_INDICATION = {"indication": True}

M1 = "m1-administrative-information-and-prescribing-information"
M2 = "m2-common-technical-document-summaries"
M3 = "m3-quality"
M4 = "m4-nonclinical-study-reports"
M5 = "m5-clinical-study-reports"

_ROWS: tuple[tuple[str, str, str | None, dict[str, bool]], ...] = (
    (M1, "1", None, {}),
    (M2, "2", None, {}),
    ("m2-2-introduction", "2.2", M2, {}),
    ("m2-3-quality-overall-summary", "2.3", M2, {}),
    ("m2-3-introduction", "2.3", "m2-3-quality-overall-summary", {}),
    ("m2-3-s-drug-substance", "2.3.S", "m2-3-quality-overall-summary", _SUBSTANCE),
    ("m2-3-p-drug-product", "2.3.P", "m2-3-quality-overall-summary", _PRODUCT),
    ("m2-3-a-appendices", "2.3.A", "m2-3-quality-overall-summary", {}),
    ("m2-3-r-regional-information", "2.3.R", "m2-3-quality-overall-summary", {}),
    ("m2-4-nonclinical-overview", "2.4", M2, {}),
    ("m2-5-clinical-overview", "2.5", M2, {}),
    ("m2-6-nonclinical-written-and-tabulated-summaries", "2.6", M2, {}),
    ("m2-6-1-introduction", "2.6.1", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-2-pharmacology-written-summary", "2.6.2", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-3-pharmacology-tabulated-summary", "2.6.3", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-4-pharmacokinetics-written-summary", "2.6.4", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-5-pharmacokinetics-tabulated-summary", "2.6.5", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-6-toxicology-written-summary", "2.6.6", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-6-7-toxicology-tabulated-summary", "2.6.7", "m2-6-nonclinical-written-and-tabulated-summaries", {}),
    ("m2-7-clinical-summary", "2.7", M2, {}),
    (
        "m2-7-1-summary-of-biopharmaceutic-studies-and-associated-analytical-methods",
        "2.7.1",
        "m2-7-clinical-summary",
        {},
    ),
    ("m2-7-2-summary-of-clinical-pharmacology-studies", "2.7.2", "m2-7-clinical-summary", {}),
    ("m2-7-3-summary-of-clinical-efficacy", "2.7.3", "m2-7-clinical-summary", _INDICATION),
    ("m2-7-4-summary-of-clinical-safety", "2.7.4", "m2-7-clinical-summary", {}),
    ("m2-7-5-literature-references", "2.7.5", "m2-7-clinical-summary", {}),
    ("m2-7-6-synopses-of-individual-studies", "2.7.6", "m2-7-clinical-summary", {}),
    (M3, "3", None, {}),
    ("m3-2-body-of-data", "3.2", M3, {}),
    ("m3-2-s-drug-substance", "3.2.S", "m3-2-body-of-data", _SUBSTANCE),
    ("m3-2-s-1-general-information", "3.2.S.1", "m3-2-s-drug-substance", {}),
    ("m3-2-s-2-manufacture", "3.2.S.2", "m3-2-s-drug-substance", {}),
    ("m3-2-s-3-characterisation", "3.2.S.3", "m3-2-s-drug-substance", {}),
    ("m3-2-s-4-control-of-drug-substance", "3.2.S.4", "m3-2-s-drug-substance", {}),
    ("m3-2-s-5-reference-standards-or-materials", "3.2.S.5", "m3-2-s-drug-substance", {}),
    ("m3-2-s-6-container-closure-system", "3.2.S.6", "m3-2-s-drug-substance", {}),
    ("m3-2-s-7-stability", "3.2.S.7", "m3-2-s-drug-substance", {}),
    ("m3-2-p-drug-product", "3.2.P", "m3-2-body-of-data", _PRODUCT),
    ("m3-2-p-1-description-and-composition-of-the-drug-product", "3.2.P.1", "m3-2-p-drug-product", {}),
    ("m3-2-p-2-pharmaceutical-development", "3.2.P.2", "m3-2-p-drug-product", {}),
    ("m3-2-p-3-manufacture", "3.2.P.3", "m3-2-p-drug-product", {}),
    ("m3-2-p-4-control-of-excipients", "3.2.P.4", "m3-2-p-drug-product", {}),
    ("m3-2-p-5-control-of-drug-product", "3.2.P.5", "m3-2-p-drug-product", {}),
    ("m3-2-p-6-reference-standards-or-materials", "3.2.P.6", "m3-2-p-drug-product", {}),
    ("m3-2-p-7-container-closure-system", "3.2.P.7", "m3-2-p-drug-product", {}),
    ("m3-2-p-8-stability", "3.2.P.8", "m3-2-p-drug-product", {}),
    ("m3-2-a-appendices", "3.2.A", "m3-2-body-of-data", {}),
    ("m3-2-r-regional-information", "3.2.R", "m3-2-body-of-data", {}),
    ("m3-3-literature-references", "3.3", M3, {}),
    (M4, "4", None, {}),
    ("m4-2-study-reports", "4.2", M4, {}),
    ("m4-2-1-pharmacology", "4.2.1", "m4-2-study-reports", {}),
    ("m4-2-1-1-primary-pharmacodynamics", "4.2.1.1", "m4-2-1-pharmacology", {}),
    ("m4-2-1-2-secondary-pharmacodynamics", "4.2.1.2", "m4-2-1-pharmacology", {}),
    ("m4-2-1-3-safety-pharmacology", "4.2.1.3", "m4-2-1-pharmacology", {}),
    ("m4-2-1-4-pharmacodynamic-drug-interactions", "4.2.1.4", "m4-2-1-pharmacology", {}),
    ("m4-2-2-pharmacokinetics", "4.2.2", "m4-2-study-reports", {}),
    ("m4-2-2-1-analytical-methods-and-validation-reports", "4.2.2.1", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-2-absorption", "4.2.2.2", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-3-distribution", "4.2.2.3", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-4-metabolism", "4.2.2.4", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-5-excretion", "4.2.2.5", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-6-pharmacokinetic-drug-interactions", "4.2.2.6", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-2-7-other-pharmacokinetic-studies", "4.2.2.7", "m4-2-2-pharmacokinetics", {}),
    ("m4-2-3-toxicology", "4.2.3", "m4-2-study-reports", {}),
    ("m4-2-3-1-single-dose-toxicity", "4.2.3.1", "m4-2-3-toxicology", {}),
    ("m4-2-3-2-repeat-dose-toxicity", "4.2.3.2", "m4-2-3-toxicology", {}),
    ("m4-2-3-3-genotoxicity", "4.2.3.3", "m4-2-3-toxicology", {}),
    ("m4-2-3-4-carcinogenicity", "4.2.3.4", "m4-2-3-toxicology", {}),
    ("m4-2-3-5-reproductive-and-developmental-toxicity", "4.2.3.5", "m4-2-3-toxicology", {}),
    ("m4-2-3-6-local-tolerance", "4.2.3.6", "m4-2-3-toxicology", {}),
    ("m4-2-3-7-other-toxicity-studies", "4.2.3.7", "m4-2-3-toxicology", {}),
    ("m4-3-literature-references", "4.3", M4, {}),
    (M5, "5", None, {}),
    ("m5-2-tabular-listing-of-all-clinical-studies", "5.2", M5, {}),
    ("m5-3-clinical-study-reports", "5.3", M5, {}),
    ("m5-3-1-reports-of-biopharmaceutic-studies", "5.3.1", "m5-3-clinical-study-reports", {}),
    ("m5-3-1-1-bioavailability-study-reports", "5.3.1.1", "m5-3-1-reports-of-biopharmaceutic-studies", {}),
    (
        "m5-3-1-2-comparative-ba-and-bioequivalence-study-reports",
        "5.3.1.2",
        "m5-3-1-reports-of-biopharmaceutic-studies",
        {},
    ),
    ("m5-3-1-3-in-vitro-in-vivo-correlation-study-reports", "5.3.1.3", "m5-3-1-reports-of-biopharmaceutic-studies", {}),
    (
        "m5-3-1-4-reports-of-bioanalytical-and-analytical-methods-for-human-studies",
        "5.3.1.4",
        "m5-3-1-reports-of-biopharmaceutic-studies",
        {},
    ),
    (
        "m5-3-2-reports-of-studies-pertinent-to-pharmacokinetics-using-human-biomaterials",
        "5.3.2",
        "m5-3-clinical-study-reports",
        {},
    ),
    ("m5-3-3-reports-of-human-pharmacokinetics-pk-studies", "5.3.3", "m5-3-clinical-study-reports", {}),
    ("m5-3-4-reports-of-human-pharmacodynamics-pd-studies", "5.3.4", "m5-3-clinical-study-reports", {}),
    ("m5-3-5-reports-of-efficacy-and-safety-studies", "5.3.5", "m5-3-clinical-study-reports", _INDICATION),
    (
        "m5-3-5-1-study-reports-of-controlled-clinical-studies-pertinent-to-the-claimed-indication",
        "5.3.5.1",
        "m5-3-5-reports-of-efficacy-and-safety-studies",
        {},
    ),
    (
        "m5-3-5-2-study-reports-of-uncontrolled-clinical-studies",
        "5.3.5.2",
        "m5-3-5-reports-of-efficacy-and-safety-studies",
        {},
    ),
    (
        "m5-3-5-3-reports-of-analyses-of-data-from-more-than-one-study",
        "5.3.5.3",
        "m5-3-5-reports-of-efficacy-and-safety-studies",
        {},
    ),
    ("m5-3-5-4-other-study-reports", "5.3.5.4", "m5-3-5-reports-of-efficacy-and-safety-studies", {}),
    ("m5-3-6-reports-of-postmarketing-experience", "5.3.6", "m5-3-clinical-study-reports", {}),
    ("m5-3-7-case-report-forms-and-individual-patient-listings", "5.3.7", "m5-3-clinical-study-reports", {}),
    ("m5-4-literature-references", "5.4", M5, {}),
)

SECTIONS: Mapping[str, Section] = MappingProxyType(
    {
        element: Section(element, number, parent, MappingProxyType(dict(attributes)), order)
        for order, (element, number, parent, attributes) in enumerate(_ROWS)
    }
)

STUDY_SECTION_PREFIXES = ("m4-2-", "m5-3-")
"""Where the ICH Study Tagging File applies: study reports of 4.2 and 5.3 (ICH STF Specification v2.6.1, 1)."""


def ancestry(element: str) -> tuple[Section, ...]:
    """The heading path from the module root down to `element` (KeyError for an element not in the table)."""
    path: list[Section] = []
    current: str | None = element
    while current is not None:
        section = SECTIONS[current]
        path.append(section)
        current = section.parent
    return tuple(reversed(path))


def required_attributes(element: str) -> dict[str, str]:
    """Every heading attribute the DTD declares on `element` or its ancestors, mapped to the element that needs it."""
    declared: dict[str, str] = {}
    for section in ancestry(element):
        for name in section.attributes:
            declared[name] = section.element
    return declared


def takes_study_tagging(element: str) -> bool:
    """True for a section whose leaves may be grouped by a Study Tagging File."""
    return element.startswith(STUDY_SECTION_PREFIXES)
