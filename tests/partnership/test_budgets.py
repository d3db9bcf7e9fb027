"""Budgets: exchange rates, budget lines and cost entries (who may, when, what is refused, the audit trail), and the
budget versus actual of a work order against a small study built for it, with every figure worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from opencro.audit.models import AuditRecord
from opencro.edc.entries import ItemEntry
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import event_open, form_save
from opencro.partnership.budget_actuals import actual_units, budget_report
from opencro.partnership.models import BudgetLine, CostEntry, ExchangeRate
from opencro.partnership.services import agreements, budgets, signing
from opencro.studies import services as studies
from opencro.subjects import services as subjects
from tests.conftest import PASSWORD
from tests.edc.builds import small_build
from tests.monitoring.visits.helpers import approved
from tests.partnership.budget_helpers import add_budget, add_cost, add_line, add_rates, execute
from tests.partnership.conftest import START
from tests.startup.activation import activate

pytestmark = pytest.mark.django_db

D = dt.date
REASON = "Entered against the wrong currency."


def _audit(record, action: str, pk: int | None = None) -> list[AuditRecord]:
    """The record's audit records of one action (`pk`: a deleted record's, which its instance no longer holds)."""
    meta = record._meta
    return list(
        AuditRecord.objects.filter(
            object_type=f"{meta.app_label}.{meta.model_name}", object_id=str(pk or record.pk), action=action
        )
    )


# Exchange rates


@pytest.mark.parametrize("who", ["crux_contracts", "acme_contracts"])
def test_either_partys_drafter_adds_a_rate_audited(partners, who):
    rate = budgets.exchange_rate_add(
        actor=getattr(partners, who), agreement=partners.msa, currency=" eur ", effective_on=START, rate=Decimal("1.1")
    )
    assert (rate.currency, rate.rate, rate.created_by) == ("EUR", Decimal("1.1"), getattr(partners, who))
    fields = {r.field: r.new_value for r in _audit(rate, "create")}
    assert fields["currency"] == "EUR" and fields["effective_on"] == "2026-01-01"


@pytest.mark.parametrize("who", ["crux_exec", "acme_viewer", "borealis_contracts", "delta_contracts"])
def test_only_a_partys_drafter_adds_a_rate(partners, who):
    with pytest.raises(PermissionDenied):
        budgets.exchange_rate_add(
            actor=getattr(partners, who), agreement=partners.msa, currency="EUR", effective_on=START, rate=Decimal(1)
        )


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [
        ("USD", "1.5", "currency"),  # the agreement's own
        ("EU", "1.5", "currency"),
        ("E1R", "1.5", "currency"),
        ("EUR", "0", "rate"),
        ("EUR", "-1", "rate"),
        ("EUR", "1.123456789", "rate"),  # nine places
    ],
)
def test_a_rate_is_checked(partners, currency, rate, field):
    with pytest.raises(ValidationError) as raised:
        budgets.exchange_rate_add(
            actor=partners.crux_contracts,
            agreement=partners.msa,
            currency=currency,
            effective_on=START,
            rate=Decimal(rate),
        )
    assert field in raised.value.message_dict
    assert not ExchangeRate.objects.exists()


def test_one_rate_per_currency_and_day(partners):
    add_rates(partners)
    with pytest.raises(ValidationError) as raised:
        budgets.exchange_rate_add(
            actor=partners.acme_contracts, agreement=partners.msa, currency="EUR", effective_on=D(2026, 6, 1), rate=1
        )
    assert "effective_on" in raised.value.message_dict
    assert ExchangeRate.objects.filter(currency="EUR").count() == 2


def test_rates_change_only_while_the_agreement_is_open(partners):
    p = partners
    add_rates(p)
    rate = ExchangeRate.objects.get(currency="GBP")
    agreements.agreement_terminate(actor=p.acme_exec, agreement=p.msa, terminated_on=D(2026, 6, 30), reason=REASON)
    with pytest.raises(ValidationError, match="draft or in force"):
        budgets.exchange_rate_add(actor=p.crux_contracts, agreement=p.msa, currency="CHF", effective_on=START, rate=1)
    with pytest.raises(ValidationError, match="draft or in force"):
        budgets.exchange_rate_remove(actor=p.crux_contracts, rate=rate, reason=REASON)
    draft = agreements.agreement_create(actor=p.acme_contracts, counterparty=p.crux, title="Next", effective_on=START)
    assert budgets.exchange_rate_add(
        actor=p.acme_contracts, agreement=draft, currency="GBP", effective_on=START, rate=2
    )


def test_a_rate_is_removed_with_a_reason_on_the_trail(partners):
    p = partners
    add_rates(p)
    rate = ExchangeRate.objects.get(currency="GBP")
    with pytest.raises(ValidationError) as raised:
        budgets.exchange_rate_remove(actor=p.acme_contracts, rate=rate, reason="wrong")
    assert "reason" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        budgets.exchange_rate_remove(actor=p.acme_exec, rate=rate, reason=REASON)
    pk = rate.pk
    budgets.exchange_rate_remove(actor=p.acme_contracts, rate=rate, reason=REASON)
    assert not ExchangeRate.objects.filter(currency="GBP").exists()
    removed = {r.field: (r.old_value, r.reason) for r in _audit(rate, "delete", pk)}
    assert removed["rate"] == ("1.25000000", REASON)


# Budget lines


def test_either_partys_drafter_adds_lines_to_an_unsigned_draft(partners):
    p = partners
    line = add_line(p, "sites")
    other = add_line(p, "setup", actor=p.acme_contracts)
    assert (line.service, line.unit, line.quantity, line.unit_price, line.currency) == (
        "monitoring",
        "per_site",
        Decimal(4),
        Decimal(2000),
        "EUR",
    )
    assert other.created_by == p.acme_contracts
    assert {r.field for r in _audit(line, "create")} >= {"service", "unit", "quantity", "unit_price", "currency"}


@pytest.mark.parametrize("who", ["crux_exec", "crux_viewer", "borealis_contracts"])
def test_only_a_partys_drafter_adds_lines(partners, who):
    with pytest.raises(PermissionDenied):
        add_line(partners, "sites", actor=getattr(partners, who))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service": "biostatistics"}, "service"),  # not bought by the work order
        ({"service": "catering"}, "service"),
        ({"unit": "per_week"}, "unit"),
        ({"quantity": Decimal(-1)}, "quantity"),
        ({"unit_price": Decimal("-0.01")}, "unit_price"),
        ({"currency": "EURO"}, "currency"),
        ({"description": "  "}, "description"),
    ],
)
def test_a_line_is_checked(partners, changes, field):
    values = {
        "service": "monitoring",
        "description": "Site management",
        "unit": "per_site",
        "quantity": Decimal(4),
        "unit_price": Decimal(2000),
        "currency": "EUR",
        **changes,
    }
    with pytest.raises(ValidationError) as raised:
        budgets.budget_line_add(actor=partners.crux_contracts, work_order=partners.work_order, **values)
    assert field in raised.value.message_dict
    assert not BudgetLine.objects.exists()


def test_a_line_is_changed_and_removed_on_the_trail(partners):
    p = partners
    line = add_line(p, "sites")
    changed = budgets.budget_line_change(actor=p.acme_contracts, line=line, quantity=Decimal(5), currency="gbp")
    assert (changed.quantity, changed.currency) == (Decimal(5), "GBP")
    updates = {r.field: (r.old_value, r.new_value, r.reason) for r in _audit(line, "update")}
    assert updates == {
        "quantity": ("4.00", "5.00", "budget line changed"),
        "currency": ("EUR", "GBP", "budget line changed"),
    }
    with pytest.raises(ValidationError) as raised:
        budgets.budget_line_change(actor=p.acme_contracts, line=line, work_order=p.work_order)
    assert "work_order" in raised.value.message_dict
    pk = line.pk
    budgets.budget_line_remove(actor=p.crux_contracts, line=line)
    assert not BudgetLine.objects.exists()
    assert {r.reason for r in _audit(line, "delete", pk)} == {"removed from the unsigned draft"}


def test_lines_are_frozen_once_a_party_has_signed(partners):
    """The guard of the work order's own edits: once signed, only a change order changes it."""
    p = partners
    line = add_line(p, "sites")
    signing.contract_sign(actor=p.acme_exec, record=p.work_order, password=PASSWORD)  # one party: still a draft
    for attempt in (
        lambda: add_line(p, "setup"),
        lambda: budgets.budget_line_change(actor=p.crux_contracts, line=line, quantity=Decimal(9)),
        lambda: budgets.budget_line_remove(actor=p.crux_contracts, line=line, reason=REASON),
    ):
        with pytest.raises(ValidationError, match="change order"):
            attempt()
    signing.contract_sign(actor=p.crux_exec, record=p.work_order, password=PASSWORD)  # executed
    with pytest.raises(ValidationError, match="change order"):
        add_line(p, "setup")
    line.refresh_from_db()
    assert line.quantity == Decimal(4)


