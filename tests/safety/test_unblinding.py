"""Breaking the blind of a SUSAR case for expedited reporting: the service's refusals, signature and trail; the
clocks of a placebo subject's case; the exports named or blinded by reader; pages and API for holders of
safety.unblind and for blinded readers (the auditor and the investigator hold safety.view, not safety.unblind)."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from opencro.accounts import services as accounts
from opencro.accounts.models import Signature, SignatureMeaning
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.safety.cioms import cioms_write
from opencro.safety.models import CaseEvent, CaseUnblinding, CaseVersion, SafetyCase
from opencro.safety.selectors import case_due_rows
from opencro.safety.services.e2b import case_e2b_bytes
from opencro.safety.services.intake import CaseIntake, EventInput, ProductInput, ReporterInput, case_create
from opencro.safety.services.unblinding import case_unblind
from opencro.safety.unblinding_read import case_treatment_for, study_drug_received
from opencro.studies.models import Arm
from opencro.subjects import services as subjects
from tests.conftest import PASSWORD, make_user
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db

REASON = "Pyrexia is a SUSAR: report it unblinded"
PHYSICIAN, AUDITOR, INVESTIGATOR = RoleCode.SAFETY_PHYSICIAN, RoleCode.AUDITOR, RoleCode.INVESTIGATOR
BLINDED_READERS = (AUDITOR, INVESTIGATOR)


def _susar(world) -> SafetyCase:
    """Subject A1-001's SAE from the EDC: Pyrexia is not in IB 5.0 (unexpected), hospitalised, related per the
    investigator; the blinded study product Cardiozan is its suspect."""
    case = report_sae(world, "Pyrexia")
    version = CaseVersion.objects.get(case=case, latest=True)
    assert [(e.serious, e.unexpected) for e in CaseEvent.objects.filter(version=version)] == [(True, True)]
    return case


def _placebo(world) -> Arm:
    """Subject A1-001's arm (A) made a placebo arm named Placebo (tests/conftest.py makes both arms experimental)."""
    arm = world.subject_a.assignment.arm
    Arm.objects.filter(pk=arm.pk).update(type="placebo", name="Placebo")
    return Arm.objects.get(pk=arm.pk)


def _unblind(world, case: SafetyCase) -> CaseUnblinding:
    return case_unblind(actor=world.users[PHYSICIAN], case=case, reason=REASON, password=PASSWORD)


