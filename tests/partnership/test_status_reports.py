"""Status reports: drafted and issued by the CRO's project lead (issuing freezes the HTML and PDF, signed), commented
on by either party, approved or returned by the sponsor's (signed); the schedule that issues them by itself; what the
report holds, and the PDF looked at as a picture."""

import datetime as dt
import hashlib
import io
from decimal import Decimal

import numpy as np
import pypdfium2
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.accounts.models import Signature
from opencro.notices.models import Notice
from opencro.partnership.models import KpiCode, ReportComment, ReportSchedule, ReportStatus, StatusReport
from opencro.partnership.services import kpis as kpi_services
from opencro.partnership.services import status_reports as services
from opencro.partnership.status_report import period_start_default, report_content, report_html
from opencro.partnership.status_report_pdf import LIGHT_FILL, issued_text, status_report_pdf
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import set_targets, trial_until_lpi_due
from tests.partnership.risk_helpers import raise_risk

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = D(2026, 6, 1)


def _issued(p, as_of: dt.date = AS_OF, summary: str = "Recruitment is on plan.") -> StatusReport:
    report = services.report_draft(actor=p.crux_lead, work_order=p.work_order, as_of=as_of, summary=summary)
    return services.report_issue(actor=p.crux_lead, report=report, password=PASSWORD)


@pytest.fixture
def executed(partners):
    execute(partners)
    partners.work_order.refresh_from_db()
    return partners


def test_the_period_starts_after_the_previous_report_or_a_month_before():
    assert period_start_default(D(2026, 6, 1), None) == D(2026, 5, 2)
    assert period_start_default(D(2026, 3, 31), None) == D(2026, 3, 1)  # February has 28 days
    assert period_start_default(D(2026, 6, 1), D(2026, 5, 15)) == D(2026, 5, 16)


def test_a_draft_is_numbered_and_its_period_follows_the_last_report(executed):
    first = _issued(executed)
    second = services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=D(2026, 7, 1))
    assert (first.number, first.period_start) == ("SR-001", D(2026, 5, 2))
    assert (second.number, second.period_start, second.status) == ("SR-002", D(2026, 6, 2), ReportStatus.DRAFT)
    assert second.html == "" and bytes(second.pdf) == b""  # nothing frozen before it is issued


def test_issuing_freezes_the_html_and_pdf_with_their_digest_and_signs(executed):
    report = _issued(executed)
    assert report.status == ReportStatus.ISSUED and report.issued_by == executed.crux_lead
    assert "Recruitment is on plan." in report.html and 'data-as-of="2026-06-01"' in report.html
    assert bytes(report.pdf).startswith(b"%PDF")
    digest = hashlib.sha256(report.html.encode() + bytes(report.pdf)).hexdigest()
    assert report.content_sha256 == digest
    signature = Signature.objects.get(object_id=str(report.pk), meaning="author")
    assert signature.signer == executed.crux_lead and not signature.is_broken
    notices = Notice.objects.filter(kind=services.NOTICE_KIND)
    assert {n.user for n in notices} == {executed.acme_lead}  # the sponsor's project leads


def test_a_wrong_password_issues_nothing(executed):
    report = services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=AS_OF)
    with pytest.raises(PermissionDenied):
        services.report_issue(actor=executed.crux_lead, report=report, password="wrong")
    report.refresh_from_db()
    assert (report.status, report.html, report.content_sha256) == (ReportStatus.DRAFT, "", "")


def test_an_issued_report_is_a_record(executed):
    report = _issued(executed)
    with pytest.raises(ValidationError):
        services.report_summary_set(actor=executed.crux_lead, report=report, summary="rewritten")
    with pytest.raises(ValidationError):
        services.report_draft_delete(actor=executed.crux_lead, report=report)
    with pytest.raises(ValidationError):
        services.report_issue(actor=executed.crux_lead, report=report, password=PASSWORD)


def test_the_sponsor_approves_with_a_signature_and_the_cro_cannot(executed):
    report = _issued(executed)
    with pytest.raises(ValidationError, match="sponsor"):
        services.report_decide(actor=executed.crux_lead, report=report, decision="approve", password=PASSWORD)
    decided = services.report_decide(actor=executed.acme_lead, report=report, decision="approve", password=PASSWORD)
    assert (decided.status, decided.decided_by) == (ReportStatus.APPROVED, executed.acme_lead)
    assert Signature.objects.filter(object_id=str(report.pk), meaning="approve", signer=executed.acme_lead).exists()
    author = Signature.objects.get(object_id=str(report.pk), meaning="author")
    assert not author.is_broken  # the decision is a workflow field: the author's signature holds
    with pytest.raises(ValidationError):
        services.report_decide(
            actor=executed.acme_lead, report=report, decision="return", password=PASSWORD, comment="x"
        )


