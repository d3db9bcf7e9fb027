"""Risk and issue register writes: raise a risk (by hand or from a signal, in one step), change it, close it, or record
that it happened (realised: it stays in the register as an issue until closed). Every write is made by a project lead
(`project.manage`) of either party, while the work order is a draft or executed, and audited; a change after the risk
was raised says why.

Rules: the owner is an active person of one of the two parties (the party is recorded beside them); a due date set or
moved is not in the past; open -> mitigating (with a mitigation plan) and back; open or mitigating -> realised (what
happened); any but closed -> closed (a closing note). A work order holds one risk not closed per signal key: a signal
is raised once, and again only after its risk was closed.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.models import OrganisationMember, User
from opencro.accounts.permissions import OrgPerm
from opencro.audit.services import audited_save
from opencro.core.text import explanation_required
from opencro.monitoring.issues.services import _due  # the issues' rule: given, and not in the past
from opencro.partnership.catalogue import Signatory
from opencro.partnership.models import ProjectRisk, RiskCategory, RiskSource, RiskStatus, WorkOrder
from opencro.partnership.models.risks import ACTIVE_STATUSES, NUMBER_PREFIX
from opencro.partnership.risk_signals import reaches_study, signal_get
from opencro.partnership.services.kickoff import PLAN_OPEN
from opencro.partnership.services.parties import REASON_MESSAGE, acting_party

TEXT_FIELDS = ("title", "description", "mitigation", "contingency")
CHANGEABLE = (*TEXT_FIELDS, "category", "likelihood", "impact", "owner", "due_on", "status")
STEPPED = (RiskStatus.OPEN, RiskStatus.MITIGATING)  # the statuses a change may move between
TRUSTED = ("work_order", "owner", "raised_by")
DEFAULT_DUE_DAYS = 14  # a risk raised from a signal without a due date: reviewed within two weeks


def _register_open(work_order: WorkOrder) -> WorkOrder:
    """The work order locked, when its register may change (a draft or executed)."""
    locked = (
        WorkOrder.objects.select_for_update(of=("self",)).select_related("agreement", "study").get(pk=work_order.pk)
    )
    if locked.status not in PLAN_OPEN:
        raise ValidationError(_("The risk register changes while the work order is a draft or executed."))
    return locked


def _owner_party(work_order: WorkOrder, owner: User | None) -> str:
    """The party the owner works for; refused unless they are an active person of the sponsor or of the CRO."""
    agreement = work_order.agreement
    member = (
        OrganisationMember.objects.filter(
            user=owner,
            is_active=True,
            user__is_active=True,
            organisation_id__in=(agreement.sponsor_id, agreement.cro_id),
        ).first()
        if owner is not None
        else None
    )
    if member is None:
        raise ValidationError({"owner": _("The owner must be a person of the sponsor or of the CRO.")})
    return Signatory.SPONSOR if member.organisation_id == agreement.sponsor_id else Signatory.CRO


def _choice(value: str, field: str, choices: type) -> str:
    if value not in choices.values:
        raise ValidationError({field: _("Choose one of the list.")})
    return value


def _key_free(work_order: WorkOrder, source_key: str, exclude: int | None = None) -> None:
    """Refuse a second risk not closed for one signal (the caller holds the work order's lock)."""
    if not source_key:
        return
    held = ProjectRisk.objects.filter(work_order=work_order, source_key=source_key, status__in=ACTIVE_STATUSES)
    number = held.exclude(pk=exclude).values_list("number", flat=True).first()
    if number is not None:
        raise ValidationError(
            {"source_key": _("Risk %(number)s is already in the register for this signal.") % {"number": number}}
        )


def risk_raise(
    *,
    actor: User,
    work_order: WorkOrder,
    title: str,
    category: str,
    likelihood: int,
    impact: int,
    owner: User | None,
    due_on: dt.date | None,
    description: str = "",
    mitigation: str = "",
    contingency: str = "",
    source: str = RiskSource.MANUAL,
    source_key: str = "",
    source_detail: str = "",
) -> ProjectRisk:
    """Raise a risk on the work order (RSK-001, ...), open, raised today; one risk not closed per `source_key`."""
    acting_party(actor, work_order.agreement, OrgPerm.PROJECT_MANAGE)
    today = timezone.localdate()
    with transaction.atomic():
        locked = _register_open(work_order)
        risk = ProjectRisk(
            work_order=locked,
            title=(title or "").strip(),
            description=(description or "").strip(),
            category=_choice(category, "category", RiskCategory),
            likelihood=likelihood,
            impact=impact,
            owner=owner,
            owner_party=_owner_party(locked, owner),
            due_on=_due(due_on, today),
            mitigation=(mitigation or "").strip(),
            contingency=(contingency or "").strip(),
            source=_choice(source, "source", RiskSource),
            source_key=(source_key or "").strip(),
            source_detail=(source_detail or "").strip(),
            raised_by=actor,
            raised_on=today,
        )
        _key_free(locked, risk.source_key)
        risk.number = f"{NUMBER_PREFIX}{locked.risks.count() + 1:03d}"  # none is ever deleted
        return audited_save(risk, actor=actor, trusted=TRUSTED, unique_checked=True)


def risk_raise_from_signal(
    *,
    actor: User,
    work_order: WorkOrder,
    source_key: str,
    owner: User | None = None,
    due_on: dt.date | None = None,
    likelihood: int | None = None,
    impact: int | None = None,
) -> ProjectRisk:
    """Raise the signal `source_key` of the work order as a risk in one step: its title, detail, category and
    proposed scores, owned by the actor and due in two weeks unless said otherwise. The signal is read again now
    (a signal gone is refused), among those the actor's organisation may read."""
    access, _party = acting_party(actor, work_order.agreement, OrgPerm.PROJECT_MANAGE)
    today = timezone.localdate()
    signal = signal_get(work_order, source_key, today, oversight=reaches_study(access.organisation, work_order))
    if signal is None:
        raise ValidationError({"source_key": _("There is no such signal on this work order now.")})
    return risk_raise(
        actor=actor,
        work_order=work_order,
        title=signal.title,
        description=signal.detail,
        category=signal.category,
        likelihood=likelihood or signal.likelihood,
        impact=impact or signal.impact,
        owner=owner or actor,
        due_on=due_on or today + dt.timedelta(days=DEFAULT_DUE_DAYS),
        source=signal.source,
        source_key=signal.key,
        source_detail=signal.detail,
    )


def _locked(risk: ProjectRisk) -> tuple[WorkOrder, ProjectRisk]:
    """The work order (its register open) and the risk, locked; refused once the risk is closed."""
    work_order = _register_open(risk.work_order)
    risk = ProjectRisk.objects.select_for_update(of=("self",)).get(pk=risk.pk)
    risk.work_order = work_order
    if risk.status == RiskStatus.CLOSED:
        raise ValidationError({"status": _("Risk %(number)s is closed.") % {"number": risk.number}})
    return work_order, risk


def risk_update(*, actor: User, risk: ProjectRisk, reason: str, **changes) -> ProjectRisk:
    """Change a risk not closed (fields left out are kept): its texts, category, scores, owner, due date, plans, and
    its status between open and mitigating (mitigating needs a mitigation plan); why, in `reason`."""
    acting_party(actor, risk.work_order.agreement, OrgPerm.PROJECT_MANAGE)
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    reason = explanation_required(reason, field="reason", message=_(REASON_MESSAGE))
    with transaction.atomic():
        work_order, risk = _locked(risk)
        for field in TEXT_FIELDS:
            if field in changes:
                setattr(risk, field, (changes[field] or "").strip())
        if "category" in changes:
            risk.category = _choice(changes["category"], "category", RiskCategory)
        for field in ("likelihood", "impact"):
            if field in changes:
                setattr(risk, field, changes[field])
        if "owner" in changes:
            risk.owner = changes["owner"]
            risk.owner_party = _owner_party(work_order, changes["owner"])
        if "due_on" in changes and changes["due_on"] != risk.due_on:
            risk.due_on = _due(changes["due_on"], timezone.localdate())
        if "status" in changes and changes["status"] != risk.status:
            _step(risk, changes["status"])
        if risk.status == RiskStatus.MITIGATING and not risk.mitigation:
            raise ValidationError({"mitigation": _("A risk being mitigated has a mitigation plan.")})
        return audited_save(risk, actor=actor, reason=reason, trusted=TRUSTED)


def _step(risk: ProjectRisk, status: str) -> None:
    """Move between open and mitigating; realising and closing are their own steps."""
    if risk.status not in STEPPED or status not in STEPPED:
        raise ValidationError(
            {"status": _("A change moves a risk between open and mitigating; realise or close it by its own step.")}
        )
    risk.status = status


def risk_realise(*, actor: User, risk: ProjectRisk, note: str, due_on: dt.date | None = None) -> ProjectRisk:
    """Record that an open or mitigating risk happened, and what happened: it becomes an issue of the register,
    realised today, due on `due_on` when given (its resolution), and stays until closed."""
    acting_party(actor, risk.work_order.agreement, OrgPerm.PROJECT_MANAGE)
    note = explanation_required(note, field="note", message=_(REASON_MESSAGE))
    today = timezone.localdate()
    with transaction.atomic():
        _work_order, risk = _locked(risk)
        if risk.status not in STEPPED:
            raise ValidationError({"status": _("Risk %(number)s is realised already.") % {"number": risk.number}})
        if due_on is not None and due_on != risk.due_on:
            risk.due_on = _due(due_on, today)
        risk.status = RiskStatus.REALISED
        risk.realised_on = today
        risk.realisation_note = note
        return audited_save(risk, actor=actor, reason=note, trusted=TRUSTED)


def risk_close(*, actor: User, risk: ProjectRisk, closing_note: str) -> ProjectRisk:
    """Close a risk or issue of the register today, with a note saying why (mitigated, no longer relevant,
    resolved); its signal may then be raised again."""
    acting_party(actor, risk.work_order.agreement, OrgPerm.PROJECT_MANAGE)
    closing_note = explanation_required(closing_note, field="closing_note", message=_(REASON_MESSAGE))
    with transaction.atomic():
        _work_order, risk = _locked(risk)
        risk.status = RiskStatus.CLOSED
        risk.closed_on = timezone.localdate()
        risk.closing_note = closing_note
        return audited_save(risk, actor=actor, reason=closing_note, trusted=TRUSTED)
