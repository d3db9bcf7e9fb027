"""The output specification as data: frozen dataclasses for the population, columns, row blocks, listings and
figures. `opencro.analysis.tfl.spec` reads them from YAML with located errors.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

KINDS = ("table", "listing", "figure")
TEST_METHODS = ("chisq", "fisher", "anova", "cmh", "logrank")
CMH_STATISTICS = ("correlation", "row_means", "general")
SUMMARY_STATS = ("n", "mean", "sd", "se", "median", "q1", "q3", "min", "max")
FIGURE_KINDS = ("km", "mean_over_time", "forest")
DF_METHODS = ("satterthwaite", "kenward-roger")
COX_TIES = ("efron", "breslow")
DEFAULT_SUMMARY_ROWS = (
    ("n", "{n}"),
    ("Mean (SD)", "{mean} ({sd})"),
    ("Median", "{median}"),
    ("Min, Max", "{min}, {max}"),
)


@dataclass(frozen=True)
class Population:
    """The analysis population: the subject-level dataset, the filter that selects it, and its printed name."""

    dataset: str
    filter: str | None
    label: str
    subject: str = "USUBJID"


@dataclass(frozen=True)
class SubColumn:
    """A column inside each treatment column, counting only the subjects the filter keeps (ITT, Eff, Com)."""

    label: str
    filter: str


@dataclass(frozen=True)
class Columns:
    """The treatment columns: variable of the population dataset, the levels in order, their labels, a Total."""

    variable: str
    order: tuple[str, ...]
    labels: Mapping[str, str]
    total: str | None = None
    header_n: bool = True
    within: tuple[SubColumn, ...] = ()

    def label_of(self, level: str) -> str:
        return self.labels.get(level, level)


@dataclass(frozen=True)
class TestSpec:
    """A hypothesis test attached to a block (its p-value column) or standing as a row of its own.

    `comparisons` makes one p-value per pair of treatment levels (Fisher's test of placebo against each dose);
    without it one overall test across the treatment columns. `flag_below` appends an asterisk to p-values
    under that level, as the pilot's adverse-event table does.
    """

    __test__ = False

    method: str
    comparisons: tuple[tuple[str, str], ...] = ()
    strata: str | None = None
    statistic: str = "general"
    correction: bool = False
    decimals: int = 4
    flag_below: float | None = None
    footnote: str | None = None
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Block:
    """What every row block has: its position in `rows`, a label, and the records it reads."""

    index: int
    label: str
    dataset: str | None
    filter: str | None
    blank_after: bool

    @property
    def where(self) -> str:
        return f"rows[{self.index}]"


@dataclass(frozen=True)
class Condition:
    """One row of a count block that counts the subjects for whom `filter` holds."""

    label: str
    filter: str


@dataclass(frozen=True)
class CountBlock(Block):
    """n (%) of a categorical variable (or of conditions), optionally nested under `by` variables."""

    variable: str | None = None
    conditions: tuple[Condition, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()
    by: tuple[str, ...] = ()
    by_levels: tuple[str, ...] = ()
    show_n: bool = False
    any_row: str | None = None
    any_row_last: bool = False
    by_style: str = "rows"
    by_sort: str = "levels"
    events: bool = False
    sort: str = "levels"
    sort_column: str | None = None
    denominator: str = "population"
    pct_decimals: int = 0
    zero_percent: bool = False
    small_percent: bool = False
    counts_only: bool = False
    missing_row: str | None = None
    test: TestSpec | None = None
    row_test: TestSpec | None = None


@dataclass(frozen=True)
class SummaryBlock(Block):
    """Descriptive statistics of a continuous variable per column, optionally at each level of `by`."""

    variable: str = ""
    by: str | None = None
    by_levels: tuple[str, ...] = ()
    stats: tuple[tuple[str, str], ...] = DEFAULT_SUMMARY_ROWS
    decimals: Mapping[str, int | str] = field(default_factory=dict)
    test: TestSpec | None = None


@dataclass(frozen=True)
class ComparisonGroup:
    """Pairwise differences printed under one label row, each in the column of its first level."""

    label: str
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ModelBlock(Block):
    """An ANCOVA: LS means, pairwise differences with CI and p-values, and a dose-response test."""

    response: str = ""
    covariates: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    dose: str | None = None
    dose_label: str = "p-value (Dose Response)"
    lsmeans: bool = False
    comparisons: tuple[ComparisonGroup, ...] = ()
    alpha: float = 0.05
    weighting: str = "equal"
    decimals: int = 1
    se_decimals: int = 2
    p_decimals: int = 3
    footnote: str | None = None


@dataclass(frozen=True)
class MmrmBlock(Block):
    """A mixed model for repeated measures: LS means and differences (SE, CI, p-value) at each visit.

    The visits are ordered by `visit_order`, a variable whose values order them (AVISITN for AVISIT), or by
    `visit_levels` (the YAML `visit_order` written as a list: the model then uses only those visits); without
    either, by their names with digits read as numbers. `visits` restricts the printed visits (the model uses them
    all). `df` names the denominator degrees of freedom: "satterthwaite" or "kenward-roger".
    """

    response: str = ""
    subject: str | None = None
    visit: str = ""
    visit_order: str | None = None
    visit_levels: tuple[str, ...] = ()
    visits: tuple[str, ...] = ()
    covariates: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    covariate_by_visit: tuple[str, ...] = ()
    df: str = "satterthwaite"
    lsmeans: bool = True
    lsmean_label: str = "LS Mean (SE)"
    diff_label: str = "Diff of LS Means (SE)"
    visit_header: bool = True
    comparisons: tuple[ComparisonGroup, ...] = ()
    alpha: float = 0.05
    decimals: int = 1
    se_decimals: int = 2
    p_decimals: int = 3
    footnote: str | None = None


@dataclass(frozen=True)
class CoxBlock(Block):
    """Cox proportional-hazards regression of a time to event on the treatment: hazard ratios, CI, p-values.

    Each comparison (level, reference) is the hazard ratio of `level` against `reference` in one model of all
    treatment columns (refitted with that reference), optionally with `covariates` and separate baseline
    hazards per `strata`. `censor` is 1 for a censored time (ADaM CNSR).
    """

    time: str = ""
    censor: str = ""
    covariates: tuple[str, ...] = ()
    strata: str | None = None
    ties: str = "efron"
    comparisons: tuple[ComparisonGroup, ...] = ()
    alpha: float = 0.05
    decimals: int = 2
    p_decimals: int = 4
    hr_label: str = "Hazard ratio"
    footnote: str | None = None


@dataclass(frozen=True)
class HazardRatioSpec:
    """A Cox hazard ratio of every treatment column against `reference` (default the first), for a KM figure."""

    reference: str | None = None
    strata: str | None = None
    covariates: tuple[str, ...] = ()
    ties: str = "efron"
    alpha: float = 0.05
    decimals: int = 2
    p_decimals: int = 4
    footnote: str | None = None


@dataclass(frozen=True)
class TestBlock(Block):
    """A p-value row on its own: one test of `variable` across the treatment columns."""

    variable: str = ""
    test: TestSpec = field(default_factory=lambda: TestSpec("chisq"))
    time: str | None = None
    censor: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class ListingColumn:
    variable: str
    label: str


@dataclass(frozen=True)
class ListingSpec:
    dataset: str
    filter: str | None
    columns: tuple[ListingColumn, ...]
    sort: tuple[str, ...]


@dataclass(frozen=True)
class FigureSpec:
    """A figure: Kaplan-Meier curves with numbers at risk, mean (SE) over time, or a forest plot of differences."""

    kind: str
    dataset: str
    filter: str | None
    variable: str | None = None
    time: str | None = None
    censor: str | None = None
    visit: str | None = None
    visit_order: str | None = None
    at_risk_times: tuple[float, ...] = ()
    x_label: str = ""
    y_label: str = ""
    test: TestSpec | None = None
    model: ModelBlock | None = None
    hazard_ratio: HazardRatioSpec | None = None


@dataclass(frozen=True)
class OutputSpec:
    """One output of the clinical study report, as its YAML file declares it."""

    id: str
    kind: str
    titles: tuple[str, ...]
    population: Population
    columns: Columns
    rows: tuple[Block, ...] = ()
    listing: ListingSpec | None = None
    figure: FigureSpec | None = None
    footnotes: tuple[str, ...] = ()
    program: str = ""
    source: str = ""
    stub_header: str = ""