# Cost entries


def test_costs_are_recorded_on_an_executed_work_orders_recorded_lines(partners):
    p = partners
    lines = add_budget(p, ("sites", "travel"))
    with pytest.raises(ValidationError, match="executed"):
        add_cost(p, lines["travel"], D(2026, 3, 15), "950.00", "EUR")
    execute(p)
    entry = add_cost(p, lines["travel"], D(2026, 3, 15), "950.00", "eur", reference=" INV-1 ", actor=p.acme_contracts)
    assert (entry.quantity, entry.amount, entry.currency, entry.reference) == (Decimal(1), Decimal(950), "EUR", "INV-1")
    assert {r.field for r in _audit(entry, "create")} >= {"incurred_on", "amount", "currency", "reference"}
    with pytest.raises(ValidationError) as raised:
        add_cost(p, lines["sites"], D(2026, 3, 15), "10.00", "EUR")  # counted from the data, not recorded
    assert "line" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        add_cost(p, lines["travel"], D(2026, 3, 15), "-1.00", "EUR")
    assert "amount" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        add_cost(p, lines["travel"], D(2026, 3, 15), "1.00", "EUR", actor=p.crux_exec)


def test_a_cost_entry_is_removed_with_a_reason(partners):
    p = partners
    lines = add_budget(p, ("travel",))
    execute(p)
    entry = add_cost(p, lines["travel"], D(2026, 3, 15), "950.00", "EUR")
    with pytest.raises(ValidationError) as raised:
        budgets.cost_entry_remove(actor=p.crux_contracts, entry=entry, reason="")
    assert "reason" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        budgets.cost_entry_remove(actor=p.borealis_contracts, entry=entry, reason=REASON)
    pk = entry.pk
    budgets.cost_entry_remove(actor=p.acme_contracts, entry=entry, reason=REASON)
    assert not CostEntry.objects.exists()
    assert {r.reason for r in _audit(entry, "delete", pk)} == {REASON}


