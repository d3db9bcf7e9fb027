"""A small table of CDISC SDTM Controlled Terminology: the code lists the conformance checks enforce.

Values are the CDISC submission values of the SDTM CT package named in `CT_VERSION` (NCI EVS
publication of CDISC terminology). Only non-extensible code lists and those the checks need are held;
a sponsor extends an extensible list (RACE, UNIT...) by passing `extra` to `check_domains`.

References: CDISC SDTM Controlled Terminology, package 2024-03-29, NCI Enterprise Vocabulary
Services (https://evs.nci.nih.gov/ftp1/CDISC/SDTM/): NY C66742, SEX C66731, ETHNIC C66790,
RACE C74457, AGEU C66781, AESEV C66769, OUT C66768, ACN C66767, ND C66789, NCOMPLT C66727,
STENRF C66728, IECAT C66797.
"""

from __future__ import annotations

from dataclasses import dataclass

CT_VERSION = "2024-03-29"
CT_STANDARD = "CDISC/NCI"


@dataclass(frozen=True)
class CodeListTerms:
    """A CDISC code list: its name (as SDTMIG cites it), NCI C-code, extensibility and submission values."""

    name: str
    c_code: str
    extensible: bool
    terms: tuple[str, ...]


_LISTS = (
    CodeListTerms("NY", "C66742", False, ("N", "NA", "U", "Y")),
    CodeListTerms("SEX", "C66731", False, ("F", "M", "U", "UNDIFFERENTIATED")),
    CodeListTerms(
        "ETHNIC", "C66790", False, ("HISPANIC OR LATINO", "NOT HISPANIC OR LATINO", "NOT REPORTED", "UNKNOWN")
    ),
    CodeListTerms(
        "RACE",
        "C74457",
        True,
        (
            "AMERICAN INDIAN OR ALASKA NATIVE",
            "ASIAN",
            "BLACK OR AFRICAN AMERICAN",
            "NATIVE HAWAIIAN OR OTHER PACIFIC ISLANDER",
            "WHITE",
            "NOT REPORTED",
            "UNKNOWN",
            "OTHER",
            "MULTIPLE",
        ),
    ),
    CodeListTerms("AGEU", "C66781", False, ("DAYS", "HOURS", "MONTHS", "WEEKS", "YEARS")),
    CodeListTerms("AESEV", "C66769", False, ("MILD", "MODERATE", "SEVERE")),
    CodeListTerms(
        "OUT",
        "C66768",
        False,
        (
            "FATAL",
            "NOT RECOVERED/NOT RESOLVED",
            "RECOVERED/RESOLVED",
            "RECOVERED/RESOLVED WITH SEQUELAE",
            "RECOVERING/RESOLVING",
            "UNKNOWN",
        ),
    ),
    CodeListTerms(
        "ACN",
        "C66767",
        False,
        (
            "DOSE INCREASED",
            "DOSE NOT CHANGED",
            "DOSE RATE REDUCED",
            "DOSE REDUCED",
            "DRUG INTERRUPTED",
            "DRUG WITHDRAWN",
            "NOT APPLICABLE",
            "UNKNOWN",
        ),
    ),
    CodeListTerms("ND", "C66789", False, ("NOT DONE",)),
    CodeListTerms(
        "STENRF", "C66728", False, ("AFTER", "BEFORE", "COINCIDENT", "DURING", "DURING/AFTER", "ONGOING", "U")
    ),
    CodeListTerms("IECAT", "C66797", False, ("EXCLUSION", "INCLUSION")),
)

#: The code lists by name; the checks enforce those named here when a variable's metadata cites them.
CONTROLLED_TERMS: dict[str, CodeListTerms] = {c.name: c for c in _LISTS}
