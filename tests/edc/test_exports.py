"""EDC table exports (CSV long, CSV wide in a ZIP, Excel) and the subject casebook PDF.

The data are those of the small build of tests/edc/builds.py: A1-001 has screening vital signs
(BMI derived: 70.5 / 1.72² = 23.83, one decimal), demographics (female, race Asian and White,
date of birth not done) and week-4 weight; B1-001 (male) has demographics and a two-row AE log.
"""

import csv
import datetime as dt
import io
import re
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from typer.testing import CliRunner

from opencro.accounts.access import access_for
from opencro.accounts.signatures import signature_apply
from opencro.cli.main import app
from opencro.edc.exports import excel, tables
from opencro.edc.exports.casebook_pdf import casebook_pdf_write, system_meta
from opencro.edc.exports.excel import sheet_names, xlsx_write
from opencro.edc.exports.tables import (
    LONG_HEADER,
    catalog_load,
    form_records,
    long_csv_write,
    table_file_names,
    wide_zip_write,
)
from opencro.edc.models import FormData, ItemData
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.signoff import casebook_signoff
from opencro.jobs.models import Job
from tests.audit.conftest import csv_rows, pdf_text, streamed
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KEYS = ["SITE", "SUBJECT", "EVENT_OID", "EVENT_REPEAT", "VISIT_DATE", "FORM_REPEAT"]


def _enter(w) -> None:
    coordinator = w.users["study_coordinator"]
    vs = [ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.HEIGHT", "172"), ItemEntry("IT.SYSBP", "120")]
    form_save(
        actor=coordinator,
        subject=w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=vs,
        visit_date=dt.date(2026, 3, 2),
    )
    dm = [
        ItemEntry("IT.SEX", "F"),
        ItemEntry("IT.RACE", "1,3"),
        ItemEntry("IT.BRTHDAT", None, not_done_reason="refused"),
    ]
    form_save(actor=coordinator, subject=w.subject_a, event_oid="SE.SCR", form_oid="F.DM", entries=dm)
    form_save(
        actor=coordinator,
        subject=w.subject_a,
        event_oid="SE.W4",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "71")],
    )
    form_save(actor=None, subject=w.subject_b, event_oid="SE.SCR", form_oid="F.DM", entries=[ItemEntry("IT.SEX", "M")])
    ae = [
        ItemEntry("IT.AETERM", "Headache"),
        ItemEntry("IT.AESTDAT", "2026-03"),
        ItemEntry("IT.AETERM", "Nausea", repeat=2),
        ItemEntry("IT.AESTDAT", "2026-04-02", repeat=2),
        ItemEntry("IT.AESER", "0", repeat=2),
    ]
    form_save(actor=None, subject=w.subject_b, event_oid="SE.AE", form_oid="F.AE", entries=ae)


def _stamp(subject, form_oid: str, item_oid: str) -> str:
    """The value's last change as the export writes it: UTC, ISO 8601, to the microsecond."""
    item = ItemData.objects.get(form__subject=subject, form__form_oid=form_oid, item_def__oid=item_oid)
    return item.updated_at.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _long(study, site_ids=None) -> list[list[str]]:
    out = io.StringIO()
    long_csv_write(study, out, site_ids=site_ids)
    return csv_rows(out.getvalue().encode("utf-8"))


def _wide(study, tmp_path, site_ids=None) -> dict[str, list[list[str]]]:
    target = tmp_path / "wide.zip"
    wide_zip_write(study, target, site_ids=site_ids)
    with zipfile.ZipFile(target) as archive:
        return {name: csv_rows(archive.read(name)) for name in archive.namelist()}


# --- CSV, long ---------------------------------------------------------------------------------