def _messages(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.message_dict["case"] if hasattr(exc.value, "error_dict") else exc.value.messages


def _text(response) -> str:
    if response["Content-Type"].startswith("application/pdf"):
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


# ---- the service -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [AUDITOR, INVESTIGATOR, RoleCode.UNBLINDED_STATISTICIAN, RoleCode.DATA_MANAGER])
def test_only_a_holder_of_safety_unblind_may_break_the_blind(safety_world, role):
    case = _susar(safety_world)
    with pytest.raises(PermissionDenied):
        case_unblind(actor=safety_world.users[role], case=case, reason=REASON, password=PASSWORD)
    assert not CaseUnblinding.objects.exists()


def test_an_expected_event_is_not_unblinded(safety_world):
    case = report_sae(safety_world, "Headache")  # listed in IB 5.0: expected
    with pytest.raises(ValidationError) as exc:
        _unblind(safety_world, case)
    assert "only for a suspected unexpected serious adverse reaction" in _messages(exc)[0]
    assert not CaseUnblinding.objects.exists()


def test_an_unrelated_event_is_not_unblinded(safety_world):
    case = report_sae(safety_world, "Pyrexia", relationship="NOT RELATED")
    with pytest.raises(ValidationError) as exc:
        _unblind(safety_world, case)
    assert "serious, unexpected and related" in _messages(exc)[0]


def _manual(world, *, subject, product=None, name="Cardiozan") -> SafetyCase:
    return case_create(
        actor=world.users[PHYSICIAN],
        study=world.study,
        subject=subject,
        intake=CaseIntake(
            source="study_manual",
            received_on=dt.date(2026, 11, 20),
            events=[EventInput("Pyrexia", onset="2026-11-18", flags=frozenset({"hospitalisation"}))],
            products=[ProductInput(name=name, product=product)],
            reporter=ReporterInput(given_name="Ann", family_name="Smith", qualification="1"),
        ),
    )


def test_a_case_without_a_randomised_subject_is_not_unblinded(safety_world):
    no_subject = _manual(safety_world, subject=None, product=safety_world.product)
    with pytest.raises(ValidationError) as exc:
        _unblind(safety_world, no_subject)
    assert _messages(exc) == ["Only the case of a study subject can be unblinded."]
    screened = subjects.subject_screen(
        actor=None, site=safety_world.site_a, number="A1-009", screened_on=dt.date(2026, 3, 1), sex="M"
    )
    not_randomised = _manual(safety_world, subject=screened, product=safety_world.product)
    with pytest.raises(ValidationError) as exc:
        _unblind(safety_world, not_randomised)
    assert _messages(exc) == ["This subject has not been randomised: there is no treatment to reveal."]


def test_a_case_without_a_blinded_product_is_not_unblinded(safety_world):
    case = _manual(safety_world, subject=safety_world.subject_a, name="Aspirin")  # open-label, not a study product
    with pytest.raises(ValidationError) as exc:
        _unblind(safety_world, case)
    assert _messages(exc) == ["The case names no blinded study product as suspect: there is no blind."]


def test_a_reason_and_the_password_are_required(safety_world):
    case = _susar(safety_world)
    physician = safety_world.users[PHYSICIAN]
    with pytest.raises(ValidationError) as exc:
        case_unblind(actor=physician, case=case, reason=" short ", password=PASSWORD)
    assert exc.value.message_dict["reason"] == ["Give the reason for breaking the blind (at least 10 characters)."]
    with pytest.raises(PermissionDenied, match="password is not correct"):
        case_unblind(actor=physician, case=case, reason=REASON, password="wrong")
    assert not CaseUnblinding.objects.exists()
    physician.refresh_from_db()
    assert physician.failed_logins == 1  # a wrong password counts as a failed sign-in


def test_the_unblinding_is_signed_audited_without_the_arm_and_permanent(safety_world):
    arm = _placebo(safety_world)
    case = _susar(safety_world)
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    record = _unblind(safety_world, case)
    assert (record.case, record.study, record.site, record.reason) == (
        case,
        safety_world.study,
        safety_world.site_a,
        REASON,
    )
    [signature] = Signature.objects.filter(object_id=str(record.pk), meaning=SignatureMeaning.UNBLIND_CASE)
    assert signature.signer == safety_world.users[PHYSICIAN]
    trail = list(AuditRecord.objects.filter(id__gt=before))
    assert {(r.object_type, r.action) for r in trail} >= {
        ("safety.caseunblinding", "create"),
        ("safety.caseunblinding", "sign"),
        ("safety.safetycase", "update"),
    }
    written = " ".join(f"{r.object_repr} {r.field} {r.old_value} {r.new_value} {r.reason}" for r in trail)
    for marker in (arm.name, arm.code + ":", "placebo", "R-A1-001", "Arm "):
        assert marker not in written
    # a second call returns the first record, whatever it is given, and writes nothing
    count = AuditRecord.objects.count()
    again = case_unblind(actor=safety_world.users[PHYSICIAN], case=case, reason="", password="wrong")
    assert again.pk == record.pk and CaseUnblinding.objects.count() == 1 and AuditRecord.objects.count() == count


def test_the_treatment_is_read_by_holders_only(safety_world):
    case = _susar(safety_world)
    assert case_treatment_for(safety_world.users[PHYSICIAN], case) is None  # not unblinded yet
    _unblind(safety_world, case)
    treatment = case_treatment_for(safety_world.users[PHYSICIAN], case)
    assert (treatment.arm_code, treatment.arm_name, treatment.received) == ("A", "Arm A", "investigational")
    assert treatment.study_drug_received
    for role in (AUDITOR, INVESTIGATOR, RoleCode.UNBLINDED_STATISTICIAN):
        assert case_treatment_for(safety_world.users[role], case) is None
    assert case_treatment_for(None, case) is None


# ---- the clocks --------------------------------------------------------------------------------------------------


def _due(case) -> list[tuple[str, str]]:
    return sorted((r.due.rule_set, r.due.recipient) for r in case_due_rows(case)[0])


def test_a_placebo_subjects_case_is_no_longer_a_susar(safety_world):
    _placebo(safety_world)
    case = _susar(safety_world)
    version = CaseVersion.objects.get(case=case, latest=True)
    assert ("FDA-IND", "FDA") in _due(case) and version.next_due_on is not None
    assert study_drug_received(case)  # blinded: the clocks assume the study product
    _unblind(safety_world, case)
    assert not study_drug_received(case)
    assert _due(case) == []
    version.refresh_from_db()
    assert version.next_due_on is None  # the worklist's order changes for everyone (not why)


def test_the_investigational_product_changes_no_clock(safety_world):
    case = _susar(safety_world)
    version = CaseVersion.objects.get(case=case, latest=True)
    due, next_due = _due(case), version.next_due_on
    _unblind(safety_world, case)
    version.refresh_from_db()
    assert _due(case) == due and version.next_due_on == next_due and due


# ---- the exports -------------------------------------------------------------------------------------------------


def _report(world, case, role):
    data, failures = case_e2b_bytes(
        actor=world.users[role], version=CaseVersion.objects.get(case=case, latest=True), profile="ich", receiver_id="X"
    )
    return data, failures, read_icsr_batch(data).messages[0].report


def test_the_e2b_file_names_the_product_received_for_a_holder_only(safety_world):
    case = _susar(safety_world)
    _unblind(safety_world, case)
    data, failures, report = _report(safety_world, case, PHYSICIAN)
    [drug] = report.drugs
    assert drug.name.value == "Cardiozan" and drug.blinded is None  # G.k.2.2 as received, G.k.2.5 absent
    assert "The blind was broken for this report" in report.narrative.sender_comments.value
    assert report.expedited_criteria.value is True
    assert not [f for f in failures if f.rule == "unblinded-placebo"]
    for role in BLINDED_READERS:
        data, _failures, report = _report(safety_world, case, role)
        assert report.drugs[0].blinded.value is True and report.narrative.sender_comments is None
        assert b"Arm A" not in data and b"blind was broken" not in data


def test_a_placebo_export_warns_the_holder_and_stays_blinded_for_others(safety_world):
    _placebo(safety_world)
    case = _susar(safety_world)
    _unblind(safety_world, case)
    data, failures, report = _report(safety_world, case, PHYSICIAN)
    assert report.drugs[0].name.value == "Placebo" and report.drugs[0].blinded is None
    assert "WARNING: not a suspected unexpected serious adverse reaction" in report.narrative.sender_comments.value
    assert report.expedited_criteria.value is False
    [warning] = [f for f in failures if f.rule == "unblinded-placebo"]
    assert warning.severity == "warning" and "not a suspected unexpected serious adverse reaction" in warning.message
    for role in BLINDED_READERS:
        data, failures, report = _report(safety_world, case, role)
        assert report.drugs[0].name.value == "Cardiozan" and report.drugs[0].blinded.value is True
        assert b"lacebo" not in data and not [f for f in failures if f.rule == "unblinded-placebo"]


def _cioms(world, case, role) -> str:
    out = io.BytesIO()
    version = CaseVersion.objects.get(case=case, latest=True)
    cioms_write(version, out, report_date=dt.date(2026, 11, 26), reader=world.users[role])
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)


