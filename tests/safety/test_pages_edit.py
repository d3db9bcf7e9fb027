"""The pages that edit a case's latest version: events with MedDRA coding and expectedness, products, drug-event
pairs and causality, patient, reporters, tests, history and the version's own fields; refusals shown on the page."""

import datetime as dt

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone

from opencro.coding.models import DictionaryTerm
from opencro.safety.forms_edit import EventForm
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseVersion,
    VersionState,
)
from opencro.safety.selectors import case_due_rows
from opencro.safety.services.content import case_part_save
from opencro.safety.services.intake import CaseIntake, EventInput, ProductInput, case_create
from opencro.safety.services.reporting import submission_record
from opencro.safety.services.workflow import case_version_advance, case_version_approve
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db


def _url(name: str, case, *ids: int) -> str:
    return reverse(f"safety:{name}", args=[case.study_id, case.pk, *ids])


def _case_path(case) -> str:
    return f"/studies/{case.study_id}/safety/cases/{case.pk}/"


def _data(form: forms.BaseForm, **changes) -> dict:
    """What the browser posts for `form` as rendered (unchecked boxes absent), with `changes` laid over it."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(field.field, forms.NullBooleanField):
            value = {True: "true", False: "false"}.get(value)
        elif value is True:
            value = "on"
        if value not in (None, False, ""):
            data[field.html_name] = value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def physician(safety_world, login):
    return login(safety_world.users["safety_physician"])


def _event(case) -> CaseEvent:
    return CaseEvent.objects.get(version__case=case, key="E1")


# ---- events ---------------------------------------------------------------------------------------------------


def test_the_event_page_renders_and_a_change_with_its_reason_is_saved(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    event = _event(case)
    page = physician.get(_url("event_edit", case, event.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Headache"' in html and "Expected" in html and "Headache is listed in" in html
    data = _data(EventForm(instance=event), onset="2026-11", reason="onset month only, per the site")
    response = physician.post(_url("event_edit", case, event.pk), data)
    assert response.status_code == 302 and response["Location"] == _case_path(case)
    event.refresh_from_db()
    assert event.onset == "2026-11" and event.hospitalisation  # the unchanged seriousness flag kept


def test_a_bad_partial_date_is_named_beside_its_field_and_nothing_is_saved(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    event = _event(case)
    data = _data(EventForm(instance=event), onset="2026-13-01", end="26/11/2026", reason="correction")
    response = physician.post(_url("event_edit", case, event.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    # the messages of safety.dates.partial_date_check, each in the error list of its own field
    assert 'id="id_onset_error"' in html and "month must be 01 to 12." in html
    assert 'id="id_end_error"' in html and "use YYYY, YYYY-MM or YYYY-MM-DD." in html
    event.refresh_from_db()
    assert event.onset == "2026-11-20"


def test_a_change_without_a_reason_is_refused_with_the_services_message(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    event = _event(case)
    response = physician.post(_url("event_edit", case, event.pk), _data(EventForm(instance=event), severity="severe"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_reason_error"' in html and "A reason for change is required." in html
    event.refresh_from_db()
    assert event.severity == ""


def test_an_event_is_added_with_the_next_key_and_deleted_with_a_reason(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    assert physician.get(_url("event_add", case)).status_code == 200
    data = {"verbatim": "Dizziness", "onset": "2026-11", "outcome": "2", "medically_important": "on", "country": "US"}
    response = physician.post(_url("event_add", case), data)
    assert response.status_code == 302
    added = CaseEvent.objects.get(version__case=case, key="E2")
    assert added.verbatim == "Dizziness" and added.medically_important and not added.death
    refused = physician.post(_url("event_delete", case, added.pk), {"reason": ""})
    assert refused.status_code == 200 and "This field is required." in refused.content.decode()
    response = physician.post(_url("event_delete", case, added.pk), {"reason": "entered twice"})
    assert response.status_code == 302
    assert not CaseEvent.objects.filter(pk=added.pk).exists()


def test_the_meddra_search_lists_llts_with_their_pt_and_soc_and_coding_assesses_expectedness(safety_world, physician):
    case = report_sae(safety_world, "Unheard-of feeling")  # the fictional MedDRA does not know it: not coded
    event = _event(case)
    assert event.pt_name == ""
    page = physician.get(_url("event_edit", case, event.pk), {"q": "fever"})
    html = page.content.decode()
    # fictional MedDRA 26.1 (opencro.formats.coding.fictional): LLT Fever 950000011 -> PT Pyrexia -> General conditions
    assert "Fever" in html and "950000011" in html and "Pyrexia" in html and "General conditions" in html
    assert "Feverishness" not in html  # a non-current LLT is not offered
    fever = DictionaryTerm.objects.get(dictionary=safety_world.meddra, code="950000011")
    response = physician.post(_url("event_code", case, event.pk), {"term": fever.pk})
    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.code, event.pt_name, event.soc_name, event.meddra_version) == (
        "950000011",
        "Pyrexia",
        "General conditions",
        "26.1",
    )
    # Pyrexia is not among the RSI's expected terms (Headache, Nausea: tests/safety/conftest.py)
    assert event.unexpected is True and "Pyrexia is not listed in" in event.expectedness_basis


def test_a_term_outside_the_studys_meddra_is_refused(safety_world, physician):
    case = report_sae(safety_world, "Unheard-of feeling")
    event = _event(case)
    response = physician.post(_url("event_code", case, event.pk), {"term": 2**40})
    assert response.status_code == 200 and "Choose a term of the study&#x27;s MedDRA version." in (
        response.content.decode()
    )


def test_the_medical_reviewer_overrides_expectedness_with_basis_and_reason(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    event = _event(case)
    url = _url("event_expectedness", case, event.pk)
    refused = physician.post(url, {"unexpected": "yes", "basis": "Thunderclap headache is not listed"})
    assert refused.status_code == 200 and 'id="id_reason_error"' in refused.content.decode()
    response = physician.post(url, {"unexpected": "yes", "basis": "Thunderclap headache is not listed", "reason": "r"})
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.unexpected is True and event.expectedness_manual
    assert event.expectedness_basis == "Thunderclap headache is not listed"


# ---- products, pairs and causality --------------------------------------------------------------------------


def test_a_product_is_added_from_the_studys_products_or_by_name(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    assert physician.get(_url("product_add", case)).status_code == 200
    refused = physician.post(_url("product_add", case), {"role": "2", "action_taken": "0"})
    assert refused.status_code == 200
    assert "Choose one of the study&#x27;s products or give the product&#x27;s name." in refused.content.decode()
    response = physician.post(
        _url("product_add", case),
        {"role": "3", "product": safety_world.product.pk, "dose": "10", "dose_unit": "mg", "action_taken": "4"},
    )
    assert response.status_code == 302
    added = CaseProduct.objects.get(version__case=case, key="P2")
    assert (added.name, added.product, added.role) == ("Cardiozan", safety_world.product, "3")
    response = physician.post(
        _url("product_add", case), {"role": "2", "name": "Paracetamol", "start": "2026-10", "action_taken": "0"}
    )
    assert response.status_code == 302
    concomitant = CaseProduct.objects.get(version__case=case, key="P3")
    page = physician.get(_url("product_edit", case, concomitant.pk))
    assert page.status_code == 200 and "Paracetamol" in page.content.decode()
    data = {"role": "2", "name": "Paracetamol", "dose": "500", "dose_unit": "mg", "action_taken": "0", "reason": "dose"}
    assert physician.post(_url("product_edit", case, concomitant.pk), data).status_code == 302
    concomitant.refresh_from_db()
    assert (concomitant.dose, concomitant.start) == ("500", "")


def test_another_studys_product_cannot_be_chosen(safety_world, physician):
    from opencro.safety.models import ProductKind, SafetyProduct
    from opencro.safety.services.rsi import safety_product_save

    other = safety_product_save(
        actor=None,
        product=SafetyProduct(study=safety_world.other_study, name="Elsewhere", kind=ProductKind.INVESTIGATIONAL),
    )
    case = report_sae(safety_world, "Headache")
    response = physician.post(_url("product_add", case), {"role": "1", "product": other.pk, "action_taken": "0"})
    assert response.status_code == 200 and 'id="id_product_error"' in response.content.decode()


def test_a_pair_is_created_once_and_its_causality_recorded(safety_world, physician):
    case = report_sae(safety_world, "Pyrexia")
    version = case.versions.get()
    physician.post(_url("product_add", case), {"role": "2", "name": "Paracetamol", "action_taken": "0"})
    paracetamol = CaseProduct.objects.get(version=version, name="Paracetamol")
    event = _event(case)
    page = physician.get(_url("pair_add", case), {"product": paracetamol.pk, "event": event.pk})
    assert page.status_code == 200 and f'<option value="{paracetamol.pk}" selected>' in page.content.decode()
    response = physician.post(_url("pair_add", case), {"product": paracetamol.pk, "event": event.pk})
    pair = CaseDrugEvent.objects.get(version=version, product=paracetamol)
    assert response.status_code == 302 and response["Location"] == _url("causality_edit", case, pair.pk)
    again = physician.post(_url("pair_add", case), {"product": paracetamol.pk, "event": event.pk})
    assert again.status_code == 200 and "already form a pair" in again.content.decode()

    # the new pair: no reporter's assessment yet, so it may be transcribed once
    page = physician.get(_url("causality_edit", case, pair.pk))
    assert 'data-testid="reporter-form"' in page.content.decode()
    url = _url("causality_edit", case, pair.pk)
    data = {"part": "reporter", "reporter-method": "Global introspection", "reporter-result": "not_related"}
    assert physician.post(url, data).status_code == 302
    assert CaseCausality.objects.get(pair=pair, source="reporter").result == "not_related"
    page = physician.get(url)
    html = page.content.decode()
    assert 'data-testid="reporter-form"' not in html and 'data-testid="reporter-assessment"' in html
    again = physician.post(url, {**data, "reporter-result": "related"})
    assert again.status_code == 200 and "already recorded; the sponsor cannot change it" in again.content.decode()
    assert CaseCausality.objects.get(pair=pair, source="reporter").result == "not_related"

    data = {"part": "company", "company-method": "WHO-UMC", "company-result": "related", "company-comment": "timing"}
    assert physician.post(url, data).status_code == 302
    company = CaseCausality.objects.get(pair=pair, source="company")
    assert (company.method, company.result) == ("WHO-UMC", "related")
    refused = physician.post(url, {**data, "company-result": "not_related"})  # a change: needs its reason
    assert refused.status_code == 200 and "A reason for change is required." in refused.content.decode()
    response = physician.post(
        url, {"part": "pair", "pair-dechallenge": "positive", "pair-rechallenge": "na", "pair-reason": "x"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.dechallenge == "positive"


def test_the_investigators_assessment_is_shown_read_only(safety_world, physician):
    case = report_sae(safety_world, "Pyrexia", relationship="RELATED")
    pair = CaseDrugEvent.objects.get(version__case=case)
    html = physician.get(_url("causality_edit", case, pair.pk)).content.decode()
    assert 'data-testid="reporter-assessment"' in html and "Related (reasonable possibility)" in html
    assert 'data-testid="reporter-form"' not in html and 'data-testid="company-form"' in html


# ---- patient, reporters, tests, history, version --------------------------------------------------------------


def test_the_patient_page_checks_partial_dates_and_saves(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    patient = CasePatient.objects.get(version__case=case)
    assert physician.get(_url("patient_edit", case)).status_code == 200
    base = {"initials": "AB", "sex": "2", "birth_date": "1960", "age": "66", "age_unit": "a", "weight_kg": "71.5"}
    refused = physician.post(_url("patient_edit", case), {**base, "death_date": "2026-02-30", "reason": "x"})
    assert refused.status_code == 200
    assert 'id="id_death_date_error"' in refused.content.decode() and "no such day." in refused.content.decode()
    response = physician.post(_url("patient_edit", case), {**base, "autopsy": "false", "reason": "from the site"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.initials, str(patient.weight_kg), patient.autopsy) == ("AB", "71.50", False)


@pytest.mark.parametrize(
    ("kind", "model", "added", "changed"),
    [
        (
            "reporter",
            CaseReporter,
            {"given_name": "Ana", "family_name": "Ruiz", "qualification": "3"},
            {"city": "Lyon"},
        ),
        ("test", CaseLabResult, {"test": "CRP", "date": "2026-11", "result": "48", "unit": "mg/L"}, {"high": "5"}),
        ("history", CaseHistory, {"term": "Hypertension", "start": "2015", "continuing": "true"}, {"end": "2020"}),
    ],
)
def test_rows_are_added_changed_with_a_reason_and_deleted(safety_world, physician, kind, model, added, changed):
    case = report_sae(safety_world, "Headache")
    before = set(model.objects.filter(version__case=case).values_list("pk", flat=True))
    assert physician.get(_url(f"{kind}_add", case)).status_code == 200
    assert physician.post(_url(f"{kind}_add", case), added).status_code == 302
    [row] = model.objects.filter(version__case=case).exclude(pk__in=before)
    assert physician.get(_url(f"{kind}_edit", case, row.pk)).status_code == 200
    refused = physician.post(_url(f"{kind}_edit", case, row.pk), {**added, **changed})
    assert refused.status_code == 200 and "A reason for change is required." in refused.content.decode()
    assert physician.post(_url(f"{kind}_edit", case, row.pk), {**added, **changed, "reason": "r"}).status_code == 302
    row.refresh_from_db()
    [(name, value)] = changed.items()
    assert getattr(row, name) == value
    assert physician.post(_url(f"{kind}_delete", case, row.pk), {"reason": "wrong case"}).status_code == 302
    assert not model.objects.filter(pk=row.pk).exists()


def test_a_row_of_another_case_is_not_found(safety_world, physician):
    first = report_sae(safety_world, "Headache")
    second = report_sae(safety_world, "Nausea", repeat=2)
    assert physician.get(_url("event_edit", second, _event(first).pk)).status_code == 404


def test_the_version_page_saves_narrative_and_dates(safety_world, physician):
    case = report_sae(safety_world, "Headache")
    assert physician.get(_url("version_edit", case)).status_code == 200
    version = case.versions.get()
    data = {
        "received_on": version.received_on.isoformat(),
        "minimum_criteria_on": version.minimum_criteria_on.isoformat(),
        "narrative": "A 66-year-old woman developed a headache.",
        "sender_diagnosis": "Tension-type headache",
        "significant": "on",
    }
    refused = physician.post(_url("version_edit", case), data)
    assert refused.status_code == 200 and "A reason for change is required." in refused.content.decode()
    assert physician.post(_url("version_edit", case), {**data, "reason": "narrative written"}).status_code == 302
    version.refresh_from_db()
    assert version.narrative.startswith("A 66-year-old") and version.sender_diagnosis == "Tension-type headache"


def _frozen(world):
    """A case whose only version was approved and submitted to the FDA: frozen (the path of test_workflow.py)."""
    physician = world.users["safety_physician"]
    case = report_sae(world, "Pyrexia")
    version = case.versions.get()
    for state in (VersionState.DATA_ENTRY, VersionState.CODING, VersionState.MEDICAL_REVIEW):
        version = case_version_advance(actor=physician, version=version, to_state=state)
    for pair in CaseDrugEvent.objects.filter(version=version):
        case_part_save(
            actor=physician, part=CaseCausality(version=version, pair=pair, source="company", result="related")
        )
    version.refresh_from_db()
    version = case_version_approve(actor=physician, version=version, password=PASSWORD)
    due = next(r.due for r in case_due_rows(case)[0] if r.due.recipient == "FDA")
    submission_record(
        actor=physician,
        version=version,
        rule_set=due.rule_set,
        rule=due.rule,
        recipient=due.recipient,
        kind=due.kind,
        submitted_on=site_today(world.site_a),
    )
    return case


def test_a_frozen_version_refuses_every_edit_with_the_message_shown(safety_world, physician):
    case = _frozen(safety_world)
    assert CaseVersion.objects.get(case=case).frozen
    page = physician.get(_url("version_edit", case))
    frozen = "Version 1 was submitted and is frozen; start a follow-up."
    assert page.status_code == 200 and 'data-testid="frozen"' in page.content.decode()
    response = physician.post(
        _url("version_edit", case), {"received_on": "2026-11-20", "narrative": "x", "reason": "r"}
    )
    assert response.status_code == 200 and frozen in response.content.decode()
    response = physician.post(_url("event_add", case), {"verbatim": "Rash", "outcome": "0"})
    assert response.status_code == 200 and frozen in response.content.decode()
    assert not CaseEvent.objects.filter(version__case=case, verbatim="Rash").exists()


# ---- who may -------------------------------------------------------------------------------------------------


def test_a_monitor_may_not_open_the_edit_pages(safety_world, login):
    case = report_sae(safety_world, "Headache")
    client = login(safety_world.users["monitor"])
    event = _event(case)
    assert client.get(_url("event_edit", case, event.pk)).status_code == 403
    assert client.post(_url("event_edit", case, event.pk), {"verbatim": "x", "reason": "x"}).status_code == 403
    assert client.get(_url("patient_edit", case)).status_code == 403


def test_an_investigator_reads_only_and_never_another_sites_cases(safety_world, login):
    case_a = report_sae(safety_world, "Headache")
    case_b = case_create(
        actor=None,
        study=safety_world.study,
        intake=CaseIntake(
            source="study_manual",
            received_on=timezone.localdate() - dt.timedelta(days=1),
            events=[EventInput("Rash", onset="2026-11")],
            products=[ProductInput("Cardiozan", product=safety_world.product)],
        ),
        subject=safety_world.subject_b,
    )
    client = login(safety_world.users["investigator"])  # site A1 only, safety.view without safety.edit
    assert client.get(_url("version_edit", case_b)).status_code == 404
    assert client.post(_url("event_add", case_b), {"verbatim": "x", "outcome": "0"}).status_code == 404
    assert client.get(_url("version_edit", case_a)).status_code == 403
    assert client.post(_url("event_add", case_a), {"verbatim": "x", "outcome": "0"}).status_code == 403
