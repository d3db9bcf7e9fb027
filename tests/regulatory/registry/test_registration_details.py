"""The registration details the protocol does not hold: entered once (`registration_details_save`, the registry
page's form, the API) and carried by the ClinicalTrials.gov export in the API v2 shape. Expected values follow the
rules of `opencro.regulatory.registry.mapping`'s docstring and the API v2 enumeration names (ClinicalTrials.gov
"Study Data Structure": statusModule, designInfo.maskingInfo, eligibilityModule, contactsLocationsModule)."""

import datetime as dt
from dataclasses import replace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditRecord
from opencro.formats.ctgov.registration import registration_from_ctgov
from opencro.regulatory.models import RegistrationDetails
from opencro.regulatory.registry import selectors, services
from opencro.regulatory.registry.changes import document_changes
from opencro.regulatory.registry.mapping import ContactRow, DetailsRow, OfficialRow, ctgov_document, study_registration
from opencro.rtsm.models import RandomisationScheme
from tests.regulatory.registry.test_mapping import SNAP

RA = RoleCode.REGULATORY_SPECIALIST
DETAILS = DetailsRow(
    primary_purpose="TREATMENT",
    who_masked=("INVESTIGATOR", "PARTICIPANT"),  # given out of order: written in the v2 order
    intervention_model="PARALLEL",
    sex="ALL",
    healthy_volunteers=False,
    primary_completion=dt.date(2027, 6, 30),
    primary_completion_type="ESTIMATED",
    completion=dt.date(2027, 12, 31),
    completion_type="ESTIMATED",
    central_contacts=(
        ContactRow("Jane Roe", "+1 312 555 0100", "12", "jane.roe@example.org"),
        ContactRow("John Doe", "+1 312 555 0101", email="john.doe@example.org"),
    ),
    officials=(OfficialRow("Dr Ada Lovelace", "OpenCRO Pharma", "STUDY_DIRECTOR"),),
)
FILLED = replace(SNAP, details=DETAILS)
# What the service takes for DETAILS (the page's and the API's field names).
FIELDS = {
    "primary_purpose": "TREATMENT",
    "who_masked": ["PARTICIPANT", "INVESTIGATOR"],
    "intervention_model": "PARALLEL",
    "sex": "ALL",
    "healthy_volunteers": False,
    "primary_completion_date": dt.date(2027, 6, 30),
    "primary_completion_type": "ESTIMATED",
    "completion_date": dt.date(2027, 12, 31),
    "completion_type": "ESTIMATED",
    "contact_name": "Jane Roe",
    "contact_phone": "+1 312 555 0100",
    "contact_email": "jane.roe@example.org",
    "official_name": "Dr Ada Lovelace",
    "official_affiliation": "OpenCRO Pharma",
    "official_role": "STUDY_DIRECTOR",
}


def _module(doc: dict, name: str) -> dict:
    return doc["protocolSection"][name]


# The mapping (no database)


def test_the_export_carries_the_details_in_the_v2_shape():
    doc, problems = ctgov_document(FILLED)
    status = _module(doc, "statusModule")
    assert status["overallStatus"] == "RECRUITING" and "whyStopped" not in status  # not stopped: as the study
    assert status["primaryCompletionDateStruct"] == {"date": "2027-06-30", "type": "ESTIMATED"}
    assert status["completionDateStruct"] == {"date": "2027-12-31", "type": "ESTIMATED"}
    assert _module(doc, "designModule")["designInfo"] == {
        "allocation": "RANDOMIZED",
        "interventionModel": "PARALLEL",
        "primaryPurpose": "TREATMENT",
        "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]},  # two roles: DOUBLE
    }
    eligibility = _module(doc, "eligibilityModule")
    assert (eligibility["sex"], eligibility["healthyVolunteers"]) == ("ALL", False)  # False is kept, not pruned
    contacts = _module(doc, "contactsLocationsModule")
    assert contacts["centralContacts"] == [
        {
            "name": "Jane Roe",
            "role": "CONTACT",
            "phone": "+1 312 555 0100",
            "phoneExt": "12",
            "email": "jane.roe@example.org",
        },
        {"name": "John Doe", "role": "CONTACT", "phone": "+1 312 555 0101", "email": "john.doe@example.org"},
    ]
    assert contacts["overallOfficials"] == [
        {"name": "Dr Ada Lovelace", "affiliation": "OpenCRO Pharma", "role": "STUDY_DIRECTOR"}
    ]
    # every element the protocol did not hold is now filled: nothing left for the PRS
    assert problems == []
    assert registration_from_ctgov(doc) == study_registration(FILLED)


