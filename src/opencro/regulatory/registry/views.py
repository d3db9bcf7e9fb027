"""The registry page of a study, one per registry (ClinicalTrials.gov, EU CTR): the current export with what the
registry would refuse or what is left to complete, its JSON to download, the changes since the last record, the
"record as registered" form, the registration details form (what the protocol does not hold) and the history
of records.

Reads need `regulatory.view`; recording and the details need `regulatory.edit` on every site. A site-restricted
reader sees only their sites' locations (or member states). A refused record or details answer 200 with the page
and the errors beside the fields; a write that lands redirects to the page.
"""

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.regulatory.models import Registry
from opencro.regulatory.registry import selectors, services
from opencro.regulatory.registry.forms import DetailsForm, RecordForm
from opencro.studies.dates import sites_today

HISTORY_LIMIT = 200


def _reader(request: HttpRequest, study_id: int, registry: str) -> StudyAccess:
    """The study (404 for a non-member), the registry (404 for an unknown one), then `regulatory.view` (403)."""
    access = access_study(request.user, study_id)
    if registry not in Registry.values:
        raise Http404(_("No such registry."))
    return access_check(access, Perm.REGULATORY_VIEW)


def _shown(value: Any) -> str:
    """A changed value as a cell shows it: text as is, anything else as compact JSON; nothing as "" (a dash)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _page(
    request: HttpRequest,
    access: StudyAccess,
    registry: str,
    form: RecordForm | None = None,
    details_form: DetailsForm | None = None,
) -> HttpResponse:
    study = access.membership.study
    current, changes = selectors.registry_overview(study, registry, site_ids=access.site_ids)
    can_edit = access.can(Perm.REGULATORY_EDIT) and access.site_ids is None
    if form is None and can_edit:
        form = RecordForm(
            initial={"registered_on": sites_today(study.sites.all()), "identifier": _identifier(study, registry)}
        )
    if details_form is None and can_edit:
        details_form = DetailsForm(initial=DetailsForm.initial_from(selectors.registration_details_get(study)))
    context = {
        "study": study,
        "registry": registry,
        "registry_label": Registry(registry).label,
        "registries": [(value, label) for value, label in Registry.choices],
        "current": current,
        "document_json": json.dumps(current.document, indent=2, ensure_ascii=False) if current.document else "",
        "changes": changes,
        "change_rows": [
            {"path": c.path, "kind": c.kind, "registered": _shown(c.registered), "current": _shown(c.current)}
            for c in changes.changes
        ],
        "records": list(selectors.registry_records(study, registry)[:HISTORY_LIMIT]),
        "restricted": access.site_ids is not None,
        "form": form if can_edit else None,
        "details_form": details_form if can_edit else None,
    }
    return render(request, "regulatory/registry/page.html", context)


def _identifier(study, registry: str) -> str:
    return study.nct_number if registry == Registry.CTGOV else study.eu_ct_number


@login_required
@require_GET
def registry_index(request: HttpRequest, study_id: int) -> HttpResponse:
    access_study(request.user, study_id, Perm.REGULATORY_VIEW)
    return redirect("registry:page", study_id, Registry.CTGOV)


@login_required
@require_GET
def registry_page(request: HttpRequest, study_id: int, registry: str) -> HttpResponse:
    return _page(request, _reader(request, study_id, registry), registry)


@login_required
@require_GET
def registry_download(request: HttpRequest, study_id: int, registry: str) -> HttpResponse:
    """The current export as a JSON file ready to load (404 when it cannot be prepared: the page says why)."""
    access = _reader(request, study_id, registry)
    study = access.membership.study
    current = selectors.registry_current(study, registry, site_ids=access.site_ids)
    if current.document is None:
        raise Http404(_("The export cannot be prepared; the registry page lists why."))
    body = json.dumps(current.document, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, f"{study.protocol_number}-{registry}.json")
    return response


@login_required
@require_POST
def registry_record(request: HttpRequest, study_id: int, registry: str) -> HttpResponse:
    access = access_check(_reader(request, study_id, registry), Perm.REGULATORY_EDIT)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            record = services.registry_record_create(
                actor=request.user,
                study=access.membership.study,
                registry=registry,
                registered_on=form.cleaned_data["registered_on"],
                identifier=form.cleaned_data["identifier"],
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Recorded as registered on %(date)s.") % {"date": record.registered_on.isoformat()},
            )
            return redirect("registry:page", study_id, registry)
    return _page(request, access, registry, form)


@login_required
@require_POST
def registry_details(request: HttpRequest, study_id: int, registry: str) -> HttpResponse:
    """Save the registration details (shared by every registry's export); back to this registry's page."""
    access = access_check(_reader(request, study_id, registry), Perm.REGULATORY_EDIT)
    form = DetailsForm(request.POST)
    if form.is_valid():
        try:
            services.registration_details_save(actor=request.user, study=access.membership.study, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Registration details saved."))
            return redirect("registry:page", study_id, registry)
    return _page(request, access, registry, details_form=form)
