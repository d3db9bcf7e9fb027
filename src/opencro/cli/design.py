"""`opencro design`: sample sizes, group-sequential boundaries and dose-escalation designs.

Thin commands over the pure library in `opencro.stats.design` (no database, no Django). Every command prints a
readable rich table, or with --json one JSON object on stdout built from the library result's `as_dict()`.
Bad input exits with code 2 and names the option on stderr. The statistics modules are imported inside the
commands so that `opencro --help` does not load scipy.
"""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Annotated, Any

import typer

from opencro.cli import err
from opencro.cli.library import checked as _checked
from opencro.cli.library import fmt as _fmt
from opencro.cli.library import input_error as _input_error
from opencro.cli.library import note as _note
from opencro.cli.library import print_json as _print_json
from opencro.cli.library import print_table as _print_table
from opencro.cli.library import table as _table

app = typer.Typer(no_args_is_help=True)
samplesize_app = typer.Typer(no_args_is_help=True)
simulate_app = typer.Typer(no_args_is_help=True)
app.add_typer(
    samplesize_app,
    name="samplesize",
    help="Sample size and power for continuous, binary, time-to-event and count endpoints.",
)
app.add_typer(
    simulate_app,
    name="simulate",
    help="Operating characteristics by simulation: group-sequential trials, BOIN, CRM and 3+3 dose escalation.",
)


# ---------------------------------------------------------------------------------------------------- helpers


class Sides(StrEnum):
    one = "1"
    two = "2"


class MeansTest(StrEnum):
    t = "t"
    z = "z"


class Hypothesis(StrEnum):
    superiority = "superiority"
    noninferiority = "noninferiority"
    equivalence = "equivalence"


class ProportionsMethod(StrEnum):
    normal = "normal"
    normal_cc = "normal-cc"
    arcsine = "arcsine"
    fm = "fm"
    exact = "exact"


class SurvivalMethod(StrEnum):
    schoenfeld = "schoenfeld"
    freedman = "freedman"
    lachin_foulkes = "lachin-foulkes"
    lachin_foulkes_loghr = "lachin-foulkes-loghr"


class NullVariance(StrEnum):
    alternative = "alternative"
    pooled = "pooled"
    control = "control"


class Spending(StrEnum):
    of = "of"
    pocock = "pocock"
    asof = "asof"
    asp = "asp"
    kd = "kd"
    hsd = "hsd"
    hp = "hp"


class BetaSpending(StrEnum):
    asof = "asof"
    asp = "asp"
    kd = "kd"
    hsd = "hsd"


class Futility(StrEnum):
    none = "none"
    binding = "binding"
    nonbinding = "nonbinding"


class Estimator(StrEnum):
    mean = "mean"
    plugin = "plugin"


def _floats(option: str, text: str | None) -> tuple[float, ...] | None:
    """Parse a comma-separated list of numbers ("0.3,0.6,1"); a bad entry is an input error naming `option`."""
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        _input_error(option, f"expects comma-separated numbers such as 0.3,0.6,1, not {text!r}")
    values = []
    for part in parts:
        try:
            values.append(float(part))
        except ValueError:
            _input_error(option, f"{part!r} is not a number")
    return tuple(values)


def _prob(value: float | None) -> str:
    """A probability to four decimals; one below 0.001 in scientific notation so it stays readable."""
    if value is None:
        return "-"
    return f"{value:.4f}" if value >= 0.001 or value == 0.0 else f"{value:.2e}"


