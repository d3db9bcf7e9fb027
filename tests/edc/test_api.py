import pytest

from opencro.edc.models import Query

pytestmark = pytest.mark.django_db


def path(w, subject=None, event="SE.SCR", form="F.VS"):
    subject = subject or w.subject_a
    return f"/api/v1/studies/{w.study.pk}/edc/subjects/{subject.pk}/forms/{event}/1/{form}/1"


def test_save_and_read_a_form_through_the_api(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    body = {
        "items": [
            {"oid": "IT.WEIGHT", "value": "70"},
            {"oid": "IT.SYSBP", "value": "80"},
            {"oid": "IT.DIABP", "value": "95"},
        ]
    }
    saved = client.put(path(edc_world), body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    data = saved.json()
    assert data["changed"] == 3 and len(data["queries_opened"]) == 1
    weight = next(i for i in data["items"] if i["oid"] == "IT.WEIGHT")
    assert (weight["value"], weight["hidden"], weight["verified"]) == ("70", False, False)
    got = client.get(path(edc_world)).json()
    assert got["status"] == "complete" and got["form_id"] == data["form_id"]


def test_api_rejects_bad_values_with_located_errors(edc_world, login):
    client = login(edc_world.users["study_coordinator"])
    body = {"items": [{"oid": "IT.WEIGHT", "value": "x"}, {"oid": "IT.NOPE", "value": "1"}]}
    response = client.put(path(edc_world), body, content_type="application/json")
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"IT.WEIGHT", "IT.NOPE"}


def test_casebook_and_queries_through_the_api(edc_world, login):
    site = login(edc_world.users["study_coordinator"])
    site.put(
        path(edc_world),
        {"items": [{"oid": "IT.SYSBP", "value": "80"}, {"oid": "IT.DIABP", "value": "95"}]},
        content_type="application/json",
    )
    casebook = site.get(f"/api/v1/studies/{edc_world.study.pk}/edc/subjects/{edc_world.subject_a.pk}/casebook").json()
    screening = casebook["events"][0]
    assert screening["event_oid"] == "SE.SCR"
    assert [(f["form_oid"], f["state"]) for f in screening["forms"]] == [("F.DM", "empty"), ("F.VS", "query")]
    queries = site.get(f"/api/v1/studies/{edc_world.study.pk}/edc/queries?state=open").json()
    rule_keys = {Query.objects.get(pk=q["id"]).rule_key for q in queries["items"]}
    assert rule_keys == {"ec:EC.BP", "required:IT.WEIGHT"}
    bp = next(q for q in queries["items"] if q["item_oid"] == "IT.DIABP")
    answered = site.post(
        f"/api/v1/studies/{edc_world.study.pk}/edc/queries/{bp['id']}/answer",
        {"text": "confirmed"},
        content_type="application/json",
    )
    assert answered.json()["state"] == "answered"
    dm = login(edc_world.users["data_manager"])
    closed = dm.post(
        f"/api/v1/studies/{edc_world.study.pk}/edc/queries/{bp['id']}/close", {}, content_type="application/json"
    )
    assert closed.json()["state"] == "closed"


def test_build_versions_listed_and_exported(edc_world, login):
    client = login(edc_world.users["data_manager"])
    versions = client.get(f"/api/v1/studies/{edc_world.study.pk}/edc/build-versions").json()
    assert [(v["oid"], v["status"]) for v in versions] == [("MDV.1", "published")]


def test_a_build_imports_as_a_multipart_upload(edc_world, login):
    """The exported ODM, changed to a new version OID, goes back in through the API as a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opencro.edc.build_files import build_odm_bytes
    from opencro.edc.models import BuildVersion

    client = login(edc_world.users["data_manager"])
    odm = build_odm_bytes(BuildVersion.objects.get(study=edc_world.study)).replace(b'"MDV.1"', b'"MDV.2"')
    url = f"/api/v1/studies/{edc_world.study.pk}/edc/build-versions"
    sent = client.post(url, {"file": SimpleUploadedFile("build.xml", odm, "application/xml")})
    assert sent.status_code == 201, sent.content
    assert sent.json()["oid"] == "MDV.2"
    assert client.post(url, {}).status_code == 422  # no file: a located message, not a crash


@pytest.mark.parametrize(
    ("event", "form", "items"),
    [
        # a derivation (BMI) and a value left not done
        (
            "SE.SCR",
            "F.VS",
            [
                {"oid": "IT.WEIGHT", "value": "80"},
                {"oid": "IT.HEIGHT", "value": "180"},
                {"oid": "IT.SYSBP", "value": None, "not_done_reason": "machine broken"},
            ],
        ),
        # an item hidden by its condition (pregnancy for a male subject)
        ("SE.SCR", "F.DM", [{"oid": "IT.BRTHDAT", "value": "1970-01-02"}, {"oid": "IT.SEX", "value": "M"}]),
        # a repeating group with two rows
        (
            "SE.AE",
            "F.AE",
            [{"oid": "IT.AETERM", "value": "Headache"}, {"oid": "IT.AETERM", "value": "Nausea", "repeat": 2}],
        ),
    ],
)
def test_a_save_answers_with_the_form_a_read_would_show(edc_world, login, event, form, items):
    """The PUT builds its answer from what it wrote; it must equal what a GET then reads from the database."""
    client = login(edc_world.users["study_coordinator"])
    saved = client.put(path(edc_world, event=event, form=form), {"items": items}, content_type="application/json")
    assert saved.status_code == 200, saved.content
    answer = {k: v for k, v in saved.json().items() if k not in ("changed", "queries_opened", "queries_closed")}
    assert answer == client.get(path(edc_world, event=event, form=form)).json()
    shown = {(i["oid"], i["repeat"]): i for i in answer["items"]}
    expected = {
        "F.VS": (("IT.BMI", 1), "value", "24.7"),
        "F.DM": (("IT.PREG", 1), "hidden", True),
        "F.AE": (("IT.AETERM", 2), "value", "Nausea"),
    }
    key, field, value = expected[form]
    assert shown[key][field] == value
    if form == "F.VS":
        assert shown[("IT.SYSBP", 1)]["not_done_reason"] == "machine broken"
