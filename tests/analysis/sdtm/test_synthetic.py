"""The generated benchmark study builds and passes the conformance checks (small size here; timing in the report)."""

from __future__ import annotations

from opencro.analysis.sdtm import build_study, check_domains
from opencro.analysis.sdtm.synthetic import LB_TESTS, VS_TESTS, synthetic_study


def test_synthetic_study_builds_clean():
    spec, inputs = synthetic_study(n_subjects=40, n_visits=3, seed=7)
    result = build_study(spec, inputs)
    domains = result.domains
    assert len(domains["DM"]) == 40
    # Every subject has every visit with every test: 40 x 3 x 6 VS and 40 x 3 x 10 LB records.
    assert len(domains["VS"]) == 40 * 3 * len(VS_TESTS)
    assert len(domains["LB"]) == 40 * 3 * len(LB_TESTS)
    assert len(domains["SV"]) == 40 * 3
    # Visit 1 is the day of first dose: study day 1, baseline, TREATMENT epoch.
    first = domains["VS"][domains["VS"]["VISITNUM"] == 1.0]
    assert set(first["VSDY"]) == {1.0} and set(first["VSBLFL"]) == {"Y"} and set(first["EPOCH"]) == {"TREATMENT"}
    assert check_domains(domains, result.metadata) == []


def test_synthetic_study_is_reproducible():
    _, a = synthetic_study(n_subjects=5, n_visits=2, seed=1)
    _, b = synthetic_study(n_subjects=5, n_visits=2, seed=1)
    assert a.items.equals(b.items)
