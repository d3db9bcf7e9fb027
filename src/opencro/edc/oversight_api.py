"""Data oversight API: SDV plan and verification, data-manager review, freeze/lock and unlock,
investigator sign-off, the database-lock checklist and the database lock.

Every route finds its object through the user's sites first (404 elsewhere), then checks the
permission (403). Unfreeze, unlock, sign-off and the database lock re-authenticate with the
password; a wrong password answers 403 and counts as a failed login.
"""

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Router, Schema

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.models import Signature
from opencro.accounts.permissions import Perm
from opencro.edc.checklist import LockChecklist, lock_checklist
from opencro.edc.locks import lock_list, lock_target
from opencro.edc.models import DataLock, FormData
from opencro.edc.panels import form_oversight
from opencro.edc.sdv import PlanRule, form_get, sdv_plan_rules
from opencro.edc.selectors import subject_get
from opencro.edc.services import locks as lock_services
from opencro.edc.services.review import form_review, form_unreview
from opencro.edc.services.sdv import sdv_plan_set, sdv_unverify, sdv_verify
from opencro.edc.services.signoff import casebook_signoff
from opencro.edc.signoff import signoff_state

router = Router(tags=["edc oversight"])
REASON = Field("", max_length=500)


class RuleIn(Schema):
    site_id: int | None = Field(None, ge=1, le=2**53)
    form_oid: str = Field("", max_length=100)
    requirement: Literal["none", "targeted", "full"]
    first_n_subjects: int = Field(0, ge=0, le=100_000)


class PlanIn(Schema):
    rules: list[RuleIn] = Field(..., max_length=2000)
    reason: str = REASON


class RuleOut(Schema):
    site_id: int | None
    site_number: str | None
    form_oid: str
    requirement: str
    first_n_subjects: int


def _plan_out(access: StudyAccess) -> list[RuleOut]:
    return [
        RuleOut(
            site_id=r.site_id,
            site_number=r.site.number if r.site else None,
            form_oid=r.form_oid,
            requirement=r.requirement,
            first_n_subjects=r.first_n_subjects,
        )
        for r in sdv_plan_rules(access.membership.study_id)
        if r.site_id is None or access.site_ids is None or r.site_id in access.site_ids
    ]


@router.get("/{study_id}/edc/sdv-plan", response=list[RuleOut], summary="The SDV plan (rules in force)")
def get_sdv_plan(request, study_id: int):
    """Most specific rule wins: site and form, site, form, study default; no rule: SDV not required."""
    return _plan_out(access_study(request.user, study_id, Perm.DATA_VIEW))


@router.put("/{study_id}/edc/sdv-plan", response=list[RuleOut], summary="Replace the SDV plan")
def put_sdv_plan(request, study_id: int, body: PlanIn):
    """All or nothing; a reason is required when rules change or go. Every form's SDV status is recomputed."""
    access = access_study(request.user, study_id, Perm.BUILD_EDIT)
    rules = [PlanRule(r.site_id, r.form_oid, r.requirement, r.first_n_subjects) for r in body.rules]
    sdv_plan_set(actor=request.user, study=access.membership.study, rules=rules, reason=body.reason)
    return _plan_out(access)


class SdvItemOut(Schema):
    item_id: int
    oid: str
    repeat: int
    critical: bool
    required: bool
    verified: bool


class OversightOut(Schema):
    form_id: int
    subject_id: int
    event_oid: str
    form_oid: str
    sdv_need: str
    sdv_status: str
    reviewed: bool
    frozen: bool
    locked: bool
    items: list[SdvItemOut]


def _oversight_out(access: StudyAccess, form: FormData) -> OversightOut:
    form.refresh_from_db()
    panel = form_oversight(access, form)
    return OversightOut(
        form_id=form.pk,
        subject_id=form.subject_id,
        event_oid=form.event.event_oid,
        form_oid=form.form_oid,
        sdv_need=panel.need,
        sdv_status=form.sdv_status,
        reviewed=form.reviewed,
        frozen=form.frozen,
        locked=form.locked,
        items=[
            SdvItemOut(
                item_id=i.item_id,
                oid=i.oid,
                repeat=i.repeat,
                critical=i.critical,
                required=i.required,
                verified=i.verified,
            )
            for i in panel.items
        ],
    )


FORM = "/{study_id}/edc/forms/{form_id}"


@router.get(FORM + "/oversight", response=OversightOut, summary="A form's SDV, review and lock state")
def get_oversight(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.DATA_VIEW)
    return _oversight_out(access, form)


class VerifyIn(Schema):
    item_ids: list[Annotated[int, Field(ge=1, le=2**53)]] | None = Field(None, max_length=5000)


class UnverifyIn(VerifyIn):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(FORM + "/verify", response=OversightOut, summary="Verify items against source (none named: the form)")
def verify(request, study_id: int, form_id: int, body: VerifyIn):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.SDV)
    sdv_verify(actor=request.user, form=form, item_ids=body.item_ids)
    return _oversight_out(access, form)


@router.post(FORM + "/unverify", response=OversightOut, summary="Take verification back (with a reason)")
def unverify(request, study_id: int, form_id: int, body: UnverifyIn):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.SDV)
    sdv_unverify(actor=request.user, form=form, item_ids=body.item_ids, reason=body.reason)
    return _oversight_out(access, form)


@router.post(FORM + "/review", response=OversightOut, summary="Mark a form reviewed by data management")
def review(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.DATA_REVIEW)
    form_review(actor=request.user, form=form)
    return _oversight_out(access, form)


class ReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.post(FORM + "/unreview", response=OversightOut, summary="Take a review back (with a reason)")
def unreview(request, study_id: int, form_id: int, body: ReasonIn):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.DATA_REVIEW)
    form_unreview(actor=request.user, form=form, reason=body.reason)
    return _oversight_out(access, form)


class LockOut(Schema):
    id: int
    level: str
    target: str
    state: str
    site_id: int | None
    reason: str
    set_by: str | None
    set_at: dt.datetime
    released_at: dt.datetime | None
    released_by: str | None
    release_reason: str


def _lock_out(record: DataLock) -> LockOut:
    return LockOut(
        id=record.pk,
        level=record.level,
        target=record.target_label,
        state=record.state,
        site_id=record.site_id,
        reason=record.reason,
        set_by=record.set_by.username if record.set_by else None,
        set_at=record.set_at,
        released_at=record.released_at,
        released_by=record.released_by.username if record.released_by else None,
        release_reason=record.release_reason,
    )


@router.get("/{study_id}/edc/locks", response=list[LockOut], summary="Freezes and locks in force at your sites")
def list_locks(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    return [_lock_out(r) for r in lock_list(access)[:1000]]


Level = Literal["study", "site", "subject", "event", "form"]


class LockIn(Schema):
    level: Level
    object_id: int | None = Field(None, ge=1, le=2**53)  # the site, subject, visit (event data) or form; none: study
    reason: str = REASON


class ReleaseIn(LockIn):
    reason: str = Field(..., min_length=1, max_length=500)
    password: str = Field(..., max_length=256)


def _lock_action(action: str):
    service = getattr(lock_services, f"data_{action}")
    releases = action in ("unfreeze", "unlock")

    def handler(request, study_id: int, body: ReleaseIn if releases else LockIn):  # type: ignore[valid-type]
        access = access_study(request.user, study_id)
        target = lock_target(access, body.level, body.object_id)
        access_check(access, Perm.DATA_LOCK)
        extra = {"password": body.password} if releases else {}
        record = service(actor=request.user, study=access.membership.study, reason=body.reason, **target, **extra)
        return _lock_out(record)

    handler.__name__ = f"data_{action}"
    return handler


SUMMARIES = {
    "freeze": "Freeze the study, a site, a subject, a visit or a form (no entry; queries continue)",
    "lock": "Lock a site, a subject, a visit or a form (nothing changes)",
    "unfreeze": "Unfreeze (reason and password: an e-signature)",
    "unlock": "Unlock, the database lock included (reason and password: an e-signature)",
}
for _action, _summary in SUMMARIES.items():
    router.post(f"/{{study_id}}/edc/locks/{_action}", response=LockOut, summary=_summary)(_lock_action(_action))


class ChecklistLineOut(Schema):
    key: str
    label: str
    total: int
    by_site: dict[str, int] | None


class ChecklistOut(Schema):
    ready: bool
    locked: bool
    coding_source: str
    lines: list[ChecklistLineOut]


def _checklist_out(checklist: LockChecklist) -> ChecklistOut:
    return ChecklistOut(
        ready=checklist.ready,
        locked=checklist.study_lock is not None and checklist.study_lock.state == "locked",
        coding_source=checklist.coding_source,
        lines=[
            ChecklistLineOut(
                key=line.key,
                label=line.label,
                total=line.total,
                by_site=None
                if line.cells is None
                else {s.number: n for s, n in zip(checklist.sites, line.cells, strict=True)},
            )
            for line in checklist.lines
        ],
    )


@router.get("/{study_id}/edc/database-lock/checklist", response=ChecklistOut, summary="The database-lock checklist")
def get_checklist(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_LOCK)
    return _checklist_out(lock_checklist(access.membership.study))


class PasswordIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)
    password: str = Field(..., max_length=256)


@router.post("/{study_id}/edc/database-lock", response=LockOut, summary="Lock the database (checklist clear; e-signed)")
def database_lock(request, study_id: int, body: PasswordIn):
    """Refused with 422 listing what is still open; a wrong password answers 403."""
    access = access_study(request.user, study_id, Perm.DATA_LOCK)
    record = lock_services.study_lock(
        actor=request.user, study=access.membership.study, reason=body.reason, password=body.password
    )
    return _lock_out(record)


class SignatureOut(Schema):
    printed_name: str
    meaning: str
    signed_at: dt.datetime
    broken_at: dt.datetime | None


class SignoffOut(Schema):
    subject_id: int
    status: str  # empty, unsigned, signed, broken
    signatures: list[SignatureOut]


def _signoff_out(subject, signatures: list[Signature], status: str) -> SignoffOut:
    return SignoffOut(
        subject_id=subject.pk,
        status=status,
        signatures=[
            SignatureOut(printed_name=s.printed_name, meaning=s.meaning, signed_at=s.signed_at, broken_at=s.broken_at)
            for s in signatures
        ],
    )


SIGNOFF = "/{study_id}/edc/subjects/{subject_id}/signoff"


@router.get(SIGNOFF, response=SignoffOut, summary="The casebook's investigator sign-off")
def get_signoff(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    state = signoff_state(subject)
    return _signoff_out(subject, state.signatures, state.status)


class SignoffIn(Schema):
    password: str = Field(..., max_length=256)
    meaning: Literal["approve", "review"] = "approve"


@router.post(SIGNOFF, response=SignoffOut, summary="Sign the casebook as investigator (password: e-signature)")
def post_signoff(request, study_id: int, subject_id: int, body: SignoffIn):
    """Bound to the subject's data: any later change marks the signature broken."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.SIGNOFF)
    casebook_signoff(actor=request.user, subject=subject, password=body.password, meaning=body.meaning)
    state = signoff_state(subject)
    return _signoff_out(subject, state.signatures, state.status)
