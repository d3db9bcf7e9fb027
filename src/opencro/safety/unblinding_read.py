"""Reads of a case's unblinding for expedited reporting: that the blind was broken (every reader of the case) and
what the subject received (holders of `safety.unblind` only).

Nothing about the arm is stored with the case: the treatment is read from `subjects.TreatmentAssignment` at the
moment it is needed. Two kinds of reads follow from that:

- `case_treatment(access, case)` / `case_treatment_for(user, case)`: the revealed arm, for a reader holding
  `safety.unblind` (None for everyone else, and for a case not unblinded). Pages, the API and the exports use it.
- `study_drug_received(case)`: a yes/no the reporting clocks need for everyone (ICH E2A III.C.3: the case of a
  subject who received placebo is not a suspected reaction to the investigational product). It names no arm.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.accounts.access import StudyAccess, access_for
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.safety.models import CaseUnblinding, SafetyCase
from opencro.studies.models import ArmType
from opencro.subjects.models import TreatmentAssignment


class Received(models.TextChoices):
    """What the subject of an unblinded case received, from the type of its arm."""

    INVESTIGATIONAL = "investigational", _("the investigational product")
    ACTIVE_COMPARATOR = "active_comparator", _("the active comparator")
    PLACEBO = "placebo", _("placebo")
    NO_INTERVENTION = "no_intervention", _("no intervention")


RECEIVED_BY_ARM_TYPE: dict[str, Received] = {
    ArmType.EXPERIMENTAL: Received.INVESTIGATIONAL,
    ArmType.ACTIVE_COMPARATOR: Received.ACTIVE_COMPARATOR,
    ArmType.PLACEBO: Received.PLACEBO,
    ArmType.NO_INTERVENTION: Received.NO_INTERVENTION,
}
#: The subject received none of the blinded study products (no active substance given under the blind).
NOT_RECEIVED: frozenset[str] = frozenset({Received.PLACEBO, Received.NO_INTERVENTION})


@dataclass(frozen=True)
class CaseTreatment:
    """The revealed treatment of an unblinded case's subject (for holders of `safety.unblind` only)."""

    unblinding: CaseUnblinding
    arm_code: str
    arm_name: str
    arm_type: str
    received: str  # a Received value

    @property
    def received_label(self) -> str:
        return str(Received(self.received).label)

    @property
    def study_drug_received(self) -> bool:
        """False for placebo or no intervention: the blinded study products were not given."""
        return self.received not in NOT_RECEIVED


def case_unblinding_get(case: SafetyCase) -> CaseUnblinding | None:
    """The case's unblinding record (who, when, why; no arm), or None while the case is blinded."""
    return CaseUnblinding.objects.filter(case_id=case.pk).select_related("requested_by").first()


def _treatment(case: SafetyCase) -> CaseTreatment | None:
    unblinding = case_unblinding_get(case)
    if unblinding is None or case.subject_id is None:
        return None
    assignment = TreatmentAssignment.objects.filter(subject_id=case.subject_id).select_related("arm").first()
    if assignment is None:
        return None
    arm = assignment.arm
    received = RECEIVED_BY_ARM_TYPE.get(arm.type, Received.INVESTIGATIONAL)
    return CaseTreatment(unblinding, arm.code, arm.name, arm.type, received.value)


def case_treatment(access: StudyAccess, case: SafetyCase) -> CaseTreatment | None:
    """The revealed treatment, only for a reader holding `safety.unblind` who sees the case's site; else None.

    The caller found `case` through the scoped selectors (`selectors.case_get`); the site is checked again so
    that no other path can reach the arm.
    """
    if not access.can(Perm.SAFETY_UNBLIND) or access.membership.study_id != case.study_id:
        return None
    if access.site_ids is not None and case.site_id not in access.site_ids:
        return None
    return _treatment(case)


def case_treatment_for(user: User | None, case: SafetyCase) -> CaseTreatment | None:
    """`case_treatment` for a user (the exports receive the reader, not an access); None for no reader."""
    if user is None:
        return None
    access = access_for(user, case.study_id)
    return case_treatment(access, case) if access is not None else None


def study_drug_received(case: SafetyCase) -> bool:
    """False when the case is unblinded and its subject received placebo or no intervention; True otherwise.

    Read by the reporting clocks for every reader: the result changes which reports are due (ICH E2A III.C.3;
    CT-3: events associated with placebo usually do not satisfy the criteria for a SUSAR), never names the arm.
    """
    treatment = _treatment(case)
    return treatment is None or treatment.study_drug_received


@dataclass(frozen=True)
class UnblindingPanel:
    """What the case page and the API show of a case's unblinding to one reader.

    Every reader of the case sees `record`'s date and who broke the blind; `treatment` (the arm, what was
    received) and the reason only a holder of `safety.unblind`; `can_unblind`: the reader may ask for it.
    """

    record: CaseUnblinding | None
    treatment: CaseTreatment | None
    holder: bool
    can_unblind: bool


def case_unblinding_panel(access: StudyAccess, case: SafetyCase) -> UnblindingPanel:
    """The unblinding of a case as `access` may see it (the case was found through the scoped selectors)."""
    record = case_unblinding_get(case)
    holder = access.can(Perm.SAFETY_UNBLIND)
    treatment = case_treatment(access, case) if record is not None and holder else None
    can_unblind = record is None and holder and access.can(Perm.SIGN) and case.subject_id is not None
    return UnblindingPanel(record, treatment, holder, can_unblind)