def test_returning_needs_a_comment_which_is_kept(executed):
    report = _issued(executed)
    with pytest.raises(ValidationError) as exc:
        services.report_decide(actor=executed.acme_lead, report=report, decision="return", password=PASSWORD)
    assert "comment" in exc.value.message_dict
    services.report_decide(
        actor=executed.acme_lead, report=report, decision="return", password=PASSWORD, comment="Add the Brazil plan."
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert list(ReportComment.objects.filter(report=report).values_list("party", "text")) == [
        ("sponsor", "Add the Brazil plan.")
    ]


def test_either_partys_lead_comments_on_an_issued_report(executed):
    draft = services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=AS_OF)
    with pytest.raises(ValidationError):
        services.report_comment_add(actor=executed.acme_lead, report=draft, text="Too early.")
    report = services.report_issue(actor=executed.crux_lead, report=draft, password=PASSWORD)
    services.report_comment_add(actor=executed.acme_lead, report=report, text="Why is B1 slow?")
    services.report_comment_add(actor=executed.crux_lead, report=report, text="Its pharmacy opened late.")
    assert list(ReportComment.objects.filter(report=report).values_list("party", "text")) == [
        ("sponsor", "Why is B1 slow?"),
        ("cro", "Its pharmacy opened late."),
    ]


@pytest.mark.parametrize("who", ["crux_viewer", "crux_contracts", "crux_exec", "borealis_lead", "delta_lead"])
def test_only_a_project_lead_of_the_cro_drafts(executed, who):
    with pytest.raises(PermissionDenied):
        services.report_draft(actor=getattr(executed, who), work_order=executed.work_order, as_of=AS_OF)
    assert not StatusReport.objects.exists()


def test_the_sponsor_does_not_draft(executed):
    with pytest.raises(ValidationError, match="CRO"):
        services.report_draft(actor=executed.acme_lead, work_order=executed.work_order, as_of=AS_OF)


@pytest.mark.parametrize(
    ("as_of", "period_start", "field"),
    [
        (timezone.localdate() + dt.timedelta(days=1), None, "as_of"),
        (D(2025, 12, 31), None, "as_of"),  # before the work order starts
        (AS_OF, D(2026, 6, 2), "period_start"),
    ],
)
def test_a_draft_out_of_range_is_refused(executed, as_of, period_start, field):
    with pytest.raises(ValidationError) as exc:
        services.report_draft(
            actor=executed.crux_lead, work_order=executed.work_order, as_of=as_of, period_start=period_start
        )
    assert field in exc.value.message_dict


def test_no_report_on_a_draft_work_order(partners):
    with pytest.raises(ValidationError, match="executed"):
        services.report_draft(actor=partners.crux_lead, work_order=partners.work_order, as_of=AS_OF)


def test_a_draft_is_discarded_and_its_number_not_reused(executed):
    first = services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=AS_OF)
    services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=D(2026, 7, 1))
    services.report_draft_delete(actor=executed.crux_lead, report=first)
    third = services.report_draft(actor=executed.crux_lead, work_order=executed.work_order, as_of=D(2026, 8, 1))
    assert list(StatusReport.objects.order_by("number").values_list("number", flat=True)) == ["SR-002", "SR-003"]
    assert third.number == "SR-003"


def test_the_schedule_issues_due_reports_and_moves_on(executed):
    today = timezone.localdate()
    services.schedule_set(actor=executed.crux_lead, work_order=executed.work_order, cadence="monthly", next_on=today)
    issued = services.reports_scheduled_run(today=today)
    assert [(r.number, r.as_of, r.scheduled, r.status, r.issued_by) for r in issued] == [
        ("SR-001", today, True, ReportStatus.ISSUED, None)
    ]
    schedule = ReportSchedule.objects.get(work_order=executed.work_order)
    assert schedule.next_on == services.next_due(today, "monthly") > today
    assert services.reports_scheduled_run(today=today) == []  # nothing due twice
    assert Notice.objects.filter(kind=services.NOTICE_KIND, user=executed.acme_lead).count() == 1


def test_a_paused_schedule_issues_nothing(executed):
    today = timezone.localdate()
    services.schedule_set(
        actor=executed.crux_lead, work_order=executed.work_order, cadence="weekly", next_on=today, active=False
    )
    assert services.reports_scheduled_run(today=today + dt.timedelta(days=30)) == []


