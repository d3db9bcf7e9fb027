"""Register pages: the work order's register (heat map, filters, risks, the raise form for project leads, signals
raised in one step, the study's oversight issues), a risk's page with its history, its edit, close and realise
forms, and the portfolio register; refusals re-render with the error (200), another organisation's records are 404,
a reader's write 403."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from opencro.accounts import organisations
from opencro.partnership.models import ProjectRisk
from opencro.partnership.services import work_orders
from tests.partnership.budget_helpers import execute
from tests.partnership.risk_helpers import TODAY, borealis_risk, make_overdue, oversight, raise_risk

pytestmark = pytest.mark.django_db

DUE = (TODAY + dt.timedelta(days=20)).isoformat()
FORM = {
    "title": "Monitor turnover at the CRO",
    "description": "Two of five CRAs leave in December.",
    "category": "vendor",
    "likelihood": "3",
    "impact": "4",
    "due_on": DUE,
    "mitigation": "Hand over the sites with a co-monitoring visit each.",
    "contingency": "",
}


def _url(name: str, *args) -> str:
    return reverse(f"partnership:{name}", args=args)


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _cells(html: str) -> dict[tuple[int, int], int]:
    """The heat map's non-empty cells: (likelihood, impact) -> count."""
    found = re.findall(r'<g data-likelihood="(\d)" data-impact="(\d)" data-count="(\d+)"', html)
    return {(int(lk), int(im)): int(n) for lk, im, n in found if n != "0"}


def _rows(html: str, testid: str = "risks") -> list[str]:
    table = re.search(rf'data-testid="{testid}">(.*?)</table>', html, re.S).group(1)
    return re.findall(r'<tr data-number="([^"]+)"', table)


def test_a_reader_sees_the_register_and_what_feeds_it(partners, world, client):
    p = partners
    signals = oversight(world)
    raise_risk(p)
    make_overdue(raise_risk(p, likelihood=5, impact=5, title="Database lock slips", owner=p.acme_viewer))
    client.force_login(p.acme_viewer)
    html = _html(client.get(_url("risks", p.work_order.pk)))
    assert _cells(html) == {(4, 3): 1, (5, 5): 1}
    assert "<title>Risks not closed by likelihood and impact</title>" in html
    assert "Likelihood 5, impact 5 (score 25, High): 1 risk" in html
    assert _rows(html) == ["RSK-002", "RSK-001"]
    assert 'data-number="RSK-002" data-status="open" data-level="high" class="overdue"' in html
    assert 'data-testid="risk-form"' not in html and 'data-testid="raise-signal"' not in html  # a viewer
    signal_rows = re.search(r'data-testid="signals">(.*?)</table>', html, re.S).group(1)
    assert f'data-key="{signals.kri_a_key}"' in signal_rows and "ISS-0001" in signal_rows
    assert _rows(html, "oversight-issues") == ["ISS-0001", "ISS-0002"]
    assert 'data-number="ISS-0001" data-status="open" class="overdue"' in html


def test_the_filters_narrow_the_register_and_its_heat_map(partners, client):
    p = partners
    raise_risk(p)
    raise_risk(p, likelihood=5, impact=4, title="Database lock slips")
    client.force_login(p.crux_viewer)
    html = _html(client.get(_url("risks", p.work_order.pk), {"level": "high"}))
    assert _rows(html) == ["RSK-002"] and _cells(html) == {(5, 4): 1}
    html = _html(client.get(_url("risks", p.work_order.pk), {"level": "nonsense"}))
    assert _rows(html) == ["RSK-002", "RSK-001"]  # an invalid filter filters nothing, and says so
    assert "Select a valid choice" in html


def test_a_lead_raises_a_risk_and_a_refusal_stays_on_the_page(partners, client):
    p = partners
    client.force_login(p.crux_lead)
    html = _html(client.get(_url("risks", p.work_order.pk)))
    assert 'data-testid="risk-form"' in html
    response = client.post(_url("risk_new", p.work_order.pk), {**FORM, "owner": p.acme_lead.pk})
    risk = ProjectRisk.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("risk", p.work_order.pk, risk.pk)
    assert (risk.number, risk.owner_party, risk.category, risk.score) == ("RSK-001", "sponsor", "vendor", 12)
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    html = _html(client.post(_url("risk_new", p.work_order.pk), {**FORM, "owner": p.acme_lead.pk, "due_on": past}))
    assert "The due date is in the past." in html
    html = _html(client.post(_url("risk_new", p.work_order.pk), {**FORM, "owner": p.borealis_lead.pk}))
    assert "Select a valid choice" in html  # not among the two parties' people
    assert ProjectRisk.objects.count() == 1


