"""The safety API as a client uses it: the worklist, intake, a case's content, the workflow to approval and
reporting, follow-ups and duplicates, the set-up of products, RSI and rule sets; scope and permissions."""

import datetime as dt

import pytest

from opencro.accounts.services import membership_grant, token_create
from opencro.coding.models import DictionaryTerm
from opencro.safety.models import CaseSource
from opencro.safety.services.intake import CaseIntake, EventInput, ProductInput, ReporterInput, case_create
from opencro.studies.dates import site_today
from tests.conftest import PASSWORD, make_user
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db

RECEIVED = "2026-11-02"  # a receipt date in the past, after the RSI (IB 5.0) came into force on 2026-01-01


def _url(world, tail: str = "", study=None) -> str:
    return f"/api/v1/studies/{(study or world.study).pk}/safety{tail}"


def _send(client, method: str, url: str, body: dict | None = None, **headers):
    return getattr(client, method)(url, body or {}, content_type="application/json", **headers)


class Api:
    """A client holding one user's bearer token."""

    def __init__(self, client, user) -> None:
        _token, key = token_create(actor=user, user=user, name="safety-api-test")
        self.client, self.auth = client, {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url: str):
        return self.client.get(url, **self.auth)

    def __getattr__(self, method: str):
        return lambda url, body=None: _send(self.client, method, url, body, **self.auth)


@pytest.fixture
def physician(safety_world, client):
    return Api(client, safety_world.users["safety_physician"])


def _intake_body(world, **more) -> dict:
    return {
        "source": "spontaneous",
        "received_on": RECEIVED,
        "reporter": {"family_name": "Moreau", "qualification": "1", "country": "FR"},
        "patient": {"initials": "JD", "sex": "2", "birth_date": "1960"},
        "events": [{"verbatim": "Rash all over", "onset": "2026-10", "criteria": ["medically_important"]}],
        "products": [{"product_id": world.product.pk, "dose": "10", "dose_unit": "mg"}],
        **more,
    }


def _errors(response) -> dict:
    assert response.status_code == 422, response.content
    return response.json()["errors"]


def _locations(response) -> set[str]:
    """The fields ninja's own (schema) validation names in a 422."""
    assert response.status_code == 422, response.content
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


# ---- OpenAPI -----------------------------------------------------------------------------------------------------


def test_the_openapi_schema_still_generates_with_the_safety_routes(client, safety_world):
    client.force_login(safety_world.users["safety_physician"])
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/studies/{study_id}/safety/cases/{case_id}/approve" in paths
    assert "/api/v1/studies/{study_id}/safety/rule-sets/applied" in paths
    assert client.get(_url(safety_world, "/cases")).status_code == 200  # a browser session works as well as a token


# ---- the whole flow ----------------------------------------------------------------------------------------------


