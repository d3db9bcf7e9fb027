"""The oversight dashboard and a site's oversight page.

The dashboard needs `oversight.view`: flagged sites first, with why (the KRIs flagged, newly or for how long, the
central monitoring rank), their open issues and when a visit is due; funnel plots per KRI whose points link to the
sites; the site x KRI heat map over the last cuts; QTL trends; the central monitoring ranking. A site's page (404
outside the reader's sites) shows all its KRIs with their history, its issues and its visits.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.monitoring.issues.selectors import issue_list
from opencro.monitoring.kris.selectors import kri_history
from opencro.monitoring.oversight import dashboard as reads
from opencro.monitoring.oversight import selectors
from opencro.monitoring.oversight.central_views import finding_text
from opencro.monitoring.visits.selectors import visit_list
from opencro.studies.selectors import site_scope


@login_required
@require_GET
def dashboard(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    context = {
        "study": access.membership.study,
        "board": reads.dashboard(access),
        "can_raise": access.can(Perm.ISSUE_MANAGE),
        "can_schedule": access.can(Perm.VISIT_MANAGE),
        "can_compute": access.can(Perm.RISK_MANAGE),
    }
    return render(request, "monitoring/oversight/dashboard.html", context)


@login_required
@require_GET
def site_page(request: HttpRequest, study_id: int, site_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    site = site_scope(access).filter(pk=site_id).first()
    if site is None:
        raise Http404(_("No such site."))
    access_check(access, Perm.OVERSIGHT_VIEW)
    flags = reads.site_flags(access, site.pk)
    histories = {
        f.row.kri_code: kri_history(access, f.row.kri_code, group=site.number).get(site.number, []) for f in flags
    }
    csm = selectors.csm_latest(access)  # the site is the reader's: its own row may be shown
    csm_row = next((r for r in (csm.ranking if csm else []) if r["site_id"] == site.pk), None)
    context = {
        "study": access.membership.study,
        "site": site,
        "flags": [(f, histories.get(f.row.kri_code, [])) for f in flags],
        "issues": issue_list(access, site_id=site.pk)[:50],
        "visits": visit_list(access, site_id=site.pk)[:50],
        "csm": csm,
        "csm_row": csm_row,
        "csm_findings": [finding_text(t) for t in csm_row["top"]] if csm_row else [],
        "can_raise": access.can(Perm.ISSUE_MANAGE),
        "can_schedule": access.can(Perm.VISIT_MANAGE),
    }
    return render(request, "monitoring/oversight/site.html", context)