# Budget versus actual


def _study(w) -> None:
    """The study's data, on top of the shared world (T-001: sites A1 and B1 active from 2026-01-01; A1-001 and B1-001
    enrolled on 2026-03-10):

    - sites: C1 active from 2026-07-01; D1 never activated;
    - participants: A1-002 enrolled 2026-04-15; A1-003 failed screening; C1-001 enrolled 2026-08-01;
    - visits with a form entered: A1-001 screening 2026-03-01 and week 4 2026-04-07, B1-001 screening 2026-03-02,
      C1-001 screening 2026-08-05; A1-002's screening (2026-04-10) is opened with nothing entered;
    - monitoring: one visit of A1 whose report was approved today (by the helpers' sponsor oversight)."""
    country = w.site_a.country
    c1 = studies.site_create(
        actor=None,
        study=w.study,
        number="C1",
        institution="Gamma",
        principal_investigator="Dr C",
        country=country,
        time_zone="UTC",
    )
    c1 = activate(c1, D(2026, 7, 1))
    studies.site_create(
        actor=None,
        study=w.study,
        number="D1",
        institution="Delta",
        principal_investigator="Dr D",
        country=country,
        time_zone="UTC",
    )
    a2 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-002", screened_on=D(2026, 4, 1))
    subjects.subject_enrol(actor=None, subject=a2, enrolled_on=D(2026, 4, 15))
    a3 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-003", screened_on=D(2026, 4, 2))
    subjects.subject_screen_fail(actor=None, subject=a3, reason="Not eligible: exclusion 1.")
    c1_001 = subjects.subject_screen(actor=None, site=c1, number="C1-001", screened_on=D(2026, 8, 1))
    subjects.subject_enrol(actor=None, subject=c1_001, enrolled_on=D(2026, 8, 1))
    build_import(actor=None, study=w.study, build=small_build())
    for subject, event, day in (
        (w.subject_a, "SE.SCR", D(2026, 3, 1)),
        (w.subject_a, "SE.W4", D(2026, 4, 7)),
        (w.subject_b, "SE.SCR", D(2026, 3, 2)),
        (c1_001, "SE.SCR", D(2026, 8, 5)),
    ):
        form_save(
            actor=None,
            subject=subject,
            event_oid=event,
            form_oid="F.VS",
            entries=[ItemEntry("IT.WEIGHT", "70")],
            visit_date=day,
        )
    event_open(actor=None, subject=a2, event_oid="SE.SCR", visit_date=D(2026, 4, 10))
    approved(w)