def test_a_signal_is_raised_from_the_register_once(partners, world, client):
    p = partners
    signals = oversight(world)
    client.force_login(p.acme_lead)
    html = _html(client.get(_url("risks", p.work_order.pk)))
    assert html.count('data-testid="raise-signal"') == 6  # two KRI flags, QTL, CSM, deviations, the overdue issue
    response = client.post(_url("risk_from_signal", p.work_order.pk), {"source_key": signals.csm_key})
    risk = ProjectRisk.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("risk", p.work_order.pk, risk.pk)
    assert (risk.source, risk.owner, risk.title) == ("csm", p.acme_lead, "Central monitoring: site B1 ranked 1")
    html = _html(client.post(_url("risk_from_signal", p.work_order.pk), {"source_key": signals.csm_key}))
    assert "Risk RSK-001 is already in the register for this signal." in html
    assert html.count('data-testid="raise-signal"') == 5
    assert 'data-testid="held-signals"' in html and "RSK-001" in html
    assert ProjectRisk.objects.count() == 1


def test_a_sponsor_that_no_longer_reaches_the_study_sees_no_oversight(partners, world, client):
    p = partners
    oversight(world)
    organisations.study_sponsor_set(actor=world.admin, study=world.study, organisation=p.borealis)
    client.force_login(p.acme_lead)
    html = _html(client.get(_url("risks", p.work_order.pk)))
    assert 'data-testid="no-oversight"' in html
    assert "ISS-0001" not in html and "AE reporting rate" not in html and 'data-testid="oversight-issues"' not in html


def test_a_risks_page_changes_and_closes_with_its_history(partners, client):
    p = partners
    risk = raise_risk(p)
    client.force_login(p.crux_lead)
    page = _url("risk", p.work_order.pk, risk.pk)
    html = _html(client.get(page))
    assert 'data-testid="realise-form"' in html and 'data-testid="close-form"' in html
    edit = _url("risk_edit", p.work_order.pk, risk.pk)
    html = _html(client.get(edit))
    assert 'value="Slow recruitment in Japan"' in html and 'data-testid="risk-status"' in html
    change = {**FORM, "title": risk.title, "owner": p.crux_lead.pk, "status": "mitigating", "reason": "too short"}
    html = _html(client.post(edit, change))
    assert "Give a reason of at least 10 characters." in html
    response = client.post(edit, {**change, "reason": "The CRAs' notice periods are known now."})
    assert response.status_code == 302 and response["Location"] == page
    risk.refresh_from_db()
    assert (risk.status, risk.likelihood, risk.impact, risk.category) == ("mitigating", 3, 4, "vendor")
    html = _html(client.post(_url("risk_close", p.work_order.pk, risk.pk), {"closing_note": ""}))
    assert 'data-testid="close-form"' in html and "This field is required." in html
    close = {"closing_note": "Both CRAs were replaced before they left."}
    assert client.post(_url("risk_close", p.work_order.pk, risk.pk), close).status_code == 302
    html = _html(client.get(page))
    assert 'data-testid="risk-closed"' in html and 'data-testid="close-form"' not in html
    history = re.search(r'data-testid="risk-history">(.*?)</ol>', html, re.S).group(1)
    assert history.count("<li data-action") == 3
    assert "The CRAs&#x27; notice periods are known now." in history and "Both CRAs were replaced" in history


