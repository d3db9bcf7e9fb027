"""Times are stored in UTC and shown in the viewer's zone, with the zone named."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from opencro.accounts.services import user_preferences_update
from opencro.audit.models import AuditRecord

pytestmark = pytest.mark.django_db

_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2})(?::\d{2})? ([A-Z]{2,5}|[+-]\d{2,4})\b")


def _trail_stamps(client, study_id: int) -> list[tuple[str, str]]:
    response = client.get(f"/studies/{study_id}/audit/")
    assert response.status_code == 200
    table = re.search(r'<table data-testid="audit-table">(.*?)</table>', response.content.decode(), re.S)
    assert table, "the audit table is missing"
    return _STAMP.findall(table.group(1))


def _minutes(records, zone: zoneinfo.ZoneInfo) -> set[str]:
    return {r.timestamp.astimezone(zone).strftime("%Y-%m-%d %H:%M") for r in records}


@pytest.mark.parametrize(
    ("zone_name", "abbreviations"),
    [("Asia/Tokyo", {"JST"}), ("America/Chicago", {"CST", "CDT"})],
)
def test_audit_trail_in_the_viewers_zone(world, login, zone_name, abbreviations):
    user = world.user("project_manager")
    user_preferences_update(actor=user, time_zone=zone_name, language="")
    client = login(user)
    stamps = _trail_stamps(client, world.study.pk)
    assert stamps, "no timestamps on the audit trail page"

    records = list(AuditRecord.objects.filter(study_id=world.study.pk))
    assert all(r.timestamp.utcoffset() == dt.timedelta(0) for r in records)  # stored in UTC
    zone = zoneinfo.ZoneInfo(zone_name)
    local, utc = _minutes(records, zone), _minutes(records, dt.UTC)
    expected_names = {r.timestamp.astimezone(zone).strftime("%Z") for r in records}
    assert expected_names <= abbreviations

    shown_minutes = {minute for minute, _name in stamps}
    assert shown_minutes <= local
    assert not shown_minutes & utc
    assert {name for _minute, name in stamps} <= expected_names


def test_audit_trail_in_utc_by_default(world, login):
    client = login(world.user("project_manager"))
    stamps = _trail_stamps(client, world.study.pk)
    assert stamps and {name for _minute, name in stamps} == {"UTC"}


@pytest.mark.parametrize(
    ("zone_name", "language", "footer_text"),
    [
        ("Asia/Tokyo", "", "Times are shown in Asia/Tokyo"),
        ("America/Chicago", "", "Times are shown in America/Chicago"),
        ("Asia/Tokyo", "ja", "時刻は Asia/Tokyo で表示しています"),
        ("America/Chicago", "es", "Las horas se muestran en America/Chicago"),
    ],
)
def test_layout_footer_names_the_zone(world, login, zone_name, language, footer_text):
    user = world.user("monitor")
    user_preferences_update(actor=user, time_zone=zone_name, language=language)
    page = login(user).get("/studies/").content.decode()
    footer = re.search(r"<footer>(.*?)</footer>", page, re.S)
    assert footer and footer_text in footer.group(1)
    header = re.search(r'<div class="who">(.*?)</div>', page, re.S)
    assert header and zone_name in header.group(1)


def test_each_site_has_a_valid_time_zone_shown_on_the_sites_page(world, login):
    page = login(world.user("project_manager")).get(f"/studies/{world.study.pk}/sites/").content.decode()
    assert "<td>America/Chicago</td>" in page and "<td>Asia/Tokyo</td>" in page
    world.site_a.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as excinfo:
        world.site_a.full_clean()
    assert "time_zone" in excinfo.value.message_dict
