"""Central statistical monitoring page: the latest run's site ranking with the tests that drove each site, earlier
runs, and a new run at a data cut.

Reading needs `oversight.view` (a site-restricted reader sees the rows of their sites, with their ranks among all);
running needs `risk.manage` too. Each flagged site links to its oversight page and to a new issue raised from the
finding.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.monitoring.models import CsmRun, IssueSource
from opencro.monitoring.oversight import central, forms, selectors

TEST_LABELS = {
    "digits": "terminal digit preference",
    "variance": "variance",
    "mean": "mean",
    "multivariate": "Mahalanobis distance",
    "weekday": "weekday pattern",
    "duplicates": "duplicate records",
}


def finding_text(test: dict) -> str:
    """ "weekday pattern of visit_date: higher (p = 1.2e-05)"."""
    what = TEST_LABELS.get(test["test"], test["test"])
    of = f" {_('of')} {test['variable']}" if test.get("variable") else ""
    return f"{what}{of}: {test['direction']} (p = {test['p']:.2g})"


def issue_link(study_id: int, run: CsmRun, row: dict) -> str:
    """The raise-issue form, pre-filled from a site's central monitoring finding."""
    detail = "; ".join(finding_text(t) for t in row["top"])
    query = {
        "site": row["site_id"],
        "source": IssueSource.CENTRAL_MONITORING,
        "source_detail": f"CSM {run.cut_on.isoformat()} site {row['site']}: {detail}"[:200],
        "source_key": f"csm:{run.pk}:{row['site_id']}",
        "title": _("Central monitoring: site %(site)s ranked %(rank)d") % {"site": row["site"], "rank": row["rank"]},
    }
    return reverse("oversight:issues:new", args=[study_id]) + "?" + urlencode(query)


@login_required
@require_GET
def central_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    runs = list(selectors.csm_runs(access)[:20])
    latest = runs[0] if runs else None
    rows = []
    if latest is not None:
        for row in latest.ranking:
            if access.site_ids is not None and row["site_id"] not in access.site_ids:
                continue  # a site-restricted reader sees the ranks of their own sites
            rows.append(
                {
                    **row,
                    "findings": [finding_text(t) for t in row["top"]],
                    "issue_href": issue_link(study_id, latest, row) if row["flagged"] else "",
                }
            )
    context = {
        "study": access.membership.study,
        "latest": latest,
        "rows": rows,
        "runs": runs,
        "can_run": access.can(Perm.RISK_MANAGE),
        "can_raise": access.can(Perm.ISSUE_MANAGE),
        "form": forms.EvaluateForm(initial={"cut_on": timezone.localdate()}),
    }
    return render(request, "monitoring/oversight/central.html", context)


@login_required
@require_POST
def central_run(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    form = forms.EvaluateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the data cut as a date."))
        return redirect("oversight:central", study_id)
    run = central.csm_run(
        actor=request.user, study=access.membership.study, cut_on=form.cleaned_data["cut_on"], known=access
    )
    flagged = sum(1 for r in run.ranking if r["flagged"])
    messages.success(
        request,
        _("Central monitoring ran over %(n)d participants and %(v)d variables: %(f)d sites flagged.")
        % {"n": run.n_subjects, "v": run.n_variables, "f": flagged},
    )
    return redirect("oversight:central", study_id)
