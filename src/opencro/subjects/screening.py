"""The participant workflow: consent, then screening; enrolment once consent is current and eligibility confirmed.

Consent creates the subject: signing (or recording a paper) consent and registering the participant in
screening with the site's next screening number happen in one transaction, so no subject exists without
a consent and no screening procedure precedes it (ICH E6(R3) 2.8.8). Re-screening a screen failure is a
new screening, with a new consent and a new screening number, linked to the failed one.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.startup.gate import require_green_light
from opencro.studies.dates import site_today
from opencro.studies.models import Site
from opencro.subjects import services
from opencro.subjects.consent import consent_validate, consent_write
from opencro.subjects.guards import reauthenticate, site_require
from opencro.subjects.models import (
    ConsentForm,
    ConsentFormStatus,
    ConsentMethod,
    EligibilityOutcome,
    EligibilityReview,
    Subject,
    SubjectStatus,
)


def participant_screen(
    *,
    actor: User | None,
    site: Site,
    form: ConsentForm,
    method: str,
    participant_name: str = "",
    paper_signed_on: dt.date | None = None,
    password: str = "",
    screened_on: dt.date | None = None,
    sex: str = "U",
    year_of_birth: int | None = None,
    rescreen_of: Subject | None = None,
    known: StudyAccess | None = None,
) -> Subject:
    """Take the participant's consent to `form` and register them in screening; return the new subject."""
    site_require(actor, site, known=known)
    signed_on = consent_validate(
        form=form, site=site, method=method, participant_name=participant_name, paper_signed_on=paper_signed_on
    )
    screened_on = screened_on or signed_on
    if screened_on < signed_on:
        raise ValidationError({"screened_on": _("Screening cannot start before the consent was signed.")})
    require_green_light(site, on=signed_on)
    if method == ConsentMethod.ELECTRONIC:
        reauthenticate(actor, password)
    with transaction.atomic():
        subject = services.subject_screen(
            actor=actor,
            site=site,
            screened_on=screened_on,
            sex=sex,
            year_of_birth=year_of_birth,
            rescreen_of=rescreen_of,
        )
        consent_write(
            actor=actor,
            subject=subject,
            form=form,
            method=method,
            participant_name=participant_name,
            paper_signed_on=paper_signed_on,
        )
    return subject


def enrolment_blockers(subject: Subject) -> list[str]:
    """What keeps a subject from enrolment (empty when nothing does): status, withdrawal, consent, eligibility."""
    blockers = []
    if subject.status != SubjectStatus.SCREENING:
        blockers.append(_("The participant is not in screening."))
    if subject.withdrawals.exists():
        blockers.append(_("The participant withdrew consent."))
    latest = subject.consents.select_related("form").order_by("-obtained_at", "-id").first()
    if latest is None:
        blockers.append(_("The participant has not consented."))
    elif latest.form.status != ConsentFormStatus.APPROVED:
        blockers.append(
            _("Re-consent is due: the signed version %(version)s is no longer current.")
            % {"version": latest.form.version}
        )
    review = EligibilityReview.objects.filter(subject=subject).first()
    if review is None or review.outcome != EligibilityOutcome.ELIGIBLE:
        blockers.append(_("The investigator has not confirmed eligibility."))
    return blockers


def participant_enrol(
    *, actor: User | None, subject: Subject, enrolled_on: dt.date, known: StudyAccess | None = None
) -> Subject:
    """Enrol a screened participant whose consent is current and whose eligibility the investigator confirmed."""
    site_require(actor, subject.site, known=known)
    blockers = enrolment_blockers(subject)
    if blockers:
        raise ValidationError({"subject": blockers})
    if enrolled_on < subject.screened_on:
        raise ValidationError({"enrolled_on": _("Enrolment cannot precede screening.")})
    if enrolled_on > site_today(subject.site):
        raise ValidationError({"enrolled_on": _("The enrolment date is in the future.")})
    with transaction.atomic():
        return services.subject_enrol(actor=actor, subject=subject, enrolled_on=enrolled_on)
