"""Ethics committees of the study: the list (the reader's scope), creating one, and editing one (scope, country,
the sites of a local committee, its continuing-review interval). Reads need `regulatory.view`, writes
`regulatory.edit`; a refused form answers 200 with its errors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.regulatory import forms, selectors
from opencro.regulatory.models import EthicsCommittee
from opencro.regulatory.services import submissions as services
from opencro.regulatory.views._common import reader
from opencro.studies.selectors import site_scope

FIELDS = ("name", "scope", "registration", "continuing_review_months", "contact")


def committee_form(access: StudyAccess, data=None, *, committee: EthicsCommittee | None = None) -> forms.CommitteeForm:
    initial = None
    if committee is not None:
        initial = {name: getattr(committee, name) for name in FIELDS}
        initial.update(country=committee.country_id, sites=[s.pk for s in committee.sites.all()])
    return forms.CommitteeForm(
        data,
        initial=initial,
        countries=list(selectors.countries_of(access)),
        sites=list(site_scope(access).select_related("country").order_by("number")),
        editing=committee is not None,
    )


def committee_fill(access: StudyAccess, committee: EthicsCommittee, data: dict) -> list:
    """Set the committee's fields from the form; return the sites named (among the reader's)."""
    for name in FIELDS:
        setattr(committee, name, data[name])
    committee.country = selectors.countries_of(access).get(pk=data["country"])
    return list(site_scope(access).filter(pk__in=data["sites"]))


def with_sites(access: StudyAccess, committees: list[EthicsCommittee]) -> list[EthicsCommittee]:
    """Each committee with `visible_sites`: the sites it reviews for, among the reader's."""
    for c in committees:
        c.visible_sites = [s for s in c.sites.all() if access.site_ids is None or s.pk in access.site_ids]
    return committees


@login_required
@require_http_methods(["GET", "POST"])
def committees_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = reader(request, study_id)
    can_edit = access.can(Perm.REGULATORY_EDIT)
    form = committee_form(access) if can_edit else None
    if request.method == "POST":
        access_check(access, Perm.REGULATORY_EDIT)
        form = committee_form(access, request.POST)
        if form.is_valid():
            committee = EthicsCommittee(study=access.membership.study)
            try:
                sites = committee_fill(access, committee, form.cleaned_data)
                committee = services.committee_save(actor=request.user, committee=committee, sites=sites)
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Committee %(name)s saved.") % {"name": committee.name})
                return redirect("regulatory:committees", study_id)
    context = {
        "study": access.membership.study,
        "committees": with_sites(access, list(selectors.committee_list(access))),
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "regulatory/committees.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def committee_page(request: HttpRequest, study_id: int, committee_id: int) -> HttpResponse:
    """One committee: its details and submissions; the edit form for `regulatory.edit`."""
    access = access_study(request.user, study_id)
    committee = selectors.committee_get(access, committee_id)
    access_check(access, Perm.REGULATORY_VIEW)
    can_edit = access.can(Perm.REGULATORY_EDIT)
    form = committee_form(access, committee=committee) if can_edit else None
    if request.method == "POST":
        access_check(access, Perm.REGULATORY_EDIT)
        form = committee_form(access, request.POST, committee=committee)
        if form.is_valid():
            try:
                sites = committee_fill(access, committee, form.cleaned_data)
                services.committee_save(
                    actor=request.user, committee=committee, sites=sites, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Committee %(name)s saved.") % {"name": committee.name})
                return redirect("regulatory:committee", study_id, committee.pk)
            committee = selectors.committee_get(access, committee_id)
    context = {
        "study": access.membership.study,
        "committee": with_sites(access, [committee])[0],
        "submissions": list(selectors.submission_list(access).filter(committee=committee)),
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "regulatory/committee.html", context)