def test_long_csv_rows_carry_value_decode_units_reason_and_last_change(edc_world):
    _enter(edc_world)
    rows = _long(edc_world.study)
    assert rows[0] == LONG_HEADER
    by_item = {(r[1], r[2], r[9], r[8]): r for r in rows[1:]}
    a = edc_world.subject_a
    changed = _stamp(a, "F.DM", "IT.SEX")
    assert by_item[("A1-001", "SE.SCR", "IT.SEX", "1")] == [
        "A1", "A1-001", "SE.SCR", "1", "2026-03-02", "F.DM", "1", "IG.DM", "1", "IT.SEX", "sex",
        "F", "Female", "", "", "N", changed, "study-coordinator",
    ]  # fmt: skip
    assert by_item[("A1-001", "SE.SCR", "IT.RACE", "1")][11:13] == ["1,3", "Asian; White"]
    assert by_item[("A1-001", "SE.SCR", "IT.BRTHDAT", "1")][11:15] == ["", "", "", "refused"]
    assert by_item[("A1-001", "SE.SCR", "IT.WEIGHT", "1")][11:14] == ["70.5", "", "kg"]
    assert by_item[("A1-001", "SE.SCR", "IT.BMI", "1")][11] == "23.8"
    assert by_item[("A1-001", "SE.W4", "IT.WEIGHT", "1")][11] == "71"
    assert by_item[("B1-001", "SE.AE", "IT.AESER", "2")][11:13] == ["0", "No"]
    assert by_item[("B1-001", "SE.AE", "IT.AETERM", "2")][17] == "system"  # saved by no user
    # one row per stored value (blank ones too: a derivation without its inputs, a hidden item cleared),
    # subjects by number, visits in schedule order, group rows in order
    assert len(rows) - 1 == ItemData.objects.count() == 16
    assert by_item[("A1-001", "SE.W4", "IT.BMI", "1")][11:13] == ["", ""]
    assert by_item[("B1-001", "SE.SCR", "IT.PREG", "1")][11:13] == ["", ""]
    order = [(r[1], r[2], r[5], r[8], r[9]) for r in rows[1:]]
    assert order[:4] == [
        ("A1-001", "SE.SCR", "F.DM", "1", "IT.BRTHDAT"),
        ("A1-001", "SE.SCR", "F.DM", "1", "IT.SEX"),
        ("A1-001", "SE.SCR", "F.DM", "1", "IT.RACE"),
        ("A1-001", "SE.SCR", "F.VS", "1", "IT.WEIGHT"),
    ]
    assert order[-7:] == [
        ("B1-001", "SE.SCR", "F.DM", "1", "IT.SEX"),
        ("B1-001", "SE.SCR", "F.DM", "1", "IT.PREG"),
        ("B1-001", "SE.AE", "F.AE", "1", "IT.AETERM"),
        ("B1-001", "SE.AE", "F.AE", "1", "IT.AESTDAT"),
        ("B1-001", "SE.AE", "F.AE", "2", "IT.AETERM"),
        ("B1-001", "SE.AE", "F.AE", "2", "IT.AESTDAT"),
        ("B1-001", "SE.AE", "F.AE", "2", "IT.AESER"),
    ]


def test_long_csv_marks_verified_values(edc_world):
    _enter(edc_world)
    ItemData.objects.filter(item_def__oid="IT.HEIGHT").update(verified=True)  # SDV is another helper's service
    rows = _long(edc_world.study)
    assert {r[9]: r[15] for r in rows[1:] if r[1] == "A1-001" and r[2] == "SE.SCR"}["IT.HEIGHT"] == "Y"
    assert {r[15] for r in rows[1:] if r[9] != "IT.HEIGHT"} == {"N"}


def test_csv_neutralises_formulas(edc_world, tmp_path):
    form_save(
        actor=None,
        subject=edc_world.subject_a,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=[ItemEntry("IT.AETERM", '=HYPERLINK("http://x")'), ItemEntry("IT.AESTDAT", "2026")],
    )
    [row] = [r for r in _long(edc_world.study)[1:] if r[9] == "IT.AETERM"]
    assert row[11] == '\'=HYPERLINK("http://x")'
    assert _wide(edc_world.study, tmp_path)["F.AE.csv"][1][7] == '\'=HYPERLINK("http://x")'


# --- CSV, wide ---------------------------------------------------------------------------------


