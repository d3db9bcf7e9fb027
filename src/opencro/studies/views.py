"""Study pages: list, dashboard, protocol (schedule of activities as a grid), sites."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for_many
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
            "versions": _versions_with_signatures(study),
        },
    )


@login_required
def protocol(request, study_id: int):
    access = access_study(request.user, study_id)
    study = access.membership.study
    versions = _versions_with_signatures(study)
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


def _versions_with_signatures(study) -> list[tuple]:
    """Protocol versions with their signatures: every view of a signed object shows them."""
    versions = list(study.protocol_versions.all())
    signatures = signatures_for_many(versions)
    return [(v, signatures[str(v.pk)]) for v in versions]
