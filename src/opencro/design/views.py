"""Design pages: the workspace (saved designs and a form per kind with a live preview), the side-by-side
comparison, the design report with its charts and the adoption form, and the report as PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.design import charts, presentation, services
from opencro.design.kinds import KINDS, Kind
from opencro.design.models import Design, DesignKind
from opencro.design.params import BOOL
from opencro.design.pdf import design_report_pdf, report_filename
from opencro.design.selectors import (
    COMPARE_MAX,
    COMPARE_MIN,
    design_get,
    design_list,
    designs_for_comparison,
    protocol_version_get,
    protocol_versions_draft,
)

NAME_MAX = 200
NOTES_MAX = 4000
META = ("name", "notes")  # fields of the saved design, not parameters of the kind


def _kind(value: str) -> Kind:
    return KINDS.get(value) or KINDS[DesignKind.MEANS]


def _submitted(post, spec: Kind) -> dict[str, str]:
    """The parameters as typed; one not sent keeps its default. A checkbox comes after a hidden empty
    field of the same name, so an unticked box still sends "" (no) and a ticked one also sends "1"."""
    found = {}
    for p in spec.params:
        if p.name in post:
            found[p.name] = ("1" if "1" in post.getlist(p.name) else "") if p.type == BOOL else post[p.name]
    return found


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def _fields(spec: Kind, texts: dict[str, str], errors: dict[str, list[str]]) -> list[dict]:
    return [{"param": p, "text": texts.get(p.name, ""), "errors": errors.get(p.name, [])} for p in spec.params]


def _workspace(request, access: StudyAccess, spec: Kind, **extra):
    texts = {p.name: p.as_text(p.default) for p in spec.params} | extra.pop("texts", {})
    errors = extra.pop("errors", {})
    designs = list(design_list(access))
    rows = [(d, [f for f in presentation.figures(d.kind, d.inputs, d.result) if f.key != "method"]) for d in designs]
    context = {
        "study": access.membership.study,
        "access": access,
        "may_compute": access.can(Perm.ANALYSIS_RUN),
        "kinds": list(KINDS.values()),
        "spec": spec,
        "fields": _fields(spec, texts, errors),
        "other_errors": {k: v for k, v in errors.items() if spec.param(k) is None and k not in META},
        "meta_errors": {k: v for k, v in errors.items() if k in META},
        "rows": rows,
        "compare_min": COMPARE_MIN,
        "compare_max": COMPARE_MAX,
        **extra,
    }
    return render(request, "design/workspace.html", context)


@login_required
def workspace(request, study_id: int):
    """Saved designs with their key figures, and the form of one kind (?kind=...)."""
    access = access_study(request.user, study_id)
    return _workspace(request, access, _kind(request.GET.get("kind", "")))


@login_required
@require_POST
def preview(request, study_id: int):
    """HTMX: the result of what is typed so far (nothing saved), and each field's error beside it."""
    access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    spec = _kind(request.POST.get("kind", ""))
    computed, errors = None, {}
    try:
        computed = services.design_compute(spec.code, _submitted(request.POST, spec))
    except ValidationError as exc:
        errors = _errors(exc)
    context = {"spec": spec, "computed": computed, "errors": errors, "fields": _fields(spec, {}, errors)}
    context["other_errors"] = {k: v for k, v in errors.items() if spec.param(k) is None}
    if computed is not None:
        context["figures"] = presentation.figures(spec.code, computed.inputs, computed.result)
        context["charts"] = _svgs(presentation.design_charts(spec.code, computed.inputs, computed.result))
    return render(request, "design/_preview.html", context)


@login_required
@require_POST
def save(request, study_id: int):
    access = access_study(request.user, study_id, Perm.ANALYSIS_RUN)
    spec = _kind(request.POST.get("kind", ""))
    texts = _submitted(request.POST, spec)
    name = request.POST.get("name", "")[:NAME_MAX]
    notes = request.POST.get("notes", "")[:NOTES_MAX]
    try:
        design = services.design_save(
            actor=request.user, study=access.membership.study, name=name, kind=spec.code, inputs=texts, notes=notes
        )
    except ValidationError as exc:
        errors = _errors(exc)
        messages.error(request, _("The design was not saved: correct the fields marked below."))
        return _workspace(request, access, spec, texts=texts, errors=errors, name=name, notes=notes)
    messages.success(request, _("Design “%(name)s” saved.") % {"name": design.name})
    return redirect("design:report", study_id=study_id, design_id=design.pk)