def test_wide_tables_one_per_form_with_decode_columns_and_ae_group_rows(edc_world, tmp_path):
    _enter(edc_world)
    files = _wide(edc_world.study, tmp_path)
    assert list(files) == ["F.DM.csv", "F.VS.csv", "F.AE.csv"]  # schedule order of the build
    dm = files["F.DM.csv"]
    assert dm[0] == [
        *KEYS, "IT.BRTHDAT", "IT.SEX", "IT.SEX_DECODE", "IT.PREG", "IT.PREG_DECODE", "IT.RACE", "IT.RACE_DECODE"
    ]  # fmt: skip
    assert dm[1:] == [
        ["A1", "A1-001", "SE.SCR", "1", "2026-03-02", "1", "", "F", "Female", "", "", "1,3", "Asian; White"],
        ["B1", "B1-001", "SE.SCR", "1", "", "1", "", "M", "Male", "", "", "", ""],
    ]
    vs = files["F.VS.csv"]
    assert vs[0] == [*KEYS, "IT.WEIGHT", "IT.HEIGHT", "IT.BMI", "IT.SYSBP", "IT.DIABP"]
    assert vs[1:] == [
        ["A1", "A1-001", "SE.SCR", "1", "2026-03-02", "1", "70.5", "172", "23.8", "120", ""],
        ["A1", "A1-001", "SE.W4", "1", "", "1", "71", "", "", "", ""],
    ]
    ae = files["F.AE.csv"]
    assert ae[0] == [*KEYS, "GROUP_REPEAT", "IT.AETERM", "IT.AESTDAT", "IT.AEENDAT", "IT.AESER", "IT.AESER_DECODE"]
    assert ae[1:] == [
        ["B1", "B1-001", "SE.AE", "1", "", "1", "1", "Headache", "2026-03", "", "", ""],
        ["B1", "B1-001", "SE.AE", "1", "", "1", "2", "Nausea", "2026-04-02", "", "0", "No"],
    ]


def test_wide_tables_of_an_empty_study_are_headers_only(edc_world, tmp_path):
    files = _wide(edc_world.study, tmp_path)
    assert {name: len(rows) for name, rows in files.items()} == {"F.DM.csv": 1, "F.VS.csv": 1, "F.AE.csv": 1}


def test_table_file_names_are_safe_and_unique():
    names = table_file_names(["F.AE", "F/AE", "f.ae", "../x", ""], ".csv")
    assert names == {"F.AE": "F.AE.csv", "F/AE": "F_AE.csv", "f.ae": "f.ae-2.csv", "../x": "x.csv", "": "form.csv"}


def test_reads_the_database_by_chunks_of_subjects(edc_world, monkeypatch):
    """Four queries per chunk of subjects (subjects, visits, forms, values), whatever the chunk holds."""
    _enter(edc_world)
    catalog = catalog_load(edc_world.study)
    monkeypatch.setattr(tables, "CHUNK", 1)
    with CaptureQueriesContext(connection) as one_each:
        records = list(form_records(edc_world.study, catalog))
    monkeypatch.setattr(tables, "CHUNK", 50)
    with CaptureQueriesContext(connection) as together:
        assert [(r.subject, r.form_oid) for r in form_records(edc_world.study, catalog)] == [
            (r.subject, r.form_oid) for r in records
        ]
    assert (len(one_each), len(together)) == (1 + 2 * 4, 1 + 4)
    assert [(r.subject, r.event_oid, r.form_oid) for r in records] == [
        ("A1-001", "SE.SCR", "F.DM"),
        ("A1-001", "SE.SCR", "F.VS"),
        ("A1-001", "SE.W4", "F.VS"),
        ("B1-001", "SE.SCR", "F.DM"),
        ("B1-001", "SE.AE", "F.AE"),
    ]


# --- Excel -------------------------------------------------------------------------------------


def _sheets(path) -> dict[str, list[tuple]]:
    workbook = load_workbook(path)  # not read-only: rows come padded to the sheet's width
    return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in workbook}


