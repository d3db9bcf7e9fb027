"""The close-out's writes: starting it, signing each step (its owner, the password, the gate and the steps it waits
for), signing again once a step no longer holds, the sponsor's approval closing the study, and the archives."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.models import Signature, SignatureMeaning, User
from opencro.accounts.signatures import content_hash
from opencro.audit.models import AuditRecord
from opencro.closeout import services
from opencro.closeout.gates import StepState, checklist_compute
from opencro.closeout.models import Closeout, CloseoutStep, SiteArchive
from opencro.closeout.steps import SIGNED_HERE
from opencro.edc.services.locks import data_unlock, study_lock
from opencro.studies.models import StudyStatus
from tests.closeout import helpers as h
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _messages(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


def _signatures(row) -> list[Signature]:
    ct = ContentType.objects.get_for_model(row)
    return list(Signature.objects.filter(content_type=ct, object_id=str(row.pk)).order_by("signed_at", "pk"))


# Starting


def test_the_project_manager_starts_the_close_out_once(built):
    target = timezone.localdate() + dt.timedelta(days=90)
    closeout = h.start(built, target_on=target, note="Close-out kick-off held")
    assert (closeout.started_by, closeout.target_on, closeout.note) == (
        built.user(h.PM),
        target,
        "Close-out kick-off held",
    )
    assert AuditRecord.objects.filter(object_type="closeout.closeout", object_id=str(closeout.pk)).exists()
    with pytest.raises(ValidationError) as exc:
        h.start(built)
    assert _messages(exc) == {"study": ["The close-out of this study is started already."]}


@pytest.mark.parametrize("role", [h.DM, h.SPONSOR, "investigator", "auditor"])
def test_only_the_close_out_manager_starts_it(built, role):
    with pytest.raises(PermissionDenied):
        services.closeout_start(actor=built.user(role), study=built.study)
    assert not Closeout.objects.exists()


def test_a_target_in_the_past_is_refused(built):
    with pytest.raises(ValidationError) as exc:
        h.start(built, target_on=timezone.localdate() - dt.timedelta(days=1))
    assert list(_messages(exc)) == ["target_on"]


# Signing


def test_a_step_is_signed_by_its_owner_with_the_facts_and_an_e_signature(co):
    h.participants_finished(co)
    row = h.sign(co, "lplv", h.PM, note="All sites confirmed their last visits")
    assert (row.step, row.signed_by, row.note) == ("lplv", co.user(h.PM), "All sites confirmed their last visits")
    assert row.facts["lplv"] == "2026-03-02" and row.facts["completed"] == 2
    (signature,) = _signatures(row)
    assert (signature.signer, signature.meaning, signature.broken_at) == (co.user(h.PM), SignatureMeaning.APPROVE, None)
    assert signature.content_hash == content_hash(row)
    assert AuditRecord.objects.filter(
        object_type="closeout.closeoutstep", object_id=str(row.pk), action="sign"
    ).exists()


@pytest.mark.parametrize(
    ("step", "role"),
    [
        ("lplv", h.DM),  # closeout.manage
        ("lplv", h.SPONSOR),
        ("database_lock", h.PM),  # data.lock
        ("unblinding", "pharmacist"),  # treatment.view without esign.sign
        ("unblinding", "biostatistician"),  # blinded
        ("analysis_package", h.PM),
        ("csr", h.DM),
        ("site_closeout", "monitor"),
        ("final_payments", h.REG),
        ("tmf_reconciliation", h.SPONSOR),
        ("archiving", h.DM),
    ],
)
def test_a_step_is_refused_to_anyone_but_its_owner(co, step, role):
    h.participants_finished(co)
    with pytest.raises(PermissionDenied):
        h.sign(co, step, role)
    assert not CloseoutStep.objects.exists()


def test_a_wrong_password_signs_nothing(co):
    h.participants_finished(co)
    before = AuditRecord.objects.filter(object_type="closeout.closeoutstep").count()
    with pytest.raises(PermissionDenied) as exc:
        services.closeout_step_sign(actor=co.user(h.PM), study=co.study, step="lplv", password="not my password")
    assert "password" in str(exc.value)
    assert not CloseoutStep.objects.exists() and not Signature.objects.filter(study_id=co.study.pk).exists()
    assert AuditRecord.objects.filter(object_type="closeout.closeoutstep").count() == before
    assert User.objects.get(pk=co.user(h.PM).pk).failed_logins == 1  # counts towards the lockout


def test_nothing_is_signed_before_the_close_out_starts(built):
    h.participants_finished(built)
    with pytest.raises(ValidationError) as exc:
        h.sign(built, "lplv", h.PM)
    assert _messages(exc) == {"step": ["Start the close-out first."]}


def test_a_step_waits_for_its_dependencies_and_its_gate(co):
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "database_lock", h.DM)
    assert _messages(exc) == {
        "step": [
            "Sign these steps first (or again): Last participant, last visit.",
            "Not ready: The database is locked (No study-level lock is in force).",
        ]
    }
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "lplv", h.PM)
    (message,) = _messages(exc)["step"]
    assert message.startswith("Not ready: Every enrolled participant has completed or withdrawn (2 participants")
    assert not CloseoutStep.objects.exists()


def test_unknown_steps_and_the_approval_are_not_signed_here(co):
    for step in ("closing", "approval"):
        with pytest.raises(ValidationError) as exc:
            h.sign(co, step, h.PM)
        assert _messages(exc) == {"step": ["No such close-out step."]}


def test_a_step_that_holds_is_not_signed_again(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "lplv", h.PM)
    assert _messages(exc) == {"step": ["This step is signed and still holds."]}


def test_a_step_that_no_longer_holds_is_signed_again_and_the_earlier_signature_breaks(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    first_lock = h.database_locked(co)
    row = h.sign(co, "database_lock", h.DM)
    data_unlock(actor=co.user(h.DM), study=co.study, reason="Late lab values to enter", password=PASSWORD)
    with pytest.raises(ValidationError):
        h.sign(co, "database_lock", h.DM)  # no lock in force
    second_lock = study_lock(actor=co.user(h.DM), study=co.study, reason="database lock again", password=PASSWORD)
    again = h.sign(co, "database_lock", h.DM, note="Locked again after the late lab values")
    assert again.pk == row.pk
    assert (row.facts["lock_id"], again.facts["lock_id"]) == (first_lock.pk, second_lock.pk)
    earlier, latest = _signatures(again)
    assert earlier.broken_at is not None and latest.broken_at is None
    change = AuditRecord.objects.filter(object_type="closeout.closeoutstep", object_id=str(row.pk), action="update")
    assert change.filter(reason="signed again: the step no longer held").exists()


def test_the_choice_belongs_to_the_step_and_the_study(co):
    h.participants_finished(co)
    csr = h.csr_approved(co)
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "lplv", h.PM, document_version=csr)
    assert list(_messages(exc)) == ["document_version"]
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "analysis_package", h.STAT)
    assert _messages(exc) == {"package": ["Choose the analysis package."]}
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "csr", h.SPONSOR, document_version=csr, appendices=[csr])
    assert _messages(exc) == {"appendices": ["The report is not its own appendix."]}
    h.structure(co)
    site_record = h.filed(co, "02.01.03", "site", site=co.site_a)
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "csr", h.SPONSOR, document_version=site_record)
    assert _messages(exc) == {"document_version": ["Choose trial-level documents of this study."]}


# The approval


def test_the_approval_waits_for_every_step(co):
    with pytest.raises(ValidationError) as exc:
        services.closeout_approve(actor=co.user(h.SPONSOR), study=co.study, password=PASSWORD)
    (message,) = _messages(exc)["step"]
    assert message.startswith("Sign these steps first (or again): Last participant, last visit, Database lock,")
    with pytest.raises(PermissionDenied):
        services.closeout_approve(actor=co.user(h.PM), study=co.study, password=PASSWORD)


def test_the_sponsors_approval_closes_the_study_and_ends_the_close_out(co):
    h.all_but_approval(co)
    sponsor = co.user(h.SPONSOR)
    with pytest.raises(PermissionDenied):
        services.closeout_approve(actor=sponsor, study=co.study, password="wrong")
    co.study.refresh_from_db()
    assert co.study.status == StudyStatus.FOLLOW_UP
    row = services.closeout_approve(actor=sponsor, study=co.study, password=PASSWORD, note="Approved for Acme")
    co.study.refresh_from_db()
    assert co.study.status == StudyStatus.CLOSED
    assert row.facts["previous_status"] == "follow_up"
    assert set(row.facts["steps"]) == set(SIGNED_HERE)
    (signature,) = _signatures(row)
    assert signature.signer == sponsor
    closed = AuditRecord.objects.filter(object_type="studies.study", object_id=str(co.study.pk), field="status")
    assert closed.filter(new_value="closed", reason="close-out approved").exists()
    checklist = checklist_compute(co.study, Closeout.objects.get(study=co.study))
    assert checklist.approved and checklist.step("approval").state == StepState.SIGNED

    refused = "The close-out is approved and the study closed: nothing changes now."
    with pytest.raises(ValidationError) as exc:
        h.sign(co, "archiving", h.REG)
    assert _messages(exc) == {"step": [refused]}
    with pytest.raises(ValidationError) as exc:
        h.archives_recorded(co, tmf_location="Elsewhere", reason="moved")
    assert _messages(exc) == {"step": [refused]}
    with pytest.raises(ValidationError):
        services.closeout_approve(actor=sponsor, study=co.study, password=PASSWORD)


# Archives


def test_the_retention_is_computed_from_the_rule_chosen(co):
    record = services.closeout_archive_record
    reg = co.user(h.REG)
    common = {"tmf_location": "Vault 4", "tmf_archived_on": h.ARCHIVED, "retention_basis_on": dt.date(2028, 2, 29)}
    closeout = record(actor=reg, study=co.study, retention_rule="sponsor", retention_years=30, **common)
    assert closeout.retention_until == dt.date(2058, 2, 28)
    closeout = record(actor=reg, study=co.study, retention_rule="ich_e6", reason="Marketing approval date", **common)
    assert closeout.retention_until == dt.date(2030, 2, 28)
    with pytest.raises(ValidationError) as exc:
        record(actor=reg, study=co.study, retention_rule="eu_ctr_art58", **common)
    assert _messages(exc) == {"reason": ["The archive details are recorded: say why they change."]}
    assert record(actor=reg, study=co.study, retention_rule="ich_e6", **common).retention_until == dt.date(2030, 2, 28)


def test_archive_details_are_checked(co):
    with pytest.raises(ValidationError) as exc:
        services.closeout_archive_record(
            actor=co.user(h.REG),
            study=co.study,
            tmf_location=" ",
            tmf_archived_on=timezone.localdate() + dt.timedelta(days=1),
            retention_rule="forever",
            retention_basis_on=None,
        )
    assert set(_messages(exc)) == {"tmf_location", "tmf_archived_on", "retention_rule", "retention_basis_on"}
    for rule, years, field in (("sponsor", None, "retention_years"), ("eu_ctr_art58", 30, "retention_years")):
        with pytest.raises(ValidationError) as exc:
            h.archives_recorded(co, retention_rule=rule, retention_years=years)
        assert list(_messages(exc)) == [field]
    with pytest.raises(ValidationError) as exc:
        h.archives_recorded(co, tmf_sha256="not a digest")
    assert list(_messages(exc)) == ["tmf_sha256"]
    with pytest.raises(PermissionDenied):
        services.closeout_archive_record(
            actor=co.user(h.DM),
            study=co.study,
            tmf_location="Vault",
            tmf_archived_on=h.ARCHIVED,
            retention_rule="eu_ctr_art58",
            retention_basis_on=h.LAST_DAY,
        )


def test_a_sites_archive_is_recorded_and_changed_with_a_reason(co):
    reg = co.user(h.REG)
    row = services.closeout_site_archive_record(
        actor=reg, site=co.site_b, location="Beta records office", archived_on=h.ARCHIVED
    )
    assert (row.site, row.location) == (co.site_b, "Beta records office")
    same = services.closeout_site_archive_record(
        actor=reg, site=co.site_b, location="Beta records office", archived_on=h.ARCHIVED
    )
    assert same.pk == row.pk
    with pytest.raises(ValidationError) as exc:
        services.closeout_site_archive_record(actor=reg, site=co.site_b, location="Offsite", archived_on=h.ARCHIVED)
    assert list(_messages(exc)) == ["reason"]
    services.closeout_site_archive_record(
        actor=reg, site=co.site_b, location="Offsite", archived_on=h.ARCHIVED, reason="The hospital moved it"
    )
    assert SiteArchive.objects.get().location == "Offsite"
    with pytest.raises(ValidationError) as exc:
        services.closeout_site_archive_record(
            actor=reg, site=co.site_a, location="", archived_on=timezone.localdate() + dt.timedelta(days=2)
        )
    assert set(_messages(exc)) == {"location", "archived_on"}
    with pytest.raises(PermissionDenied):
        services.closeout_site_archive_record(
            actor=co.user(h.REG), site=co.other_study.sites.first(), location="x", archived_on=h.ARCHIVED
        )
