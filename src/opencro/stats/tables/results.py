"""Result records shared by the clinical-study-report table statistics."""

from dataclasses import dataclass


@dataclass(frozen=True)
class TestResult:
    """One hypothesis test.

    `statistic` is the test statistic (chi-square, F, t; None for tests without one, such as Fisher's exact
    test), `df` its degrees of freedom (the numerator degrees of freedom of an F test; None where it has none),
    `pvalue` the p-value and `method` a sentence naming the test and its options, fit to print in a table
    footnote. `df_denominator` is the denominator degrees of freedom of an F test (None otherwise).
    """

    __test__ = False  # not a pytest test class despite the name

    statistic: float | None
    df: float | None
    pvalue: float
    method: str
    df_denominator: float | None = None
