"""Benchmark: the CDISC Pilot 01 TFL set (every spec in examples/cdiscpilot01/tables) from the pilot ADaM, each
output computed and written as ARD, RTF, PDF and HTML (target from issue 8: under 15 s).

    python benchmarks/analysis_pilot_tfl.py [--data ../shared/reference/cdiscpilot01/adam] [--runs 3] [--json]

Times, per run, reading the ADaM datasets the specs need, then computing and rendering each output; median and
worst of --runs runs, and the slowest outputs. Reference measured in the same run: reading the same datasets
and writing each one as CSV with pandas (the I/O no TFL run can skip), so the ratio shows what the statistics and
the three renderings cost beyond it.
"""

import argparse
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

from opencro.analysis.tfl.data import load_datasets
from opencro.analysis.tfl.engine import datasets_needed, run_output, write_output
from opencro.analysis.tfl.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]
SPECS = ROOT / "examples" / "cdiscpilot01" / "tables"
DATA = ROOT.parent / "shared" / "reference" / "cdiscpilot01" / "adam"


def run_set(specs: list, data: Path, out: Path) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    needed = set().union(*(datasets_needed(spec) for spec in specs))
    datasets = load_datasets(data, needed)
    per_output = {}
    for spec in specs:
        began = time.perf_counter()
        write_output(run_output(spec, datasets), out, ("rtf", "pdf", "html"))
        per_output[spec.id] = time.perf_counter() - began
    return time.perf_counter() - started, per_output


def reference(specs: list, data: Path, out: Path) -> float:
    started = time.perf_counter()
    needed = set().union(*(datasets_needed(spec) for spec in specs))
    for name, frame in load_datasets(data, needed).items():
        frame.to_csv(out / f"{name}.csv", index=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"the pilot ADaM folder is missing: {args.data} (see ../shared/reference/README.md)")
    specs = [load_spec(path) for path in sorted(SPECS.glob("*.yaml"))]
    totals, references, slowest = [], [], {}
    with tempfile.TemporaryDirectory() as tmp:
        run_set(specs[:1], args.data, Path(tmp))  # warm-up: imports, fonts
        for _run in range(args.runs):
            total, per_output = run_set(specs, args.data, Path(tmp))
            totals.append(total)
            references.append(reference(specs, args.data, Path(tmp)))
            for output, seconds in per_output.items():
                slowest[output] = max(slowest.get(output, 0.0), seconds)
    figures = {
        "python": platform.python_version(),
        "outputs": len(specs),
        "formats": ["ard", "rtf", "pdf", "html"],
        "median_s": round(statistics.median(totals), 2),
        "max_s": round(max(totals), 2),
        "reference_read_and_csv_median_s": round(statistics.median(references), 3),
        "ratio_to_reference": round(statistics.median(totals) / statistics.median(references), 1),
        "slowest_outputs_s": {k: round(v, 2) for k, v in sorted(slowest.items(), key=lambda kv: -kv[1])[:4]},
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"CDISC Pilot 01 TFL set: {len(specs)} outputs x (ARD, RTF, PDF, HTML), {args.runs} runs")
    print(f"whole set: median {figures['median_s']} s, worst {figures['max_s']} s (target: under 15 s)")
    print(
        f"reference (read the ADaM and write it as CSV): {figures['reference_read_and_csv_median_s']} s; "
        f"ratio {figures['ratio_to_reference']}x"
    )
    print("slowest outputs (worst run): " + ", ".join(f"{k} {v} s" for k, v in figures["slowest_outputs_s"].items()))


if __name__ == "__main__":
    main()