def test_a_terminated_study_exports_terminated_with_why_it_stopped():
    stopped = replace(FILLED, details=replace(DETAILS, stop_status="TERMINATED", why_stopped="Sponsor decision"))
    doc, problems = ctgov_document(stopped)
    status = _module(doc, "statusModule")
    assert (status["overallStatus"], status["whyStopped"]) == ("TERMINATED", "Sponsor decision")
    assert _module(doc, "designModule")["enrollmentInfo"] == {"count": 12, "type": "ACTUAL"}  # enrolment ended
    assert {loc["status"] for loc in _module(doc, "contactsLocationsModule")["locations"]} == {"TERMINATED"}
    assert problems == []
    no_reason = replace(FILLED, details=replace(DETAILS, stop_status="SUSPENDED"))
    reg = study_registration(no_reason)
    assert (reg.overall_status, reg.design.enrollment_type) == ("SUSPENDED", "ESTIMATED")  # may resume
    _, problems = ctgov_document(no_reason)
    assert [p.location for p in problems] == ["protocolSection.statusModule.whyStopped"]
    reason_only = study_registration(replace(FILLED, details=replace(DETAILS, why_stopped="stale")))
    assert (reason_only.overall_status, reason_only.why_stopped) == ("RECRUITING", "")


def test_an_open_label_study_stays_unmasked_and_a_single_arm_single_group():
    open_label = study_registration(replace(FILLED, blinded=False))
    assert (open_label.design.masking, open_label.design.who_masked) == ("NONE", ())
    single = study_registration(replace(SNAP, arms=SNAP.arms[:1], details=DetailsRow(primary_purpose="PREVENTION")))
    assert (single.design.intervention_model, single.design.primary_purpose) == ("SINGLE_GROUP", "PREVENTION")
    roles = (*DETAILS.who_masked, "CARE_PROVIDER", "OUTCOMES_ASSESSOR")
    four = study_registration(replace(SNAP, details=DetailsRow(who_masked=roles)))
    assert four.design.masking == "QUADRUPLE"


def test_validation_lists_only_what_is_still_empty():
    partial = replace(SNAP, details=DetailsRow(sex="FEMALE", primary_purpose="TREATMENT"))
    _, problems = ctgov_document(partial)
    assert {p.location.removeprefix("protocolSection.") for p in problems} == {
        "statusModule.primaryCompletionDateStruct.date",
        "statusModule.completionDateStruct.date",
        "designModule.designInfo.maskingInfo.masking",
        "designModule.designInfo.interventionModel",
        "eligibilityModule.healthyVolunteers",
    }


def test_the_changes_show_a_detail_changed():
    before, _ = ctgov_document(FILLED)
    after, _ = ctgov_document(replace(FILLED, details=replace(DETAILS, sex="FEMALE", completion_type="ACTUAL")))
    changes = {c.path: (c.registered, c.current) for c in document_changes("ctgov", before, after)}
    assert changes == {
        "eligibility.sex": ("ALL", "FEMALE"),
        "status.completionDateType": ("ESTIMATED", "ACTUAL"),
    }


# The service


@pytest.mark.django_db
def test_saved_details_reach_the_export_and_are_audited(world, protocol):
    study, actor = world.study, world.user(RA)
    assert selectors.registration_details_get(study) is None
    details = services.registration_details_save(actor=actor, study=study, **FIELDS)
    assert details.who_masked == ["PARTICIPANT", "INVESTIGATOR"]  # the v2 order
    assert AuditRecord.objects.filter(
        object_type="regulatory.registrationdetails", object_id=str(details.pk), field="sex", new_value="ALL"
    ).exists()
    current = selectors.registry_current(study, "ctgov")
    design = _module(current.document, "designModule")["designInfo"]
    assert design["primaryPurpose"] == "TREATMENT" and design["maskingInfo"]["masking"] == "DOUBLE"
    assert _module(current.document, "contactsLocationsModule")["centralContacts"] == [
        {"name": "Jane Roe", "role": "CONTACT", "phone": "+1 312 555 0100", "email": "jane.roe@example.org"}
    ]
    flagged = {p.location for p in current.problems}
    assert not flagged & {
        "protocolSection.eligibilityModule.sex",
        "protocolSection.eligibilityModule.healthyVolunteers",
        "protocolSection.designModule.designInfo.primaryPurpose",
        "protocolSection.statusModule.completionDateStruct.date",
    }
    eu = selectors.registry_current(study, "euctr").document
    assert (
        eu["trialInformation"]["populationOfTrialSubjects"]["isFemaleSubjects"] is True
    )  # sex ALL reaches the EU document too

    with pytest.raises(ValidationError) as refused:  # a change needs a reason
        services.registration_details_save(actor=actor, study=study, **{**FIELDS, "sex": "MALE"})
    assert set(refused.value.message_dict) == {"reason"}
    services.registration_details_save(
        actor=actor, study=study, **{**FIELDS, "stop_status": "TERMINATED", "why_stopped": "Futility"}, reason="DSMB"
    )
    status = _module(selectors.registry_export(study, "ctgov"), "statusModule")
    assert (status["overallStatus"], status["whyStopped"]) == ("TERMINATED", "Futility")
    assert AuditRecord.objects.filter(
        object_type="regulatory.registrationdetails", field="stop_status", new_value="TERMINATED", reason="DSMB"
    ).exists()


