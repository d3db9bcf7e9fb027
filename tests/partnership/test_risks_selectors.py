"""Register reads: filters, the heat map, the portfolio of an organisation (a sponsor's people never see another
sponsor's risks), the signals that feed the register, the study's oversight issues, a risk's history."""

import datetime as dt

import pytest

from opencro.accounts import organisations
from opencro.partnership import risk_reads, risk_signals
from opencro.partnership.models import ProjectRisk
from opencro.partnership.risk_reads import RiskFilters
from opencro.partnership.services import kickoff, risks
from tests.partnership.budget_helpers import execute
from tests.partnership.risk_helpers import TODAY, borealis_risk, make_overdue, oversight, raise_risk

pytestmark = pytest.mark.django_db

REASON = "Reviewed at the monthly operations call."


def _numbers(qs) -> list[str]:
    return [r.number for r in qs]


def _register(p):
    """RSK-001 4 x 3 medium (crux lead), RSK-002 5 x 4 high (acme viewer, overdue), RSK-003 1 x 2 low closed,
    RSK-004 2 x 5 medium realised."""
    raise_risk(p)
    make_overdue(raise_risk(p, likelihood=5, impact=4, owner=p.acme_viewer, title="Database lock slips"))
    closed = raise_risk(p, likelihood=1, impact=2, title="Vendor change")
    risks.risk_close(actor=p.crux_lead, risk=closed, closing_note="The vendor stays under contract.")
    realised = raise_risk(p, likelihood=2, impact=5, title="Drug shipment held at customs")
    risks.risk_realise(actor=p.crux_lead, risk=realised, note="The shipment was held for nine days.")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (RiskFilters(), ["RSK-002", "RSK-001", "RSK-004", "RSK-003"]),  # score 20, 12, 10, 2
        (RiskFilters(status="active"), ["RSK-002", "RSK-001", "RSK-004"]),
        (RiskFilters(status="realised"), ["RSK-004"]),
        (RiskFilters(level="high"), ["RSK-002"]),
        (RiskFilters(level="medium"), ["RSK-001", "RSK-004"]),
        (RiskFilters(level="low"), ["RSK-003"]),
        (RiskFilters(overdue=True), ["RSK-002"]),
        (RiskFilters(overdue=False), ["RSK-001", "RSK-004", "RSK-003"]),
        (RiskFilters(status="open", level="medium"), ["RSK-001"]),
    ],
)
def test_the_register_filtered(partners, filters, expected):
    p = partners
    _register(p)
    found = risk_reads.risks_filtered(risk_reads.work_order_risks(p.work_order), filters, TODAY)
    assert _numbers(found) == expected


def test_the_owner_filter_and_its_choices(partners):
    p = partners
    _register(p)
    register = risk_reads.work_order_risks(p.work_order)
    assert list(risk_reads.risk_owners(register)) == [p.acme_viewer, p.crux_lead]  # by username
    found = risk_reads.risks_filtered(register, RiskFilters(owner_id=p.acme_viewer.pk), TODAY)
    assert _numbers(found) == ["RSK-002"]


def test_the_heat_map_counts_the_risks_not_closed(partners):
    p = partners
    _register(p)
    raise_risk(p, title="Second site activation slips")  # another 4 x 3
    grid = risk_reads.heat_map(risk_reads.work_order_risks(p.work_order))
    assert [row[0].impact for row in grid] == [5, 4, 3, 2, 1]
    assert [cell.likelihood for cell in grid[0]] == [1, 2, 3, 4, 5]
    counts = {(c.likelihood, c.impact): c.count for row in grid for c in row if c.count}
    assert counts == {(4, 3): 2, (5, 4): 1, (2, 5): 1}  # the closed 1 x 2 is not counted
    cell = grid[0][1]  # likelihood 2, impact 5
    assert (cell.score, cell.level) == (10, "medium")


def test_the_people_who_may_own_a_risk(partners):
    p = partners
    names = {m.user.username for m in risk_reads.owner_candidates(p.work_order)}
    assert "crux-lead" in names and "acme-viewer" in names and "acme-admin" in names
    assert not any(n.startswith(("borealis", "delta")) for n in names)


def test_the_portfolio_holds_only_the_organisations_own_work_orders(partners, world):
    p = partners
    raise_risk(p)
    theirs = borealis_risk(p, world)
    seen = {
        code: {r.title for r in risk_reads.portfolio_risks(getattr(p, code).pk)}
        for code in ("acme", "crux", "borealis", "delta")
    }
    assert seen == {
        "acme": {"Slow recruitment in Japan"},
        "crux": {"Slow recruitment in Japan"},
        "borealis": {"Borealis secret"},
        "delta": {"Borealis secret"},
    }
    with pytest.raises(Exception, match="No such risk"):
        risk_reads.risk_get(p.work_order, theirs.pk)  # another work order's risk: 404


