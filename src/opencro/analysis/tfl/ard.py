"""The analysis results dataset (ARD): one row per statistic, machine-readable, beside every output.

In the spirit of the CDISC Analysis Results Standard: each row says which output, which display row and column
it fills, which groups (treatment, then a by-variable such as the system organ class or the visit), which
variable and category, which statistic, its value (`stat`, a float), the text printed (`formatted`, the whole
cell as shown, repeated on every statistic of that cell), the denominator of a percentage and the method of a
test or model. Renderers read the ARD and the layout, never the raw data.
"""

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

ARD_COLUMNS = (
    "output_id",
    "row",
    "column",
    "row_label",
    "group1",
    "group1_level",
    "group2",
    "group2_level",
    "variable",
    "variable_level",
    "stat_name",
    "stat_label",
    "stat",
    "formatted",
    "denominator",
    "method",
)

#: `row` of the header statistics (the population count N of each column).
HEADER_ROW = -1


@dataclass
class ArdBuilder:
    """Collects ARD rows for one output; `frame()` returns them as a DataFrame with `ARD_COLUMNS`."""

    output_id: str
    group1: str
    records: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        *,
        row: int,
        column: str,
        stat_name: str,
        stat: float | None,
        formatted: str,
        row_label: str = "",
        group1_level: str | None = None,
        group2: str | None = None,
        group2_level: str | None = None,
        variable: str | None = None,
        variable_level: str | None = None,
        stat_label: str = "",
        denominator: float | None = None,
        method: str | None = None,
    ) -> None:
        self.records.append(
            {
                "output_id": self.output_id,
                "row": row,
                "column": column,
                "row_label": row_label,
                "group1": self.group1 if group1_level is not None else None,
                "group1_level": group1_level,
                "group2": group2,
                "group2_level": group2_level,
                "variable": variable,
                "variable_level": variable_level,
                "stat_name": stat_name,
                "stat_label": stat_label or stat_name,
                "stat": math.nan if stat is None else float(stat),
                "formatted": formatted,
                "denominator": math.nan if denominator is None else float(denominator),
                "method": method,
            }
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame.from_records(self.records, columns=list(ARD_COLUMNS))


def write_ard(ard: pd.DataFrame, folder: str | os.PathLike[str], output_id: str) -> tuple[Path, Path]:
    """Write the ARD as `<id>.ard.csv` and `<id>.ard.json` (records; NaN as null) in `folder`."""
    base = Path(folder)
    base.mkdir(parents=True, exist_ok=True)
    csv_path = base / f"{output_id}.ard.csv"
    json_path = base / f"{output_id}.ard.json"
    ard.to_csv(csv_path, index=False)
    records = [
        {key: (None if isinstance(value, float) and math.isnan(value) else value) for key, value in rec.items()}
        for rec in ard.astype(object).to_dict(orient="records")
    ]
    json_path.write_text(json.dumps({"output_id": output_id, "rows": records}), encoding="utf-8")
    return csv_path, json_path


def read_ard_json(path: str | os.PathLike[str]) -> pd.DataFrame:
    """An ARD written by `write_ard`, read back."""
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    return pd.DataFrame.from_records(document["rows"], columns=list(ARD_COLUMNS))