@pytest.fixture
def budgeted(partners, world):
    """The partners' work order with the whole budget of budget_helpers, executed, its costs recorded, on the study
    of `_study`. Costs: travel 950.00 EUR on 2026-03-15 and 1010.00 EUR on 2026-07-10; set-up 6000.00 USD on
    2026-05-31."""
    p = partners
    add_rates(p)
    lines = add_budget(p)
    execute(p)
    add_cost(p, lines["travel"], D(2026, 3, 15), "950.00", "EUR", reference="INV-1")
    add_cost(p, lines["travel"], D(2026, 7, 10), "1010.00", "EUR", reference="INV-2")
    add_cost(p, lines["setup"], D(2026, 5, 31), "6000.00", "USD", reference="INV-3")
    _study(world)
    p.work_order.refresh_from_db()
    return p, lines


def test_the_units_counted_from_the_study(budgeted, world):
    today = timezone.now().date()  # the monitoring report's approval, in UTC
    assert actual_units(world.study.pk, D(2026, 6, 30)) == {
        "per_site": 2,  # A1, B1 (C1 only from 2026-07-01; D1 never)
        "per_participant": 3,  # A1-001, B1-001, A1-002 (A1-003 failed screening; C1-001 in August)
        "per_visit": 3,  # A1-001 x 2, B1-001 (A1-002's visit has no form entered; C1-001's is in August)
        "per_monitoring_visit": 0,  # approved only today
    }
    assert actual_units(world.study.pk, max(today, D(2026, 8, 31))) == {
        "per_site": 3,
        "per_participant": 4,
        "per_visit": 4,
        "per_monitoring_visit": 1,
    }
    assert actual_units(world.study.pk, today - dt.timedelta(days=1), ["per_monitoring_visit"]) == {
        "per_monitoring_visit": 0
    }
    assert actual_units(world.study.pk, D(2025, 12, 31)) == dict.fromkeys(
        ("per_site", "per_participant", "per_visit", "per_monitoring_visit"), 0
    )


