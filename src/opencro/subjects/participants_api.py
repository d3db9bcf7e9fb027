"""Participants API: screening with consent, re-consent, eligibility, enrolment, withdrawal, consent forms,
the pre-screening log. Site-scoped like the pages; 422 names the field at fault."""

import base64
import binascii
import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.studies.models import Country, Site
from opencro.subjects import services
from opencro.subjects.consent import consent_sign
from opencro.subjects.consent_forms import (
    consent_form_approve,
    consent_form_create,
    consent_form_ethics_record,
    consent_form_retire,
    scope_label,
)
from opencro.subjects.eligibility import eligibility_confirm, eligibility_record
from opencro.subjects.models import ConsentForm, ConsentRecord, Subject
from opencro.subjects.participants import (
    consent_form_get,
    consent_form_list,
    consent_history,
    consent_statuses,
    eligibility_checklist,
    prescreening_counts,
    prescreening_list,
    site_get,
    withdrawals_of,
)
from opencro.subjects.prescreening import prescreening_log
from opencro.subjects.screening import enrolment_blockers, participant_enrol, participant_screen
from opencro.subjects.selectors import subject_get
from opencro.subjects.withdrawal import consent_withdraw

router = Router(tags=["participants"])
Text = Field("", max_length=200)
Password = Field("", max_length=200, description="The acting user's password (electronic signature)")


class ConsentOut(Schema):
    id: int
    form_id: int
    version: str
    language: str
    method: str
    participant_name: str
    participant_signed_at: dt.datetime | None
    paper_signed_on: dt.date | None
    obtained_by: str
    obtained_at: dt.datetime
    version_status: str


class ChecklistCriterionOut(Schema):
    criterion_id: int
    criterion: str
    kind: str
    text: str
    computed: str = Field(description='"met", "not_met", or "" when it cannot be computed (see note)')
    note: str
    assessed: str
    comment: str


class WithdrawalOut(Schema):
    withdrawn_on: dt.date
    scope: str
    data_may_be_used: bool
    reason: str


class SubjectDetailOut(Schema):
    id: int
    number: str
    screening_number: str
    site_number: str
    status: str
    screened_on: dt.date
    enrolled_on: dt.date | None
    rescreen_of: str | None
    screen_failure_reason: str
    reconsent_due: bool
    reconsent_version: str | None
    consents: list[ConsentOut]
    eligibility: str
    eligibility_confirmed_by: str
    eligibility_confirmed_at: dt.datetime | None
    criteria: list[ChecklistCriterionOut]
    enrolment_blockers: list[str]
    withdrawals: list[WithdrawalOut]


def _consent_out(r: ConsentRecord) -> dict:
    return {
        "id": r.pk,
        "form_id": r.form_id,
        "version": r.form.version,
        "language": r.form.language,
        "method": r.method,
        "participant_name": r.participant_name,
        "participant_signed_at": r.participant_signed_at,
        "paper_signed_on": r.paper_signed_on,
        "obtained_by": r.obtained_by_name,
        "obtained_at": r.obtained_at,
        "version_status": r.form.status,
    }


def _detail(subject: Subject) -> dict:
    subject.refresh_from_db()
    status = consent_statuses([subject])[subject.pk]
    checklist = eligibility_checklist(subject)
    review = checklist.review
    return {
        "id": subject.pk,
        "number": subject.number,
        "screening_number": subject.screening_number or "",
        "site_number": subject.site.number,
        "status": subject.status,
        "screened_on": subject.screened_on,
        "enrolled_on": subject.enrolled_on,
        "rescreen_of": subject.rescreen_of.screening_number if subject.rescreen_of else None,
        "screen_failure_reason": subject.screen_failure_reason or "",
        "reconsent_due": status.reconsent_due,
        "reconsent_version": status.due.version if status.due else None,
        "consents": [_consent_out(r) for r in consent_history(subject)],
        "eligibility": review.outcome if review else "",
        "eligibility_confirmed_by": review.confirmed_by_name if review else "",
        "eligibility_confirmed_at": review.confirmed_at if review else None,
        "criteria": [
            {
                "criterion_id": row.criterion.pk,
                "criterion": str(row.criterion),
                "kind": row.criterion.kind,
                "text": row.criterion.text,
                "computed": row.computed,
                "note": row.note,
                "assessed": row.assessed,
                "comment": row.comment,
            }
            for row in checklist.rows
        ],
        "enrolment_blockers": enrolment_blockers(subject),
        "withdrawals": [
            {
                "withdrawn_on": w.withdrawn_on,
                "scope": w.scope,
                "data_may_be_used": w.data_may_be_used,
                "reason": w.reason,
            }
            for w in withdrawals_of(subject)
        ],
    }


