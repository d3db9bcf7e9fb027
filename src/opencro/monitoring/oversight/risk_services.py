"""Risk assessment writes: start a draft version, add, edit and remove risks, approve with an e-signature.

A study has at most one draft; a new draft copies the risks of the latest version. Approving signs the draft (meaning
"approve") after binding it to its risks (`content_digest`, SHA-256 of the risks' content), and supersedes the
version approved before it. Writes need `risk.manage` (approval: `risk.approve` and `esign.sign`); a risk assessment
holds no participant's data, so a member restricted to some sites may work on it too.
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audited_delete, audited_save
from opencro.core.text import explanation_required
from opencro.monitoring.models import (
    AssessmentStatus,
    KriDefinition,
    QualityToleranceLimit,
    Risk,
    RiskAssessment,
    RiskCategory,
)
from opencro.studies.models import Study

SCALE = (1, 2, 3)  # RACT: low, medium, high
DESCRIPTION_MESSAGE = "Describe the risk in at least %(n)d characters."


def _draft_locked(assessment: RiskAssessment) -> RiskAssessment:
    locked = RiskAssessment.objects.select_for_update(of=("self",)).get(pk=assessment.pk)
    if locked.status != AssessmentStatus.DRAFT:
        message = _("Version %(v)d is %(status)s: start a new version to change it.")
        raise ValidationError(
            {"status": message % {"v": locked.version, "status": locked.get_status_display().lower()}}
        )
    return locked


def risk_assessment_draft(*, actor: User, study: Study, known: StudyAccess | None = None) -> RiskAssessment:
    """Start the next version as a draft, with a copy of the latest version's risks; refused while one is a draft."""
    access_require(actor, study, Perm.RISK_MANAGE, known=known)
    with transaction.atomic():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()
        latest = RiskAssessment.objects.filter(study=study).order_by("-version").first()
        if latest is not None and latest.status == AssessmentStatus.DRAFT:
            raise ValidationError({"status": _("Version %(v)d is still a draft.") % {"v": latest.version}})
        draft = audited_save(
            RiskAssessment(
                study=study,
                version=(latest.version + 1) if latest else 1,
                summary=latest.summary if latest else "",
                created_by=actor,
                created_at=timezone.now(),
            ),
            actor=actor,
            trusted=("study", "created_by"),
        )
        for risk in latest.risks.all() if latest else ():
            audited_save(
                Risk(
                    assessment=draft,
                    number=risk.number,
                    category=risk.category,
                    description=risk.description,
                    impact=risk.impact,
                    likelihood=risk.likelihood,
                    detectability=risk.detectability,
                    mitigation=risk.mitigation,
                    kri_codes=list(risk.kri_codes),
                    qtl_codes=list(risk.qtl_codes),
                ),
                actor=actor,
                trusted=("assessment",),
            )
    return draft


def _score(value: int, field: str) -> int:
    if value not in SCALE:
        raise ValidationError({field: _("Score it 1 (low), 2 (medium) or 3 (high).")})
    return value


def _codes(study_id: int, codes: list[str], model, field: str) -> list[str]:
    codes = sorted({c.strip() for c in codes if c and c.strip()})
    known = set(model.objects.filter(study_id=study_id, code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValidationError({field: _("Not defined in this study: %(codes)s.") % {"codes": ", ".join(unknown)}})
    return codes


def _number_next(assessment: RiskAssessment) -> str:
    """R-01, R-02...: one more than the highest number of the version (a removed risk's number is not reused)."""
    used = [int(n[2:]) for n in assessment.risks.values_list("number", flat=True) if n[2:].isdigit()]
    return f"R-{max(used, default=0) + 1:02d}"


def risk_save(
    *,
    actor: User,
    assessment: RiskAssessment,
    category: str,
    description: str,
    impact: int,
    likelihood: int,
    detectability: int,
    mitigation: str = "",
    kri_codes: list[str] | None = None,
    qtl_codes: list[str] | None = None,
    risk: Risk | None = None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> Risk:
    """Add a risk to a draft (`risk` None; numbered R-01...) or edit one of its risks (with a reason)."""
    access_require(actor, assessment.study, Perm.RISK_MANAGE, known=known)
    if category not in RiskCategory.values:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if risk is not None and risk.assessment_id != assessment.pk:
        raise ValidationError({"risk": _("The risk is not in this version.")})
    with transaction.atomic():
        assessment = _draft_locked(assessment)
        target = risk or Risk(assessment=assessment, number=_number_next(assessment))
        target.category = category
        target.description = explanation_required(description, field="description", message=DESCRIPTION_MESSAGE)
        target.impact = _score(impact, "impact")
        target.likelihood = _score(likelihood, "likelihood")
        target.detectability = _score(detectability, "detectability")
        target.mitigation = (mitigation or "").strip()
        target.kri_codes = _codes(assessment.study_id, kri_codes or [], KriDefinition, "kri_codes")
        target.qtl_codes = _codes(assessment.study_id, qtl_codes or [], QualityToleranceLimit, "qtl_codes")
        return audited_save(target, actor=actor, reason=reason, trusted=("assessment",))


def risk_remove(*, actor: User, risk: Risk, reason: str, known: StudyAccess | None = None) -> None:
    """Remove a risk from a draft (audited, with a reason)."""
    access_require(actor, risk.assessment.study, Perm.RISK_MANAGE, known=known)
    with transaction.atomic():
        _draft_locked(risk.assessment)
        audited_delete(risk, actor=actor, reason=reason)


def assessment_digest(assessment: RiskAssessment) -> str:
    """SHA-256 of the version's summary and risks: what the approval signature is bound to."""
    risks = [
        {
            "number": r.number,
            "category": r.category,
            "description": r.description,
            "scores": [r.impact, r.likelihood, r.detectability],
            "mitigation": r.mitigation,
            "kri": r.kri_codes,
            "qtl": r.qtl_codes,
        }
        for r in assessment.risks.order_by("number")
    ]
    payload = json.dumps({"summary": assessment.summary, "risks": risks}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def risk_assessment_approve(
    *, actor: User, assessment: RiskAssessment, password: str, summary: str = "", known: StudyAccess | None = None
) -> RiskAssessment:
    """Approve the draft with an e-signature; the version approved before it is superseded."""
    access_require(actor, assessment.study, Perm.RISK_APPROVE, known=known)
    with transaction.atomic():
        assessment = _draft_locked(assessment)
        if not assessment.risks.exists():
            raise ValidationError({"risks": _("Add at least one risk before approving.")})
        if summary.strip():
            assessment.summary = summary.strip()
        assessment.content_digest = assessment_digest(assessment)
        assessment.status = AssessmentStatus.APPROVED
        assessment.approved_by = actor
        assessment.approved_at = timezone.now()
        previous = RiskAssessment.objects.filter(study_id=assessment.study_id, status=AssessmentStatus.APPROVED)
        for old in previous.select_for_update(of=("self",)):
            old.status = AssessmentStatus.SUPERSEDED
            audited_save(old, actor=actor, reason=_("Superseded by version %(v)d.") % {"v": assessment.version})
        audited_save(assessment, actor=actor, reason=_("Approved."), trusted=("study", "created_by", "approved_by"))
        signature_apply(actor=actor, password=password, instance=assessment, meaning=SignatureMeaning.APPROVE)
    return assessment
