"""Randomising a subject: checks, then the next slot of the subject's stratum (or a dynamic allocation).

One transaction: lock the subject, check it and read what the allocation needs, then lock the scheme row, which
serialises the study's allocations (no two coordinators take the same slot or skip one: on PostgreSQL by the row
lock, on SQLite by its IMMEDIATE transactions); take the slot, write the blinded-safe `Randomisation` and the arm in
`TreatmentAssignment`, and chain the audit records at the end (audit_batch), after the row locks, so concurrent
requests cannot deadlock. The function returns the `Randomisation`, which holds no arm.
"""

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.rtsm.factors import ResolvedFactor, scheme_factors, subject_levels
from opencro.rtsm.models import (
    AllocationState,
    ListSlot,
    Randomisation,
    RandomisationScheme,
    SchemeMethod,
    SchemeStatus,
    Stratum,
)
from opencro.rtsm.services.supply.resupply import resupply_check
from opencro.stats.design.errors import DesignInputError
from opencro.stats.randomization import EfronBiasedCoin, Minimisation, stratum_label
from opencro.studies.models import Arm, ProtocolVersion, ProtocolVersionStatus
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment


def subject_randomise(
    *,
    actor: User | None,
    subject: Subject,
    eligibility_confirmed: bool,
    consented_on: dt.date | None,
    entered: Mapping[str, str] | None = None,
    known: StudyAccess | None = None,
    randomised_at: dt.datetime | None = None,
) -> Randomisation:
    """Randomise `subject`; a ValidationError names the field (or factor) at fault and nothing is written.

    `actor` None is the system; only the system may give `randomised_at` (loading randomisations made earlier,
    as the demo does or a migration from another IRT would); a person's randomisation is timed now.
    """
    if actor is not None:
        access = access_require(actor, subject.study_id, Perm.RANDOMISE, known=known)
        if access.site_ids is not None and subject.site_id not in access.site_ids:
            raise PermissionDenied(_("This site is outside your membership."))
    if randomised_at is not None and actor is not None:
        raise PermissionDenied(_("Only the system records randomisations made earlier."))
    with transaction.atomic(), audit_batch():
        subject = Subject.objects.select_for_update(of=("self",)).select_related("site__country").get(pk=subject.pk)
        scheme = RandomisationScheme.objects.filter(study_id=subject.study_id).first()
        _check(subject, scheme, eligibility_confirmed, consented_on)
        factors = scheme_factors(scheme)
        levels = subject_levels(subject, factors, entered)
        arms = {a.code: a for a in Arm.objects.filter(study_id=subject.study_id)}
        version = _protocol_version(subject.study_id)
        # Everything above reads; from here to commit the scheme row is locked: keep it short.
        scheme = RandomisationScheme.objects.select_for_update(of=("self",)).get(pk=scheme.pk)
        if scheme.status != SchemeStatus.ACTIVE:
            raise ValidationError({"scheme": _("Randomisation is not open in this study.")})
        last = Randomisation.objects.filter(scheme=scheme).aggregate(last=Max("sequence"))["last"]
        sequence = (last or 0) + 1  # read under the scheme lock: no other allocation can take it
        if scheme.method == SchemeMethod.BLOCK_LIST:
            slot, stratum = _take_slot(scheme, factors, levels)
            arm, number, detail = slot.arm, slot.number, {"stratum": stratum.label, "position": slot.position}
        else:
            slot, stratum = None, None
            code, detail = _dynamic(scheme, factors, levels, arms, sequence)
            arm, number = arms[code], f"{scheme.number_prefix}{sequence:04d}"
        now = randomised_at or timezone.now()
        randomisation = Randomisation(
            subject=subject,
            scheme=scheme,
            stratum=stratum,
            levels=levels,
            sequence=sequence,
            number=number,
            slot=slot,
            randomised_at=now,
            randomised_by=actor,
            consented_on=consented_on,
            eligibility_confirmed=eligibility_confirmed,
            protocol_version=version,
        )
        audited_save(randomisation, actor=actor, trusted=("subject", "scheme", "stratum", "slot"), unique_checked=True)
        assignment = TreatmentAssignment(
            subject=subject, arm=arm, randomisation_number=number, randomised_at=now, detail=detail
        )
        audited_save(assignment, actor=actor, trusted=("subject", "arm"), unique_checked=True)
        if subject.status == SubjectStatus.SCREENING:
            subject.status, subject.enrolled_on = SubjectStatus.ENROLLED, timezone.localdate(now)
            audited_save(subject, actor=actor, reason=_("Randomised"))
    resupply_check(actor=None, site=subject.site)  # a new subject may bring the site below its buffer
    return randomisation


