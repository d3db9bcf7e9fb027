"""Dispensing at a visit: the subject's arm, site stock, expiry, windows, refusals, locks; replacements, returns."""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Dispensation, Kit, KitStatus, Shipment, ShipmentStatus
from opencro.rtsm.services.supply import dispensing, inventory
from opencro.rtsm.services.supply._base import site_today
from opencro.studies.dates import site_date
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject, SubjectStatus, TreatmentAssignment
from tests.rtsm.supply_world import site_kits, supply_setup

pytestmark = pytest.mark.django_db


def coordinator(w):
    return w.user(RoleCode.STUDY_COORDINATOR)


def dispense(w, subject, visit, visit_date=None, actor=None):
    return dispensing.kit_dispense(
        actor=actor or coordinator(w), subject=subject, visit=visit, visit_date=visit_date or site_today(subject.site)
    )


def randomised_days_ago(subject, days: int) -> None:
    """Move the subject's randomisation back (its Day 1 is then `days` days before today at the site)."""
    TreatmentAssignment.objects.filter(subject=subject).update(randomised_at=timezone.now() - dt.timedelta(days=days))


def new_subject(w, number: str, arm_index: int = 0, site=None):
    subject = subjects.subject_screen(actor=None, site=site or w.site_a, number=number, screened_on=dt.date(2026, 3, 1))
    subjects.subject_enrol(actor=None, subject=subject, enrolled_on=dt.date(2026, 3, 2))
    subjects.treatment_assign(
        actor=None,
        subject=subject,
        arm=w.arms[arm_index],
        randomisation_number=f"R-{number}",
        randomised_at=timezone.now(),
    )
    return Subject.objects.get(pk=subject.pk)


def test_the_subject_gets_a_kit_of_its_arm_from_its_site(world):
    supply = supply_setup(world)
    result = dispense(world, world.subject_a, supply.visits["V2"])
    (number,) = result.kit_numbers
    kit = Kit.objects.get(number=number)
    assert kit.kit_type.code == "KA" and kit.site == world.site_a and kit.status == KitStatus.DISPENSED
    record = Dispensation.objects.get(pk=result.dispensation_ids[0])
    assert (record.subject, record.visit, record.dispensed_by) == (
        world.subject_a,
        supply.visits["V2"],
        coordinator(world),
    )
    assert set(vars(result)) == {"subject_number", "visit_code", "visit_date", "kit_numbers", "dispensation_ids"}


def test_earliest_expiry_first_and_not_within_the_do_not_dispense_window(world):
    supply = supply_setup(world)
    stock = list(site_kits(world.site_a, "KA").order_by("number"))
    today = site_today(world.site_a)
    Kit.objects.filter(pk=stock[0].pk).update(expires_on=today + dt.timedelta(days=6))  # inside the 7-day window
    Kit.objects.filter(pk=stock[1].pk).update(expires_on=today + dt.timedelta(days=7))  # the first usable day
    Kit.objects.filter(pk=stock[2].pk).update(expires_on=today + dt.timedelta(days=40))
    result = dispense(world, world.subject_a, supply.visits["V2"])
    assert result.kit_numbers == (stock[1].number,)


def test_the_visit_says_how_many_kits(world):
    supply = supply_setup(world)
    randomised_days_ago(world.subject_a, 28)  # Day 29 is today
    result = dispense(world, world.subject_a, supply.visits["V3"])
    assert len(result.kit_numbers) == 2


@pytest.mark.parametrize(
    ("offset", "ok"),
    [(-4, False), (-3, True), (0, True), (3, True), (4, False)],
)
def test_the_visit_window_is_day_one_plus_day_minus_one(world, offset, ok):
    """V3 is Day 29, window -3/+3: randomised 40 days ago, its target is Day 1 + 28 days (Day 1: the randomisation's
    date at the site; 40 days of elapsed time may be 39 or 41 calendar days there across a clock change)."""
    supply = supply_setup(world)
    randomised_days_ago(world.subject_a, 40)
    randomised_at = TreatmentAssignment.objects.get(subject=world.subject_a).randomised_at
    target = site_date(world.site_a, randomised_at) + dt.timedelta(days=28)
    when = target + dt.timedelta(days=offset)
    if ok:
        assert len(dispense(world, world.subject_a, supply.visits["V3"], when).kit_numbers) == 2
    else:
        with pytest.raises(ValidationError) as exc:
            dispense(world, world.subject_a, supply.visits["V3"], when)
        message = exc.value.message_dict["visit_date"][0]
        assert target.isoformat() in message and "V3" in message


