"""ClinicalTrials.gov study records for site feasibility: enrolment, sites, countries and dates of past trials.

`read_trial` reads one study and `read_trials` every study of a document (API v2 study or search page,
a JSON array of studies, or the classic API's ``full_studies`` response) into frozen `TrialRecord`s
with their `Facility` sites. Enumerations use the API v2 names whichever API the record came from.
`TrialRecord.rate_per_site_month` gives the historical enrolment rate; `TrialRecord.countries` and each
facility's `status` let a caller find competing recruiting trials in a region. A document that is not
a study raises `opencro.formats.errors.FormatError` with every problem located by its JSON path.
`facility_key` gives a site a key stable across records, `country_code` the ISO code of a country name.
"""

from opencro.formats.ctgov.model import DAYS_PER_MONTH, Facility, TrialRecord
from opencro.formats.ctgov.reader import read_trial, read_trials
from opencro.formats.ctgov.sites import country_code, country_name, facility_key, fold, is_anonymous_key

__all__ = [
    "DAYS_PER_MONTH",
    "Facility",
    "TrialRecord",
    "country_code",
    "country_name",
    "facility_key",
    "fold",
    "is_anonymous_key",
    "read_trial",
    "read_trials",
]
