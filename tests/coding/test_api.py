"""The coding API as a client uses it: set-up, queue, search, code with synonym, clarify, approve, upgrade."""

import pytest

from opencro.coding.models import CodedTerm, DictionaryTerm, Synonym
from tests.coding.test_coding import save_ae, term_of

pytestmark = pytest.mark.django_db


def base(world) -> str:
    return f"/api/v1/studies/{world.study.pk}/coding"


def test_settings_read_and_write(edc_world, dictionaries, login):
    dm = login(edc_world.users["data_manager"])
    url = f"{base(edc_world)}/settings"
    empty = dm.get(url).json()
    assert empty == {"meddra": None, "whodrug": None, "items": {}, "coded_items": [], "uncoded": 0}
    body = {"meddra_dictionary_id": dictionaries.meddra_26.pk, "items": {"IT.AETERM": "MedDRA"}, "reason": ""}
    response = dm.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["meddra"]["version"], data["whodrug"], data["items"]) == ("26.1", None, {"IT.AETERM": "MedDRA"})
    assert data["coded_items"] == [{"oid": "IT.AETERM", "name": "aeterm", "kind": "meddra", "source": "configuration"}]
    bad = dm.put(
        url, {"meddra_dictionary_id": dictionaries.whodrug_b3.pk, "reason": "x"}, content_type="application/json"
    )
    assert bad.status_code == 422
    missing = dm.put(url, {"whodrug_dictionary_id": 2**40, "reason": "x"}, content_type="application/json")
    assert missing.status_code == 422 and "whodrug_dictionary_id" in missing.json()["errors"]
    coder = login(edc_world.users["medical_coder"])
    assert coder.put(url, body, content_type="application/json").status_code == 403
    assert coder.get(url).status_code == 200
    listed = coder.get(f"{base(edc_world)}/dictionaries?kind=meddra").json()
    assert sorted(d["version"] for d in listed) == ["26.1", "27.0"]


def test_queue_search_code_and_synonym(coding_world, login):
    w = coding_world
    save_ae(w, ["Headache", "Pounding head", "pounding head"])
    coder = login(w.users["medical_coder"])
    queue = coder.get(f"{base(w)}/queue").json()
    assert queue["count"] == 1
    group = queue["items"][0]
    assert {k: group[k] for k in ("kind", "verbatim", "count", "clarification")} == {
        "kind": "meddra",
        "verbatim": "Pounding head",
        "count": 2,
        "clarification": 0,
    }
    found = coder.get(f"{base(w)}/search?kind=meddra&q=headache").json()
    assert [(t["term"], t["pt_name"], t["soc_name"]) for t in found] == [
        ("Headache", "Headache", "Nervous system conditions"),
        ("Tension headache", "Tension headache", "Nervous system conditions"),
    ]
    body = {"dictionary_term_id": found[0]["id"], "add_synonym": True}
    response = coder.post(f"{base(w)}/terms/{group['term_id']}/code", body, content_type="application/json")
    assert response.status_code == 200, response.content
    coded = response.json()
    assert [(t["verbatim"], t["status"], t["method"], t["code"], t["coded_by"]) for t in coded] == [
        ("Pounding head", "coded", "manual", "940000001", "medical-coder"),
        ("pounding head", "coded", "manual", "940000001", "medical-coder"),
    ]
    assert coded[0]["dictionary"] == "MedDRA 26.1 English" and coded[0]["site_number"] == "A1"
    synonyms = coder.get(f"{base(w)}/synonyms").json()["items"]
    assert [(s["verbatim"], s["code"], s["term"], s["created_by"]) for s in synonyms] == [
        ("Pounding head", "940000001", "Headache", "medical-coder")
    ]
    assert coder.get(f"{base(w)}/queue").json()["count"] == 0
    terms = coder.get(f"{base(w)}/terms?status=coded").json()
    assert terms["count"] == 3
    deleted = coder.delete(f"{base(w)}/synonyms/{synonyms[0]['id']}?reason=too%20broad")
    assert deleted.status_code == 204 and not Synonym.objects.exists()