@contextmanager
def _progress(show: bool, description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on stderr fed by the simulators' progress(done, total) callback."""
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task(description, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def _sides(value: Sides) -> int:
    return int(value.value)


def _means_sides(sides: Sides | None, hypothesis: "Hypothesis") -> int:
    """The sides asked for, else 2 for superiority and 1 for non-inferiority and equivalence (one-sided tests)."""
    return _sides(sides) if sides is not None else (2 if hypothesis == Hypothesis.superiority else 1)


# Shared option types.
AlphaOpt = Annotated[float, typer.Option("--alpha", help="Significance level (two-sided total when --sides 2).")]
PowerOpt = Annotated[float, typer.Option("--power", help="Target power, greater than alpha.")]
SidesOpt = Annotated[Sides, typer.Option("--sides", help="1- or 2-sided test.")]
DropoutOpt = Annotated[
    float, typer.Option("--dropout", help="Fraction of subjects without the endpoint, in [0, 1); sizes / (1 - d).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]


# the options the three means commands share
MeansSidesOpt = Annotated[
    Sides | None, typer.Option("--sides", help="1 or 2 (default 2 for superiority, 1 otherwise).")
]
MarginOpt = Annotated[float, typer.Option("--margin", help="Non-inferiority or equivalence margin (> 0).")]
MeansTestOpt = Annotated[MeansTest, typer.Option("--test", help="t: exact non-central t; z: normal closed form.")]
HypothesisOpt = Annotated[Hypothesis, typer.Option("--hypothesis", help="What the trial is to show.")]
ClusterSizeOpt = Annotated[
    float | None,
    typer.Option(
        "--cluster-size", help="Cluster randomisation: mean subjects per cluster (inflates by the design effect)."
    ),
]
IccOpt = Annotated[
    float | None, typer.Option("--icc", help="Intra-cluster correlation, in [0, 1] (with --cluster-size).")
]
CvOpt = Annotated[float, typer.Option("--cv", help="Coefficient of variation of cluster sizes (with --cluster-size).")]
SeedOpt = Annotated[int | None, typer.Option("--seed", help="Random seed; the same seed gives the same result.")]


def _clustered(size: Any, cluster_size: float | None, icc: float | None, cv: float) -> Any:
    """Apply the cluster design effect when --cluster-size is given (it then needs --icc)."""
    if cluster_size is None:
        if icc is not None:
            _input_error("--icc", "is only used with --cluster-size")
        return size
    if icc is None:
        _input_error("--icc", "is required with --cluster-size")
    from opencro.stats.design.cluster import cluster_inflate

    return cluster_inflate(size, cluster_size=cluster_size, icc=icc, cv=cv)


def _show_sample_size(size: Any, labels: Sequence[str], as_json: bool) -> None:
    """Print a SampleSize: --json as its `as_dict()`, otherwise raw and rounded sizes per arm, total and power."""
    if as_json:
        _print_json(size.as_dict())
        return
    table = _table(f"Sample size: {size.method}", "", "raw", "rounded up")
    for label, raw, n in zip(labels, size.n_per_arm_raw, size.n_per_arm, strict=True):
        table.add_row(label, f"{raw:.2f}", str(n))
    if len(size.n_per_arm) > 1:
        table.add_row("Total", f"{size.n_total_raw:.2f}", str(size.n_total))
    if size.events_raw is not None:
        table.add_row("Events", f"{size.events_raw:.2f}", str(size.events))
    _print_table(table)
    _note(f"Power at the rounded-up size: {size.power:.4f}")
    details = size.details
    if "design_effect" in details:
        clusters = ", ".join(f"{details[f'clusters_arm{i}']:.0f}" for i in range(1, len(size.n_per_arm) + 1))
        _note(f"Design effect {details['design_effect']:.4f}; clusters per arm: {clusters}")
    if details.get("dropout"):
        _note(f"Includes dropout of {details['dropout']:g}.")
    _note(f"Reference: {size.reference}")


# ---------------------------------------------------------------------------------------------------- samplesize


@samplesize_app.command(
    "means",
    help="Two-sample comparison of means (arm 1 experimental, arm 2 control): t or z test; superiority, "
    "non-inferiority or equivalence (TOST); optional ANCOVA baseline correlation, dropout and clustering.",
)
def samplesize_means(
    delta: Annotated[float, typer.Option("--delta", help="True difference mean1 - mean2 (larger is better).")],
    sd: Annotated[float, typer.Option("--sd", help="Common within-arm standard deviation.")],
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: MeansSidesOpt = None,
    ratio: Annotated[float, typer.Option("--ratio", help="Allocation ratio n2 / n1 (control / experimental).")] = 1.0,
    margin: MarginOpt = 0.0,
    test: MeansTestOpt = MeansTest.t,
    hypothesis: HypothesisOpt = Hypothesis.superiority,
    dropout: DropoutOpt = 0.0,
    baseline_correlation: Annotated[
        float,
        typer.Option("--baseline-correlation", help="Baseline-outcome correlation for ANCOVA (variance x 1 - rho^2)."),
    ] = 0.0,
    cluster_size: ClusterSizeOpt = None,
    icc: IccOpt = None,
    cv: CvOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.means import means_two_sample

    side_count = _means_sides(sides, hypothesis)
    with _checked():
        size = means_two_sample(
            delta=delta,
            sd=sd,
            alpha=alpha,
            power=power,
            sides=side_count,
            ratio=ratio,
            test=test.value,
            margin=margin,
            hypothesis=hypothesis.value,
            dropout=dropout,
            baseline_correlation=baseline_correlation,
        )
        size = _clustered(size, cluster_size, icc, cv)
    _show_sample_size(size, ("Arm 1 (experimental)", "Arm 2 (control)"), as_json)


@samplesize_app.command(
    "paired",
    help="Number of pairs for a paired comparison of means (a one-sample test on the within-pair differences).",
)
def samplesize_paired(
    delta: Annotated[float, typer.Option("--delta", help="True mean of the within-pair differences.")],
    sd_diff: Annotated[float, typer.Option("--sd-diff", help="Standard deviation of the within-pair differences.")],
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: MeansSidesOpt = None,
    margin: MarginOpt = 0.0,
    test: MeansTestOpt = MeansTest.t,
    hypothesis: HypothesisOpt = Hypothesis.superiority,
    dropout: DropoutOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.means import means_paired

    side_count = _means_sides(sides, hypothesis)
    with _checked():
        size = means_paired(
            delta=delta,
            sd_diff=sd_diff,
            alpha=alpha,
            power=power,
            sides=side_count,
            test=test.value,
            margin=margin,
            hypothesis=hypothesis.value,
            dropout=dropout,
        )
    _show_sample_size(size, ("Pairs",), as_json)


@samplesize_app.command("one-sample", help="Sample size for comparing one mean with a reference value.")
def samplesize_one_sample(
    delta: Annotated[float, typer.Option("--delta", help="True mean minus the reference value.")],
    sd: Annotated[float, typer.Option("--sd", help="Standard deviation of the outcome.")],
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: MeansSidesOpt = None,
    margin: MarginOpt = 0.0,
    test: MeansTestOpt = MeansTest.t,
    hypothesis: HypothesisOpt = Hypothesis.superiority,
    dropout: DropoutOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.means import means_one_sample

    side_count = _means_sides(sides, hypothesis)
    with _checked():
        size = means_one_sample(
            delta=delta,
            sd=sd,
            alpha=alpha,
            power=power,
            sides=side_count,
            test=test.value,
            margin=margin,
            hypothesis=hypothesis.value,
            dropout=dropout,
        )
    _show_sample_size(size, ("Subjects",), as_json)


@samplesize_app.command(
    "proportions",
    help="Two independent proportions (arm 1 experimental with rate p1, arm 2 control with p2; higher is better): "
    "normal, continuity-corrected, arcsine, Farrington-Manning (non-inferiority with --margin) or Fisher's exact.",
)
def samplesize_proportions(
    p1: Annotated[float, typer.Option("--p1", help="Response rate in arm 1 (experimental).")],
    p2: Annotated[float, typer.Option("--p2", help="Response rate in arm 2 (control).")],
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: Annotated[Sides | None, typer.Option("--sides", help="1 or 2 (default 2, or 1 with --margin).")] = None,
    ratio: Annotated[float, typer.Option("--ratio", help="Allocation ratio n2 / n1 (control / experimental).")] = 1.0,
    method: Annotated[ProportionsMethod, typer.Option("--method", help="Test the size is computed for.")] = (
        ProportionsMethod.normal
    ),
    margin: Annotated[
        float, typer.Option("--margin", help="Non-inferiority margin for p1 - p2 (> 0, with --method fm).")
    ] = 0.0,
    dropout: DropoutOpt = 0.0,
    max_n1: Annotated[int, typer.Option("--max-n1", help="With --method exact: largest arm-1 size scanned.")] = 1000,
    cluster_size: ClusterSizeOpt = None,
    icc: IccOpt = None,
    cv: CvOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.proportions import proportions_exact, proportions_two_sample

    side_count = _sides(sides) if sides is not None else (1 if margin > 0.0 else 2)
    with _checked():
        if method == ProportionsMethod.exact:
            if margin != 0.0:
                _input_error("--margin", "is not used with --method exact (Fisher's test is a superiority test)")
            if dropout != 0.0:
                _input_error("--dropout", "is not used with --method exact (its sizes are whole evaluable subjects)")
            size = proportions_exact(
                p1=p1, p2=p2, alpha=alpha, power=power, ratio=ratio, sides=side_count, max_n1=max_n1
            )
        else:
            size = proportions_two_sample(
                p1=p1,
                p2=p2,
                alpha=alpha,
                power=power,
                sides=side_count,
                ratio=ratio,
                method=method.value,
                margin=margin,
                dropout=dropout,
            )
        size = _clustered(size, cluster_size, icc, cv)
    _show_sample_size(size, ("Arm 1 (experimental)", "Arm 2 (control)"), as_json)


@samplesize_app.command(
    "survival",
    help="Log-rank test (arm 1 control, arm 2 experimental; hr = lambda2 / lambda1): the events needed, and with "
    "hazards (or medians), --accrual-time and --followup-time also the subjects under exponential survival.",
)
def samplesize_survival(
    hr: Annotated[float | None, typer.Option("--hr", help="Hazard ratio experimental / control.")] = None,
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: SidesOpt = Sides.two,
    ratio: Annotated[float, typer.Option("--ratio", help="Allocation ratio n2 / n1 (experimental / control).")] = 1.0,
    method: Annotated[
        SurvivalMethod,
        typer.Option("--method", help="Events formula; the Lachin-Foulkes methods need hazards and accrual."),
    ] = SurvivalMethod.schoenfeld,
    lambda1: Annotated[float | None, typer.Option("--lambda1", help="Control event hazard per time unit.")] = None,
    lambda2: Annotated[float | None, typer.Option("--lambda2", help="Experimental event hazard per time unit.")] = None,
    median1: Annotated[float | None, typer.Option("--median1", help="Control median event time (not lambda1).")] = None,
    median2: Annotated[
        float | None, typer.Option("--median2", help="Experimental median event time (not lambda2).")
    ] = None,
    accrual_time: Annotated[
        float | None, typer.Option("--accrual-time", help="Length of uniform accrual (needed with hazards).")
    ] = None,
    followup_time: Annotated[
        float | None, typer.Option("--followup-time", help="Follow-up after the last entry (needed with hazards).")
    ] = None,
    dropout_rate: Annotated[
        float,
        typer.Option("--dropout-rate", "--dropout", help="Exponential dropout hazard per time unit (both arms)."),
    ] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.survival import survival_events, survival_sample_size

    hazards = any(v is not None for v in (lambda1, lambda2, median1, median2))
    with _checked():
        if not hazards:
            if accrual_time is not None or followup_time is not None or dropout_rate != 0.0:
                _input_error("--lambda1", "give the hazards (or medians) to use accrual, follow-up and dropout")
            if hr is None:
                _input_error("--hr", "is required (or give --lambda1 and --lambda2)")
            events = survival_events(
                hr=hr, alpha=alpha, power=power, sides=_sides(sides), ratio=ratio, method=method.value
            )
            _show_events(events, as_json)
            return
        if accrual_time is None:
            _input_error("--accrual-time", "is required with hazards or medians")
        if followup_time is None:
            _input_error("--followup-time", "is required with hazards or medians")
        size = survival_sample_size(
            hr=hr,
            lambda1=lambda1,
            lambda2=lambda2,
            median1=median1,
            median2=median2,
            accrual_time=accrual_time,
            followup_time=followup_time,
            dropout_rate=dropout_rate,
            alpha=alpha,
            power=power,
            sides=_sides(sides),
            ratio=ratio,
            method=method.value,
        )
    _show_sample_size(size, ("Arm 1 (control)", "Arm 2 (experimental)"), as_json)
    if not as_json:
        _note(
            f"Event probability {size.details['p_event']:.4f}; study duration {size.details['study_duration']:g}; "
            f"events expected at the rounded-up size {size.details['expected_events_at_n']:.1f}."
        )


def _show_events(events: Any, as_json: bool) -> None:
    if as_json:
        _print_json(events.as_dict())
        return
    table = _table(f"Events: {events.method}", "", "raw", "rounded up")
    table.add_row("Events", f"{events.events_raw:.2f}", str(events.events))
    _print_table(table)
    _note(f"Power at the rounded-up events: {events.power:.4f}")
    _note("Give --lambda1/--lambda2 (or medians), --accrual-time and --followup-time for the number of subjects.")
    _note(f"Reference: {events.reference}")


@samplesize_app.command(
    "counts",
    help="Ratio of two Poisson or negative binomial event rates (arm 1 control, arm 2 experimental), "
    "Zhu-Lakkis Wald test on the log scale.",
)
def samplesize_counts(
    rate1: Annotated[float, typer.Option("--rate1", help="Control event rate per time unit.")],
    rate2: Annotated[float, typer.Option("--rate2", help="Experimental event rate per time unit.")],
    dispersion: Annotated[
        float, typer.Option("--dispersion", help="Negative binomial dispersion k (Var = mu + k mu^2); 0: Poisson.")
    ] = 0.0,
    exposure: Annotated[float, typer.Option("--exposure", help="Follow-up time per subject.")] = 1.0,
    alpha: AlphaOpt = 0.05,
    power: PowerOpt = 0.8,
    sides: SidesOpt = Sides.two,
    ratio: Annotated[float, typer.Option("--ratio", help="Allocation ratio n2 / n1 (experimental / control).")] = 1.0,
    dropout: DropoutOpt = 0.0,
    null_variance: Annotated[
        NullVariance,
        typer.Option("--null-variance", help="Variance under H0: Zhu-Lakkis method 2 (alternative), 3, or 1."),
    ] = NullVariance.alternative,
    cluster_size: ClusterSizeOpt = None,
    icc: IccOpt = None,
    cv: CvOpt = 0.0,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.counts import counts_negative_binomial

    with _checked():
        size = counts_negative_binomial(
            rate1=rate1,
            rate2=rate2,
            dispersion=dispersion,
            exposure=exposure,
            alpha=alpha,
            power=power,
            sides=_sides(sides),
            ratio=ratio,
            dropout=dropout,
            null_variance=null_variance.value,
        )
        size = _clustered(size, cluster_size, icc, cv)
    _show_sample_size(size, ("Arm 1 (control)", "Arm 2 (experimental)"), as_json)


# ---------------------------------------------------------------------------------------------------- gsd


SpendingOpt = Annotated[
    Spending,
    typer.Option(
        "--spending",
        help="of/pocock: classical boundaries; hp: Haybittle-Peto; asof, asp, kd, hsd: Lan-DeMets alpha spending.",
    ),
]
GammaOpt = Annotated[float | None, typer.Option("--gamma", help="Hwang-Shih-DeCani parameter (--spending hsd).")]
RhoOpt = Annotated[float | None, typer.Option("--rho", help="Kim-DeMets exponent (--spending kd).")]
InfoRatesOpt = Annotated[
    str | None, typer.Option("--info-rates", help="Information rates at the looks, e.g. 0.3,0.6,1 (default equal).")
]
FutilityOpt = Annotated[Futility, typer.Option("--futility", help="Futility boundaries (one-sided designs).")]
BetaSpendingOpt = Annotated[
    BetaSpending | None, typer.Option("--beta-spending", help="Beta-spending function for the futility boundary.")
]
BetaGammaOpt = Annotated[float | None, typer.Option("--beta-gamma", help="Parameter of --beta-spending hsd.")]
BetaRhoOpt = Annotated[float | None, typer.Option("--beta-rho", help="Exponent of --beta-spending kd.")]
HaybittleOpt = Annotated[float, typer.Option("--haybittle-z", help="Interim z boundary of --spending hp.")]


def _design(
    *,
    k: int,
    alpha: float,
    beta: float,
    sides: int,
    spending: Spending,
    gamma: float | None,
    rho: float | None,
    info_rates: str | None,
    futility: Futility,
    beta_spending: BetaSpending | None,
    beta_gamma: float | None,
    beta_rho: float | None,
    haybittle_z: float,
) -> Any:
    """Solve the group-sequential design; call inside `_checked()`."""
    from opencro.stats.design.group_sequential import group_sequential

    return group_sequential(
        k=k,
        alpha=alpha,
        beta=beta,
        sides=sides,
        spending=spending.value,
        gamma=gamma,
        rho=rho,
        info_rates=_floats("--info-rates", info_rates),
        futility=futility.value,
        beta_spending=None if beta_spending is None else beta_spending.value,
        beta_gamma=beta_gamma,
        beta_rho=beta_rho,
        haybittle_z=haybittle_z,
    )


@app.command(
    "gsd",
    help="Group-sequential design: efficacy (and futility) boundaries per look, alpha spent, power, inflation "
    "factor and expected sample size as fractions of the fixed design (rpact's conventions).",
)
def gsd(
    k: Annotated[int, typer.Option("--k", help="Number of looks, the final analysis included (1 to 20).")],
    spending: SpendingOpt,
    alpha: Annotated[float, typer.Option("--alpha", help="Type I error (two-sided total when --sides 2).")] = 0.025,
    sides: Annotated[Sides, typer.Option("--sides", help="1: upper boundary; 2: symmetric boundaries.")] = Sides.one,
    beta: Annotated[float, typer.Option("--beta", help="Type II error (power 1 - beta).")] = 0.2,
    gamma: GammaOpt = None,
    rho: RhoOpt = None,
    info_rates: InfoRatesOpt = None,
    futility: FutilityOpt = Futility.none,
    beta_spending: BetaSpendingOpt = None,
    beta_gamma: BetaGammaOpt = None,
    beta_rho: BetaRhoOpt = None,
    haybittle_z: HaybittleOpt = 3.0,
    as_json: JsonOpt = False,
) -> None:
    with _checked():
        design = _design(
            k=k,
            alpha=alpha,
            beta=beta,
            sides=_sides(sides),
            spending=spending,
            gamma=gamma,
            rho=rho,
            info_rates=info_rates,
            futility=futility,
            beta_spending=beta_spending,
            beta_gamma=beta_gamma,
            beta_rho=beta_rho,
            haybittle_z=haybittle_z,
        )
    if as_json:
        _print_json(design.as_dict())
        return
    _show_design(design)


def _show_design(design: Any) -> None:
    lower_name = "Futility z" if design.futility != "none" else "Lower z"
    table = _table(
        f"{design.method}: {design.k} look(s)",
        "Look",
        "Info",
        "Upper z",
        lower_name,
        "Nominal p",
        "Cum. alpha",
        "P(cross) H1",
    )
    lower = design.lower or (None,) * design.k
    for i in range(design.k):
        table.add_row(
            str(i + 1),
            f"{design.info_rates[i]:.3f}",
            _fmt(design.upper[i]),
            _fmt(lower[i]),
            _prob(design.nominal_p[i]),
            _prob(design.alpha_spent[i]),
            _prob(design.cross_upper_h1[i]),
        )
    _print_table(table)
    _note(
        f"Power {design.power:.4f}; inflation factor {design.inflation_factor:.4f}; expected sample size "
        f"{design.expected_n_h0:.4f} under H0 and {design.expected_n_h1:.4f} under H1 (fractions of the fixed design)."
    )
    _note("Nominal p is the one-sided p-value boundary at each look.")
    _note(f"Reference: {design.reference}")


# ---------------------------------------------------------------------------------------------------- boin


@app.command(
    "boin",
    help="BOIN dose escalation: the boundaries lambda_e and lambda_d and the decision table (escalate if the DLT "
    "count <= escalate, de-escalate if >= deescalate, eliminate the dose and higher ones if >= eliminate).",
)
def boin(
    target: Annotated[float, typer.Option("--target", help="Target DLT probability.")],
    phi1: Annotated[float | None, typer.Option("--phi1", help="Highest sub-therapeutic DLT rate (0.6 target).")] = None,
    phi2: Annotated[float | None, typer.Option("--phi2", help="Lowest overly toxic DLT rate (1.4 target).")] = None,
    cohort_size: Annotated[int, typer.Option("--cohort-size", help="Cohort size (rows shown without --json).")] = 3,
    max_n: Annotated[int, typer.Option("--max-n", help="Largest number of patients at one dose in the table.")] = 18,
    cutoff_eli: Annotated[float, typer.Option("--cutoff-eli", help="Elimination if Pr(p > target) > this.")] = 0.95,
    extrasafe: Annotated[bool, typer.Option("--extrasafe", help="Also give the stricter lowest-dose stop.")] = False,
    offset: Annotated[float, typer.Option("--offset", help="Extrasafe: stop if Pr > cutoff-eli - offset.")] = 0.05,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.boin import boin_decision_table

    with _checked():
        table = boin_decision_table(
            target=target,
            phi1=phi1,
            phi2=phi2,
            cohort_size=cohort_size,
            max_n=max_n,
            cutoff_eli=cutoff_eli,
            extrasafe=extrasafe,
            offset=offset,
        )
    if as_json:
        data = table.as_dict()
        data["table"] = data.pop("rows")
        _print_json(data)
        return
    columns = ["Treated", "Escalate if <=", "De-escalate if >=", "Eliminate if >="]
    if table.stop is not None:
        columns.append("Stop if >=")
    shown = _table(f"BOIN decisions, target {table.target:g} (counts of DLTs at the current dose)", *columns)
    for row in table.cohort_rows():
        cells = [str(row["n"]), str(row["escalate"]), str(row["deescalate"]), _count(row["eliminate"])]
        if table.stop is not None:
            cells.append(_count(row["stop"]))
        shown.add_row(*cells)
    _print_table(shown)
    _note(
        f"lambda_e = {table.lambda_e:.4f}, lambda_d = {table.lambda_d:.4f} (phi1 = {table.phi1:g}, phi2 = "
        f"{table.phi2:g}); '-' means no count eliminates."
    )
    _note(f"Reference: {table.reference}")


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


# ---------------------------------------------------------------------------------------------------- simulate


@simulate_app.command(
    "gsd",
    help="Simulate a one-sided group-sequential two-arm trial with a normal endpoint (known SD) under the "
    "alternative (--delta) and under H0, with the boundaries of `opencro design gsd`: power, type I error, "
    "expected N and P(stop) per look.",
)
def simulate_gsd(
    k: Annotated[int, typer.Option("--k", help="Number of looks, the final analysis included.")],
    spending: SpendingOpt,
    delta: Annotated[float, typer.Option("--delta", help="True mean difference, experimental - control.")],
    sd: Annotated[float, typer.Option("--sd", help="Common standard deviation (known).")],
    alpha: Annotated[float, typer.Option("--alpha", help="One-sided type I error.")] = 0.025,
    beta: Annotated[float, typer.Option("--beta", help="Type II error the design is planned for.")] = 0.2,
    gamma: GammaOpt = None,
    rho: RhoOpt = None,
    info_rates: InfoRatesOpt = None,
    futility: FutilityOpt = Futility.none,
    beta_spending: BetaSpendingOpt = None,
    beta_gamma: BetaGammaOpt = None,
    beta_rho: BetaRhoOpt = None,
    haybittle_z: HaybittleOpt = 3.0,
    ratio: Annotated[float, typer.Option("--ratio", help="Allocation n2 / n1 (experimental / control).")] = 1.0,
    n_max: Annotated[
        float | None,
        typer.Option(
            "--n-max",
            help="Total subjects at the last look (default: the fixed z-test total times the inflation factor, "
            "rounded up).",
        ),
    ] = None,
    n_sims: Annotated[int, typer.Option("--n-sims", help="Simulated trials under each hypothesis.")] = 100_000,
    seed: SeedOpt = None,
    ignore_futility: Annotated[
        bool, typer.Option("--ignore-futility", help="Trials go on after crossing the futility bound.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design.gs_simulation import simulate_group_sequential_means

    with _checked(power="--beta"):
        design = _design(
            k=k,
            alpha=alpha,
            beta=beta,
            sides=1,
            spending=spending,
            gamma=gamma,
            rho=rho,
            info_rates=info_rates,
            futility=futility,
            beta_spending=beta_spending,
            beta_gamma=beta_gamma,
            beta_rho=beta_rho,
            haybittle_z=haybittle_z,
        )
        if n_max is None:
            if delta == 0.0:
                _input_error("--delta", "must not be 0 without --n-max (the default N max is sized for delta)")
            n_max = _gsd_n_max(design, delta=delta, sd=sd, ratio=ratio)
        runs = {}
        for name, effect in (("alternative", delta), ("null", 0.0)):
            with _progress(not as_json, f"Simulating under {'H1' if effect else 'H0'}") as progress:
                runs[name] = simulate_group_sequential_means(
                    upper=design.upper,
                    lower=design.lower,
                    info_rates=design.info_rates,
                    n_max=n_max,
                    delta=effect,
                    sd=sd,
                    ratio=ratio,
                    n_sims=n_sims,
                    seed=seed,
                    binding_futility=not ignore_futility,
                    progress=progress,
                )
            seed = runs[name].seed  # H0 reuses the seed drawn for H1 when none was given
    if as_json:
        _print_json({"design": design.as_dict(), "n_max": n_max, **{n: r.as_dict() for n, r in runs.items()}})
        return
    _show_gsd_simulation(design, runs["alternative"], runs["null"])


def _gsd_n_max(design: Any, *, delta: float, sd: float, ratio: float) -> float:
    """The fixed one-sided z-test total for the design's alpha and power, times the inflation factor, rounded up."""
    from opencro.stats.design.means import means_two_sample
    from opencro.stats.design.rounding import round_up

    fixed = means_two_sample(
        delta=delta, sd=sd, alpha=design.alpha, power=1.0 - design.beta, sides=1, ratio=ratio, test="z"
    )
    return float(round_up(fixed.n_total_raw * design.inflation_factor))


def _show_gsd_simulation(design: Any, h1: Any, h0: Any) -> None:
    table = _table(
        f"{design.method}: simulated, N max {h1.n_max:g}, delta {h1.delta:g}, SD {h1.sd:g}",
        "Look",
        "N",
        "Upper z",
        "Lower z",
        "Reject H1",
        "Stop H1",
        "Reject H0",
        "Stop H0",
    )
    lower = design.lower if design.futility != "none" else (None,) * design.k
    for i in range(design.k):
        table.add_row(
            str(i + 1),
            f"{h1.n_max * h1.info_rates[i]:.1f}",
            _fmt(design.upper[i], ".3f"),
            _fmt(lower[i] if i < design.k - 1 else None, ".3f"),
            _prob(h1.reject_per_look[i]),
            _prob(h1.stop_per_look[i]),
            _prob(h0.reject_per_look[i]),
            _prob(h0.stop_per_look[i]),
        )
    _print_table(table)
    _note(f"Power {h1.power:.4f} (MC SE {h1.power_se:.4f}); type I error {h0.power:.4f} (MC SE {h0.power_se:.4f}).")
    _note(
        f"Expected N {h1.expected_n:.1f} under H1 and {h0.expected_n:.1f} under H0; P(stop early) "
        f"{h1.early_stop:.4f} under H1, {h0.early_stop:.4f} under H0."
    )
    _note(
        f"Planned power of the design (exact, at the unrounded size): {design.power:.4f}. "
        f"{h1.n_sims} trials under each hypothesis, seed {h1.seed}."
    )
    _note(f"Reference: {h1.reference}")


TrueToxOpt = Annotated[
    str, typer.Option("--true-tox", help="True DLT probability per dose, lowest first, e.g. 0.05,0.15,0.3.")
]
TargetOpt = Annotated[float, typer.Option("--target", help="Target DLT probability.")]
CohortSizeOpt = Annotated[int, typer.Option("--cohort-size", help="Patients per cohort.", min=1)]
NCohortsOpt = Annotated[int, typer.Option("--n-cohorts", help="Number of cohorts (maximum N / cohort size).", min=1)]
StartDoseOpt = Annotated[int, typer.Option("--start-dose", help="Dose level to start at (1 = lowest).", min=1)]
DoseSimsOpt = Annotated[int, typer.Option("--n-sims", help="Number of simulated trials.")]


def _true_tox(text: str, start_dose: int | None = None) -> tuple[float, ...]:
    probs = _floats("--true-tox", text) or ()
    if start_dose is not None and start_dose > len(probs):
        _input_error("--start-dose", f"must be a dose level in 1..{len(probs)}, not {start_dose}")
    return probs


@simulate_app.command(
    "boin",
    help="Simulate the BOIN design: P(select each dose as MTD), patients and DLTs per dose, early stopping.",
)
def simulate_boin(
    true_tox: TrueToxOpt,
    target: TargetOpt,
    cohort_size: CohortSizeOpt = 3,
    n_cohorts: NCohortsOpt = 12,
    start_dose: StartDoseOpt = 1,
    phi1: Annotated[float | None, typer.Option("--phi1", help="Highest sub-therapeutic DLT rate (0.6 target).")] = None,
    phi2: Annotated[float | None, typer.Option("--phi2", help="Lowest overly toxic DLT rate (1.4 target).")] = None,
    cutoff_eli: Annotated[float, typer.Option("--cutoff-eli", help="Elimination if Pr(p > target) > this.")] = 0.95,
    extrasafe: Annotated[bool, typer.Option("--extrasafe", help="Stricter stopping rule at the lowest dose.")] = False,
    offset: Annotated[float, typer.Option("--offset", help="Extrasafe: stop if Pr > cutoff-eli - offset.")] = 0.05,
    n_earlystop: Annotated[
        int | None, typer.Option("--n-earlystop", help="Stop once this many patients are at the current dose.")
    ] = None,
    n_sims: DoseSimsOpt = 10_000,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design import dose_simulation

    with _checked(max_n="--n-cohorts"):
        probs = _true_tox(true_tox, start_dose)
        with _progress(not as_json, "Simulating BOIN trials") as progress:
            oc = dose_simulation.simulate_boin(
                probs,
                target=target,
                n_sims=n_sims,
                seed=seed,
                cohort_size=cohort_size,
                max_n=n_cohorts * cohort_size,
                start_dose=start_dose - 1,
                phi1=phi1,
                phi2=phi2,
                cutoff_eli=cutoff_eli,
                extrasafe=extrasafe,
                offset=offset,
                n_earlystop=n_earlystop,
                progress=progress,
            )
    _show_dose_oc(oc, as_json)


@simulate_app.command(
    "crm",
    help="Simulate the power-model CRM (no dose skipping, coherent escalation): P(select each dose as MTD), "
    "patients and DLTs per dose.",
)
def simulate_crm(
    skeleton: Annotated[str, typer.Option("--skeleton", help="Prior DLT guesses per dose, strictly increasing.")],
    true_tox: TrueToxOpt,
    target: TargetOpt,
    cohort_size: CohortSizeOpt = 3,
    n_cohorts: NCohortsOpt = 12,
    start_dose: StartDoseOpt = 1,
    prior_var: Annotated[float, typer.Option("--prior-var", help="Prior variance of the model parameter.")] = 1.34,
    estimator: Annotated[
        Estimator, typer.Option("--estimator", help="mean: posterior mean of p; plugin: skeleton^exp(E[a]) (dfcrm).")
    ] = Estimator.mean,
    coherent: Annotated[
        bool, typer.Option("--coherent/--no-coherent", help="No escalation after a cohort at or above target.")
    ] = True,
    stop_overdose: Annotated[
        float | None, typer.Option("--stop-overdose", help="Stop if Pr(lowest dose > target) exceeds this.")
    ] = None,
    n_sims: DoseSimsOpt = 10_000,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design import dose_simulation

    with _checked(max_n="--n-cohorts"):
        probs = _true_tox(true_tox, start_dose)
        skel = _floats("--skeleton", skeleton) or ()
        with _progress(not as_json, "Simulating CRM trials") as progress:
            oc = dose_simulation.simulate_crm(
                probs,
                skeleton=skel,
                target=target,
                n_sims=n_sims,
                seed=seed,
                cohort_size=cohort_size,
                max_n=n_cohorts * cohort_size,
                start_dose=start_dose - 1,
                prior_var=prior_var,
                estimator=estimator.value,
                coherent=coherent,
                stop_overdose=stop_overdose,
                progress=progress,
            )
    _show_dose_oc(oc, as_json)


@simulate_app.command(
    "3+3",
    help="Operating characteristics of the classical 3+3 design: exact by enumeration (default, --exact), or by "
    "simulation with --monte-carlo.",
)
def simulate_three_plus_three(
    true_tox: TrueToxOpt,
    exact: Annotated[
        bool, typer.Option("--exact/--monte-carlo", help="Exact enumeration, or Monte Carlo with --n-sims.")
    ] = True,
    de_escalation: Annotated[
        bool,
        typer.Option("--de-escalation/--no-de-escalation", help="The MTD must have 6 patients (treat 3 more)."),
    ] = True,
    n_sims: DoseSimsOpt = 10_000,
    seed: SeedOpt = None,
    as_json: JsonOpt = False,
) -> None:
    from opencro.stats.design import dose_simulation
    from opencro.stats.design.three_plus_three import three_plus_three_oc

    with _checked():
        probs = _true_tox(true_tox)
        if exact:
            oc = three_plus_three_oc(probs, de_escalation=de_escalation)
        else:
            with _progress(not as_json, "Simulating 3+3 trials") as progress:
                oc = dose_simulation.simulate_three_plus_three(
                    probs, n_sims=n_sims, seed=seed, de_escalation=de_escalation, progress=progress
                )
    if exact:
        _show_exact_three_plus_three(oc, as_json)
    else:
        _show_dose_oc(oc, as_json)


def _show_exact_three_plus_three(oc: Any, as_json: bool) -> None:
    if as_json:
        _print_json(oc.as_dict())
        return
    table = _table("3+3 design, exact operating characteristics", "Dose", "True DLT", "P(MTD)", "Patients", "DLTs")
    for j, p in enumerate(oc.true_tox):
        table.add_row(
            str(j + 1), f"{p:g}", _prob(oc.p_select[j]), f"{oc.expected_n[j]:.2f}", f"{oc.expected_dlt[j]:.2f}"
        )
    table.add_row("None", "", _prob(oc.p_none), "", "")
    table.add_row("Total", "", "", f"{oc.expected_total_n:.2f}", f"{oc.expected_total_dlt:.2f}")
    _print_table(table)
    _note(f"P(escalation stops at the first dose) {oc.p_stop_first_dose:.4f}. Patients and DLTs are expectations.")
    _note(f"Reference: {oc.reference}")


def _show_dose_oc(oc: Any, as_json: bool) -> None:
    if as_json:
        _print_json(oc.as_dict())
        return
    table = _table(
        f"{oc.design} design, {oc.n_sims} simulated trials", "Dose", "True DLT", "P(MTD)", "Patients", "DLTs"
    )
    for j, p in enumerate(oc.true_tox):
        table.add_row(str(j + 1), f"{p:g}", _prob(oc.p_select[j]), f"{oc.mean_n[j]:.2f}", f"{oc.mean_dlt[j]:.2f}")
    table.add_row("None", "", _prob(oc.p_none), "", "")
    table.add_row("Total", "", "", f"{oc.mean_total_n:.2f}", f"{oc.mean_total_dlt:.2f}")
    _print_table(table)
    early = "stopped at the first dose" if oc.design == "3+3" else "stopped before the maximum N"
    _note(f"P({early}) {oc.p_stopped_early:.4f}. Patients and DLTs are means per trial.")
    if oc.seed is not None:
        _note(f"Seed {oc.seed}.")
    _note(f"Reference: {oc.reference}")
