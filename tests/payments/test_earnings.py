"""What a site earns, read from the EDC and the subjects: the fixture's contract (conftest) pays Screening 500,
Week 4 800, an ECG at Week 4 120, one screen failure 150 and a start-up fee of 2,000 from 2026-01-15; 10 % held back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from opencro.edc.services.sdv import sdv_unverify
from opencro.payments.earnings import earnings_due
from opencro.payments.models import FeeKind
from opencro.payments.services import contracts
from opencro.subjects.models import EligibilityOutcome, EligibilityReview, Subject, SubjectStatus
from tests.payments.conftest import VITALS, enter_screening, save, verify

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 1)


def due(w, as_of=DAY):
    return earnings_due(w.study.pk, None, as_of)


def kinds(items) -> list[tuple[str, str, str]]:
    return [(e.kind, str(e.gross), str(e.holdback)) for e in items]


def test_only_the_fixed_fee_is_due_before_any_visit_is_verified(pay):
    forms = enter_screening(pay)  # entered, but SDV is required and not done
    assert forms[0].sdv_status == "required"
    assert kinds(due(pay)) == [("fixed", "2000.00", "200.00")]
    assert due(pay, dt.date(2026, 1, 14)) == []  # the start-up fee applies from the 15th


def test_a_visit_entered_and_verified_earns_its_fee(pay):
    verify(pay, enter_screening(pay))
    visit = [e for e in due(pay) if e.kind == "visit"]
    assert [(e.description, e.gross, e.holdback, e.net, e.earned_on) for e in visit] == [
        ("A1-001 · Per visit · Screening", Decimal("500.00"), Decimal("50.00"), Decimal("450.00"), dt.date(2026, 3, 2))
    ]
    assert [e.kind for e in due(pay, dt.date(2026, 3, 1))] == ["fixed"]  # the day before the visit


def test_a_visit_with_a_page_not_verified_earns_nothing(pay):
    forms = enter_screening(pay)
    verify(pay, forms[:1])
    assert [e.kind for e in due(pay)] == ["fixed"]


def test_undoing_a_verification_takes_the_visit_back_off_what_is_due(pay):
    forms = enter_screening(pay)
    verify(pay, forms)
    assert "visit" in [e.kind for e in due(pay)]
    sdv_unverify(actor=pay.users["monitor"], form=forms[1], reason="source differs")
    assert "visit" not in [e.kind for e in due(pay)]


def test_a_procedure_is_earned_with_the_visit_that_schedules_it(pay):
    verify(pay, enter_screening(pay))
    verify(pay, [save(pay, "F.VS", VITALS, event="SE.W4", visit_date=dt.date(2026, 3, 31))])
    week4 = sorted((e.kind, e.gross) for e in due(pay) if e.earned_on == dt.date(2026, 3, 31))
    assert week4 == [("procedure", Decimal("120.00")), ("visit", Decimal("800.00"))]


def test_the_fee_in_force_on_the_visit_day_applies(pay):
    manager = pay.users["project_manager"]
    contracts.site_fee_end(actor=manager, fee=pay.fees.screening, ended_on=dt.date(2026, 2, 28), reason="amendment 1")
    contracts.site_fee_add(
        actor=manager,
        contract=pay.contract,
        kind=FeeKind.VISIT,
        visit=pay.fees.screening.visit,
        amount=Decimal("550.00"),
        effective_from=dt.date(2026, 3, 1),
    )
    verify(pay, enter_screening(pay))  # visit on 2026-03-02: the new fee
    assert [e.gross for e in due(pay) if e.kind == "visit"] == [Decimal("550.00")]


def test_screen_failures_are_paid_up_to_the_contract_limit_earliest_first(pay):
    for number, day in (("A1-901", dt.date(2026, 2, 3)), ("A1-902", dt.date(2026, 2, 1))):
        Subject.objects.create(
            study=pay.study, site=pay.site_a, number=number, status=SubjectStatus.SCREEN_FAILED, screened_on=day
        )
    failures = [e for e in due(pay) if e.kind == "screen_failure"]
    assert [(e.subject_number, e.earned_on, e.gross) for e in failures] == [
        ("A1-902", dt.date(2026, 2, 1), Decimal("150.00"))
    ]


def test_a_screen_failure_is_earned_on_the_day_the_investigator_found_the_participant_not_eligible(pay):
    """A1-901, screened 2026-02-01, was confirmed not eligible on 2026-02-20 (site A1's day): nothing is due for it
    as of 02-19, and its fee is earned on 02-20. A1-902 (screened 02-03, failed without a checklist) counts from its
    screening day, and so comes first: the contract pays one failure."""
    first = Subject.objects.create(
        study=pay.study,
        site=pay.site_a,
        number="A1-901",
        status=SubjectStatus.SCREEN_FAILED,
        screened_on=dt.date(2026, 2, 1),
    )
    EligibilityReview.objects.create(
        study=pay.study,
        site=pay.site_a,
        subject=first,
        outcome=EligibilityOutcome.NOT_ELIGIBLE,
        confirmed_at=dt.datetime(2026, 2, 20, 18, tzinfo=dt.UTC),
    )
    assert not [e for e in due(pay, dt.date(2026, 2, 19)) if e.kind == "screen_failure"]
    assert [(e.subject_number, e.earned_on) for e in due(pay, dt.date(2026, 2, 20)) if e.kind == "screen_failure"] == [
        ("A1-901", dt.date(2026, 2, 20))
    ]
    Subject.objects.create(
        study=pay.study,
        site=pay.site_a,
        number="A1-902",
        status=SubjectStatus.SCREEN_FAILED,
        screened_on=dt.date(2026, 2, 3),
    )
    assert [(e.subject_number, e.earned_on) for e in due(pay) if e.kind == "screen_failure"] == [
        ("A1-902", dt.date(2026, 2, 3))
    ]


def test_nothing_is_earned_before_the_contract_is_signed_or_at_a_site_without_one(pay):
    assert due(pay, dt.date(2026, 1, 9)) == []
    assert earnings_due(pay.study.pk, [pay.site_b.pk], DAY) == []


def test_a_fixed_fee_names_what_it_pays_for(pay):
    with pytest.raises(ValidationError) as refused:
        contracts.site_fee_add(
            actor=pay.users["project_manager"],
            contract=pay.contract,
            kind=FeeKind.FIXED,
            amount=Decimal(1),
            effective_from=DAY,
        )
    assert list(refused.value.message_dict) == ["description"]
