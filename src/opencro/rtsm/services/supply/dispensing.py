"""Dispensing kits to a subject at a visit, replacing a kit, and recording what came back.

The kits come from the subject's site: available (so not quarantined), of the subject's arm, expiring no
earlier than the visit date + the do-not-dispense window, earliest expiry first. They are row-locked with
SKIP LOCKED, so two dispensations at the same moment never take the same kit (each takes the next free one).

Visit windows: Day 1 is the randomisation date at the site (its time zone). A scheduled visit on day d
(d >= 1) has target date Day 1 + (d - 1) and may happen from target - window_before to target +
window_after; an unscheduled dispensing visit may happen any day from Day 1 on. No date is in the future.

Blinding: callers get kit numbers back, never a kit type; refusals name the subject, visit, site and kit
numbers only ("no kit available for this subject at site A1" says nothing of the arm). A refusal for lack
of stock runs the site's resupply check before it is raised. Each dispensation runs the check afterwards.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.rtsm.models import Dispensation, DispensingVisit, ItemCondition, Kit, KitStatus, Randomisation
from opencro.rtsm.services.supply._base import (
    kits_set,
    require_site,
    site_date,
    site_today,
    supply_settings_for,
)
from opencro.rtsm.services.supply.resupply import resupply_check
from opencro.studies.models import Site, Visit
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment

REPLACEABLE = {ItemCondition.DAMAGED: KitStatus.DAMAGED, ItemCondition.MISSING: KitStatus.MISSING}


@dataclass(frozen=True)
class Dispensed:
    """What a dispensation hands back: kit numbers, never their type."""

    subject_number: str
    visit_code: str
    visit_date: dt.date
    kit_numbers: tuple[str, ...]
    dispensation_ids: tuple[int, ...]


class _NoKit(Exception):
    """No suitable kit at the site (raised inside the transaction, turned into a ValidationError outside)."""


def visit_window(visit: Visit, day_one: dt.date) -> tuple[dt.date, dt.date, dt.date] | None:
    """(earliest, target, latest) dates of a scheduled visit for a subject whose Day 1 is `day_one`."""
    if visit.is_unscheduled or visit.day is None:
        return None
    target = day_one + dt.timedelta(days=visit.day - 1)
    return target - dt.timedelta(days=visit.window_before), target, target + dt.timedelta(days=visit.window_after)


def kit_dispense(
    *, actor: User, subject: Subject, visit: Visit, visit_date: dt.date, known: StudyAccess | None = None
) -> Dispensed:
    """Dispense the visit's kits to `subject`; a ValidationError names the field at fault and nothing is written."""
    access = access_require(actor, subject.study_id, Perm.DISPENSE, known=known)
    require_site(access, subject.site_id)
    site = Site.objects.get(pk=subject.site_id)
    try:
        with transaction.atomic(), audit_batch():
            subject = Subject.objects.select_for_update(of=("self",)).get(pk=subject.pk)
            arm_id, day_one = _randomised(subject, site)
            count = _dispensing_kits(subject, visit)
            _check_date(visit, visit_date, day_one, site)
            _not_yet_dispensed(subject, visit, visit_date)
            kits = _take(site, arm_id, visit_date, count)
            records = [_record(subject, kit, visit, visit_date, actor, "") for kit in kits]
    except _NoKit:
        resupply_check(actor=None, site=site)
        raise ValidationError({"kit": _no_kit_message(subject, site)}) from None
    resupply_check(actor=None, site=site)
    return Dispensed(
        subject.number, visit.code, visit_date, tuple(k.number for k in kits), tuple(r.pk for r in records)
    )


