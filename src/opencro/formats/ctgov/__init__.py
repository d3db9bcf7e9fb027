"""ClinicalTrials.gov study records for site feasibility: enrolment, sites, countries and dates of past trials.

`read_trial` reads one study and `read_trials` every study of a document (API v2 study or search page,
a JSON array of studies, or the classic API's ``full_studies`` response) into frozen `TrialRecord`s
with their `Facility` sites. Enumerations use the API v2 names whichever API the record came from.
`TrialRecord.rate_per_site_month` gives the historical enrolment rate; `TrialRecord.countries` and each
facility's `status` let a caller find competing recruiting trials in a region. A document that is not
a study raises `opencro.formats.errors.FormatError` with every problem located by its JSON path.
`facility_key` gives a site a key stable across records, `country_code` the ISO code of a country name.

For registering a study: `Registration` is what a sponsor enters in the PRS; `registration_to_ctgov` writes it as
an API v2 study and `registration_from_ctgov` reads one back; `validate_registration` lists what ClinicalTrials.gov
would refuse; `registered_fields` is the part of a published study a `Registration` covers; `registration_diff`
lists the `Change`s between the registration as posted and the protocol as it stands.
"""

from opencro.formats.ctgov.model import DAYS_PER_MONTH, Facility, TrialRecord
from opencro.formats.ctgov.reader import read_trial, read_trials
from opencro.formats.ctgov.registration import (
    Registration,
    registered_fields,
    registration_from_ctgov,
    registration_to_ctgov,
    validate_registration,
)
from opencro.formats.ctgov.registration_diff import Change, registration_diff
from opencro.formats.ctgov.sites import country_code, country_name, facility_key, fold, is_anonymous_key

__all__ = [
    "DAYS_PER_MONTH",
    "Change",
    "Facility",
    "Registration",
    "TrialRecord",
    "country_code",
    "country_name",
    "facility_key",
    "fold",
    "is_anonymous_key",
    "read_trial",
    "read_trials",
    "registered_fields",
    "registration_diff",
    "registration_from_ctgov",
    "registration_to_ctgov",
    "validate_registration",
]
