"""What a ClinicalTrials.gov study record says about enrolment, sites and timing, as frozen values.

Enumerated fields carry the API v2 enum names whichever API the record came from (status
``COMPLETED``, phase ``PHASE3``, enrolment type ``ACTUAL`` / ``ESTIMATED``, study type
``INTERVENTIONAL``). Dates published as a month ("2015-09") or a year are read as the first day of
that month or year; `TrialRecord.date_precision` says which.
"""

import datetime
from dataclasses import dataclass

DAYS_PER_MONTH = 365.25 / 12  # 30.4375 days: the mean month of the Julian year

# Order of the entries of `TrialRecord.date_precision` and `TrialRecord.date_types`.
DATE_FIELDS = ("start_date", "primary_completion_date", "completion_date")


@dataclass(frozen=True)
class Facility:
    """One study site: where it is and, when the record gives it, its own recruitment status (v2 enum name)."""

    name: str
    city: str
    state: str
    zip: str
    country: str
    status: str = ""
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class TrialRecord:
    """One registered study, read from the API v2 JSON or the classic API's JSON.

    `date_precision` gives, for start, primary completion and completion date in that order,
    ``"day"``, ``"month"`` or ``"year"`` (``""`` when the date is absent); `date_types` gives
    ``"ACTUAL"`` or ``"ESTIMATED"`` for the same dates (``""`` when not stated).
    """

    nct_id: str
    title: str
    phase: tuple[str, ...] = ()
    overall_status: str = ""
    conditions: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    enrollment: int | None = None
    enrollment_type: str = ""
    start_date: datetime.date | None = None
    primary_completion_date: datetime.date | None = None
    completion_date: datetime.date | None = None
    facilities: tuple[Facility, ...] = ()
    sponsor: str = ""
    study_type: str = ""
    date_precision: tuple[str, str, str] = ("", "", "")
    date_types: tuple[str, str, str] = ("", "", "")

    @property
    def recruitment_months(self) -> float | None:
        """Months from start to primary completion (else completion), days / 30.4375; None when a date is missing.

        The span runs to the last primary-outcome assessment, so it includes the follow-up of the last
        participant enrolled: it is an upper bound of the recruitment period. It may be zero or negative
        when the record's dates are inconsistent.
        """
        end = self.primary_completion_date or self.completion_date
        if self.start_date is None or end is None:
            return None
        return (end - self.start_date).days / DAYS_PER_MONTH

    @property
    def rate_per_site_month(self) -> float | None:
        """Participants per site per month: enrolment / sites / `recruitment_months`, None unless all are > 0.

        This is the pooled maximum-likelihood rate of the Poisson recruitment model when every site
        recruits over the whole period (Anisimov VV, Fedorov VV (2007). Modelling, prediction and adaptive
        adjustment of recruitment in multicentre trials. Statistics in Medicine 26(27):4958-4975,
        doi:10.1002/sim.2956). Sites open later than the study start, and `recruitment_months` being an
        upper bound, make it a lower bound of the rate of a site while it recruits.
        """
        months = self.recruitment_months
        sites = len(self.facilities)
        if self.enrollment is None or self.enrollment <= 0 or sites == 0 or months is None or months <= 0:
            return None
        return self.enrollment / sites / months

    @property
    def countries(self) -> tuple[str, ...]:
        """The distinct countries of the sites, in the order they first appear."""
        return tuple(dict.fromkeys(f.country for f in self.facilities if f.country))
