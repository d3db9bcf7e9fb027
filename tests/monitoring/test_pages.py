"""Deviation pages: the log (summary, filters, CSV), reporting, the review steps, scope and permissions."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.monitoring import services
from opencro.monitoring.models import Deviation, DeviationSource, DeviationStatus

pytestmark = pytest.mark.django_db
D = dt.date
RATIONALE = "Dosing outside the window affects the primary endpoint's exposure."
PM, CRC, PI, MONITOR = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.STUDY_COORDINATOR,
    RoleCode.INVESTIGATOR,
    RoleCode.MONITOR,
)


def _url(w, name: str, deviation: Deviation | None = None) -> str:
    args = [w.study.pk] if deviation is None else [w.study.pk, deviation.pk]
    return reverse(f"monitoring:{name}", args=args)


def _report(w, *, site=None, subject=None, category="procedures", description="ECG not done at Week 4.") -> Deviation:
    return services.deviation_report(
        actor=w.user(PM),
        site=site or w.site_a,
        subject=subject,
        category=category,
        description=description,
        occurred_on=D(2026, 4, 7),
        identified_on=D(2026, 4, 9),
    )


def _confirmed(w, important: bool = True) -> Deviation:
    return services.deviation_classify(
        actor=w.user(PM), deviation=_report(w, subject=w.subject_a), important=important, rationale=RATIONALE
    )


def test_the_log_shows_counts_rows_and_filters(world, login):
    a = _report(world, subject=world.subject_a)
    b = _report(world, site=world.site_b, subject=world.subject_b, category="informed_consent", description="=cmd")
    services.deviation_classify(actor=world.user(PM), deviation=b, important=True, rationale=RATIONALE)
    client = login(world.user(PM))

    page = client.get(_url(world, "deviations"))
    html = page.content.decode()
    assert page.status_code == 200
    assert a.number in html and b.number in html
    assert "2 deviations" in html
    status_counts = html.split('data-testid="deviation-status-counts"')[1].split("</div>\n</div>")[0]
    assert '<div class="card" data-status="open"><div class="num">1</div>' in status_counts
    assert '<div class="card" data-status="confirmed"><div class="num">1</div>' in status_counts
    # per site: all / important / open
    assert '<tr data-site="A1"><td>A1</td><td>1</td><td>0</td><td>1</td></tr>' in html
    assert '<tr data-site="B1"><td>B1</td><td>1</td><td>1</td><td>0</td></tr>' in html
    assert "Informed consent" in html
    assert "Report a deviation" in html and "Run detection rules" in html

    important = client.get(_url(world, "deviations"), {"important": "yes"}).content.decode()
    assert b.number in important and a.number not in important
    by_site = client.get(_url(world, "deviations"), {"site": world.site_a.pk, "status": "open"}).content.decode()
    assert a.number in by_site and b.number not in by_site
    searched = client.get(_url(world, "deviations"), {"q": "ECG"}).content.decode()
    assert a.number in searched and b.number not in searched
    assert "1 deviation<" in searched


def test_a_site_restricted_reader_sees_only_their_sites_and_no_review_buttons(world, login):
    a = _report(world, subject=world.subject_a)
    b = _report(world, site=world.site_b, subject=world.subject_b)
    client = login(world.user(PI))
    html = client.get(_url(world, "deviations")).content.decode()
    assert a.number in html and b.number not in html
    assert 'data-site="B1"' not in html
    assert "Report a deviation" in html and "Run detection rules" not in html
    # another site's id in the filter is refused, not obeyed
    refused = client.get(_url(world, "deviations"), {"site": world.site_b.pk})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert client.get(_url(world, "deviations_csv"), {"site": world.site_b.pk}).status_code == 400


def test_the_csv_has_every_filtered_row_with_its_columns(world, login):
    a = _confirmed(world)
    _report(world, site=world.site_b, subject=world.subject_b, description="=HYPERLINK(1)")
    response = login(world.user(PM)).get(_url(world, "deviations_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="T-001-deviations.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "number",
        "site",
        "subject",
        "category",
        "occurred_on",
        "identified_on",
        "source",
        "rule",
        "status",
        "important",
        "description",
        "rationale",
        "corrective_action",
        "closed_on",
        "reported_by",
        "reviewed_by",
    ]
    by_number = {r["number"]: r for r in rows}
    assert len(rows) == 2
    row = by_number[a.number]
    assert (row["site"], row["subject"], row["category"], row["status"], row["important"]) == (
        "A1",
        "A1-001",
        "procedures",
        "confirmed",
        "yes",
    )
    assert (row["occurred_on"], row["identified_on"], row["rationale"]) == ("2026-04-07", "2026-04-09", RATIONALE)
    assert row["reviewed_by"] == world.user(PM).printed_name
    assert by_number["PD-0002"]["description"] == "'=HYPERLINK(1)"  # a formula is neutralised
    assert by_number["PD-0002"]["important"] == ""
    filtered = login(world.user(PM)).get(_url(world, "deviations_csv"), {"status": "confirmed"})
    assert [r["number"] for r in csv.DictReader(io.StringIO(filtered.content.decode("utf-8-sig")))] == [a.number]


def test_the_coordinator_reports_a_deviation_of_a_participant(world, login):
    client = login(world.user(CRC))
    form = client.get(_url(world, "deviation_new"))
    assert form.status_code == 200
    html = form.content.decode()
    assert f'<option value="{world.site_a.pk}" selected>' in html  # the only site, preselected
    assert world.site_b.institution not in html
    response = client.post(
        _url(world, "deviation_new"),
        {
            "site": world.site_a.pk,
            "participant": "a1-001",
            "category": "visit_schedule",
            "occurred_on": "2026-04-07",
            "identified_on": "2026-04-08",
            "source": "",
            "description": "Week 4 visit done two days late.",
        },
    )
    deviation = Deviation.objects.get(study=world.study)
    assert response.status_code == 302
    assert response["Location"] == _url(world, "deviation", deviation)
    assert (deviation.subject, deviation.site, deviation.category, deviation.source, deviation.reported_by) == (
        world.subject_a,
        world.site_a,
        "visit_schedule",
        DeviationSource.SITE,  # empty source: the service decides by role
        world.user(CRC),
    )
    assert deviation.identified_on == D(2026, 4, 8)


def test_a_bad_report_answers_200_with_the_errors_and_writes_nothing(world, login):
    client = login(world.user(PM))
    future = timezone.localdate() + dt.timedelta(days=30)
    values = {
        "site": world.site_a.pk,
        "participant": "",
        "category": "procedures",
        "occurred_on": future.isoformat(),
        "identified_on": "",
        "description": "Something.",
    }
    response = client.post(_url(world, "deviation_new"), values)
    assert response.status_code == 200
    assert "The date is in the future." in response.content.decode()
    # a participant of another site, and an unknown one
    other = client.post(_url(world, "deviation_new"), {**values, "occurred_on": "2026-04-07", "participant": "B1-001"})
    assert "The participant is not at this site." in other.content.decode()
    unknown = client.post(_url(world, "deviation_new"), {**values, "occurred_on": "2026-04-07", "participant": "Z9"})
    assert "No participant with this number at your sites." in unknown.content.decode()
    assert not Deviation.objects.filter(study=world.study).exists()


def test_a_site_restricted_reporter_cannot_report_at_another_site(world, login):
    client = login(world.user(CRC))
    response = client.post(
        _url(world, "deviation_new"),
        {"site": world.site_b.pk, "category": "other", "occurred_on": "2026-04-07", "description": "x"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Deviation.objects.exists()


def test_the_project_manager_classifies_and_closes(world, login):
    deviation = _report(world, subject=world.subject_a)
    client = login(world.user(PM))
    detail = client.get(_url(world, "deviation", deviation)).content.decode()
    assert 'data-testid="classify-form"' in detail and 'data-testid="reject-form"' in detail
    assert 'data-testid="edit-form"' in detail and 'data-testid="close-form"' not in detail
    audit = reverse("audit:object", args=[world.study.pk, "monitoring.deviation", deviation.pk])
    assert f'href="{audit}"' in detail
    assert deviation.number in client.get(audit).content.decode()

    too_short = client.post(_url(world, "deviation_classify", deviation), {"important": "yes", "rationale": "short"})
    assert too_short.status_code == 200
    assert "Give the rationale in at least 10 characters." in too_short.content.decode()
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.OPEN

    response = client.post(
        _url(world, "deviation_classify", deviation),
        {"important": "yes", "rationale": RATIONALE, "category": "investigational_product"},
    )
    assert response.status_code == 302 and response["Location"] == _url(world, "deviation", deviation)
    deviation.refresh_from_db()
    assert (deviation.status, deviation.important, deviation.category, deviation.reviewed_by) == (
        DeviationStatus.CONFIRMED,
        True,
        "investigational_product",
        world.user(PM),
    )

    # an important deviation closes only with its corrective action
    refused = client.post(_url(world, "deviation_close", deviation), {"corrective_action": "", "closed_on": ""})
    assert refused.status_code == 200
    assert "An important deviation is closed with its corrective and preventive action." in refused.content.decode()
    closed = client.post(
        _url(world, "deviation_close", deviation), {"corrective_action": "Site retrained on the dosing window."}
    )
    assert closed.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.status, deviation.corrective_action) == (
        DeviationStatus.CLOSED,
        "Site retrained on the dosing window.",
    )
    page = client.get(_url(world, "deviation", deviation)).content.decode()
    assert 'data-testid="reopen-form"' in page and 'data-testid="classify-form"' not in page


def test_the_project_manager_rejects_and_reopens(world, login):
    deviation = _report(world)
    client = login(world.user(PM))
    response = client.post(
        _url(world, "deviation_reject", deviation), {"rationale": "The visit window was extended by amendment 2."}
    )
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.REJECTED
    # a step that does not apply to the status is refused on the page
    wrong = client.post(_url(world, "deviation_close", deviation), {"corrective_action": "x"})
    assert wrong.status_code == 200 and "this step does not apply" in wrong.content.decode()

    assert client.post(_url(world, "deviation_reopen", deviation), {"reason": "no"}).status_code == 200
    reopened = client.post(_url(world, "deviation_reopen", deviation), {"reason": "Amendment 2 was not yet approved."})
    assert reopened.status_code == 302
    deviation.refresh_from_db()
    assert deviation.status == DeviationStatus.OPEN


def test_a_report_awaiting_review_is_corrected_with_a_reason(world, login):
    deviation = _report(world, subject=world.subject_a)
    client = login(world.user(CRC))
    values = {
        "category": "procedures",
        "occurred_on": "2026-04-06",
        "identified_on": "2026-04-09",
        "description": "ECG not done at Week 4 (machine broken).",
    }
    assert client.post(_url(world, "deviation_edit", deviation), values).status_code == 200  # no reason
    response = client.post(_url(world, "deviation_edit", deviation), {**values, "reason": "Wrong date typed."})
    assert response.status_code == 302
    deviation.refresh_from_db()
    assert (deviation.occurred_on, deviation.description) == (D(2026, 4, 6), values["description"])


def test_scope_and_permissions(world, login):
    at_b = _report(world, site=world.site_b, subject=world.subject_b)
    at_a = _report(world, subject=world.subject_a)
    investigator = login(world.user(PI))
    assert investigator.get(_url(world, "deviation", at_b)).status_code == 404
    assert investigator.post(_url(world, "deviation_classify", at_b), {"important": "no"}).status_code == 404
    assert investigator.get(_url(world, "deviation", at_a)).status_code == 200
    classify = {"important": "no", "rationale": RATIONALE}
    assert investigator.post(_url(world, "deviation_classify", at_a), classify).status_code == 403
    assert investigator.post(_url(world, "deviations_detect")).status_code == 403
    at_a.refresh_from_db()
    assert at_a.status == DeviationStatus.OPEN

    statistician = login(world.user(RoleCode.BIOSTATISTICIAN))
    assert statistician.get(_url(world, "deviations")).status_code == 200
    assert statistician.get(_url(world, "deviation_new")).status_code == 403
    assert statistician.get(_url(world, "deviation", at_b)).status_code == 200

    assert login(world.user(RoleCode.PHARMACIST)).get(_url(world, "deviations")).status_code == 403
    assert login(world.outsider).get(_url(world, "deviations")).status_code == 404


def test_detection_records_new_findings_once(world, login):
    client = login(world.user(PM))
    response = client.post(_url(world, "deviations_detect"), follow=True)
    detected = Deviation.objects.filter(study=world.study, source=DeviationSource.RULE)
    # two enrolled participants, neither with a confirmed eligibility review nor a signed consent
    assert {(d.rule, d.subject.number) for d in detected} >= {
        ("eligibility", "A1-001"),
        ("eligibility", "B1-001"),
        ("consent_missing", "A1-001"),
        ("consent_missing", "B1-001"),
    }
    n = detected.count()
    assert response.redirect_chain == [(_url(world, "deviations"), 302)]
    assert f"{n} findings, {n} new deviations." in response.content.decode()
    again = client.post(_url(world, "deviations_detect"), follow=True)
    assert f"{n} findings, 0 new deviations." in again.content.decode()
    assert detected.count() == n
    one = detected.get(rule="eligibility", subject=world.subject_a)
    assert (
        '<code data-testid="deviation-rule">eligibility</code>'
        in client.get(_url(world, "deviation", one)).content.decode()
    )
