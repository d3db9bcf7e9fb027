"""Reads of the risk assessment and the QTLs: versions, risks by score, QTL trends and breaches for the CSR.

A risk assessment and the QTLs are the study's (study-level aggregates, no participant's data): every member with
`oversight.view` reads them, site-restricted or not.
"""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.monitoring.models import (
    AssessmentStatus,
    CsmRun,
    QtlBreach,
    QtlEvaluation,
    QualityToleranceLimit,
    Risk,
    RiskAssessment,
)


def assessment_versions(access: StudyAccess) -> QuerySet[RiskAssessment]:
    return RiskAssessment.objects.filter(study_id=access.membership.study_id).select_related(
        "created_by", "approved_by"
    )


def assessment_get(access: StudyAccess, version: int | None = None) -> RiskAssessment | None:
    """One version; without `version` the draft if there is one, else the approved version, else None."""
    versions = assessment_versions(access)
    if version is not None:
        found = versions.filter(version=version).first()
        if found is None:
            raise Http404(_("No such version of the risk assessment."))
        return found
    return (
        versions.filter(status=AssessmentStatus.DRAFT).first()
        or versions.filter(status=AssessmentStatus.APPROVED).first()
    )


def risks_ranked(assessment: RiskAssessment) -> list[Risk]:
    """The version's risks, highest score first (then number)."""
    return sorted(assessment.risks.all(), key=lambda r: (-r.score, r.number))


def risk_get(assessment: RiskAssessment, risk_id: int) -> Risk:
    risk = assessment.risks.filter(pk=risk_id).first()
    if risk is None:
        raise Http404(_("No such risk."))
    return risk


def qtl_list(access: StudyAccess) -> QuerySet[QualityToleranceLimit]:
    return QualityToleranceLimit.objects.filter(study_id=access.membership.study_id).order_by("code")


def qtl_get(access: StudyAccess, qtl_id: int) -> QualityToleranceLimit:
    qtl = qtl_list(access).filter(pk=qtl_id).first()
    if qtl is None:
        raise Http404(_("No such QTL."))
    return qtl


@dataclass(frozen=True)
class QtlRow:
    qtl: QualityToleranceLimit
    latest: QtlEvaluation | None
    open_breach: QtlBreach | None


def qtl_overview(access: StudyAccess) -> list[QtlRow]:
    """Each QTL with its latest evaluation and its open breach, if any."""
    qtls = list(qtl_list(access))
    latest: dict[int, QtlEvaluation] = {}
    for evaluation in QtlEvaluation.objects.filter(qtl__in=qtls).order_by("qtl_id", "-cut_on", "-id"):
        latest.setdefault(evaluation.qtl_id, evaluation)
    open_breaches = {b.qtl_id: b for b in QtlBreach.objects.filter(qtl__in=qtls, ended_on__isnull=True)}
    return [QtlRow(q, latest.get(q.pk), open_breaches.get(q.pk)) for q in qtls]


def qtl_history(qtl: QualityToleranceLimit) -> list[QtlEvaluation]:
    """The QTL's evaluations, oldest first, one per data cut (the latest of a cut evaluated twice)."""
    by_cut: dict = {}
    for evaluation in qtl.evaluations.order_by("cut_on", "id"):
        by_cut[evaluation.cut_on] = evaluation
    return list(by_cut.values())


def breach_list(access: StudyAccess) -> QuerySet[QtlBreach]:
    """Every QTL breach of the study, first found first: the list for the clinical study report."""
    return (
        QtlBreach.objects.filter(study_id=access.membership.study_id)
        .select_related("qtl", "first_evaluation", "last_evaluation", "actioned_by")
        .order_by("first_evaluation__cut_on", "id")
    )


def breach_get(access: StudyAccess, breach_id: int) -> QtlBreach:
    breach = breach_list(access).filter(pk=breach_id).first()
    if breach is None:
        raise Http404(_("No such QTL breach."))
    return breach


def csm_runs(access: StudyAccess) -> QuerySet[CsmRun]:
    """The study's central monitoring runs, newest first (a ranking holds every site: show a reader their sites')."""
    return (
        CsmRun.objects.filter(study_id=access.membership.study_id)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def csm_latest(access: StudyAccess) -> CsmRun | None:
    return csm_runs(access).first()
