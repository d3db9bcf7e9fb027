"""Which protocol version each site may use: the matrix of the reader's sites by approved protocol versions
("can site 104 enrol under amendment 3?") and one site's versions with the approvals behind each. A version is
usable at a site from the later of the authority's approval (of the site's country) and an ethics approval (of a
committee reviewing for the site), until that committee's approval expires. Needs `regulatory.view`."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.regulatory import selectors
from opencro.regulatory.selectors import VersionAtSite
from opencro.regulatory.views._common import reader
from opencro.studies.dates import site_today
from opencro.studies.selectors import site_get


@dataclass(frozen=True)
class Cell:
    """One site and version as the page shows it, on the site's today."""

    at: VersionAtSite
    today: dt.date

    @property
    def usable(self) -> bool:
        return self.at.usable_on(self.today)

    @property
    def expired(self) -> bool:
        expiry = self.at.ethics_expires_on
        return self.at.usable_from is not None and expiry is not None and expiry < self.today

    @property
    def pending(self) -> bool:
        """Approved, but from a day the site has not reached."""
        start = self.at.usable_from
        return start is not None and start > self.today


def _cells(rows: list[VersionAtSite]) -> list[Cell]:
    today: dict[int, dt.date] = {}
    cells = []
    for row in rows:
        if row.site.pk not in today:
            today[row.site.pk] = site_today(row.site)
        cells.append(Cell(row, today[row.site.pk]))
    return cells


@login_required
@require_GET
def site_versions_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = reader(request, study_id)
    cells = _cells(selectors.site_versions(access))
    sites, versions, matrix = [], [], {}
    for cell in cells:
        if cell.at.site not in sites:
            sites.append(cell.at.site)
        if cell.at.version not in versions:
            versions.append(cell.at.version)
        matrix[(cell.at.site.pk, cell.at.version.pk)] = cell
    context = {
        "study": access.membership.study,
        "versions": versions,
        "rows": [(site, [matrix.get((site.pk, v.pk)) for v in versions]) for site in sites],
    }
    return render(request, "regulatory/site_versions.html", context)


@login_required
@require_GET
def site_versions_site(request: HttpRequest, study_id: int, site_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    site = site_get(access, site_id)
    access_check(access, Perm.REGULATORY_VIEW)
    context = {
        "study": access.membership.study,
        "site": site,
        "today": site_today(site),
        "cells": _cells(selectors.site_versions(access, sites=[site])),
    }
    return render(request, "regulatory/site_versions_site.html", context)