def test_budget_versus_actual_as_of_a_day(budgeted, django_assert_max_num_queries):
    p, lines = budgeted
    with django_assert_max_num_queries(8):  # lines, rates, costs, four counts: not one query per line
        report = budget_report(p.work_order, D(2026, 6, 30))
    assert report.currency == "USD" and report.planned_on == D(2026, 1, 1)
    rows = {x.line_id: x for x in report.lines}

    def figures(name):
        x = rows[lines[name].pk]
        return (x.planned_units, x.planned_amount, x.actual_units, x.actual_amount, x.variance, x.percent_used)

    # planned at 2026-01-01 rates (EUR 1.10, GBP 1.25); actuals of counted lines at 2026-06-30 (EUR 1.20, GBP 1.25)
    # sites: 4 x 2000 EUR x 1.10 = 8800.00; 2 active x 2000 x 1.20 = 4800.00; 8800 - 4800 = 4000; 4800/8800 = 54.5%
    assert figures("sites") == (4, Decimal("8800.00"), 2, Decimal("4800.00"), Decimal("4000.00"), Decimal("54.5"))
    # participants: 10 x 500 = 5000.00; 3 x 500 = 1500.00; 30.0%
    assert figures("participants") == (
        10,
        Decimal("5000.00"),
        3,
        Decimal("1500.00"),
        Decimal("3500.00"),
        Decimal("30.0"),
    )
    # visits: 40 x 75.50 GBP x 1.25 = 3775.00; 3 x 75.50 x 1.25 = 283.125 -> 283.12 (half to even); 7.4998% used
    assert figures("visits") == (40, Decimal("3775.00"), 3, Decimal("283.12"), Decimal("3491.88"), Decimal("7.5"))
    # monitoring visits: 6 x 1500 = 9000.00; none approved by 2026-06-30
    assert figures("monitoring") == (6, Decimal("9000.00"), 0, Decimal("0.00"), Decimal("9000.00"), Decimal("0.0"))
    # travel: 3 x 1000 EUR x 1.10 = 3300.00; one cost by then, 950 EUR at its day's 1.10 = 1045.00; 1045/3300 = 31.67%
    assert figures("travel") == (3, Decimal("3300.00"), 1, Decimal("1045.00"), Decimal("2255.00"), Decimal("31.7"))
    # set-up: 12000.00; 6000.00 USD paid; 50.0%
    assert figures("setup") == (1, Decimal("12000.00"), 1, Decimal("6000.00"), Decimal("6000.00"), Decimal("50.0"))
    japan = rows[lines["japan"].pk]  # no JPY rate: its amounts are unknown, said on the line
    assert (japan.planned_amount, japan.actual_units, japan.actual_amount, japan.variance) == (None, 3, None, None)
    assert len(japan.problems) == 2
    assert "JPY" in japan.problems[0] and "2026-01-01" in japan.problems[0] and "2026-06-30" in japan.problems[1]
    assert report.problems == japan.problems

    monitoring, data = report.services  # in the catalogue's order
    assert (monitoring.service, [x.line_id for x in monitoring.lines]) == (
        "monitoring",
        [lines["sites"].pk, lines["monitoring"].pk, lines["travel"].pk],
    )
    # 8800 + 9000 + 3300 = 21100.00; 4800 + 0 + 1045 = 5845.00; 15255.00 left; 5845/21100 = 27.70%
    t = monitoring.total
    assert (t.planned_amount, t.actual_amount, t.variance, t.percent_used, t.complete) == (
        Decimal("21100.00"),
        Decimal("5845.00"),
        Decimal("15255.00"),
        Decimal("27.7"),
        True,
    )
    # data management without the Japanese line: 5000 + 3775 + 12000 = 20775.00; 1500 + 283.12 + 6000 = 7783.12
    t = data.total
    assert (t.planned_amount, t.actual_amount, t.variance, t.percent_used, t.complete) == (
        Decimal("20775.00"),
        Decimal("7783.12"),
        None,
        None,
        False,
    )
    t = report.total  # 21100 + 20775 = 41875.00; 5845 + 7783.12 = 13628.12
    assert (t.planned_amount, t.actual_amount, t.complete) == (Decimal("41875.00"), Decimal("13628.12"), False)


def test_later_actuals_use_later_rates_and_costs_their_own_day(budgeted):
    p, lines = budgeted
    budgets.exchange_rate_add(
        actor=p.acme_contracts, agreement=p.msa, currency="JPY", effective_on=D(2026, 1, 1), rate=Decimal("0.0065")
    )
    report = budget_report(p.work_order, D(2026, 7, 31))
    rows = {x.line_id: x for x in report.lines}
    # sites: 3 active (C1 from 2026-07-01) x 2000 EUR x 1.20 = 7200.00
    assert (rows[lines["sites"].pk].actual_units, rows[lines["sites"].pk].actual_amount) == (3, Decimal("7200.00"))
    # travel: 950 EUR x 1.10 (2026-03-15) + 1010 EUR x 1.20 (2026-07-10) = 1045.00 + 1212.00 = 2257.00, 2 units
    travel = rows[lines["travel"].pk]
    assert (travel.actual_units, travel.actual_amount, travel.percent_used) == (2, Decimal("2257.00"), Decimal("68.4"))
    # Japan: 10 x 10000 JPY x 0.0065 = 650.00 planned; 3 participants by 2026-07-31 (C1-001 in August) = 195.00
    japan = rows[lines["japan"].pk]
    assert (japan.planned_amount, japan.actual_amount, japan.problems) == (Decimal("650.00"), Decimal("195.00"), ())
    assert report.total.complete and report.problems == ()
    # 41875 + 650 = 42525.00 planned; 7200 + 1500 + 283.12 + 0 + 2257 + 6000 + 195 = 17435.12 actual
    assert (report.total.planned_amount, report.total.actual_amount) == (Decimal("42525.00"), Decimal("17435.12"))
    assert (report.total.variance, report.total.percent_used) == (Decimal("25089.88"), Decimal("41.0"))


def test_an_empty_budget(partners):
    report = budget_report(partners.work_order, D(2026, 6, 30))
    assert report.services == () and report.total.planned_amount == 0 and report.total.complete
    assert report.total.percent_used is None
