"""The column-wise evaluation agrees with the row interpreter of opencro.core.logic on every row."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from opencro.analysis.adam.vectorised import evaluate_frame, truth
from opencro.core.logic import evaluate, parse
from opencro.core.logic.values import truthy

FRAME = pd.DataFrame(
    {
        "AGE": [64.0, 65.0, np.nan, 80.0, 81.0, 0.0],
        "SEX": ["F", "M", "", "F", None, "M"],
        "TXT": ["5", "5.0", "abc", " ", "2014-01-02", "0"],
        "STR": pd.Series(["A", "B", None, "A", "C", "B"], dtype="str"),
        "DT": pd.to_datetime(["2014-01-01", "2014-01-02", None, "2014-01-03", "2014-01-02", "2013-12-31"]),
        "DTC": ["2014-01-02", "2014-01-02", "", "2014-01", "2014-01-01", "2013-12-31"],
        "DOBJ": [date(2014, 1, 2), None, date(2014, 1, 1), "2014-01-03", date(2013, 1, 1), date(2014, 1, 1)],
    }
)

EXPRESSIONS = [
    "[AGE] >= 65",
    "[AGE] >= 65 and [SEX] = 'F'",
    "[AGE] = ''",
    "[SEX] = ''",
    "[SEX] <> 'F'",
    "[SEX] in ('F', 'M')",
    "[SEX] not in ('F')",
    "not ([AGE] < 70)",
    "[TXT] = 5",
    "[TXT] = '5'",
    "[TXT] > 1",
    "[STR] = 'A' or [AGE] > 80",
    "[STR] <> 'B'",
    "[DT] >= [DTC]",
    "[DT] = [DTC]",
    "[DTC] <= '2014-01-01'",
    "[AGE] + 1",
    "[AGE] / [AGE]",
    "-[AGE] * 2",
    "if([AGE] > 70, 'old', 'young')",
    "if([SEX] = 'F', [AGE], 0)",
    "isblank([SEX])",
    "contains([SEX], 'f')",
    "starts_with([STR], 'a')",
    "not_contain([TXT], 'b')",
    "round([AGE] / 3, 1)",
    "upper([SEX])",
    "trim([TXT])",
    "datediff([DT], [DTC], 'd', true)",
    "[AGE]",
    "[TXT]",
    "'F' = [SEX]",
    "'A' <> [STR]",
    "[AGE] = [AGE]",
    "0 < [AGE] <= 65",
    "[AGE] > 64.5",
    "[TXT] = 'abc'",
    "[DTC] = '2014-01-02'",
    "[DOBJ] = [DTC]",
    "[DOBJ] < [DT]",
]


def _plain(value):
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, float, np.number)):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


@pytest.mark.parametrize("text", EXPRESSIONS)
def test_agrees_with_the_row_interpreter(text):
    tree = parse(text)
    columns = evaluate_frame(tree, FRAME)
    records = FRAME.astype(object).where(FRAME.notna(), None).to_dict("records")
    for i, record in enumerate(records):
        expected = _plain(evaluate(tree, record))
        got = _plain(columns.iloc[i])
        if isinstance(expected, str) and got is None:
            got = ""
        if isinstance(expected, float) and isinstance(got, float):
            assert got == pytest.approx(expected), (text, i)
        else:
            assert got == expected, (text, i, record)


@pytest.mark.parametrize("text", ["[AGE]", "[SEX]", "[TXT]", "[STR]", "[DT]"])
def test_truth_agrees(text):
    values = evaluate_frame(parse(text), FRAME)
    records = FRAME.astype(object).where(FRAME.notna(), None).to_dict("records")
    assert truth(values).tolist() == [truthy(evaluate(parse(text), r)) for r in records]
