"""Quality tolerance limit writes: define a QTL, evaluate the study's QTLs at a data cut, document a breach's action.

Evaluating writes one `QtlEvaluation` per active QTL (exact 95% interval, `opencro.stats.qtl`). A QTL that is
beyond its limit (signal or breach) opens a `QtlBreach`, or extends the open one; the first evaluation back within
the limit ends it. A breach keeps its cause and action, documented by the study team, for the clinical study report.
Writes need `risk.manage`.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import audit_event, audited_save
from opencro.core.text import explanation_required
from opencro.monitoring.models import (
    QtlBreach,
    QtlEvaluation,
    QtlParameter,
    QtlStatus,
    QualityToleranceLimit,
)
from opencro.monitoring.oversight.qtl_parameters import PARAMETERS, parameter_counts
from opencro.stats.qtl import qtl_estimate
from opencro.studies.models import Study

ACTION_MESSAGE = "Describe the action in at least %(n)d characters."
CAUSE_MESSAGE = "Describe the cause in at least %(n)d characters."


def qtl_save(
    *,
    actor: User,
    study: Study,
    code: str,
    parameter: str,
    limit: float,
    direction: str = "upper",
    rationale: str = "",
    active: bool = True,
    qtl: QualityToleranceLimit | None = None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> QualityToleranceLimit:
    """Define a QTL (`qtl` None) or change one (with a reason); a proportion's limit lies in (0, 1)."""
    access_require(actor, study, Perm.RISK_MANAGE, known=known)
    if qtl is not None and qtl.study_id != study.pk:
        raise ValidationError({"qtl": _("The QTL belongs to another study.")})
    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Give the QTL a code, e.g. QTL-01.")})
    if parameter not in QtlParameter.values:
        raise ValidationError({"parameter": _("Choose a parameter from the list.")})
    if direction not in ("upper", "lower"):
        raise ValidationError({"direction": _("Choose upper or lower.")})
    if limit is None or limit <= 0 or (PARAMETERS[parameter].distribution == "binomial" and limit >= 1):
        raise ValidationError({"limit": _("A proportion's limit lies between 0 and 1; a rate's is above 0.")})
    with transaction.atomic():
        clash = QualityToleranceLimit.objects.filter(study=study, code=code)
        if qtl is not None:
            clash = clash.exclude(pk=qtl.pk)
        if clash.exists():
            raise ValidationError({"code": _("The study has a QTL %(code)s already.") % {"code": code}})
        target = qtl or QualityToleranceLimit(study=study)
        target.code, target.parameter, target.limit, target.direction = code, parameter, float(limit), direction
        target.rationale, target.active = (rationale or "").strip(), bool(active)
        return audited_save(target, actor=actor, reason=reason, trusted=("study",))


def qtls_evaluate(
    *, actor: User | None, study: Study, cut_on: dt.date, known: StudyAccess | None = None
) -> list[QtlEvaluation]:
    """Evaluate every active QTL of the study at `cut_on` (the system may, as the daily job)."""
    if actor is not None:
        access_require(actor, study, Perm.RISK_MANAGE, known=known)
    qtls = list(QualityToleranceLimit.objects.filter(study=study, active=True).order_by("code"))
    counts = parameter_counts(study, cut_on, {q.parameter for q in qtls})
    now = timezone.now()
    written = []
    with transaction.atomic():
        for qtl in QualityToleranceLimit.objects.select_for_update(of=("self",)).filter(pk__in=[q.pk for q in qtls]):
            numerator, denominator = counts[qtl.parameter]
            estimate = qtl_estimate(
                numerator,
                denominator,
                limit=qtl.limit,
                distribution=PARAMETERS[qtl.parameter].distribution,
                direction=qtl.direction,
            )
            evaluation = QtlEvaluation.objects.create(
                qtl=qtl,
                evaluated_at=now,
                cut_on=cut_on,
                numerator=numerator,
                denominator=denominator,
                estimate=estimate.estimate,
                lower=estimate.lower,
                upper=estimate.upper,
                status=estimate.status,
            )
            _breach_follow(actor, qtl, evaluation)
            written.append(evaluation)
        audit_event(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="monitoring.qtlevaluation",
            object_id=cut_on.isoformat(),
            object_repr=_("QTL evaluation at %(cut)s") % {"cut": cut_on.isoformat()},
            study_id=study.pk,
            changes={e.qtl.code: (None, f"{e.status} {e.numerator:g}/{e.denominator:g}") for e in written},
        )
    return written


def _breach_follow(actor: User | None, qtl: QualityToleranceLimit, evaluation: QtlEvaluation) -> None:
    """Open, extend or end the QTL's breach after `evaluation`."""
    open_breach = QtlBreach.objects.filter(qtl=qtl, ended_on__isnull=True).order_by("-id").first()
    if evaluation.status == QtlStatus.WITHIN:
        if open_breach is not None:
            open_breach.ended_on = evaluation.cut_on
            open_breach.last_evaluation = evaluation
            audited_save(open_breach, actor=actor, reason=_("Back within the limit."))
        return
    if open_breach is None:
        audited_save(
            QtlBreach(
                qtl=qtl,
                study_id=qtl.study_id,
                first_evaluation=evaluation,
                last_evaluation=evaluation,
                worst_status=evaluation.status,
            ),
            actor=actor,
            trusted=("qtl", "study", "first_evaluation", "last_evaluation"),
        )
        return
    open_breach.last_evaluation = evaluation
    if evaluation.status == QtlStatus.BREACH:
        open_breach.worst_status = QtlStatus.BREACH
    audited_save(open_breach, actor=actor, reason=_("Still beyond the limit."))


def qtl_breach_action(
    *, actor: User, breach: QtlBreach, cause: str, action: str, known: StudyAccess | None = None
) -> QtlBreach:
    """Document the cause of a QTL breach and the action taken (it can be revised, with the trail)."""
    access_require(actor, breach.study, Perm.RISK_MANAGE, known=known)
    with transaction.atomic():
        breach = QtlBreach.objects.select_for_update(of=("self",)).get(pk=breach.pk)
        revising = bool(breach.action)
        breach.cause = explanation_required(cause, field="cause", message=CAUSE_MESSAGE)
        breach.action = explanation_required(action, field="action", message=ACTION_MESSAGE)
        breach.actioned_by = actor
        breach.actioned_at = timezone.now()
        return audited_save(
            breach,
            actor=actor,
            reason=_("Action revised.") if revising else _("Action documented."),
            trusted=("qtl", "study", "first_evaluation", "last_evaluation", "actioned_by"),
        )
