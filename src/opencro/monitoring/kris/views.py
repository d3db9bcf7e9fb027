"""KRI pages: the list (definitions, snapshots, the site x KRI heat map, the forms to add a KRI, create the defaults
and compute a snapshot) and one KRI (its funnel plot and its sites with flags, newly flagged and flagged since).

Reads need `oversight.view`; writes `risk.manage`. A KRI is found first (404), then the permission is checked
(403). A refused form answers 200 with the page and the errors beside the fields; a change that lands redirects
with a message. Site rows are the reader's sites only.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.monitoring.kris import forms, selectors, services
from opencro.monitoring.kris.charts import funnel_svg, heatmap_svg
from opencro.monitoring.kris.measures import MEASURE_BY_CODE
from opencro.monitoring.models import KriDefinition, KriLevel

HEATMAP_CUTS = 6


def _site_link(study_id: int, site_id: int | None) -> str:
    """The site's oversight page, when the project has one."""
    if site_id is None:
        return ""
    try:
        return reverse("oversight:site", args=[study_id, site_id])
    except NoReverseMatch:
        return ""


def _label(code: str) -> str:
    measure = MEASURE_BY_CODE.get(code)
    return str(measure.label) if measure else code


def _list_context(access: StudyAccess, *, add_form=None, compute_form=None) -> dict:
    study = access.membership.study
    definitions = list(selectors.kri_definitions(access))
    latest, rows = selectors.kri_flags(access)
    flagged: dict[str, int] = {}
    for row in rows:
        if row.run.flag:
            flagged[row.kri_code] = flagged.get(row.kri_code, 0) + 1
    heat = selectors.kri_heatmap(access, last=HEATMAP_CUTS)
    return {
        "study": study,
        "definitions": [
            (
                d,
                _label(d.numerator),
                _label(d.denominator),
                ", ".join(f"{t:g}" for t in d.thresholds),
                flagged.get(d.code, 0),
            )
            for d in definitions
        ],
        "latest": latest,
        "snapshots": selectors.kri_snapshots(access)[:20],
        "heat": heat,
        "heatmap": heatmap_svg(heat, title=_("Flags by site and KRI over the last cuts"), no_flag=_("no score"))
        if heat.cuts and heat.groups
        else "",
        "can_manage": access.can(Perm.RISK_MANAGE),
        "add_form": add_form
        or forms.KriForm(initial={"method": "normal", "thresholds": "-3, -2, 2, 3", "min_denominator": 30}),
        "compute_form": compute_form or forms.ComputeForm(),
        "restricted": access.site_ids is not None,
    }