def test_an_sae_from_the_edc_goes_through_the_api_to_an_acknowledged_submission(safety_world, physician):
    world = safety_world
    case = report_sae(world, "Unheard-of feeling", criteria="HOSP")  # the fictional MedDRA does not know the verbatim
    url = _url(world, f"/cases/{case.pk}")
    listed = physician.get(_url(world, "/cases")).json()
    assert listed["count"] == 1
    row = listed["items"][0]
    assert (row["number"], row["subject"], row["site"], row["source"]) == ("T-001-S0001", "A1-001", "A1", "study")
    assert (row["state"], row["version"], row["serious"], row["overdue"]) == ("triage", 1, True, False)

    for state in ("data_entry", "coding"):
        moved = physician.post(url + "/advance", {"to_state": state})
        assert moved.status_code == 200 and moved.json()["workflow"]["state"] == state
    blocked = physician.post(url + "/advance", {"to_state": "medical_review"})
    assert _errors(blocked)["state"] == ["Event E1 is not coded."]
    event_id = physician.get(url).json()["events"][0]["id"]
    pyrexia = DictionaryTerm.objects.get(dictionary=world.meddra, term="Pyrexia")
    coded = physician.post(url + f"/events/{event_id}/code", {"code": pyrexia.code})
    assert coded.status_code == 200
    event = coded.json()
    assert event["meddra"]["pt_name"] == "Pyrexia" and event["meddra"]["llt_code"] == pyrexia.code
    # Pyrexia is not in the RSI (IB 5.0 lists Headache and Nausea): unexpected; the investigator said "related"
    assert event["unexpected"] is True and "Pyrexia is not listed" in event["expectedness_basis"]
    assert event["related"] is True
    physician.post(url + "/advance", {"to_state": "medical_review"})

    body = physician.get(url).json()
    assert body["workflow"]["blockers"] == ["The company's causality for P1 x E1 is missing."]
    refused = physician.post(url + "/approve", {"password": PASSWORD})
    assert _errors(refused)["state"] == ["The company's causality for P1 x E1 is missing."]
    pair = body["pairs"][0]
    assert pair["reporter"]["result"] == "related" and pair["company"] is None
    assessed = physician.post(url + f"/pairs/{pair['id']}/causality", {"source": "company", "result": "related"})
    assert assessed.status_code == 201 and assessed.json()["company"]["result"] == "related"

    wrong = physician.post(url + "/approve", {"password": "not-the-password"})
    assert wrong.status_code == 403
    assert wrong.json()["detail"] == "The password is not correct; the signature was not applied."
    approved = physician.post(url + "/approve", {"password": PASSWORD})
    assert approved.status_code == 200
    body = approved.json()
    assert body["version"]["state"] == "approved"
    [signature] = body["signatures"]
    assert signature["printed_name"] == world.users["safety_physician"].printed_name and not signature["broken"]

    # a serious, unexpected, related event that is neither fatal nor life-threatening: the FDA's 15-day report
    # (21 CFR 312.32(c)(1)), due 15 calendar days after day 0 (the receipt of the SAE from the site)
    fda = next(r for r in body["reports"] if r["recipient"] == "FDA")
    day0 = dt.date.fromisoformat(body["version"]["minimum_criteria_on"])
    assert (fda["kind"], fda["days"], fda["status"]) == ("initial", 15, "due")
    assert dt.date.fromisoformat(fda["due_on"]) == day0 + dt.timedelta(days=15)
    today = site_today(world.site_a).isoformat()
    sent = physician.post(
        url + "/submissions",
        {
            "rule_set": fda["rule_set"],
            "rule": fda["rule"],
            "recipient": "FDA",
            "kind": "initial",
            "submitted_on": today,
            "message_id": "US-OPENCRO-T-001-S0001",
        },
    )
    assert sent.status_code == 201, sent.content
    submission = sent.json()
    assert (submission["version"], submission["due_on"], submission["ack_code"]) == (1, fda["due_on"], "")
    acked = physician.post(
        _url(world, f"/submissions/{submission['id']}/ack"),
        {"batch_code": "AA", "case_code": "CA", "received_on": today},
    )
    assert acked.status_code == 200 and (acked.json()["ack_batch_code"], acked.json()["ack_code"]) == ("AA", "CA")

    body = physician.get(url).json()
    assert body["version"]["state"] == "reported" and body["version"]["frozen_at"] is not None
    fda = next(r for r in body["reports"] if r["recipient"] == "FDA")
    assert (fda["status"], fda["submission_id"]) == ("on time", submission["id"])
    assert [s["id"] for s in physician.get(url + "/submissions").json()] == [submission["id"]]
    frozen = physician.patch(url + "/version", {"narrative": "late", "reason": "typo"})
    assert "frozen" in _errors(frozen)["version"][0]
    early = physician.post(
        _url(world, f"/submissions/{submission['id']}/ack"),
        {"batch_code": "AA", "received_on": (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()},
    )
    assert "received_on" in _errors(early)  # an acknowledgement cannot precede the submission

    # an investigator of site B only: neither the site A case nor its submission exists for them
    elsewhere = make_user("investigator-b")
    membership_grant(
        actor=world.admin, user=elsewhere, study=world.study, role_code="investigator", sites=[world.site_b]
    )
    other = Api(physician.client, elsewhere)
    assert other.get(url).status_code == 404 and other.get(_url(world, "/cases")).json()["count"] == 0
    ack = other.post(_url(world, f"/submissions/{submission['id']}/ack"), {"batch_code": "AA", "received_on": today})
    assert ack.status_code == 404


# ---- intake and the worklist -------------------------------------------------------------------------------------


def test_manual_intake_answers_201_with_the_case(safety_world, physician):
    world = safety_world
    made = physician.post(_url(world, "/cases"), _intake_body(world, subject_id=world.subject_b.pk))
    assert made.status_code == 201, made.content
    case = made.json()
    assert (case["number"], case["source"], case["subject"], case["site"]) == (
        "T-001-S0001",
        "spontaneous",
        "B1-001",
        "B1",
    )
    assert case["version"]["minimum_criteria_on"] == RECEIVED  # patient, reporter, suspect product and event: day 0
    [event] = case["events"]
    assert (event["key"], event["onset"], event["criteria"], event["serious"]) == (
        "E1",
        "2026-10",
        ["medically_important"],
        True,
    )
    [product] = case["products"]
    assert (product["name"], product["product_id"], product["blinded"], product["dose"]) == (
        "Cardiozan",
        world.product.pk,
        True,
        "10",
    )
    assert case["reporters"][0]["family_name"] == "Moreau" and case["patient"]["initials"] == "JD"
    assert [v["number"] for v in case["versions"]] == [1]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"events": []}, "events"),
        ({"received_on": "2099-01-01"}, "received_on"),
        ({"source": "study"}, "source"),
        ({"products": [{"product_id": 999999}]}, "products"),
        ({"products": [{"dose": "1"}]}, "products"),
        ({"subject_id": 999999}, "subject_id"),
    ],
)
def test_manual_intake_refuses_bad_input_naming_the_field(safety_world, physician, change, field):
    assert field in _errors(physician.post(_url(safety_world, "/cases"), _intake_body(safety_world, **change)))


