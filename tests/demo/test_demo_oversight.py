"""The demo's oversight: an approved risk assessment, QTLs and KRIs at three cuts, central monitoring, a visit.

The sites differ as the demo's data make them: site 102 enters its pages late (the data entry KRI flags it at every
cut), and central monitoring singles out site 501.
"""

from opencro.accounts.models import Signature
from opencro.demo.oversight import CUTS
from opencro.monitoring.models import (
    AssessmentStatus,
    CsmRun,
    KriResult,
    KriSnapshot,
    MonitoringVisit,
    QtlEvaluation,
    RiskAssessment,
    VisitStatus,
)


def test_risk_assessment_is_approved_and_signed(demo):
    assessment = RiskAssessment.objects.get(study=demo)
    assert (assessment.version, assessment.status) == (1, AssessmentStatus.APPROVED)
    assert assessment.risks.count() == 6
    assert Signature.objects.filter(object_id=str(assessment.pk), meaning="approve", broken_at__isnull=True).exists()


def test_kris_at_three_cuts_and_the_late_entry_site_flagged_throughout(demo):
    snapshots = list(KriSnapshot.objects.filter(study=demo).order_by("cut_on"))
    assert [s.cut_on for s in snapshots] == list(CUTS)
    assert all(len(s.definitions) == 12 for s in snapshots)
    late = KriResult.objects.filter(snapshot__study=demo, kri_code="kri0010", level="site", group="102")
    assert [r.flag for r in late.order_by("snapshot__cut_on")] == [1, 1, 1]
    pages = late.get(snapshot=snapshots[-1])
    assert pages.numerator / pages.denominator > 0.4  # 102's pages often come more than 10 days after the visit
    others = KriResult.objects.filter(snapshot=snapshots[-1], kri_code="kri0010", level="site").exclude(group="102")
    assert all(r.numerator / r.denominator < 0.2 for r in others if r.denominator)
    # the earlier cuts saw less: data entered after them does not count
    first, last = (
        s.results.get(kri_code="kri0008", level="country", group="US") for s in (snapshots[0], snapshots[-1])
    )
    assert first.denominator < last.denominator


def test_qtls_are_evaluated_at_each_cut(demo):
    evaluations = QtlEvaluation.objects.filter(qtl__study=demo)
    assert evaluations.count() == 3 * 3
    assert set(evaluations.values_list("cut_on", flat=True)) == set(CUTS)
    assert not evaluations.filter(estimate__isnull=True).exists()


def test_central_monitoring_singles_out_one_site(demo):
    run = CsmRun.objects.get(study=demo)
    assert run.n_subjects == 50 and run.n_variables > 50
    flagged = [r["site"] for r in run.ranking if r["flagged"]]
    assert flagged == ["501"]
    assert run.ranking[0]["top"][0]["test"] == "variance"


def test_the_routine_visit_report_is_approved_with_its_follow_up_letter(demo):
    visit = MonitoringVisit.objects.get(study=demo)
    assert visit.status == VisitStatus.APPROVED and visit.site.number == "202"
    assert visit.findings.count() == 1 and "dosed outside the window" in visit.follow_up_letter
    assert Signature.objects.filter(object_id=str(visit.pk), meaning="author").exists()
