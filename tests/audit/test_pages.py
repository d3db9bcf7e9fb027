"""The audit trail pages: records, filters, the per-object view, and who may see what."""

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse

from opencro.audit.models import AuditRecord
from opencro.audit.services import audit_event
from tests.audit.conftest import grant_audit_view

pytestmark = pytest.mark.django_db

TA = "subjects.treatmentassignment"


def _url(world, **query) -> str:
    base = reverse("audit:study", args=[world.study.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _records(response) -> list[AuditRecord]:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def _all_records(client, url: str) -> list[AuditRecord]:
    """Every record over every page of the paginated trail."""
    records, number = [], 1
    while True:
        response = client.get(url + ("&" if "?" in url else "?") + f"page={number}")
        records += _records(response)
        if not response.context["page"].has_next():
            return records
        number += 1


def test_data_manager_sees_the_study_trail_newest_first(world, login):
    response = login(world.user("data_manager")).get(_url(world))
    records = _records(response)
    assert records and all(r.study_id == world.study.pk for r in records)
    assert [r.pk for r in records] == sorted((r.pk for r in records), reverse=True)
    assert {world.site_a.pk, world.site_b.pk} <= {r.site_id for r in records}
    html = response.content.decode()
    assert 'data-testid="audit-table"' in html
    assert "A1-001" in html and "B1-001" in html
    assert records[0].hash[:12] in html


def test_other_studies_records_never_appear(world, login):
    records = _all_records(login(world.user("data_manager")), _url(world))
    assert {r.study_id for r in records} == {world.study.pk}
    assert AuditRecord.objects.filter(study_id=world.other_study.pk).exists()


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ({"user": "admin"}, lambda r: r.username == "admin"),
        ({"action": "grant"}, lambda r: r.action == "grant"),
        ({"field": "status"}, lambda r: r.field == "status"),
        ({"object_type": "subjects.subject"}, lambda r: r.object_type == "subjects.subject"),
        ({"object_type": "subjects.subject", "field": "status", "action": "update"}, lambda r: r.field == "status"),
    ],
)
def test_filters_narrow_the_trail(world, login, query, check):
    client = login(world.user("data_manager"))
    everything = _all_records(client, _url(world))
    narrowed = _all_records(client, _url(world, **query))
    assert narrowed and len(narrowed) < len(everything)
    assert all(check(r) for r in narrowed)
    attribute = {"user": "username"}
    expected = {r.pk for r in everything if all(getattr(r, attribute.get(k, k)) == v for k, v in query.items())}
    assert {r.pk for r in narrowed} == expected


def test_date_range_is_inclusive_and_read_in_the_viewers_time_zone(world, login):
    """23:30 UTC on 1 January is already 2 January in Tokyo."""
    instant = dt.datetime(2026, 1, 1, 23, 30, tzinfo=dt.UTC)
    with mock.patch("opencro.audit.services.timezone.now", return_value=instant):
        [late] = audit_event(
            actor=world.admin,
            action="sign",
            object_type="studies.study",
            object_id=world.study.pk,
            object_repr="late-evening event",
            study_id=world.study.pk,
        )
    viewer = world.user("data_manager")
    client = login(viewer)

    def ids(**query):
        return {r.pk for r in _all_records(client, _url(world, **query))}

    assert late.pk in ids(since="2026-01-01", until="2026-01-01")
    assert late.pk not in ids(since="2026-01-02")
    assert late.pk not in ids(until="2025-12-31")
    viewer.time_zone = "Asia/Tokyo"
    viewer.save(update_fields=["time_zone"])
    assert late.pk not in ids(until="2026-01-01")
    assert late.pk in ids(since="2026-01-02", until="2026-01-02")


def test_invalid_date_range_shows_an_error_and_no_export_links(world, login):
    response = login(world.user("data_manager")).get(_url(world, since="2026-02-01", until="2026-01-01"))
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()
    assert 'data-testid="export-csv"' not in response.content.decode()


def test_export_links_carry_the_filters_but_not_the_page_number(world, login):
    response = login(world.user("data_manager")).get(_url(world, action="update", field="status", page=1))
    html = response.content.decode()
    csv_url = reverse("audit:export", args=[world.study.pk, "csv"])
    pdf_url = reverse("audit:export", args=[world.study.pk, "pdf"])
    assert f'href="{csv_url}?action=update&amp;field=status"' in html
    assert f'href="{pdf_url}?action=update&amp;field=status"' in html
    assert ">Export CSV<" in html and ">Export PDF<" in html