@pytest.mark.django_db
def test_refusals(world):
    study, actor = world.study, world.user(RA)
    future = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(ValidationError) as refused:
        services.registration_details_save(
            actor=actor,
            study=study,
            primary_purpose="CURE",  # not a PrimaryPurpose
            who_masked=["PARTICIPANT", "PARTICIPANT", "NURSE"],
            primary_completion_date=future,
            primary_completion_type="ACTUAL",  # actual, in the future
            completion_date=dt.date(2026, 1, 1),  # before the primary completion, and without its type
            stop_status="TERMINATED",  # without why
            contact_email="jane@example.org",  # no name, no phone
            backup_name="John",  # no phone, no email
            official_role="STUDY_CHAIR",  # no name, no affiliation
        )
    errors = refused.value.message_dict
    assert set(errors) == {
        "primary_purpose",
        "who_masked",
        "primary_completion_date",
        "completion_date",
        "completion_type",
        "why_stopped",
        "contact_name",
        "contact_phone",
        "backup_phone",
        "backup_email",
        "official_name",
        "official_affiliation",
    }
    assert errors["why_stopped"] == ["Say why the study stopped."]
    assert len(errors["who_masked"]) == 2  # NURSE, and PARTICIPANT twice
    assert len(errors["completion_date"]) == 1 and "primary completion" in errors["completion_date"][0]
    with pytest.raises(ValidationError) as refused:
        services.registration_details_save(actor=actor, study=study, why_stopped="Futility", completion_type="ACTUAL")
    assert set(refused.value.message_dict) == {"stop_status", "completion_date"}
    with pytest.raises(ValidationError) as refused:  # the world's study has two subjects enrolled
        services.registration_details_save(actor=actor, study=study, stop_status="WITHDRAWN", why_stopped="No funds")
    assert "2 are enrolled" in refused.value.message_dict["stop_status"][0]
    RandomisationScheme.objects.create(study=study, method="block_list", blinded=False)
    with pytest.raises(ValidationError) as refused:
        services.registration_details_save(actor=actor, study=study, who_masked=["OUTCOMES_ASSESSOR"])
    assert set(refused.value.message_dict) == {"who_masked"}
    with pytest.raises(PermissionDenied):  # regulatory.view only
        services.registration_details_save(actor=world.user(RoleCode.AUDITOR), study=study, sex="ALL")
    with pytest.raises(PermissionDenied):  # regulatory.edit needs every site
        services.registration_details_save(actor=world.user(RoleCode.MONITOR), study=study, sex="ALL")
    assert not RegistrationDetails.objects.exists()


# The page


def _url(w, name: str, registry: str = "ctgov") -> str:
    return reverse(f"registry:{name}", args=[w.study.pk, registry])


FORM = {
    "primary_purpose": "TREATMENT",
    "who_masked": ["PARTICIPANT", "OUTCOMES_ASSESSOR"],
    "intervention_model": "PARALLEL",
    "sex": "FEMALE",
    "healthy_volunteers": "false",
    "primary_completion_date": "2027-06-30",
    "primary_completion_type": "ESTIMATED",
    "completion_date": "2027-12-31",
    "completion_type": "ESTIMATED",
    "stop_status": "",
    "why_stopped": "",
}


