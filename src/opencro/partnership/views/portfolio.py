"""The portfolio dashboard of the reader's organisation (`org.view`): its studies with their phase, status, sites,
enrolment against target, milestones at risk, KPIs off target and teams; counted by phase, status and country; the
monitors' workload across it. As of a day (the query string)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from opencro.accounts.access import access_org
from opencro.accounts.permissions import OrgPerm
from opencro.partnership import forms_performance as forms
from opencro.partnership.portfolio import portfolio


def counts(counter) -> list[tuple[str, int, int]]:
    """(label, count, the largest count) rows, the largest first: each drawn as a meter."""
    top = max(counter.values(), default=0)
    return [(label, n, top) for label, n in counter.most_common()]


@login_required
@require_GET
def portfolio_page(request: HttpRequest) -> HttpResponse:
    access = access_org(request.user, OrgPerm.VIEW)
    as_of_form = forms.KpisAsOfForm(request.GET or None)
    as_of = (as_of_form.cleaned_data["as_of"] if as_of_form.is_valid() else None) or timezone.localdate()
    result = portfolio(access, as_of)
    context = {
        "organisation": access.organisation,
        "as_of_form": as_of_form,
        "p": result,
        "by_phase": counts(result.by_phase),
        "by_status": counts(result.by_status),
        "by_country": counts(result.sites_by_country),
    }
    return render(request, "partnership/portfolio.html", context)
