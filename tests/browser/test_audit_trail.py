"""A data manager follows the pages to a site's audit trail and reads who changed what, and why."""

import re
import zoneinfo

import pytest
from django.utils import dateformat, timezone
from playwright.sync_api import expect

from opencro.accounts import services as accounts
from opencro.audit.models import AuditAction, AuditRecord
from opencro.studies import services as studies
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Name corrected to match the clinical trial agreement"


def _cells(row) -> dict[str, str]:
    """The row's cells by column heading."""
    table = row.locator("xpath=ancestor::table[1]")
    headers = [text.strip() for text in table.locator("thead th").all_inner_texts()]
    return dict(zip(headers, (text.strip() for text in row.locator("td").all_inner_texts()), strict=True))


def test_data_manager_reads_site_change_in_audit_trail(browse, world):
    pm = world.user("project_manager")
    studies.site_update(
        actor=pm, site=world.site_a, changes={"institution": "Alpha University Hospital"}, reason=REASON
    )
    dm = world.user("data_manager")
    accounts.user_preferences_update(actor=dm, time_zone="Asia/Kolkata", language="")
    record = AuditRecord.objects.get(
        object_type="studies.site", object_id=str(world.site_a.pk), field="institution", action=AuditAction.UPDATE
    )

    browse.login(dm.username, PASSWORD)
    page = browse.page
    page.get_by_role("link", name="T-001", exact=True).click()
    page.locator("nav.mainnav").get_by_role("link", name="Sites").click()
    site_row = page.locator("main tbody tr").filter(has=page.get_by_role("cell", name="A1", exact=True))
    site_row.get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(re.compile(rf"/studies/{world.study.pk}/audit/studies\.site/{world.site_a.pk}/$"))

    rows = page.locator("[data-testid=audit-table] tbody tr")
    expect(rows.first).to_be_visible()
    # only site A1's records: its creation and the change
    for row in rows.all():
        assert _cells(row)["Object"].startswith(f"studies.site #{world.site_a.pk}")
    fields = rows.filter(has=page.get_by_role("cell", name="institution", exact=True))
    expect(fields).to_have_count(2)  # set at creation, then changed
    change = fields.filter(has=page.get_by_role("cell", name=REASON, exact=True))
    expect(change).to_have_count(1)
    cells = _cells(change)
    assert cells["#"] == str(record.pk)
    assert [cells[k] for k in ("User", "Field", "Old value", "New value", "Reason")] == [
        pm.username,
        "institution",
        "Alpha Hospital",
        "Alpha University Hospital",
        REASON,
    ]
    assert cells["Action"] == record.get_action_display()
    when = cells["When"]
    kolkata = zoneinfo.ZoneInfo("Asia/Kolkata")
    assert when == dateformat.format(timezone.localtime(record.timestamp, kolkata), "Y-m-d H:i:s T")
    assert when.endswith("IST")
    browse.screenshot("audit-trail")
    browse.assert_clean()