def test_object_page_shows_the_object_and_only_its_records(world, login):
    subject = world.subject_a
    url = reverse("audit:object", args=[world.study.pk, "subjects.subject", subject.pk])
    response = login(world.user("data_manager")).get(url)
    records = _records(response)
    assert records and {(r.object_type, r.object_id) for r in records} == {("subjects.subject", str(subject.pk))}
    html = response.content.decode()
    assert f"subjects.subject #{subject.pk}" in html
    assert '<p data-testid="audit-object"><strong>A1-001</strong>' in html
    assert 'name="object_type"' not in html  # the type is fixed by the address
    assert reverse("audit:object_export", args=[world.study.pk, "subjects.subject", subject.pk, "pdf"]) in html


def test_object_page_filters_apply_within_the_object(world, login):
    url = reverse("audit:object", args=[world.study.pk, "subjects.subject", world.subject_a.pk])
    client = login(world.user("data_manager"))
    records = _records(client.get(url + "?action=update&field=status"))
    assert [(r.field, r.old_value, r.new_value) for r in records] == [("status", "screening", "enrolled")]


def test_study_trail_links_each_object_to_its_own_trail(world, login):
    html = login(world.user("data_manager")).get(_url(world)).content.decode()
    assert reverse("audit:object", args=[world.study.pk, "subjects.subject", world.subject_b.pk]) in html


@pytest.mark.parametrize("role", ["monitor", "investigator"])
def test_site_restricted_user_never_sees_the_other_sites_records(world, login, role):
    grant_audit_view(world, role)
    client = login(world.user(role))
    records = _all_records(client, _url(world))
    assert records
    assert world.site_b.pk not in {r.site_id for r in records}
    assert world.site_a.pk in {r.site_id for r in records}
    assert "B1-001" not in {r.object_repr for r in records}
    url = reverse("audit:object", args=[world.study.pk, "subjects.subject", world.subject_b.pk])
    response = client.get(url)
    assert _records(response) == []
    assert "B1-001" not in response.content.decode()


def test_blinded_role_never_sees_treatment_assignment_records(world, login):
    grant_audit_view(world, "biostatistician")
    client = login(world.user("biostatistician"))
    records = _all_records(client, _url(world))
    assert records and TA not in {r.object_type for r in records}
    assert _records(client.get(_url(world, object_type=TA))) != []  # an invalid choice: ignored, not obeyed
    assert TA not in {r.object_type for r in _all_records(client, _url(world, object_type=TA))}
    assignment = world.subject_a.assignment
    response = client.get(reverse("audit:object", args=[world.study.pk, TA, assignment.pk]))
    assert _records(response) == []
    html = response.content.decode()
    assert "R-A1-001" not in html and "randomisation" not in html


def test_unblinded_statistician_sees_treatment_assignment_records(world, login):
    grant_audit_view(world, "unblinded_statistician")
    client = login(world.user("unblinded_statistician"))
    records = _all_records(client, _url(world, object_type=TA))
    assert {r.object_id for r in records} == {str(world.subject_a.assignment.pk), str(world.subject_b.assignment.pk)}
    assert {r.new_value for r in records if r.field == "arm"} == {str(world.arms[0].pk), str(world.arms[1].pk)}


def test_role_without_audit_view_gets_403(world, login):
    client = login(world.user("medical_coder"))
    assert client.get(_url(world)).status_code == 403
    assert client.get(reverse("audit:export", args=[world.study.pk, "csv"])).status_code == 403
    assert client.get(reverse("audit:object", args=[world.study.pk, "subjects.subject", 1])).status_code == 403


def test_outsider_gets_404(world, login):
    client = login(world.outsider)
    assert client.get(_url(world)).status_code == 404
    assert client.get(reverse("audit:export", args=[world.study.pk, "pdf"])).status_code == 404
    assert client.get(reverse("audit:object", args=[world.study.pk, "subjects.subject", 1])).status_code == 404


def test_anonymous_is_sent_to_sign_in(world, client):
    for url in (_url(world), reverse("audit:export", args=[world.study.pk, "csv"])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_site_restricted_reader_does_not_see_access_records(world, login):
    from opencro.audit.models import AuditRecord

    assert AuditRecord.objects.filter(study_id=world.study.pk, object_type="accounts.membership").exists()
    url = f"/api/v1/studies/{world.study.pk}/audit?object_type=accounts.membership"
    monitor = login(world.user("monitor")).get(url)
    assert monitor.json()["count"] == 0
    manager = login(world.user("data_manager")).get(url)
    assert manager.json()["count"] > 0
