"""Each step's gate both ways, read from the trial's own data, and the states they give: not ready, ready, signed, no
longer holds (and signed again). The data are made through each app's services (tests/closeout/helpers.py)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from opencro.closeout.gates import StepState, checklist_compute
from opencro.closeout.models import Closeout
from opencro.closeout.selectors import closeout_get
from opencro.documents import services as documents
from opencro.edc.services.entry import form_save
from opencro.edc.services.locks import data_unlock, study_lock
from opencro.monitoring.models import VisitPurpose
from opencro.monitoring.visits import services as visits
from opencro.payments.models import FeeKind
from opencro.payments.services import contracts, runs
from opencro.subjects import services as subjects
from tests.closeout import helpers as h
from tests.conftest import PASSWORD
from tests.documents.helpers import pdf
from tests.monitoring.visits.helpers import done

pytestmark = pytest.mark.django_db


def _now(w):
    return checklist_compute(w.study, closeout_get(w.study.pk))


def _lines(checklist, key: str) -> dict:
    return {line.key: line for line in checklist.step(key).lines}


def test_a_fresh_study_shows_what_blocks_each_step(co):
    form_save(actor=None, subject=co.subject_a, event_oid="SE.SCR", form_oid="F.VS", entries=[], visit_date=h.VISIT_DAY)
    checklist = _now(co)
    assert [s.state for s in checklist.steps] == [StepState.WAITING] * 10
    lines = _lines(checklist, "lplv")
    assert not lines["on_study"].holds
    assert lines["on_study"].detail == "2 participants are still on study."
    assert [i.text for i in lines["on_study"].items] == ["A1-001 (A1)", "B1-001 (B1)"]
    assert lines["screening"].holds
    assert not lines["enrolment_over"].holds
    assert "No enrolment target" in lines["enrolment_over"].detail
    lock = _lines(checklist, "database_lock")
    assert not lock["locked"].holds
    assert not lock["checklist"].holds
    assert lock["checklist"].detail == (
        "Open queries: 1; Casebooks not signed by the investigator: 1; Mandatory forms missing or incomplete: 2; "
        "Forms not reviewed by data management: 1"
    )
    assert checklist.step("database_lock").waiting_for == ("lplv",)
    assert set(checklist.step("approval").waiting_for) == {s.key for s in checklist.steps[:-1]}


def test_last_participant_last_visit_holds_once_everyone_has_finished(co):
    h.participants_finished(co)
    status = _now(co).step("lplv")
    assert status.state == StepState.READY
    assert status.facts == {
        "lpi": "2026-03-10",
        "lplv": "2026-03-02",
        "enrolled": 2,
        "completed": 2,
        "withdrawn": 0,
        "screen_failed": 0,
    }


def test_a_participant_in_screening_blocks_and_a_signed_step_no_longer_holds(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    assert _now(co).step("lplv").state == StepState.SIGNED
    subjects.subject_screen(actor=None, site=co.site_a, number="A1-002", screened_on=dt.date(2026, 7, 1))
    status = _now(co).step("lplv")
    assert status.state == StepState.LAPSED
    line = next(line for line in status.lines if line.key == "screening")
    assert (line.holds, line.detail, [i.text for i in line.items]) == (
        False,
        "1 participant is still in screening.",
        ["A1-002 (A1)"],
    )


def test_the_database_lock_holds_while_the_signed_lock_is_in_force(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    assert _now(co).step("database_lock").state == StepState.WAITING
    h.database_locked(co)
    assert _now(co).step("database_lock").state == StepState.READY
    h.sign(co, "database_lock", h.DM)
    h.sign(co, "unblinding", h.STAT)
    assert _now(co).step("unblinding").state == StepState.SIGNED

    data_unlock(actor=co.user(h.DM), study=co.study, reason="Query on a lab value", password=PASSWORD)
    checklist = _now(co)
    assert checklist.step("database_lock").state == StepState.LAPSED
    assert checklist.step("unblinding").state == StepState.LAPSED  # its own lock line, and the step it waits for
    assert not _lines(checklist, "database_lock")["locked"].holds

    study_lock(actor=co.user(h.DM), study=co.study, reason="database lock again", password=PASSWORD)
    checklist = _now(co)
    locked = _lines(checklist, "database_lock")["locked"]
    assert checklist.step("database_lock").state == StepState.LAPSED  # another lock than the one signed
    assert not locked.holds and "released" in locked.detail
    h.sign(co, "database_lock", h.DM)
    checklist = _now(co)
    assert checklist.step("database_lock").state == StepState.SIGNED
    assert checklist.step("unblinding").state == StepState.LAPSED  # signed on the earlier lock
    h.sign(co, "unblinding", h.STAT)
    assert _now(co).step("unblinding").state == StepState.SIGNED


def test_unblinding_counts_randomised_participants_and_emergency_unblindings(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    h.database_locked(co)
    status = _now(co).step("unblinding")
    assert status.waiting_for == ("database_lock",)
    info = next(line for line in status.lines if line.key == "randomised")
    assert info.info and info.detail == "2 participants randomised; 0 emergency unblindings during the trial."
    assert status.facts["randomised"] == 2 and status.facts["emergency_unblindings"] == 0


def test_the_analysis_package_must_be_unblinded_and_built_on_the_lock_in_force(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    early = h.package_built(co)  # before the lock
    lines = _lines(_now(co), "analysis_package")
    assert lines["chosen"].detail.startswith("Package 1,") and not lines["on_lock"].holds
    h.database_locked(co)
    h.sign(co, "database_lock", h.DM)
    h.sign(co, "unblinding", h.STAT)
    dry_run = h.package_built(co, blinded=True)
    assert _now(co).step("analysis_package").package == early  # no package holds: the newest unblinded one shown
    final = h.package_built(co)
    status = _now(co).step("analysis_package")
    assert (status.state, status.package) == (StepState.READY, final)
    assert status.facts["package"] == final.number and len(status.facts["manifest_sha256"]) == 64
    assert status.facts["datasets"] > 0 and status.facts["files"] > 0
    refused = checklist_compute(co.study, closeout_get(co.study.pk), selection=_selection("analysis_package", dry_run))
    lines = _lines(refused, "analysis_package")
    assert not lines["unblinded"].holds and lines["on_lock"].holds


def _selection(step, package=None, version=None, appendices=()):
    from opencro.closeout.gate_lines import Selection

    return Selection(step, package, version, tuple(appendices))


def test_the_report_is_approved_after_the_package_and_stops_holding_when_superseded(co):
    h.participants_finished(co)
    h.sign(co, "lplv", h.PM)
    early = h.csr_approved(co, "Clinical study report (draft figures)")
    h.database_locked(co)
    h.sign(co, "database_lock", h.DM)
    h.sign(co, "unblinding", h.STAT)
    package = h.package_built(co)
    h.sign(co, "analysis_package", h.STAT, package=package)
    lines = _lines(_now(co), "csr")
    assert lines["chosen"].holds and not lines["after_package"].holds
    assert lines["after_package"].detail == f"Approved before package {package.number} was built."

    csr = h.csr_approved(co)
    record = h.appendix(co)
    h.sign(co, "csr", h.SPONSOR, document_version=csr, appendices=[record])
    status = _now(co).step("csr")
    assert status.state == StepState.SIGNED
    assert status.record.facts["document"] == csr.document.number
    assert [a["id"] for a in status.record.facts["appendices"]] == [record.pk]
    assert early.pk != csr.pk

    second = documents.version_upload(
        actor=co.user(h.REG),
        document=csr.document,
        version="2.0",
        file_name="csr-2.pdf",
        content=pdf("csr v2"),
        document_date=dt.date(2026, 10, 1),
    )
    h.approved(co, second)
    status = _now(co).step("csr")
    assert status.state == StepState.LAPSED
    assert next(line for line in status.lines if line.key == "approved").detail == "Superseded"


def test_site_close_out_needs_approved_visits_resolved_findings_and_closed_sites(co):
    checklist = _now(co)
    lines = _lines(checklist, "site_closeout")
    assert [i.text for i in lines["visits"].items] == ["A1 · Alpha Hospital", "B1 · Beta Hospital"]
    assert lines["findings"].holds
    assert [i.site_id for i in lines["closed"].items] == [co.site_a.pk, co.site_b.pk]

    visit = done(co, h.planned(co, site=co.site_a, purpose=VisitPurpose.CLOSE_OUT))
    finding = visits.visit_finding_add(
        actor=visit.monitor, visit=visit, category="isf", description="Delegation log not signed off"
    )
    h.visit_approved(co, visit)
    lines = _lines(_now(co), "site_closeout")
    assert [i.text for i in lines["visits"].items] == ["B1 · Beta Hospital"]
    assert not lines["findings"].holds and [i.text for i in lines["findings"].items] == ["A1 · Alpha Hospital: 1 open"]
    visits.visit_finding_resolve(actor=visit.monitor, finding=finding, resolved_on=timezone.localdate())
    h.visit_approved(co, h.planned(co, site=co.site_b, purpose=VisitPurpose.CLOSE_OUT))
    lines = _lines(_now(co), "site_closeout")
    assert lines["visits"].holds and lines["findings"].holds and not lines["closed"].holds
    h.sites_closed(co)  # closes both (and adds a second approved visit each: the latest counts)
    status = _now(co).step("site_closeout")
    assert status.holds
    assert [(s["site"], s["closed"]) for s in status.facts["sites"]] == [("A1", True), ("B1", True)]


def test_final_payments_wait_for_amounts_due_runs_and_holdbacks(co):
    pm, sponsor = co.user(h.PM), co.user(h.SPONSOR)
    contract = contracts.site_contract_create(
        actor=pm, site=co.site_a, currency="EUR", payee="Alpha fund", payee_reference="V-1", holdback_percent=10
    )
    contracts.site_fee_add(
        actor=pm,
        contract=contract,
        kind=FeeKind.FIXED,
        amount=Decimal("1000.00"),
        effective_from=dt.date(2026, 1, 15),
        description="Start-up",
    )
    contract = contracts.site_contract_sign(actor=pm, contract=contract, signed_on=dt.date(2026, 1, 10))
    lines = _lines(_now(co), "final_payments")
    assert not lines["nothing_due"].holds and lines["nothing_due"].detail == "1 amount due at 1 site(s)."
    assert not lines["holdbacks"].holds and [i.text for i in lines["holdbacks"].items] == ["A1 · Alpha Hospital"]

    def pay() -> None:
        run = runs.payment_run_create(actor=pm, study=co.study, cutoff=timezone.localdate())
        run = runs.payment_run_approve(actor=sponsor, run=run, password=PASSWORD)
        lines = _lines(_now(co), "final_payments")
        assert not lines["runs_paid"].holds and [i.text for i in lines["runs_paid"].items] == [
            f"{run.number}: Approved"
        ]
        runs.payment_run_export(actor=pm, run=run)
        runs.payment_run_paid(actor=pm, run=run, paid_on=timezone.localdate(), payment_reference=f"AP-{run.number}")

    pay()
    contracts.holdback_release(actor=pm, contract=contract, released_on=timezone.localdate(), reason="Site closed out")
    assert not _lines(_now(co), "final_payments")["nothing_due"].holds  # the release itself is due
    pay()
    status = _now(co).step("final_payments")
    assert status.holds
    assert status.facts == {
        "contracts": 1,
        "runs_paid": 2,
        "last_paid_on": timezone.localdate().isoformat(),
        "holdbacks_released": 1,
    }


def test_the_tmf_counts_close_out_artifacts_and_quality_checks(co):
    lines = _lines(_now(co), "tmf_reconciliation")
    assert not lines["structure"].holds and not lines["complete"].holds
    assert lines["csr_filed"].detail == "Sign the clinical study report first."
    h.tmf_structured(co)
    h.tmf_complete(co, close_out_artifact=False)
    lines = _lines(_now(co), "tmf_reconciliation")
    assert lines["structure"].holds
    assert not lines["complete"].holds  # Plan B is expected at close-out: the study is measured as if closed
    assert [i.text for i in lines["complete"].items] == ["01.01.02 Plan B"]
    version = h.filed(co, "01.01.02", "trial")
    assert _lines(_now(co), "tmf_reconciliation")["complete"].holds
    documents.qc_record(
        actor=co.user(h.PM), version=version, passed=False, finding="Unsigned copy: file the signed one"
    )
    assert not _lines(_now(co), "tmf_reconciliation")["complete"].holds  # a rejected document fills no slot
    h.filed(co, "01.01.02", "trial")
    pending = documents.document_create(
        actor=co.user(h.REG),
        study=co.study,
        title="Log C again",
        file_name="log.pdf",
        content=pdf("log c again"),
        document_date=dt.date(2026, 2, 1),
        level="site",
        site=co.site_a,
        artifact=h.artifact(co, "02.01.03"),
        requires_approval=False,
    )
    lines = _lines(_now(co), "tmf_reconciliation")
    assert lines["complete"].holds
    assert not lines["qc"].holds and lines["qc"].detail == "1 document awaits QC."
    documents.qc_record(actor=co.user(h.PM), version=pending, passed=True)
    assert _lines(_now(co), "tmf_reconciliation")["qc"].holds


def test_archiving_needs_every_archive_and_stops_holding_when_they_change(co):
    lines = _lines(_now(co), "archiving")
    assert not lines["tmf_archive"].holds and not lines["retention"].holds
    assert len(lines["site_archives"].items) == 2
    h.archives_recorded(co)
    lines = _lines(_now(co), "archiving")
    assert all(line.holds for line in lines.values())
    assert lines["retention"].detail == "Kept until 2051-06-30 (Regulation (EU) No 536/2014, Article 58)."
    facts = _now(co).step("archiving").facts
    assert facts["retention_until"] == "2051-06-30" and len(facts["digest"]) == 64
    assert [s["site"] for s in facts["sites"]] == ["A1", "B1"]


def test_the_whole_close_out_signed_step_by_step(co):
    h.all_but_approval(co)
    checklist = _now(co)
    assert [s.state for s in checklist.steps] == [StepState.SIGNED] * 9 + [StepState.READY]
    assert checklist.signed_count == 9 and not checklist.approved
    closeout = Closeout.objects.get(study=co.study)
    h.services.closeout_site_archive_record(
        actor=co.user(h.REG),
        site=co.site_a,
        location="Moved to the hospital's central archive",
        archived_on=h.ARCHIVED,
        reason="The hospital moved its archive",
    )
    checklist = checklist_compute(co.study, closeout)
    assert checklist.step("archiving").state == StepState.LAPSED
    assert _lines(checklist, "archiving")["as_signed"].detail == "Changed since the signature."
    assert checklist.step("approval").state == StepState.WAITING
    assert checklist.step("approval").waiting_for == ("archiving",)
