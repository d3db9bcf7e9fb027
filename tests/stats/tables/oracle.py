"""Load the R reference values (tests/reference/tables/*.json) and the CSV inputs they were computed from."""

import json
from functools import cache
from pathlib import Path

import pandas as pd

REFERENCE = Path(__file__).resolve().parents[2] / "reference" / "tables"


@cache
def load_json(name: str) -> dict:
    return json.loads((REFERENCE / name).read_text(encoding="utf-8"))


def load_csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE / name, na_values=["NA"], keep_default_na=False)
