"""Benchmark: 100,000 simulated group-sequential trials, OpenCRO against rpact's getSimulationMeans.

    python benchmarks/design_gs_simulation.py [--n-sims 100000] [--repeats 3] [--seed 20260101] [--json]

One design (K = 3 O'Brien-Fleming, alpha 0.025 one-sided, beta 0.2; normal endpoint, difference 5, SD 12, equal
allocation, maximum N rounded up to a multiple of 6) is simulated by both, in the same run:

- rpact: `Rscript` builds the design with getDesignGroupSequential and times getSimulationMeans(normalApproximation
  = TRUE, maxNumberOfIterations = n_sims) inside R with proc.time() around that call only (median of --repeats);
  R's whole wall time, start-up and package loading included, is measured here around the subprocess.
- OpenCRO: simulate_group_sequential_means with rpact's boundaries (median of --repeats, wall time).

Prints both times, their ratio, and both powers with their Monte Carlo standard errors next to rpact's exact power
(getPowerMeans). Without Rscript the design is read from tests/reference/design/gs_simulation.json (written by rpact)
and only OpenCRO is timed.
"""

import argparse
import json
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from opencro.stats.design.gs_simulation import simulate_group_sequential_means  # noqa: E402

FIXTURE = ROOT / "tests" / "reference" / "design" / "gs_simulation.json"
ALTERNATIVE, ST_DEV = 5.0, 12.0

R_SCRIPT = r"""
suppressPackageStartupMessages({ library(rpact); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
iterations <- as.integer(args[1]); repeats <- as.integer(args[2]); seed <- as.numeric(args[3])
alternative <- as.numeric(args[4]); stDev <- as.numeric(args[5])
design <- getDesignGroupSequential(kMax = 3, alpha = 0.025, beta = 0.2, sided = 1, typeOfDesign = "OF")
sampleSize <- getSampleSizeMeans(design, groups = 2, normalApproximation = TRUE, alternative = alternative,
  stDev = stDev)
multiple <- 2 * design$kMax
nMax <- as.integer(multiple * ceiling(sampleSize$maxNumberOfSubjects / multiple))
plannedSubjects <- as.integer(round(nMax * design$informationRates))
exact <- getPowerMeans(design, groups = 2, normalApproximation = TRUE, alternative = alternative, stDev = stDev,
  maxNumberOfSubjects = nMax)
elapsed <- numeric(repeats)
for (i in seq_len(repeats)) {
  started <- proc.time()
  simulation <- getSimulationMeans(design, groups = 2, normalApproximation = TRUE, alternative = alternative,
    stDev = stDev, plannedSubjects = plannedSubjects, maxNumberOfIterations = iterations, seed = seed)
  elapsed[i] <- (proc.time() - started)[["elapsed"]]
}
cat(toJSON(list(
  rpact_version = as.character(packageVersion("rpact")),
  criticalValues = design$criticalValues, informationRates = design$informationRates, nMax = nMax,
  plannedSubjects = plannedSubjects, elapsed = elapsed, overallReject = simulation$overallReject,
  expectedNumberOfSubjects = simulation$expectedNumberOfSubjects, exactPower = exact$overallReject,
  exactExpectedNumberOfSubjects = exact$expectedNumberOfSubjects
), auto_unbox = TRUE, digits = NA))
"""


