"""E2B(R3) files into cases: FDA's example ICSRs imported and exported again with every data element kept, an edited
imported case, follow-ups by worldwide id, bad files rejected whole, acknowledgements recorded."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from lxml import etree

from opencro.accounts.permissions import RoleCode
from opencro.formats.e2b.ack import Acknowledgement, MessageAck, write_ack
from opencro.formats.e2b.model import Code, Text, Ts
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.formats.e2b.writer import icsr_batch_bytes
from opencro.safety.e2b_in import assessment_result, assessment_source, case_content, partial
from opencro.safety.models import (
    CaseCausality,
    CaseEvent,
    CasePatient,
    CaseProduct,
    CaseSubmission,
    CaseVersion,
    SafetyCase,
)
from opencro.safety.services.content import case_part_save, case_version_update
from opencro.safety.services.e2b import case_e2b_bytes, case_import_e2b, submission_ack_import
from tests.formats.e2b.test_roundtrip import data_elements, values

pytestmark = pytest.mark.django_db

REFERENCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "e2b"
EXAMPLES = sorted(REFERENCE.glob("FAERS2022Scenario*.xml")) or [REFERENCE / "FAERS2022Scenario*.xml"]
RECEIVED = dt.date(2026, 11, 2)
# Transmission headers: the batch and message OpenCRO sends are its own (ids, sender, receiver, time), so these
# differ from the received file by design; everything else (C to H, and N.1.1) must come back as received.
TRANSMISSION = ("N.1.2", "N.1.3", "N.1.4", "N.1.5", "N.2.r.1", "N.2.r.2", "N.2.r.3", "N.2.r.4")


def _require_reference() -> None:
    if not all(p.exists() for p in EXAMPLES) or not (REFERENCE / "icsr_data_elements.csv").exists():
        pytest.skip("FDA E2B(R3) reference examples not present: ../shared/reference/e2b")


def _profile(path: Path) -> tuple[str, str]:
    """The profile and N.2.r.3 receiver of an FDA example (from its own N.1.4 and N.2.r.3)."""
    message = read_icsr_batch(str(path)).messages[0]
    batch = read_icsr_batch(str(path))
    profile = "fda-premarket" if batch.receiver_id.value == "ZZFDA_PREMKT" else "fda-postmarket"
    return profile, message.receiver_id.value


def element_differences(before: bytes, after: bytes, skip: tuple[str, ...] = TRANSMISSION) -> list[str]:
    """Data elements whose values differ between two ICSR files (FDA's table XPaths, as in test_roundtrip)."""
    original, output = etree.fromstring(before).getroottree(), etree.fromstring(after).getroottree()
    failures = []
    for number, xpaths, _broken in data_elements():
        if number in skip:
            continue
        for xpath, start in xpaths:
            left, right = values(original, xpath, start), values(output, xpath, start)
            if left != right:
                failures.append(f"{number}: received {dict(left)} != sent {dict(right)}")
    return failures


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_fda_example_imports_and_exports_with_every_element_kept(safety_world, path: Path) -> None:
    _require_reference()
    physician = safety_world.users["safety_physician"]
    data = path.read_bytes()
    [case] = case_import_e2b(actor=physician, study=safety_world.study, data=data, received_on=RECEIVED)
    version = CaseVersion.objects.get(case=case)
    report = read_icsr_batch(data).messages[0].report
    assert case.worldwide_id == report.worldwide_case_id.value
    assert CaseEvent.objects.filter(version=version).count() == len(report.reactions)
    assert CaseProduct.objects.filter(version=version).count() == len(report.drugs)
    assert read_icsr_batch(version.source_icsr.encode()).messages[0].report == report
    profile, receiver = _profile(path)
    out, _failures = case_e2b_bytes(actor=physician, version=version, profile=profile, receiver_id=receiver)
    assert element_differences(data, out) == []
    # and the report itself (C to H) is the received one, value by value
    assert read_icsr_batch(out).messages[0].report == report


def test_import_maps_the_content(safety_world) -> None:
    """Scenario 6 (FDA's example with D.1.1.4, two reporters and free-text causality) read into rows."""
    _require_reference()
    data = (REFERENCE / "FAERS2022Scenario6.xml").read_bytes()
    [case] = case_import_e2b(actor=None, study=safety_world.study, data=data, received_on=RECEIVED)
    version = CaseVersion.objects.get(case=case)
    report = read_icsr_batch(data).messages[0].report
    content = case_content(report)
    events = list(CaseEvent.objects.filter(version=version).order_by("key"))
    for event, reaction in zip(events, report.reactions, strict=True):
        assert event.code == reaction.term.code and event.meddra_version == reaction.term.code_system_version
        assert event.onset == partial(reaction.start_date)
    assert CasePatient.objects.get(version=version).initials == report.patient.name.value
    assessments = {(a.pair.product.key, a.pair.event.key, a.source): a.result for a in CaseCausality.objects.all()}
    assert assessments == {(a.product_key, a.event_key, a.source): a.result for a in content.assessments}
    # the received sources "Reporter" / "Company" and results "Highly related" / "Likely" (read from the file above)
    assert {a.source for a in content.assessments} == {"reporter", "company"}
    assert {a.result for a in content.assessments} == {"related"}
    assert case.subject is None  # D.1.1.4 09233347580934 is no subject number of study T-001


def test_free_text_sources_and_results() -> None:
    # G.k.9.i.2.r.1 as FDA's examples write it, and the WHO-UMC / common result words
    assert [assessment_source(s) for s in ("PHARMACEUTICAL COMPANY", "Sponsor", "INVESTIGATOR", "Reporter")] == [
        "company",
        "company",
        "reporter",
        "reporter",
    ]
    assert assessment_source("Regulator") is None
    assert [assessment_result(r) for r in ("Not Suspected", "Unrelated", "Suspected", "Possible", "not-related")] == [
        "not_related",
        "not_related",
        "related",
        "related",
        "not_related",
    ]
    # TS precision kept: year, month, day; a time of day is the day's
    assert [partial(Ts(v)) for v in ("2014", "201410", "20141010", "20220614101010-0500")] == [
        "2014",
        "2014-10",
        "2014-10-10",
        "2022-06-14",
    ]


def test_subject_found_by_investigation_number(safety_world) -> None:
    _require_reference()
    batch = read_icsr_batch(str(REFERENCE / "FAERS2022Scenario6.xml"))
    batch.messages[0].report.patient.investigation_number = Text(safety_world.subject_a.number)
    [case] = case_import_e2b(actor=None, study=safety_world.study, data=icsr_batch_bytes(batch), received_on=RECEIVED)
    assert case.subject == safety_world.subject_a and case.site == safety_world.site_a


def test_edited_import_writes_the_edit_and_keeps_the_rest(safety_world) -> None:
    _require_reference()
    physician = safety_world.users["safety_physician"]
    data = (REFERENCE / "FAERS2022Scenario1.xml").read_bytes()
    [case] = case_import_e2b(actor=physician, study=safety_world.study, data=data, received_on=RECEIVED)
    version = CaseVersion.objects.get(case=case)
    event = CaseEvent.objects.get(version=version, key="E1")
    event.outcome = "1"  # recovered
    case_part_save(actor=physician, part=event, reason="follow-up call: recovered")
    case_version_update(actor=physician, version=version, changes={"narrative": "Edited narrative."}, reason="typo")
    out, _ = case_e2b_bytes(actor=physician, version=CaseVersion.objects.get(pk=version.pk), profile="fda-postmarket")
    received, sent = read_icsr_batch(data).messages[0].report, read_icsr_batch(out).messages[0].report
    assert sent.reactions[0].outcome.code == "1" and received.reactions[0].outcome.code != "1"
    assert sent.narrative.case_narrative.value == "Edited narrative."
    # everything else as received: the elements of E.i.7 (outcome) and H.1 (narrative) are the only ones to differ
    changed = {line.split(":")[0] for line in element_differences(data, out)}
    assert changed == {"E.i.7", "H.1"}
    assert sent.reactions[0].term == received.reactions[0].term and sent.drugs == received.drugs


def test_follow_up_by_worldwide_id(safety_world) -> None:
    """Scenarios 5-1 and 5-2 carry the same C.1.8.1 (US-APHARMA-234545656): one case, two versions."""
    _require_reference()
    study = safety_world.study
    first = (REFERENCE / "FAERS2022Scenario5-1.xml").read_bytes()
    second = (REFERENCE / "FAERS2022Scenario5-2.xml").read_bytes()
    [case] = case_import_e2b(actor=None, study=study, data=first, received_on=RECEIVED)
    [again] = case_import_e2b(actor=None, study=study, data=second, received_on=RECEIVED + dt.timedelta(days=3))
    assert again.pk == case.pk and SafetyCase.objects.filter(study=study).count() == 1
    versions = list(CaseVersion.objects.filter(case=case).order_by("number"))
    assert [v.number for v in versions] == [1, 2] and versions[0].frozen and not versions[0].latest
    out, _ = case_e2b_bytes(
        actor=None, version=versions[1], profile="fda-premarket", receiver_id="CDER_IND_EXEMPT_BA_BE"
    )
    # the follow-up's own received message is written back (its C.1.5 included)
    assert element_differences(second, out) == []


def _bad(study, data: bytes) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        case_import_e2b(actor=None, study=study, data=data, received_on=RECEIVED)
    assert not SafetyCase.objects.filter(study=study).exists()
    return caught.value.message_dict["file"]


def test_bad_files_are_rejected_whole_with_located_problems(safety_world) -> None:
    study = safety_world.study
    [problem] = _bad(study, b"this is not XML")
    assert problem.startswith("line 1: not well-formed XML")
    odm = b'<?xml version="1.0"?>\n<ODM xmlns="http://www.cdisc.org/ns/odm/v1.3" FileOID="F"/>'
    [problem] = _bad(study, odm)
    assert "line 2" in problem and "not an E2B(R3) ICSR batch" in problem and "ODM" in problem


def test_a_rule_failure_in_one_message_rejects_every_message(safety_world) -> None:
    _require_reference()
    good = read_icsr_batch(str(REFERENCE / "FAERS2022Scenario1.xml"))
    other = read_icsr_batch(str(REFERENCE / "FAERS2022Scenario4.xml"))
    broken = other.messages[0]
    broken.report.reactions[0].outcome = Code(
        code="7", code_system="2.16.840.1.113883.3.989.2.1.1.11"
    )  # E.i.7 has codes 0-5 only
    good.messages.append(broken)
    problems = _bad(safety_world.study, icsr_batch_bytes(good))
    assert any(p.startswith("message 2, line ") and "E.i.7" in p for p in problems), problems


def test_monitor_may_not_import(safety_world) -> None:
    _require_reference()
    with pytest.raises(PermissionDenied):
        case_import_e2b(
            actor=safety_world.user(RoleCode.MONITOR),
            study=safety_world.study,
            data=(REFERENCE / "FAERS2022Scenario1.xml").read_bytes(),
            received_on=RECEIVED,
        )


# ---- acknowledgements ---------------------------------------------------------------------------------------------


def _ack(message_ids: list[str], code: str = "CA", batch_code: str = "AA") -> bytes:
    stamp = timezone.now().strftime("%Y%m%d%H%M%S+0000")
    return write_ack(
        Acknowledgement(
            ack_batch_id="ACK-1",
            created=stamp,
            sender="ZZFDA_PREMKT",
            receiver="OPENCRO",
            code=batch_code,
            batch_id="B-" + message_ids[0],
            local_message_number="1",
            batch_transmitted=stamp,
            detail="batch processed",
            messages=tuple(
                MessageAck(code, m, "L-1", "OPENCRO", "CDER_IND", stamp, "ICSR accepted", stamp) for m in message_ids
            ),
        )
    )


def test_ack_import_marks_the_submission(safety_world) -> None:
    from tests.safety.test_e2b_out import approved_submission

    submission = approved_submission(safety_world, message_id="T-001-S0001-v1-1")
    physician = safety_world.users["safety_physician"]
    with pytest.raises(ValidationError) as caught:
        submission_ack_import(actor=physician, study=safety_world.study, data=_ack(["NOT-SENT"]))
    assert caught.value.message_dict["file"] == [
        "ACK.B.r.1 (acknowledgement 1): no submission of this study has message id NOT-SENT."
    ]
    assert CaseSubmission.objects.get(pk=submission.pk).ack_code == ""
    [recorded] = submission_ack_import(actor=physician, study=safety_world.study, data=_ack([submission.message_id]))
    recorded = CaseSubmission.objects.get(pk=submission.pk)
    assert (recorded.ack_batch_code, recorded.ack_code, recorded.ack_text) == ("AA", "CA", "ICSR accepted")
    with pytest.raises(ValidationError) as caught:
        submission_ack_import(actor=physician, study=safety_world.study, data=b"<not-an-ack/>")
    assert caught.value.message_dict["file"]


def test_a_message_refused_while_writing_rolls_back_the_others(safety_world) -> None:
    """Message 2 follows up a case marked duplicate: refused, and message 1's new case is not kept either."""
    _require_reference()
    from opencro.safety.services.workflow import case_mark_duplicate

    study = safety_world.study
    [first] = case_import_e2b(
        actor=None, study=study, data=(REFERENCE / "FAERS2022Scenario1.xml").read_bytes(), received_on=RECEIVED
    )
    [other] = case_import_e2b(
        actor=None, study=study, data=(REFERENCE / "FAERS2022Scenario4.xml").read_bytes(), received_on=RECEIVED
    )
    case_mark_duplicate(actor=None, case=first, of_case=other, reason="same patient and event")
    batch = read_icsr_batch(str(REFERENCE / "FAERS2022Scenario5-1.xml"))
    batch.messages += read_icsr_batch(str(REFERENCE / "FAERS2022Scenario2.xml")).messages  # C.1.8.1 of `first`
    with pytest.raises(ValidationError) as caught:
        case_import_e2b(actor=None, study=study, data=icsr_batch_bytes(batch), received_on=RECEIVED)
    [problem] = caught.value.message_dict["file"]
    assert problem.startswith("message 2 (C.1.1 US-APHARMA-8744554B-UPDATE-TESTING222)") and first.number in problem
    assert SafetyCase.objects.filter(study=study).count() == 2  # 5-1's case was rolled back
