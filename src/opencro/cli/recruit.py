"""`opencro recruit`: enrolment forecasting with the Poisson-gamma recruitment model (Anisimov & Fedorov 2007).

A thin command over the pure library in `opencro.stats.recruitment` (no database). It prints a readable table,
or with --json one JSON object. Bad input exits with code 2 and names the option on stderr. The statistics
modules are imported inside the command so that `opencro --help` does not load numpy.
"""

from pathlib import Path
from typing import Annotated

import typer

from opencro.cli import fail
from opencro.cli.library import checked, fmt, input_error, note, print_json, print_table, table
from opencro.stats.design.errors import DesignInputError

app = typer.Typer(no_args_is_help=True)

OPTIONS = {
    "shape": "--rate-shape",
    "rate": "--rate-rate",
    "sites": "--sites",
    "n_sites": "--sites",
    "horizon": "--months-horizon",
    "target": "--target",
    "n_sims": "--n-sims",
    "seed": "--seed",
    "n": "--add-sites",
    "start": "--add-at",
}


@app.command("forecast")
def forecast(
    target: Annotated[int, typer.Option("--target", help="Participants still to recruit.")],
    sites: Annotated[int | None, typer.Option("--sites", help="Sites recruiting from now on.")] = None,
    rate_shape: Annotated[float, typer.Option("--rate-shape", help="Shape of the Gamma law of a site's rate.")] = ...,
    rate_rate: Annotated[
        float, typer.Option("--rate-rate", help="Rate of that Gamma law (per month: mean rate = shape / rate).")
    ] = ...,
    plan: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="CSV of sites instead of --sites: site, country, start_month (0: open), and recruited with "
            "months_active for a site's record so far (its rate is then the posterior).",
        ),
    ] = None,
    months_horizon: Annotated[
        float | None, typer.Option("--months-horizon", help="Also forecast the recruits by this many months.")
    ] = None,
    add: Annotated[
        int, typer.Option("--add-sites", help="What if N more sites of the prior open at --add-at (same seed).")
    ] = 0,
    add_at: Annotated[float, typer.Option("--add-at", help="Month the added sites open (0: now).")] = 0.0,
    add_country: Annotated[str, typer.Option("--add-country", help="Country of the added sites.")] = "",
    n_sims: Annotated[int, typer.Option("--n-sims", help="Monte Carlo simulations.")] = 10_000,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the simulations (the same seed, the same answer).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Time to reach --target recruits, and recruits by --months-horizon, for --sites sites (or the sites of
    --plan) whose rates (recruits per site per month) follow Gamma(--rate-shape, --rate-rate): Monte Carlo,
    beside the closed form when every site opens now with that prior."""
    from opencro.stats.recruitment import RatePrior, SitePlan, add_sites, time_to_target
    from opencro.stats.recruitment import forecast as run_forecast

    if (sites is None) == (plan is None):
        input_error("--sites/--plan", "give the number of sites or a plan of sites, one of the two")
    with checked(**OPTIONS):
        prior = RatePrior(rate_shape, rate_rate)
        if plan is not None:
            site_plans = _plan_sites(plan, prior)
        elif sites < 1:
            raise DesignInputError("sites", f"must be at least 1, not {sites}")
        else:
            site_plans = [SitePlan(prior)] * sites
        result = run_forecast(site_plans, target, horizon=months_horizon, n_sims=n_sims, seed=seed)
        closed = time_to_target(prior, sites, target) if plan is None else None
        more = add_sites(site_plans, add, prior, add_at, add_country) if add else None
        what_if = run_forecast(more, target, horizon=months_horizon, n_sims=n_sims, seed=seed) if more else None
    exact = (
        {"mean": closed.mean, "median": closed.median, "p05": closed.quantile(0.05), "p95": closed.quantile(0.95)}
        if closed is not None
        else None
    )
    sites = len(site_plans)
    data = result.as_dict() | {
        "sites": sites,
        "rate_shape": rate_shape,
        "rate_rate": rate_rate,
        "seed": seed,
        "closed_form": {"time_to_target": exact} if exact is not None else None,
        "what_if": None
        if what_if is None
        else {
            "added_sites": add,
            "start_month": add_at,
            "country": add_country,
            "time_to_target": what_if.as_dict()["time_to_target"],
            "expected_by_horizon": what_if.as_dict()["expected_by_horizon"],
        },
    }
    if as_json:
        print_json(data)
        return
    source = f"{sites} sites" if plan is None else f"{sites} sites from {plan.name}"
    note(
        f"{source}, prior rate per site per month ~ Gamma({rate_shape:g}, {rate_rate:g}) "
        f"(mean {prior.mean:.3f}); {target} to recruit; {n_sims:,} simulations"
    )
    shown = table("Months to reach the target", "", "mean", "median", "5 %", "95 %")
    simulated = data["time_to_target"]
    extra = data["what_if"]
    rows = [("simulated", simulated), ("closed form", exact)]
    if extra is not None:
        rows.append((f"with {add} more sites from month {add_at:g}", extra["time_to_target"]))
    for label, row in rows:
        if row is None:
            continue
        shown.add_row(label, *(fmt(row[k], ".2f") for k in ("mean", "median", "p05", "p95")))
    print_table(shown)
    if result.reached < 1:
        note(f"{result.reached:.1%} of the simulations reach the target within the time simulated.")
    by = data["expected_by_horizon"]
    if by is not None:
        horizon = table(f"Recruits by month {months_horizon:g}", "", "mean", "5 %", "95 %")
        horizon.add_row("simulated", *(fmt(by[k], ".1f") for k in ("mean", "p05", "p95")))
        if extra is not None:
            more_by = extra["expected_by_horizon"]
            label = f"with {add} more sites from month {add_at:g}"
            horizon.add_row(label, *(fmt(more_by[k], ".1f") for k in ("mean", "p05", "p95")))
        print_table(horizon)


@app.command("prior")
def prior(
    files: Annotated[
        list[Path], typer.Argument(help="ClinicalTrials.gov JSON files (a study, a list, a search page).")
    ],
    phase: Annotated[
        list[str] | None, typer.Option("--phase", help="Keep trials of this phase (PHASE2, PHASE3 ...); repeatable.")
    ] = None,
    condition: Annotated[
        str | None,
        typer.Option("--condition", help="Keep trials whose conditions, keywords or MeSH terms contain this."),
    ] = None,
    study_type: Annotated[str, typer.Option("--study-type", help="Keep trials of this type.")] = "INTERVENTIONAL",
    actual_only: Annotated[
        bool, typer.Option("--actual-only/--any", help="Use only actual (not estimated) enrolment and dates.")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Fit the site-rate prior (Gamma shape and rate, per site per month) by maximum likelihood to past trials'
    enrolment, sites and months from ClinicalTrials.gov records; say which trials were left out and why."""
    from opencro.stats.recruitment import fit_rate_prior

    history, skipped = _past_trials(files, phase or [], condition, study_type, actual_only)
    with checked(history="FILES"):
        fit = fit_rate_prior(history)
    data = {
        "shape": fit.prior.shape,
        "rate": fit.prior.rate,
        "mean_rate": fit.prior.mean,
        "cv": fit.prior.cv,
        "trials": fit.trials,
        "homogeneous": fit.homogeneous,
        "log_likelihood": fit.log_likelihood,
        "skipped": skipped,
    }
    if as_json:
        print_json(data)
        return
    note(
        f"{fit.trials} trials: site rate ~ Gamma({fit.prior.shape:.4g}, {fit.prior.rate:.4g}), "
        f"mean {fit.prior.mean:.4g} per site per month, CV {fit.prior.cv:.2f}"
        + (" (no more dispersed than Poisson: every site at the pooled rate)" if fit.homogeneous else "")
    )
    reasons: dict[str, int] = {}
    for reason in skipped.values():
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in sorted(reasons.items()):
        note(f"left out: {count} ({reason}; --json lists them)")
    note(f"Use it: opencro recruit forecast --rate-shape {fit.prior.shape:.4g} --rate-rate {fit.prior.rate:.4g} ...")