def _check(
    subject: Subject, scheme: RandomisationScheme | None, eligibility_confirmed: bool, consented_on: dt.date | None
) -> None:
    if scheme is None or scheme.status != SchemeStatus.ACTIVE:
        raise ValidationError({"scheme": _("Randomisation is not open in this study.")})
    if subject.status not in (SubjectStatus.SCREENING, SubjectStatus.ENROLLED):
        raise ValidationError(
            {
                "status": _("A subject who is %(status)s cannot be randomised.")
                % {"status": subject.get_status_display().lower()}
            }
        )
    if (
        Randomisation.objects.filter(subject=subject).exists()
        or TreatmentAssignment.objects.filter(subject=subject).exists()
    ):
        raise ValidationError({"subject": _("This subject is already randomised.")})
    errors: dict[str, str] = {}
    if scheme.require_eligibility and not eligibility_confirmed:
        errors["eligibility_confirmed"] = _("Confirm that the subject meets every eligibility criterion.")
    if scheme.require_consent and consented_on is None:
        errors["consented_on"] = _("Give the date the subject signed the informed consent.")
    if consented_on is not None and consented_on > timezone.localdate():
        errors["consented_on"] = _("The consent date is in the future.")
    if errors:
        raise ValidationError(errors)


def _take_slot(
    scheme: RandomisationScheme, factors: list[ResolvedFactor], levels: dict[str, str]
) -> tuple[ListSlot, Stratum]:
    label = stratum_label([levels[f.name] for f in factors])
    stratum = Stratum.objects.filter(scheme=scheme, label=label).first()
    if stratum is None:
        raise ValidationError({"stratum": _("The list has no stratum %(s)s.") % {"s": label or "-"}})
    slot = ListSlot.objects.select_related("arm").filter(stratum=stratum, position=stratum.next_position).first()
    if slot is None:
        raise ValidationError({"stratum": _("The list of stratum %(s)s is used up.") % {"s": label or "-"}})
    Stratum.objects.filter(pk=stratum.pk).update(next_position=stratum.next_position + 1)
    return slot, stratum


def _dynamic(
    scheme: RandomisationScheme,
    factors: list[ResolvedFactor],
    levels: dict[str, str],
    arms: dict[str, Arm],
    sequence: int,
) -> tuple[str, dict]:
    """Allocate by minimisation or Efron's coin from the scheme's stored state (or, when the state is missing
    or not that of the `sequence - 1` allocations made, from replaying them), then store the new state."""
    ordered = sorted(arms.values(), key=lambda a: a.pk)
    codes = [a.code for a in ordered]
    allocator: Minimisation | EfronBiasedCoin
    if scheme.method == SchemeMethod.MINIMISATION:
        allocator = Minimisation(
            codes,
            ratio=[a.allocation_ratio for a in ordered],
            factors={f.name: f.levels for f in factors},
            weights={f.name: f.weight for f in factors},
            method=scheme.imbalance,
            p_best=scheme.p_best,
            seed=int(scheme.seed),
        )
    else:
        allocator = EfronBiasedCoin(codes, p=scheme.p_best, seed=int(scheme.seed))
    stored = AllocationState.objects.filter(scheme=scheme).first()
    try:
        if stored is None or stored.counts.get("n") != sequence - 1:
            raise DesignInputError("state", "missing or behind the allocations")
        allocator.restore(stored.counts)
    except DesignInputError:
        _replay(scheme, allocator)
    if isinstance(allocator, Minimisation):
        allocation = allocator.assign(levels)
        arm, detail = allocation.arm, allocation.as_dict()
    else:
        drawn = allocator.assign()
        arm, detail = drawn.arm, drawn.as_dict()
    if stored is None:
        AllocationState.objects.create(scheme=scheme, counts=allocator.state())
    else:
        AllocationState.objects.filter(pk=stored.pk).update(counts=allocator.state())
    return arm, detail


def _replay(scheme: RandomisationScheme, allocator: Minimisation | EfronBiasedCoin) -> None:
    """Rebuild `allocator`'s counts from every stored allocation of `scheme`, in order."""
    history = Randomisation.objects.filter(scheme=scheme).order_by("sequence")
    arm_of = dict(
        TreatmentAssignment.objects.filter(subject__randomisation__scheme=scheme).values_list("subject_id", "arm__code")
    )
    if isinstance(allocator, Minimisation):
        allocator.replay((r.levels, arm_of[r.subject_id]) for r in history.only("levels", "subject_id"))
    else:
        allocator.replay(arm_of[s] for s in history.values_list("subject_id", flat=True))


def _protocol_version(study_id: int) -> ProtocolVersion | None:
    approved = ProtocolVersion.objects.filter(study_id=study_id, status=ProtocolVersionStatus.APPROVED)
    return approved.order_by("-effective_date").first()
