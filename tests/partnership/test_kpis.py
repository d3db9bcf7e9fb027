"""KPIs of a work order: each measure on a trial built for it (every value worked out by hand beside it), the traffic
light rule, the targets' writes (who, when, what is refused), and the trend."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.edc.models import FormData, Query
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.queries import query_close, query_open
from opencro.monitoring.models import MonitoringVisit
from opencro.partnership import kpi_measures as m
from opencro.partnership.kpis import DEFINITIONS, Light, kpi_trend, kpis_of, light, month_ends
from opencro.partnership.models import KpiCode, KpiTarget
from opencro.partnership.services import kpis as services
from opencro.safety.models import SafetyCase
from opencro.startup import services as startup
from opencro.startup.models import MilestoneKind
from opencro.studies.models import Site
from opencro.subjects import services as subjects
from opencro.subjects.models import EligibilityOutcome, EligibilityReview, Subject
from tests.partnership.budget_helpers import execute
from tests.partnership.kickoff_helpers import set_targets, trial_until_lpi_due

pytestmark = pytest.mark.django_db

D = dt.date
UTC = dt.UTC


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _sites(w) -> dict[int, Site]:
    return {s.pk: s for s in Site.objects.filter(study=w.study)}


def _measure(p, w, code: str, day: dt.date) -> m.Reading:
    return DEFINITIONS[code].measure(p.work_order, day, _sites(w))


# ------------------------------------------------------------------------------------------------ the light rule


@pytest.mark.parametrize(
    ("code", "value", "target", "tolerance", "expected"),
    [
        (KpiCode.QUERY_RESOLUTION_DAYS, 14.0, "14", "7", Light.GREEN),  # at the target: green (lower is better)
        (KpiCode.QUERY_RESOLUTION_DAYS, 21.0, "14", "7", Light.AMBER),  # at the tolerance's edge: amber
        (KpiCode.QUERY_RESOLUTION_DAYS, 21.01, "14", "7", Light.RED),
        (KpiCode.TMF_COMPLETENESS, 95.0, "95", "5", Light.GREEN),  # higher is better
        (KpiCode.TMF_COMPLETENESS, 90.0, "95", "5", Light.AMBER),
        (KpiCode.TMF_COMPLETENESS, 89.9, "95", "5", Light.RED),
        (KpiCode.MILESTONE_VARIANCE_DAYS, -3.0, "0", "0", Light.GREEN),  # early
        (KpiCode.MILESTONE_VARIANCE_DAYS, 1.0, "0", "0", Light.RED),  # no tolerance: a day late is red
        (KpiCode.TMF_COMPLETENESS, None, "95", "5", Light.NO_DATA),
        (KpiCode.TMF_COMPLETENESS, 50.0, None, "0", Light.NO_TARGET),
    ],
)
def test_the_light_of_a_value(code, value, target, tolerance, expected):
    target = Decimal(target) if target is not None else None
    assert light(DEFINITIONS[code], value, target, Decimal(tolerance)) == expected


def test_month_ends_run_back_from_the_day():
    assert month_ends(D(2026, 3, 15), 3) == [D(2025, 12, 31), D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 15)]


# ------------------------------------------------------------------------------------------------ the measures


def test_site_activation_is_the_median_from_selection_to_green_light(world, partners):
    """A1 selected 2025-10-03, B1 2025-11-02; both green-lit 2026-01-01: 90 and 60 days, median 75."""
    for site, day in ((world.site_a, D(2025, 10, 3)), (world.site_b, D(2025, 11, 2))):
        startup.site_milestone_set(
            actor=None, site=site, kind=MilestoneKind.SITE_SELECTED, actual_on=day, reason="selected"
        )
    reading = _measure(partners, world, KpiCode.SITE_ACTIVATION_DAYS, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (75.0, 2)
    assert reading.by_site == {world.site_a.pk: (90.0, 1), world.site_b.pk: (60.0, 1)}
    before = _measure(partners, world, KpiCode.SITE_ACTIVATION_DAYS, D(2025, 12, 31))
    assert (before.value, before.basis) == (None, 0)  # nobody green-lit yet on the day


def test_enrolment_against_the_plans_expected_count(world, partners):
    """Plan: 4 participants at 1 per site-month from each site's green light (A1 and B1, 2026-01-01). On 2026-03-10
    (68 days = 2.234 months) the plan expects 2 x 2.234 = 4.47, capped at the target 4; A1-001 and B1-001 are
    enrolled that day: 50 %. Per site, against its own 2.234: 44.8 %."""
    trial_until_lpi_due(world)
    reading = _measure(partners, world, KpiCode.ENROLMENT_VS_PLAN, D(2026, 3, 10))
    months = 68 / (365.25 / 12)
    assert reading.value == pytest.approx(50.0)
    assert reading.basis == 2
    assert reading.by_site[world.site_a.pk] == (pytest.approx(100 / months), 1)
    early = _measure(partners, world, KpiCode.ENROLMENT_VS_PLAN, D(2026, 2, 1))  # 31 days: expects 2.04
    assert early.value == pytest.approx(0.0)
    assert early.basis == 0


def test_enrolment_against_plan_without_a_plan_has_no_value(world, partners):
    reading = _measure(partners, world, KpiCode.ENROLMENT_VS_PLAN, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (None, 0)


def test_screen_failures_over_the_screenings_concluded(world, partners):
    """A1-003 failed screening (screened 2026-04-02); A1-001, B1-001 (screened 2026-03-01) and A1-002 enrolled."""
    trial_until_lpi_due(world)
    reading = _measure(partners, world, KpiCode.SCREEN_FAILURE_RATE, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (pytest.approx(25.0), 4)
    assert reading.by_site[world.site_a.pk] == (pytest.approx(100 / 3), 3)
    assert reading.by_site[world.site_b.pk] == (0.0, 1)
    march = _measure(partners, world, KpiCode.SCREEN_FAILURE_RATE, D(2026, 3, 31))
    assert (march.value, march.basis) == (0.0, 2)


def test_screenings_conclude_on_the_failure_day_and_the_enrolment_day(world, partners):
    """As of 2026-04-10: A1-002 (screened 04-01) is not enrolled until 04-15, so it has not concluded; A1-003's
    failure is the investigator's confirmation of its checklist on 04-20 (Chicago's day), not its screening day
    (04-02); A1-004, still screening, never counts. On 04-20 the failure counts; on 04-19 it did not."""
    trial_until_lpi_due(world)
    a3 = Subject.objects.get(number="A1-003")
    EligibilityReview.objects.create(
        study=world.study,
        site=world.site_a,
        subject=a3,
        outcome=EligibilityOutcome.NOT_ELIGIBLE,
        confirmed_at=dt.datetime(2026, 4, 21, 3, tzinfo=UTC),  # 2026-04-20 22:00 in Chicago
    )
    subjects.subject_screen(actor=None, site=world.site_a, number="A1-004", screened_on=D(2026, 4, 3))
    enrolled_a = Subject.objects.get(pk=world.subject_a.pk).enrolled_on
    assert enrolled_a <= D(2026, 4, 10)

    april_10 = _measure(partners, world, KpiCode.SCREEN_FAILURE_RATE, D(2026, 4, 10))
    assert april_10.by_site[world.site_a.pk] == (0.0, 1)  # A1-001 alone
    april_19 = _measure(partners, world, KpiCode.SCREEN_FAILURE_RATE, D(2026, 4, 19))
    assert april_19.by_site[world.site_a.pk] == (0.0, 2)  # A1-001 and A1-002
    april_20 = _measure(partners, world, KpiCode.SCREEN_FAILURE_RATE, D(2026, 4, 20))
    assert april_20.by_site[world.site_a.pk] == (pytest.approx(100 / 3), 3)


def _dm_form(world, subject) -> FormData:
    values = {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"}
    return form_save(
        actor=None,
        subject=subject,
        event_oid="SE.SCR",
        form_oid="F.DM",
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        today=D(2026, 6, 1),
    ).form


def test_query_resolution_is_the_median_of_closed_queries(world, partners):
    """Three queries on A1-001's page: closed after 2 and 10 days, and one still open (not counted); a cancelled
    one is not counted either. Median of 2 and 10: 6 days."""
    trial_until_lpi_due(world)
    monitor = world.users["monitor"]
    form = _dm_form(world, world.subject_a)
    spans = ((D(2026, 4, 1), D(2026, 4, 3)), (D(2026, 4, 1), D(2026, 4, 11)), (D(2026, 4, 5), None))
    for opened, closed in spans:
        query = query_open(actor=monitor, form=form, text="Please check the date of birth.")
        if closed:
            query_close(actor=monitor, query=query, text="Confirmed.")
        Query.objects.filter(pk=query.pk).update(opened_at=_at(opened), closed_at=_at(closed) if closed else None)
    reading = _measure(partners, world, KpiCode.QUERY_RESOLUTION_DAYS, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (pytest.approx(6.0), 2)
    assert reading.by_site == {world.site_a.pk: (pytest.approx(6.0), 2)}
    between = _measure(partners, world, KpiCode.QUERY_RESOLUTION_DAYS, D(2026, 4, 5))
    assert (between.value, between.basis) == (pytest.approx(2.0), 1)  # the second was still open then


def test_data_entry_lag_from_the_visit_to_the_first_entry(world, partners):
    """A1-001's screening visit is dated 2026-03-01 and its page first entered 2026-03-04 (3 days); B1-001's visit
    2026-03-02, entered 2026-03-02 (0 days): median 1.5."""
    trial_until_lpi_due(world)
    a = _dm_form(world, world.subject_a)
    b = _dm_form(world, world.subject_b)
    FormData.objects.filter(pk=a.pk).update(first_entered_at=_at(D(2026, 3, 4)))
    FormData.objects.filter(pk=b.pk).update(first_entered_at=_at(D(2026, 3, 2), 9))
    reading = _measure(partners, world, KpiCode.DATA_ENTRY_LAG_DAYS, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (1.5, 2)
    assert reading.by_site == {world.site_a.pk: (3.0, 1), world.site_b.pk: (0.0, 1)}
    assert _measure(partners, world, KpiCode.DATA_ENTRY_LAG_DAYS, D(2026, 3, 3)).basis == 1


def _visit(world, site, number: str, visited: dt.date, approved: dt.datetime | None) -> None:
    MonitoringVisit.objects.create(
        study=world.study,
        site=site,
        number=number,
        visit_type="onsite",
        monitor=world.users["monitor"],
        planned_on=visited,
        visited_on=visited,
        approved_at=approved,
        status="approved" if approved else "done",
    )


def test_monitoring_report_turnaround(world, partners):
    """Visits on 2026-04-01 (report approved 04-11: 10 days) and 2026-04-20 (approved 05-10: 20 days); one approved
    at no time yet does not count. Median 15."""
    _visit(world, world.site_a, "MV-0001", D(2026, 4, 1), _at(D(2026, 4, 11)))
    _visit(world, world.site_b, "MV-0002", D(2026, 4, 20), _at(D(2026, 5, 10)))
    _visit(world, world.site_b, "MV-0003", D(2026, 5, 20), None)
    reading = _measure(partners, world, KpiCode.MONITORING_REPORT_DAYS, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (15.0, 2)
    assert _measure(partners, world, KpiCode.MONITORING_REPORT_DAYS, D(2026, 5, 1)).value == 10.0


def _case(world, number: str, aware: dt.date, reported: dt.datetime | None) -> None:
    SafetyCase.objects.create(
        study=world.study,
        site=world.site_a,
        subject=world.subject_a,
        number=number,
        source="study_manual",
        initial_received_on=aware,
        site_aware_on=aware,
        reported_at=reported,
    )


def test_sae_reporting_within_24_hours(world, partners):
    """Aware 05-01 reported 05-02 (on time), aware 05-03 reported 05-06 (late), aware 05-20 not reported (late once
    its day has passed): on 06-01, 1 of 3 on time; on 05-20 the unreported one does not count yet (1 of 2)."""
    _case(world, "C-1", D(2026, 5, 1), _at(D(2026, 5, 2)))
    _case(world, "C-2", D(2026, 5, 3), _at(D(2026, 5, 6)))
    _case(world, "C-3", D(2026, 5, 20), None)
    reading = _measure(partners, world, KpiCode.SAE_REPORTING_ON_TIME, D(2026, 6, 1))
    assert (reading.value, reading.basis) == (pytest.approx(100 / 3), 3)
    on_the_day = _measure(partners, world, KpiCode.SAE_REPORTING_ON_TIME, D(2026, 5, 20))
    assert (on_the_day.value, on_the_day.basis) == (50.0, 2)


def test_tmf_completeness_is_the_tmf_pages(world, partners):
    """Without a TMF structure nothing is expected: no value (the TMF's own tests cover its ratios)."""
    reading = _measure(partners, world, KpiCode.TMF_COMPLETENESS, D(2026, 6, 1))
    assert reading.value is None


def test_milestone_variance_is_the_largest_slip(world, partners):
    """Targets of kickoff_helpers.TARGETS; first site activated 2026-01-01 against 2025-12-15 (+17) and first
    participant in 2026-03-10 against 03-15 (-5): on 2026-03-20 the largest is +17."""
    set_targets(partners)
    reading = _measure(partners, world, KpiCode.MILESTONE_VARIANCE_DAYS, D(2026, 3, 20))
    assert (reading.value, reading.basis) == (17.0, 7)


# ------------------------------------------------------------------------------------------------ targets


def test_targets_light_the_kpis_and_the_sites(world, partners):
    trial_until_lpi_due(world)
    services.kpi_target_set(
        actor=partners.crux_contracts,
        work_order=partners.work_order,
        kpi=KpiCode.SCREEN_FAILURE_RATE,
        target=Decimal(20),
        tolerance=Decimal(10),
        note="As in the proposal.",
    )
    [kpi] = kpis_of(partners.work_order, D(2026, 6, 1), codes=[KpiCode.SCREEN_FAILURE_RATE])
    assert (kpi.value_text, kpi.target_text, kpi.light) == ("25.0 %", "\u2264 20.0 %", Light.AMBER)
    assert {s.site_number: s.light for s in kpi.sites} == {"A1": Light.RED, "B1": Light.GREEN}  # 33.3 %, 0 %
    assert kpi.note == "As in the proposal."


def test_standard_targets_fill_only_the_kpis_without_one(partners):
    services.kpi_target_set(
        actor=partners.acme_contracts, work_order=partners.work_order, kpi=KpiCode.TMF_COMPLETENESS, target=Decimal(99)
    )
    added = services.kpi_targets_default(actor=partners.crux_contracts, work_order=partners.work_order)
    assert len(added) == len(DEFINITIONS) - 1
    rows = {t.kpi: (t.target, t.tolerance) for t in KpiTarget.objects.filter(work_order=partners.work_order)}
    assert rows[KpiCode.TMF_COMPLETENESS] == (Decimal(99), Decimal(0))  # kept
    assert rows[KpiCode.QUERY_RESOLUTION_DAYS] == (Decimal(14), Decimal(7))
    assert services.kpi_targets_default(actor=partners.crux_contracts, work_order=partners.work_order) == []


def test_targets_change_only_on_the_unsigned_draft(partners):
    target = services.kpi_target_set(
        actor=partners.crux_contracts,
        work_order=partners.work_order,
        kpi=KpiCode.SAE_REPORTING_ON_TIME,
        target=Decimal(100),
    )
    execute(partners)
    with pytest.raises(ValidationError, match="change order"):
        services.kpi_target_set(
            actor=partners.crux_contracts,
            work_order=partners.work_order,
            kpi=KpiCode.SAE_REPORTING_ON_TIME,
            target=Decimal(90),
        )
    with pytest.raises(ValidationError):
        services.kpi_target_remove(actor=partners.crux_contracts, target=target)
    with pytest.raises(ValidationError):
        services.kpi_targets_default(actor=partners.crux_contracts, work_order=partners.work_order)
    assert KpiTarget.objects.get(pk=target.pk).target == Decimal(100)


@pytest.mark.parametrize(
    ("kpi", "target", "tolerance", "field"),
    [
        ("nonsense", "1", "0", "kpi"),
        (KpiCode.TMF_COMPLETENESS, "101", "0", "target"),  # a percentage is at most 100
        (KpiCode.QUERY_RESOLUTION_DAYS, "-1", "0", "target"),
        (KpiCode.QUERY_RESOLUTION_DAYS, "10", "-1", "tolerance"),
    ],
)
def test_a_target_out_of_range_is_refused_under_its_field(partners, kpi, target, tolerance, field):
    with pytest.raises(ValidationError) as exc:
        services.kpi_target_set(
            actor=partners.crux_contracts,
            work_order=partners.work_order,
            kpi=kpi,
            target=Decimal(target),
            tolerance=Decimal(tolerance),
        )
    assert field in exc.value.message_dict
    assert not KpiTarget.objects.exists()


@pytest.mark.parametrize("who", ["crux_exec", "crux_viewer", "crux_lead", "borealis_contracts", "delta_contracts"])
def test_only_a_contracts_manager_of_a_party_sets_targets(partners, who):
    with pytest.raises(PermissionDenied):
        services.kpi_target_set(
            actor=getattr(partners, who),
            work_order=partners.work_order,
            kpi=KpiCode.TMF_COMPLETENESS,
            target=Decimal(90),
        )


def test_removing_a_target_leaves_the_kpi_unlit(partners):
    target = services.kpi_target_set(
        actor=partners.crux_contracts, work_order=partners.work_order, kpi=KpiCode.TMF_COMPLETENESS, target=Decimal(90)
    )
    services.kpi_target_remove(actor=partners.acme_contracts, target=target)
    [kpi] = kpis_of(partners.work_order, timezone.localdate(), codes=[KpiCode.TMF_COMPLETENESS])
    assert (kpi.target, kpi.light) == (None, Light.NO_TARGET)


def test_the_trend_holds_each_month_end_and_the_day(world, partners):
    trial_until_lpi_due(world)
    trend = kpi_trend(partners.work_order, D(2026, 6, 15), months=3)
    days = [day for day, _v in trend[KpiCode.SCREEN_FAILURE_RATE]]
    assert days == [D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31), D(2026, 6, 15)]
    assert [v for _d, v in trend[KpiCode.SCREEN_FAILURE_RATE]] == [0.0, 25.0, 25.0, 25.0]
