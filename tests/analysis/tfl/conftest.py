"""A hand-made study small enough to count by hand: 10 subjects, 2 arms, adverse events and a 2-visit score.

Population (SAFFL = "Y"): arm A = S01-S04 (N=4), arm B = S06-S10 (N=5); S05 is in arm A but not in the
population. Every expected number in the tests below is counted from these rows.
"""

import math

import pandas as pd
import pytest

from opencro.analysis.tfl.spec import parse_spec

ADSL = pd.DataFrame(
    [
        # USUBJID, TRT01P, SEX, AGE, SAFFL, TRTN
        ("S01", "A", "M", 60.0, "Y", 0.0),
        ("S02", "A", "F", 65.0, "Y", 0.0),
        ("S03", "A", "F", 70.0, "Y", 0.0),
        ("S04", "A", "M", 72.0, "Y", 0.0),
        ("S05", "A", "F", 80.0, "N", 0.0),
        ("S06", "B", "M", 55.0, "Y", 1.0),
        ("S07", "B", "M", 62.0, "Y", 1.0),
        ("S08", "B", "M", 68.0, "Y", 1.0),
        ("S09", "B", "F", 75.0, "Y", 1.0),
        ("S10", "B", "F", math.nan, "Y", 1.0),
    ],
    columns=["USUBJID", "TRT01P", "SEX", "AGE", "SAFFL", "TRTN"],
)

ADAE = pd.DataFrame(
    [
        # USUBJID, AEBODSYS, AEDECOD, TRTEMFL
        ("S01", "SKIN", "RASH", "Y"),
        ("S01", "SKIN", "RASH", "Y"),
        ("S01", "GI", "NAUSEA", "Y"),
        ("S02", "GI", "NAUSEA", "Y"),
        ("S02", "GI", "DIARRHOEA", "Y"),
        ("S06", "SKIN", "PRURITUS", "Y"),
        ("S07", "SKIN", "RASH", "Y"),
        ("S07", "GI", "NAUSEA", "N"),
        ("S05", "SKIN", "RASH", "Y"),
        ("S09", "GI", "DIARRHOEA", "Y"),
    ],
    columns=["USUBJID", "AEBODSYS", "AEDECOD", "TRTEMFL"],
)

ADQS = pd.DataFrame(
    [
        # USUBJID, AVISIT, AVAL
        ("S01", "Week 1", 1.0),
        ("S02", "Week 1", 2.0),
        ("S03", "Week 1", 2.0),
        ("S06", "Week 1", 1.0),
        ("S07", "Week 1", 1.0),
        ("S01", "Week 2", 2.0),
        ("S06", "Week 2", 2.0),
        ("S07", "Week 2", 1.0),
        ("S08", "Week 2", 2.0),
    ],
    columns=["USUBJID", "AVISIT", "AVAL"],
)


@pytest.fixture
def datasets() -> dict[str, pd.DataFrame]:
    return {"ADSL": ADSL.copy(), "ADAE": ADAE.copy(), "ADQS": ADQS.copy()}


def make_spec(rows: list[dict], **overrides) -> object:
    document = {
        "id": "T-1",
        "titles": ["Table T-1", "Hand-made table"],
        "population": {"dataset": "ADSL", "filter": "[SAFFL] = 'Y'", "label": "Safety"},
        "columns": {"variable": "TRT01P", "order": ["A", "B"], "total": "Total"},
        "rows": rows,
        "footnotes": ["A footnote."],
    }
    document.update(overrides)
    return parse_spec(document, source="t-1.yaml")


def cell(result, label: str, column: str) -> str:
    """The text of the display row `label` in `column` (by header key), from the layout."""
    layout = result.layout
    keys = [c.key for c in layout.columns]
    for row in layout.rows:
        if row.label == label:
            return row.cells[keys.index(column)]
    raise AssertionError(f"no row {label!r}; rows: {[r.label for r in layout.rows]}")


def stat(ard: pd.DataFrame, **where) -> float:
    """The one ARD value matching every column=value in `where`."""
    mask = pd.Series(True, index=ard.index)
    for key, value in where.items():
        mask &= ard[key] == value
    found = ard[mask]
    assert len(found) == 1, f"{len(found)} ARD rows match {where}"
    return float(found["stat"].iloc[0])