def _subject_for_edit(request, study_id: int, subject_id: int, perm: str = Perm.SUBJECT_EDIT):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subject = subject_get(access, subject_id)
    access_check(access, perm)
    return access, subject


def _form_of(access, form_id: int) -> ConsentForm:
    form = consent_form_list(access).filter(pk=form_id).first()
    if form is None:
        raise ValidationError({"form_id": _("No such consent form version.")})
    return form


class ScreenIn(Schema):
    site_id: int
    form_id: int = Field(..., description="The approved consent form version the participant signs")
    method: str = Field(..., max_length=10, description='"electronic" or "paper"')
    participant_name: str = Text
    paper_signed_on: dt.date | None = None
    password: str = Password
    screened_on: dt.date | None = None
    sex: str = Field("U", max_length=1)
    year_of_birth: int | None = Field(None, ge=1880, le=2200)
    rescreen_of_id: int | None = None


# registered before the subject routes: "screen" would otherwise match {subject_id}
@router.post(
    "/{study_id}/subjects/screen", response={201: SubjectDetailOut}, summary="Consent and screen a participant"
)
def screen(request, study_id: int, payload: ScreenIn):
    """Record the consent and register the participant in screening with the site's next screening number."""
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    site = site_get(access, payload.site_id)
    access_check(access, Perm.SUBJECT_EDIT)
    rescreen_of = subject_get(access, payload.rescreen_of_id) if payload.rescreen_of_id else None
    subject = participant_screen(
        actor=request.user,
        site=site,
        form=_form_of(access, payload.form_id),
        method=payload.method,
        participant_name=payload.participant_name,
        paper_signed_on=payload.paper_signed_on,
        password=payload.password,
        screened_on=payload.screened_on,
        sex=payload.sex,
        year_of_birth=payload.year_of_birth,
        rescreen_of=rescreen_of,
        known=access,
    )
    return Status(201, _detail(subject))


