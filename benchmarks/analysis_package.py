"""Benchmark: the whole submission package of a generated study, SDTM + Define-XML + ADaM + every TFL.

    python benchmarks/analysis_package.py [--subjects 5000] [--visits 20] [--runs 1] [--json] [--keep DIR]

Data: `opencro.analysis.sdtm.synthetic.synthetic_study(--subjects, --visits)`: a two-arm study with visits 14 days
apart, a VS form of 6 tests and an LB form of 10 tests per visit, 0-4 adverse events and 0-3 medications per
subject, one exposure record, randomisation and a disposition event (5,000 x 20: 600,000 VS and 1,000,000 LB
records, about 10,000 AEs).

Measured (wall clock): `opencro.analysis.package.build_package` into an empty folder, with the step timings its
`on_step` callback gives (wall clock, and the process's CPU time beside it, which other work on the machine
disturbs less): building SDTM, the conformance checks, SDTM as XPT and Dataset-JSON, Define-XML, each
ADaM dataset of `benchmarks/specs/synthetic/adam` (ADSL, ADAE, ADLB, ADTTE, ADVS), the ADaM XPT files, each output
of `benchmarks/specs/synthetic/tables` (populations, disposition, demographics with p-values, TEAEs by SOC/PT with
Fisher's exact test per row, AE overview, vital signs and ALT change from baseline by visit, the Kaplan-Meier
figure of time to the first serious TEAE, the listing of all AEs) as ARD + RTF + PDF + HTML, and the manifest
(SHA-256 of every file). Generating the study's input frames is timed apart (it stands for the EDC export, not
for the package). The target of the issue: under 120 s at 5,000 subjects x 20 visits on a 2-core machine.

Reference measured in the same run: `pandas.DataFrame.to_csv` of the same SDTM domains into a folder, and the ratio
package / to_csv. Also printed: files written and their size, peak RSS of the process (`resource.getrusage`, so it
includes the generated data) and the load average before and after (other work on the machine slows the figures).
With `--runs N` the package is built N times; the step table is that of the fastest run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from opencro.analysis.adam.spec import DatasetSpec, spec_from_mapping
from opencro.analysis.package import build_package
from opencro.analysis.sdtm.build import build_study
from opencro.analysis.sdtm.inputs import SdtmInputs
from opencro.analysis.sdtm.synthetic import synthetic_study
from opencro.analysis.tfl.spec import parse_spec
from opencro.analysis.tfl.spec_model import OutputSpec

SPECS = Path(__file__).resolve().parent / "specs" / "synthetic"
TARGET_SECONDS = 120.0
SEED = 20261127


@dataclass(frozen=True)
class SyntheticSources:
    """The package's sources: the generated input frames, handed over as they are."""

    inputs: SdtmInputs

    def sdtm_inputs(self) -> SdtmInputs:
        return self.inputs


def adam_specs(folder: Path = SPECS / "adam") -> list[DatasetSpec]:
    """Every ADaM dataset specification of the benchmark study."""
    return [spec_from_mapping(yaml.safe_load(p.read_text()), origin=str(p)) for p in sorted(folder.glob("*.yaml"))]


