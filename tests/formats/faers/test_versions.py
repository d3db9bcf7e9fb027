"""One report per case: highest caseversion, then latest fda_dt, then highest primaryid (FDA's README rule)."""

import pandas as pd

from opencro.formats.faers import latest_versions, normalise_names


def frame(rows, columns=("primaryid", "caseid", "caseversion", "fda_dt")):
    return pd.DataFrame(rows, columns=list(columns), dtype=object)


def test_highest_version_wins_numerically():
    # Version 10 is later than version 9 although "10" < "9" as text.
    demo = frame([("1009", "100", "9", "20240301"), ("10010", "100", "10", "20240301"), ("2001", "200", "1", "")])
    assert list(latest_versions(demo)["primaryid"]) == ["10010", "2001"]


def test_same_version_latest_date_then_highest_primaryid():
    demo = frame(
        [
            ("11", "1", "1", "20240105"),
            ("12", "1", "1", "20240110"),  # same version, later date: kept
            ("21", "2", "", "20240101"),
            ("29", "2", "", "20240101"),  # no version, same date: the higher primaryid is kept
        ]
    )
    assert list(latest_versions(demo)["primaryid"]) == ["12", "29"]


def test_without_version_column_and_order_of_rows_kept():
    rows = [("5", "b", "20240101"), ("3", "a", "20240101"), ("6", "b", "20240102")]
    demo = frame(rows, ("primaryid", "caseid", "fda_dt"))
    kept = latest_versions(demo)
    assert list(kept["primaryid"]) == ["3", "6"]  # in the order the rows came
    assert list(kept.columns) == ["primaryid", "caseid", "fda_dt"]


def test_names_are_counting_keys():
    names = pd.Series(["  Humira\tpen ", "HUMIRA PEN", "humira  pen", None])
    assert list(normalise_names(names)) == ["HUMIRA PEN", "HUMIRA PEN", "HUMIRA PEN", ""]
