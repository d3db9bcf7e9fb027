"""Result records of the mixed model for repeated measures."""

from dataclasses import dataclass


@dataclass(frozen=True)
class MmrmLSMean:
    """Least-squares mean of one treatment level at one visit, with its standard error, df and t interval."""

    visit: str
    level: str
    estimate: float
    se: float
    df: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class MmrmComparison:
    """Difference of LS means at one visit (`label` reads "A - B"), its t test and t interval."""

    visit: str
    label: str
    estimate: float
    se: float
    df: float
    statistic: float
    pvalue: float
    ci_low: float
    ci_high: float
    level: str = ""
    reference_level: str = ""


@dataclass(frozen=True)
class MmrmResult:
    """A fitted MMRM: LS means and comparisons by visit, the estimated unstructured covariance over `visits`.

    `covariance[i][j]` is the within-subject covariance of visits i and j (in the order of `visits`).
    `df_method` names the denominator degrees of freedom ("satterthwaite" or "kenward-roger"); `method` is a
    sentence for a table footnote. `converged` is always True: a fit that does not converge raises MmrmError.
    """

    lsmeans: tuple[MmrmLSMean, ...]
    comparisons: tuple[MmrmComparison, ...]
    covariance: tuple[tuple[float, ...], ...]
    visits: tuple[str, ...]
    df_method: str
    reml_loglik: float
    converged: bool
    method: str
    n_subjects: int = 0
    n_observations: int = 0
    fixed_effects: tuple[tuple[str, float, float], ...] = ()
