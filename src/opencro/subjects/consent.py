"""Writes about a participant's consent: sign a version electronically or record a paper consent.

ICH E6(R3) 2.8: the participant and the person who conducted the consent discussion sign and date the
form; the record keeps the version and both times. Only an approved version that applies to the
participant's site can be signed, at a site with its green light, before any further trial procedure.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.audit.services import audited_save
from opencro.startup.gate import require_green_light
from opencro.studies.dates import site_today
from opencro.studies.models import Site
from opencro.subjects.guards import reauthenticate, site_require
from opencro.subjects.models import (
    ConsentForm,
    ConsentFormStatus,
    ConsentMethod,
    ConsentRecord,
    Subject,
    SubjectStatus,
    WithdrawalScope,
)


def form_applies(form: ConsentForm, site: Site) -> bool:
    """True when the version's scope covers the site: listed, in a listed country, or no scope (all sites)."""
    site_ids = set(form.sites.values_list("pk", flat=True))
    country_ids = set(form.countries.values_list("pk", flat=True))
    if not site_ids and not country_ids:
        return True
    return site.pk in site_ids or site.country_id in country_ids


def consent_validate(
    *, form: ConsentForm, site: Site, method: str, participant_name: str, paper_signed_on: dt.date | None
) -> dt.date:
    """Check a consent about to be taken at `site`; return the day it is signed."""
    if form.study_id != site.study_id:
        raise ValidationError({"form": _("This consent form belongs to another study.")})
    if form.status != ConsentFormStatus.APPROVED:
        raise ValidationError({"form": _("Only a version approved for use can be signed.")})
    if not form_applies(form, site):
        raise ValidationError({"form": _("This version does not apply to site %(site)s.") % {"site": site.number}})
    if method == ConsentMethod.ELECTRONIC:
        if not participant_name.strip():
            raise ValidationError({"participant_name": _("The participant signs by typing their full name.")})
        return site_today(site)
    if method != ConsentMethod.PAPER:
        raise ValidationError({"method": _("Choose electronic or paper consent.")})
    if paper_signed_on is None:
        raise ValidationError({"paper_signed_on": _("Give the date written on the signed paper form.")})
    if paper_signed_on > site_today(site):
        raise ValidationError({"paper_signed_on": _("The date on the form is in the future.")})
    if form.ethics_approved_on and paper_signed_on < form.ethics_approved_on:
        raise ValidationError({"paper_signed_on": _("The form was signed before its ethics approval.")})
    return paper_signed_on


def consent_write(
    *,
    actor: User | None,
    subject: Subject,
    form: ConsentForm,
    method: str,
    participant_name: str,
    paper_signed_on: dt.date | None,
) -> ConsentRecord:
    """Write the record (inside the caller's transaction, after its checks)."""
    now = timezone.now()
    electronic = method == ConsentMethod.ELECTRONIC
    record = ConsentRecord(
        study_id=subject.study_id,
        site_id=subject.site_id,
        subject=subject,
        form=form,
        method=method,
        participant_name=participant_name.strip(),
        participant_signed_at=now if electronic else None,
        paper_signed_on=None if electronic else paper_signed_on,
        obtained_by=actor,
        obtained_by_name=actor.printed_name if actor else _("system"),
        obtained_at=now,
    )
    return audited_save(record, actor=actor)


def consent_sign(
    *,
    actor: User | None,
    subject: Subject,
    form: ConsentForm,
    method: str,
    participant_name: str = "",
    paper_signed_on: dt.date | None = None,
    password: str = "",
    known: StudyAccess | None = None,
) -> ConsentRecord:
    """Record a participant's consent (or re-consent) to `form`; electronic consent re-authenticates the actor."""
    site_require(actor, subject.site, known=known)
    if subject.status not in (SubjectStatus.SCREENING, SubjectStatus.ENROLLED):
        raise ValidationError({"subject": _("Only a participant in screening or enrolled can consent.")})
    if subject.withdrawals.filter(scope=WithdrawalScope.ALL).exists():
        raise ValidationError({"subject": _("The participant withdrew consent.")})
    signed_on = consent_validate(
        form=form, site=subject.site, method=method, participant_name=participant_name, paper_signed_on=paper_signed_on
    )
    if subject.consents.filter(form=form).exists():
        raise ValidationError({"form": _("The participant already signed this version.")})
    require_green_light(subject.site, on=signed_on)
    if method == ConsentMethod.ELECTRONIC:
        reauthenticate(actor, password)
    with transaction.atomic():
        return consent_write(
            actor=actor,
            subject=subject,
            form=form,
            method=method,
            participant_name=participant_name,
            paper_signed_on=paper_signed_on,
        )
