"""Benchmark: time to solve group-sequential designs (boundaries and characteristics) for K = 2..10.

    python benchmarks/design_boundaries.py [--repeats 11] [--rpact] [--rpact-repeats 3] [--json]

Each design family below is solved by `opencro.stats.design.group_sequential.group_sequential` for K = 2..10
equally spaced looks (alpha 0.025 one-sided or 0.05 two-sided, beta 0.2); the figure is the median wall time of
--repeats calls after one warm-up call. One call solves the boundaries (and futility boundaries with the maximum
information) and then the operating characteristics: drift, inflation factor, crossing probabilities under H0 and
H1 and expected sizes. The target is under 50 ms at K = 10.

With --rpact (needs Rscript and rpact) the same designs are timed in R in the same run: getDesignGroupSequential
followed by getDesignCharacteristics (the same work), median of --rpact-repeats calls measured with proc.time()
inside R (1 ms resolution), R start-up excluded. rpact's binding beta-spending designs take seconds each at K = 10,
so --rpact adds a few minutes.
"""

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from opencro.stats.design.group_sequential import group_sequential  # noqa: E402

LOOKS = range(2, 11)
TARGET_MS = 50.0

# label, keyword arguments of group_sequential, arguments of rpact's getDesignGroupSequential
FAMILIES = [
    ("OF", {"spending": "of"}, 'typeOfDesign = "OF"'),
    ("Pocock", {"spending": "pocock"}, 'typeOfDesign = "P"'),
    ("Haybittle-Peto", {"spending": "hp"}, 'typeOfDesign = "HP"'),
    ("asOF", {"spending": "asof"}, 'typeOfDesign = "asOF"'),
    ("asP", {"spending": "asp"}, 'typeOfDesign = "asP"'),
    ("asKD rho=2", {"spending": "kd", "rho": 2.0}, 'typeOfDesign = "asKD", gammaA = 2'),
    ("asHSD gamma=-4", {"spending": "hsd", "gamma": -4.0}, 'typeOfDesign = "asHSD", gammaA = -4'),
    (
        "asOF two-sided",
        {"spending": "asof", "sides": 2, "alpha": 0.05},
        'typeOfDesign = "asOF", sided = 2, alpha = 0.05',
    ),
    (
        "asOF+bsOF binding",
        {"spending": "asof", "futility": "binding", "beta_spending": "asof"},
        'typeOfDesign = "asOF", typeBetaSpending = "bsOF", bindingFutility = TRUE',
    ),
    (
        "asOF+bsOF non-binding",
        {"spending": "asof", "futility": "nonbinding", "beta_spending": "asof"},
        'typeOfDesign = "asOF", typeBetaSpending = "bsOF", bindingFutility = FALSE',
    ),
]

R_SCRIPT = r"""
suppressPackageStartupMessages({ library(rpact); library(jsonlite) })
args <- commandArgs(trailingOnly = TRUE)
repeats <- as.integer(args[1])
calls <- fromJSON(args[2])
out <- lapply(calls, function(call) {
  f <- function() {
    design <- eval(parse(text = call))
    getDesignCharacteristics(design)
  }
  f()
  elapsed <- numeric(repeats)
  for (i in seq_len(repeats)) {
    started <- proc.time()
    f()
    elapsed[i] <- (proc.time() - started)[["elapsed"]]
  }
  median(elapsed) * 1000
})
cat(toJSON(list(rpact = as.character(packageVersion("rpact")), ms = unlist(out)), digits = NA, auto_unbox = TRUE))
"""


def time_opencro(kwargs: dict, k: int, repeats: int) -> float:
    group_sequential(k=k, **kwargs)
    elapsed = []
    for _ in range(repeats):
        started = time.perf_counter()
        group_sequential(k=k, **kwargs)
        elapsed.append(time.perf_counter() - started)
    return statistics.median(elapsed) * 1000.0


def time_rpact(repeats: int) -> tuple[str, dict[tuple[str, int], float]] | None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    keys, calls = [], []
    for label, _, r_args in FAMILIES:
        for k in LOOKS:
            keys.append((label, k))
            calls.append(f"getDesignGroupSequential(kMax = {k}, {r_args})")
    result = subprocess.run(
        [rscript, "-e", R_SCRIPT, str(repeats), json.dumps(calls)], capture_output=True, text=True, check=True
    )
    parsed = json.loads(result.stdout)
    return parsed["rpact"], dict(zip(keys, parsed["ms"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--rpact", action="store_true", help="also time rpact in R (same designs)")
    parser.add_argument("--rpact-repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    opencro = {(label, k): time_opencro(kwargs, k, args.repeats) for label, kwargs, _ in FAMILIES for k in LOOKS}
    rpact = time_rpact(args.rpact_repeats) if args.rpact else None
    worst_k10 = max(opencro[(label, 10)] for label, _, _ in FAMILIES)

    if args.json:
        out = {
            "repeats": args.repeats,
            "statistic": "median wall time, ms",
            "target_ms_at_k10": TARGET_MS,
            "worst_ms_at_k10": worst_k10,
            "opencro": {label: {str(k): opencro[(label, k)] for k in LOOKS} for label, _, _ in FAMILIES},
        }
        if rpact is not None:
            out["rpact_version"] = rpact[0]
            out["rpact_repeats"] = args.rpact_repeats
            out["rpact"] = {label: {str(k): rpact[1][(label, k)] for k in LOOKS} for label, _, _ in FAMILIES}
        print(json.dumps(out, indent=2))
        return

    print(f"group_sequential: median of {args.repeats} calls, ms (boundaries + characteristics)")
    header = f"{'design':24s}" + "".join(f"{'K=' + str(k):>8s}" for k in LOOKS)
    print(header)
    for label, _, _ in FAMILIES:
        print(f"{label:24s}" + "".join(f"{opencro[(label, k)]:8.1f}" for k in LOOKS))
    print(f"slowest at K=10: {worst_k10:.1f} ms (target < {TARGET_MS:.0f} ms)")
    if rpact is not None:
        print(
            f"\nrpact {rpact[0]} getDesignGroupSequential + getDesignCharacteristics: "
            f"median of {args.rpact_repeats}, ms"
        )
        print(header)
        for label, _, _ in FAMILIES:
            print(f"{label:24s}" + "".join(f"{rpact[1][(label, k)]:8.1f}" for k in LOOKS))
    elif args.rpact:
        print("\nRscript not found: rpact not timed")


if __name__ == "__main__":
    main()
