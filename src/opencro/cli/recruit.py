"""`opencro recruit`: enrolment forecasting with the Poisson-gamma recruitment model (Anisimov & Fedorov 2007).

A thin command over the pure library in `opencro.stats.recruitment` (no database). It prints a readable table,
or with --json one JSON object. Bad input exits with code 2 and names the option on stderr. The statistics
modules are imported inside the command so that `opencro --help` does not load numpy.
"""

from typing import Annotated

import typer

from opencro.cli.library import checked, fmt, note, print_json, print_table, table
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
}


@app.command("forecast")
def forecast(
    target: Annotated[int, typer.Option("--target", help="Participants still to recruit.")],
    sites: Annotated[int, typer.Option("--sites", help="Sites recruiting from now on.")],
    rate_shape: Annotated[float, typer.Option("--rate-shape", help="Shape of the Gamma law of a site's rate.")],
    rate_rate: Annotated[
        float, typer.Option("--rate-rate", help="Rate of that Gamma law (per month: mean rate = shape / rate).")
    ],
    months_horizon: Annotated[
        float | None, typer.Option("--months-horizon", help="Also forecast the recruits by this many months.")
    ] = None,
    n_sims: Annotated[int, typer.Option("--n-sims", help="Monte Carlo simulations.")] = 10_000,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed of the simulations (the same seed, the same answer).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")] = False,
) -> None:
    """Time to reach --target recruits, and recruits by --months-horizon, for --sites sites whose rates (recruits
    per site per month) follow Gamma(--rate-shape, --rate-rate): Monte Carlo, beside the closed form."""
    from opencro.stats.recruitment import RatePrior, SitePlan, time_to_target
    from opencro.stats.recruitment import forecast as run_forecast

    with checked(**OPTIONS):
        if sites < 1:
            raise DesignInputError("sites", f"must be at least 1, not {sites}")
        prior = RatePrior(rate_shape, rate_rate)
        result = run_forecast([SitePlan(prior)] * sites, target, horizon=months_horizon, n_sims=n_sims, seed=seed)
        closed = time_to_target(prior, sites, target)
    exact = {"mean": closed.mean, "median": closed.median, "p05": closed.quantile(0.05), "p95": closed.quantile(0.95)}
    data = result.as_dict() | {
        "sites": sites,
        "rate_shape": rate_shape,
        "rate_rate": rate_rate,
        "seed": seed,
        "closed_form": {"time_to_target": exact},
    }
    if as_json:
        print_json(data)
        return
    note(
        f"{sites} sites, rate per site per month ~ Gamma({rate_shape:g}, {rate_rate:g}) "
        f"(mean {prior.mean:.3f}); {target} to recruit; {n_sims:,} simulations"
    )
    shown = table("Months to reach the target", "", "mean", "median", "5 %", "95 %")
    simulated = data["time_to_target"]
    for label, row in (("simulated", simulated), ("closed form", exact)):
        shown.add_row(label, *(fmt(row[k], ".2f") for k in ("mean", "median", "p05", "p95")))
    print_table(shown)
    if result.reached < 1:
        note(f"{result.reached:.1%} of the simulations reach the target within the time simulated.")
    by = data["expected_by_horizon"]
    if by is not None:
        horizon = table(f"Recruits by month {months_horizon:g}", "", "mean", "5 %", "95 %")
        horizon.add_row("simulated", *(fmt(by[k], ".1f") for k in ("mean", "p05", "p95")))
        print_table(horizon)
