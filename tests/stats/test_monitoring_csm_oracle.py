"""opencro.stats.csm against R on a small data set: every test of every site, the BH q-values, the complete-case
covariance and the Mahalanobis distances, to 1e-9 relative.

The values come from tests/reference/csm/csm_oracle.R (R 4.2.2: chisq.test(correct = FALSE), var.test, t.test
(Welch), fisher.test(alternative = "greater"), mahalanobis, p.adjust(method = "BH")), which embeds the data and
writes csm_oracle.json. Four sites of 8-10 records, three variables (hb has one value with 2 decimals, so its
terminal digit is the second decimal), one missing dbp, one missing visit date, two copies of a record in site C.
"""

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from opencro.stats.csm import CsmChunk, collect_statistics, monitor_sites, site_blocks
from opencro.stats.csm.combine import site_tests
from opencro.stats.csm.multivariate import CovarianceAccumulator, whitening

ORACLE = json.loads((Path(__file__).parents[1] / "reference" / "csm" / "csm_oracle.json").read_text())
DATA = ORACLE["data"]
VARIABLES = ("sbp", "dbp", "hb")
REL = 1e-9


def _values() -> np.ndarray:
    return np.array([[np.nan if v is None else v for v in DATA[name]] for name in VARIABLES]).T


def _chunks(sizes=(10, 17, 9)) -> list[CsmChunk]:
    sites = np.array(DATA["site"])
    values = _values()
    dates = np.array([np.datetime64("NaT", "D") if v is None else np.datetime64(v, "D") for v in DATA["visit"]])[
        :, None
    ]
    bounds = np.cumsum((0, *sizes))
    return [
        CsmChunk(sites[a:b], values[a:b], dates=dates[a:b].astype("datetime64[D]"))
        for a, b in itertools.pairwise(bounds)
    ]


@pytest.fixture(scope="module")
def result():
    chunks = _chunks()
    return monitor_sites(lambda: chunks, variables=VARIABLES, date_columns=("visit",), min_records=5)


def _ours(result):
    return {(t.site, t.test, t.variable): t for t in result.tests}


def test_the_same_tests_are_run(result):
    expected = {(r["site"], r["test"], r["variable"]) for r in ORACLE["tests"]}
    assert set(_ours(result)) == expected
    assert len(result.tests) == len(ORACLE["tests"]) == 4 * (3 * 3 + 1 + 1 + 1)


@pytest.mark.parametrize("row", ORACLE["tests"], ids=lambda r: f"{r['site']}-{r['test']}-{r['variable']}")
def test_statistic_df_p_and_q_match_r(result, row):
    ours = _ours(result)[(row["site"], row["test"], row["variable"])]
    assert ours.statistic == pytest.approx(row["statistic"], rel=REL, abs=1e-12)
    df = row["df"] if isinstance(row["df"], list) else [row["df"]]
    assert ours.df == pytest.approx(tuple(df), rel=REL)
    assert ours.pvalue == pytest.approx(row["pvalue"], rel=REL, abs=1e-300)
    assert ours.qvalue == pytest.approx(row["qvalue"], rel=REL, abs=1e-300)


def test_complete_case_covariance_and_distances_match_r():
    accumulator = CovarianceAccumulator(3)
    for chunk in _chunks((5, 20, 11)):
        accumulator.add(chunk.values)
    assert accumulator.n == 35  # one record lacks dbp
    np.testing.assert_allclose(accumulator.mean, ORACLE["complete_mean"], rtol=REL)
    np.testing.assert_allclose(accumulator.covariance, ORACLE["complete_cov"], rtol=REL)
    values = _values()
    complete = values[~np.isnan(values).any(axis=1)]
    d2 = whitening(accumulator.mean, accumulator.covariance).squared_distances(complete)
    np.testing.assert_allclose(d2, ORACLE["mahalanobis_d2"], rtol=REL)


def test_chunking_does_not_change_the_result(result):
    values = _values()
    chunks = [CsmChunk(np.array(DATA["site"]), values, dates=_chunks((36,))[0].dates)]
    whole = monitor_sites(lambda: chunks, variables=VARIABLES, date_columns=("visit",), min_records=5)
    ours = _ours(result)
    for t in whole.tests:
        assert ours[(t.site, t.test, t.variable)].pvalue == pytest.approx(t.pvalue, rel=1e-12)


def test_copies_in_site_c_are_counted_and_hb_digits_use_two_decimals(result):
    ours = _ours(result)
    assert ours[("C", "duplicates", None)].statistic == 2
    assert ours[("A", "duplicates", None)].statistic == 0
    assert ours[("A", "digits", "hb")].direction == "excess of 5 (decimals 2)"  # its 5.75 = the only non-zero digit


def test_site_level_simes_p_and_bh_q_match_r(result):
    for site in result.sites:
        assert site.site_pvalue == pytest.approx(ORACLE["site_pvalue"][site.site], rel=REL)
        assert site.site_qvalue == pytest.approx(ORACLE["site_qvalue"][site.site], rel=REL)
        assert not site.flagged
    assert result.reference_excluded == ()  # nothing flagged: one round


WITHOUT_C = ORACLE["reference_without_C"]


@pytest.fixture(scope="module")
def without_c():
    chunks = _chunks()
    statistics = collect_statistics(lambda: chunks, variables=VARIABLES, date_columns=("visit",))
    reference = np.array([label != "C" for label in statistics.labels])
    tests = site_tests(site_blocks(statistics, 5, reference), statistics.labels)
    return {(t.site, t.test, t.variable): t for t in tests}


@pytest.mark.parametrize("row", WITHOUT_C["tests"], ids=lambda r: f"{r['site']}-{r['test']}-{r['variable']}")
def test_against_a_reference_without_site_c_matches_r(without_c, row):
    ours = without_c[(row["site"], row["test"], row["variable"])]
    assert ours.statistic == pytest.approx(row["statistic"], rel=REL, abs=1e-12)
    df = row["df"] if isinstance(row["df"], list) else [row["df"]]
    assert ours.df == pytest.approx(tuple(df), rel=REL)
    assert ours.pvalue == pytest.approx(row["pvalue"], rel=REL, abs=1e-300)
    assert ours.qvalue == pytest.approx(row["qvalue"], rel=REL, abs=1e-300)
    assert len(without_c) == len(WITHOUT_C["tests"])