def test_excel_holds_a_sheet_per_form_the_long_table_and_the_code_lists(edc_world, tmp_path):
    _enter(edc_world)
    target = tmp_path / "t.xlsx"
    counts = xlsx_write(edc_world.study, target)
    assert counts == {"F.DM": 2, "F.VS": 2, "F.AE": 2, "Long": 16, "Codes": 7}
    sheets = _sheets(target)
    assert list(sheets) == ["F.DM", "F.VS", "F.AE", "Long", "Codes"]
    assert sheets["F.VS"][1] == ("A1", "A1-001", "SE.SCR", 1, "2026-03-02", 1, 70.5, 172, 23.8, 120, None)
    assert sheets["F.AE"][0][6] == "GROUP_REPEAT"
    assert sheets["F.AE"][1:] == [
        ("B1", "B1-001", "SE.AE", 1, None, 1, 1, "Headache", "2026-03", None, None, None),
        ("B1", "B1-001", "SE.AE", 1, None, 1, 2, "Nausea", "2026-04-02", None, "0", "No"),  # codes stay text
    ]
    assert sheets["F.DM"][1][6:] == (None, "F", "Female", None, None, "1,3", "Asian; White")
    assert sheets["Long"][0] == tuple(LONG_HEADER)
    weight = next(r for r in sheets["Long"] if r[9] == "IT.WEIGHT" and r[2] == "SE.SCR")
    assert weight[11:14] == (70.5, None, "kg")
    assert sheets["Codes"] == [
        ("CODE_LIST_OID", "CODE_LIST_NAME", "CODED_VALUE", "DECODE"),
        ("CL.NY", "No Yes", "1", "Yes"),
        ("CL.NY", "No Yes", "0", "No"),
        ("CL.RACE", "Race", "1", "Asian"),
        ("CL.RACE", "Race", "2", "Black"),
        ("CL.RACE", "Race", "3", "White"),
        ("CL.SEX", "Sex", "F", "Female"),
        ("CL.SEX", "Sex", "M", "Male"),
    ]


def test_excel_leaves_out_the_long_sheet_at_the_limit(edc_world, tmp_path, monkeypatch):
    _enter(edc_world)
    monkeypatch.setattr(excel, "LONG_LIMIT", 16)  # 16 values: not under the limit
    assert "Long" not in xlsx_write(edc_world.study, tmp_path / "t.xlsx")
    assert list(_sheets(tmp_path / "t.xlsx")) == ["F.DM", "F.VS", "F.AE", "Codes"]


