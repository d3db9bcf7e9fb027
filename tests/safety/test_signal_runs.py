"""Signal runs: started by the service, the page or the API, run as a background job (eagerly here), recorded as
the study's signals with their evidence; the products-of-interest filter; the study's own cases as the source; a
bad file failing with located problems and writing nothing; who may start and read runs.

The report table (`tests.safety.signal_reports.reports_csv`) is built so that the expected candidates follow from
the 2x2 tables by hand (see there).
"""

import csv
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from opencro.accounts.models import Role
from opencro.accounts.permissions import Perm
from opencro.accounts.services import membership_grant, token_create
from opencro.audit.models import AuditRecord
from opencro.jobs.models import JobStatus
from opencro.safety.jobs import points_file, table_file
from opencro.safety.models import (
    CaseEvent,
    CaseProduct,
    CaseVersion,
    ProductRole,
    SafetyCase,
    Signal,
    SignalEvidence,
    SignalRun,
    SignalSource,
    SignalStatus,
)
from opencro.safety.services.signal_runs import finite, signal_run_start
from tests.conftest import make_user
from tests.safety.signal_reports import reports_csv

pytestmark = pytest.mark.django_db

EVANS_ONLY = {"use_eb05": False, "use_ic025": False}


def _file(content: bytes | None = None, name: str = "reports.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, reports_csv() if content is None else content, content_type="text/csv")


@pytest.fixture
def jobs_here(settings, tmp_path, django_capture_on_commit_callbacks):
    """Jobs run eagerly, once the starting transaction commits; uploads and exports under tmp_path."""
    settings.OPENCRO_JOBS_EAGER = True
    settings.VAR_DIR = tmp_path

    def run(start):
        with django_capture_on_commit_callbacks(execute=True):
            result = start()
        return result

    return run


def _start(world, jobs_here, *, user="safety_physician", content=None, products=(), thresholds=None, **options):
    def go():
        return signal_run_start(
            actor=world.users[user],
            study=world.study,
            source=SignalSource.TABLE,
            upload=[_file(content)],
            options={"product_col": "drug", "event_col": "reaction", **options},
            thresholds=thresholds if thresholds is not None else EVANS_ONLY,
            products=list(products),
        )

    run = jobs_here(go)
    run.refresh_from_db()
    run.job.refresh_from_db()
    return run


def _pairs(queryset) -> set[tuple[str, str]]:
    return {(s.product, s.event) for s in queryset}


def test_a_run_creates_signals_and_their_evidence(safety_world, jobs_here, tmp_path):
    run = _start(safety_world, jobs_here)
    assert run.job.status == JobStatus.SUCCEEDED, run.job.error
    assert (run.reports, run.candidates) == (100, 3)
    assert run.finished_at is not None and run.prior["converged"] in (True, False)
    signals = Signal.objects.filter(study=safety_world.study)
    # Placebix/Nausea: PRR = (45/48) / (2/52) = 24.4 with n = 45, also an Evans signal
    assert _pairs(signals) == {("Cardiozan", "Rash"), ("Aspirin", "Headache"), ("Placebix", "Nausea")}
    rash = signals.get(product="Cardiozan", event="Rash")
    assert (rash.status, rash.first_run_id) == (SignalStatus.NEW, run.pk)
    evidence = SignalEvidence.objects.get(signal=rash, run=run)
    assert evidence.n == 8 and evidence.criteria == ["evans"]
    assert evidence.prr == pytest.approx((8 / 10) / (3 / 90))
    assert AuditRecord.objects.filter(object_type="safety.signal", object_id=str(rash.pk)).exists()
    assert AuditRecord.objects.filter(object_type="safety.signalevidence", object_id=str(evidence.pk)).exists()
    # the upload is gone; the full table and the plot's points are kept
    assert not any((tmp_path / "uploads").iterdir())
    with table_file(run.job_id).open() as table:
        rows = list(csv.DictReader(table))
    assert len(rows) == run.pairs and {r["criteria"] for r in rows if r["candidate"] == "True"} == {"evans"}
    assert len(json.loads(points_file(run.job_id).read_text())) == run.pairs


def test_a_second_run_adds_evidence_to_the_same_signal(safety_world, jobs_here):
    first = _start(safety_world, jobs_here)
    second = _start(safety_world, jobs_here, thresholds={})  # every criterion on
    rash = Signal.objects.get(study=safety_world.study, product="Cardiozan", event="Rash")
    assert rash.first_run_id == first.pk
    assert set(rash.evidence.values_list("run_id", flat=True)) == {first.pk, second.pk}
    assert Signal.objects.filter(study=safety_world.study).count() == len(
        {e.signal_id for e in SignalEvidence.objects.filter(run__in=[first, second])}
    )


def test_a_pair_named_in_another_case_is_the_same_signal(safety_world, jobs_here):
    """FAERS upper-cases names; a second source's "CARDIOZAN"/"RASH" is evidence for the signal "Cardiozan"/"Rash"."""
    first = _start(safety_world, jobs_here)
    second = _start(
        safety_world,
        jobs_here,
        content=reports_csv().upper().replace(b"REPORT,DRUG,REACTION", b"report,drug,reaction"),
    )
    rash = Signal.objects.get(study=safety_world.study, product="Cardiozan", event="Rash")
    assert set(rash.evidence.values_list("run_id", flat=True)) == {first.pk, second.pk}
    assert not Signal.objects.filter(study=safety_world.study, product="CARDIOZAN").exists()


def test_products_of_interest_restrict_the_candidates(safety_world, jobs_here):
    run = _start(safety_world, jobs_here, products=["  cardiozan ", "CARDIOZAN", ""])
    assert run.products == ["cardiozan"]
    assert run.candidates == 1
    assert _pairs(Signal.objects.filter(study=safety_world.study)) == {("Cardiozan", "Rash")}
    points = json.loads(points_file(run.job_id).read_text())
    assert {p[3] for p in points} == {"Cardiozan"}


def test_min_n_and_min_count(safety_world, jobs_here):
    run = _start(safety_world, jobs_here, thresholds={**EVANS_ONLY, "min_n": 9}, min_count=3)
    assert _pairs(Signal.objects.filter(study=safety_world.study)) == {("Aspirin", "Headache"), ("Placebix", "Nausea")}
    with table_file(run.job_id).open() as table:
        assert min(int(r["n"]) for r in csv.DictReader(table)) >= 3


def test_a_bad_csv_fails_with_located_problems_and_writes_nothing(safety_world, jobs_here, tmp_path):
    bad = b"report,drug,reaction\nR1,Cardiozan,Rash\nR2,Cardiozan\nR3,,Rash\n"
    run = _start(safety_world, jobs_here, content=bad)
    assert run.job.status == JobStatus.FAILED
    assert "reports.csv rejected, nothing was written" in run.job.error
    assert "line 3" in run.job.error and "line 4" in run.job.error
    assert str(tmp_path) not in run.job.error
    assert run.finished_at is None and run.reports is None
    assert not Signal.objects.filter(study=safety_world.study).exists()
    assert not any((tmp_path / "uploads").iterdir())
    assert not table_file(run.job_id).exists()


def test_a_missing_column_is_named(safety_world, jobs_here):
    run = _start(safety_world, jobs_here, report_col="case_id")
    assert run.job.status == JobStatus.FAILED and "case_id" in run.job.error


def _case(world, number: str, products: list[tuple[str, str]], events: list[tuple[str, str]], status="open"):
    """A case with one (latest) version: products (name, role), events (verbatim, pt_name)."""
    case = SafetyCase.objects.create(
        study=world.study, number=number, source="spontaneous", status=status, initial_received_on="2026-11-01"
    )
    version = CaseVersion.objects.create(case=case, study=world.study, number=1, received_on="2026-11-01")
    for key, (name, role) in enumerate(products):
        CaseProduct.objects.create(version=version, key=f"P{key}", role=role, name=name)
    for key, (verbatim, pt) in enumerate(events):
        CaseEvent.objects.create(version=version, key=f"E{key}", verbatim=verbatim, pt_name=pt)
    return case


def test_the_study_cases_as_source(safety_world, jobs_here):
    from opencro.safety.signal_sources import reports_from_cases

    suspect, concomitant = ProductRole.SUSPECT, ProductRole.CONCOMITANT
    for i in range(6):
        _case(safety_world, f"X-{i}", [("Cardiozan", suspect), ("Aspirin", concomitant)], [("rash on arm", "Rash")])
    for i in range(6, 16):
        _case(safety_world, f"X-{i}", [("Statinol", ProductRole.INTERACTING)], [("head pain", "")])
    _case(safety_world, "X-dup", [("Cardiozan", suspect)], [("itch", "Pruritus")], status="duplicate")
    rows = reports_from_cases(safety_world.study.pk)
    assert set(rows["product"]) == {"Cardiozan", "Statinol"}  # concomitant Aspirin left out
    assert set(rows["event"]) == {"Rash", "head pain"}  # the PT, or the verbatim while uncoded
    assert "X-dup" not in set(rows["report"])

    def go():
        return signal_run_start(
            actor=safety_world.users["safety_physician"],
            study=safety_world.study,
            source=SignalSource.CASES,
            options={},
            thresholds=EVANS_ONLY,
            products=[],
        )

    run = jobs_here(go)
    run.refresh_from_db()
    assert run.job.status == JobStatus.SUCCEEDED, run.job.error
    assert run.reports == 16 and run.source_name == ""
    # Cardiozan/Rash (a = 6, b = c = 0, d = 10): PRR = (6/6) / (0/10) = inf, Yates chi2 = 16 (|60 - 0| - 8)^2 /
    # (6 10 6 10) = 12.02 >= 4 with n = 6: an Evans signal; Statinol/head pain (a = 10, d = 6) likewise
    assert run.candidates == 2
    assert _pairs(Signal.objects.filter(study=safety_world.study)) == {("Cardiozan", "Rash"), ("Statinol", "head pain")}
    rash = SignalEvidence.objects.get(run=run, signal__event="Rash")
    assert rash.prr is None  # inf stored as None
    assert rash.chi2 == pytest.approx(16 * 52**2 / 3600)


def _kwargs(world) -> dict:
    return {
        "actor": world.users["safety_physician"],
        "study": world.study,
        "source": SignalSource.CASES,
        "options": {},
        "thresholds": EVANS_ONLY,
        "products": [],
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"source": "vigibase"}, "source"),
        ({"thresholds": {"prr": 0}}, "prr"),
        ({"thresholds": {"min_n": "three"}}, "min_n"),
        ({"thresholds": {"use_evans": False, "use_eb05": False, "use_ic025": False}}, "use_evans"),
        ({"options": {"min_count": 0}}, "min_count"),
        ({"upload": [SimpleUploadedFile("x.csv", b"a")]}, "file"),
        ({"source": SignalSource.TABLE}, "file"),
        ({"source": SignalSource.FAERS, "upload": [SimpleUploadedFile("q.csv", b"a")]}, "file"),
        ({"source": SignalSource.FAERS, "options": {"roles": ["PS", "XX"]}, "upload": [_file(b"", "q.zip")]}, "roles"),
        ({"source": SignalSource.TABLE, "upload": [_file()], "options": {"event_col": "report"}}, "event_col"),
        ({"products": ["x" * 251]}, "products"),
    ],
)
def test_bad_settings_are_refused_with_located_errors(safety_world, tmp_path, settings, change, field):
    settings.VAR_DIR = tmp_path
    with pytest.raises(ValidationError) as caught:
        signal_run_start(**{**_kwargs(safety_world), **change})
    assert field in caught.value.message_dict
    assert not SignalRun.objects.exists()
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_who_may_start_a_run(safety_world):
    for role in ("investigator", "auditor", "data_manager"):
        with pytest.raises(PermissionDenied):
            signal_run_start(**{**_kwargs(safety_world), "actor": safety_world.users[role]})
    site_editor = make_user("site-safety")
    role = Role.objects.create(
        study=safety_world.study,
        code="site_safety",
        name="Site safety",
        permissions=[Perm.STUDY_VIEW, Perm.SAFETY_VIEW, Perm.SAFETY_EDIT],
    )
    membership_grant(
        actor=safety_world.admin,
        user=site_editor,
        study=safety_world.study,
        role_code=role.code,
        sites=[safety_world.site_a],
    )
    with pytest.raises(PermissionDenied):
        signal_run_start(**{**_kwargs(safety_world), "actor": site_editor})
    assert not SignalRun.objects.exists()


