"""Design effect and cluster inflation (Donner & Klar; Eldridge, Ashby & Kerry 2006)."""

import math

import pytest

from opencro.stats.design.cluster import cluster_inflate, design_effect
from opencro.stats.design.errors import DesignInputError
from opencro.stats.design.means import means_two_sample
from opencro.stats.design.proportions import proportions_two_sample
from opencro.stats.design.results import SampleSize


def _round_up(n: float) -> int:
    """The rounding rule of opencro.stats.design.rounding, written out: ceil(n - 1e-9)."""
    return math.ceil(n - 1e-9)


@pytest.mark.parametrize(
    ("cluster_size", "icc", "cv", "expected"),
    [
        (20, 0.05, 0.0, 1.95),  # Donner & Klar: 1 + (m - 1) rho = 1 + 19 * 0.05
        (1, 0.3, 0.0, 1.0),  # one subject per cluster: individual randomisation
        (50, 0.0, 0.7, 1.0),  # no clustering of outcomes
        (20, 0.05, 0.5, 2.2),  # Eldridge et al. 2006: 1 + ((0.25 + 1) 20 - 1) 0.05
        (12.5, 0.1, 0.65, 2.678125),  # 1 + ((0.4225 + 1) 12.5 - 1) 0.1 = 1 + 16.78125 * 0.1
    ],
)
def test_design_effect(cluster_size, icc, cv, expected):
    assert design_effect(cluster_size=cluster_size, icc=icc, cv=cv) == pytest.approx(expected, rel=1e-14)


def test_design_effect_grows_with_cluster_size_variation():
    values = [design_effect(cluster_size=30, icc=0.02, cv=cv) for cv in (0.0, 0.3, 0.6, 0.9)]
    assert values == sorted(values)
    assert len(set(values)) == 4


def test_cluster_inflate_two_arms():
    base = means_two_sample(delta=0.4, sd=1.0, ratio=2.0, dropout=0.1)
    clustered = cluster_inflate(base, cluster_size=15, icc=0.04)
    effect = 1 + 14 * 0.04
    assert clustered.details["design_effect"] == pytest.approx(effect, rel=1e-14)
    assert clustered.n_per_arm_raw == pytest.approx([n * effect for n in base.n_per_arm_raw], rel=1e-14)
    for arm, raw in enumerate(clustered.n_per_arm_raw, start=1):
        clusters = clustered.details[f"clusters_arm{arm}"]
        assert clusters == _round_up(raw / 15)
        assert clustered.n_per_arm[arm - 1] == clusters * 15
        assert clustered.details[f"effective_n_arm{arm}"] >= base.n_per_arm_raw[arm - 1]
    assert clustered.power == base.power
    assert clustered.details["target_power"] == 0.8
    assert "Eldridge" in clustered.reference


def test_cluster_inflate_with_unequal_cluster_sizes_and_fractional_mean():
    base = proportions_two_sample(p1=0.3, p2=0.45)
    clustered = cluster_inflate(base, cluster_size=8.5, icc=0.1, cv=0.4)
    effect = 1 + ((0.16 + 1) * 8.5 - 1) * 0.1
    clusters = _round_up(base.n_per_arm_raw[0] * effect / 8.5)
    assert clustered.n_per_arm == (_round_up(clusters * 8.5),) * 2
    assert clustered.details["clusters_arm2"] == clusters


def test_cluster_inflate_multiplies_required_events():
    base = SampleSize(
        n_per_arm_raw=(100.0, 100.0),
        n_per_arm=(100, 100),
        power=0.8,
        method="log-rank",
        reference="Schoenfeld 1983",
        events_raw=80.4,
        events=81,
    )
    clustered = cluster_inflate(base, cluster_size=10, icc=0.02)
    assert clustered.events_raw == pytest.approx(80.4 * 1.18, rel=1e-14)
    assert clustered.events == _round_up(80.4 * 1.18)  # 94.872 -> 95


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"cluster_size": 0.5, "icc": 0.1}, "cluster_size"),
        ({"cluster_size": math.inf, "icc": 0.1}, "cluster_size"),
        ({"cluster_size": 10, "icc": -0.01}, "icc"),
        ({"cluster_size": 10, "icc": 1.5}, "icc"),
        ({"cluster_size": 10, "icc": 0.1, "cv": -0.2}, "cv"),
    ],
)
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(DesignInputError) as caught:
        design_effect(**kwargs)
    assert caught.value.parameter == parameter
    with pytest.raises(DesignInputError) as caught:
        cluster_inflate(means_two_sample(delta=1.0, sd=1.0), **kwargs)
    assert caught.value.parameter == parameter


def test_whole_clusters_are_not_bumped_by_floating_point_noise():
    """50 subjects per arm at design effect 1 + 4 * 0.025 = 1.1 is 55 subjects, 11 clusters of 5; in floating point
    50 * 1.1 / 5 is 11.000000000000002, which plain ceil would make 12 clusters (60 subjects)."""
    base = SampleSize(n_per_arm_raw=(50.0, 50.0), n_per_arm=(50, 50), power=0.8, method="z-test", reference="CSW")
    clustered = cluster_inflate(base, cluster_size=5, icc=0.025)
    assert clustered.n_per_arm_raw[0] / 5 > 11.0
    assert clustered.details["clusters_arm1"] == 11
    assert clustered.n_per_arm == (55, 55)