def run_rpact(n_sims: int, repeats: int, seed: int) -> dict | None:
    """rpact's figures and timings, or None when Rscript is not installed."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "gs_simulation_benchmark.R"
        script.write_text(R_SCRIPT)
        started = time.perf_counter()
        completed = subprocess.run(
            [rscript, str(script), str(n_sims), str(repeats), str(seed), str(ALTERNATIVE), str(ST_DEV)],
            capture_output=True,
            text=True,
        )
        wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"Rscript failed ({completed.returncode}):\n{completed.stderr}")
    out = json.loads(completed.stdout)
    out["wall"] = wall
    return out


def fixture_design() -> dict:
    design = next(d for d in json.loads(FIXTURE.read_text())["designs"] if d["name"] == "OF")
    return {
        "criticalValues": design["criticalValues"],
        "informationRates": design["informationRates"],
        "nMax": design["nMax"],
        "exactPower": design["exact"]["H1"]["overallReject"],
        "exactExpectedNumberOfSubjects": design["exact"]["H1"]["expectedNumberOfSubjects"],
    }


def run_opencro(design: dict, n_sims: int, repeats: int, seed: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = simulate_group_sequential_means(
            upper=design["criticalValues"],
            lower=None,
            info_rates=design["informationRates"],
            n_max=design["nMax"],
            delta=ALTERNATIVE,
            sd=ST_DEV,
            n_sims=n_sims,
            seed=seed,
        )
        times.append(time.perf_counter() - started)
    return times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-sims", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()

    rpact = run_rpact(args.n_sims, args.repeats, args.seed)
    design = rpact if rpact is not None else fixture_design()
    times, result = run_opencro(design, args.n_sims, args.repeats, args.seed)
    opencro_time = statistics.median(times)

    figures: dict[str, object] = {
        "n_sims": args.n_sims,
        "repeats": args.repeats,
        "design": "K=3 O'Brien-Fleming, alpha 0.025 one-sided, beta 0.2; delta 5, sd 12, ratio 1",
        "n_max": design["nMax"],
        "critical_values": design["criticalValues"],
        "exact_power_rpact": design["exactPower"],
        "exact_expected_n_rpact": design["exactExpectedNumberOfSubjects"],
        "opencro_seconds": opencro_time,
        "opencro_seconds_all": times,
        "opencro_power": result.power,
        "opencro_power_se": result.power_se,
        "opencro_expected_n": result.expected_n,
        "opencro_expected_n_se": result.expected_n_se,
        "rscript": rpact is not None,
    }
    if rpact is not None:
        rpact_time = statistics.median(rpact["elapsed"])
        rpact_power = rpact["overallReject"]
        rpact_se = math.sqrt(rpact_power * (1 - rpact_power) / args.n_sims)
        difference = abs(result.power - rpact_power)
        combined_se = math.sqrt(result.power_se**2 + rpact_se**2)
        figures.update(
            {
                "rpact_version": rpact["rpact_version"],
                "rpact_seconds": rpact_time,
                "rpact_seconds_all": rpact["elapsed"],
                "rpact_wall_seconds_with_startup": rpact["wall"],
                "speedup": rpact_time / opencro_time,
                "rpact_power": rpact_power,
                "rpact_power_se": rpact_se,
                "rpact_expected_n": rpact["expectedNumberOfSubjects"],
                "power_difference_in_se": difference / combined_se,
                "powers_agree_within_4_se": difference <= 4 * combined_se,
            }
        )

    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"group-sequential simulation, {args.n_sims:,} trials, {figures['design']}, N max {design['nMax']}")
    print(f"  rpact exact power (getPowerMeans)      {design['exactPower']:.4f}")
    print(f"  rpact exact expected N                 {design['exactExpectedNumberOfSubjects']:.2f}")
    print(
        f"  OpenCRO   {opencro_time * 1000:9.1f} ms   power {result.power:.4f} (MC SE {result.power_se:.4f})"
        f"   expected N {result.expected_n:.2f} (MC SE {result.expected_n_se:.2f})"
    )
    if rpact is None:
        print("  Rscript not found: rpact not timed (design read from tests/reference/design/gs_simulation.json)")
        return
    print(
        f"  rpact     {figures['rpact_seconds'] * 1000:9.1f} ms   power {figures['rpact_power']:.4f}"
        f" (MC SE {figures['rpact_power_se']:.4f})   expected N {figures['rpact_expected_n']:.2f}"
        f"   [getSimulationMeans only, rpact {rpact['rpact_version']}]"
    )
    print(f"  rpact whole Rscript wall time incl. start-up: {rpact['wall']:.2f} s (all {args.repeats} repeats)")
    print(f"  speed-up (rpact / OpenCRO, median of {args.repeats}): {figures['speedup']:.1f}x")
    verdict = "agree" if figures["powers_agree_within_4_se"] else "DISAGREE"
    print(f"  powers differ by {figures['power_difference_in_se']:.2f} combined MC SE: {verdict}")


if __name__ == "__main__":
    main()