def test_finite():
    assert [finite(v) for v in (1.5, float("inf"), float("-inf"), float("nan"), None, "x")] == [1.5] + [None] * 5


# ---- pages -------------------------------------------------------------------------------------------------------


def _page(world, name: str = "signal_runs", *ids: int) -> str:
    return reverse(f"safety:{name}", args=[world.study.pk, *ids])


FORM = {
    "source": "table",
    "report_col": "report",
    "product_col": "drug",
    "event_col": "reaction",
    "min_count": "1",
    "min_n": "3",
    "use_evans": "on",
    "prr": "2",
    "chi2": "4",
    "eb05": "2",
    "ic025": "0",
    "products": "Cardiozan\nAspirin",
}


def test_the_page_starts_a_run_and_shows_it(safety_world, login, jobs_here):
    client = login(safety_world.users["safety_physician"])
    listing = client.get(_page(safety_world))
    assert listing.status_code == 200
    assert listing.context["form"].initial["products"] == "Cardiozan"  # the study's product, pre-filled
    response = jobs_here(lambda: client.post(_page(safety_world), {**FORM, "file": _file()}))
    run = SignalRun.objects.get()
    assert response.status_code == 302 and response.url == _page(safety_world, "signal_run", run.pk)
    assert run.thresholds["use_eb05"] is False and run.products == ["Cardiozan", "Aspirin"]
    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    pairs = {(e.signal.product, e.signal.event) for e in page.context["candidates"]}
    assert pairs == {("Aspirin", "Headache"), ("Cardiozan", "Rash")}  # Placebix is not of interest
    for e in page.context["candidates"]:  # each candidate links to its signal's review page
        assert f'href="{reverse("safety:signal", args=[safety_world.study.pk, e.signal_id])}"' in html
    eb05 = [e.eb05 for e in page.context["candidates"]]
    assert eb05 == sorted(eb05, reverse=True)
    assert 'data-testid="run-chart"' in html and html.count('data-candidate="1"') == 2
    assert "EB05 threshold" not in html  # the EB05 criterion was off: no threshold line
    table = client.get(_page(safety_world, "signal_run_table", run.pk))
    assert table.status_code == 200 and table["Content-Type"] == "text/csv"
    assert b"".join(table.streaming_content).startswith(b"product,event,n,expected,prr")
    listing = client.get(_page(safety_world)).content.decode()
    assert f'data-run="{run.pk}"' in listing


