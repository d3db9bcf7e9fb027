"""Study pages: list, dashboard, protocol (schedule of activities as a grid), sites."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.studies import selectors


@login_required
def study_list(request):
    return render(request, "studies/list.html", {"studies": selectors.study_list(request.user)})


@login_required
def dashboard(request, study_id: int):
    access = access_study(request.user, study_id)
    study = access.membership.study
    return render(
        request,
        "studies/dashboard.html",
        {
            "study": study,
            "access": access,
            "summary": selectors.study_summary(access),
            "versions": study.protocol_versions.all(),
        },
    )


@login_required
def protocol(request, study_id: int):
    access = access_study(request.user, study_id)
    study = access.membership.study
    versions = [(v, signatures_for(v)) for v in study.protocol_versions.all()]
    return render(
        request,
        "studies/protocol.html",
        {
            "study": study,
            "access": access,
            "grid": selectors.schedule_grid(study),
            "objectives": study.objectives.prefetch_related("endpoints"),
            "arms": study.arms.all(),
            "epochs": study.epochs.prefetch_related("visits"),
            "criteria": study.criteria.all(),
            "countries": study.countries.all(),
            "versions": versions,
        },
    )


@login_required
def sites(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SITE_VIEW)
    return render(
        request,
        "studies/sites.html",
        {
            "study": access.membership.study,
            "sites": selectors.site_list(access),
            "access": access,
        },
    )
