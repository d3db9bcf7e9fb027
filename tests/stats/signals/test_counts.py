"""Counts of distinct reports per pair and margin, and (stratified) expected counts, against openEBGM's processRaw."""

import numpy as np
import pandas as pd
import pytest

from opencro.stats.signals import count_pairs

# The raw data of openEBGM's vignette 2 ("Processing Raw Data with openEBGM", 2023-09-14): id = 1..17.
VIGNETTE2 = pd.DataFrame(
    {
        "var1": ["product_B", "product_A", "product_B", "product_A", "product_A", "product_A", "product_A",
                 "product_A", "product_A", "product_A", "product_A", "product_B", "product_B", "product_B",
                 "product_B", "product_B", "product_C"],
        "var2": ["event_1", "event_1", "event_2", "event_1", "event_1", "event_1", "event_2", "event_2", "event_1",
                 "event_2", "event_2", "event_2", "event_1", "event_2", "event_1", "event_2", "event_1"],
        "strat1": ["F", "M", "M", "M", "F", "F", "F", "F", "M", "M", "M", "M", "M", "M", "M", "F", "M"],
        "strat2": ["age_cat2", "age_cat1", "age_cat1", "age_cat1", "age_cat1", "age_cat1", "age_cat1", "age_cat1",
                   "age_cat2", "age_cat1", "age_cat1", "age_cat2", "age_cat1", "age_cat1", "age_cat1", "age_cat1",
                   "age_cat1"],
        "id": range(1, 18),
    }
)  # fmt: skip


def _count(data: pd.DataFrame, strata: str | None = None):
    return count_pairs(data, report_col="id", product_col="var1", event_col="var2", strata_col=strata)


def test_unstratified_counts_match_the_vignette():
    # vignette 2: processRaw(data = dat, stratify = FALSE, zeroes = FALSE)
    #   product_A event_1 N=5 E=4.7647059 ; product_A event_2 4 4.2352941 ; product_B event_1 3 3.7058824 ;
    #   product_B event_2 4 3.2941176 ; product_C event_1 1 0.5294118
    # by hand: n_A. = 9, n_B. = 7, n_C. = 1, n_.1 = 9, n_.2 = 8, n.. = 17, so E(A,1) = 9 * 9 / 17 = 4.7647059
    c = _count(VIGNETTE2)
    assert c.n_reports == 17
    assert list(c.product_labels[c.product]) == ["product_A", "product_A", "product_B", "product_B", "product_C"]
    assert list(c.event_labels[c.event]) == ["event_1", "event_2", "event_1", "event_2", "event_1"]
    assert list(c.n) == [5, 4, 3, 4, 1]
    assert list(c.n_product) == [9, 9, 7, 7, 1]
    assert list(c.n_event) == [9, 8, 9, 8, 9]
    np.testing.assert_allclose(c.expected, [81 / 17, 72 / 17, 63 / 17, 56 / 17, 9 / 17], rtol=1e-15)
    np.testing.assert_allclose(c.expected, [4.7647059, 4.2352941, 3.7058824, 3.2941176, 0.5294118], atol=5e-8)


def test_stratified_expected_counts_match_the_vignette():
    # vignette 2: processRaw(data = dat, stratify = TRUE), strata strat1 x strat2 (4 strata):
    #   E = 4.3222222, 4.6777778, 4.1222222, 2.8777778, 0.5555556 (N unchanged)
    data = VIGNETTE2.assign(stratum=VIGNETTE2.strat1 + "-" + VIGNETTE2.strat2)
    c = _count(data, "stratum")
    assert list(c.n) == [5, 4, 3, 4, 1]
    np.testing.assert_allclose(c.expected, [4.3222222, 4.6777778, 4.1222222, 2.8777778, 0.5555556], atol=5e-8)
    # by hand for (product_C, event_1): product_C is only in stratum M-age_cat1, which holds ids 2, 3, 4, 10, 11, 13,
    # 14, 15, 17 (9 reports), event_1 in 2, 4, 13, 15, 17 (5); the other strata add 0, so E = 1 * 5 / 9
    assert c.expected[-1] == pytest.approx(5 / 9, rel=1e-15)


def test_counts_are_of_distinct_reports():
    # report 1 lists (P, X) twice and (P, Y) once; report 2 lists (Q, X): N(P,X) = 1, n_P. = 1 (one report),
    # n_.X = 2, n.. = 2, so E(P,X) = 1 * 2 / 2 = 1
    data = pd.DataFrame({"id": [1, 1, 1, 2], "var1": ["P", "P", "P", "Q"], "var2": ["X", "X", "Y", "X"]})
    c = _count(data)
    assert list(zip(c.product_labels[c.product], c.event_labels[c.event], c.n, strict=True)) == [
        ("P", "X", 1),
        ("P", "Y", 1),
        ("Q", "X", 1),
    ]
    assert list(c.n_product) == [1, 1, 1]
    assert list(c.n_event) == [2, 1, 2]
    np.testing.assert_allclose(c.expected, [1.0, 0.5, 1.0])


def test_categorical_columns_give_the_same_counts_in_label_order():
    plain = _count(VIGNETTE2)
    categorical = VIGNETTE2.assign(
        var1=pd.Categorical(VIGNETTE2.var1, categories=["product_C", "unused", "product_B", "product_A"]),
        var2=VIGNETTE2.var2.astype("category"),
    )
    c = _count(categorical)
    assert list(c.product_labels) == ["product_A", "product_B", "product_C"]
    np.testing.assert_array_equal(c.n, plain.n)
    np.testing.assert_array_equal(c.product, plain.product)
    np.testing.assert_allclose(c.expected, plain.expected, rtol=1e-15)


def test_missing_values_are_refused_naming_the_column():
    data = VIGNETTE2.copy()
    data.loc[3, "var2"] = None
    with pytest.raises(ValueError, match="var2"):
        _count(data)


@pytest.mark.parametrize("ids", ["dense", "sparse", "text"])
def test_report_identifiers_of_any_kind_give_the_same_counts(ids):
    # integer ids close together are used as codes directly, others are factorised: same result either way
    plain = _count(VIGNETTE2)
    mapped = {"dense": VIGNETTE2.id + 1000, "sparse": VIGNETTE2.id * 10**11, "text": "r" + VIGNETTE2.id.astype(str)}
    c = _count(VIGNETTE2.assign(id=mapped[ids]))
    assert c.n_reports == 17
    np.testing.assert_array_equal(c.n, plain.n)
    np.testing.assert_array_equal(c.n_product, plain.n_product)
    np.testing.assert_allclose(c.expected, plain.expected, rtol=1e-15)