def test_the_page_shows_located_errors(safety_world, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = login(safety_world.users["safety_physician"])
    response = client.post(_page(safety_world), {**FORM, "prr": "0", "event_col": "report", "file": _file()})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "event_col" in errors or "prr" in errors
    response = client.post(_page(safety_world), {**FORM})  # no file
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not SignalRun.objects.exists()


def test_a_running_run_shows_the_progress_bar(safety_world, login, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # the job is not run: the transaction's callbacks are not executed
    run = signal_run_start(**_kwargs(safety_world))
    client = login(safety_world.users["auditor"])
    page = client.get(_page(safety_world, "signal_run", run.pk)).content.decode()
    assert 'data-testid="job-progress"' in page and _page(safety_world, "signal_run_progress", run.pk) in page
    polled = client.get(_page(safety_world, "signal_run_progress", run.pk))
    assert polled.status_code == 200 and "HX-Refresh" not in polled
    assert client.get(_page(safety_world, "signal_run_table", run.pk)).status_code == 404
    assert 'data-testid="job-progress"' in client.get(_page(safety_world)).content.decode()


def test_a_study_without_cases_fails_the_run(safety_world, jobs_here):
    run = jobs_here(lambda: signal_run_start(**_kwargs(safety_world)))
    run.refresh_from_db()
    assert run.job.status == JobStatus.FAILED and "no report has both a product and an event" in run.job.error
    assert run.finished_at is None


def test_readers_are_study_wide_safety_staff(safety_world, login, jobs_here):
    run = _start(safety_world, jobs_here)
    urls = [_page(safety_world), _page(safety_world, "signal_run", run.pk)]
    urls += [_page(safety_world, "signal_run_table", run.pk), _page(safety_world, "signal_run_progress", run.pk)]
    for role, status in (("auditor", 200), ("investigator", 403), ("data_manager", 403)):
        client = login(safety_world.users[role])
        assert [client.get(u).status_code for u in urls] == [status] * 4, role
    auditor = login(safety_world.users["auditor"])
    assert auditor.post(_page(safety_world), FORM).status_code == 403
    assert 'data-testid="run-form"' not in auditor.get(_page(safety_world)).content.decode()
    assert auditor.get(_page(safety_world, "signal_run", run.pk + 999)).status_code == 404


# ---- API ---------------------------------------------------------------------------------------------------------


def _api(world, tail: str = "") -> str:
    return f"/api/v1/studies/{world.study.pk}/safety/signal-runs{tail}"


def _bearer(world, role: str) -> dict:
    user = world.users[role]
    _token, key = token_create(actor=user, user=user, name="signal-runs-test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_the_api_starts_a_run_and_returns_its_candidates(safety_world, client, jobs_here):
    auth = _bearer(safety_world, "safety_physician")
    body = {"file": _file(), "product_col": "drug", "event_col": "reaction", "use_eb05": "false", "use_ic025": "false"}
    started = jobs_here(lambda: client.post(_api(safety_world), body, **auth))
    assert started.status_code == 201, started.content
    run_id = started.json()["id"]
    detail = client.get(_api(safety_world, f"/{run_id}"), **auth).json()
    assert detail["status"] == "finished" and detail["candidates"] == 3
    pairs = {(c["product"], c["event"]) for c in detail["candidate_pairs"]}
    assert pairs == {("Cardiozan", "Rash"), ("Aspirin", "Headache"), ("Placebix", "Nausea")}
    assert all(c["criteria"] == ["evans"] for c in detail["candidate_pairs"])
    listed = client.get(_api(safety_world), **auth).json()
    assert [r["id"] for r in listed] == [run_id]
    table = client.get(_api(safety_world, f"/{run_id}/table"), **auth)
    assert table.status_code == 200 and b"".join(table.streaming_content).count(b"\n") == detail["pairs"] + 1


def test_the_api_refuses_bad_settings_and_readers_elsewhere(safety_world, client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    auth = _bearer(safety_world, "safety_physician")
    refused = client.post(_api(safety_world), {"file": _file(), "eb05": "-1"}, **auth)
    assert refused.status_code == 422 and "eb05" in refused.content.decode()
    refused = client.post(_api(safety_world), {"source": "cases", "file": _file()}, **auth)
    assert refused.status_code == 422 and "file" in refused.content.decode()
    assert client.get(_api(safety_world), **_bearer(safety_world, "investigator")).status_code == 403
    assert client.post(_api(safety_world), {"source": "cases"}, **_bearer(safety_world, "auditor")).status_code == 403
    assert not SignalRun.objects.exists()


def test_the_picture_places_pairs_on_log_scales_and_escapes_names():
    from opencro.design.charts import BOTTOM, LEFT, RIGHT, TOP, WIDTH
    from opencro.safety.signal_charts import signal_run_svg

    points = [[1, 0.1, False, "A", "x"], [10, 1.0, False, "B", "y"], [100, 10.0, True, "<C&>", "z"]]
    svg = signal_run_svg(
        points,
        2.0,
        title="Pairs",
        x_label="n",
        y_label="EB05",
        candidate_name="Candidate",
        other_name="Other",
        threshold_name="EB05 threshold",
    )
    assert svg.count('data-candidate="1"') == 1 and svg.count('data-candidate="0"') == 2
    assert "&lt;C&amp;&gt;" in svg and "<C&>" not in svg
    # n from 1 to 100 spans the x axis (two decades), EB05 from 0.1 to 10 the y axis: the points lie on a diagonal
    assert f'cx="{LEFT:.2f}" cy="{BOTTOM:.2f}"' in svg
    assert f'cx="{(LEFT + WIDTH - RIGHT) / 2:.2f}" cy="{(TOP + BOTTOM) / 2:.2f}"' in svg
    assert f'cx="{WIDTH - RIGHT:.2f}" cy="{TOP:.2f}"' in svg
    assert "EB05 threshold" in svg and ">10<" in svg and ">0.1<" in svg


def _faers_zip(tmp_path, **quarter) -> SimpleUploadedFile:
    from tests.formats.faers.helpers import write_quarter, zip_folder

    archive = zip_folder(write_quarter(tmp_path / "q", **quarter), tmp_path / "faers_ascii_2024q1.zip")
    return SimpleUploadedFile("faers_ascii_2024q1.zip", archive.read_bytes(), content_type="application/zip")


def _faers_run(world, jobs_here, upload, **options):
    def go():
        return signal_run_start(
            actor=world.users["safety_physician"],
            study=world.study,
            source=SignalSource.FAERS,
            upload=[upload],
            options=options,
            thresholds={"min_n": 1},
            products=[],
        )

    run = jobs_here(go)
    run.refresh_from_db()
    run.job.refresh_from_db()
    return run


def test_a_faers_quarter_stratified_gives_the_library_table(safety_world, jobs_here, tmp_path):
    import pandas as pd

    from opencro.formats.faers import read_faers
    from opencro.stats.signals import detect_signals
    from tests.formats.faers.helpers import EXPECTED_SUSPECT, write_quarter

    run = _faers_run(safety_world, jobs_here, _faers_zip(tmp_path / "up"), strata_col="sex")
    assert run.job.status == JobStatus.SUCCEEDED, run.job.error
    assert run.options["roles"] == ["PS", "SS"] and run.source_name == "faers_ascii_2024q1.zip"
    assert run.reports == 3  # case 100 counted once, at its latest version
    written = pd.read_csv(table_file(run.job_id))
    assert set(zip(written["product"], written["event"], strict=True)) == {(p, e) for _, p, e in EXPECTED_SUSPECT}
    library = detect_signals(read_faers(write_quarter(tmp_path / "lib"), strata="sex").table, strata_col="stratum")
    expected = library.table.reset_index(drop=True)
    pd.testing.assert_frame_equal(written[expected.columns], expected, check_dtype=False)
    assert run.prior["alpha1"] == pytest.approx(library.prior.alpha1)


def test_a_bad_faers_zip_fails_naming_the_upload(safety_world, jobs_here, tmp_path):
    from tests.formats.faers.helpers import REAC_HEADER, write, write_quarter, zip_folder

    folder = write_quarter(tmp_path / "q")  # then REAC loses its pt column
    write(folder / "ASCII" / "REAC24Q1.txt", REAC_HEADER.replace("$pt$", "$term$"), ["1002$100$Headache$"])
    upload = SimpleUploadedFile("faers_ascii_2024q1.zip", zip_folder(folder, tmp_path / "bad.zip").read_bytes())
    run = _faers_run(safety_world, jobs_here, upload)
    assert run.job.status == JobStatus.FAILED
    assert run.job.error.startswith("faers_ascii_2024q1.zip rejected, nothing was written:")
    assert "faers_ascii_2024q1.zip:ASCII/REAC24Q1.txt line 1: no column 'pt'" in run.job.error
    assert str(tmp_path) not in run.job.error
    assert not Signal.objects.exists() and run.finished_at is None