def test_the_cioms_form_is_named_for_a_holder_and_blinded_for_others(safety_world):
    _placebo(safety_world)
    case = _susar(safety_world)
    _unblind(safety_world, case)
    holder = _cioms(safety_world, case, PHYSICIAN)
    assert "blind was broken for this report" in holder and "WARNING" in holder and "Placebo" in holder
    for role in BLINDED_READERS:
        text = _cioms(safety_world, case, role)
        assert "Blinded study treatment" in text and "lacebo" not in text and "blind was broken" not in text


# ---- pages and API -----------------------------------------------------------------------------------------------


def _urls(world, case) -> list[str]:
    """Every page and API route of a case this work touched (the case page, its exports, the unblinding)."""
    page = f"/studies/{world.study.pk}/safety/cases/{case.pk}/"
    api = f"/api/v1/studies/{world.study.pk}/safety/cases/{case.pk}"
    return [
        page,
        page + "e2b/?profile=ich&receiver=X",
        page + "e2b.xml?profile=ich&receiver=X",
        page + "cioms.pdf",
        f"/studies/{world.study.pk}/safety/",
        api,
        api + "/unblinding",
        api + "/e2b?profile=ich&receiver_id=X",
        api + "/e2b?profile=ich&receiver_id=X&check=true",
        api + "/cioms",
    ]


def test_the_case_page_offers_the_form_to_holders_only(safety_world, login):
    case = _susar(safety_world)
    url = f"/studies/{safety_world.study.pk}/safety/cases/{case.pk}/"
    assert 'data-testid="unblind-form"' in login(safety_world.users[PHYSICIAN]).get(url).content.decode()
    for role in BLINDED_READERS:
        page = login(safety_world.users[role]).get(url).content.decode()
        assert 'data-testid="unblinding"' not in page


