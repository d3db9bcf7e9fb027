"""How long the essential records of a trial are kept: the rules a sponsor chooses from, each with its citation, and
the day the retention ends. No database, no I/O.

- **EU CTR 536/2014, Article 58**: "the sponsor and the investigator shall archive the content of the clinical trial
  master file for at least 25 years after the end of the clinical trial" (unless other Union law requires longer).
  The end of the trial is defined in the protocol (Article 37), usually the last participant's last visit.
- **ICH E6**: E6(R3) 2.12.12 and 3.16 keep the records for the period the applicable regulatory requirements set;
  E6(R2) 4.9.5 and 5.5.11 named it: at least 2 years after the last approval of a marketing application in an ICH
  region (or 2 years after the formal discontinuation of the product's clinical development).
- **US 21 CFR 312.62(c)**: 2 years after the date a marketing application is approved for the indication; if none
  is filed or approved, 2 years after the investigation is discontinued and FDA notified.
- **The sponsor's own period**: a number of years after the end of the trial, set by the sponsor's SOPs or the
  contract (never less than what applies above: the sponsor's call).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

YEARS_MAX = 100


class RetentionRuleCode(models.TextChoices):
    EU_CTR = "eu_ctr_art58", _("EU CTR 536/2014 Art. 58: 25 years after the end of the trial")
    ICH_E6 = "ich_e6", _("ICH E6: at least 2 years after the last marketing approval")
    US_IND = "us_312_62", _("21 CFR 312.62(c): 2 years after the marketing approval or the discontinuation")
    SPONSOR = "sponsor", _("The sponsor's own number of years after the end of the trial")


@dataclass(frozen=True)
class RetentionRule:
    """A retention rule: how many years (None: the sponsor gives the number), counted from which day."""

    code: str
    years: int | None
    basis: Promise  # what the day the period runs from is
    citation: str

    @property
    def label(self) -> str:
        return str(RetentionRuleCode(self.code).label)


END_OF_TRIAL = _("the end of the trial (as the protocol defines it; usually the last participant's last visit)")
RULES: dict[str, RetentionRule] = {
    RetentionRuleCode.EU_CTR: RetentionRule(
        RetentionRuleCode.EU_CTR, 25, END_OF_TRIAL, "Regulation (EU) No 536/2014, Article 58"
    ),
    RetentionRuleCode.ICH_E6: RetentionRule(
        RetentionRuleCode.ICH_E6,
        2,
        _(
            "the last approval of a marketing application in an ICH region, or the formal discontinuation of the "
            "product's clinical development"
        ),
        "ICH E6(R3) 2.12.12 and 3.16; ICH E6(R2) 4.9.5 and 5.5.11",
    ),
    RetentionRuleCode.US_IND: RetentionRule(
        RetentionRuleCode.US_IND,
        2,
        _(
            "the approval of the marketing application for the indication, or the discontinuation of the "
            "investigation notified to FDA"
        ),
        "21 CFR 312.62(c)",
    ),
    RetentionRuleCode.SPONSOR: RetentionRule(RetentionRuleCode.SPONSOR, None, END_OF_TRIAL, "the sponsor's SOP"),
}


def years_after(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February becomes 28 February in a year that has none."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def retention_end(code: str, basis_on: dt.date, years: int | None = None) -> dt.date:
    """The last day the records must be kept under rule `code`, counted from `basis_on`. `years` is the sponsor's
    own number (rule "sponsor" only). Raises ValueError for an unknown rule or a missing or stray number of years."""
    rule = RULES.get(code)
    if rule is None:
        raise ValueError(f"unknown retention rule {code!r}")
    if rule.years is None:
        if years is None or not 1 <= years <= YEARS_MAX:
            raise ValueError(f"the sponsor's rule needs a number of years from 1 to {YEARS_MAX}")
        return years_after(basis_on, years)
    if years is not None:
        raise ValueError(f"rule {code!r} sets its own number of years")
    return years_after(basis_on, rule.years)
