"""Safety background jobs, named in `settings.OPENCRO_JOBS`: the signal run (`safety.signals`)."""

import json
import math
import warnings
from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import Perm
from opencro.jobs.context import JobContext
from opencro.jobs.definitions import JobDefinition, JobError

PRIOR_FIELDS = ("alpha1", "beta1", "alpha2", "beta2", "p", "loglik", "converged", "iterations", "method")
MAX_PROBLEMS = 200  # located problems listed in a failed job's message
MAX_POINTS = 2000  # non-candidate pairs kept for the run's scatter plot (candidates are all kept, up to this)
# share of the bar each phase fills (reading, then the stages detect_signals reports, then recording)
PHASES = {
    "reading": (0, 30),
    "counts": (30, 45),
    "prior fit": (45, 80),
    "disproportionality": (80, 88),
    "posterior": (88, 95),
    "recording": (95, 100),
}


def table_file(job_id: int) -> Path:
    """Where the run of job `job_id` writes its full table (CSV, one row per pair with n >= min_count)."""
    from opencro.edc.interchange import export_path

    return export_path(job_id, ".csv")


def points_file(job_id: int) -> Path:
    """Where the run of job `job_id` writes the pairs of its scatter plot (JSON)."""
    from opencro.edc.interchange import export_path

    return export_path(job_id, ".points.json")


def _phase(ctx: JobContext, phase: str, message: str | None = None) -> Callable[[str, float], None]:
    low, high = PHASES.get(phase, (0, 100))

    def told(description: str, fraction: float) -> None:
        share = min(max(float(fraction), 0.0), 1.0)
        ctx.progress(round(low + (high - low) * share), 100, message or description)

    return told


def _reports(ctx: JobContext, run, paths: list[str], names: list[str]):
    from opencro.formats.errors import FormatError
    from opencro.safety.signal_sources import reports_from_cases, reports_from_upload

    name = run.source_name or run.get_source_display()
    if run.source == "cases":
        _phase(ctx, "reading")("Reading the study's cases", 0.0)
        return reports_from_cases(run.study_id), {}
    try:
        return reports_from_upload(run, paths, names, _phase(ctx, "reading"))
    except FormatError as exc:
        shown = [str(p) for p in exc.problems[:MAX_PROBLEMS]]
        more = f"\n… and {len(exc.problems) - MAX_PROBLEMS} more" if len(exc.problems) > MAX_PROBLEMS else ""
        raise JobError(f"{name} rejected, nothing was written:\n" + "\n".join(shown) + more) from None
    except ValueError as exc:  # a column named for two roles, an unknown FAERS role
        raise JobError(f"{name} rejected, nothing was written: {exc}") from None


def _points(table, candidate, wanted) -> list[list]:
    """[n, eb05, candidate, product, event] of the pairs of the products of interest with a finite EB05 > 0."""
    import numpy as np

    keep = wanted & np.isfinite(table["eb05"].to_numpy(dtype=float)) & (table["eb05"].to_numpy(dtype=float) > 0)
    chosen = table.loc[keep, ["n", "eb05", "product", "event"]].assign(candidate=candidate[keep])
    hits = chosen[chosen["candidate"]].head(MAX_POINTS)
    rest = chosen[~chosen["candidate"]]
    if len(rest) > MAX_POINTS:
        rest = rest.iloc[:: -(-len(rest) // MAX_POINTS)]
    both = [hits, rest]
    return [
        [int(r.n), float(r.eb05), bool(r.candidate), str(r.product), str(r.event)]
        for part in both
        for r in part.itertuples(index=False)
    ]


def run_signals(ctx: JobContext, paths: list[str], names: list[str] | None = None) -> dict:
    """Run the signal run whose job this is: read, detect, screen, record; the upload is deleted whatever happens."""
    import numpy as np

    from opencro.safety.models import SignalRun
    from opencro.safety.services.signal_runs import RunFindings, signal_run_record
    from opencro.stats.signals import COLUMNS, SignalInputError, Thresholds, detect_signals, screen_signals

    table_path = points_path = None
    try:
        run = SignalRun.objects.select_related("study").filter(job_id=ctx.job_id).first()
        if run is None:
            raise JobError("this job has no signal run")
        reports, read = _reports(ctx, run, paths, list(names or []))
        if reports.empty:
            raise JobError("no report has both a product and an event; nothing was written")
        strata = "stratum" if "stratum" in reports.columns else None
        try:
            with warnings.catch_warnings():
                # the prior fit explores extreme parameters; numpy's overflow warnings there are noise (as the CLI)
                warnings.simplefilter("ignore", RuntimeWarning)
                result = detect_signals(
                    reports,
                    strata_col=strata,
                    min_count=int(run.options.get("min_count", 1)),
                    progress=lambda stage, fraction: _phase(ctx, stage, f"Computing: {stage}")(stage, fraction),
                )
        except SignalInputError as exc:
            raise JobError(f"signal detection failed: {exc}") from None
        rules = Thresholds.from_dict(run.thresholds)
        table = result.table.loc[:, list(COLUMNS)].reset_index(drop=True)
        screening = screen_signals(table, rules)
        wanted = {p.casefold() for p in run.products}
        of_interest = (
            table["product"].astype(str).str.casefold().isin(wanted).to_numpy()
            if wanted
            else np.ones(len(table), dtype=bool)
        )
        chosen = screening.candidate.to_numpy() & of_interest
        candidates = screening.table.loc[chosen[screening.candidate.to_numpy()]]
        _phase(ctx, "recording")("Writing the table", 0.0)
        table_path, points_path = table_file(ctx.job_id), points_file(ctx.job_id)
        out = table.assign(
            candidate=chosen,
            criteria=[
                ";".join(screening.criteria(i)) if hit else "" for i, hit in zip(table.index, chosen, strict=True)
            ],
        )
        out.to_csv(table_path, index=False)
        points_path.write_text(json.dumps(_points(table, chosen, of_interest)), encoding="utf-8")
        prior = _plain({name: getattr(result.prior, name) for name in PRIOR_FIELDS})
        findings = RunFindings(reports=result.n_reports, pairs=result.n_pairs, prior=prior, candidates=candidates)
        summary = signal_run_record(actor=ctx.user, run=run, findings=findings)
        ctx.progress(100, 100, "Recorded")
    except BaseException:
        for path in (table_path, points_path):
            if path is not None:
                path.unlink(missing_ok=True)
        raise
    finally:
        for path in paths:
            Path(path).unlink(missing_ok=True)
    return {
        "run": run.pk,
        "reports": result.n_reports,
        "pairs": result.n_pairs,
        "rows": len(table),
        **summary,
        **({"read": read} if read else {}),
        "download": f"/studies/{run.study_id}/safety/signals/runs/{run.pk}/table.csv",
    }


def _plain(values: dict) -> dict:
    """JSON-ready values: numpy scalars as Python numbers, non-finite floats as None."""
    plain = {}
    for key, value in values.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        plain[key] = value
    return plain


SIGNALS = JobDefinition(run=run_signals, label=_("Signal detection run"), permission=Perm.SAFETY_EDIT)
