"""Risk assessment pages: the current version (draft or approved) with its risks by score, earlier versions, the
draft's edits and its approval with an e-signature.

Reads need `oversight.view`; edits `risk.manage`, approval `risk.approve` and `esign.sign`. A refused form answers
200 with the page and the errors; a change that lands redirects with a message.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.core.form_errors import errors_to_form
from opencro.monitoring.models import AssessmentStatus, Risk, RiskAssessment
from opencro.monitoring.oversight import forms, risk_services, selectors


def _risk_initial(risk: Risk) -> dict:
    return {
        "category": risk.category,
        "description": risk.description,
        "impact": risk.impact,
        "likelihood": risk.likelihood,
        "detectability": risk.detectability,
        "mitigation": risk.mitigation,
        "kri_codes": ", ".join(risk.kri_codes),
        "qtl_codes": ", ".join(risk.qtl_codes),
    }


def _page(
    request: HttpRequest,
    access: StudyAccess,
    assessment: RiskAssessment | None,
    *,
    risk_form: forms.RiskForm | None = None,
    approve_form: forms.ApproveForm | None = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    draft = assessment is not None and assessment.status == AssessmentStatus.DRAFT
    can_manage = access.can(Perm.RISK_MANAGE)
    context = {
        "study": access.membership.study,
        "assessment": assessment,
        "risks": selectors.risks_ranked(assessment) if assessment else [],
        "versions": selectors.assessment_versions(access),
        "signatures": signatures_for(assessment) if assessment else [],
        "can_manage": can_manage,
        "can_start": can_manage and not draft,
        "risk_form": (risk_form or forms.RiskForm()) if draft and can_manage else None,
        "approve_form": (approve_form or forms.ApproveForm(initial={"summary": assessment.summary}))
        if draft and access.can(Perm.RISK_APPROVE)
        else None,
        "errors": errors or [],
        "can_audit": access.can(Perm.AUDIT_VIEW),
    }
    return render(request, "monitoring/oversight/risks.html", context)


@login_required
@require_GET
def risk_assessment_page(request: HttpRequest, study_id: int, version: int | None = None) -> HttpResponse:
    access = access_study(request.user, study_id)
    assessment = selectors.assessment_get(access, version)
    access_check(access, Perm.OVERSIGHT_VIEW)
    return _page(request, access, assessment)


@login_required
@require_POST
def risk_assessment_draft(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    try:
        draft = risk_services.risk_assessment_draft(actor=request.user, study=access.membership.study, known=access)
    except ValidationError as exc:
        return _page(request, access, selectors.assessment_get(access), errors=exc.messages)
    messages.success(request, _("Version %(v)d started as a draft.") % {"v": draft.version})
    return redirect("oversight:risks", study_id)


def _risk_call(request: HttpRequest, access: StudyAccess, assessment: RiskAssessment, risk: Risk | None):
    form = forms.RiskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            risk_services.risk_save(
                actor=request.user,
                assessment=assessment,
                risk=risk,
                category=data["category"],
                description=data["description"],
                impact=data["impact"],
                likelihood=data["likelihood"],
                detectability=data["detectability"],
                mitigation=data["mitigation"],
                kri_codes=forms.codes(data["kri_codes"]),
                qtl_codes=forms.codes(data["qtl_codes"]),
                reason=data["reason"],
                known=access,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Risk saved."))
            return redirect("oversight:risks", access.membership.study_id)
    return form


def _draft_of(access: StudyAccess) -> RiskAssessment:
    assessment = selectors.assessment_get(access)
    if assessment is None or assessment.status != AssessmentStatus.DRAFT:
        raise Http404(_("There is no draft: start a new version first."))
    return assessment


@login_required
@require_POST
def risk_add(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_MANAGE)
    assessment = _draft_of(access)
    result = _risk_call(request, access, assessment, None)
    if isinstance(result, HttpResponse):
        return result
    return _page(request, access, assessment, risk_form=result)


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, study_id: int, risk_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    assessment = selectors.assessment_get(access)
    if assessment is None:
        return redirect("oversight:risks", study_id)
    risk = selectors.risk_get(assessment, risk_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    assessment = _draft_of(access)
    form = forms.RiskForm(initial=_risk_initial(risk))
    if request.method == "POST":
        result = _risk_call(request, access, assessment, risk)
        if isinstance(result, HttpResponse):
            return result
        form = result
    context = {"study": access.membership.study, "risk": risk, "form": form, "remove_form": forms.RemoveForm()}
    return render(request, "monitoring/oversight/risk_edit.html", context)


@login_required
@require_POST
def risk_remove(request: HttpRequest, study_id: int, risk_id: int) -> HttpResponse:
    access = access_study(request.user, study_id)
    assessment = selectors.assessment_get(access)
    if assessment is None:
        return redirect("oversight:risks", study_id)
    risk = selectors.risk_get(assessment, risk_id)
    access_check(access, Perm.OVERSIGHT_VIEW)
    access_check(access, Perm.RISK_MANAGE)
    form = forms.RemoveForm(request.POST)
    if form.is_valid():
        try:
            risk_services.risk_remove(actor=request.user, risk=risk, reason=form.cleaned_data["reason"], known=access)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Risk %(number)s removed.") % {"number": risk.number})
            return redirect("oversight:risks", study_id)
    context = {"study": access.membership.study, "risk": risk, "form": forms.RiskForm(initial=_risk_initial(risk))}
    return render(request, "monitoring/oversight/risk_edit.html", {**context, "remove_form": form})


@login_required
@require_POST
def risk_assessment_approve(request: HttpRequest, study_id: int) -> HttpResponse:
    access = access_check(access_study(request.user, study_id, Perm.OVERSIGHT_VIEW), Perm.RISK_APPROVE)
    access_check(access, Perm.SIGN)
    assessment = _draft_of(access)
    form = forms.ApproveForm(request.POST)
    if form.is_valid():
        try:
            risk_services.risk_assessment_approve(
                actor=request.user,
                assessment=assessment,
                password=form.cleaned_data["password"],
                summary=form.cleaned_data["summary"],
                known=access,
            )
        except ValidationError as exc:
            errors_to_form(form, exc)
        except PermissionDenied as exc:  # the password (the permissions were checked above)
            form.add_error("password", str(exc))
        else:
            messages.success(request, _("Version %(v)d approved and signed.") % {"v": assessment.version})
            return redirect("oversight:risks", study_id)
    return _page(request, access, assessment, approve_form=form)
