"""The sponsor-CRO contract in the browser, on the demo: Northstar's executive opens the partnership home, the OPC-301
work order with its responsibility matrix, its budget and its kick-off plan, and signs change order CO-02 (Meridian
signed it already), which applies it to the work order; Meridian's contracts manager sees the signed contract, and a
wrong password signs nothing. Screenshots for docs/partnership.md come from here."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from opencro.demo import data
from opencro.partnership.models import ChangeOrder, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_cro_signs_a_change_order_and_the_work_order_follows(browse, demo_study):
    page = browse.page
    order = WorkOrder.objects.get(study_id=demo_study)
    dmc = ChangeOrder.objects.get(work_order=order, number="CO-02")

    browse.login("cro.exec", data.DEMO_PASSWORD)
    browse.goto("/studies/")
    page.locator("[data-testid=nav-partnership]").click()
    expect(page.locator("[data-testid=org-kind]")).to_be_visible()
    expect(page.locator("[data-testid=org-studies]")).to_contain_text("OPC-301")
    row = page.locator("[data-testid=work-orders] tr[data-number='MSA-0001/WO-001']")
    expect(row).to_contain_text("5,035,000.00 USD")
    browse.screenshot("partnership-home")

    page.locator("[data-testid=work-orders] tr[data-number='MSA-0001/WO-001'] a").first.click()
    matrix = page.locator("[data-testid=responsibility-matrix]")
    expect(matrix.locator("tr[data-duty=monitoring]")).to_have_attribute("data-party", "cro")
    expect(matrix.locator("tr[data-duty=oversight]")).to_have_attribute("data-party", "sponsor")
    expect(matrix.locator("tr[data-duty=submissions]")).to_contain_text("Meridian submits")
    browse.screenshot("partnership-work-order")

    browse.goto(f"/partners/work-orders/{order.pk}/budget/")
    expect(page.locator("[data-testid=budget]")).to_contain_text("Investigator grants (pass-through)")
    expect(page.locator("[data-testid=cost-entries]")).to_contain_text("PR-001")  # the paid site payments
    expect(page.locator("[data-testid=budget-total]")).to_contain_text("USD")
    browse.screenshot("partnership-budget")
    browse.goto(f"/partners/work-orders/{order.pk}/kickoff/")
    milestones = page.locator("[data-testid=milestones]")
    expect(milestones.locator("tr[data-kind=first_participant_in]")).to_have_attribute("data-status", "done_late")
    expect(milestones.locator("tr[data-kind=last_participant_in]")).to_have_attribute("data-status", "at_risk")
    expect(page.locator("[data-testid=escalation-path]")).to_contain_text("Nadia Brooks")
    browse.screenshot("partnership-kickoff")
    browse.goto(f"/partners/work-orders/{order.pk}/")

    page.locator("[data-testid=change-orders] tr[data-number='CO-02'] a").first.click()
    expect(page.locator("[data-testid=sponsor-signed-by]")).to_contain_text("Samuel Osei")
    expect(page.locator("[data-testid=cro-signed-by]")).not_to_contain_text("Nadia")
    page.fill("[data-testid=sign-password]", "not the password")
    page.click("[data-testid=sign-submit]")
    expect(page.locator("main")).to_contain_text("The password is not correct")
    dmc.refresh_from_db()
    assert dmc.cro_signed_at is None
    browse.screenshot("partnership-change-order")

    page.fill("[data-testid=sign-password]", data.DEMO_PASSWORD)
    page.click("[data-testid=sign-submit]")
    expect(page.locator("[data-testid=cro-signed-by]")).to_contain_text("Nadia Brooks")
    dmc.refresh_from_db()
    order.refresh_from_db()
    assert dmc.status == "approved" and order.value == Decimal("5131000.00")
    assert str(order.end_on) == "2028-09-30"

    browse.logout()
    browse.login("sponsor.contracts", data.DEMO_PASSWORD)
    browse.goto(f"/partners/work-orders/{order.pk}/")
    expect(page.locator("[data-testid=work-order-value]")).to_contain_text("5,131,000.00 USD")
    expect(page.locator("[data-testid=change-orders] tr[data-number='CO-02']")).to_have_attribute(
        "data-status", "approved"
    )
    assert not browse.problems()
