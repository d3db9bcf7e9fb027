"""Start-up pages: the dashboard (countries, sites, cycle times, blockers, timeline) and each site's file.

Reads need `site.view`; forms need `site.edit`. Objects are found through the caller's sites first (404
elsewhere), then the permission is checked (403). A refused form answers 200 with the page and the errors;
a change that lands redirects with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.startup import charts, selectors, services
from opencro.startup.forms import (
    ApproveForm,
    DocumentForm,
    GreenLightForm,
    MilestoneForm,
    StatusForm,
    TrainingForm,
)
from opencro.startup.models import DocumentKind, StaffRole
from opencro.studies.selectors import protocol_version_find

NO_DATE = "\u2013"  # an en dash where a date is missing


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def _form_errors(form) -> dict[str, list[str]]:
    return {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}


def timeline(dashboard: selectors.StartupDashboard) -> str:
    """The planned-versus-actual timeline of the dashboard's sites, marked safe (charts escapes every text)."""
    rows = [
        charts.TimelineRow(
            label=f"{s.site.number} · {s.site.country.code}",
            start=s.selected_on,
            end=s.site.activated_on,
            points=[
                charts.TimelinePoint(
                    label=f"{s.site.number} {m.label}: "
                    + _("planned %(planned)s, actual %(actual)s")
                    % {"planned": m.planned_on or NO_DATE, "actual": m.actual_on or NO_DATE},
                    planned=m.planned_on,
                    actual=m.actual_on,
                )
                for m in s.milestones
            ],
        )
        for s in dashboard.sites
    ]
    svg = charts.timeline_svg(
        rows,
        today=dashboard.today,
        title=_("Start-up milestones per site: planned against actual"),
        planned=_("planned"),
        on_time=_("done on time"),
        late=_("done late"),
    )
    return mark_safe(svg)  # noqa: S308 - every text is escaped by startup.charts


def _dashboard_page(request, access: StudyAccess, *, errors=None, failed_country=None):
    dashboard = selectors.startup_dashboard(access)
    context = {
        "study": access.membership.study,
        "access": access,
        "dashboard": dashboard,
        "chart": timeline(dashboard),
        "can_edit_countries": access.can(Perm.SITE_EDIT) and access.site_ids is None,
        "errors": errors,
        "failed_country": failed_country,
    }
    return render(request, "startup/dashboard.html", context)


@login_required
@require_GET
def dashboard(request, study_id: int):
    return _dashboard_page(request, access_study(request.user, study_id, Perm.SITE_VIEW))


@login_required
@require_POST
def country_milestone(request, study_id: int, country_id: int):
    access = access_study(request.user, study_id)
    country = selectors.country_get(access, country_id)
    access_check(access, Perm.SITE_EDIT)
    form = MilestoneForm(request.POST, scope="country")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.country_milestone_set(
                actor=request.user,
                country=country,
                kind=data["kind"],
                planned_on=data["planned_on"],
                actual_on=data["actual_on"],
                note=data["note"],
                reason=data["reason"],
            )
        except ValidationError as exc:
            return _dashboard_page(request, access, errors=_errors(exc), failed_country=country.pk)
        messages.success(request, _("Milestone saved."))
        return redirect("startup:dashboard", study_id)
    return _dashboard_page(request, access, errors=_form_errors(form), failed_country=country.pk)


def _site_page(request, access: StudyAccess, site_id: int, *, errors=None, failed: str = "", values=None):
    file = selectors.site_startup_file(access, site_id)
    context = {
        "study": access.membership.study,
        "access": access,
        "file": file,
        "site": file.startup.site,
        "can_edit": access.can(Perm.SITE_EDIT),
        "document_kinds": DocumentKind.choices,
        "staff_roles": StaffRole.choices,
        "errors": errors,
        "failed": failed,
        "failed_document": int(failed.removeprefix("approve-")) if failed.startswith("approve-") else None,
        "values": values or {},
    }
    return render(request, "startup/site.html", context)


@login_required
@require_GET
def site(request, study_id: int, site_id: int):
    return _site_page(request, access_study(request.user, study_id, Perm.SITE_VIEW), site_id)


def _site_write(request, study_id: int, site_id: int):
    """(access, site) for a form of the site page: 404 outside the caller's sites, then 403 without site.edit."""
    access = access_study(request.user, study_id)
    site_obj = selectors.site_get(access, site_id)
    access_check(access, Perm.SITE_EDIT)
    return access, site_obj


def _handle(request, access, site_id: int, form, failed: str, call, done: str):
    """Validate the form, call the service; redirect on success, re-render the page (200) with errors."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            return _site_page(request, access, site_id, errors=_errors(exc), failed=failed, values=request.POST)
        messages.success(request, done)
        return redirect("startup:site", access.membership.study_id, site_id)
    return _site_page(request, access, site_id, errors=_form_errors(form), failed=failed, values=request.POST)


@login_required
@require_POST
def site_milestone(request, study_id: int, site_id: int):
    access, site_obj = _site_write(request, study_id, site_id)

    def call(data):
        services.site_milestone_set(
            actor=request.user,
            site=site_obj,
            kind=data["kind"],
            planned_on=data["planned_on"],
            note=data["note"],
            reason=data["reason"],
            **({} if data["kind"] == "green_light" else {"actual_on": data["actual_on"]}),
        )

    form = MilestoneForm(request.POST, scope="site")
    return _handle(request, access, site_id, form, "milestone-" + request.POST.get("kind", ""), call, _("Saved."))


@login_required
@require_POST
def document_add(request, study_id: int, site_id: int):
    access, site_obj = _site_write(request, study_id, site_id)

    def call(data):
        services.document_record(actor=request.user, site=site_obj, **data)

    return _handle(request, access, site_id, DocumentForm(request.POST), "document", call, _("Document recorded."))


@login_required
@require_POST
def document_approve(request, study_id: int, site_id: int, document_id: int):
    access = access_study(request.user, study_id)
    document = selectors.document_get(access, site_id, document_id)
    access_check(access, Perm.SITE_EDIT)

    def call(data):
        services.document_approve(actor=request.user, document=document, approved_on=data["approved_on"])

    form = ApproveForm(request.POST)
    return _handle(request, access, site_id, form, f"approve-{document.pk}", call, _("Document approved."))


@login_required
@require_POST
def training_add(request, study_id: int, site_id: int):
    access, site_obj = _site_write(request, study_id, site_id)

    def call(data):
        version_id = data.pop("protocol_version")
        version = None
        if version_id is not None:
            version = protocol_version_find(study_id, version_id)
            if version is None:
                raise ValidationError({"protocol_version": _("Choose a protocol version of this study.")})
        services.training_record(actor=request.user, site=site_obj, protocol_version=version, **data)

    return _handle(request, access, site_id, TrainingForm(request.POST), "training", call, _("Training recorded."))


@login_required
@require_POST
def green_light(request, study_id: int, site_id: int):
    access, site_obj = _site_write(request, study_id, site_id)

    def call(data):
        services.green_light_give(
            actor=request.user, site=site_obj, on=data["on"], reason=data["reason"] or "green light"
        )

    form = GreenLightForm(request.POST)
    return _handle(request, access, site_id, form, "green-light", call, _("The site has its green light."))


@login_required
@require_POST
def site_status(request, study_id: int, site_id: int):
    access, site_obj = _site_write(request, study_id, site_id)

    def call(data):
        services.site_status_set(actor=request.user, site=site_obj, status=data["status"], reason=data["reason"])

    return _handle(request, access, site_id, StatusForm(request.POST), "status", call, _("Site status changed."))
