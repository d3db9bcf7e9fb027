"""Signal runs API: list, start (multipart: the file(s) and the settings as form fields), one run with its
candidates, and its full table as CSV.

Study-wide holders of safety.view read (a site-restricted role gets 403, as on the pages); starting needs
safety.edit. Bad settings answer 422 with the field named; a bad file fails the run's job (see its `job` id).
"""

import datetime as dt

from django.http import FileResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from opencro.accounts.access import access_check
from opencro.accounts.permissions import Perm
from opencro.safety.models import SignalEvidence, SignalRun
from opencro.safety.selectors_signal_runs import signal_run_candidates, signal_run_get, signal_run_table, signal_runs
from opencro.safety.services.signal_runs import signal_run_start
from opencro.safety.signal_read import signal_access

router = Router(tags=["safety"])
BASE = "/{study_id}/safety/signal-runs"


class SafetySignalRunOut(Schema):
    id: int
    source: str
    source_name: str
    options: dict
    thresholds: dict
    products: list[str]
    job: int | None
    status: str
    progress_percent: int | None
    error: str
    reports: int | None
    pairs: int | None
    candidates: int | None
    prior: dict | None
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class SafetySignalRunCandidateOut(Schema):
    signal: int
    product: str
    event: str
    signal_status: str
    criteria: list[str]
    n: int
    expected: float | None
    prr: float | None
    prr_lower: float | None
    prr_upper: float | None
    chi2: float | None
    ror: float | None
    ror_lower: float | None
    ror_upper: float | None
    ic: float | None
    ic025: float | None
    ebgm: float | None
    eb05: float | None
    eb95: float | None


class SafetySignalRunDetailOut(SafetySignalRunOut):
    candidate_pairs: list[SafetySignalRunCandidateOut]


def _run_out(run: SignalRun) -> dict:
    job = run.job
    return {
        "id": run.pk,
        "source": run.source,
        "source_name": run.source_name,
        "options": run.options,
        "thresholds": run.thresholds,
        "products": run.products,
        "job": run.job_id,
        "status": "finished" if run.finished_at else (job.status if job is not None else "unknown"),
        "progress_percent": 100 if run.finished_at else (job.percent if job is not None else None),
        "error": job.error if job is not None else "",
        "reports": run.reports,
        "pairs": run.pairs,
        "candidates": run.candidates,
        "prior": run.prior,
        "created_by": run.created_by.printed_name,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }


def _candidate_out(e: SignalEvidence) -> dict:
    measures = ("expected", "prr", "prr_lower", "prr_upper", "chi2", "ror", "ror_lower", "ror_upper")
    measures += ("ic", "ic025", "ebgm", "eb05", "eb95")
    return {
        "signal": e.signal_id,
        "product": e.signal.product,
        "event": e.signal.event,
        "signal_status": e.signal.status,
        "criteria": e.criteria,
        "n": e.n,
        **{name: getattr(e, name) for name in measures},
    }


@router.get(BASE, response=list[SafetySignalRunOut], summary="The study's signal runs, newest first")
def run_list(request, study_id: int):
    access = signal_access(request.user, study_id)
    return [_run_out(run) for run in signal_runs(access)]


@router.post(BASE, response={201: SafetySignalRunOut}, summary="Start a signal run (multipart: file(s) and settings)")
def run_start(
    request,
    study_id: int,
    file: File[list[UploadedFile]] = None,  # not `| None`: django-ninja then drops the uploaded files
    source: Form[str] = "table",
    report_col: Form[str] = "report",
    product_col: Form[str] = "product",
    event_col: Form[str] = "event",
    strata_col: Form[str] = "",
    roles: Form[str] = "PS,SS",
    prod_ai: Form[bool] = False,
    keep_deleted: Form[bool] = False,
    min_count: Form[int] = 1,
    min_n: Form[int] = 3,
    use_evans: Form[bool] = True,
    prr: Form[float] = 2.0,
    chi2: Form[float] = 4.0,
    use_eb05: Form[bool] = True,
    eb05: Form[float] = 2.0,
    use_ic025: Form[bool] = True,
    ic025: Form[float] = 0.0,
    products: Form[str] = "",
):
    """`roles`: FAERS drug roles, comma-separated; `products`: products of interest, one per line (none: all).

    The run's job starts at once; follow it with GET …/signal-runs/{run_id} (status, progress_percent, error).
    """
    access = signal_access(request.user, study_id)
    access_check(access, Perm.SAFETY_EDIT)
    run = signal_run_start(
        actor=request.user,
        study=access.membership.study,
        source=source,
        upload=list(file or []),
        options={
            "report_col": report_col,
            "product_col": product_col,
            "event_col": event_col,
            "strata_col": strata_col,
            "roles": roles.split(","),
            "prod_ai": prod_ai,
            "keep_deleted": keep_deleted,
            "min_count": min_count,
        },
        thresholds={
            "min_n": min_n,
            "use_evans": use_evans,
            "prr": prr,
            "chi2": chi2,
            "use_eb05": use_eb05,
            "eb05": eb05,
            "use_ic025": use_ic025,
            "ic025": ic025,
        },
        products=products.splitlines(),
    )
    run = signal_run_get(access, run.pk)
    return Status(201, _run_out(run))


@router.get(BASE + "/{run_id}", response=SafetySignalRunDetailOut, summary="A signal run with its candidates")
def run_detail(request, study_id: int, run_id: int):
    """Candidates by EB05 from the highest; measures that are infinite or undefined are null."""
    access = signal_access(request.user, study_id)
    run = signal_run_get(access, run_id)
    return {**_run_out(run), "candidate_pairs": [_candidate_out(e) for e in signal_run_candidates(run)]}


@router.get(BASE + "/{run_id}/table", summary="A signal run's full table (CSV)", response={200: None})
def run_table(request, study_id: int, run_id: int):
    """Every pair with n >= min_count: the measures, whether it is a candidate and the criteria it met."""
    access = signal_access(request.user, study_id)
    run = signal_run_get(access, run_id)
    filename = f"{access.membership.study.protocol_number}-signal-run-{run.pk}.csv"
    return FileResponse(
        signal_run_table(run).open("rb"), as_attachment=True, filename=filename, content_type="text/csv"
    )
