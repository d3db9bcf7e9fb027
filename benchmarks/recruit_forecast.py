"""Benchmark: enrolment forecast for 500 sites with staggered activation, 10,000 simulations (target: under 2 s).

    python benchmarks/recruit_forecast.py [--sites 500] [--n-sims 10000] [--target 3000] [--runs 5] [--json]

Sites open evenly over the first 12 months; each site's rate (recruits per month) ~ Gamma(1.2, 2.0) (mean 0.6,
a typical oncology site), some with a posterior from observed recruitment. Times `forecast` (time to target and
recruits by month 24 with the plot's band) over --runs runs, median and worst. Reference measured in the same
run: drawing the same sites x simulations Gamma rates with numpy alone (the work no method can skip), so the
ratio shows what the forecast costs beyond its random numbers.
"""

import argparse
import json
import platform
import statistics
import time

import numpy as np

from opencro.stats.recruitment import RatePrior, SitePlan, forecast, rate_posterior


def plan(n_sites: int) -> list[SitePlan]:
    prior = RatePrior(1.2, 2.0)
    rng = np.random.default_rng(7)
    sites = []
    for i in range(n_sites):
        start = 12.0 * i / n_sites
        if i % 5 == 0:  # one site in five already recruits: its own posterior
            months = float(rng.uniform(1, 6))
            sites.append(SitePlan(rate_posterior(prior, int(rng.poisson(0.6 * months)), months), 0.0))
        else:
            sites.append(SitePlan(prior, start))
    return sites


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=500)
    parser.add_argument("--n-sims", type=int, default=10_000)
    parser.add_argument("--target", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sites = plan(args.sites)
    forecast(sites, args.target, horizon=24.0, n_sims=200, seed=1)  # warm-up (imports, first allocations)
    times, reference = [], []
    result = None
    for run in range(args.runs):
        started = time.perf_counter()
        result = forecast(sites, args.target, horizon=24.0, n_sims=args.n_sims, seed=100 + run)
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rng = np.random.default_rng(100 + run)
        shapes = np.array([s.prior.shape for s in sites])
        rates = np.array([s.prior.rate for s in sites])
        rng.gamma(shapes, 1.0 / rates, size=(args.n_sims, len(sites)))
        reference.append(time.perf_counter() - started)
    assert result is not None
    figures = {
        "python": platform.python_version(),
        "sites": args.sites,
        "n_sims": args.n_sims,
        "target": args.target,
        "forecast_median_s": round(statistics.median(times), 3),
        "forecast_max_s": round(max(times), 3),
        "reference_gamma_draws_median_s": round(statistics.median(reference), 3),
        "ratio_forecast_to_reference": round(statistics.median(times) / statistics.median(reference), 1),
        "time_to_target_months": result.as_dict()["time_to_target"],
        "expected_by_month_24": result.as_dict()["expected_by_horizon"],
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.sites} sites opening over 12 months, {args.n_sims:,} simulations, target {args.target:,}")
    print(
        f"forecast: median {figures['forecast_median_s']} s, worst {figures['forecast_max_s']} s "
        f"over {args.runs} runs (target: under 2 s)"
    )
    print(
        f"reference, the Gamma draws alone: {figures['reference_gamma_draws_median_s']} s "
        f"(forecast / reference = {figures['ratio_forecast_to_reference']})"
    )
    ttt = figures["time_to_target_months"]
    print(f"time to target: median {ttt['median']:.1f} months (90 % interval {ttt['p05']:.1f}-{ttt['p95']:.1f})")


if __name__ == "__main__":
    main()
