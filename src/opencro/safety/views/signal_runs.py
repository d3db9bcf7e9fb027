"""Safety pages: signal runs, the run side of the signal workspace. The list of a study's runs with the form that
starts one, a run's page (summary, fitted prior, progress while running, candidates, picture) and its full table.

Study-wide holders of safety.view read (a site-restricted role gets 403: a run weighs every case of the study);
starting needs safety.edit. A candidate links to its signal's review page (`safety:signal`).
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opencro.accounts.access import StudyAccess, access_check
from opencro.accounts.permissions import Perm
from opencro.safety.forms_signal_runs import SignalRunForm
from opencro.safety.selectors_signal_runs import (
    signal_products_suggested,
    signal_run_candidates,
    signal_run_get,
    signal_run_points,
    signal_run_table,
    signal_runs,
)
from opencro.safety.services.signal_runs import signal_run_start
from opencro.safety.signal_charts import signal_run_svg
from opencro.safety.signal_read import signal_access

LIST_SIZE = 100


def _list(request, access: StudyAccess, form: SignalRunForm, status: int = 200):
    study = access.membership.study
    return render(
        request,
        "safety/signal_runs.html",
        {
            "study": study,
            "runs": signal_runs(access)[:LIST_SIZE],
            "form": form,
            "can_start": access.can(Perm.SAFETY_EDIT),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def runs(request, study_id: int):
    access = signal_access(request.user, study_id)
    if request.method == "GET":
        suggested = signal_products_suggested(study_id)
        return _list(request, access, SignalRunForm(initial={"products": "\n".join(suggested)}))
    access_check(access, Perm.SAFETY_EDIT)
    form = SignalRunForm(request.POST)
    if form.is_valid():
        try:
            run = signal_run_start(
                actor=request.user,
                study=access.membership.study,
                source=form.cleaned_data["source"],
                upload=request.FILES.getlist("file"),
                options=form.options(),
                thresholds=form.thresholds(),
                products=form.product_list(),
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            return redirect("safety:signal_run", study_id, run.pk)
    return _list(request, access, form)


@login_required
@require_GET
def run_page(request, study_id: int, run_id: int):
    access = signal_access(request.user, study_id)
    run = signal_run_get(access, run_id)
    thresholds = run.thresholds or {}
    chart = None
    if run.finished_at is not None:
        chart = signal_run_svg(
            signal_run_points(run),
            thresholds.get("eb05") if thresholds.get("use_eb05", True) else None,
            title=_("Pairs of the products of interest") if run.products else _("All pairs"),
            x_label=_("Reports (n, log scale)"),
            y_label=_("EB05 (log scale)"),
            candidate_name=_("Candidate"),
            other_name=_("Not a candidate"),
            threshold_name=_("EB05 threshold"),
        )
    return render(
        request,
        "safety/signal_run.html",
        {
            "study": access.membership.study,
            "run": run,
            "job": run.job,
            "thresholds": thresholds,
            "options": _options_text(run.options),
            "candidates": signal_run_candidates(run) if run.finished_at is not None else [],
            "chart": chart,
        },
    )


def _options_text(options: dict) -> list[str]:
    """The run's reading options that were given, as "name = value" (lists joined by commas)."""
    shown = []
    for key, value in options.items():
        if value in ("", None, [], False):
            continue
        text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
        shown.append(f"{key} = {text}")
    return shown


@login_required
@require_GET
def run_progress(request, study_id: int, run_id: int):
    """The progress indicator of a run, polled by the page; once the job has ended the page reloads in full."""
    access = signal_access(request.user, study_id)
    run = signal_run_get(access, run_id)
    response = render(request, "safety/signal_run.html#progress", {"study": access.membership.study, "run": run})
    if run.job is not None and run.job.is_finished:
        response["HX-Refresh"] = "true"
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def run_table(request, study_id: int, run_id: int):
    """The run's full table: every pair with n >= min_count, every measure, the candidates and their criteria."""
    access = signal_access(request.user, study_id)
    run = signal_run_get(access, run_id)
    found = signal_run_table(run)
    filename = f"{access.membership.study.protocol_number}-signal-run-{run.pk}.csv"
    response = FileResponse(found.open("rb"), as_attachment=True, filename=filename, content_type="text/csv")
    add_never_cache_headers(response)
    return response


urls = [
    path("signals/runs/", runs, name="signal_runs"),
    path("signals/runs/<int:run_id>/", run_page, name="signal_run"),
    path("signals/runs/<int:run_id>/progress/", run_progress, name="signal_run_progress"),
    path("signals/runs/<int:run_id>/table.csv", run_table, name="signal_run_table"),
]
