"""The demo's second study, OPC-204: small, finished and closed out through the services. Every close-out step is
signed by the demo person whose role owns it and its gate still holds on the study's own data; the archive keeps the
records 25 years from the last visit; the study is under a second work order of the demo's agreement; OPC-301 is left
as it was (enrolling, no close-out)."""

import datetime as dt

import pyreadstat
import pytest

from opencro.accounts.signatures import signatures_for
from opencro.analysis.models import PackageStatus
from opencro.analysis.services import package_folder
from opencro.closeout.gates import StepState, checklist_compute
from opencro.closeout.models import Closeout
from opencro.closeout.selectors import closeout_get
from opencro.closeout.steps import ORDER
from opencro.demo import data
from opencro.edc.checklist import lock_checklist
from opencro.partnership.models import WorkOrder
from opencro.partnership.selectors import studies_of
from opencro.payments.models import PaymentRun, RunStatus, SiteContract
from opencro.studies.models import SiteStatus, Study
from opencro.subjects.models import SubjectStatus, TreatmentAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # the demo loads two whole studies (see conftest)

# the demo person whose role owns each step (docs/closeout.md: the sponsor approves only; the project manager signs
# the steps the sponsor could, the regulatory specialist the TMF and the archive)
SIGNED_BY = {
    "lplv": "pm",
    "database_lock": "dm",
    "unblinding": "ustat",
    "analysis_package": "ustat",
    "csr": "pm",
    "site_closeout": "pm",
    "final_payments": "pm",
    "tmf_reconciliation": "reg",
    "archiving": "reg",
    "approval": "sponsor",
}
# the last visit: participant 7 (site 12) enrolled on 2025-06-16, Week 12 (study day 85) on 2025-09-08
LAST_VISIT = dt.date(2025, 9, 8)


@pytest.fixture
def opc204(demo_loaded, db) -> Study:
    return Study.objects.get(protocol_number="OPC-204")


def test_the_second_study_is_small_finished_and_closed(opc204):
    assert (opc204.phase, opc204.status) == ("II", "closed")
    assert opc204.countries.count() == 2 and opc204.sites.count() == 3
    assert set(opc204.sites.values_list("status", flat=True)) == {SiteStatus.CLOSED}
    statuses = list(opc204.subjects.values_list("status", flat=True))
    assert len(statuses) == 10
    assert statuses.count(SubjectStatus.COMPLETED) == 6 and statuses.count(SubjectStatus.WITHDRAWN) == 2
    assert statuses.count(SubjectStatus.SCREEN_FAILED) == 2
    assert lock_checklist(opc204).ready and lock_checklist(opc204).study_lock is not None


def test_every_step_is_signed_by_its_owner_and_still_holds(opc204):
    checklist = checklist_compute(opc204, closeout_get(opc204.pk))
    assert checklist.approved and [s.key for s in checklist.steps] == list(ORDER)
    for step in checklist.steps:
        assert step.state == StepState.SIGNED, (step.key, step.refusals())
        assert all(line.holds for line in step.lines if not line.info), step.key
        assert step.record.signed_by.username == SIGNED_BY[step.key], step.key
        signatures = signatures_for(step.record)
        assert signatures and not any(s.is_broken for s in signatures), step.key
    signed = [s.record.signed_at for s in checklist.steps]
    assert signed[-1] == max(signed)  # the sponsor's approval is the last signature
    assert checklist.step("lplv").record.facts["lplv"] == LAST_VISIT.isoformat()


def test_the_package_and_the_report_behind_the_signatures(opc204):
    checklist = checklist_compute(opc204, closeout_get(opc204.pk))
    package = checklist.step("analysis_package").record.package
    assert package.status == PackageStatus.DONE and not package.blinded and package.data_locked
    assert {"DM", "DS", "AE", "VS"} <= set(package.manifest["datasets"])
    assert package.manifest["adam"]["ADSL"]["records"] == 8  # the randomised participants
    assert [o["id"] for o in package.manifest["outputs"]] == ["14-1.01"]
    adsl, _meta = pyreadstat.read_xport(str(next(package_folder(package).rglob("adsl.xpt"))))
    arms = {"A": "OPC-1127 10 mg", "P": "Placebo"}
    assigned = TreatmentAssignment.objects.filter(subject__study=opc204).values_list("subject__number", "arm__code")
    assert dict(zip(adsl["SUBJID"], adsl["TRT01P"], strict=True)) == {n: arms[code] for n, code in assigned}
    report = checklist.step("csr").record.document_version
    assert report.document.level == "trial" and report.status == "approved" and report.approved_at > package.finished_at
    assert report.document.artifact.number == "02.03.01" and report.filed_at is not None


def test_sites_paid_in_full(opc204):
    assert set(PaymentRun.objects.filter(study=opc204).values_list("status", flat=True)) == {RunStatus.PAID}
    contracts = SiteContract.objects.filter(study=opc204)
    assert contracts.count() == 3 and not contracts.filter(holdback_released_on__isnull=True).exists()


def test_the_archive_keeps_the_records_25_years_from_the_last_visit(opc204):
    closeout = Closeout.objects.get(study=opc204)
    assert closeout.retention_rule == "eu_ctr_art58" and closeout.retention_basis_on == LAST_VISIT
    assert closeout.retention_until == dt.date(2050, 9, 8)  # EU CTR Article 58: 25 years after the end of the trial
    assert closeout.site_archives.count() == 3 and closeout.tmf_location


def test_a_second_work_order_under_the_same_agreement(opc204, demo):
    order = WorkOrder.objects.select_related("agreement__cro").get(study=opc204)
    first = WorkOrder.objects.get(study=demo)
    assert (order.number, order.status, order.agreement_id) == ("WO-002", "executed", first.agreement_id)
    assert set(studies_of(order.agreement.cro)) == {demo, opc204}
    assert opc204.sponsor_organisation == demo.sponsor_organisation


def test_opc301_is_untouched(demo):
    """Still enrolling, no close-out, its sites as its start-up left them, its runs as `demo.payments` left them."""
    assert demo.status == "enrolling"
    assert not Closeout.objects.filter(study=demo).exists()
    assert dict(demo.sites.values_list("number", "status")) == {row[0]: row[6] for row in data.SITES}
    runs = dict(PaymentRun.objects.filter(study=demo).values_list("number", "status"))
    assert runs == {"PR-001": RunStatus.PAID, "PR-002": RunStatus.EXPORTED}
