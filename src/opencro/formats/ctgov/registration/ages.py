"""Ages as ClinicalTrials.gov writes them ("18 Years", "6 Months") and the standard age groups derived from them.

Reference: PRS "Protocol Registration Data Element Definitions", Eligibility: Minimum Age and Maximum Age (a number
and a unit of Years, Months, Weeks, Days, Hours or Minutes); ClinicalTrials.gov API v2 ``StandardAge`` (child 0-17,
adult 18-64, older adult 65 and over), which ClinicalTrials.gov derives from the two limits.
"""

import re

from opencro.formats.ctgov.registration.enums import StandardAge

AGE = re.compile(r"(\d+) (Year|Month|Week|Day|Hour|Minute)s?")
AGE_UNIT_YEARS = {"Year": 1.0, "Month": 1 / 12, "Week": 7 / 365.25, "Day": 1 / 365.25}
AGE_UNIT_YEARS |= {"Hour": 1 / 24 / 365.25, "Minute": 1 / 1440 / 365.25}


def age_in_years(age: str) -> float | None:
    """The years of a ClinicalTrials.gov age ("18 Years", "6 Months"); None when not written that way."""
    match = AGE.fullmatch(age.strip())
    if not match:
        return None
    return int(match.group(1)) * AGE_UNIT_YEARS[match.group(2)]


def standard_ages(minimum_age: str, maximum_age: str) -> tuple[StandardAge, ...]:
    """The age groups ClinicalTrials.gov derives from the limits ("" for none); () when a limit is not an age."""
    low = age_in_years(minimum_age) if minimum_age else 0.0
    high = age_in_years(maximum_age) if maximum_age else None
    if low is None or (maximum_age and high is None):
        return ()
    groups = []
    if low < 18:
        groups.append(StandardAge.CHILD)
    if low < 65 and (high is None or high >= 18):
        groups.append(StandardAge.ADULT)
    if high is None or high >= 65:
        groups.append(StandardAge.OLDER_ADULT)
    return tuple(groups)