def test_refusals_name_their_field(world):
    supply = supply_setup(world)
    v1 = world.study.visits.get(code="V1")
    screened = subjects.subject_screen(actor=None, site=world.site_a, number="A1-050", screened_on=dt.date(2026, 3, 1))
    cases = [
        (screened, supply.visits["V2"], None, "subject"),
        (world.subject_a, v1, None, "visit"),
        (world.subject_a, supply.visits["V2"], site_today(world.site_a) + dt.timedelta(days=1), "visit_date"),
        (world.subject_a, supply.visits["V2"], site_today(world.site_a) - dt.timedelta(days=1), "visit_date"),
    ]
    for subject, visit, when, field in cases:
        with pytest.raises(ValidationError) as exc:
            dispense(world, subject, visit, when)
        assert list(exc.value.message_dict) == [field], (subject, visit, when)
    assert not Dispensation.objects.exists()


def test_once_per_visit_and_once_a_day_for_unscheduled_visits(world):
    supply = supply_setup(world)
    first = dispense(world, world.subject_a, supply.visits["V2"])
    with pytest.raises(ValidationError) as exc:
        dispense(world, world.subject_a, supply.visits["V2"])
    assert first.kit_numbers[0] in exc.value.message_dict["visit"][0]
    dispense(world, world.subject_a, supply.visits["VU"])
    with pytest.raises(ValidationError):
        dispense(world, world.subject_a, supply.visits["VU"])


def test_a_withdrawn_subject_gets_nothing(world):
    supply = supply_setup(world)
    Subject.objects.filter(pk=world.subject_a.pk).update(status=SubjectStatus.WITHDRAWN)
    with pytest.raises(ValidationError) as exc:
        dispense(world, Subject.objects.get(pk=world.subject_a.pk), supply.visits["V2"])
    assert "subject" in exc.value.message_dict


def test_no_kit_message_hides_the_arm_and_runs_the_resupply_check(world):
    supply = supply_setup(world)
    site_kits(world.site_a, "KA").update(status=KitStatus.DAMAGED)  # none of arm A left; arm P kits remain
    with pytest.raises(ValidationError) as exc:
        dispense(world, world.subject_a, supply.visits["V2"])
    message = exc.value.message_dict["kit"][0]
    assert "A1-001" in message and "site A1" in message
    for secret in ("KA", "Kit A", "Arm A", "KP", "Kit P"):
        assert secret not in message
    proposal = Shipment.objects.get(site=world.site_a, status=ShipmentStatus.PROPOSED)
    assert proposal.trigger == "forecast"
    assert not Dispensation.objects.exists()
    assert "KA" not in proposal.reason and "Kit A" not in proposal.reason


def test_site_staff_dispense_only_at_their_site(world):
    supply = supply_setup(world)
    with pytest.raises(PermissionDenied):
        dispense(world, world.subject_b, supply.visits["V2"])
    with pytest.raises(PermissionDenied):  # a monitor may not dispense
        dispense(world, world.subject_a, supply.visits["V2"], actor=world.user(RoleCode.MONITOR))


def test_two_subjects_never_get_the_same_kit_and_the_last_kit_goes_once(world):
    supply = supply_setup(world, stock=2)
    second = new_subject(world, "A1-002")
    third = new_subject(world, "A1-003")
    taken = [dispense(world, s, supply.visits["V2"]).kit_numbers[0] for s in (world.subject_a, second)]
    assert len(set(taken)) == 2
    with pytest.raises(ValidationError) as exc:
        dispense(world, third, supply.visits["V2"])
    assert "kit" in exc.value.message_dict


