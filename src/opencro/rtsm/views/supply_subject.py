"""A subject's study drug: the casebook's panel and the subject's supply page, with dispense, replace and return.

The panel lists the subject's dispensations (kit numbers, visit, date, status, what came back) and, for roles
with `supply.dispense`, the forms: dispense at a dispensing visit (the next one chosen, the visit date defaulting
to today at the site), replace a damaged or lost kit, record a return. A refusal re-renders the subject's supply
page with the form as typed and the errors (200); a dispensation that lands redirects to the casebook with the kit
numbers. Blinded: no kit type, lot or arm is read for the page; the services' messages name kit numbers only.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import Dispensation, KitStatus
from opencro.rtsm.selectors import supply as sel
from opencro.rtsm.services.supply import dispensing
from opencro.rtsm.services.supply._base import site_today
from opencro.rtsm.services.supply.planning import randomisation_dates
from opencro.rtsm.views.supply_forms import NOTE_MAX, REASON_MAX, day, error_dict, identifier, posted, whole
from opencro.studies.models import Visit
from opencro.subjects.models import Subject, SubjectStatus

DISPENSE_FIELDS = ("visit", "visit_date")
REPLACE_FIELDS = ("condition", "reason", "replaced_on")
RETURN_FIELDS = ("units_returned", "returned_on", "note", "reason")


@dataclass(frozen=True)
class VisitChoice:
    """A dispensing visit as the dispense form offers it, with the subject's window when randomised."""

    visit: Visit
    kits: int
    window: tuple[dt.date, dt.date, dt.date] | None
    done: bool  # kits were already dispensed to the subject at this visit


@dataclass(frozen=True)
class DispensationRow:
    record: Dispensation
    may_replace: bool
    may_return: bool
    correcting: bool  # a return was recorded: a new one corrects it (with a reason)

    @property
    def replace_key(self) -> str:
        return f"replace-{self.record.pk}"

    @property
    def return_key(self) -> str:
        return f"return-{self.record.pk}"


@dataclass(frozen=True)
class StudyDrugPanel:
    """What the casebook shows of a subject's study drug (kit numbers only: nothing that reveals the arm)."""

    subject: Subject
    shown: bool  # the study dispenses kits, or the subject has some
    visits: list[VisitChoice]
    rows: list[DispensationRow]
    accountability: sel.Accountability
    may_dispense: bool  # the reader's role dispenses at this subject's site
    dispense_open: bool  # the dispense form is offered
    reason: str  # why it is not
    next_visit_id: int | None
    today: dt.date
    day_one: dt.date | None


def study_drug_panel(access: StudyAccess, subject: Subject) -> StudyDrugPanel:
    """The panel for a subject the caller already found within the reader's sites."""
    records = list(sel.dispensation_list(access, subject.pk))
    dispensing_visits = list(sel.dispensing_visit_list(access))
    randomised = randomisation_dates(subject.site).get(subject.pk)
    day_one = randomised[0] if randomised else None
    given = {r.visit_id for r in records}
    visits = [
        VisitChoice(
            d.visit,
            d.kits,
            dispensing.visit_window(d.visit, day_one) if day_one else None,
            done=d.visit_id in given and not d.visit.is_unscheduled,
        )
        for d in dispensing_visits
    ]
    may_dispense = access.can(Perm.DISPENSE)
    reason = ""
    if not dispensing_visits:
        reason = _("No dispensing visit is set up in this study.")
    elif day_one is None:
        reason = _("The subject is not randomised: no kit is dispensed.")
    elif subject.status != SubjectStatus.ENROLLED:
        reason = _("The subject is %(status)s: no kit is dispensed.") % {"status": subject.get_status_display().lower()}
    pending = [v for v in visits if not v.done]
    next_visit = pending[0].visit.pk if pending else None
    rows = [
        DispensationRow(
            r,
            may_replace=may_dispense and r.kit.status == KitStatus.DISPENSED,
            may_return=may_dispense and r.kit.status in (KitStatus.DISPENSED, KitStatus.RETURNED),
            correcting=r.kit.status == KitStatus.RETURNED,
        )
        for r in records
    ]
    return StudyDrugPanel(
        subject=subject,
        shown=bool(dispensing_visits or records),
        visits=visits,
        rows=rows,
        accountability=sel.subject_accountability(access, subject.pk),
        may_dispense=may_dispense,
        dispense_open=may_dispense and not reason,
        reason=reason,
        next_visit_id=next_visit,
        today=site_today(subject.site),
        day_one=day_one,
    )


