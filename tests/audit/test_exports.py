"""CSV and PDF copies of the trail: same records, filters and visibility as the page."""

import csv
import datetime as dt
import io
import re

import pytest
from django.urls import reverse

from opencro.accounts.access import access_for
from opencro.audit.exports.csv_export import spreadsheet_safe
from opencro.audit.exports.fonts import CID_FONT, FontChain
from opencro.audit.exports.meta import export_meta
from opencro.audit.exports.pdf_export import hash_lines, markup, pdf_write
from opencro.audit.models import AuditRecord
from opencro.audit.selectors import audit_for_study
from opencro.audit.services import audit_event
from tests.audit.conftest import csv_rows, grant_audit_view, pdf_text, streamed

pytestmark = pytest.mark.django_db

TA = "subjects.treatmentassignment"
HEADER = [
    "Record",
    "Timestamp (UTC)",
    "Timestamp (Asia/Tokyo)",
    "User",
    "Action",
    "Object type",
    "Object ID",
    "Object",
    "Site",
    "Field",
    "Old value",
    "New value",
    "Reason",
    "Previous hash",
    "Hash",
]


def _export(world, fmt: str, **query) -> str:
    url = reverse("audit:export", args=[world.study.pk, fmt])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _page_ids(client, world, **query) -> list[int]:
    ids, number = [], 1
    while True:
        params = {**query, "page": number}
        response = client.get(reverse("audit:study", args=[world.study.pk]), params)
        ids += [r.pk for r in response.context["page"].object_list]
        if not response.context["page"].has_next():
            return ids
        number += 1


def _japanese_event(world):
    return audit_event(
        actor=world.admin,
        action="update",
        object_type="studies.site",
        object_id=world.site_b.pk,
        object_repr="B1 東京病院",
        study_id=world.study.pk,
        site_id=world.site_b.pk,
        changes={"institution": ("Hôpital Saint-Éloi", "東京大学医学部附属病院")},
        reason="名称変更 (renamed)",
    )[0]


@pytest.fixture
def tokyo_manager(world):
    user = world.user("data_manager")
    user.time_zone = "Asia/Tokyo"
    user.save(update_fields=["time_zone"])
    return user


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_has_bom_header_and_the_pages_records_in_order(world, login, tokyo_manager):
    client = login(tokyo_manager)
    response = client.get(_export(world, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(r'attachment; filename="audit-trail-T-001-\d{8}T\d{6}Z\.csv"', response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    rows = csv_rows(streamed(response))
    assert rows[0] == HEADER
    assert [int(r[0]) for r in rows[1:]] == _page_ids(client, world)


def test_csv_row_carries_the_record_with_utc_and_local_times(world, login, tokyo_manager):
    record = AuditRecord.objects.get(
        object_id=world.subject_b.pk, object_type="subjects.subject", field="status", action="update"
    )
    rows = csv_rows(streamed(login(tokyo_manager).get(_export(world, "csv"))))
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == str(record.pk)), strict=True))
    utc = record.timestamp.astimezone(dt.UTC)
    assert row["Timestamp (UTC)"] == utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    assert dt.datetime.fromisoformat(row["Timestamp (Asia/Tokyo)"]) == record.timestamp.replace(microsecond=0)
    assert row["Timestamp (Asia/Tokyo)"].endswith("+09:00")
    assert row["Action"] == "Update"
    assert (row["Object type"], row["Object ID"], row["Field"]) == ("subjects.subject", record.object_id, "status")
    assert (row["Old value"], row["New value"], row["Reason"]) == ("screening", "enrolled", "enrolled")
    assert row["Site"] == "B1"
    assert (row["Previous hash"], row["Hash"]) == (record.prev_hash, record.hash)


def test_csv_keeps_accents_and_japanese(world, login):
    event = _japanese_event(world)
    data = streamed(login(world.user("data_manager")).get(_export(world, "csv", field="institution")))
    row = next(r for r in csv_rows(data)[1:] if r[0] == str(event.pk))
    assert row[7:13] == [
        "B1 東京病院",
        "B1",
        "institution",
        "Hôpital Saint-Éloi",
        "東京大学医学部附属病院",
        "名称変更 (renamed)",
    ]


def test_csv_applies_the_pages_filters(world, login):
    client = login(world.user("data_manager"))
    query = {"action": "update", "object_type": "subjects.subject"}
    rows = csv_rows(streamed(client.get(_export(world, "csv", **query))))
    assert len(rows) > 1
    assert {(r[4], r[5]) for r in rows[1:]} == {("Update", "subjects.subject")}
    assert [int(r[0]) for r in rows[1:]] == _page_ids(client, world, **query)


def test_csv_of_one_object(world, login):
    subject = world.subject_b
    url = reverse("audit:object_export", args=[world.study.pk, "subjects.subject", subject.pk, "csv"])
    rows = csv_rows(streamed(login(world.user("data_manager")).get(url)))
    assert len(rows) > 1
    assert {(r[5], r[6], r[7]) for r in rows[1:]} == {("subjects.subject", str(subject.pk), "B1-001")}