def test_a_realised_risk_is_an_issue_of_the_register(partners, client):
    p = partners
    risk = raise_risk(p)
    client.force_login(p.acme_lead)
    realise = _url("risk_realise", p.work_order.pk, risk.pk)
    html = _html(client.post(realise, {"note": "late", "due_on": ""}))
    assert 'data-testid="realise-form"' in html and "Give a reason of at least 10 characters." in html
    note = "Osaka's ethics committee postponed its review."
    assert client.post(realise, {"note": note, "due_on": DUE}).status_code == 302
    risk.refresh_from_db()
    assert (risk.status, risk.realisation_note, risk.due_on.isoformat()) == ("realised", note, DUE)
    html = _html(client.get(_url("risk", p.work_order.pk, risk.pk)))
    assert 'data-testid="realise-form"' not in html and 'data-testid="close-form"' in html
    assert 'data-status="realised"' in html
    html = _html(client.get(_url("risk_edit", p.work_order.pk, risk.pk)))
    assert 'data-testid="risk-status"' not in html  # realised stays realised until closed


def test_another_organisation_gets_404_and_a_reader_403(partners, world, client):
    p = partners
    risk = raise_risk(p)
    theirs = borealis_risk(p, world)
    client.force_login(p.borealis_lead)
    for url in (
        _url("risks", p.work_order.pk),
        _url("risk", p.work_order.pk, risk.pk),
        _url("risk_edit", p.work_order.pk, risk.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(_url("risk_close", p.work_order.pk, risk.pk), {"closing_note": "x" * 20}).status_code == 404
    client.force_login(p.crux_lead)
    assert client.get(_url("risk", theirs.work_order_id, theirs.pk)).status_code == 404
    assert client.get(_url("risk", p.work_order.pk, theirs.pk)).status_code == 404  # under our work order: none
    client.force_login(p.crux_viewer)
    assert client.get(_url("risk_edit", p.work_order.pk, risk.pk)).status_code == 403
    assert client.post(_url("risk_new", p.work_order.pk), {**FORM, "owner": p.crux_lead.pk}).status_code == 403
    assert client.post(_url("risk_from_signal", p.work_order.pk), {"source_key": "x"}).status_code == 403
    assert client.post(_url("risk_realise", p.work_order.pk, risk.pk), {"note": "x" * 20}).status_code == 403
    assert ProjectRisk.objects.get(pk=risk.pk).status == "open"


def test_the_portfolio_register(partners, world, client):
    p = partners
    signals = oversight(world)
    raise_risk(p)
    borealis_risk(p, world)
    client.force_login(p.crux_viewer)
    html = _html(client.get(_url("portfolio_risks")))
    assert _rows(html) == ["RSK-001"] and "Borealis secret" not in html
    assert 'data-testid="risk-study">T-001<' in html and _cells(html) == {(4, 3): 1}
    assert _rows(html, "late-issues") == [signals.overdue_issue.number]
    client.force_login(p.borealis_viewer)
    html = _html(client.get(_url("portfolio_risks")))
    assert _rows(html) == ["RSK-001"] and "Borealis secret" in html and "T-001" not in html
    assert _rows(html, "late-issues") == []  # T-002 has no issue past due
    html = _html(client.get(_url("portfolio_risks"), {"status": "closed"}))
    assert _rows(html) == []


def test_the_register_is_linked_from_the_partnership_pages(partners, client):
    p = partners
    client.force_login(p.acme_viewer)
    register = _url("risks", p.work_order.pk)
    assert f'href="{register}" data-testid="risks-link"' in _html(client.get(_url("work_order", p.work_order.pk)))
    assert f'href="{register}" data-testid="risks-link"' in _html(client.get(_url("kickoff", p.work_order.pk)))
    assert f'href="{_url("portfolio_risks")}" data-testid="portfolio-risks"' in _html(client.get(_url("home")))


def test_a_closed_work_orders_register_is_read_only(partners, client):
    p = partners
    execute(p)
    risk = raise_risk(p)
    work_orders.work_order_close(actor=p.crux_exec, work_order=p.work_order, reason="All services were delivered.")
    client.force_login(p.crux_lead)
    html = _html(client.get(_url("risks", p.work_order.pk)))
    assert 'data-testid="risk-form"' not in html and 'data-testid="raise-signal"' not in html
    html = _html(client.get(_url("risk", p.work_order.pk, risk.pk)))
    assert 'data-testid="close-form"' not in html and 'data-testid="risk-edit"' not in html
    html = _html(client.post(_url("risk_close", p.work_order.pk, risk.pk), {"closing_note": "Closed at the end."}))
    assert "The risk register changes while the work order is a draft or executed." in html
    risks_left = ProjectRisk.objects.filter(status="open").count()
    assert risks_left == 1