def _page(request, access: StudyAccess, subject: Subject, *, form: str = "", errors=None, values=None):
    context = {
        "study": access.membership.study,
        "subject": subject,
        "supply_panel": study_drug_panel(access, subject),
        "supply_form": form,
        "supply_errors": errors or {},
        "supply_posted": values or {},
        "can_view_data": access.can(Perm.DATA_VIEW),
        "supply_page": True,
    }
    return render(request, "rtsm/supply_subject.html", context)


def _back(request, access: StudyAccess, subject: Subject):
    """After a change: the casebook for those who read it, else the subject's supply page."""
    if access.can(Perm.DATA_VIEW):
        return redirect("edc:casebook", access.membership.study_id, subject.pk)
    return redirect("rtsm:supply_subject", access.membership.study_id, subject.pk)


@login_required
@require_GET
def subject_supply(request, study_id: int, subject_id: int):
    """The subject's study drug: dispensations, accountability, and the forms for site staff."""
    access = access_study(request.user, study_id)
    subject = sel.supply_subject_get(access, subject_id)
    access_check(access, Perm.SUBJECT_VIEW)
    return _page(request, access, subject)


@login_required
@require_POST
def dispense(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = sel.supply_subject_get(access, subject_id)
    access_check(access, Perm.DISPENSE)
    values = posted(request, DISPENSE_FIELDS)
    try:
        errors: dict[str, str] = {}
        visit_id = identifier(values["visit"])
        if visit_id is None:
            errors["visit"] = _("Choose the visit.")
        visit_date = day(values["visit_date"], "visit_date", errors)
        if errors:
            raise ValidationError(errors)
        done = dispensing.kit_dispense(
            actor=request.user,
            subject=subject,
            visit=sel.supply_visit_get(access, visit_id),
            visit_date=visit_date,
            known=access,
        )
    except ValidationError as exc:
        return _page(request, access, subject, form="dispense", errors=error_dict(exc), values=values)
    messages.success(
        request,
        _("Dispensed to %(subject)s at visit %(visit)s (%(date)s): kit %(kits)s.")
        % {
            "subject": done.subject_number,
            "visit": done.visit_code,
            "date": done.visit_date.isoformat(),
            "kits": ", ".join(done.kit_numbers),
        },
    )
    return _back(request, access, subject)


def _dispensation(request, study_id: int, dispensation_id: int) -> tuple[StudyAccess, Dispensation, Subject]:
    access = access_study(request.user, study_id)
    record = sel.dispensation_get(access, dispensation_id)
    access_check(access, Perm.DISPENSE)
    return access, record, sel.supply_subject_get(access, record.subject_id)


@login_required
@require_POST
def replace(request, study_id: int, dispensation_id: int):
    """Replace a dispensed kit that was damaged or lost: the subject gets another kit at the same visit."""
    access, record, subject = _dispensation(request, study_id, dispensation_id)
    values = posted(request, REPLACE_FIELDS)
    key = f"replace-{record.pk}"
    try:
        errors: dict[str, str] = {}
        replaced_on = day(values["replaced_on"], "replaced_on", errors, required=False)
        if errors:
            raise ValidationError(errors)
        done = dispensing.kit_replace(
            actor=request.user,
            dispensation=record,
            condition=values["condition"],
            reason=values["reason"][:REASON_MAX],
            replaced_on=replaced_on,
            known=access,
        )
    except ValidationError as exc:
        return _page(request, access, subject, form=key, errors=error_dict(exc), values=values)
    messages.success(
        request,
        _("Kit %(old)s replaced by kit %(new)s.") % {"old": record.kit.number, "new": ", ".join(done.kit_numbers)},
    )
    return _back(request, access, subject)


@login_required
@require_POST
def record_return(request, study_id: int, dispensation_id: int):
    """Record what came back of a kit (units, date, note); a second return corrects the first, with a reason."""
    access, record, subject = _dispensation(request, study_id, dispensation_id)
    values = posted(request, RETURN_FIELDS)
    key = f"return-{record.pk}"
    try:
        errors: dict[str, str] = {}
        units = whole(values["units_returned"], "units_returned", errors)
        returned_on = day(values["returned_on"], "returned_on", errors)
        if errors:
            raise ValidationError(errors)
        dispensing.dispensation_return(
            actor=request.user,
            dispensation=record,
            units_returned=units,
            returned_on=returned_on,
            note=values["note"][:NOTE_MAX],
            reason=values["reason"][:REASON_MAX],
            known=access,
        )
    except ValidationError as exc:
        return _page(request, access, subject, form=key, errors=error_dict(exc), values=values)
    messages.success(request, _("Return of kit %(kit)s recorded.") % {"kit": record.kit.number})
    return _back(request, access, subject)