@login_required
@require_GET
def kri_list_page(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    return render(request, "monitoring/kris/list.html", _list_context(access))


def _save_kwargs(data: dict) -> dict:
    return {
        key: data[key]
        for key in (
            "name",
            "abbreviation",
            "numerator",
            "denominator",
            "method",
            "kind",
            "thresholds",
            "min_denominator",
        )
    }


@login_required
@require_POST
def kri_add(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    form = forms.KriForm(request.POST)
    if form.is_valid():
        try:
            definition = services.kri_definition_save(
                actor=request.user,
                study=access.membership.study,
                code=form.cleaned_data["code"],
                known=access,
                **_save_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("KRI %(code)s added.") % {"code": definition.code})
            return redirect("oversight:kris:kri", study_id, definition.code)
    return render(request, "monitoring/kris/list.html", _list_context(access, add_form=form))


@login_required
@require_POST
def kri_defaults(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    created = services.kri_definitions_create_default(actor=request.user, study=access.membership.study, known=access)
    messages.success(request, _("%(n)d default KRIs added.") % {"n": len(created)})
    return redirect("oversight:kris:list", study_id)


@login_required
@require_POST
def kri_compute(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    form = forms.ComputeForm(request.POST)
    if form.is_valid():
        try:
            snapshot = services.kri_snapshot_compute(
                actor=request.user, study=access.membership.study, cut_on=form.cleaned_data["cut_on"], known=access
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("KRI snapshot at %(cut)s computed.") % {"cut": snapshot.cut_on.isoformat()})
            return redirect("oversight:kris:list", study_id)
    return render(request, "monitoring/kris/list.html", _list_context(access, compute_form=form))


def _edit_initial(d: KriDefinition) -> dict:
    return {
        "name": d.name,
        "abbreviation": d.abbreviation,
        "numerator": d.numerator,
        "denominator": d.denominator,
        "method": d.method,
        "kind": d.kind,
        "thresholds": ", ".join(f"{t:g}" for t in d.thresholds),
        "min_denominator": d.min_denominator,
    }


def _kri_context(request: HttpRequest, access: StudyAccess, definition: KriDefinition, **forms_given) -> dict:
    study = access.membership.study
    snapshots = list(selectors.kri_snapshots(access).filter(definitions__has_key=definition.code))
    chosen = request.GET.get("snapshot", "")
    snapshot = next((s for s in snapshots if str(s.pk) == chosen), snapshots[0] if snapshots else None)
    level = (
        KriLevel.COUNTRY if request.GET.get("level") == KriLevel.COUNTRY and access.site_ids is None else KriLevel.SITE
    )
    rows, chart, frozen = [], "", {}
    if snapshot is not None:
        frozen = snapshot.definitions[definition.code]
        data = selectors.kri_funnel_data(access, snapshot, definition.code, level)
        runs = {}
        if snapshot == snapshots[0]:
            _latest, flag_rows = selectors.kri_flags(access, level=level, kri_code=definition.code)
            runs = {r.group: r.run for r in flag_rows}
        rows = [(p, runs.get(p.group), _site_link(study.pk, p.site_id)) for p in data.points]
        chart = funnel_svg(
            data,
            title=f"{definition.name} · {snapshot.cut_on.isoformat()}",
            x_label=_label(frozen["denominator"]),
            y_label=_label(frozen["numerator"]) + " / " + _label(frozen["denominator"]),
            expected=_("Study rate"),
        )
    can_manage = access.can(Perm.RISK_MANAGE)
    return {
        "study": study,
        "definition": definition,
        "numerator_label": _label(definition.numerator),
        "denominator_label": _label(definition.denominator),
        "thresholds": ", ".join(f"{t:g}" for t in definition.thresholds),
        "snapshots": snapshots,
        "snapshot": snapshot,
        "frozen": frozen,
        "level": level,
        "restricted": access.site_ids is not None,
        "rows": rows,
        "chart": chart,
        "can_manage": can_manage,
        "edit_form": forms_given.get("edit_form")
        or (forms.KriForm(initial=_edit_initial(definition), editing=True) if can_manage else None),
        "retire_form": forms_given.get("retire_form")
        or (forms.RetireForm() if can_manage and definition.active else None),
    }


@login_required
@require_GET
def kri_page(request: HttpRequest, study_id: int, code: str) -> HttpResponse:
    access = access_study(request.user, study_id, Perm.OVERSIGHT_VIEW)
    definition = selectors.kri_definition_by_code(access, code)
    context = _kri_context(request, access, definition)
    if request.headers.get("HX-Request") == "true":
        return render(request, "monitoring/kris/kri.html#results", context)
    return render(request, "monitoring/kris/kri.html", context)


@login_required
@require_POST
def kri_edit(request: HttpRequest, study_id: int, code: str) -> HttpResponse:
    access = access_study(request.user, study_id)
    definition = selectors.kri_definition_by_code(access, code)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    form = forms.KriForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.kri_definition_save(
                actor=request.user,
                study=access.membership.study,
                definition=definition,
                reason=form.cleaned_data["reason"],
                known=access,
                **_save_kwargs(form.cleaned_data),
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("KRI %(code)s saved.") % {"code": definition.code})
            return redirect("oversight:kris:kri", study_id, definition.code)
    return render(request, "monitoring/kris/kri.html", _kri_context(request, access, definition, edit_form=form))


@login_required
@require_POST
def kri_retire(request: HttpRequest, study_id: int, code: str) -> HttpResponse:
    access = access_study(request.user, study_id)
    definition = selectors.kri_definition_by_code(access, code)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    form = forms.RetireForm(request.POST)
    if form.is_valid():
        try:
            services.kri_definition_retire(
                actor=request.user, definition=definition, reason=form.cleaned_data["reason"], known=access
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("KRI %(code)s retired.") % {"code": definition.code})
            return redirect("oversight:kris:kri", study_id, definition.code)
    return render(request, "monitoring/kris/kri.html", _kri_context(request, access, definition, retire_form=form))
