"""Longitudinal reads: newly flagged and flagged since over three cuts, the heat map, a KRI's history, funnel data;
what a site-restricted reader sees."""

import datetime as dt

import pytest

from opencro.accounts.access import access_for
from opencro.accounts.permissions import RoleCode
from opencro.monitoring.kris import selectors, services
from opencro.monitoring.kris.selectors import FlagRun, flag_run
from tests.monitoring.kris.conftest import CUT, D

pytestmark = pytest.mark.django_db
CUTS = [D(2026, 3, 15), D(2026, 3, 25), CUT]
LATE = {  # an identity KRI: the share of pages entered late, flagged 1 from 0.1 and 2 from 0.5
    "name": "Late page rate",
    "abbreviation": "LATE",
    "numerator": "data_pages_late",
    "denominator": "data_pages",
    "method": "identity",
    "kind": "binary",
    "thresholds": [-1, -0.5, 0.1, 0.5],
    "min_denominator": 1,
}


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        ([0, 0, 1], FlagRun(1, True, CUTS[2], 1)),
        ([None, 2, -1], FlagRun(-1, False, CUTS[1], 2)),  # a change of sign is still a flag
        ([1, 1, 1], FlagRun(1, False, CUTS[0], 3)),
        ([1, 0, 2], FlagRun(2, True, CUTS[2], 1)),  # the run starts again after a cut without a flag
        ([1, 1, 0], FlagRun(0, False, None, 0)),
        ([1, 1, None], FlagRun(None, False, None, 0)),
    ],
)
def test_a_flag_run_is_the_unbroken_run_ending_at_the_latest_cut(flags, expected):
    assert flag_run(CUTS, dict(zip(CUTS, flags, strict=True))) == expected


def test_a_group_missing_from_the_previous_cut_is_newly_flagged():
    assert flag_run(CUTS, {CUTS[2]: -2}) == FlagRun(-2, True, CUTS[2], 1)
    assert flag_run([], {}) == FlagRun(None, False, None, 0)


@pytest.fixture
def three_cuts(kri_world):
    kri = services.kri_definition_save(actor=None, study=kri_world.study, **LATE)
    for cut in CUTS:
        services.kri_snapshot_compute(actor=None, study=kri_world.study, cut_on=cut)
    return kri_world, kri


def _access(w, role=RoleCode.PROJECT_MANAGER):
    return access_for(w.user(role), w.study.pk)


def test_newly_flagged_and_flagged_since_over_three_cuts(three_cuts):
    """A1: 0 of 2 pages late on 15 and 25 March, 1 of 5 on 1 June (flag 1: new); B1: no page on 15 March, its one
    page late from 25 March (flag 2 at two cuts)."""
    w, kri = three_cuts
    latest, rows = selectors.kri_flags(_access(w), kri_code=kri.code)
    assert latest.cut_on == CUT
    by_site = {r.group: r for r in rows}
    assert (by_site["A1"].metric, by_site["A1"].run) == (0.2, FlagRun(1, True, CUT, 1))
    assert (by_site["B1"].metric, by_site["B1"].run) == (1.0, FlagRun(2, False, D(2026, 3, 25), 2))
    history = selectors.kri_history(_access(w), kri.code)
    assert [(p.cut_on, p.numerator, p.denominator, p.flag) for p in history["B1"]] == [
        (CUTS[0], 0, 0, None),
        (CUTS[1], 1, 1, 2),
        (CUT, 1, 1, 2),
    ]
    assert [p.flag for p in history["A1"]] == [0, 0, 1]


def test_the_heat_map_holds_each_sites_flags_oldest_cut_first(three_cuts):
    w, kri = three_cuts
    heat = selectors.kri_heatmap(_access(w))
    assert heat.cuts == CUTS and heat.groups == ["A1", "B1"] and heat.kri_codes == [kri.code]
    assert heat.flags["A1"][kri.code] == [0, 0, 1]
    assert heat.flags["B1"][kri.code] == [None, 2, 2]
    assert selectors.kri_heatmap(_access(w), last=2).cuts == CUTS[1:]
    countries = selectors.kri_heatmap(_access(w), level="country")
    assert countries.groups == ["JP", "US"]


def test_a_site_restricted_reader_sees_their_sites_rows_only(three_cuts):
    w, kri = three_cuts
    monitor = _access(w, RoleCode.MONITOR)  # site A1
    _latest, rows = selectors.kri_flags(monitor, kri_code=kri.code)
    assert [r.group for r in rows] == ["A1"]
    assert selectors.kri_heatmap(monitor).groups == ["A1"]
    assert set(selectors.kri_history(monitor, kri.code)) == {"A1"}
    assert not selectors.kri_results(monitor, level="country").exists()  # a country pools other sites
    assert selectors.kri_heatmap(monitor, level="country").groups == []


def test_funnel_data_has_the_study_limits_and_the_readers_points(kri_world):
    w = kri_world
    services.kri_definitions_create_default(actor=None, study=w.study)
    snapshot = services.kri_snapshot_compute(actor=None, study=w.study, cut_on=CUT)
    data = selectors.kri_funnel_data(_access(w), snapshot, "kri0001")
    assert [(p.group, p.numerator, p.denominator) for p in data.points] == [("A1", 3, 123), ("B1", 0, 145)]
    assert data.overall == pytest.approx(3 / 268)
    assert sorted(b.threshold for b in data.bounds) == [-2, -1, 0, 2, 3]
    expected = next(b for b in data.bounds if b.threshold == 0)
    assert all(m == pytest.approx(3 / 268) for m in expected.metric)  # the study rate at every denominator
    upper = next(b for b in data.bounds if b.threshold == 3)
    assert upper.metric[0] > upper.metric[-1] > 3 / 268  # the funnel narrows as the denominator grows
    restricted = selectors.kri_funnel_data(_access(w, RoleCode.MONITOR), snapshot, "kri0001")
    assert [p.group for p in restricted.points] == ["A1"] and len(restricted.bounds) == len(data.bounds)


def test_identity_and_fisher_kris_have_no_funnel_limits(three_cuts):
    w, kri = three_cuts
    snapshot = selectors.kri_snapshots(_access(w)).first()
    assert selectors.kri_funnel_data(_access(w), snapshot, kri.code).bounds == []
    assert isinstance(snapshot.cut_on, dt.date)
