"""chi_square_test and fisher_exact_test against R chisq.test / fisher.test (tests/reference/tables/tables.R)."""

import pytest

from opencro.stats.tables import TableStatisticsError, categorical, chi_square_test, fisher_exact_test
from tests.stats.tables.oracle import load_json

TABLES = sorted(load_json("tables.json")["contingency"])
REL = 1e-9


@pytest.mark.parametrize("name", TABLES)
def test_chi_square_matches_r(name: str) -> None:
    # R: chisq.test(m, correct = FALSE)
    expected = load_json("tables.json")["contingency"][name]
    result = chi_square_test(expected["table"])
    assert result.statistic == pytest.approx(expected["chisq_statistic"], rel=REL)
    assert result.df == expected["chisq_df"]
    assert result.pvalue == pytest.approx(expected["chisq_pvalue"], rel=1e-8)
    assert result.method == "Pearson's chi-square test"


@pytest.mark.parametrize("name", [n for n in TABLES if n.startswith("t2x2")])
def test_yates_matches_r(name: str) -> None:
    # R: chisq.test(m, correct = TRUE), 2 x 2 tables only
    expected = load_json("tables.json")["contingency"][name]
    result = chi_square_test(expected["table"], correction=True)
    assert result.statistic == pytest.approx(expected["yates_statistic"], rel=REL)
    assert result.pvalue == pytest.approx(expected["yates_pvalue"], rel=1e-8)
    assert "Yates" in result.method


def test_yates_is_ignored_beyond_2x2() -> None:
    table = load_json("tables.json")["contingency"]["t3x3"]["table"]
    assert chi_square_test(table, correction=True) == chi_square_test(table)


@pytest.mark.parametrize("name", TABLES)
def test_fisher_matches_r(name: str) -> None:
    # R: fisher.test(m, workspace = 2e8)$p.value (network algorithm FEXACT for r x c)
    expected = load_json("tables.json")["contingency"][name]
    result = fisher_exact_test(expected["table"])
    assert result.pvalue == pytest.approx(expected["fisher_pvalue"], rel=1e-7)
    assert result.statistic is None and result.df is None


@pytest.mark.parametrize("name", TABLES)
def test_fisher_is_invariant_to_transpose_and_permutation(name: str) -> None:
    table = load_json("tables.json")["contingency"][name]["table"]
    transposed = [list(col) for col in zip(*table, strict=True)]
    reversed_rows = table[::-1]
    p = fisher_exact_test(table).pvalue
    assert fisher_exact_test(transposed).pvalue == pytest.approx(p, rel=1e-12)
    assert fisher_exact_test(reversed_rows).pvalue == pytest.approx(p, rel=1e-12)


def test_fisher_brute_force_3x3() -> None:
    # Independent check of the network algorithm: sum the hypergeometric probabilities of every 3 x 3 table with
    # the observed margins whose probability is <= the observed one (times 1 + 1e-7, as R).
    import itertools
    import math

    table = [[3, 1, 2], [1, 3, 5], [4, 0, 2]]
    rows = [sum(r) for r in table]
    cols = [sum(c) for c in zip(*table, strict=True)]
    n = sum(rows)

    def prob(t: list[list[int]]) -> float:
        num = math.prod(math.factorial(v) for v in rows + cols)
        den = math.factorial(n) * math.prod(math.factorial(v) for r in t for v in r)
        return num / den

    observed = prob(table)
    total = 0.0
    for a, b, d, e in itertools.product(range(n + 1), repeat=4):
        c, f = rows[0] - a - b, rows[1] - d - e
        g, h, i = cols[0] - a - d, cols[1] - b - e, cols[2] - c - f
        t = [[a, b, c], [d, e, f], [g, h, i]]
        if min(c, f, g, h, i) < 0 or g + h + i != rows[2]:
            continue
        p = prob(t)
        if p <= observed * (1 + 1e-7):
            total += p
    assert fisher_exact_test(table).pvalue == pytest.approx(total, rel=1e-12)


def test_fisher_too_large_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(categorical, "FISHER_WORK_LIMIT", 50)
    with pytest.raises(TableStatisticsError, match="too large for the exact r x c test"):
        fisher_exact_test([[5, 2, 1, 0], [3, 4, 2, 1], [1, 2, 5, 6]])


@pytest.mark.parametrize("test", [chi_square_test, fisher_exact_test])
def test_zero_row_is_refused(test) -> None:
    with pytest.raises(TableStatisticsError, match=r"row\(s\) \[2\] \(1-based\) have no observations"):
        test([[3, 4], [0, 0], [5, 1]])


@pytest.mark.parametrize("test", [chi_square_test, fisher_exact_test])
def test_zero_column_is_refused(test) -> None:
    with pytest.raises(TableStatisticsError, match=r"column\(s\) \[1\]"):
        test([[0, 4], [0, 2]])


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([1, 2, 3], "must be two-way"),
        ([[1, 2, 3]], "at least 2 rows and 2 columns"),
        ([[1, -2], [3, 4]], "non-negative integers"),
        ([[1.5, 2], [3, 4]], "non-negative integers"),
        ([[1, float("nan")], [3, 4]], "missing or infinite"),
        ([["a", 2], [3, 4]], "two-way table of counts"),
    ],
)
def test_bad_tables_are_refused(table, message: str) -> None:
    with pytest.raises(TableStatisticsError, match=message):
        chi_square_test(table)


def _all_tables(rows: list[int], cols: list[int]):
    """Every table with the given margins, by plain recursion over cells (for small tables only)."""
    if len(rows) == 1:
        yield [list(cols)]
        return
    first = rows[0]

    def fill(j: int, left: int, prefix: list[int]):
        if j == len(cols) - 1:
            if left <= cols[j]:
                yield [*prefix, left]
            return
        for v in range(min(left, cols[j]) + 1):
            yield from fill(j + 1, left - v, [*prefix, v])

    for row in fill(0, first, []):
        for rest in _all_tables(rows[1:], [c - v for c, v in zip(cols, row, strict=True)]):
            yield [row, *rest]


@pytest.mark.parametrize("seed", range(8))
def test_fisher_matches_full_enumeration_on_random_tables(seed: int) -> None:
    # Independent of R: the definition itself, summed over every table with the observed margins.
    import math

    import numpy as np

    rng = np.random.default_rng(seed)
    shape = [(2, 3), (3, 3), (2, 4), (3, 4), (4, 3), (2, 5), (3, 2), (4, 4)][seed]
    table = rng.multinomial(14 + seed, np.full(shape[0] * shape[1], 1 / (shape[0] * shape[1]))).reshape(shape)
    table[0, 0] += 1  # keep every margin non-empty
    table[-1, -1] += 1
    table[:, 0] += table.sum(axis=1) == 0
    rows, cols = table.sum(axis=1).tolist(), table.sum(axis=0).tolist()
    n = sum(rows)
    const = sum(math.lgamma(v + 1) for v in rows + cols) - math.lgamma(n + 1)

    def logp(t: list[list[int]]) -> float:
        return const - sum(math.lgamma(v + 1) for r in t for v in r)

    observed = logp(table.tolist())
    total = sum(math.exp(lp) for t in _all_tables(rows, cols) if (lp := logp(t)) <= observed + math.log1p(1e-7))
    assert fisher_exact_test(table).pvalue == pytest.approx(min(1.0, total), rel=1e-10)