def test_the_page_form_breaks_the_blind_and_shows_the_arm_to_holders_only(safety_world, login):
    arm = _placebo(safety_world)
    case = _susar(safety_world)
    url = f"/studies/{safety_world.study.pk}/safety/cases/{case.pk}/"
    physician = login(safety_world.users[PHYSICIAN])
    refused = physician.post(url + "unblinding/", {"reason": "short", "password": PASSWORD})
    assert refused.status_code == 200 and "at least 10 characters" in refused.content.decode()
    assert PASSWORD not in refused.content.decode()
    response = physician.post(url + "unblinding/", {"reason": REASON, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == url
    page = physician.get(url).content.decode()
    assert "Unblinded for expedited reporting on" in page and 'data-testid="revealed-treatment"' in page
    assert "Placebo" in page and 'data-testid="not-susar"' in page
    when = CaseUnblinding.objects.get().unblinded_at.strftime("%Y-%m-%d")
    printed = safety_world.users[PHYSICIAN].printed_name
    for role in BLINDED_READERS:
        client = login(safety_world.users[role])
        page = client.get(url).content.decode()
        assert f"Unblinded for expedited reporting on {when} by {printed}" in page
        assert 'data-testid="revealed-treatment"' not in page and REASON not in page
        for other in _urls(safety_world, case):
            response = client.get(other)
            assert response.status_code == 200, other
            text = _text(response)
            for marker in ("lacebo", arm.name, f"{arm.code}: ", "R-A1-001", "not-susar", "study_drug_received"):
                assert marker not in text, (role, other, marker)


def test_a_blinded_reader_may_not_post_the_form(safety_world, login):
    case = _susar(safety_world)
    url = f"/studies/{safety_world.study.pk}/safety/cases/{case.pk}/unblinding/"
    for role in BLINDED_READERS:
        assert login(safety_world.users[role]).post(url, {"reason": REASON, "password": PASSWORD}).status_code == 403
    assert not CaseUnblinding.objects.exists()


def test_the_api_breaks_the_blind_and_answers_by_reader(safety_world, login):
    case = _susar(safety_world)
    url = f"/api/v1/studies/{safety_world.study.pk}/safety/cases/{case.pk}/unblinding"
    physician = login(safety_world.users[PHYSICIAN])
    before = physician.get(url).json()
    assert before["unblinded"] is False and before["treatment"] is None
    wrong = physician.post(url, {"reason": REASON, "password": "wrong"}, content_type="application/json")
    assert wrong.status_code == 403
    short = physician.post(url, {"reason": "short", "password": PASSWORD}, content_type="application/json")
    assert short.status_code == 422 and "at least 10 characters" in short.content.decode()
    for role in BLINDED_READERS:
        denied = login(safety_world.users[role]).post(
            url, {"reason": REASON, "password": PASSWORD}, content_type="application/json"
        )
        assert denied.status_code == 403
    done = login(safety_world.users[PHYSICIAN]).post(
        url, {"reason": REASON, "password": PASSWORD}, content_type="application/json"
    )
    assert done.status_code == 200
    body = done.json()
    assert body["unblinded"] is True and body["reason"] == REASON
    assert body["treatment"] == {
        "code": "A",
        "name": "Arm A",
        "type": "experimental",
        "received": "investigational",
        "study_drug_received": True,
    }
    for role in BLINDED_READERS:
        read = login(safety_world.users[role]).get(url).json()
        assert read["unblinded"] is True and read["unblinded_by"] == safety_world.users[PHYSICIAN].printed_name
        assert read["treatment"] is None and read["reason"] is None


def test_the_api_refuses_a_case_that_is_not_a_susar(safety_world, login):
    case = report_sae(safety_world, "Headache")
    url = f"/api/v1/studies/{safety_world.study.pk}/safety/cases/{case.pk}/unblinding"
    response = login(safety_world.users[PHYSICIAN]).post(
        url, {"reason": REASON, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 422 and "serious, unexpected and related" in response.content.decode()


def test_an_investigator_of_another_site_gets_404(safety_world, login):
    case = _susar(safety_world)
    _unblind(safety_world, case)
    other = make_user("investigator-b1")
    accounts.membership_grant(
        actor=safety_world.admin,
        user=other,
        study=safety_world.study,
        role_code=RoleCode.INVESTIGATOR,
        sites=[safety_world.site_b],
    )
    client = login(other)
    page = f"/studies/{safety_world.study.pk}/safety/cases/{case.pk}/"
    api = f"/api/v1/studies/{safety_world.study.pk}/safety/cases/{case.pk}/unblinding"
    assert client.get(page).status_code == 404
    assert client.post(page + "unblinding/", {"reason": REASON, "password": PASSWORD}).status_code == 404
    assert client.get(api).status_code == 404
    assert (
        client.post(api, {"reason": REASON, "password": PASSWORD}, content_type="application/json").status_code == 404
    )
