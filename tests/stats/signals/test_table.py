"""`detect_signals`: the table the CLI prints (columns, order, filters, progress, errors)."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opencro.stats.signals import COLUMNS, SignalInputError, detect_signals, information_component

from .test_counts import VIGNETTE2


def _rows(seed: int = 3, n_reports: int = 400) -> pd.DataFrame:
    """A small database: 12 products and 15 events with uneven frequencies, 1-3 products x 1-3 events a report."""
    rng = np.random.default_rng(seed)
    out = []
    for report in range(n_reports):
        products = rng.choice(12, rng.integers(1, 4), p=np.arange(12, 0, -1) / 78)
        events = rng.choice(15, rng.integers(1, 4), p=np.arange(15, 0, -1) / 120)
        out += [
            (f"R{report}", f"drug{p:02d}", f"ae{e:02d}", "F" if report % 3 else "M") for p in products for e in events
        ]
    return pd.DataFrame(out, columns=["report", "product", "event", "sex"])


@pytest.fixture(scope="module")
def small():
    rows = _rows()
    return rows, detect_signals(rows)


def test_columns_order_and_sorting(small):
    rows, result = small
    assert tuple(result.table.columns) == COLUMNS == (
        "product", "event", "n", "expected", "prr", "prr_lower", "prr_upper", "chi2", "ror", "ror_lower",
        "ror_upper", "ic", "ic025", "ebgm", "eb05", "eb95",
    )  # fmt: skip
    keys = list(zip(result.table["product"], result.table["event"], strict=True))
    assert keys == sorted(keys)
    assert result.n_reports == rows.report.nunique()
    assert result.n_pairs == len(
        rows.drop_duplicates(["report", "product", "event"])[["product", "event"]].drop_duplicates()
    )


def test_the_table_agrees_with_the_pieces(small):
    rows, result = small
    t = result.table
    # by direct pandas counting of distinct reports, for every pair
    d = rows.drop_duplicates(["report", "product", "event"])
    n = d.groupby(["product", "event"]).size()
    n_p = rows.drop_duplicates(["report", "product"]).groupby("product").size()
    n_e = rows.drop_duplicates(["report", "event"]).groupby("event").size()
    np.testing.assert_array_equal(t.n, n.loc[list(zip(t["product"], t["event"], strict=True))])
    expected = n_p.loc[t["product"]].to_numpy() * n_e.loc[t["event"]].to_numpy() / rows.report.nunique()
    np.testing.assert_allclose(t.expected, expected, rtol=1e-14)
    np.testing.assert_allclose(t.ic, information_component(t.n, t.expected).ic, rtol=1e-15)
    assert (t.eb05 <= t.ebgm).all() and (t.ebgm <= t.eb95).all()


def test_min_count_filters_rows_but_not_the_prior(small):
    rows, result = small
    filtered = detect_signals(rows, min_count=3)
    assert (filtered.table.n >= 3).all()
    assert len(filtered.table) == int((result.table.n >= 3).sum())
    assert filtered.n_pairs == result.n_pairs
    assert filtered.prior == result.prior
    pd.testing.assert_frame_equal(
        filtered.table, result.table[result.table.n >= 3].reset_index(drop=True), check_exact=True
    )


def test_strata_change_expected_ic_and_gps_but_not_prr():
    data = VIGNETTE2.assign(stratum=VIGNETTE2.strat1 + "-" + VIGNETTE2.strat2)
    crude = detect_signals(data, report_col="id", product_col="var1", event_col="var2")
    strat = detect_signals(data, report_col="id", product_col="var1", event_col="var2", strata_col="stratum")
    # vignette 2 stratified E (processRaw(stratify = TRUE)): 4.3222222 4.6777778 4.1222222 2.8777778 0.5555556
    np.testing.assert_allclose(strat.table.expected, [4.3222222, 4.6777778, 4.1222222, 2.8777778, 0.5555556], atol=5e-8)
    # vignette 2 PRR, the same with and without strata: 1.11 0.89 0.71 1.43 2.00
    np.testing.assert_array_equal(np.round(strat.table.prr, 2), [1.11, 0.89, 0.71, 1.43, 2.00])
    pd.testing.assert_series_equal(strat.table.prr, crude.table.prr)
    assert not np.allclose(strat.table.ic, crude.table.ic)


def test_progress_reports_every_stage_in_order(small):
    rows, _ = small
    seen = []
    detect_signals(rows, progress=lambda stage, fraction: seen.append((stage, fraction)))
    stages = list(dict.fromkeys(stage for stage, _ in seen))
    assert stages == ["counts", "prior fit", "disproportionality", "posterior"]
    for stage in stages:
        fractions = [f for s, f in seen if s == stage]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] >= 0.0


@pytest.mark.parametrize(
    ("kwargs", "where"),
    [
        ({"report_col": "id"}, "report_col"),
        ({"product_col": "drug"}, "product_col"),
        ({"event_col": "pt"}, "event_col"),
        ({"strata_col": "age"}, "strata_col"),
        ({"min_count": 0}, "min_count"),
        ({"min_count": -2}, "min_count"),
        ({"min_count": 1.5}, "min_count"),
    ],
)
def test_bad_arguments_name_what_is_wrong(small, kwargs, where):
    rows, _ = small
    with pytest.raises(ValueError, match=where) as caught:
        detect_signals(rows, **kwargs)
    assert isinstance(caught.value, SignalInputError) and caught.value.parameter == where


def test_empty_frame_and_missing_values_are_refused(small):
    rows, _ = small
    with pytest.raises(ValueError, match="no rows"):
        detect_signals(rows.iloc[:0])
    broken = rows.copy()
    broken.loc[5, "event"] = np.nan
    with pytest.raises(ValueError, match="'event'"):
        detect_signals(broken)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000))
def test_relabelling_products_and_events_permutes_rows_only(seed):
    rows = _rows(seed, n_reports=120)
    rng = np.random.default_rng(seed)
    products = sorted(rows["product"].unique())
    events = sorted(rows["event"].unique())
    p_map = dict(zip(products, rng.permutation([f"x{i:03d}" for i in range(len(products))]), strict=True))
    e_map = dict(zip(events, rng.permutation([f"y{i:03d}" for i in range(len(events))]), strict=True))
    relabelled = rows.assign(product=rows["product"].map(p_map), event=rows["event"].map(e_map))
    a = detect_signals(rows).table
    b = detect_signals(relabelled).table
    a = a.assign(product=a["product"].map(p_map), event=a["event"].map(e_map))
    a = a.sort_values(["product", "event"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_expected_counts_sum_to_the_total_over_the_full_table(seed):
    # sum over all (i, j) of n_i. n_.j / n.. = (sum_i n_i.)(sum_j n_.j) / n..; with one product and one event per
    # report every margin sum is n.., so the expected counts of all cells (zero cells included) sum to n..
    rng = np.random.default_rng(seed)
    m = 300
    rows = pd.DataFrame({"report": np.arange(m), "product": rng.integers(0, 6, m), "event": rng.integers(0, 7, m)})
    result = detect_signals(rows)
    n_p = rows.groupby("product").size()
    n_e = rows.groupby("event").size()
    zero_cells = sum(
        n_p[p] * n_e[e] / m
        for p in n_p.index
        for e in n_e.index
        if not ((rows["product"] == p) & (rows["event"] == e)).any()
    )
    assert result.table.expected.sum() + zero_cells == pytest.approx(m, rel=1e-12)
    assert result.table.n.sum() == m