@pytest.mark.parametrize(
    ("day", "cadence", "expected"),
    [
        (D(2026, 1, 31), "monthly", D(2026, 2, 28)),
        (D(2026, 12, 15), "monthly", D(2027, 1, 15)),
        (D(2026, 1, 31), "weekly", D(2026, 2, 7)),
        (D(2026, 1, 31), "every_two_weeks", D(2026, 2, 14)),
    ],
)
def test_the_next_due_day(day, cadence, expected):
    assert services.next_due(day, cadence) == expected


def test_a_schedule_is_the_cros_and_not_in_the_past(executed):
    with pytest.raises(ValidationError, match="CRO"):
        services.schedule_set(
            actor=executed.acme_lead, work_order=executed.work_order, cadence="weekly", next_on=timezone.localdate()
        )
    with pytest.raises(ValidationError) as exc:
        services.schedule_set(
            actor=executed.crux_lead, work_order=executed.work_order, cadence="weekly", next_on=D(2026, 1, 1)
        )
    assert "next_on" in exc.value.message_dict


# ------------------------------------------------------------------------------------------------ the content


def _content(world, p):
    trial_until_lpi_due(world)
    set_targets(p)
    for kpi, target, tolerance in (
        (KpiCode.SCREEN_FAILURE_RATE, "20", "10"),  # 25 %: amber
        (KpiCode.ENROLMENT_VS_PLAN, "100", "10"),  # far under plan on 2026-06-01: red
        (KpiCode.MILESTONE_VARIANCE_DAYS, "30", "0"),  # +17: green
    ):
        kpi_services.kpi_target_set(
            actor=p.crux_contracts,
            work_order=p.work_order,
            kpi=kpi,
            target=Decimal(target),
            tolerance=Decimal(tolerance),
        )
    raise_risk(p, title="Slow enrolment at B1", likelihood=5, impact=4)  # score 20: high
    return report_content(p.work_order, AS_OF, D(2026, 4, 1), "Enrolment is behind in B1.")


def test_the_report_holds_the_period_enrolment_kpis_milestones(world, partners):
    content = _content(world, partners)
    counts = {row.label: row.count for row in content.period}
    assert counts["Participants screened"] == 2  # A1-002 and A1-003, screened 2026-04-01 and 04-02
    assert counts["Participants enrolled"] == 1  # A1-002, 2026-04-15
    assert (content.enrolled, content.target) == (3, 4)
    lights = {k.code: k.light for k in content.kpis}
    assert (lights["screen_failure_rate"], lights["enrolment_vs_plan"], lights["milestone_variance_days"]) == (
        "amber",
        "red",
        "green",
    )
    assert [d for d, _v in content.trend["screen_failure_rate"]][-1] == AS_OF
    html = report_html(content, number="SR-009", standalone=True)
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert "Enrolment is behind in B1." in html and "Status report SR-009" in html
    assert html.count('<figure class="chart" data-kpi=') == 9
    assert [(r.title, r.level, r.score) for r in content.risks] == [("Slow enrolment at B1", "high", 20)]
    assert content.heat_map[1][4].count == 1  # impact 4 (second row from the top), likelihood 5
    assert 'data-testid="report-heat-map"' in html and "Slow enrolment at B1" in html


def _colour_share(image, rgb: tuple[int, int, int], tolerance: int = 6) -> float:
    """The share of the picture's pixels within `tolerance` of the colour in each channel."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    return float(np.all(np.abs(pixels - np.array(rgb)) <= tolerance, axis=-1).mean())


def test_the_pdf_looked_at_as_a_picture(world, partners):
    """Rendered to pictures: several A4 pages, each not blank, the traffic-light cells' three colours on the KPI
    page, and the charts' blue lines drawn."""
    content = _content(world, partners)
    pdf = status_report_pdf(content, number="SR-009", issued=issued_text(None, ""))
    document = pypdfium2.PdfDocument(io.BytesIO(pdf))
    pages = [document[i].render(scale=2).to_pil() for i in range(len(document))]
    assert len(pages) >= 2
    for image in pages:
        assert abs(image.width / image.height - 210 / 297) < 0.01  # A4
        assert _colour_share(image, (255, 255, 255), 0) < 0.985  # something is drawn on every page
    shares = {
        light: max(_colour_share(image, tuple(int(c * 255) for c in fill.rgb())) for image in pages)
        for light, fill in LIGHT_FILL.items()
    }
    assert all(share > 0.0005 for share in shares.values()), shares
    high = max(_colour_share(image, (0xE3, 0x92, 0x7C)) for image in pages)
    assert high > 0.0002, high  # the heat map's high cell (and its level's colour nowhere else)
    accent = max(_colour_share(image, (0x0B, 0x5C, 0xAD), 20) for image in pages)
    assert accent > 0.0003, accent  # the enrolment forecast and KPI trend lines
