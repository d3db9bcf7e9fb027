"""Registry pages: institutions (search, detail, edit), investigators, capabilities, facilities of past trials,
a ClinicalTrials.gov upload, and the history page (rates per country and facility, competing trials)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_study_ids
from opencro.formats.ctgov import read_trials
from opencro.formats.errors import FormatError
from opencro.sites.history import history_aggregate
from opencro.sites.models import CapabilityKind
from opencro.sites.performance import performance_for
from opencro.sites.selectors import (
    capability_get,
    facility_search,
    institution_get,
    institution_list,
    investigator_get,
    registry_access,
)
from opencro.sites.services import ctgov_import, registry
from opencro.sites.views._forms import date_or_none, errors_of, text

UPLOAD_MAX = 20 * 1024 * 1024  # larger imports: `opencro sites import-ctgov`


def _registry_page(request, access, status: int = 200, **extra):
    q, country, capability = (request.GET.get(k, "")[:100] for k in ("q", "country", "capability"))
    context = {
        "study": access.membership.study,
        "institutions": institution_list(access, q=q, country=country, capability=capability)[:500],
        "q": q,
        "country": country,
        "capability": capability,
        "errors": {},
        "form": {},
        **extra,
    }
    return render(request, "sites/registry.html", context, status=status)


@login_required
def registry_page(request, study_id: int):
    return _registry_page(request, registry_access(request.user, study_id))


@login_required
@require_POST
def institution_create(request, study_id: int):
    access = registry_access(request.user, study_id)
    post = request.POST
    try:
        institution = registry.institution_create(
            actor=request.user,
            study=access.membership.study,
            name=text(post, "name", 300),
            country_code=text(post, "country_code", 2),
            country=text(post, "country", 100),
            city=text(post, "city", 100),
            ctgov_key=text(post, "ctgov_key", 400),
            notes=text(post, "notes", 4000),
        )
    except ValidationError as exc:
        return _registry_page(request, access, errors=errors_of(exc), form=post)
    messages.success(request, _("Institution “%(name)s” registered.") % {"name": institution.name})
    return redirect("feasibility:institution", study_id=study_id, institution_id=institution.pk)


def _institution_page(request, access, institution, **extra):
    performance = performance_for([institution.pk], member_study_ids=access_study_ids(request.user))
    facility = None
    country = None
    if institution.ctgov_key:
        history = history_aggregate(countries=[institution.country])
        facility = history.facility(institution.ctgov_key)
        country = history.country(institution.country)
    context = {
        "study": access.membership.study,
        "institution": institution,
        "investigators": institution.investigators.all(),
        "capabilities": institution.capabilities.all(),
        "kinds": CapabilityKind.choices,
        "performance": performance.get(institution.pk),
        "facility": facility,
        "country_history": country,
        "errors": {},
        **extra,
    }
    return render(request, "sites/institution.html", context)


@login_required
def institution_page(request, study_id: int, institution_id: int):
    access = registry_access(request.user, study_id)
    return _institution_page(request, access, institution_get(access, institution_id))


def _posted(request, study_id: int, institution, access, call, done: str):
    """Run one write for the institution page: errors re-render it (200), success redirects to it."""
    try:
        call()
    except ValidationError as exc:
        return _institution_page(request, access, institution_get(access, institution.pk), errors=errors_of(exc))
    messages.success(request, done)
    return redirect("feasibility:institution", study_id=study_id, institution_id=institution.pk)


@login_required
@require_POST
def institution_edit(request, study_id: int, institution_id: int):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)
    post = request.POST
    changes = {
        name: text(post, name, limit)
        for name, limit in (("name", 300), ("country_code", 2), ("country", 100), ("city", 100), ("ctgov_key", 400))
        if name in post
    }
    if "notes" in post:
        changes["notes"] = text(post, "notes", 4000)
    return _posted(
        request,
        study_id,
        institution,
        access,
        lambda: registry.institution_update(
            actor=request.user,
            study=access.membership.study,
            institution=institution,
            changes=changes,
            reason=text(post, "reason"),
        ),
        _("Institution updated."),
    )


def _investigator_fields(post) -> dict:
    return {
        "email": text(post, "email", 254),
        "cv_date": date_or_none(post, "cv_date"),
        "gcp_training_date": date_or_none(post, "gcp_training_date"),
        "licence_number": text(post, "licence_number", 60),
        "licence_expires_on": date_or_none(post, "licence_expires_on"),
    }


@login_required
@require_POST
def investigator_add(request, study_id: int, institution_id: int):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)

    def call():
        registry.investigator_create(
            actor=request.user,
            study=access.membership.study,
            institution=institution,
            name=text(request.POST, "name", 200),
            **_investigator_fields(request.POST),
        )

    return _posted(request, study_id, institution, access, call, _("Investigator added."))


@login_required
@require_POST
def investigator_edit(request, study_id: int, investigator_id: int):
    access = registry_access(request.user, study_id)
    investigator = investigator_get(access, investigator_id)

    def call():
        changes = {"name": text(request.POST, "name", 200)} | _investigator_fields(request.POST)
        registry.investigator_update(
            actor=request.user,
            study=access.membership.study,
            investigator=investigator,
            changes=changes,
            reason=text(request.POST, "reason"),
        )

    return _posted(request, study_id, investigator.institution, access, call, _("Investigator updated."))


@login_required
@require_POST
def capability_add(request, study_id: int, institution_id: int):
    access = registry_access(request.user, study_id)
    institution = institution_get(access, institution_id)

    def call():
        registry.capability_add(
            actor=request.user,
            study=access.membership.study,
            institution=institution,
            kind=text(request.POST, "kind", 12),
            value=text(request.POST, "value", 200),
            detail=text(request.POST, "detail", 500),
        )

    return _posted(request, study_id, institution, access, call, _("Capability recorded."))


@login_required
@require_POST
def capability_delete(request, study_id: int, capability_id: int):
    access = registry_access(request.user, study_id)
    capability = capability_get(access, capability_id)

    def call():
        registry.capability_delete(
            actor=request.user,
            study=access.membership.study,
            capability=capability,
            reason=text(request.POST, "reason"),
        )

    return _posted(request, study_id, capability.institution, access, call, _("Capability removed."))


def _facilities_page(request, access, status: int = 200, **extra):
    q, country = request.GET.get("q", "")[:100], request.GET.get("country", "")[:100]
    context = {
        "study": access.membership.study,
        "q": q,
        "country": country,
        "facilities": facility_search(access, q=q, country=country) if (q or country) else [],
        "errors": {},
        **extra,
    }
    return render(request, "sites/facilities.html", context, status=status)


@login_required
def facilities_page(request, study_id: int):
    return _facilities_page(request, registry_access(request.user, study_id))


@login_required
@require_POST
def facility_register(request, study_id: int):
    access = registry_access(request.user, study_id)
    try:
        institution = registry.institution_from_facility(
            actor=request.user, study=access.membership.study, facility_key=text(request.POST, "facility_key", 400)
        )
    except ValidationError as exc:
        return _facilities_page(request, access, errors=errors_of(exc))
    messages.success(request, _("Institution “%(name)s” registered.") % {"name": institution.name})
    return redirect("feasibility:institution", study_id=study_id, institution_id=institution.pk)


@login_required
@require_POST
def ctgov_upload(request, study_id: int):
    """Import ClinicalTrials.gov JSON files (API v2 or classic; all or nothing)."""
    access = registry_access(request.user, study_id)
    files = request.FILES.getlist("files")
    if not files:
        return _facilities_page(request, access, errors={"files": [_("Choose one or more JSON files.")]})
    records = []
    problems = []
    for upload in files:
        if upload.size > UPLOAD_MAX:
            problems.append(_("%(name)s: larger than 20 MB; use the command line.") % {"name": upload.name})
            continue
        try:
            records.extend(read_trials(upload.read()))
        except FormatError as exc:
            problems.extend(f"{upload.name}: {p}" for p in exc.problems)
    if problems:
        return _facilities_page(request, access, errors={"files": problems[:50]})
    result = ctgov_import.ctgov_import(
        actor=request.user, study=access.membership.study, records=records, source=", ".join(f.name for f in files)
    )
    messages.success(
        request,
        _("Imported %(new)d trials (%(old)d replaced) with %(sites)d sites.")
        % {"new": result.trials_created, "old": result.trials_replaced, "sites": result.sites},
    )
    return redirect("feasibility:facilities", study_id=study_id)


@login_required
def history_page(request, study_id: int):
    """Enrolment rates per country and facility (shrunk toward the country) and competing recruiting trials."""
    access = registry_access(request.user, study_id)
    condition = request.GET.get("condition", "")[:200]
    country = request.GET.get("country", "")[:100].strip()
    history = history_aggregate(countries=[country] if country else None, condition=condition)
    countries = sorted((history.country(name) for name in history.countries), key=lambda c: (-c.facilities, c.country))
    competing_cities = sorted(
        ((place, n) for place, n in history.competing_city.items() if not country or place[0] == country),
        key=lambda row: -row[1],
    )[:30]
    context = {
        "study": access.membership.study,
        "condition": condition,
        "country": country,
        "countries": countries[:100],
        "facilities": history.top_facilities(country or None, limit=50),
        "competing_cities": competing_cities,
        "rows": sum(int(t) for t in history.trials) if len(history.trials) else 0,
    }
    return render(request, "sites/history.html", context)
