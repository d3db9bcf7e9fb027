"""KPI and status report pages and API as people use them: the KPI cards with their lights and the per-site table,
targets set on the draft; a report drafted, previewed, issued (a wrong password said beside it), downloaded, commented
on and approved; refusals re-render with the error (200) or answer 422, another organisation's work order is 404, a
reader's write 403."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencro.partnership.models import KpiTarget, ReportStatus, StatusReport
from opencro.partnership.services import status_reports as services
from tests.conftest import PASSWORD
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import set_targets, trial_until_lpi_due

pytestmark = pytest.mark.django_db

D = dt.date
API = "/api/v1/partners"


def _url(name: str, *args) -> str:
    return reverse(f"partnership:{name}", args=args)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _card(html: str, code: str) -> tuple[str, str]:
    """(light, value) of a KPI's card."""
    found = re.search(rf'data-kpi="{code}" data-light="(\w+)">.*?data-testid="kpi-value">([^<]*)', html, re.S)
    return found.group(1), found.group(2).strip()


def test_the_kpi_page_lights_the_cards_and_the_sites(world, partners, client):
    p = partners
    trial_until_lpi_due(world)
    client.force_login(p.crux_contracts)
    saved = client.post(
        _url("kpi_target_save", p.work_order.pk),
        {"kpi": "screen_failure_rate", "target": "20", "tolerance": "10", "note": ""},
    )
    assert saved.status_code == 302
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("kpis", p.work_order.pk), {"as_of": "2026-06-01"}))
    assert _card(html, "screen_failure_rate") == ("amber", "25.0 %")
    assert _card(html, "query_resolution_days") == ("no_target", "\u2013")
    assert re.search(r'<tr data-site="A1"><th>A1</th>.*?data-light="red"', html, re.S)  # A1: 33.3 % > 30
    assert html.count('<figure class="chart" data-kpi=') == 9
    assert 'data-testid="kpi-target-form"' not in html  # a viewer has no form


def test_a_refused_target_is_said_beside_its_field(partners, client):
    client.force_login(partners.crux_contracts)
    html = _html(
        client.post(
            _url("kpi_target_save", partners.work_order.pk),
            {"kpi": "tmf_completeness", "target": "120", "tolerance": "0"},
        )
    )
    assert "A percentage target is at most 100." in html
    assert not KpiTarget.objects.exists()


def test_standard_targets_and_removal_from_the_page(partners, client):
    client.force_login(partners.crux_contracts)
    assert client.post(_url("kpi_targets_default", partners.work_order.pk)).status_code == 302
    assert KpiTarget.objects.filter(work_order=partners.work_order).count() == 9
    assert client.post(_url("kpi_target_remove", partners.work_order.pk, "tmf_completeness")).status_code == 302
    assert not KpiTarget.objects.filter(kpi="tmf_completeness").exists()
    execute(partners)
    html = _html(client.post(_url("kpi_target_remove", partners.work_order.pk, "sae_reporting_on_time")))
    assert "A signed work order changes only through a change order." in html  # refused on a signed work order


def test_kpi_writes_need_contract_edit_and_the_work_order_its_party(partners, client):
    client.force_login(partners.crux_viewer)
    assert client.post(_url("kpi_targets_default", partners.work_order.pk)).status_code == 403
    client.force_login(partners.borealis_contracts)
    assert client.get(_url("kpis", partners.work_order.pk)).status_code == 404
    assert client.post(_url("kpi_targets_default", partners.work_order.pk)).status_code == 404