def test_manual_intake_refuses_bad_dates_and_criteria_before_any_write(safety_world, physician):
    world = safety_world
    bad_onset = _intake_body(world, events=[{"verbatim": "Rash", "onset": "2026-13"}])
    assert _errors(physician.post(_url(world, "/cases"), bad_onset)) == {"onset": ["month must be 01 to 12."]}
    bad_criterion = _intake_body(world, events=[{"verbatim": "Rash", "criteria": ["sneezing"]}])
    assert "criteria" in str(physician.post(_url(world, "/cases"), bad_criterion).json()["detail"])
    assert physician.get(_url(world, "/cases")).json()["count"] == 0  # nothing half-written


def test_the_worklist_filters_sorts_and_pages(safety_world, physician):
    world = safety_world
    sae = report_sae(world, "Headache")
    physician.post(_url(world, "/cases"), _intake_body(world))
    cases = physician.get(_url(world, "/cases?sort=number")).json()
    assert cases["count"] == 2 and [c["number"] for c in cases["items"]] == ["T-001-S0001", "T-001-S0002"]
    only_study = physician.get(_url(world, "/cases?source=spontaneous")).json()["items"]
    assert [c["number"] for c in only_study] == ["T-001-S0002"]
    assert physician.get(_url(world, "/cases?search=A1-001")).json()["items"][0]["id"] == sae.pk
    assert physician.get(_url(world, f"/cases?site={world.site_a.pk}")).json()["count"] == 1
    assert physician.get(_url(world, "/cases?state=coding")).json()["count"] == 0
    assert physician.get(_url(world, "/cases?overdue=true")).json()["count"] == 0
    page = physician.get(_url(world, "/cases?sort=received&limit=1&offset=1")).json()
    assert page["count"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["number"] == "T-001-S0002"  # received 2026-11-02, before the SAE received today
    assert _locations(physician.get(_url(world, "/cases?limit=0"))) == {"limit"}
    assert _locations(physician.get(_url(world, "/cases?sort=colour"))) == {"sort"}


# ---- the version's content ---------------------------------------------------------------------------------------


@pytest.fixture
def manual_case(safety_world, physician) -> dict:
    return physician.post(_url(safety_world, "/cases"), _intake_body(safety_world)).json()


def test_the_version_and_each_kind_of_row_can_be_added_changed_and_removed(safety_world, physician, manual_case):
    url = _url(safety_world, f"/cases/{manual_case['id']}")
    change = {"narrative": "A 66-year-old woman ...", "sender_diagnosis": "Rash"}
    assert _errors(physician.patch(url + "/version", change)) == {"reason": ["A reason for change is required."]}
    narrative = physician.patch(url + "/version", {**change, "reason": "narrative written"})
    assert narrative.status_code == 200 and narrative.json()["version"]["narrative"] == "A 66-year-old woman ..."

    event = physician.post(url + "/events", {"verbatim": "Itching", "onset": "2026-10-03", "criteria": []})
    assert event.status_code == 201 and event.json()["key"] == "E2" and event.json()["serious"] is False
    event_id = event.json()["id"]
    changed = physician.patch(url + f"/events/{event_id}", {"criteria": ["hospitalisation"], "reason": "hospital"})
    assert changed.json()["criteria"] == ["hospitalisation"] and changed.json()["onset"] == "2026-10-03"
    assert _locations(physician.patch(url + f"/events/{event_id}", {"outcome": "1"})) == {"reason"}
    assert _errors(physician.patch(url + f"/events/{event_id}", {"end": "2026-02-30", "reason": "x"})) == {
        "end": ["no such day."]
    }

    product = physician.post(url + "/products", {"name": "Aspirin", "role": "2", "dose": "100", "dose_unit": "mg"})
    assert product.status_code == 201 and (product.json()["key"], product.json()["blinded"]) == ("P2", False)
    product_id = product.json()["id"]
    assert physician.patch(url + f"/products/{product_id}", {"route": "oral", "reason": "r"}).json()["route"] == "oral"
    assert "name" in _errors(physician.post(url + "/products", {"role": "2"}))
    study_drug = physician.post(url + "/products", {"product_id": safety_world.product.pk, "indication": "HF"}).json()
    assert (study_drug["key"], study_drug["name"], study_drug["blinded"]) == ("P3", "Cardiozan", True)
    assert "product_id" in _errors(physician.post(url + "/products", {"product_id": 999999}))
    assert physician.delete(url + f"/products/{study_drug['id']}", {"reason": "entered twice"}).status_code == 204

    pair = physician.post(url + "/pairs", {"product_id": manual_case["products"][0]["id"], "event_id": event_id})
    assert pair.status_code == 201 and (pair.json()["product_key"], pair.json()["event_key"]) == ("P1", "E2")
    pair_id = pair.json()["id"]
    assert (
        physician.patch(url + f"/pairs/{pair_id}", {"dechallenge": "positive", "reason": "r"}).json()["dechallenge"]
        == "positive"
    )
    assert "event_id" in _errors(physician.post(url + "/pairs", {"product_id": product_id, "event_id": 999999}))
    reporter = physician.post(url + f"/pairs/{pair_id}/causality", {"source": "reporter", "result": "related"})
    assert reporter.status_code == 201 and reporter.json()["reporter"]["result"] == "related"
    again = physician.post(url + f"/pairs/{pair_id}/causality", {"source": "reporter", "result": "related"})
    assert again.status_code == 422  # one assessment per source
    downgrade = physician.patch(url + f"/pairs/{pair_id}/causality/reporter", {"result": "not_related", "reason": "r"})
    assert "reporter's assessment cannot be changed" in _errors(downgrade)["result"][0]
    kept = physician.delete(url + f"/pairs/{pair_id}/causality/reporter", {"reason": "sponsor disagrees"})
    assert "cannot be removed" in _errors(kept)["source"][0]
    physician.post(url + f"/pairs/{pair_id}/causality", {"source": "company", "result": "related"})
    company = physician.patch(url + f"/pairs/{pair_id}/causality/company", {"result": "not_related", "reason": "r"})
    assert company.json()["company"]["result"] == "not_related"
    assert physician.delete(url + f"/pairs/{pair_id}/causality/company", {"reason": "r"}).status_code == 204
    assert physician.patch(url + f"/pairs/{pair_id}/causality/company", {"reason": "r"}).status_code == 404

    test = physician.post(url + "/tests", {"test": "Eosinophils", "date": "2026-10-04", "result": "1.2", "unit": "G/L"})
    assert test.status_code == 201
    test_id = test.json()["id"]
    assert physician.patch(url + f"/tests/{test_id}", {"high": "0.5", "reason": "r"}).json()["high"] == "0.5"
    history = physician.post(url + "/history", {"term": "Atopic dermatitis", "start": "1990", "continuing": True})
    assert history.status_code == 201
    history_id = history.json()["id"]
    assert physician.patch(url + f"/history/{history_id}", {"end": "2020", "reason": "r"}).json()["end"] == "2020"
    second = physician.post(url + "/reporters", {"family_name": "Kato", "qualification": "3", "country": "JP"})
    assert second.status_code == 201 and second.json()["primary"] is False
    reporter_id = second.json()["id"]
    assert (
        physician.patch(url + f"/reporters/{reporter_id}", {"city": "Osaka", "reason": "r"}).json()["city"] == "Osaka"
    )

    assert "patient" in _errors(physician.post(url + "/patient", {"initials": "XY"}))
    assert physician.patch(url + "/patient", {"weight_kg": 61.5, "reason": "r"}).json()["weight_kg"] == 61.5

    body = physician.get(url).json()
    assert [e["key"] for e in body["events"]] == ["E1", "E2"]
    assert [(p["product_key"], p["event_key"]) for p in body["pairs"]] == [("P1", "E1"), ("P1", "E2")]  # E1 at intake
    assert (len(body["tests"]), len(body["history"]), len(body["reporters"])) == (1, 1, 2)
    assert body["version"]["sender_diagnosis"] == "Rash"

    for tail in (f"/tests/{test_id}", f"/history/{history_id}", f"/reporters/{reporter_id}", f"/pairs/{pair_id}"):
        assert _locations(physician.delete(url + tail)) == {"reason"}
        assert physician.delete(url + tail, {"reason": "entered in error"}).status_code == 204
    assert physician.delete(url + f"/products/{product_id}", {"reason": "not taken"}).status_code == 204
    assert physician.delete(url + f"/events/{event_id}", {"reason": "same as E1"}).status_code == 204
    assert physician.delete(url + "/patient", {"reason": "wrong patient"}).status_code == 204
    assert physician.patch(url + "/patient", {"initials": "AB", "reason": "r"}).status_code == 404
    assert physician.post(url + "/patient", {"initials": "AB", "sex": "2"}).status_code == 201

    body = physician.get(url).json()
    assert [e["key"] for e in body["events"]] == ["E1"] and [p["key"] for p in body["products"]] == ["P1"]
    assert [(p["product_key"], p["event_key"]) for p in body["pairs"]] == [("P1", "E1")]  # the intake's pair stays
    assert (body["tests"], body["history"], len(body["reporters"])) == ([], [], 1)
    assert body["patient"]["initials"] == "AB"


def test_a_row_of_another_case_is_not_found(safety_world, physician, manual_case):
    other = report_sae(safety_world, "Headache")
    url = _url(safety_world, f"/cases/{other.pk}")
    event_id = manual_case["events"][0]["id"]
    assert physician.patch(url + f"/events/{event_id}", {"verbatim": "x", "reason": "r"}).status_code == 404
    assert physician.delete(url + f"/events/{event_id}", {"reason": "r"}).status_code == 404


def test_coding_by_term_id_and_the_reviewers_expectedness(safety_world, physician, manual_case):
    url = _url(safety_world, f"/cases/{manual_case['id']}")
    event_id = manual_case["events"][0]["id"]
    headache = DictionaryTerm.objects.get(dictionary=safety_world.meddra, term="Headache")
    coded = physician.post(url + f"/events/{event_id}/code", {"term_id": headache.pk}).json()
    assert coded["meddra"]["pt_name"] == "Headache" and coded["unexpected"] is False  # listed in IB 5.0
    assert "term_id" in _errors(physician.post(url + f"/events/{event_id}/code", {"term_id": 999999}))
    assert "code" in _errors(physician.post(url + f"/events/{event_id}/code", {"code": "nope"}))
    assert "term_id" in _errors(physician.post(url + f"/events/{event_id}/code", {}))
    decided = physician.post(
        url + f"/events/{event_id}/expectedness",
        {"unexpected": True, "basis": "Severity beyond the IB's description", "reason": "medical review"},
    ).json()
    assert (decided["unexpected"], decided["expectedness_manual"]) == (True, True)
    assert decided["expectedness_basis"] == "Severity beyond the IB's description"
    no_basis = physician.post(url + f"/events/{event_id}/expectedness", {"unexpected": False, "reason": "x"})
    assert _locations(no_basis) == {"basis"}


def test_a_case_shows_any_version_and_a_follow_up_starts_from_the_approved_one(safety_world, physician):
    world = safety_world
    case = report_sae(world, "Headache")
    url = _url(world, f"/cases/{case.pk}")
    early = physician.post(url + "/follow-ups", {"received_on": site_today(world.site_a).isoformat()})
    assert "still being processed" in _errors(early)["version"][0]
    for state in ("data_entry", "coding", "medical_review"):
        physician.post(url + "/advance", {"to_state": state})
    back = physician.post(url + "/advance", {"to_state": "coding"})
    assert "reason" in _errors(back)
    assert physician.post(url + "/advance", {"to_state": "approved"}).status_code == 422  # approval is signed
    pair_id = physician.get(url).json()["pairs"][0]["id"]
    physician.post(url + f"/pairs/{pair_id}/causality", {"source": "company", "result": "related"})
    physician.post(url + "/approve", {"password": PASSWORD})
    follow = physician.post(url + "/follow-ups", {"received_on": site_today(world.site_a).isoformat(), "reason": "fu"})
    assert follow.status_code == 201
    body = follow.json()
    assert body["version"]["number"] == 2 and body["version"]["state"] == "triage"
    assert [(v["number"], v["frozen"], v["latest"]) for v in body["versions"]] == [(1, True, False), (2, False, True)]
    first = physician.get(url + "?version=1").json()
    assert first["version"]["number"] == 1 and first["version"]["state"] == "approved"
    assert physician.get(url + "?version=7").status_code == 404
    assert physician.get(_url(world, "/cases")).json()["items"][0]["version"] == 2


def test_possible_duplicates_and_marking_one(safety_world, physician):
    world = safety_world
    first = report_sae(world, "Headache", start="2026-11-20")
    second = report_sae(world, "Headache", repeat=2, start="2026-11-20")
    url = _url(world, f"/cases/{second.pk}")
    [found] = physician.get(url + "/duplicates").json()
    assert found["case_id"] == first.pk and found["number"] == "T-001-S0001"
    assert found["reasons"][0] == "same patient"
    assert "of_case" in _errors(physician.post(url + "/duplicate", {"of_case": second.pk, "reason": "r"}))
    assert "of_case" in _errors(physician.post(url + "/duplicate", {"of_case": 999999, "reason": "r"}))
    assert _locations(physician.post(url + "/duplicate", {"of_case": first.pk})) == {"reason"}
    marked = physician.post(url + "/duplicate", {"of_case": first.pk, "reason": "same SAE entered twice"}).json()
    assert (marked["status"], marked["duplicate_of"]) == ("duplicate", "T-001-S0001")


def test_submissions_are_refused_until_approved_and_for_reports_not_due(safety_world, physician):
    world = safety_world
    case = report_sae(world, "Pyrexia")
    url = _url(world, f"/cases/{case.pk}")
    today = site_today(world.site_a).isoformat()
    body = {"rule_set": "FDA-IND", "rule": "x", "recipient": "FDA", "kind": "initial", "submitted_on": today}
    assert "Approve the version" in _errors(physician.post(url + "/submissions", body))["version"][0]
    assert "version" in _errors(physician.post(url + "/submissions", {**body, "version": 9}))
    assert _locations(physician.post(url + "/submissions", {**body, "kind": "final"})) == {"kind"}
    assert _locations(
        physician.post(_url(world, "/submissions/1/ack"), {"batch_code": "XX", "received_on": today})
    ) == {"batch_code"}
    unknown = physician.post(_url(world, "/submissions/999999/ack"), {"batch_code": "AA", "received_on": today})
    assert unknown.status_code == 404
    assert physician.get(url + "/submissions").json() == []


# every operation of the safety API with a body it accepts: the scope and permission checks come before any row is
# looked up, so row ids need not exist; a body the schema refuses would answer 422 before them, so each is valid
CASE_ROUTES = [
    ("get", "", None),
    ("get", "/duplicates", None),
    ("get", "/submissions", None),
    ("patch", "/version", {"narrative": "x", "reason": "r"}),
    ("post", "/events", {"verbatim": "x"}),
    ("patch", "/events/1", {"reason": "r"}),
    ("delete", "/events/1", {"reason": "r"}),
    ("post", "/events/1/code", {"code": "1"}),
    ("post", "/events/1/expectedness", {"unexpected": True, "basis": "b", "reason": "r"}),
    ("post", "/products", {"name": "x"}),
    ("patch", "/products/1", {"reason": "r"}),
    ("delete", "/products/1", {"reason": "r"}),
    ("post", "/pairs", {"product_id": 1, "event_id": 1}),
    ("patch", "/pairs/1", {"reason": "r"}),
    ("delete", "/pairs/1", {"reason": "r"}),
    ("post", "/pairs/1/causality", {"source": "company", "result": "related"}),
    ("patch", "/pairs/1/causality/company", {"reason": "r"}),
    ("delete", "/pairs/1/causality/company", {"reason": "r"}),
    ("post", "/tests", {"test": "x"}),
    ("patch", "/tests/1", {"reason": "r"}),
    ("delete", "/tests/1", {"reason": "r"}),
    ("post", "/history", {"term": "x"}),
    ("patch", "/history/1", {"reason": "r"}),
    ("delete", "/history/1", {"reason": "r"}),
    ("post", "/reporters", {}),
    ("patch", "/reporters/1", {"reason": "r"}),
    ("delete", "/reporters/1", {"reason": "r"}),
    ("post", "/patient", {}),
    ("patch", "/patient", {"reason": "r"}),
    ("delete", "/patient", {"reason": "r"}),
    ("post", "/advance", {"to_state": "data_entry"}),
    ("post", "/approve", {"password": "x"}),
    ("post", "/follow-ups", {"received_on": RECEIVED}),
    ("post", "/duplicate", {"of_case": 1, "reason": "r"}),
    (
        "post",
        "/submissions",
        {"rule_set": "FDA-IND", "rule": "x", "recipient": "FDA", "kind": "initial", "submitted_on": RECEIVED},
    ),
]
SETUP_READS = [("get", "/cases", None), ("get", "/products", None), ("get", "/rsi", None), ("get", "/rule-sets", None)]
SETUP_WRITES = [
    ("post", "/cases", None),  # the intake body, filled in by _call
    ("post", "/products", {"name": "x", "kind": "placebo"}),
    ("patch", "/products/{product}", {"reason": "r"}),
    ("post", "/rsi", {"product_id": 1, "document": "IB", "version": "9", "effective_from": RECEIVED, "terms": []}),
    ("put", "/rule-sets/applied", {"codes": []}),
    ("post", "/rule-sets", {"document": {}}),
    ("post", "/submissions/{submission}/ack", {"batch_code": "AA", "received_on": RECEIVED}),
]


# ---- permissions and scope ---------------------------------------------------------------------------------------


@pytest.fixture
def two_sites(safety_world, physician):
    """A case at site A (an SAE from the EDC) and one at site B (entered by hand for subject B1-001)."""
    case_a = report_sae(safety_world, "Headache")
    case_b = physician.post(
        _url(safety_world, "/cases"), _intake_body(safety_world, subject_id=safety_world.subject_b.pk)
    )
    return case_a, case_b.json()["id"]


def test_an_investigator_reads_their_sites_cases_and_changes_none(safety_world, client, two_sites):
    case_a, _b = two_sites
    investigator = Api(client, safety_world.users["investigator"])
    assert [c["id"] for c in investigator.get(_url(safety_world, "/cases")).json()["items"]] == [case_a.pk]
    for method, tail, body in CASE_ROUTES:
        answer = _call(investigator, safety_world, method, _url(safety_world, f"/cases/{case_a.pk}{tail}"), body)
        assert answer.status_code == (200 if method == "get" else 403), (method, tail, answer.content)


def test_the_auditor_reads_but_cannot_write(safety_world, client, two_sites):
    _case_a, case_b = two_sites
    auditor = Api(client, safety_world.users["auditor"])
    assert auditor.get(_url(safety_world, "/cases")).json()["count"] == 2
    assert auditor.get(_url(safety_world, f"/cases/{case_b}")).status_code == 200
    assert auditor.get(_url(safety_world, "/rule-sets")).status_code == 200
    assert auditor.post(_url(safety_world, f"/cases/{case_b}/events"), {"verbatim": "x"}).status_code == 403
    assert auditor.put(_url(safety_world, "/rule-sets/applied"), {"codes": []}).status_code == 403


def _call(api: Api, world, method: str, url: str, body):
    if method == "get":
        return api.get(url)
    if body is None:
        body = _intake_body(world)
    return getattr(api, method)(url.format(product=world.product.pk, submission=1), body)


def test_the_route_table_covers_every_safety_operation(client, safety_world):
    client.force_login(safety_world.users["safety_physician"])
    schema = client.get("/api/v1/openapi.json").json()
    # the file routes (safety/api/e2b.py) are tested in test_e2b_pages.py, the signal workspace's and the unblinding's
    # in test_signals.py, test_signal_runs.py and test_unblinding.py
    files = ("/e2b", "/cioms", "/acks", "/signals", "/signal-runs", "/unblinding")
    found = {
        (m.upper(), path)
        for path, ops in schema["paths"].items()
        for m in ops
        if "/safety/" in path and not any(part in path for part in files)
    }
    prefix = "/api/v1/studies/{study_id}/safety"
    ids = {"events/1": "events/{event_id}", "products/1": "products/{product_id}", "pairs/1": "pairs/{pair_id}"}
    ids |= {"tests/1": "tests/{test_id}", "history/1": "history/{history_id}", "reporters/1": "reporters/{reporter_id}"}
    ids |= {"causality/company": "causality/{source}", "{submission}": "{submission_id}"}

    def pattern(tail: str) -> str:
        for concrete, param in ids.items():
            tail = tail.replace(concrete, param)
        return tail.replace("{product}", "{product_id}")

    table = {(m.upper(), prefix + "/cases/{case_id}" + pattern(tail)) for m, tail, _b in CASE_ROUTES}
    table |= {(m.upper(), prefix + pattern(tail)) for m, tail, _b in SETUP_READS + SETUP_WRITES}
    assert table == found


def test_a_monitor_is_refused_every_route(safety_world, client, two_sites):
    case_a, _b = two_sites
    monitor = Api(client, safety_world.users["monitor"])
    for method, tail, body in CASE_ROUTES:
        answer = _call(monitor, safety_world, method, _url(safety_world, f"/cases/{case_a.pk}{tail}"), body)
        assert answer.status_code == 403, (method, tail, answer.content)
    for method, tail, body in SETUP_READS + SETUP_WRITES:
        # the acknowledgement of a submission that does not exist: the submission is looked for first (404)
        wanted = 404 if "{submission}" in tail else 403
        assert _call(monitor, safety_world, method, _url(safety_world, tail), body).status_code == wanted, (
            method,
            tail,
        )


def test_an_investigator_of_site_a_finds_no_site_b_case_and_writes_no_set_up(safety_world, client, two_sites):
    _a, case_b = two_sites
    investigator = Api(client, safety_world.users["investigator"])
    for method, tail, body in CASE_ROUTES:
        answer = _call(investigator, safety_world, method, _url(safety_world, f"/cases/{case_b}{tail}"), body)
        assert answer.status_code == 404, (method, tail, answer.content)
    for method, tail, body in SETUP_READS:
        assert _call(investigator, safety_world, method, _url(safety_world, tail), body).status_code == 200, tail
    for method, tail, body in SETUP_WRITES:
        answer = _call(investigator, safety_world, method, _url(safety_world, tail), body)
        # a submission is looked up in the caller's scope before the permission: none exists, so 404
        expected = 404 if "/submissions/" in tail else 403
        assert answer.status_code == expected, (method, tail, answer.content)


def test_every_route_finds_no_case_of_another_study(safety_world, physician, client):
    world = safety_world
    other = case_create(
        actor=None,
        study=world.other_study,
        intake=CaseIntake(
            source=CaseSource.LITERATURE,
            received_on=dt.date(2026, 11, 2),
            events=[EventInput("Rash")],
            products=[ProductInput("Other drug")],
            reporter=ReporterInput(family_name="Lee", qualification="1"),
        ),
    )
    for method, tail, body in CASE_ROUTES:
        answer = _call(physician, world, method, _url(world, f"/cases/{other.pk}{tail}"), body)
        assert answer.status_code == 404, (method, tail, answer.content)
        other_study = _url(world, f"/cases/{other.pk}{tail}", study=world.other_study)  # not a member there
        assert _call(physician, world, method, other_study, body).status_code == 404, (method, tail)
    outsider = Api(client, world.outsider)  # a member of the other study only
    for method, tail, body in SETUP_READS + SETUP_WRITES:
        assert _call(outsider, world, method, _url(world, tail), body).status_code == 404, (method, tail)


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def test_the_api_never_shows_a_treatment_assignment(safety_world, physician, two_sites):
    case_a, case_b = two_sites
    answers = [
        physician.get(_url(safety_world, "/cases")),
        physician.get(_url(safety_world, f"/cases/{case_a.pk}")),
        physician.get(_url(safety_world, f"/cases/{case_b}")),
    ]
    texts = [a.content.decode() for a in answers]
    for arm in safety_world.arms:  # "Arm A", "Arm P": the subjects were randomised to them by the world fixture
        assert all(arm.name not in text for text in texts)
    assert all("R-A1-001" not in text and "R-B1-001" not in text for text in texts)  # randomisation numbers
    keys = set().union(*(_keys(a.json()) for a in answers))
    assert not {k for k in keys if any(word in k for word in ("arm", "treatment", "assignment", "randomis"))}


# ---- set-up: products, RSI, rule sets ----------------------------------------------------------------------------


def test_products_can_be_listed_added_and_changed(safety_world, physician):
    url = _url(safety_world, "/products")
    assert [p["name"] for p in physician.get(url).json()] == ["Cardiozan"]
    made = physician.post(url, {"name": "Placebo", "kind": "placebo", "blinded": True})
    assert made.status_code == 201 and made.json()["kind"] == "placebo"
    assert physician.post(url, {"name": "Placebo", "kind": "placebo"}).status_code == 422  # one name per study
    assert _locations(physician.post(url, {"name": "X", "kind": "vitamin"})) == {"kind"}
    changed = physician.patch(url + f"/{made.json()['id']}", {"ind_number": "123456", "reason": "IND issued"})
    assert changed.json()["ind_number"] == "123456"
    assert physician.patch(url + "/999999", {"ind_number": "1", "reason": "r"}).status_code == 404


def test_a_new_rsi_version_is_stored_with_its_terms(safety_world, physician):
    url = _url(safety_world, "/rsi")
    [current] = physician.get(url).json()
    assert (current["version"], [t["pt_name"] for t in current["terms"]]) == ("5.0", ["Headache", "Nausea"])
    body = {
        "product_id": safety_world.product.pk,
        "document": "Investigator's Brochure",
        "version": "6.0",
        "effective_from": "2026-06-01",
        "terms": [
            {"pt_code": "940000001", "pt_name": "Headache"},
            {"pt_code": "940000006", "pt_name": "Nausea"},
            {"pt_name": "Pyrexia", "fatal_expected": False},
        ],
    }
    made = physician.post(url, body)
    assert made.status_code == 201 and [t["pt_name"] for t in made.json()["terms"]] == ["Headache", "Nausea", "Pyrexia"]
    assert [r["version"] for r in physician.get(url).json()] == ["6.0", "5.0"]  # newest first
    assert "product_id" in _errors(physician.post(url, {**body, "version": "7.0", "product_id": 999999}))
    doubled = {**body, "version": "7.0", "effective_from": "2026-07-01", "terms": [{"pt_name": "A"}, {"pt_name": "a"}]}
    assert "terms" in _errors(physician.post(url, doubled))


def test_rule_sets_show_which_apply_and_can_be_chosen_and_added(safety_world, physician):
    url = _url(safety_world, "/rule-sets")
    listed = {r["code"]: r for r in physician.get(url).json()}
    assert {code for code, r in listed.items() if r["applied"]} == {"FDA-IND", "PMDA-EXAMPLE"}  # the fixture's choice
    assert all(r["built_in"] for r in listed.values())
    chosen = physician.put(url + "/applied", {"codes": ["FDA-IND"], "reason": "no Japanese sites after all"})
    assert {r["code"] for r in chosen.json() if r["applied"]} == {"FDA-IND"}
    assert "codes" in _errors(physician.put(url + "/applied", {"codes": ["NOPE"]}))

    document = {**listed["PMDA-EXAMPLE"]["document"], "code": "PMDA-LOCAL", "name": "Our PMDA rules"}
    made = physician.post(url, {"document": document})
    assert made.status_code == 201, made.content
    assert (made.json()["code"], made.json()["built_in"], made.json()["applied"]) == ("PMDA-LOCAL", False, False)
    builtin_code = physician.post(url, {"document": {**document, "code": "FDA-IND"}})
    assert "code" in _errors(builtin_code)
    broken = {**document, "code": "BROKEN", "rules": [{**document["rules"][0], "kind": "weekly", "clock": {}}]}
    problems = _errors(physician.post(url, {"document": broken}))["document"]
    assert len(problems) >= 2 and all(p.startswith("rules[0]") for p in problems)
    assert "BROKEN" not in {r["code"] for r in physician.get(url).json()}  # refused whole