def test_excel_keeps_formula_like_text_as_text(edc_world, tmp_path):
    form_save(
        actor=None,
        subject=edc_world.subject_a,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=[ItemEntry("IT.AETERM", "=1+1"), ItemEntry("IT.AESTDAT", "2026")],
    )
    xlsx_write(edc_world.study, tmp_path / "t.xlsx")
    cell = load_workbook(tmp_path / "t.xlsx")["F.AE"]["H2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_sheet_names_fit_excel():
    long_oid = "F.A_VERY_LONG_FORM_OID_THAT_EXCEEDS_THIRTY_ONE"
    names = sheet_names([long_oid, long_oid + "_2", "F[1]:x*?/\\", "long", "history", "F.DM", "f.dm"])
    assert names == {
        long_oid: "F.A_VERY_LONG_FORM_OID_THAT_EXC",
        long_oid + "_2": "F.A_VERY_LONG_FORM_OID_THAT_E~2",
        "F[1]:x*?/\\": "F_1__x____",
        "long": "long~2",
        "history": "history~2",
        "F.DM": "F.DM",
        "f.dm": "f.dm~2",
    }
    assert all(len(n) <= 31 for n in names.values())


# --- site scope, jobs, downloads ---------------------------------------------------------------


def test_a_site_a_user_exports_hold_no_b1_subject(edc_world, tmp_path):
    _enter(edc_world)
    access = access_for(edc_world.users["investigator"], edc_world.study.pk)
    assert access.site_ids == {edc_world.site_a.pk}
    long = _long(edc_world.study, access.site_ids)
    assert {r[1] for r in long[1:]} == {"A1-001"}
    wide = _wide(edc_world.study, tmp_path, access.site_ids)
    assert {r[1] for rows in wide.values() for r in rows[1:]} == {"A1-001"}
    assert len(wide["F.AE.csv"]) == 1
    xlsx_write(edc_world.study, tmp_path / "a.xlsx", site_ids=access.site_ids)
    assert "B1-001" not in str(_sheets(tmp_path / "a.xlsx"))


@pytest.fixture
def eager(settings, tmp_path):
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""
    settings.VAR_DIR = tmp_path


def _start(client, world, fmt: str, capture):
    with capture(execute=True):
        response = client.post(f"/studies/{world.study.pk}/edc/exports/start/", {"format": fmt})
    job = Job.objects.filter(name="edc.export_tables").latest("pk")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.status == "succeeded", job.error
    return job


@pytest.mark.parametrize(
    ("fmt", "content_type", "suffix"),
    [("csv-long", "text/csv; charset=utf-8", "csv"), ("csv-wide", "application/zip", "zip"), ("xlsx", XLSX, "xlsx")],
)
def test_export_job_writes_a_file_only_its_starter_downloads(
    edc_world, eager, login, django_capture_on_commit_callbacks, fmt, content_type, suffix
):
    _enter(edc_world)
    client = login(edc_world.users["investigator"])
    job = _start(client, edc_world, fmt, django_capture_on_commit_callbacks)
    assert job.params == {"fmt": fmt} and job.result["format"] == fmt
    download = client.get(job.result["download"])
    assert download.status_code == 200 and download["Content-Type"] == content_type
    stem = {"csv-long": "clinical-long", "csv-wide": "clinical-wide", "xlsx": "clinical"}[fmt]
    assert download["Content-Disposition"] == f'attachment; filename="T-001-{stem}-{job.pk}.{suffix}"'
    body = streamed(download)
    if fmt == "csv-long":
        assert job.result["rows"] == 9 and b"A1-001" in body and b"B1-001" not in body  # the starter's site only
    elif fmt == "csv-wide":
        assert job.result["tables"] == {"F.DM.csv": 1, "F.VS.csv": 2, "F.AE.csv": 0}
        assert zipfile.ZipFile(io.BytesIO(body)).namelist() == ["F.DM.csv", "F.VS.csv", "F.AE.csv"]
    else:
        assert job.result["sheets"] == {"F.DM": 1, "F.VS": 2, "F.AE": 0, "Long": 9, "Codes": 7}
    assert login(edc_world.users["data_manager"]).get(job.result["download"]).status_code == 403


def test_odm_export_still_downloads_as_xml(edc_world, eager, login, django_capture_on_commit_callbacks):
    _enter(edc_world)
    client = login(edc_world.users["data_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/studies/{edc_world.study.pk}/edc/data/export/")
    job = Job.objects.get(name="edc.export_odm")
    download = client.get(job.result["download"])
    assert download["Content-Type"] == "application/xml"
    assert download["Content-Disposition"] == f'attachment; filename="T-001-clinical-{job.pk}.xml"'
    assert b'ItemOID="IT.WEIGHT" Value="70.5"' in streamed(download)


def test_exports_page_lists_formats_and_the_starters_exports(
    edc_world, eager, login, django_capture_on_commit_callbacks
):
    client = login(edc_world.users["data_manager"])
    page = client.get(f"/studies/{edc_world.study.pk}/edc/exports/").content.decode()
    for fmt in ("csv-long", "csv-wide", "xlsx"):
        assert f'data-testid="export-{fmt}"' in page
    job = _start(client, edc_world, "xlsx", django_capture_on_commit_callbacks)
    page = client.get(f"/studies/{edc_world.study.pk}/edc/exports/").content.decode()
    assert f"/studies/{edc_world.study.pk}/edc/exports/{job.pk}/" in page


def test_export_start_refuses_an_unknown_format(edc_world, login):
    client = login(edc_world.users["data_manager"])
    response = client.post(f"/studies/{edc_world.study.pk}/edc/exports/start/", {"format": "sas"})
    assert response.status_code == 302 and response["Location"] == f"/studies/{edc_world.study.pk}/edc/exports/"
    assert not Job.objects.filter(name="edc.export_tables").exists()


def test_api_starts_an_export_and_serves_its_file_to_its_starter(
    edc_world, eager, login, django_capture_on_commit_callbacks
):
    _enter(edc_world)
    client = login(edc_world.users["data_manager"])
    base = f"/api/v1/studies/{edc_world.study.pk}/edc/exports"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(base, {"format": "csv-long"}, content_type="application/json")
    assert response.status_code == 201, response.content
    job_id = response.json()["job_id"]
    assert response.json()["name"] == "edc.export_tables"
    download = client.get(f"{base}/{job_id}/file")
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    rows = csv_rows(streamed(download))
    assert {r[1] for r in rows[1:]} == {"A1-001", "B1-001"}
    assert login(edc_world.users["monitor"]).get(f"{base}/{job_id}/file").status_code == 403
    assert client.get(f"{base}/999999/file").status_code == 404
    bad = client.post(base, {"format": "sas"}, content_type="application/json")
    assert bad.status_code == 422


# --- casebook PDF ------------------------------------------------------------------------------


def _pdf(client, world, subject):
    return client.get(f"/studies/{world.study.pk}/edc/subjects/{subject.pk}/casebook.pdf")


def test_casebook_pdf_prints_cover_visits_forms_values_and_queries(edc_world, login):
    _enter(edc_world)
    response = _pdf(login(edc_world.users["data_manager"]), edc_world, edc_world.subject_a)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="casebook-T-001-A1-001-\d{8}T\d{6}Z\.pdf"', response["Content-Disposition"]
    )
    assert "no-store" in response["Cache-Control"]
    data = streamed(response)
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # portrait A4
    text = pdf_text(data)
    for shown in (
        "Subject casebook",
        "T-001, Study T-001",
        "A1, Alpha Hospital",
        "MDV.1 \\(v1, Build 1\\)",
        "Data-Manager Tester \\(data-manager\\)",
        "The casebook is not signed.",
        "Protocol T-001 \\267 Subject A1-001 \\267 Site A1",
        "Screening \\(SE.SCR\\)",
        "Visit date: 2026-03-02 \\267 Status: Started",
        "Demographics \\(F.DM\\)",
        "Female \\(F\\)",
        "Asian \\(1\\); White \\(3\\)",
        "Not done: refused",
        "Vital signs \\(F.VS\\)",
        "70.5",
        "23.8",
        "mmHg",
        "Week 4 \\(SE.W4\\)",
        "Adverse events \\(SE.AE\\)",
        "Not started.",
        "Required item is missing.",
        "Audit trail",
        "SE.SCR F.VS IT.WEIGHT",
    ):
        assert f"({shown}) Tj" in text, shown
    pages = int(re.search(r"\(page 1 of (\d+)\) Tj", text).group(1))
    assert f"(page {pages} of {pages}) Tj" in text
    # schedule order: screening, its forms, then week 4, then the AE log
    assert text.index("(Screening \\(SE.SCR\\)) Tj") < text.index("(Demographics \\(F.DM\\)) Tj")
    assert text.index("(Vital signs \\(F.VS\\)) Tj") < text.index("(Week 4 \\(SE.W4\\)) Tj")
    assert text.index("(Week 4 \\(SE.W4\\)) Tj") < text.index("(Adverse events \\(SE.AE\\)) Tj")
    assert "B1-001" not in text and "Arm " not in text and "R-A1-001" not in text  # no other subject, no arm


def test_casebook_pdf_leaves_out_hidden_items(edc_world, login):
    _enter(edc_world)
    client = login(edc_world.users["data_manager"])
    female = pdf_text(streamed(_pdf(client, edc_world, edc_world.subject_a)))
    male = pdf_text(streamed(_pdf(client, edc_world, edc_world.subject_b)))
    assert "(Preg) Tj" in female
    assert "(Preg) Tj" not in male and "(Male \\(M\\)) Tj" in male  # pregnancy is hidden for men
    assert "(Adverse events #2) Tj" in male and "(Nausea) Tj" in male and "(No \\(0\\)) Tj" in male


def test_casebook_pdf_shows_signatures_valid_then_broken(edc_world, login):
    _enter(edc_world)
    investigator = edc_world.users["investigator"]
    casebook_signoff(actor=investigator, subject=edc_world.subject_a, password=PASSWORD, meaning="approve")
    form = FormData.objects.get(subject=edc_world.subject_a, form_oid="F.DM")
    signature_apply(actor=investigator, password=PASSWORD, instance=form, meaning="review")
    client = login(edc_world.users["data_manager"])
    text = pdf_text(streamed(_pdf(client, edc_world, edc_world.subject_a)))
    assert "(Casebook e-signatures) Tj" in text and "(Form e-signatures) Tj" in text
    assert text.count("(Investigator Tester) Tj") == 2
    assert "(I approve) Tj" in text and "(I have reviewed) Tj" in text
    assert text.count("(valid) Tj") == 2 and "BROKEN" not in text
    form_save(
        actor=edc_world.users["study_coordinator"],
        subject=edc_world.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "72")],
        reason="transcription error",
    )
    text = pdf_text(streamed(_pdf(client, edc_world, edc_world.subject_a)))
    assert "(BROKEN on " in text and text.count("(valid) Tj") == 1  # the casebook's; the DM form did not change
    assert "(transcription error) Tj" in text  # the change's reason, in the audit trail