def kit_replace(
    *,
    actor: User,
    dispensation: Dispensation,
    condition: str,
    reason: str,
    replaced_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> Dispensed:
    """Replace a dispensed kit that was damaged or lost (`condition`): the old kit is marked so, the subject
    gets another kit of the same arm at the same visit, and `reason` is kept with both records."""
    subject = dispensation.subject
    access = access_require(actor, subject.study_id, Perm.DISPENSE, known=known)
    require_site(access, subject.site_id)
    if condition not in REPLACEABLE:
        raise ValidationError({"condition": _("Give why the kit is replaced: damaged or missing.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say what happened to the kit.")})
    site = Site.objects.get(pk=subject.site_id)
    when = replaced_on or site_today(site)
    try:
        with transaction.atomic(), audit_batch():
            subject = Subject.objects.select_for_update(of=("self",)).get(pk=subject.pk)
            old = (
                Dispensation.objects.select_for_update(of=("self",))
                .select_related("kit", "visit")
                .get(pk=dispensation.pk)
            )
            if old.kit.status != KitStatus.DISPENSED:
                raise ValidationError(
                    {
                        "dispensation": _("Kit %(kit)s is %(status)s: it cannot be replaced.")
                        % {"kit": old.kit.number, "status": old.kit.get_status_display().lower()}
                    }
                )
            if when < old.visit_date or when > site_today(site):
                raise ValidationError(
                    {"replaced_on": _("The replacement date must fall between the dispensation and today.")}
                )
            arm_id, _day_one = _randomised(subject, site)
            (kit,) = _take(site, arm_id, when, 1)
            old_kit = Kit.objects.select_for_update(of=("self",)).get(pk=old.kit_id)
            note = _("Kit %(old)s %(condition)s, replaced by kit %(new)s: %(reason)s") % {
                "old": old_kit.number,
                "condition": str(KitStatus(REPLACEABLE[condition]).label).lower(),
                "new": kit.number,
                "reason": reason,
            }
            kits_set([old_kit], {"status": REPLACEABLE[condition]}, actor=actor, reason=note)
            old.return_note = "\n".join(filter(None, [old.return_note, note]))
            audited_save(old, actor=actor, reason=note)
            record = _record(subject, kit, old.visit, when, actor, note, replaces=old)
    except _NoKit:
        resupply_check(actor=None, site=site)
        raise ValidationError({"kit": _no_kit_message(subject, site)}) from None
    resupply_check(actor=None, site=site)
    return Dispensed(subject.number, old.visit.code, when, (kit.number,), (record.pk,))


def dispensation_return(
    *,
    actor: User,
    dispensation: Dispensation,
    units_returned: int,
    returned_on: dt.date,
    note: str = "",
    reason: str = "",
    known: StudyAccess | None = None,
) -> Dispensation:
    """Record the kit coming back: units returned (for compliance), date, note; the kit becomes RETURNED.

    A return already recorded may be corrected (with a reason); a destroyed kit's return no longer changes.
    """
    subject = dispensation.subject
    access = access_require(actor, subject.study_id, Perm.DISPENSE, known=known)
    require_site(access, subject.site_id)
    site = Site.objects.get(pk=subject.site_id)
    with transaction.atomic(), audit_batch():
        record = Dispensation.objects.select_for_update(of=("self",)).select_related("subject").get(pk=dispensation.pk)
        kit = Kit.objects.select_for_update(of=("self",)).select_related("kit_type").get(pk=record.kit_id)
        correcting = kit.status == KitStatus.RETURNED
        if kit.status != KitStatus.DISPENSED and not correcting:
            raise ValidationError(
                {
                    "dispensation": _("Kit %(kit)s is %(status)s: no return can be recorded.")
                    % {"kit": kit.number, "status": kit.get_status_display().lower()}
                }
            )
        errors = {}
        if units_returned < 0 or units_returned > kit.kit_type.units:
            errors["units_returned"] = _("More units than the kit holds, or a negative number.")
        if returned_on < record.visit_date or returned_on > site_today(site):
            errors["returned_on"] = _("The return date must fall between the dispensation and today.")
        if errors:
            raise ValidationError(errors)
        record.units_returned, record.returned_on, record.returned_by = units_returned, returned_on, actor
        record.return_note = note
        if correcting:
            return audited_save(record, actor=actor, reason=reason)
        audited_save(record, actor=actor, reason=_("Kit returned"))
        kits_set([kit], {"status": KitStatus.RETURNED}, actor=actor, reason=_("Kit returned"))
    return record


def _randomised(subject: Subject, site: Site) -> tuple[int, dt.date]:
    """(arm id, Day 1 at the site) of a subject on treatment; ValidationError on `subject` otherwise."""
    assignment = TreatmentAssignment.objects.filter(subject=subject).values_list("arm_id", "randomised_at").first()
    if assignment is None:
        raise ValidationError({"subject": _("Subject %(s)s is not randomised.") % {"s": subject.number}})
    if subject.status != SubjectStatus.ENROLLED:
        raise ValidationError(
            {
                "subject": _("Subject %(s)s is %(status)s: no kit is dispensed.")
                % {"s": subject.number, "status": subject.get_status_display().lower()}
            }
        )
    arm_id, assigned_at = assignment
    at = Randomisation.objects.filter(subject=subject).values_list("randomised_at", flat=True).first()
    return arm_id, site_date(site, at or assigned_at)


def _dispensing_kits(subject: Subject, visit: Visit) -> int:
    if visit.study_id != subject.study_id:
        raise ValidationError({"visit": _("No such visit in this study.")})
    dispensing = DispensingVisit.objects.filter(visit=visit).order_by().first()
    if dispensing is None:
        raise ValidationError({"visit": _("No kit is dispensed at visit %(v)s.") % {"v": visit.code}})
    return dispensing.kits


def _check_date(visit: Visit, visit_date: dt.date, day_one: dt.date, site: Site) -> None:
    if visit_date > site_today(site):
        raise ValidationError({"visit_date": _("The visit date is in the future.")})
    if visit_date < day_one:
        raise ValidationError(
            {"visit_date": _("The visit date is before randomisation (Day 1: %(d)s).") % {"d": day_one.isoformat()}}
        )
    window = visit_window(visit, day_one)
    if window and not window[0] <= visit_date <= window[2]:
        raise ValidationError(
            {
                "visit_date": _(
                    "%(date)s is outside the window of visit %(visit)s: %(start)s to %(end)s (target %(target)s)."
                )
                % {
                    "date": visit_date.isoformat(),
                    "visit": visit.code,
                    "start": window[0].isoformat(),
                    "end": window[2].isoformat(),
                    "target": window[1].isoformat(),
                }
            }
        )


def _not_yet_dispensed(subject: Subject, visit: Visit, visit_date: dt.date) -> None:
    """One dispensation per scheduled visit; per day for an unscheduled one (replacements excepted)."""
    earlier = Dispensation.objects.filter(subject=subject, visit=visit)
    if visit.is_unscheduled:
        earlier = earlier.filter(visit_date=visit_date)
    numbers = sorted(earlier.values_list("kit__number", flat=True))
    if numbers:
        raise ValidationError(
            {
                "visit": _("Kits were already dispensed to %(s)s at visit %(v)s: %(kits)s.")
                % {"s": subject.number, "v": visit.code, "kits": ", ".join(numbers)}
            }
        )


def _take(site: Site, arm_id: int, on: dt.date, count: int) -> list[Kit]:
    """Lock and return `count` kits of the arm at the site for a dispensation on `on`, or raise _NoKit.

    SKIP LOCKED: a kit another dispensation is taking right now is passed over, not waited for.
    """
    settings = supply_settings_for(site.study_id)
    kits = list(
        Kit.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            site=site,
            status=KitStatus.AVAILABLE,
            kit_type__arm_id=arm_id,
            expires_on__gte=on + dt.timedelta(days=settings.do_not_dispense_days),
        )
        .order_by("expires_on", "number")[:count]
    )
    if len(kits) < count:
        raise _NoKit
    return kits


def _record(
    subject: Subject,
    kit: Kit,
    visit: Visit,
    visit_date: dt.date,
    actor: User,
    reason: str,
    *,
    replaces: Dispensation | None = None,
) -> Dispensation:
    kits_set([kit], {"status": KitStatus.DISPENSED}, actor=actor, reason=reason or _("Dispensed"))
    record = Dispensation(
        subject=subject,
        kit=kit,
        visit=visit,
        visit_date=visit_date,
        dispensed_at=timezone.now(),
        dispensed_by=actor,
        replaces=replaces,
    )
    return audited_save(
        record,
        actor=actor,
        reason=reason,
        trusted=("subject", "kit", "visit", "dispensed_by", "replaces"),
        unique_checked=True,
    )


def _no_kit_message(subject: Subject, site: Site) -> str:
    return _(
        "No kit available for subject %(s)s at site %(site)s. A resupply check was run for the site; "
        "contact the supply manager."
    ) % {"s": subject.number, "site": site.number}