def test_whodrug_search_shows_atc(coding_world, login):
    coder = login(coding_world.users["medical_coder"])
    found = coder.get(f"{base(coding_world)}/search?kind=whodrug&q=duopain").json()
    assert [(t["code"], t["base_name"], t["atc"]) for t in found] == [
        (
            "90000501002",
            "FICTOPROFEN;IMAGINOL",
            [
                {"code": "X01AA", "text": "FICTIONAL PROPIONIC DERIVATIVES", "official": False},
                {"code": "X01AB", "text": "FICTIONAL ANILIDES", "official": False},
            ],
        )
    ]


def test_search_needs_a_version_in_force(edc_world, dictionaries, login):
    coder = login(edc_world.users["medical_coder"])
    response = coder.get(f"{base(edc_world)}/search?kind=meddra&q=head")
    assert response.status_code == 422


def test_clarify_and_approve(coding_world, login):
    w = coding_world
    form = save_ae(w, ["Bad thing", "Headache"]).form
    coder = login(w.users["medical_coder"])
    unclear, auto = term_of(form, 1), term_of(form, 2)
    response = coder.post(
        f"{base(w)}/terms/{unclear.pk}/clarify", {"text": "Which symptom?"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["clarification"]) == ("clarification", "Which symptom?")
    assert response.json()["query_id"] is not None
    approved = coder.post(f"{base(w)}/terms/{auto.pk}/approve", {}, content_type="application/json").json()
    assert (approved["status"], approved["approved_by"]) == ("approved", "medical-coder")
    again = coder.post(f"{base(w)}/terms/{auto.pk}/approve", {}, content_type="application/json")
    assert again.status_code == 422


def test_terms_of_another_site_are_404_for_a_restricted_user(coding_world, login):
    w = coding_world
    term = term_of(save_ae(w, ["Bad thing"], subject=w.subject_b, user=None).form)
    headache = DictionaryTerm.objects.get(dictionary=w.dictionaries.meddra_26, code="940000001")
    body = {"dictionary_term_id": headache.pk}
    monitor = login(w.users["monitor"])  # restricted to A1, no coding permission
    assert monitor.post(f"{base(w)}/terms/{term.pk}/code", body, content_type="application/json").status_code == 404
    coder = login(w.users["medical_coder"])
    response = coder.post(f"{base(w)}/terms/{2**40}/code", body, content_type="application/json")
    assert response.status_code == 404
    assert CodedTerm.objects.get(pk=term.pk).status == "uncoded"


def test_upgrade_and_its_report(coding_world, login):
    w = coding_world
    save_ae(w, ["Spinning sensation", "Throwing up", "Headache"])
    coder = login(w.users["medical_coder"])
    response = coder.post(
        f"{base(w)}/upgrades",
        {"kind": "meddra", "dictionary_id": w.dictionaries.meddra_27.pk, "reason": "yearly"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    report = response.json()
    assert (report["from_version"], report["to_version"], report["checked"], report["requeued"]) == (
        "26.1",
        "27.0",
        3,
        1,
    )
    assert [(c["kind"], c["verbatim"], c["action"]) for c in report["changes"]] == [
        ("llt_moved", "Spinning sensation", "kept"),
        ("llt_noncurrent", "Throwing up", "queued"),
    ]
    assert coder.get(f"{base(w)}/upgrades/{report['id']}").json() == report
    assert [u["id"] for u in coder.get(f"{base(w)}/upgrades").json()] == [report["id"]]
    repeated = coder.post(
        f"{base(w)}/upgrades",
        {"kind": "meddra", "dictionary_id": w.dictionaries.meddra_27.pk},
        content_type="application/json",
    )
    assert repeated.status_code == 422
