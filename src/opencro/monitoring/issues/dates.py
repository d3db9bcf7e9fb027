"""An issue's calendar: the dates it is raised, due and closed on are the site's (a study-wide issue: the study's)."""

import datetime as dt

from opencro.studies.dates import site_today, sites_today
from opencro.studies.models import Site


def issue_today(study_id: int, site: Site | None) -> dt.date:
    """Today at `site`; for a study-wide issue, today at the study's sites when they agree, else the reader's today."""
    if site is not None:
        return site_today(site)
    return sites_today(Site.objects.filter(study_id=study_id).only("time_zone"))
