"""Benchmark: writing a large findings dataset as SAS XPORT v5 and as CDISC Dataset-JSON 1.1 (document and NDJSON).

    python benchmarks/formats_writers.py [--rows 1000000] [--repeat 1] [--json]

Data: a generated LB-like findings dataset of ``--rows`` rows x 20 variables (14 character, 6 numeric), as the
SDTM writer hands it over: 5,000 subjects x 20 visits x 10 tests, text values from small vocabularies (test codes,
units, visits, ISO 8601 date/times) plus free result text, numerics with about 5 % missing values, whole numbers
(sequence, visit number, study day) and real results. For XPT the character columns are object columns of str or
None and the numerics float64 (lengths fitted, as FDA asks); for Dataset-JSON the text columns are "string" (with
their length), whole numbers "integer" (pandas Int64), results "double".

Measured (wall clock, and the CPU time of the process, of the fastest of ``--repeat`` runs; each file written to
a temporary folder): `write_xpt` with
fit_lengths=True, `write_dataset_json` and `write_dataset_ndjson`, all checks included; rows/s. Reference measured in
the same run: `pandas.DataFrame.to_csv` of the same frame to a file, and the ratio writer / to_csv.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from opencro.formats.datasetjson import DatasetJson, DatasetJsonColumn, write_dataset_json, write_dataset_ndjson
from opencro.formats.xpt import XptDataset, XptVariable, write_xpt

STAMP = datetime(2026, 11, 27, 0, 0, 0)
TESTS = (
    ("ALB", "Albumin", "g/L", 35, 50),
    ("ALT", "Alanine Aminotransferase", "U/L", 7, 56),
    ("AST", "Aspartate Aminotransferase", "U/L", 10, 40),
    ("BILI", "Bilirubin", "umol/L", 2, 21),
    ("CREAT", "Creatinine", "umol/L", 53, 115),
    ("GLUC", "Glucose", "mmol/L", 3.9, 5.6),
    ("HGB", "Hemoglobin", "g/L", 120, 175),
    ("K", "Potassium", "mmol/L", 3.5, 5.1),
    ("SODIUM", "Sodium", "mmol/L", 135, 145),
    ("WBC", "Leukocytes", "10^9/L", 4, 11),
)
NUMERIC = ("LBSEQ", "LBSTRESN", "LBSTNRLO", "LBSTNRHI", "VISITNUM", "LBDY")
WHOLE = ("LBSEQ", "VISITNUM", "LBDY")


def findings(n_rows: int, seed: int = 20261127) -> pd.DataFrame:
    """``n_rows`` rows of a laboratory findings dataset (20 columns)."""
    rng = np.random.default_rng(seed)
    row = np.arange(n_rows)
    test = row % len(TESTS)
    visit = (row // len(TESTS)) % 20 + 1
    subject = row // (len(TESTS) * 20)
    low = np.array([t[3] for t in TESTS], dtype=float)[test]
    high = np.array([t[4] for t in TESTS], dtype=float)[test]
    result = np.round(rng.normal((low + high) / 2, (high - low) / 3), 2)
    missing = rng.random(n_rows) < 0.05
    result[missing] = np.nan

    def pick(values: list[str] | tuple[str, ...], index: np.ndarray) -> np.ndarray:
        return np.array(values, dtype=object)[index]

    text = np.array([f"{v:.2f}" for v in np.nan_to_num(result)], dtype=object)
    text[missing] = None
    day = (visit - 1) * 14 + 1 + rng.integers(-2, 3, n_rows)
    dates = pd.Timestamp("2025-01-06") + pd.to_timedelta(subject % 365 + day, unit="D")
    dtc = dates.strftime("%Y-%m-%dT08:30").to_numpy(dtype=object)
    nrind = np.where(np.isnan(result), None, np.where(result < low, "LOW", np.where(result > high, "HIGH", "NORMAL")))
    return pd.DataFrame(
        {
            "STUDYID": np.full(n_rows, "CDISCPILOT01", dtype=object),
            "DOMAIN": np.full(n_rows, "LB", dtype=object),
            "USUBJID": np.array([f"01-{s // 100 + 700:03d}-{s:05d}" for s in range(subject[-1] + 1)], dtype=object)[
                subject
            ]
            if n_rows
            else np.array([], dtype=object),
            "LBSEQ": (row % (len(TESTS) * 20) + 1).astype(float),
            "LBTESTCD": pick([t[0] for t in TESTS], test),
            "LBTEST": pick([t[1] for t in TESTS], test),
            "LBCAT": pick(["CHEMISTRY", "HEMATOLOGY"], (test >= 6).astype(int)),
            "LBORRES": text,
            "LBORRESU": pick([t[2] for t in TESTS], test),
            "LBSTRESC": text.copy(),
            "LBSTRESN": result,
            "LBSTRESU": pick([t[2] for t in TESTS], test),
            "LBSTNRLO": low,
            "LBSTNRHI": high,
            "LBNRIND": nrind.astype(object),
            "LBBLFL": np.where(visit == 1, "Y", None).astype(object),
            "VISITNUM": visit.astype(float),
            "VISIT": pick([f"WEEK {2 * (v - 1)}" if v > 1 else "BASELINE" for v in range(1, 21)], visit - 1),
            "LBDTC": dtc,
            "LBDY": day.astype(float),
        }
    )


def as_xpt(frame: pd.DataFrame) -> XptDataset:
    variables = [
        XptVariable(str(c), "num" if c in NUMERIC else "char", f"Label of {c}", 8 if c in NUMERIC else None)
        for c in frame.columns
    ]
    return XptDataset("LB", variables, frame, label="Laboratory Test Results", created=STAMP, modified=STAMP)


def as_dataset_json(frame: pd.DataFrame) -> DatasetJson:
    columns = []
    data = {}
    for c in frame.columns:
        if c in WHOLE:
            columns.append(DatasetJsonColumn(f"IT.LB.{c}", c, f"Label of {c}", "integer"))
            data[c] = frame[c].astype("Int64")
        elif c in NUMERIC:
            columns.append(DatasetJsonColumn(f"IT.LB.{c}", c, f"Label of {c}", "double"))
            data[c] = frame[c]
        else:
            longest = int(frame[c].dropna().map(len).max()) if frame[c].notna().any() else 1
            columns.append(DatasetJsonColumn(f"IT.LB.{c}", c, f"Label of {c}", "string", length=max(1, longest)))
            data[c] = frame[c]
    return DatasetJson("LB", "Laboratory Test Results", "IG.LB", columns, pd.DataFrame(data), created=STAMP.isoformat())


def best_of(repeat: int, action: Callable[[], object]) -> tuple[float, float]:
    """(wall clock, CPU time of this process) of the fastest of `repeat` runs, in seconds."""
    runs = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        runs.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per writer; the best is reported")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    frame = findings(args.rows)
    xpt = as_xpt(frame)
    dataset_json = as_dataset_json(frame)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        timed = {
            "to_csv": best_of(args.repeat, lambda: frame.to_csv(out / "lb.csv", index=False)),
            "xpt": best_of(args.repeat, lambda: write_xpt(out / "lb.xpt", [xpt], fit_lengths=True, created=STAMP)),
            "dataset_json": best_of(args.repeat, lambda: write_dataset_json(out / "lb.json", dataset_json)),
            "ndjson": best_of(args.repeat, lambda: write_dataset_ndjson(out / "lb.ndjson", dataset_json)),
        }
        sizes = {
            name: (out / f"lb.{ext}").stat().st_size
            for name, ext in (("to_csv", "csv"), ("xpt", "xpt"), ("dataset_json", "json"), ("ndjson", "ndjson"))
        }
    seconds = {name: wall for name, (wall, _) in timed.items()}
    figures = {
        "rows": args.rows,
        "columns": frame.shape[1],
        "machine": f"{platform.machine()} {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}",
        "python": platform.python_version(),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "cpu_seconds": {k: round(cpu, 3) for k, (_, cpu) in timed.items()},
        "rows_per_second": {k: round(args.rows / v) if v else None for k, v in seconds.items()},
        "megabytes": {k: round(v / 1e6, 1) for k, v in sizes.items()},
        "ratio_to_csv": {k: round(v / seconds["to_csv"], 2) for k, v in seconds.items() if k != "to_csv"},
    }
    if args.json:
        print(json.dumps(figures))
        return
    print(f"{args.rows:,} rows x {frame.shape[1]} columns; {figures['machine']}; Python {figures['python']}")
    for name in ("to_csv", "xpt", "dataset_json", "ndjson"):
        ratio = f"  ({figures['ratio_to_csv'][name]} x to_csv)" if name != "to_csv" else "  (reference)"
        print(
            f"{name:>13}: {seconds[name]:8.2f} s  {figures['rows_per_second'][name]:>12,} rows/s  "
            f"(CPU {figures['cpu_seconds'][name]:.2f} s)  {figures['megabytes'][name]:8.1f} MB{ratio}"
        )


if __name__ == "__main__":
    main()