def test_casebook_pdf_audit_trail_only_for_readers_of_the_trail(edc_world, login):
    _enter(edc_world)
    text = pdf_text(streamed(_pdf(login(edc_world.users["study_coordinator"]), edc_world, edc_world.subject_a)))
    assert "(Audit trail) Tj" not in text and "SE.SCR F.VS IT.WEIGHT" not in text
    assert "your role does not include reading it." in text


def test_casebook_pdf_of_another_sites_subject_is_404(edc_world, login):
    _enter(edc_world)
    client = login(edc_world.users["investigator"])
    assert _pdf(client, edc_world, edc_world.subject_b).status_code == 404
    assert _pdf(client, edc_world, edc_world.subject_a).status_code == 200
    api = f"/api/v1/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_b.pk}/casebook.pdf"
    assert client.get(api).status_code == 404
    own = client.get(api.replace(str(edc_world.subject_b.pk), str(edc_world.subject_a.pk)))
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"
    assert login(edc_world.outsider).get(api).status_code == 404


def test_casebook_page_links_the_pdf(edc_world, login):
    page = login(edc_world.users["investigator"]).get(
        f"/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/"
    )
    assert f'href="/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/casebook.pdf"' in (
        page.content.decode()
    )


def test_casebook_pdf_without_data_says_not_started(edc_world):
    out = io.BytesIO()
    pages = casebook_pdf_write(edc_world.subject_a, system_meta(edc_world.study), out, compress=False)
    text = pdf_text(out.getvalue())
    assert pages == 3 and text.count("(Not started.) Tj") == 3  # cover, three visits, an empty audit trail
    assert "(system \\(opencro command line\\)) Tj" in text and "(page 3 of 3) Tj" in text
    assert "(0 records of this subject" in text


