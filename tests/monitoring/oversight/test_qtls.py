"""QTLs: definitions, evaluation at a data cut with exact intervals, breaches opened, extended, ended, actioned."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.models import Deviation, DeviationStatus, QtlBreach, QtlStatus
from opencro.monitoring.oversight import qtl_services
from opencro.monitoring.oversight.qtl_parameters import parameter_counts
from opencro.stats.qtl import clopper_pearson

pytestmark = pytest.mark.django_db
PM = RoleCode.PROJECT_MANAGER
CUT = dt.date(2026, 11, 1)


def _deviation(w, subject, *, important=True, category="procedures", status=DeviationStatus.CONFIRMED, number=1):
    return Deviation.objects.create(
        study=w.study,
        site=subject.site,
        subject=subject,
        number=f"PD-{number:04d}",
        category=category,
        description="Dose taken outside the window.",
        occurred_on=dt.date(2026, 10, 1),
        identified_on=dt.date(2026, 10, 2),
        source="site",
        status=status,
        important=important,
    )


def _qtl(w, **kwargs):
    values = {"code": "QTL-01", "parameter": "important_deviation", "limit": 0.10, "rationale": "ICH E6(R3) 3.10"}
    return qtl_services.qtl_save(actor=w.user(PM), study=w.study, **{**values, **kwargs})


def test_parameter_counts_from_the_participants(world):
    _deviation(world, world.subject_a)
    _deviation(world, world.subject_a, number=2)  # the same participant counts once
    _deviation(world, world.subject_b, important=False, category="informed_consent", number=3)
    counts = parameter_counts(world.study, CUT, ["important_deviation", "consent_deviation", "ineligible_randomised"])
    assert counts["important_deviation"] == (1.0, 2.0)
    assert counts["consent_deviation"] == (1.0, 2.0)
    assert counts["ineligible_randomised"] == (0.0, 2.0)
    # before the deviations were identified, nothing counts
    assert parameter_counts(world.study, dt.date(2026, 10, 1), ["important_deviation"])["important_deviation"][0] == 0


def test_evaluation_opens_a_breach_that_needs_an_action_then_ends(world):
    qtl = _qtl(world)
    _deviation(world, world.subject_a)
    [evaluation] = qtl_services.qtls_evaluate(actor=world.user(PM), study=world.study, cut_on=CUT)
    lower, upper = clopper_pearson(1, 2)
    assert (evaluation.numerator, evaluation.denominator, evaluation.estimate) == (1.0, 2.0, 0.5)
    assert (evaluation.lower, evaluation.upper) == pytest.approx((lower, upper))
    assert evaluation.status == QtlStatus.SIGNAL  # 0.5 > 0.10 but the lower bound 0.0126 is not
    breach = QtlBreach.objects.get(qtl=qtl)
    assert (breach.worst_status, breach.ended_on, breach.action) == (QtlStatus.SIGNAL, None, "")
    # a second cut extends it
    qtl_services.qtls_evaluate(actor=world.user(PM), study=world.study, cut_on=CUT + dt.timedelta(days=7))
    assert QtlBreach.objects.filter(qtl=qtl).count() == 1
    breach.refresh_from_db()
    assert breach.last_evaluation.cut_on == CUT + dt.timedelta(days=7)
    with pytest.raises(ValidationError) as refused:
        qtl_services.qtl_breach_action(actor=world.user(PM), breach=breach, cause="x", action="y")
    assert set(refused.value.message_dict) == {"cause"}
    qtl_services.qtl_breach_action(
        actor=world.user(PM),
        breach=breach,
        cause="One site misread the dosing window in the protocol.",
        action="Site retrained; protocol clarification letter sent to all sites.",
    )
    breach.refresh_from_db()
    assert breach.actioned_by == world.user(PM) and breach.actioned_at is not None
    # the deviation turns out not to be one: back within the limit, the breach ends
    Deviation.objects.update(status=DeviationStatus.REJECTED)
    [within] = qtl_services.qtls_evaluate(actor=None, study=world.study, cut_on=CUT + dt.timedelta(days=14))
    assert within.status == QtlStatus.WITHIN
    breach.refresh_from_db()
    assert breach.ended_on == CUT + dt.timedelta(days=14)


def test_a_limit_crossed_by_the_whole_interval_is_a_breach(world):
    _qtl(world, code="QTL-02", parameter="study_discontinuation", limit=0.05, direction="lower")
    [evaluation] = qtl_services.qtls_evaluate(actor=world.user(PM), study=world.study, cut_on=CUT)
    # 0 of 2 discontinued: estimate 0 < 0.05 (lower limit) but the upper bound 0.84 is not below it
    assert (evaluation.estimate, evaluation.status) == (0.0, QtlStatus.SIGNAL)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"limit": 1.5}, "limit"),
        ({"limit": 0}, "limit"),
        ({"parameter": "weather"}, "parameter"),
        ({"direction": "sideways"}, "direction"),
        ({"code": " "}, "code"),
    ],
)
def test_bad_qtls_are_refused_by_field(world, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        _qtl(world, **kwargs)
    assert field in refused.value.message_dict


def test_codes_are_unique_and_writes_need_risk_manage(world):
    _qtl(world)
    with pytest.raises(ValidationError, match="already"):
        _qtl(world)
    with pytest.raises(PermissionDenied):
        qtl_services.qtl_save(
            actor=world.user(RoleCode.INVESTIGATOR), study=world.study, code="QTL-09", parameter="sae_rate", limit=2.0
        )
    with pytest.raises(PermissionDenied):
        qtl_services.qtls_evaluate(actor=world.user(RoleCode.DATA_MANAGER), study=world.study, cut_on=CUT)


def test_a_rate_qtl_has_no_upper_limit_of_one(world):
    qtl = _qtl(world, code="QTL-03", parameter="sae_rate", limit=2.5)
    assert qtl.limit == 2.5