@router.get(
    "/{study_id}/subjects/{subject_id}", response=SubjectDetailOut, summary="A participant: consent, eligibility"
)
def subject_detail(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _detail(subject_get(access, subject_id))


class ConsentIn(Schema):
    form_id: int
    method: str = Field(..., max_length=10)
    participant_name: str = Text
    paper_signed_on: dt.date | None = None
    password: str = Password


@router.post("/{study_id}/subjects/{subject_id}/consents", response={201: ConsentOut}, summary="Record a (re-)consent")
def consent(request, study_id: int, subject_id: int, payload: ConsentIn):
    access, subject = _subject_for_edit(request, study_id, subject_id)
    record = consent_sign(
        actor=request.user,
        subject=subject,
        form=_form_of(access, payload.form_id),
        method=payload.method,
        participant_name=payload.participant_name,
        paper_signed_on=payload.paper_signed_on,
        password=payload.password,
        known=access,
    )
    return Status(201, _consent_out(record))


class AnswerIn(Schema):
    criterion_id: int
    assessed: str = Field(..., max_length=8, description='"met" or "not_met"')
    comment: str = Field("", max_length=300)


class EligibilityIn(Schema):
    answers: list[AnswerIn] = Field(..., max_length=200)


class ConfirmIn(Schema):
    answers: list[AnswerIn] = Field(default_factory=list, max_length=200)
    password: str = Password


def _answers(answers: list[AnswerIn]) -> tuple[dict[int, str], dict[int, str]]:
    return {a.criterion_id: a.assessed for a in answers}, {a.criterion_id: a.comment for a in answers}


@router.put(
    "/{study_id}/subjects/{subject_id}/eligibility", response=SubjectDetailOut, summary="Record criterion assessments"
)
def eligibility_put(request, study_id: int, subject_id: int, payload: EligibilityIn):
    access, subject = _subject_for_edit(request, study_id, subject_id)
    answers, comments = _answers(payload.answers)
    eligibility_record(actor=request.user, subject=subject, answers=answers, comments=comments, known=access)
    return _detail(subject)


@router.post(
    "/{study_id}/subjects/{subject_id}/eligibility/confirm",
    response=SubjectDetailOut,
    summary="The investigator confirms the checklist (e-signed)",
)
def eligibility_confirm_post(request, study_id: int, subject_id: int, payload: ConfirmIn):
    access, subject = _subject_for_edit(request, study_id, subject_id, Perm.SIGNOFF)
    answers, comments = _answers(payload.answers)
    eligibility_confirm(
        actor=request.user, subject=subject, password=payload.password, answers=answers, comments=comments, known=access
    )
    return _detail(subject)


class ParticipantReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post("/{study_id}/subjects/{subject_id}/screen-fail", response=SubjectDetailOut, summary="Screen failure")
def screen_fail(request, study_id: int, subject_id: int, payload: ParticipantReasonIn):
    _access, subject = _subject_for_edit(request, study_id, subject_id)
    services.subject_screen_fail(actor=request.user, subject=subject, reason=payload.reason)
    return _detail(subject)


class EnrolIn(Schema):
    enrolled_on: dt.date


@router.post("/{study_id}/subjects/{subject_id}/enrol", response=SubjectDetailOut, summary="Enrol a participant")
def enrol(request, study_id: int, subject_id: int, payload: EnrolIn):
    """Needs current consent (no re-consent due), eligibility confirmed, and the site's green light."""
    access, subject = _subject_for_edit(request, study_id, subject_id)
    participant_enrol(actor=request.user, subject=subject, enrolled_on=payload.enrolled_on, known=access)
    return _detail(subject)


class WithdrawalIn(Schema):
    withdrawn_on: dt.date
    scope: str = Field(..., max_length=10, description='"treatment", "follow_up" or "all"')
    data_may_be_used: bool
    reason: str = Field("", max_length=1000)


@router.post(
    "/{study_id}/subjects/{subject_id}/withdrawals",
    response={201: SubjectDetailOut},
    summary="Record a withdrawal of consent",
)
def withdraw(request, study_id: int, subject_id: int, payload: WithdrawalIn):
    access, subject = _subject_for_edit(request, study_id, subject_id)
    consent_withdraw(
        actor=request.user,
        subject=subject,
        withdrawn_on=payload.withdrawn_on,
        scope=payload.scope,
        data_may_be_used=payload.data_may_be_used,
        reason=payload.reason,
        known=access,
    )
    return Status(201, _detail(subject))


class ConsentFormOut(Schema):
    id: int
    version: str
    language: str
    title: str
    text: str
    applies_to: str
    country_codes: list[str]
    site_numbers: list[str]
    document_name: str
    document_sha256: str
    ethics_committee: str
    ethics_approved_on: dt.date | None
    status: str
    approved_at: dt.datetime | None
    superseded_by_id: int | None


def _form_out(f: ConsentForm) -> dict:
    return {
        "id": f.pk,
        "version": f.version,
        "language": f.language,
        "title": f.title,
        "text": f.text,
        "applies_to": scope_label(f),
        "country_codes": sorted(c.code for c in f.countries.all()),
        "site_numbers": sorted(s.number for s in f.sites.all()),
        "document_name": f.document_name,
        "document_sha256": f.document_sha256,
        "ethics_committee": f.ethics_committee,
        "ethics_approved_on": f.ethics_approved_on,
        "status": f.status,
        "approved_at": f.approved_at,
        "superseded_by_id": f.superseded_by_id,
    }


@router.get("/{study_id}/consent-forms", response=list[ConsentFormOut], summary="Consent form versions")
def consent_forms(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return [_form_out(f) for f in consent_form_list(access)]


@router.get("/{study_id}/consent-forms/{form_id}", response=ConsentFormOut, summary="A consent form version")
def consent_form(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    return _form_out(consent_form_get(access, form_id))


class ConsentFormIn(Schema):
    version: str = Field(..., min_length=1, max_length=40)
    language: str = Field(..., min_length=2, max_length=16)
    title: str = Field(..., min_length=1, max_length=200)
    text: str = Field("", max_length=100_000)
    country_codes: list[str] = Field(default_factory=list, max_length=100)
    site_numbers: list[str] = Field(default_factory=list, max_length=500)
    document_name: str = Field("", max_length=200)
    document_base64: str = Field("", max_length=40_000_000, description="The form as a PDF, base64-encoded")


@router.post("/{study_id}/consent-forms", response={201: ConsentFormOut}, summary="Create a draft version")
def consent_form_post(request, study_id: int, payload: ConsentFormIn):
    access = access_study(request.user, study_id, Perm.STUDY_EDIT)
    study = access.membership.study
    countries = list(Country.objects.filter(study=study, code__in=payload.country_codes))
    sites = list(Site.objects.filter(study=study, number__in=payload.site_numbers))
    if len(countries) != len(set(payload.country_codes)) or len(sites) != len(set(payload.site_numbers)):
        raise ValidationError({"scope": _("Unknown country code or site number.")})
    try:
        document = base64.b64decode(payload.document_base64, validate=True) if payload.document_base64 else None
    except (binascii.Error, ValueError):
        raise ValidationError({"document_base64": _("Not valid base64.")}) from None
    form = consent_form_create(
        actor=request.user,
        study=study,
        version=payload.version,
        language=payload.language,
        title=payload.title,
        text=payload.text,
        countries=countries,
        sites=sites,
        document_name=payload.document_name,
        document=document,
        known=access,
    )
    return Status(201, _form_out(form))


def _form_for_edit(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    form = consent_form_get(access, form_id)
    access_check(access, Perm.STUDY_EDIT)
    return access, form


class EthicsIn(Schema):
    committee: str = Field(..., min_length=1, max_length=200)
    approved_on: dt.date


@router.post(
    "/{study_id}/consent-forms/{form_id}/ethics-approval", response=ConsentFormOut, summary="Record ethics approval"
)
def consent_form_ethics(request, study_id: int, form_id: int, payload: EthicsIn):
    access, form = _form_for_edit(request, study_id, form_id)
    consent_form_ethics_record(
        actor=request.user, form=form, committee=payload.committee, approved_on=payload.approved_on, known=access
    )
    return _form_out(form)


class ConsentPasswordIn(Schema):
    password: str = Password


@router.post("/{study_id}/consent-forms/{form_id}/approve", response=ConsentFormOut, summary="Approve for use")
def consent_form_approve_post(request, study_id: int, form_id: int, payload: ConsentPasswordIn):
    """E-signed; supersedes the approved versions of the same language and scope (their signers: re-consent due)."""
    access, form = _form_for_edit(request, study_id, form_id)
    return _form_out(consent_form_approve(actor=request.user, form=form, password=payload.password, known=access))


@router.post("/{study_id}/consent-forms/{form_id}/retire", response=ConsentFormOut, summary="Retire a version")
def consent_form_retire_post(request, study_id: int, form_id: int, payload: ParticipantReasonIn):
    access, form = _form_for_edit(request, study_id, form_id)
    return _form_out(consent_form_retire(actor=request.user, form=form, reason=payload.reason, known=access))


class PrescreeningOut(Schema):
    id: int
    site_number: str
    logged_on: dt.date
    source: str
    outcome: str
    reason: str


class PrescreeningLogOut(Schema):
    counts: dict[str, dict[str, int]]
    entries: list[PrescreeningOut]


class PrescreeningIn(Schema):
    site_id: int
    logged_on: dt.date
    source: str = Field(..., max_length=16)
    outcome: str = Field(..., max_length=16)
    reason: str = Field("", max_length=300)


def _entry_out(e) -> dict:
    return {
        "id": e.pk,
        "site_number": e.site.number,
        "logged_on": e.logged_on,
        "source": e.source,
        "outcome": e.outcome,
        "reason": e.reason,
    }


@router.get("/{study_id}/prescreening", response=PrescreeningLogOut, summary="Pre-screening log and counts per site")
def prescreening(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    entries = prescreening_list(access)[:1000]
    return {"counts": prescreening_counts(access), "entries": [_entry_out(e) for e in entries]}


@router.post("/{study_id}/prescreening", response={201: PrescreeningOut}, summary="Log a person considered")
def prescreening_post(request, study_id: int, payload: PrescreeningIn):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    site = site_get(access, payload.site_id)
    access_check(access, Perm.SUBJECT_EDIT)
    entry = prescreening_log(
        actor=request.user,
        site=site,
        logged_on=payload.logged_on,
        source=payload.source,
        outcome=payload.outcome,
        reason=payload.reason,
        known=access,
    )
    return Status(201, _entry_out(entry))
