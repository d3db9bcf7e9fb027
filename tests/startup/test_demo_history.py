"""The demo's start-up history: recorded through the services, it leaves each site in the status data.SITES names."""

import pytest

from opencro.accounts import services as accounts
from opencro.accounts.access import access_for
from opencro.demo import data
from opencro.demo.loader import _sites
from opencro.startup.models import MilestoneKind
from opencro.startup.selectors import site_startup_file, startup_dashboard
from opencro.studies import services as studies
from opencro.studies.models import Country
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_sites():
    admin = make_user("demo-admin", superuser=True)
    study = studies.study_create(actor=admin, **data.STUDY)
    pm = make_user("demo-pm")
    accounts.membership_grant(actor=admin, user=pm, study=study, role_code="project_manager")
    for code, name, regulator in data.COUNTRIES:
        studies.protocol_item_save(actor=pm, instance=Country(study=study, code=code, name=name, regulator=regulator))
    return pm, study, _sites(pm, study)


def test_statuses_and_green_lights_follow_the_history(demo_sites):
    _pm, _study, sites = demo_sites
    assert {n: s.status for n, s in sites.items()} == {n: status for n, *_r, status, _t in data.SITES}
    active = [s for s in sites.values() if s.status == "active"]
    assert active and all(s.activated_on <= data.FIRST_SCREENING for s in active)


def test_the_dashboard_shows_what_blocks_and_what_slipped(demo_sites):
    pm, study, sites = demo_sites
    access = access_for(pm, study.pk)
    board = startup_dashboard(access)
    assert {c.country.code for c in board.countries} == {code for code, _n, _r in data.COUNTRIES}
    assert board.late_milestones > 0 and board.median_cycle_days is not None
    approvals = {
        (c.country.code, m.kind)
        for c in board.countries
        for m in c.milestones
        if m.actual_on and m.kind.endswith("approval")
    }
    assert {code for code, kind in approvals if kind == MilestoneKind.REGULATORY_APPROVAL} == {
        code for code, _n, _r in data.COUNTRIES
    }
    assert {code for code, kind in approvals if kind == MilestoneKind.CENTRAL_ETHICS_APPROVAL} == {
        "US",
        "DE",
        "ES",
        "BR",
    }
    blockers = {n: {b.field for b in site_startup_file(access, sites[n].pk).startup.blockers} for n in sites}
    assert blockers["103"] == {"training"}
    assert blockers["402"] == {"financial_disclosure"}
    assert MilestoneKind.CONTRACT_SIGNED in blockers["302"] and "training" in blockers["302"]
    assert len(blockers["502"]) > 8  # nothing yet
    assert all(not blockers[n] for n, s in sites.items() if s.status == "active")
