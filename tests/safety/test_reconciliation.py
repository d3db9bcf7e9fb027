"""SAE reconciliation: every difference between the EDC and the safety database is listed and resolved."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.safety.models import CaseEvent, DiscrepancyStatus, ReconciliationItem
from opencro.safety.reconciliation import SaeFacts, sae_reconcile
from opencro.safety.services.content import case_part_save
from opencro.safety.services.intake import CaseIntake, EventInput, ProductInput, case_create
from opencro.safety.services.reconciliation import reconciliation_explain, reconciliation_run
from opencro.safety.services.workflow import case_mark_duplicate
from tests.safety.conftest import report_sae


def _facts(**kw) -> SaeFacts:
    base = {
        "subject_id": 1,
        "term": "Pneumonia",
        "pt_name": "",
        "onset": "2026-03-01",
        "serious": True,
        "related": False,
        "outcome": "1",
        "death_date": "",
    }
    return SaeFacts(**{**base, **kw})


def test_pairs_by_subject_event_and_onset_and_lists_each_field():
    edc = [_facts(form_id=7, row=1, outcome="5", death_date="2026-03-09")]
    safety = [_facts(case_id=3, event_key="E1", onset="2026-03", related=True)]  # month only: can be the same day
    found = sae_reconcile(edc, safety)
    assert {(d.kind, d.field, d.edc_value, d.safety_value) for d in found} == {
        ("mismatch", "onset", "2026-03-01", "2026-03"),
        ("mismatch", "causality", "not related", "related"),
        ("mismatch", "outcome", "5", "1"),
        ("mismatch", "death_date", "2026-03-09", ""),
    }


def test_unpaired_events_are_missing_on_the_other_side():
    edc = [_facts(form_id=7, row=1, term="Syncope")]
    safety = [_facts(case_id=3, event_key="E1", term="Syncope", onset="2026-04-01")]  # a different month: no pair
    assert sorted((d.kind, d.edc_value, d.safety_value) for d in sae_reconcile(edc, safety)) == [
        ("missing_in_edc", "", "Syncope"),
        ("missing_in_safety", "Syncope", ""),
    ]


def test_an_unassessed_edc_causality_is_no_difference():
    assert sae_reconcile([_facts(form_id=7, row=1, related=None)], [_facts(case_id=3, event_key="E1")]) == []


@pytest.mark.django_db
def test_a_run_opens_then_closes_differences(safety_world):
    physician, dm = safety_world.users["safety_physician"], safety_world.users["data_manager"]
    case = report_sae(safety_world, "Pyrexia")
    assert reconciliation_run(actor=dm, study=safety_world.study) == []  # created from the EDC: identical
    event = CaseEvent.objects.get(version__case=case)
    event.onset = "2026-11-19"
    case_part_save(actor=physician, part=event, reason="site fax gives the 19th")
    [item] = reconciliation_run(actor=physician, study=safety_world.study)
    assert (item.kind, item.field, item.edc_value, item.safety_value) == (
        "mismatch",
        "onset",
        "2026-11-20",
        "2026-11-19",
    )
    # the site corrects the EDC: the next run closes the difference as resolved
    report_sae(safety_world, "Pyrexia", start="2026-11-19")
    assert reconciliation_run(actor=dm, study=safety_world.study) == []
    item.refresh_from_db()
    assert item.status == DiscrepancyStatus.RESOLVED and item.closed_at is not None


@pytest.mark.django_db
def test_a_case_reported_outside_the_edc_is_missing_there_until_explained(safety_world):
    physician = safety_world.users["safety_physician"]
    received = safety_world.site_a.activated_on
    case_create(
        actor=physician,
        study=safety_world.study,
        intake=CaseIntake(
            source="study_manual",
            received_on=received,
            events=[EventInput("Syncope", onset="2026-05")],
            products=[ProductInput("Cardiozan", product=safety_world.product)],
        ),
        subject=safety_world.subject_a,
    )
    [item] = reconciliation_run(actor=physician, study=safety_world.study)
    assert item.kind == "missing_in_edc" and item.safety_value == "Syncope"
    with pytest.raises(ValidationError, match="Explain"):
        reconciliation_explain(actor=physician, item=item, note=" ")
    item = reconciliation_explain(actor=physician, item=item, note="Reported by fax; the site will enter it.")
    assert item.status == DiscrepancyStatus.EXPLAINED
    assert reconciliation_run(actor=physician, study=safety_world.study) == []  # explained stays closed
    assert ReconciliationItem.objects.get().status == DiscrepancyStatus.EXPLAINED


@pytest.mark.django_db
def test_duplicates_are_left_out_and_site_roles_cannot_run_it(safety_world):
    case = report_sae(safety_world, "Pyrexia")
    other = report_sae(safety_world, "Pyrexia", repeat=2)
    case_mark_duplicate(actor=None, case=other, of_case=case, reason="same event entered twice")
    assert [i.kind for i in reconciliation_run(actor=None, study=safety_world.study)] == ["missing_in_safety"]
    with pytest.raises(PermissionDenied):
        reconciliation_run(actor=safety_world.users["investigator"], study=safety_world.study)
