"""Reads of signal runs, for study-wide safety readers (the views and the API check that before calling these)."""

import json
from pathlib import Path

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.safety.jobs import points_file, table_file
from opencro.safety.models import SafetyProduct, SignalEvidence, SignalRun


def signal_runs(access: StudyAccess) -> QuerySet[SignalRun]:
    """The study's runs, newest first, with their jobs and starters."""
    return SignalRun.objects.filter(study_id=access.membership.study_id).select_related("job", "created_by")


def signal_run_get(access: StudyAccess, run_id: int) -> SignalRun:
    """One run of the study, or 404."""
    try:
        run = signal_runs(access).filter(pk=run_id).first()
    except OverflowError:  # an id beyond SQLite's integers names no run
        run = None
    if run is None:
        raise Http404(_("No such signal run."))
    return run


def signal_run_candidates(run: SignalRun) -> list[SignalEvidence]:
    """The run's candidates (their evidence rows, with the signal), by EB05 from the highest (undefined last)."""
    found = SignalEvidence.objects.filter(run=run).select_related("signal")
    return list(found.order_by(F("eb05").desc(nulls_last=True), "signal__product", "signal__event"))


def signal_run_points(run: SignalRun) -> list[list]:
    """The pairs of the run's picture: [n, eb05, candidate, product, event]; empty before the run has finished."""
    if run.job_id is None or run.finished_at is None:
        return []
    path = points_file(run.job_id)
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def signal_run_table(run: SignalRun) -> Path:
    """The run's full table (CSV), or 404 while it is running, after it failed, or when the file was removed."""
    path = table_file(run.job_id) if run.job_id is not None and run.finished_at is not None else None
    if path is None or not path.is_file():
        raise Http404(_("This run has no table to download."))
    return path


def signal_products_suggested(study_id: int) -> list[str]:
    """The study's product names and active ingredients, each once: the start form's products of interest."""
    names: dict[str, str] = {}
    for name, ingredient in SafetyProduct.objects.filter(study_id=study_id).values_list("name", "active_ingredient"):
        for value in (name, ingredient):
            if value and value.strip() and value.strip().casefold() not in names:
                names[value.strip().casefold()] = value.strip()
    return list(names.values())