def test_csv_neutralises_formulas_but_not_numbers(world, login):
    [record] = audit_event(
        actor=world.admin,
        action="update",
        object_type="subjects.subject",
        object_id=world.subject_a.pk,
        study_id=world.study.pk,
        site_id=world.site_a.pk,
        changes={"year_of_birth": ("-5", '=HYPERLINK("http://evil.example","x")')},
        reason="@SUM(A1)",
    )
    rows = csv_rows(streamed(login(world.user("data_manager")).get(_export(world, "csv", field="year_of_birth"))))
    row = next(r for r in rows if r[0] == str(record.pk))
    assert row[10:13] == ["-5", '\'=HYPERLINK("http://evil.example","x")', "'@SUM(A1)"]


@pytest.mark.parametrize(
    ("text", "safe"),
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-1.5", "-1.5"), ("-x", "'-x"), ("@a", "'@a"), ("a=b", "a=b"), ("", "")],
)
def test_spreadsheet_safe(text, safe):
    assert spreadsheet_safe(text) == safe


def test_csv_site_restricted_user_gets_only_their_sites(world, login):
    grant_audit_view(world, "investigator")
    rows = csv_rows(streamed(login(world.user("investigator")).get(_export(world, "csv"))))
    assert len(rows) > 1
    assert "B1" not in {r[8] for r in rows[1:]}
    assert "B1-001" not in {r[7] for r in rows[1:]}


def test_csv_blinded_role_gets_no_treatment_assignments(world, login):
    grant_audit_view(world, "biostatistician", "unblinded_statistician")
    blinded = csv_rows(streamed(login(world.user("biostatistician")).get(_export(world, "csv"))))
    assert len(blinded) > 1 and TA not in {r[5] for r in blinded[1:]}
    assert "R-A1-001" not in {r[11] for r in blinded[1:]}
    unblinded = csv_rows(streamed(login(world.user("unblinded_statistician")).get(_export(world, "csv"))))
    assert TA in {r[5] for r in unblinded[1:]}
    assert "R-A1-001" in {r[11] for r in unblinded[1:]}


def test_export_refuses_invalid_filters_and_unknown_formats(world, login):
    client = login(world.user("data_manager"))
    assert client.get(_export(world, "csv", since="not-a-date")).status_code == 400
    assert client.get(_export(world, "csv", since="2026-02-02", until="2026-01-01")).status_code == 400
    assert client.get(_export(world, "xlsx")).status_code == 404


# --- PDF ---------------------------------------------------------------------------------------