@pytest.mark.django_db
def test_the_page_form_saves_and_shows_errors(world, protocol, login):
    client = login(world.user(RA))
    page = client.get(_url(world, "page")).content.decode()
    assert 'data-testid="registry-details-form"' in page and "protocolSection.eligibilityModule.sex" in page
    done = client.post(_url(world, "details"), FORM)
    assert done.status_code == 302 and done.url == _url(world, "page")
    details = RegistrationDetails.objects.get(study=world.study)
    assert (details.sex, details.healthy_volunteers, details.who_masked) == (
        "FEMALE",
        False,
        ["PARTICIPANT", "OUTCOMES_ASSESSOR"],
    )
    page = client.get(_url(world, "page")).content.decode()
    assert "protocolSection.eligibilityModule.sex" not in page  # filled: no longer listed
    assert '<option value="FEMALE" selected>' in page  # the form shows what is saved

    refused = client.post(_url(world, "details"), {**FORM, "sex": "ALL", "stop_status": "TERMINATED"})
    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Say why the study stopped." in body and "A reason for change is required." in body
    assert RegistrationDetails.objects.get(study=world.study).sex == "FEMALE"  # nothing saved
    bad = client.post(_url(world, "details", "euctr"), {**FORM, "completion_date": "31/12/2027", "reason": "x"})
    assert bad.status_code == 200 and "Enter a valid date." in bad.content.decode()

    changed = client.post(_url(world, "details", "euctr"), {**FORM, "sex": "ALL", "reason": "Protocol v1.1"})
    assert changed.status_code == 302 and changed.url == _url(world, "page", "euctr")
    assert RegistrationDetails.objects.get(study=world.study).sex == "ALL"


@pytest.mark.django_db
def test_who_may_use_the_page_form(world, protocol, login):
    auditor = login(world.user(RoleCode.AUDITOR))  # regulatory.view only
    assert 'data-testid="registry-details-form"' not in auditor.get(_url(world, "page")).content.decode()
    assert auditor.post(_url(world, "details"), FORM).status_code == 403
    assert login(world.outsider).post(_url(world, "details"), FORM).status_code == 404
    assert login(world.user(RA)).post(_url(world, "details", "isrctn"), FORM).status_code == 404
    assert not RegistrationDetails.objects.exists()


# The API


def _api(w) -> str:
    return f"/api/v1/studies/{w.study.pk}/registry/details"


BODY = {**FIELDS, "primary_completion_date": "2027-06-30", "completion_date": "2027-12-31"}


@pytest.mark.django_db
def test_the_api_reads_sets_and_changes_the_details(world, protocol, login):
    client = login(world.user(RA))
    empty = client.get(_api(world)).json()
    assert empty["entered"] is False and empty["sex"] == "" and empty["who_masked"] == []
    put = client.put(_api(world), BODY, content_type="application/json")
    assert put.status_code == 200, put.content
    unset = ("contact_phone_ext", "backup_name", "backup_phone", "backup_phone_ext", "backup_email", "stop_status")
    assert put.json() == {**BODY, "entered": True, **dict.fromkeys((*unset, "why_stopped"), "")}
    assert client.get(_api(world)).json() == put.json()

    unreasoned = client.patch(_api(world), {"stop_status": "TERMINATED"}, content_type="application/json")
    assert unreasoned.status_code == 422
    assert set(unreasoned.json()["errors"]) == {"why_stopped", "reason"}
    patched = client.patch(
        _api(world),
        {"stop_status": "TERMINATED", "why_stopped": "Sponsor decision", "reason": "DSMB advice"},
        content_type="application/json",
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["sex"] == "ALL"  # the fields not sent are kept
    exported = client.get(f"/api/v1/studies/{world.study.pk}/registry/ctgov/export").json()
    assert exported["protocolSection"]["statusModule"]["overallStatus"] == "TERMINATED"
    assert exported["protocolSection"]["statusModule"]["whyStopped"] == "Sponsor decision"

    cleared = client.put(_api(world), {"reason": "start again"}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["sex"] == "" and cleared.json()["entered"] is True


@pytest.mark.django_db
def test_the_api_refuses_bad_input_and_read_only_roles(world, login):
    client = login(world.user(RA))
    bad = client.put(_api(world), {"sex": "UNKNOWN", "completion_date": "2027-12-31"}, content_type="application/json")
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"sex", "completion_type"}
    assert (
        client.put(_api(world), {"completion_date": "not a date"}, content_type="application/json").status_code == 422
    )
    auditor = login(world.user(RoleCode.AUDITOR))
    assert auditor.get(_api(world)).status_code == 200
    assert auditor.put(_api(world), {"sex": "ALL"}, content_type="application/json").status_code == 403
    assert auditor.patch(_api(world), {"sex": "ALL"}, content_type="application/json").status_code == 403
    assert login(world.user(RoleCode.MEDICAL_CODER)).get(_api(world)).status_code == 403
    assert login(world.outsider).get(_api(world)).status_code == 404
    assert not RegistrationDetails.objects.exists()