# --- CLI ---------------------------------------------------------------------------------------

runner = CliRunner()


def test_cli_export_tables_and_casebook_pdf(edc_world, tmp_path):
    _enter(edc_world)
    long = tmp_path / "long.csv"
    result = runner.invoke(
        app, ["edc", "export-tables", "--study", "T-001", "--format", "csv-long", "--out", str(long)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(long.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 17 and {r[1] for r in rows[1:]} == {"A1-001", "B1-001"}  # the system sees every site
    book = tmp_path / "t.xlsx"
    result = runner.invoke(
        app, ["edc", "export-tables", "--study", "T-001", "--format", "xlsx", "--out", str(book), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert '"Long": 16' in result.output and list(_sheets(book))[-1] == "Codes"
    wide = tmp_path / "wide.zip"
    result = runner.invoke(
        app, ["edc", "export-tables", "--study", "T-001", "--format", "csv-wide", "--out", str(wide)]
    )
    assert result.exit_code == 0 and zipfile.ZipFile(wide).namelist() == ["F.DM.csv", "F.VS.csv", "F.AE.csv"]
    bad = runner.invoke(app, ["edc", "export-tables", "--study", "T-001", "--format", "sas", "--out", str(wide)])
    assert bad.exit_code == 1 and "unknown format 'sas'" in bad.output
    pdf = tmp_path / "a.pdf"
    result = runner.invoke(app, ["edc", "casebook-pdf", "--study", "T-001", "--subject", "A1-001", "--out", str(pdf)])
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-") and "Wrote the casebook of A1-001" in result.output
    assert "(Audit trail) Tj" in pdf_text(pdf.read_bytes())
    missing = runner.invoke(app, ["edc", "casebook-pdf", "--study", "T-001", "--subject", "Z9", "--out", str(pdf)])
    assert missing.exit_code == 1 and "T-001 has no subject Z9" in missing.output
