"""A study whose site A1 has a signed contract and EDC data to earn from.

T-001's build (tests/edc/builds.py) has Screening (visit V1) and Week 4 (visit V2, added here), with an ECG
scheduled at Week 4. Site A1's contract, in USD with 10 % held back and one screen failure paid: Screening 500.00,
Week 4 800.00, ECG 120.00, screen failure 150.00, start-up 2,000.00 (fixed, from 2026-01-15).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from opencro.edc.sdv import PlanRule
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.sdv import sdv_plan_set, sdv_verify
from opencro.edc.spec import spec_cache_clear
from opencro.payments.models import FeeKind, SiteContract, SiteFee
from opencro.payments.services import contracts
from opencro.studies import services as studies
from opencro.studies.models import Activity, ActivityKind, ScheduledActivity, Visit
from tests.edc.builds import small_build

TODAY = dt.date(2026, 6, 1)
SIGNED = dt.date(2026, 1, 10)
DM = {"IT.BRTHDAT": "1970-03-01", "IT.SEX": "M", "IT.RACE": "3"}
VITALS = {"IT.WEIGHT": "72.5", "IT.HEIGHT": "180", "IT.SYSBP": "120", "IT.DIABP": "80"}


@dataclass
class Fees:
    screening: SiteFee
    week4: SiteFee
    ecg: SiteFee
    screen_failure: SiteFee
    startup: SiteFee


def save(w, form_oid: str, values: dict, *, subject=None, event="SE.SCR", visit_date=dt.date(2026, 3, 2)):
    return form_save(
        actor=w.users["study_coordinator"],
        subject=subject or w.subject_a,
        event_oid=event,
        form_oid=form_oid,
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        visit_date=visit_date,
        today=TODAY,
    ).form


def enter_screening(w, subject=None, visit_date=dt.date(2026, 3, 2)):
    """Both pages of the screening visit, complete."""
    return [
        save(w, "F.DM", DM, subject=subject, visit_date=visit_date),
        save(w, "F.VS", VITALS, subject=subject, visit_date=visit_date),
    ]


def verify(w, forms) -> None:
    for form in forms:
        sdv_verify(actor=w.users["monitor"], form=form)


@pytest.fixture
def pay(world):
    """The world with the build, Week 4 and its ECG, full SDV, and site A1's signed contract (`world.fees`)."""
    w = world
    manager = w.users["project_manager"]
    week4 = studies.protocol_item_save(
        actor=None, instance=Visit(study=w.study, code="V2", name="Week 4", order=2, day=29)
    )
    ecg = studies.protocol_item_save(
        actor=None, instance=Activity(study=w.study, code="ECG", name="ECG", kind=ActivityKind.PROCEDURE)
    )
    studies.protocol_item_save(actor=None, instance=ScheduledActivity(visit=week4, activity=ecg))
    spec_cache_clear()
    w.version = build_import(actor=w.users["data_manager"], study=w.study, build=small_build())
    sdv_plan_set(actor=w.users["data_manager"], study=w.study, rules=[PlanRule(None, "", "full")], reason="plan")
    contract = contracts.site_contract_create(
        actor=manager,
        site=w.site_a,
        currency="usd",
        payee="Alpha Hospital Research Fund",
        payee_reference="V-1001",
        holdback_percent=Decimal("10"),
        screen_failure_limit=1,
    )
    screening = Visit.objects.get(study=w.study, code="V1")

    def fee(kind, amount, **kw):
        kw.setdefault("effective_from", dt.date(2026, 1, 1))
        return contracts.site_fee_add(actor=manager, contract=contract, kind=kind, amount=Decimal(amount), **kw)

    w.fees = Fees(
        screening=fee(FeeKind.VISIT, "500.00", visit=screening),
        week4=fee(FeeKind.VISIT, "800.00", visit=week4),
        ecg=fee(FeeKind.PROCEDURE, "120.00", activity=ecg),
        screen_failure=fee(FeeKind.SCREEN_FAILURE, "150.00"),
        startup=fee(FeeKind.FIXED, "2000.00", description="Start-up fee", effective_from=dt.date(2026, 1, 15)),
    )
    w.contract = contracts.site_contract_sign(actor=manager, contract=contract, signed_on=SIGNED)
    w.week4, w.ecg = week4, ecg
    return w


def b1_signed(w) -> SiteContract:
    """Site B1's contract in JPY with a start-up fee of 300,000.00 from 2026-02-01, signed on 2026-01-20."""
    manager = w.users["project_manager"]
    contract = contracts.site_contract_create(
        actor=manager, site=w.site_b, currency="JPY", payee="Beta Hospital Research Office", payee_reference="V-2002"
    )
    contracts.site_fee_add(
        actor=manager,
        contract=contract,
        kind=FeeKind.FIXED,
        amount=Decimal("300000.00"),
        effective_from=dt.date(2026, 2, 1),
        description="Start-up fee B1",
    )
    return contracts.site_contract_sign(actor=manager, contract=contract, signed_on=dt.date(2026, 1, 20))


def contract_of(w) -> SiteContract:
    return SiteContract.objects.get(pk=w.contract.pk)
