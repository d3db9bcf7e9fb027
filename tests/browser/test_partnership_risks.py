"""The risk and issue register in the browser, on the demo: Northstar's project lead opens the portfolio register from
the partnership home, then OPC-301's register from its work order, raises a signal of the study's oversight (or of the
milestones) as a risk in one click, and finds it on its page with the signal it came from; the register shows the heat
map, the risks of both parties and the study's oversight issues. The screenshot for docs/partnership.md comes from
here."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opencro.accounts import organisations
from opencro.accounts import services as accounts
from opencro.accounts.models import Organisation, User
from opencro.demo import data
from opencro.partnership.models import ProjectRisk, WorkOrder
from opencro.partnership.services import risks

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the register as the two project leads keep it: title, category, likelihood, impact, party of the owner, days due
REGISTER = [
    ("Japanese sites recruit below plan", "recruitment", 4, 4, "cro", 14),
    ("Database lock slips past the DMC meeting", "timeline", 3, 5, "cro", 30),
    ("Pass-through costs above budget", "budget", 3, 3, "sponsor", 21),
    ("Comparator supply at Indian depots", "supply", 2, 4, "sponsor", 45),
    ("eCOA vendor changes its platform", "vendor", 2, 2, "cro", 60),
]


def _lead(username: str, first: str, last: str, organisation: str) -> User:
    """The organisation's project lead (the demo's own when it has one)."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = accounts.user_create(
            actor=None, username=username, password=data.DEMO_PASSWORD, first_name=first, last_name=last
        )
    member = getattr(user, "organisation_membership", None)
    if member is None or member.role != "project_lead":
        organisations.organisation_member_set(
            actor=None, organisation=Organisation.objects.get(code=organisation), user=user, role="project_lead"
        )
    return user


def test_the_project_lead_keeps_the_register(browse, demo_study):
    page = browse.page
    order = WorkOrder.objects.get(study_id=demo_study)
    leads = {
        "cro": _lead("cro.lead", "Ines", "Duarte", "northstar"),
        "sponsor": _lead("sponsor.lead", "Grace", "Kim", "meridian"),
    }
    today = timezone.localdate()
    for title, category, likelihood, impact, party, days in REGISTER:
        risks.risk_raise(
            actor=leads["cro"],
            work_order=order,
            title=title,
            category=category,
            likelihood=likelihood,
            impact=impact,
            owner=leads[party],
            due_on=today + dt.timedelta(days=days),
            mitigation="Agreed at the monthly operations call.",
        )

    browse.login("cro.lead", data.DEMO_PASSWORD)
    browse.goto("/partners/")
    page.locator("[data-testid=portfolio-risks]").click()
    expect(page.locator("[data-testid=risks] tr[data-number]")).to_have_count(len(REGISTER))
    expect(page.locator("[data-testid=risk-study]").first).to_have_text("OPC-301")
    expect(page.locator("[data-testid=risk-heat-map] g[data-likelihood='4'][data-impact='4']")).to_have_attribute(
        "data-count", "1"
    )

    browse.goto(f"/partners/work-orders/{order.pk}/")
    page.locator("[data-testid=risks-link]").click()
    signals = page.locator("[data-testid=signals] tr[data-key]")
    expect(signals.first).to_be_visible()
    key = signals.first.get_attribute("data-key")
    signals.first.locator("button").click()
    expect(page.locator("[data-testid=risk-source]")).to_contain_text(key)
    raised = ProjectRisk.objects.get(work_order=order, source_key=key)
    assert (raised.number, raised.owner, raised.owner_party) == ("RSK-006", leads["cro"], "cro")

    page.locator("[data-testid=risk-edit]").click()
    page.select_option("[data-testid=risk-owner]", str(leads["sponsor"].pk))
    page.fill("[data-testid=risk-reason]", "The sponsor's oversight lead takes it over.")
    page.click("[data-testid=risk-edit-form] button[type=submit]")
    expect(page.locator("[data-testid=risk-owner]")).to_contain_text("Grace Kim")
    expect(page.locator("[data-testid=risk-history] > li")).to_have_count(2)  # raised, then changed

    browse.goto(f"/partners/work-orders/{order.pk}/risks/")
    expect(page.locator(f"[data-testid=signals] tr[data-key='{key}']")).to_have_count(0)  # raised once
    expect(page.locator("[data-testid=held-signals]")).to_contain_text("RSK-006")
    expect(page.locator("[data-testid=risks] tr[data-number]")).to_have_count(len(REGISTER) + 1)
    expect(page.locator("[data-testid=oversight-issues]")).to_be_visible()
    browse.screenshot("partnership-risks")
    assert not browse.problems()
