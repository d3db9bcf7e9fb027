"""Writes about subjects: screening, enrolment, and recording a treatment assignment.

These are the record-level writes, also used by data loaders. Pages and the API go through the
participant workflow (`subjects.screening`: consent first, eligibility confirmed before enrolment),
which calls them.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.startup.gate import require_green_light
from opencro.studies.models import Arm, Site
from opencro.subjects.guards import lock_site, next_screening_number
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment


def _check_site(actor: User | None, site: Site) -> None:
    if actor is None:
        return
    access = access_require(actor, site.study, Perm.SUBJECT_EDIT)
    if access.site_ids is not None and site.pk not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def subject_screen(
    *,
    actor: User | None,
    site: Site,
    number: str = "",
    screened_on: dt.date,
    sex: str = "U",
    year_of_birth: int | None = None,
    rescreen_of: Subject | None = None,
) -> Subject:
    """Register a subject in screening with the site's next screening number (the subject number too, if blank).

    The site must have its green light on `screened_on`. `rescreen_of`: the screen failure this is a new
    screening of (same site); both are kept, linked.
    """
    _check_site(actor, site)
    require_green_light(site, on=screened_on)
    if rescreen_of is not None:
        if rescreen_of.site_id != site.pk:
            raise ValidationError({"rescreen_of": _("Re-screen a participant at the site that screened them.")})
        if rescreen_of.status != SubjectStatus.SCREEN_FAILED:
            raise ValidationError({"rescreen_of": _("Only a screen failure can be re-screened.")})
        if Subject.objects.filter(rescreen_of=rescreen_of).exists():
            raise ValidationError({"rescreen_of": _("This screen failure was already re-screened.")})
    with transaction.atomic():
        lock_site(site)
        screening_number = next_screening_number(site)
        subject = Subject(
            study=site.study,
            site=site,
            number=number or screening_number,
            screening_number=screening_number,
            screened_on=screened_on,
            sex=sex,
            year_of_birth=year_of_birth,
            rescreen_of=rescreen_of,
        )
        return audited_save(subject, actor=actor)


def subject_enrol(*, actor: User | None, subject: Subject, enrolled_on: dt.date, reason: str = "enrolled") -> Subject:
    _check_site(actor, subject.site)
    if subject.status != SubjectStatus.SCREENING:
        raise ValidationError({"status": _("Only a subject in screening can be enrolled.")})
    require_green_light(subject.site, on=enrolled_on, field="enrolled_on")
    subject.status, subject.enrolled_on = SubjectStatus.ENROLLED, enrolled_on
    with transaction.atomic():
        return audited_save(subject, actor=actor, reason=reason)


def treatment_assign(
    *,
    actor: User | None,
    subject: Subject,
    arm: Arm,
    randomisation_number: str,
    randomised_at: dt.datetime,
) -> None:
    """Record the arm a subject was randomised to. Returns nothing, so no caller leaks the arm."""
    _check_site(actor, subject.site)
    if arm.study_id != subject.study_id:
        raise ValidationError({"arm": _("The arm belongs to another study.")})
    if subject.status != SubjectStatus.ENROLLED:
        raise ValidationError({"status": _("Only an enrolled subject can be randomised.")})
    assignment = TreatmentAssignment(
        subject=subject, arm=arm, randomisation_number=randomisation_number, randomised_at=randomised_at
    )
    with transaction.atomic():
        audited_save(assignment, actor=actor)


def subject_screen_fail(*, actor: User | None, subject: Subject, reason: str) -> Subject:
    """Record that a subject in screening did not meet eligibility."""
    _check_site(actor, subject.site)
    if subject.status != SubjectStatus.SCREENING:
        raise ValidationError({"status": _("Only a subject in screening can fail screening.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the screen failure.")})
    subject.status, subject.screen_failure_reason = SubjectStatus.SCREEN_FAILED, reason.strip()
    with transaction.atomic():
        return audited_save(subject, actor=actor, reason=reason)