PLAN_COLUMNS = ("site", "country", "start_month", "recruited", "months_active")


def _plan_sites(path: Path, prior) -> list:
    """The sites of a plan CSV as SitePlans; a bad cell is an input error naming its row and column."""
    import csv

    from opencro.stats.recruitment import SitePlan, rate_posterior

    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        input_error("--plan", f"{path}: {exc}")
    if not rows or "site" not in rows[0]:
        input_error("--plan", f"{path.name}: needs a header with the columns {', '.join(PLAN_COLUMNS)} (site required)")
    sites = []
    for line, row in enumerate(rows, start=2):
        where = f"{path.name}, row {line}"
        start = _cell_number(row, "start_month", where, 0.0)
        recruited = _cell_number(row, "recruited", where, None)
        months = _cell_number(row, "months_active", where, None)
        try:
            rate = prior
            if (recruited is None) != (months is None):
                raise DesignInputError("recruited", "give recruited and months_active together")
            if recruited is not None:
                if not float(recruited).is_integer():
                    raise DesignInputError("recruited", f"must be a whole number, not {recruited:g}")
                rate = rate_posterior(prior, int(recruited), months)
            sites.append(SitePlan(rate, start, (row.get("country") or "").strip()))
        except DesignInputError as exc:
            input_error("--plan", f"{where}, column {exc.parameter}: {exc.message}")
    return sites


def _cell_number(row: dict, column: str, where: str, default: float | None) -> float | None:
    text = (row.get(column) or "").strip()
    try:
        return float(text) if text else default
    except ValueError:
        input_error("--plan", f"{where}, column {column}: {text!r} is not a number")
    return None


def _past_trials(files: list[Path], phases: list[str], condition: str | None, study_type: str, actual_only: bool):
    """The records' (recruited, sites, months) that pass the filters, one per NCT number, and why others did not."""
    from opencro.formats.ctgov import read_trials
    from opencro.formats.errors import FormatError
    from opencro.stats.recruitment import PastTrial

    wanted = {p.strip().upper() for p in phases}
    needle = (condition or "").strip().lower()
    history: dict[str, PastTrial] = {}
    skipped: dict[str, str] = {}
    for file in files:
        try:
            records = list(read_trials(file))
        except (FormatError, OSError) as exc:
            fail(f"{file}: {exc}")
        for r in records:
            if r.nct_id in history:
                continue
            terms = " | ".join((*r.conditions, *r.keywords, *r.mesh_terms)).lower()
            if r.study_type != study_type.upper():
                skipped[r.nct_id] = f"not {study_type.upper()}"
            elif wanted and not wanted & set(r.phase):
                skipped[r.nct_id] = "another phase"
            elif needle and needle not in terms:
                skipped[r.nct_id] = f"no condition matching {condition!r}"
            elif r.enrollment is None or not r.facilities or not r.recruitment_months or r.recruitment_months <= 0:
                skipped[r.nct_id] = "no enrolment, sites or recruitment period"
            elif actual_only and not (r.enrollment_type == "ACTUAL" and set(r.date_types[:2]) <= {"", "ACTUAL"}):
                skipped[r.nct_id] = "estimated enrolment or dates"
            else:
                history[r.nct_id] = PastTrial(r.enrollment, len(r.facilities), r.recruitment_months)
                skipped.pop(r.nct_id, None)
    return list(history.values()), skipped