def test_pdf_is_a_landscape_a4_document_with_title_filters_and_page_numbers(world, login, tokyo_manager):
    response = login(tokyo_manager).get(_export(world, "pdf", action="update", field="status", since="2020-01-01"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="audit-trail-T-001-\d{8}T\d{6}Z\.pdf"', response["Content-Disposition"])
    assert "no-store" in response["Cache-Control"]
    data = streamed(response)
    assert b"/MediaBox [ 0 0 841.8898 595.2756 ]" in data
    text = pdf_text(data)
    assert "Audit trail: T-001" in text
    assert "Filters: Field: status; Action: Update; From: 2020-01-01 \\(Asia/Tokyo\\)" in text
    assert "Printed by Data-Manager Tester \\(data-manager\\) on " in text
    assert "JST \\(Asia/Tokyo\\)" in text
    assert "page 1 of 1" in text
    record = AuditRecord.objects.filter(field="status", action="update", study_id=world.study.pk).last()
    assert f"({record.pk}) Tj" in text
    assert f"({hash_lines(record.hash).splitlines()[0]}) Tj" in text
    assert "(screening) Tj" in text and "(enrolled) Tj" in text
    assert "(studies.study #" not in text  # filtered out


def test_pdf_blinded_role_gets_no_treatment_assignments(world, login):
    grant_audit_view(world, "biostatistician", "unblinded_statistician")
    blinded = pdf_text(streamed(login(world.user("biostatistician")).get(_export(world, "pdf"))))
    assert "R-A1-001" not in blinded and TA not in blinded
    assert "treatment assignment records withheld \\(blinded role\\)" in blinded
    unblinded = pdf_text(streamed(login(world.user("unblinded_statistician")).get(_export(world, "pdf"))))
    assert "(R-A1-001) Tj" in unblinded and f"({TA} #" in unblinded


def test_pdf_site_restricted_user_gets_only_their_sites(world, login):
    grant_audit_view(world, "investigator")
    text = pdf_text(streamed(login(world.user("investigator")).get(_export(world, "pdf"))))
    assert "(A1-001) Tj" in text
    assert "B1-001" not in text
    assert "sites: A1" in text


def test_pdf_of_one_object_names_it(world, login):
    subject = world.subject_a
    url = reverse("audit:object_export", args=[world.study.pk, "subjects.subject", subject.pk, "pdf"])
    text = pdf_text(streamed(login(world.user("data_manager")).get(url)))
    assert f"Scope: object subjects.subject #{subject.pk} \\(A1-001\\)" in text
    assert "B1-001" not in text


def test_pdf_with_no_matching_records_says_so(world, login):
    text = pdf_text(streamed(login(world.user("data_manager")).get(_export(world, "pdf", user="nobody"))))
    assert "No records match." in text and "page 1 of 1" in text


def _meta(world, reader):
    return export_meta(access_for(reader, world.study.pk), reader=reader, filters=[("Action", "Update")], tz=dt.UTC)


@pytest.mark.slow
def test_pdf_of_two_thousand_records_completes_with_every_record(world):
    for batch in range(100):
        audit_event(
            actor=world.admin,
            action="update",
            object_type="subjects.subject",
            object_id=world.subject_a.pk,
            object_repr="A1-001",
            study_id=world.study.pk,
            site_id=world.site_a.pk,
            changes={f"item_{n:02d}": (f"old {batch}", f"value {batch}-{n}") for n in range(20)},
            reason="data correction",
        )
    reader = world.user("data_manager")
    records = audit_for_study(access_for(reader, world.study.pk), action="update")
    assert records.count() >= 2000
    out = io.BytesIO()
    pages = pdf_write(records, _meta(world, reader), out, compress=False)
    text = out.getvalue().decode("latin-1")
    assert pages > 50
    assert f"page {pages} of {pages}" in text and f"page 1 of {pages}" in text
    assert f"({records.count()} records, newest first." in text
    for value in ("(value 0-0) Tj", "(value 99-19) Tj", "(value 57-3) Tj"):
        assert value in text
    assert text.count(" Tj") > 2000 * 5


def test_pdf_splits_a_record_taller_than_a_page(world):
    reader = world.user("data_manager")
    audit_event(
        actor=world.admin,
        action="update",
        object_type="subjects.subject",
        object_id=world.subject_a.pk,
        study_id=world.study.pk,
        site_id=world.site_a.pk,
        changes={"notes": ("", " ".join(f"word{n}" for n in range(3000)))},
        reason="long note",
    )
    records = audit_for_study(access_for(reader, world.study.pk), field="notes")
    out = io.BytesIO()
    assert pdf_write(records, _meta(world, reader), out, compress=False) >= 3
    text = out.getvalue().decode("latin-1")
    assert "word0 " in text and "word2999" in text


def test_markup_escapes_and_switches_fonts_for_what_helvetica_lacks():
    no_ttf = FontChain(())
    assert markup("a < b & c\nd", no_ttf) == "a &lt; b &amp; c<br/>d"
    assert markup("Éloi 東京", no_ttf) == f'Éloi <font face="{CID_FONT}">東京</font>'
    greek = FontChain((("Greek", frozenset(map(ord, "αβ"))),))
    assert markup("x αβ 東", greek) == f'x <font face="Greek">αβ</font> <font face="{CID_FONT}">東</font>'
    assert markup("bell\x07", no_ttf) == "bell\\x07"


def test_hash_lines_are_balanced_and_rejoin_to_the_hash():
    digest = "0123456789abcdef" * 4
    lines = hash_lines(digest).splitlines()
    assert "".join(lines) == digest
    assert max(map(len, lines)) - min(map(len, lines)) <= 2
    assert len(lines) <= 4


def test_pdf_sets_japanese_in_a_font_that_has_it(world, settings):
    settings.OPENCRO_PDF_FONTS = []
    reader = world.user("data_manager")
    _japanese_event(world)
    out = io.BytesIO()
    pdf_write(audit_for_study(access_for(reader, world.study.pk), field="institution"), _meta(world, reader), out)
    data = out.getvalue()
    assert f"/BaseFont /{CID_FONT}".encode() in data
    assert b"/Encoding /UniJIS-UCS2-H" in data


def test_csv_reader_sees_one_row_per_record(world, login):
    """Multi-line values stay inside their quoted cell."""
    [record] = audit_event(
        actor=world.admin,
        action="update",
        object_type="subjects.subject",
        object_id=world.subject_a.pk,
        study_id=world.study.pk,
        site_id=world.site_a.pk,
        changes={"notes": ("line one\nline two", 'say "hi", then, go')},
        reason="multi\r\nline",
    )
    data = streamed(login(world.user("data_manager")).get(_export(world, "csv", field="notes")))
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [(r["Record"], r["Old value"], r["New value"], r["Reason"]) for r in rows] == [
        (str(record.pk), "line one\nline two", 'say "hi", then, go', "multi\r\nline")
    ]


def test_a_pdf_too_large_to_read_sends_the_reader_back_with_a_message(monkeypatch, world, login):
    """A whole study's trail belongs in the CSV: beyond its limit the PDF refuses, naming both numbers."""
    from opencro.audit import views

    monkeypatch.setattr(views, "PDF_MAX_RECORDS", 3)
    client = login(world.user("project_manager"))
    response = client.get(f"/studies/{world.study.pk}/audit/export.pdf", follow=True)
    assert response.redirect_chain[0] == (f"/studies/{world.study.pk}/audit/?", 302)
    assert re.search(r"A PDF holds at most 3 records and this selection has \d{2,}", response.content.decode())
