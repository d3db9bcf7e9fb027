"""Cluster-randomised designs: the design effect and inflation of an individually randomised sample size."""

from opencro.stats.design.errors import DesignInputError, check_finite, check_non_negative
from opencro.stats.design.results import SampleSize
from opencro.stats.design.rounding import round_up

_REFERENCE = (
    "Eldridge SM, Ashby D, Kerry S (2006). Int J Epidemiol 35:1292-1300, doi:10.1093/ije/dyl129; "
    "Donner A, Klar N (2000). Design and Analysis of Cluster Randomization Trials in Health Research"
)


def design_effect(*, cluster_size: float, icc: float, cv: float = 0.0) -> float:
    """Variance inflation of cluster randomisation: 1 + ((cv^2 + 1) m - 1) rho.

    Parameters
    ----------
    cluster_size : mean number of evaluable subjects per cluster, m >= 1.
    icc : intra-cluster correlation coefficient rho, in [0, 1].
    cv : coefficient of variation of the cluster sizes (SD / mean); 0 for equal clusters, which gives Donner &
        Klar's 1 + (m - 1) rho.

    Returns
    -------
    The design effect, at least 1 when `cv` is 0.

    Notes
    -----
    For a cluster-level analysis weighted by cluster size, with cluster sizes varying at random around m
    (Eldridge et al. 2006). Assumes a common ICC in both arms and clusters independent of each other.

    References
    ----------
    Eldridge SM, Ashby D, Kerry S (2006). Sample size for cluster randomized trials: effect of coefficient of
    variation of cluster size and analysis method. Int J Epidemiol 35:1292-1300, doi:10.1093/ije/dyl129.
    Donner A, Klar N (2000). Design and Analysis of Cluster Randomization Trials in Health Research. Arnold.
    """
    m = check_finite("cluster_size", cluster_size)
    if m < 1.0:
        raise DesignInputError("cluster_size", f"must be at least 1, not {m:g}")
    rho = check_finite("icc", icc)
    if not 0.0 <= rho <= 1.0:
        raise DesignInputError("icc", f"must lie in [0, 1], not {rho:g}")
    cv = check_non_negative("cv", cv)
    return 1.0 + ((cv * cv + 1.0) * m - 1.0) * rho


def cluster_inflate(size: SampleSize, *, cluster_size: float, icc: float, cv: float = 0.0) -> SampleSize:
    """Subjects and clusters per arm for a cluster-randomised version of an individually randomised design.

    Parameters
    ----------
    size : an individually randomised answer (from `means_two_sample`, `proportions_two_sample`, ...).
    cluster_size, icc, cv : as in `design_effect`.

    Returns
    -------
    SampleSize whose raw sizes are the raw sizes of `size` times the design effect; each arm is rounded up on its
    own to whole clusters, ceil(raw / m - 1e-9), and the subjects are those clusters times m, rounded up the same
    way (`rounding.round_up`). `details` adds `design_effect`, `clusters_arm1`, `clusters_arm2`, ... and
    `effective_n_arm1`, ... (subjects / design effect). Required events, when `size` has them, are multiplied by
    the design effect too and rounded up by the same rule.

    Notes
    -----
    `power` is carried over from `size`: this function does not know the test. Each arm's effective size,
    subjects / design effect, is at least the raw size of `size` (dropout included), so the cluster design
    reaches the target power of `size`; the power reported there was computed at `size`'s own rounding.
    Cluster sizes of `size.n_per_arm_raw` include its dropout inflation, so `cluster_size` counts randomised
    subjects per cluster.

    References
    ----------
    Eldridge SM, Ashby D, Kerry S (2006). Int J Epidemiol 35:1292-1300, doi:10.1093/ije/dyl129.
    """
    effect = design_effect(cluster_size=cluster_size, icc=icc, cv=cv)
    m = float(cluster_size)
    raw = tuple(n * effect for n in size.n_per_arm_raw)
    clusters = tuple(round_up(n / m) for n in raw)
    subjects = tuple(round_up(k * m) for k in clusters)
    details = {**size.details, "design_effect": effect, "cluster_size": m, "icc": float(icc), "cv": float(cv)}
    for arm, (k, n) in enumerate(zip(clusters, subjects, strict=True), start=1):
        details[f"clusters_arm{arm}"] = float(k)
        details[f"effective_n_arm{arm}"] = n / effect
    return SampleSize(
        n_per_arm_raw=raw,
        n_per_arm=subjects,
        power=size.power,
        method=f"{size.method}; cluster randomised, design effect {effect:.4g}",
        reference=f"{size.reference}; {_REFERENCE}",
        events_raw=None if size.events_raw is None else size.events_raw * effect,
        events=None if size.events_raw is None else round_up(size.events_raw * effect),
        details=details,
    )