def test_a_report_from_draft_to_approval_on_the_pages(partners, client):
    p = partners
    execute(p)
    client.force_login(p.crux_lead)
    list_html = _html(client.get(_url("status_reports", p.work_order.pk)))
    assert 'data-testid="report-draft-form"' in list_html
    drafted = client.post(
        _url("status_report_new", p.work_order.pk),
        {"as_of": "2026-06-01", "period_start": "", "summary": "First monthly report."},
    )
    report = StatusReport.objects.get()
    assert drafted.status_code == 302 and drafted.url == _url("status_report", p.work_order.pk, report.pk)
    preview = _html(client.get(drafted.url))
    assert "A preview generated from the data now" in preview and "First monthly report." in preview
    refused = _html(client.post(_url("status_report_issue", p.work_order.pk, report.pk), {"password": "wrong"}))
    assert "The password is not correct" in refused
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    issued = client.post(_url("status_report_issue", p.work_order.pk, report.pk), {"password": PASSWORD})
    assert issued.status_code == 302
    pdf = client.get(_url("status_report_file", p.work_order.pk, report.pk, "pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert 'filename="status-report-T-001-SR-001-2026-06-01.pdf"' in pdf["Content-Disposition"]
    report.refresh_from_db()
    assert pdf.content == bytes(report.pdf)  # the frozen copy
    client.force_login(p.acme_lead)
    page = _html(client.get(_url("status_report", p.work_order.pk, report.pk)))
    assert report.content_sha256 in page and 'data-testid="decision-form"' in page
    client.post(_url("status_report_comment", p.work_order.pk, report.pk), {"text": "Thank you."})
    decided = client.post(
        _url("status_report_decide", p.work_order.pk, report.pk),
        {"decision": "approve", "comment": "", "password": PASSWORD},
    )
    assert decided.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert "Thank you." in _html(client.get(_url("status_report", p.work_order.pk, report.pk)))


def test_the_sponsor_is_told_it_does_not_draft(partners, client):
    execute(partners)
    client.force_login(partners.acme_lead)
    html = _html(client.post(_url("status_report_new", partners.work_order.pk), {"as_of": "2026-06-01"}))
    assert "Status reports are drafted and issued by the CRO." in html
    assert not StatusReport.objects.exists()


def test_reports_are_not_seen_across_work_orders_or_organisations(partners, client):
    execute(partners)
    report = services.report_draft(actor=partners.crux_lead, work_order=partners.work_order, as_of=D(2026, 6, 1))
    client.force_login(partners.delta_lead)
    assert client.get(_url("status_report", partners.work_order.pk, report.pk)).status_code == 404
    assert client.get(_url("status_report_file", partners.work_order.pk, report.pk, "pdf")).status_code == 404
    client.force_login(partners.crux_viewer)
    assert client.get(_url("status_report_file", partners.work_order.pk, report.pk, "exe")).status_code == 404
    assert client.post(_url("status_report_discard", partners.work_order.pk, report.pk)).status_code == 403


# ------------------------------------------------------------------------------------------------ the API


def _api(client, user, method: str, url: str, body: dict | None = None):
    client.force_login(user)
    send = getattr(client, method)
    return send(API + url) if body is None else send(API + url, body, content_type="application/json")


def test_the_kpis_through_the_api(world, partners, client):
    p = partners
    trial_until_lpi_due(world)
    put = _api(
        client,
        p.crux_contracts,
        "put",
        f"/work-orders/{p.work_order.pk}/kpi-targets/screen_failure_rate",
        {"target": "20", "tolerance": "10"},
    )
    assert put.status_code == 200, put.content
    body = _api(client, p.acme_viewer, "get", f"/work-orders/{p.work_order.pk}/kpis?as_of=2026-06-01").json()
    kpi = next(k for k in body["kpis"] if k["code"] == "screen_failure_rate")
    assert (kpi["value"], kpi["basis"], kpi["light"]) == (25.0, 4, "amber")
    assert {s["site"]: s["light"] for s in kpi["sites"]} == {"A1": "red", "B1": "green"}
    refused = _api(
        client,
        p.crux_contracts,
        "put",
        f"/work-orders/{p.work_order.pk}/kpi-targets/tmf_completeness",
        {"target": "101"},
    )
    assert refused.status_code == 422
    defaults = _api(client, p.crux_contracts, "post", f"/work-orders/{p.work_order.pk}/kpi-standard-targets", {})
    assert defaults.status_code == 201 and len(defaults.json()) == 8
    removed = _api(client, p.acme_contracts, "delete", f"/work-orders/{p.work_order.pk}/kpi-targets/tmf_completeness")
    assert removed.status_code == 204
    assert (
        _api(client, p.crux_viewer, "post", f"/work-orders/{p.work_order.pk}/kpi-standard-targets", {}).status_code
        == 403
    )


def test_a_report_through_the_api(partners, client):
    p = partners
    execute(p)
    base = f"/work-orders/{p.work_order.pk}/status-reports"
    sponsor = _api(client, p.acme_lead, "post", base, {"as_of": "2026-06-01"})
    assert sponsor.status_code == 422
    created = _api(client, p.crux_lead, "post", base, {"as_of": "2026-06-01", "summary": "On plan."})
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    patched = _api(client, p.crux_lead, "patch", f"{base}/{report_id}", {"summary": "Behind plan in B1."})
    assert patched.json()["summary"] == "Behind plan in B1."
    issued = _api(client, p.crux_lead, "post", f"{base}/{report_id}/issue", {"password": PASSWORD})
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert len(issued.json()["content_sha256"]) == 64
    html = _api(client, p.acme_viewer, "get", f"{base}/{report_id}/file.html")
    assert html.status_code == 200 and b"Behind plan in B1." in html.content
    returned = _api(
        client,
        p.acme_lead,
        "post",
        f"{base}/{report_id}/decision",
        {"decision": "return", "comment": "Add the recovery plan.", "password": PASSWORD},
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["comments"][0]["text"] == "Add the recovery plan."
    listed = _api(client, p.acme_viewer, "get", base).json()
    assert [r["number"] for r in listed] == ["SR-001"]
    schedule = _api(
        client,
        p.crux_lead,
        "put",
        f"/work-orders/{p.work_order.pk}/report-schedule",
        {"cadence": "monthly", "next_on": dt.date.today().isoformat()},
    )
    assert schedule.status_code == 200 and schedule.json()["cadence"] == "monthly"
    assert _api(client, p.borealis_lead, "get", base).status_code == 404


# ------------------------------------------------------------------------------------------------ the portfolio


def test_the_portfolio_of_each_organisation(world, partners, client):
    """Acme owns T-001 (with Crux's draft work order), Borealis T-002; Crux sees T-001 through its work order; Delta
    has no agreement and sees no study. T-001: A1-001 and B1-001 enrolled 2026-03-10, A1-002 04-15; target 4."""
    p = partners
    trial_until_lpi_due(world)
    body = _api(client, p.crux_viewer, "get", "/portfolio?as_of=2026-06-01").json()
    (row,) = body["studies"]
    assert (row["protocol_number"], row["work_order"], row["enrolled"], row["target"]) == ("T-001", "WO-001", 3, 4)
    assert (row["sites"], row["sites_active"]) == (2, 2)
    assert body["monitors"] == [{"name": world.users["monitor"].printed_name, "studies": 1, "sites": 1}]  # A1 only
    assert [r["protocol_number"] for r in _api(client, p.borealis_viewer, "get", "/portfolio").json()["studies"]] == [
        "T-002"
    ]
    assert _api(client, p.delta_viewer, "get", "/portfolio").json()["studies"] == []
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("portfolio"), {"as_of": "2026-03-31"}))
    assert re.search(r'<tr data-study="T-001">.*?data-testid="enrolment">2 / 4', html, re.S)
    assert 'data-testid="by-country"' in html


def test_milestones_at_risk_reach_the_portfolio(partners, client):
    set_targets(partners)  # on 2026-03-20 the first site was activated late (+17): done, not in trouble
    body = _api(client, partners.acme_viewer, "get", "/portfolio?as_of=2026-07-01").json()
    troubles = body["studies"][0]["milestones_in_trouble"]
    assert {"milestone": "Last participant in", "status": "Overdue"} in troubles  # target 2026-06-30 passed