@login_required
def compare(request, study_id: int):
    """2 to 4 saved designs side by side (?designs=1&designs=2); differences highlighted."""
    access = access_study(request.user, study_id)
    ids = [int(v) for v in request.GET.getlist("designs") if v.isdigit() and len(v) < 16]
    chosen: list[Design] = []
    if ids:
        chosen = designs_for_comparison(access, ids)
        if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
            messages.error(request, _("Choose 2 to 4 designs to compare."))
            chosen = []
    context = {
        "study": access.membership.study,
        "designs": design_list(access),
        "chosen": chosen,
        "chosen_ids": [d.pk for d in chosen],
        "inputs": presentation.compare_inputs(chosen) if chosen else [],
        "figures": presentation.compare_figures(chosen) if chosen else [],
    }
    return render(request, "design/compare.html", context)


def _svgs(found: list[charts.Chart]) -> list[str]:
    """The charts as SVG, marked safe: charts.svg escapes every text and attribute it writes."""
    return [mark_safe(charts.svg(chart)) for chart in found]  # noqa: S308 - escaped by charts.svg


@login_required
def report(request, study_id: int, design_id: int):
    access = access_study(request.user, study_id)
    design = design_get(access, design_id)
    spec = KINDS[design.kind]
    may_adopt = design.is_draft and access.can(Perm.ANALYSIS_RUN) and access.can(Perm.SIGN)
    context = {
        "study": access.membership.study,
        "design": design,
        "spec": spec,
        "inputs": presentation.input_rows(design.kind, design.inputs),
        "figures": presentation.figures(design.kind, design.inputs, design.result),
        "charts": _svgs(presentation.design_charts(design.kind, design.inputs, design.result)),
        "boundaries": presentation.boundary_rows(design.result) if spec.chart == "boundaries" else [],
        "doses": presentation.dose_rows(design.inputs, design.result) if spec.chart == "selection" else [],
        "decision_rows": _decision_rows(design.result),
        "references": presentation.references(design.result),
        "signatures": signatures_for(design),
        "versions": protocol_versions_draft(access) if may_adopt else [],
        "may_adopt": may_adopt,
        "may_delete": design.is_draft and access.can(Perm.ANALYSIS_RUN),
    }
    return render(request, "design/report.html", context)


def _decision_rows(result: dict) -> list[dict]:
    table = result.get("boundaries")
    if not table:
        return []
    return [row for row in table["rows"] if row["n"] % table["cohort_size"] == 0]


@login_required
@require_POST
def adopt(request, study_id: int, design_id: int):
    """Adopt the design into a draft protocol version, signing it with the password."""
    access = access_study(request.user, study_id)
    design = design_get(access, design_id)
    access_check(access, Perm.ANALYSIS_RUN)
    access_check(access, Perm.SIGN)
    chosen = request.POST.get("protocol_version", "")
    version = protocol_version_get(access, int(chosen)) if chosen.isdigit() and len(chosen) < 16 else None
    if version is None:
        messages.error(request, _("Choose the protocol version to adopt the design into."))
        return redirect("design:report", study_id=study_id, design_id=design_id)
    try:
        services.design_adopt(
            actor=request.user,
            design=design,
            protocol_version=version,
            password=request.POST.get("password", ""),
            reason=request.POST.get("reason", "")[:500],
        )
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        messages.success(
            request, _("Adopted into protocol version %(version)s and signed.") % {"version": version.version}
        )
    return redirect("design:report", study_id=study_id, design_id=design_id)


@login_required
@require_POST
def delete(request, study_id: int, design_id: int):
    access = access_study(request.user, study_id)
    design = design_get(access, design_id)
    access_check(access, Perm.ANALYSIS_RUN)
    try:
        services.design_delete(actor=request.user, design=design, reason=request.POST.get("reason", "")[:500])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("design:report", study_id=study_id, design_id=design_id)
    messages.success(request, _("Design “%(name)s” deleted.") % {"name": design.name})
    return redirect("design:workspace", study_id=study_id)


def report_pdf_response(access: StudyAccess, user, design: Design) -> HttpResponse:
    """The design report PDF as a download (pages and the API share it)."""
    printed_at = timezone.now()
    printed_by = user.get_username()
    if user.get_full_name():
        printed_by = f"{user.get_full_name()} ({printed_by})"
    content = design_report_pdf(
        design,
        signatures=signatures_for(design),
        printed_by=printed_by,
        printed_at=printed_at,
        tz=timezone.get_current_timezone(),
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(design, printed_at)}"'
    add_never_cache_headers(response)
    return response


@login_required
def report_pdf(request, study_id: int, design_id: int):
    access = access_study(request.user, study_id)
    return report_pdf_response(access, request.user, design_get(access, design_id))
