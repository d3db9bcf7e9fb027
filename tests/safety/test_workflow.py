"""A case's way through triage, coding, medical review, approval and reporting; follow-ups; expectedness and
causality rules; the clocks kept on each version."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.signatures import signatures_for
from opencro.coding.models import DictionaryTerm
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseVersion,
    VersionState,
)
from opencro.safety.parts import rows_payload, version_parts
from opencro.safety.selectors import case_due_rows
from opencro.safety.services.content import case_event_code, case_part_save, case_version_update
from opencro.safety.services.reporting import submission_ack_record, submission_record
from opencro.safety.services.workflow import case_followup_start, case_version_advance, case_version_approve
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db


def _company(version, result="related"):
    physician = None
    for pair in CaseDrugEvent.objects.filter(version=version):
        case_part_save(actor=physician, part=CaseCausality(version=version, pair=pair, source="company", result=result))


def _to_review(world, version):
    physician = world.users["safety_physician"]
    for state in (VersionState.DATA_ENTRY, VersionState.CODING, VersionState.MEDICAL_REVIEW):
        version = case_version_advance(actor=physician, version=version, to_state=state)
    return version


def test_an_unlisted_fatal_related_event_is_a_7_day_susar_for_fda(safety_world):
    case = report_sae(safety_world, "Pyrexia", criteria="DTH", outcome="FATAL")
    version = case.versions.get()
    event = CaseEvent.objects.get(version=version)
    assert event.unexpected is True and "Pyrexia is not listed in Cardiozan: Investigator's Brochure 5.0" in (
        event.expectedness_basis
    )
    rows, missing = case_due_rows(case)
    day0 = site_today(safety_world.site_a)
    fda = [r for r in rows if r.due.rule_set == "FDA-IND"]
    assert {(r.due.recipient, r.due.due_on - day0) for r in fda} == {
        ("FDA", dt.timedelta(days=7)),
        ("investigators", dt.timedelta(days=15)),
    }
    assert all(r.due.rule_set != "PMDA-EXAMPLE" or r.due.recipient == "PMDA" for r in rows)
    assert not missing
    version.refresh_from_db()
    assert version.next_due_on == day0 + dt.timedelta(days=7)  # the worklist's sort key


def test_a_listed_event_is_expected_unless_fatal(safety_world):
    expected = report_sae(safety_world, "Headache")
    assert CaseEvent.objects.get(version__case=expected).unexpected is False
    fatal = report_sae(safety_world, "Headache", repeat=2, criteria="DTH", outcome="FATAL")
    event = CaseEvent.objects.get(version__case=fatal)
    assert event.unexpected is True and "not with a fatal outcome" in event.expectedness_basis


def test_expected_and_unrelated_events_owe_the_fda_nothing(safety_world):
    case = report_sae(safety_world, "Headache", relationship="NOT RELATED")
    assert [r for r in case_due_rows(case)[0] if r.due.rule_set == "FDA-IND"] == []


def test_the_sponsor_cannot_downgrade_the_investigators_causality(safety_world):
    case = report_sae(safety_world, "Pyrexia")
    version = case.versions.get()
    reporter = CaseCausality.objects.get(version=version, source="reporter")
    reporter.result = "not_related"
    with pytest.raises(ValidationError, match="reporter's assessment cannot be changed"):
        case_part_save(actor=safety_world.users["safety_physician"], part=reporter, reason="sponsor disagrees")
    _company(version, "not_related")  # the company's own view is kept beside it
    parts = version_parts(version)
    assert parts.related(parts.events[0]) is True  # either assessor saying "related" makes it a suspected reaction


def test_the_workflow_checks_each_step_and_approval_is_signed(safety_world):
    physician = safety_world.users["safety_physician"]
    case = report_sae(safety_world, "Unheard-of feeling")  # not auto-coded: the dictionary does not know it
    version = case.versions.get()
    version = case_version_advance(actor=physician, version=version, to_state=VersionState.DATA_ENTRY)
    version = case_version_advance(actor=physician, version=version, to_state=VersionState.CODING)
    with pytest.raises(ValidationError, match="E1 is not coded"):
        case_version_advance(actor=physician, version=version, to_state=VersionState.MEDICAL_REVIEW)
    event = CaseEvent.objects.get(version=version)
    case_event_code(actor=physician, event=event, term=DictionaryTerm.objects.get(term="Pyrexia"))
    version.refresh_from_db()
    version = case_version_advance(actor=physician, version=version, to_state=VersionState.MEDICAL_REVIEW)
    with pytest.raises(ValidationError, match="company's causality"):
        case_version_approve(actor=physician, version=version, password=PASSWORD)
    _company(version)
    version.refresh_from_db()
    with pytest.raises(PermissionDenied):
        case_version_approve(actor=physician, version=version, password="wrong")
    version = case_version_approve(actor=physician, version=version, password=PASSWORD)
    assert version.state == VersionState.APPROVED
    [signature] = signatures_for(version)
    assert signature.signer == physician and not signature.is_broken
    # a change after approval breaks the signature and sends the version back to medical review
    version = case_version_update(actor=physician, version=version, changes={"narrative": "New detail."}, reason="x")
    assert version.state == VersionState.MEDICAL_REVIEW
    [signature] = signatures_for(version)
    assert signature.is_broken


def test_steps_back_need_a_reason_and_nobody_skips(safety_world):
    physician = safety_world.users["safety_physician"]
    version = report_sae(safety_world, "Headache").versions.get()
    with pytest.raises(ValidationError, match="one step at a time"):
        case_version_advance(actor=physician, version=version, to_state=VersionState.CODING)
    version = case_version_advance(actor=physician, version=version, to_state=VersionState.DATA_ENTRY)
    with pytest.raises(ValidationError, match="Say why"):
        case_version_advance(actor=physician, version=version, to_state=VersionState.TRIAGE)
    with pytest.raises(PermissionDenied):
        case_version_advance(actor=safety_world.users["monitor"], version=version, to_state=VersionState.CODING)


def _approved(world, term="Pyrexia", **kw):
    physician = world.users["safety_physician"]
    case = report_sae(world, term, **kw)
    version = _to_review(world, case.versions.get())
    _company(version)
    version.refresh_from_db()
    return case, case_version_approve(actor=physician, version=version, password=PASSWORD)


def test_a_submission_freezes_the_version_and_a_follow_up_copies_it(safety_world):
    physician = safety_world.users["safety_physician"]
    case, version = _approved(safety_world, criteria="HOSP")
    rows, _missing = case_due_rows(case)
    fda = next(r for r in rows if r.due.recipient == "FDA")
    assert fda.due.due_on - version.minimum_criteria_on == dt.timedelta(days=15)  # serious, not fatal: 15 days
    today = site_today(safety_world.site_a)
    submission = submission_record(
        actor=physician,
        version=version,
        rule_set="FDA-IND",
        rule=fda.due.rule,
        recipient="FDA",
        kind="initial",
        submitted_on=today,
        message_id="US-OPENCRO-T-001-S0001",
    )
    version.refresh_from_db()
    assert version.frozen and version.state == VersionState.REPORTED
    assert next(r for r in case_due_rows(case)[0] if r.due.recipient == "FDA").status == "on time"
    with pytest.raises(ValidationError, match="frozen"):
        case_version_update(actor=physician, version=version, changes={"narrative": "late edit"}, reason="x")
    submission = submission_ack_record(
        actor=physician, submission=submission, batch_code="AA", case_code="CA", received_on=today
    )
    assert submission.ack_code == "CA"
    # the site enters the fatal outcome: a follow-up version, copied from the frozen one, with the change
    report_sae(safety_world, "Pyrexia", criteria="DTH,HOSP", outcome="FATAL")
    follow_up = CaseVersion.objects.get(case=case, number=2)
    assert follow_up.latest and not CaseVersion.objects.get(pk=version.pk).latest
    event = CaseEvent.objects.get(version=follow_up)
    assert event.death and CaseEvent.objects.get(version=version).death is False  # the submitted version unchanged
    assert len(version_parts(follow_up).rows()) == len(version_parts(version).rows())
    rows, _missing = case_due_rows(case)
    assert {(r.due.version, r.due.recipient, r.due.kind) for r in rows if r.due.rule_set == "FDA-IND"} >= {
        (1, "FDA", "initial"),
        (2, "FDA", "follow-up"),
    }


def test_a_follow_up_needs_the_version_before_it_approved(safety_world):
    case = report_sae(safety_world, "Pyrexia")
    with pytest.raises(ValidationError, match="still being processed"):
        case_followup_start(actor=None, case=case, received_on=site_today(safety_world.site_a))


def test_a_follow_up_copies_every_row(safety_world):
    case, version = _approved(safety_world)
    follow_up = case_followup_start(actor=None, case=case, received_on=version.received_on, reason="copy")
    assert rows_payload(version_parts(follow_up)) == rows_payload(version_parts(version))
    assert len(rows_payload(version_parts(version))) == 7  # patient, reporter, event, product, pair, two assessments
    assert follow_up.minimum_criteria_on == version.minimum_criteria_on  # day 0 stays the case's
