"""The shortlist's scores against values computed by hand from the conftest's data."""

import pytest

from opencro.accounts.access import access_for
from opencro.sites.history import history_aggregate
from opencro.sites.scoring import shortlist

pytestmark = pytest.mark.django_db


def _components(candidate) -> dict[str, float | None]:
    return {str(c.name): c.fraction for c in candidate.score.components}


def test_shortlist_ranks_by_hand_computed_scores(feasibility):
    f = feasibility
    access = access_for(f.pm, f.world.study.pk)
    ranked = shortlist(access, f.questionnaire)
    assert [c.invitation.institution.name for c in ranked] == ["Hôpital X", "Clinique Y", "Centre W"]
    x, y, w = ranked
    # X: answers (2*1 + 3*5/10 + 1*0.5) / 6 = 2/3; enrolment: shrunk 2.8678 vs France median 0.9138 -> capped at 1;
    # screen failures 1 of 2 at A1 -> 0.5; query rate, deviations and start-up: no candidate median > 0 -> neutral;
    # competition: 2 asthma trials recruiting in Lyon -> 1/3.
    assert _components(x) == pytest.approx(
        {"Answers": 2 / 3, "Enrolment rate": 1.0, "Screen failures": 0.5, "Query rate": None,
         "Protocol deviations": None, "Start-up time": None, "Competing trials": 1 / 3}
    )  # fmt: skip
    assert x.score.total == pytest.approx(35 * 2 / 3 + 25 + 5 + 2.5 + 2.5 + 2.5 + 15 / 3)  # 65.83
    # Y: answers (2 + 3 + 0) / 6; its shrunk rate is France's median -> 0.5; 1 trial recruiting in Paris -> 1/2
    assert _components(y)["Enrolment rate"] == pytest.approx(0.5)
    assert y.score.total == pytest.approx(35 * 5 / 6 + 12.5 + 5 + 2.5 + 2.5 + 2.5 + 7.5)  # 61.67
    # W: not answered -> 0; no history -> neutral; no competing trial in Marseille -> 1
    assert _components(w)["Answers"] == 0.0
    assert w.score.total == pytest.approx(12.5 + 5 + 2.5 + 2.5 + 2.5 + 15)  # 40.0
    assert "2 trials recruiting for “Asthma” in Lyon, 2 in France" in [c.reason for c in x.score.components][6]
    assert "MRI on site? → yes: 2/2" in x.score.components[0].reason


def test_history_from_the_database_matches_the_hand_values(feasibility):
    history = history_aggregate(countries=["France"], condition="asthma")
    x = history.facility("x|lyon|france")
    assert (x.rate, x.shrunk_rate) == pytest.approx((3.0, 2.8677686))  # Marshall by hand, see tests/stats
    assert history.country("France").median_rate == pytest.approx(0.9137931)
    assert history.competing("France", "lyon") == 2  # NCT00000011 (two Lyon sites) once, NCT00000012 ("LYON")
    assert history.country("France").competing_trials == 2
    assert history_aggregate(countries=["Spain"]).country("France").facilities == 0