def output_specs(folder: Path = SPECS / "tables") -> list[OutputSpec]:
    """Every output specification of the benchmark study."""
    return [parse_spec(yaml.safe_load(p.read_text()), source=str(p)) for p in sorted(folder.glob("*.yaml"))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports kilobytes


def build_once(spec, inputs: SdtmInputs, folder: Path, adam, outputs) -> dict[str, Any]:
    """Build the package into `folder`; the wall-clock and CPU seconds of each step (from one `on_step` call to the
    next) and of the whole build."""
    marks: list[tuple[str, float, float]] = []
    start, start_cpu = time.perf_counter(), time.process_time()
    manifest = build_package(
        SyntheticSources(inputs),
        spec,
        folder,
        study_name="SYN-001",
        description="Synthetic two-arm study (benchmark)",
        adam=adam,
        outputs=outputs,
        on_step=lambda what, done, total: marks.append((what, time.perf_counter(), time.process_time())),
    )
    end, end_cpu = time.perf_counter(), time.process_time()
    ends = [(wall, cpu) for _, wall, cpu in marks[1:]] + [(end, end_cpu)]
    steps = [
        (what, round(stop - began, 3), round(stop_cpu - began_cpu, 3))
        for (what, began, began_cpu), (stop, stop_cpu) in zip(marks, ends, strict=True)
    ]
    files = [*manifest["files"], {"path": "manifest.json", "bytes": (folder / "manifest.json").stat().st_size}]
    return {
        "total": round(end - start, 3),
        "cpu": round(end_cpu - start_cpu, 3),
        "steps": steps,
        "files": len(files),
        "megabytes": round(sum(f["bytes"] for f in files) / 1e6, 1),
        "findings": manifest["findings"]["total"],
        "define_problems": list(manifest["define_problems"]),
        "adam_records": {name: info["records"] for name, info in manifest["adam"].items()},
        "sdtm_records": {name: info["records"] for name, info in manifest["datasets"].items()},
    }


def csv_reference(domains, folder: Path) -> float:
    """Seconds to write every SDTM domain with `DataFrame.to_csv`."""
    folder.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    for name, frame in domains.items():
        frame.to_csv(folder / f"{name.lower()}.csv", index=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=5000)
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=1, help="package builds; the fastest one's steps are shown")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON on stdout")
    parser.add_argument("--keep", type=Path, help="build the (last) package into this folder and keep it")
    args = parser.parse_args()
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder is not empty")

    load_before = os.getloadavg()
    adam, outputs = adam_specs(), output_specs()
    started = time.perf_counter()
    spec, inputs = synthetic_study(n_subjects=args.subjects, n_visits=args.visits, seed=SEED)
    generate_seconds = time.perf_counter() - started

    runs = []
    with tempfile.TemporaryDirectory(prefix="opencro-package-") as scratch:
        for n in range(args.runs):
            last = n == args.runs - 1
            folder = args.keep if (last and args.keep is not None) else Path(scratch) / f"run{n}"
            folder.mkdir(parents=True, exist_ok=True)
            runs.append(build_once(spec, inputs, folder, adam, outputs))
            print(f"run {n + 1}/{args.runs}: {runs[-1]['total']:.1f} s", file=sys.stderr)
        domains = build_study(spec, inputs).domains
        reference = csv_reference(domains, Path(scratch) / "csv")
    best = min(runs, key=lambda r: r["total"])
    load_after = os.getloadavg()

    figures = {
        "subjects": args.subjects,
        "visits": args.visits,
        "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "python": platform.python_version(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "generate_seconds": round(generate_seconds, 3),
        "totals": [r["total"] for r in runs],
        "total_seconds": best["total"],
        "total_cpu_seconds": best["cpu"],
        "median_seconds": round(statistics.median(r["total"] for r in runs), 3),
        "target_seconds": TARGET_SECONDS,
        "within_target": best["total"] < TARGET_SECONDS,
        "steps": best["steps"],
        "files": best["files"],
        "megabytes": best["megabytes"],
        "conformance_findings": best["findings"],
        "define_problems": best["define_problems"],
        "sdtm_records": best["sdtm_records"],
        "adam_records": best["adam_records"],
        "reference_to_csv_seconds": round(reference, 3),
        "ratio_to_csv": round(best["total"] / reference, 1) if reference else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "kept": str(args.keep) if args.keep else None,
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(
        f"{args.subjects:,} subjects x {args.visits} visits; {figures['machine']}; Python {figures['python']}; "
        f"load average {' '.join(f'{x:.2f}' for x in load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in load_after)} after"
    )
    records = ", ".join(f"{k} {v:,}" for k, v in best["sdtm_records"].items())
    print(f"generated in {generate_seconds:.1f} s (not counted): {records}")
    print()
    width = max(len(what) for what, _, _ in best["steps"])
    print(f"{'step':<{width}}  {'seconds':>8}  {'share':>6}  {'CPU s':>8}")
    for what, seconds, cpu in best["steps"]:
        print(f"{what:<{width}}  {seconds:8.2f}  {100 * seconds / best['total']:5.1f}%  {cpu:8.2f}")
    print(f"{'total':<{width}}  {best['total']:8.2f}  {'':>6}  {best['cpu']:8.2f}")
    print()
    verdict = "within" if figures["within_target"] else "OVER"
    runs_text = f" (runs: {', '.join(f'{t:.1f}' for t in figures['totals'])})" if len(runs) > 1 else ""
    print(f"package: {best['total']:.1f} s against the {TARGET_SECONDS:.0f} s target: {verdict}{runs_text}")
    print(
        f"files: {best['files']}, {best['megabytes']:.1f} MB; conformance findings: {best['findings']}; "
        f"Define-XML problems: {len(best['define_problems'])}"
    )
    for problem in best["define_problems"][:5]:
        print(f"  {problem}")
    print(
        f"reference (SDTM domains with DataFrame.to_csv): {reference:.2f} s; "
        f"package / to_csv: {figures['ratio_to_csv']}x"
    )
    print(f"peak RSS: {figures['peak_rss_mb']:.0f} MB")
    if args.keep:
        print(f"package kept in {args.keep}")


if __name__ == "__main__":
    main()