def test_kits_are_taken_under_a_row_lock_that_skips_locked_rows(world):
    supply = supply_setup(world)
    calls = []
    original = QuerySet.select_for_update

    def spy(self, *args, **kwargs):
        calls.append((self.model, kwargs))
        return original(self, *args, **kwargs)

    with mock.patch.object(QuerySet, "select_for_update", spy):
        dispense(world, world.subject_a, supply.visits["V2"])
    assert (Kit, {"of": ("self",), "skip_locked": True}) in calls
    assert (Subject, {"of": ("self",)}) in calls  # the subject first: one dispensation per subject at a time


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_dispensations_take_different_kits():
    """Two threads dispense at the same moment to two subjects of the same arm: each gets its own kit."""
    from tests.conftest import build_world

    w = build_world()
    supply = supply_setup(w, stock=2)
    second = new_subject(w, "A1-002")
    barrier, results, errors = threading.Barrier(2), {}, []

    def run(subject):
        try:
            barrier.wait()
            results[subject.number] = dispense(w, subject, supply.visits["V2"]).kit_numbers[0]
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in (w.subject_a, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(set(results.values())) == 2


def test_replacing_a_damaged_kit(world):
    supply = supply_setup(world)
    first = dispense(world, world.subject_a, supply.visits["V2"])
    record = Dispensation.objects.get(pk=first.dispensation_ids[0])
    for condition, reason, field in (("lost", "x", "condition"), ("damaged", " ", "reason")):
        with pytest.raises(ValidationError) as exc:
            dispensing.kit_replace(actor=coordinator(world), dispensation=record, condition=condition, reason=reason)
        assert field in exc.value.message_dict
    new = dispensing.kit_replace(
        actor=coordinator(world), dispensation=record, condition="damaged", reason="bottle broke"
    )
    old_kit = Kit.objects.get(number=first.kit_numbers[0])
    new_kit = Kit.objects.get(number=new.kit_numbers[0])
    assert old_kit.status == KitStatus.DAMAGED and new_kit.status == KitStatus.DISPENSED
    assert new_kit.kit_type == old_kit.kit_type
    record.refresh_from_db()
    assert "bottle broke" in record.return_note and new_kit.number in record.return_note
    replacement = Dispensation.objects.get(pk=new.dispensation_ids[0])
    assert replacement.visit == record.visit
    with pytest.raises(ValidationError):  # the old kit was replaced already
        dispensing.kit_replace(actor=coordinator(world), dispensation=record, condition="damaged", reason="again")


def test_returns_are_checked_recorded_and_correctable(world):
    supply = supply_setup(world)
    result = dispense(world, world.subject_a, supply.visits["V2"])
    record = Dispensation.objects.get(pk=result.dispensation_ids[0])
    today = site_today(world.site_a)
    for units, on, field in ((31, today, "units_returned"), (3, today - dt.timedelta(days=1), "returned_on")):
        with pytest.raises(ValidationError) as exc:
            dispensing.dispensation_return(
                actor=coordinator(world), dispensation=record, units_returned=units, returned_on=on
            )
        assert field in exc.value.message_dict
    dispensing.dispensation_return(
        actor=coordinator(world), dispensation=record, units_returned=4, returned_on=today, note="4 tablets"
    )
    record.refresh_from_db()
    assert (record.units_returned, record.returned_by, record.kit.status) == (4, coordinator(world), KitStatus.RETURNED)
    with pytest.raises(ValidationError) as exc:  # a correction needs a reason
        dispensing.dispensation_return(
            actor=coordinator(world), dispensation=record, units_returned=5, returned_on=today
        )
    assert "reason" in exc.value.message_dict
    dispensing.dispensation_return(
        actor=coordinator(world), dispensation=record, units_returned=5, returned_on=today, reason="recount"
    )
    assert Dispensation.objects.get(pk=record.pk).units_returned == 5
    inventory.kits_destroy(
        actor=world.user(RoleCode.PHARMACIST),
        study=world.study,
        numbers=[record.kit.number],
        reason="returned kits destroyed",
    )
    with pytest.raises(ValidationError):
        dispensing.dispensation_return(
            actor=coordinator(world), dispensation=record, units_returned=6, returned_on=today, reason="late"
        )
