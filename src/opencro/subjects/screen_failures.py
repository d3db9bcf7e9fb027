"""The screen failures of a study, each with its day (for the SDTM DS domain, the KPIs and what reads them as of a
day). Study-wide: the callers check access first."""

import datetime as dt
from collections.abc import Mapping
from typing import NamedTuple

from opencro.studies.dates import site_date
from opencro.studies.models import Site
from opencro.subjects.models import Subject, SubjectStatus


class ScreenFailure(NamedTuple):
    subject_id: int
    number: str
    site_id: int
    reason: str | None
    day: dt.date


def screen_failures(study_id: int, sites: Mapping[int, Site]) -> list[ScreenFailure]:
    """Every screen-failed subject of the study with the day it failed: the site's day of the investigator's
    confirmation of the eligibility checklist that found the participant not eligible, else (a failure recorded
    with its reason only) the screening day. `sites`: the study's sites by id."""
    rows = Subject.objects.filter(study_id=study_id, status=SubjectStatus.SCREEN_FAILED).values_list(
        "pk", "number", "site_id", "screen_failure_reason", "screened_on", "eligibility__confirmed_at"
    )
    return [
        ScreenFailure(
            pk, number, site_id, reason, site_date(sites[site_id], confirmed_at) if confirmed_at else screened_on
        )
        for pk, number, site_id, reason, screened_on, confirmed_at in rows
    ]