def _milestones(p) -> None:
    """Database lock targeted 10 days ago (overdue), the CSR in 30 days but forecast in 60 (at risk), topline in 30."""
    for kind, day in (
        ("database_lock", TODAY - dt.timedelta(days=10)),
        ("topline_results", TODAY + dt.timedelta(days=30)),
        ("clinical_study_report", TODAY + dt.timedelta(days=30)),
    ):
        kickoff.milestone_set(actor=p.crux_contracts, work_order=p.work_order, kind=kind, planned_on=day)
    execute(p)
    kickoff.milestone_set(
        actor=p.crux_contracts,
        work_order=p.work_order,
        kind="clinical_study_report",
        forecast_on=TODAY + dt.timedelta(days=60),
    )


def test_the_signals_that_feed_the_register(partners, world):
    p = partners
    signals = oversight(world)
    _milestones(p)
    found = {s.key: s for s in risk_signals.signals_of(p.work_order, TODAY, oversight=True)}
    overdue_key = f"issue:{signals.overdue_issue.pk}"
    assert set(found) == {
        "milestone:database_lock",
        "milestone:clinical_study_report",
        signals.kri_a_key,
        signals.kri_b_key,
        signals.qtl_key,
        signals.csm_key,
        signals.deviations_key,
        overdue_key,
    }  # not kri0002 (not flagged), QTL-02 (ended), CSM's A1, B1's closed or unimportant deviations, ISS-0002
    by_source = {key: (s.source, s.site, s.likelihood, s.impact, s.category) for key, s in found.items()}
    assert by_source["milestone:database_lock"] == ("milestone", "", 5, 3, "timeline")
    assert by_source["milestone:clinical_study_report"] == ("milestone", "", 3, 3, "timeline")
    assert by_source[signals.kri_b_key] == ("kri", "B1", 3, 3, "data_quality")
    assert by_source[signals.qtl_key] == ("qtl", "", 5, 4, "data_quality")
    assert by_source[signals.csm_key] == ("csm", "B1", 3, 3, "data_quality")
    assert by_source[signals.deviations_key] == ("deviation", "A1", 3, 4, "data_quality")
    assert found[signals.deviations_key].detail == "PD-0001, PD-0002"
    assert found["milestone:database_lock"].detail.startswith(f"Target {(TODAY - dt.timedelta(days=10)).isoformat()}")
    assert "weekday pattern of visit_date" in found[signals.csm_key].detail
    # the KRI flag at A1 already has its oversight issue; the one at B1 has none
    assert found[signals.kri_a_key].issue == signals.overdue_issue and found[signals.kri_b_key].issue is None
    assert found[overdue_key].issue == signals.overdue_issue and found[overdue_key].site == "A1"
    milestones_only = risk_signals.signals_of(p.work_order, TODAY, oversight=False)
    assert {s.key for s in milestones_only} == {"milestone:database_lock", "milestone:clinical_study_report"}


def test_a_signal_in_the_register_is_matched_to_its_risk_until_closed(partners, world):
    p = partners
    signals = oversight(world)
    risk = risks.risk_raise_from_signal(actor=p.crux_lead, work_order=p.work_order, source_key=signals.qtl_key)

    def held() -> dict:
        rows = risk_signals.signal_rows(p.work_order, risk_signals.signals_of(p.work_order, TODAY, oversight=True))
        return {row.signal.key: row.risk for row in rows if row.risk is not None}

    assert held() == {signals.qtl_key: risk}
    risks.risk_close(actor=p.crux_lead, risk=risk, closing_note="The QTL is back within its limit.")
    assert held() == {}


def test_whether_an_organisation_reaches_the_study(partners, world):
    p = partners
    assert risk_signals.reaches_study(p.acme, p.work_order) and risk_signals.reaches_study(p.crux, p.work_order)
    assert risk_signals.reaches_study(None, p.work_order)  # the system
    organisations.study_sponsor_set(actor=world.admin, study=world.study, organisation=p.borealis)
    p.work_order.study.refresh_from_db()
    assert not risk_signals.reaches_study(p.acme, p.work_order)


def test_the_studys_oversight_issues(partners, world):
    signals = oversight(world)
    issues, late = risk_signals.study_issues(world.study)
    assert issues == [signals.overdue_issue, signals.later_issue]  # due first
    assert late == {signals.overdue_issue.pk}
    assert risk_signals.overdue_issues([world.study, world.other_study]) == [signals.overdue_issue]


def test_a_risks_history_one_step_per_write(partners):
    p = partners
    risk = raise_risk(p)
    risk = risks.risk_update(actor=p.acme_lead, risk=risk, reason=REASON, impact=5)
    risks.risk_close(actor=p.crux_lead, risk=risk, closing_note="A third site opened in Osaka.")
    steps = risk_reads.risk_history(ProjectRisk.objects.get(pk=risk.pk))
    assert [(s.action, s.username, s.reason) for s in steps] == [
        ("Create", "crux-lead", ""),
        ("Update", "acme-lead", REASON),
        ("Update", "crux-lead", "A third site opened in Osaka."),
    ]
    assert steps[1].changes == (("impact", "3", "5"),)
    assert {field for field, _old, _new in steps[2].changes} == {"status", "closed_on", "closing_note"}
