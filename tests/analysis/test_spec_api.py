"""The ADaM and output specification API as a client uses it: the current specifications of a kind, one with its
text (`?version=N`), its versions, saving a version (located 422), retiring one; role by role.

The routes are `{kind}/specs...` (kind adam or tfl; anything else 404), beside the mapping specification's
`specs`, `specs/default` and `specs/{number}`, which keep answering as before.

World: tests/conftest.py's world (T-001). The biostatistician and the unblinded statistician hold `analysis.run`;
the data manager does not (403); the outsider is no member of T-001 (404). The specifications are the small ADSL and
table 14-2.01 of tests/analysis/test_services.py.
"""

import json

import pytest

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.analysis.models import AnalysisSpec, AnalysisSpecKind
from opencro.analysis.selectors import analysis_specs_current
from opencro.analysis.services import analysis_spec_save
from tests.analysis.conftest import ADSL_SPEC as ADSL
from tests.analysis.conftest import TABLE_SPEC as TABLE
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

BIOSTAT, UNBLINDED, DM = "biostatistician", "unblinded_statistician", "data_manager"
ADAM, TFL = AnalysisSpecKind.ADAM, AnalysisSpecKind.TFL


def _api(w) -> str:
    return f"/api/v1/studies/{w.study.pk}/analysis"


def _post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def _send(client, method: str, url: str, body):
    return client.get(url) if method == "GET" else _post(client, url, body)


def _loaded(w) -> None:
    analysis_spec_save(actor=w.users[BIOSTAT], study=w.study, kind=ADAM, text=ADSL, note="first ADSL")
    analysis_spec_save(actor=w.users[UNBLINDED], study=w.study, kind=TFL, text=TABLE)


def _calls(w) -> list[tuple[str, str, dict | None]]:
    base = _api(w)
    return [
        ("GET", base + "/adam/specs", None),
        ("GET", base + "/tfl/specs", None),
        ("GET", base + "/adam/specs/ADSL", None),
        ("GET", base + "/tfl/specs/14-2.01?version=1", None),
        ("GET", base + "/tfl/specs/14-2.01/versions", None),
        ("POST", base + "/adam/specs", {"text": ADSL}),
        ("POST", base + "/tfl/specs", {"text": TABLE}),
        ("POST", base + "/adam/specs/ADSL/retire", {}),
        ("POST", base + "/tfl/specs/14-2.01/retire", {"note": "dropped"}),
    ]


# --- who may call it


@pytest.mark.parametrize("role", [BIOSTAT, UNBLINDED])
def test_statisticians_may_call_everything(world, login, role):
    _loaded(world)
    client = login(world.users[role])
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(world)}
    expected = {f"{m} {u}": 200 if m == "GET" else 201 for m, u, _b in _calls(world)}
    assert statuses == expected


def test_a_member_without_analysis_run_gets_403(world, login):
    _loaded(world)
    client = login(world.users[DM])
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(world)}
    assert set(statuses.values()) == {403}, statuses
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_an_outsider_gets_404(world, login):
    _loaded(world)
    client = login(world.outsider)
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(world)}
    assert set(statuses.values()) == {404}, statuses
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_a_site_restricted_statistician_may_read_but_not_write(world, login):
    _loaded(world)
    user = make_user("site-statistician")
    accounts.membership_grant(
        actor=world.admin, user=user, study=world.study, role_code=RoleCode.BIOSTATISTICIAN, sites=[world.site_a]
    )
    client = login(user)
    statuses = {f"{m} {u}": _send(client, m, u, b).status_code for m, u, b in _calls(world)}
    expected = {f"{m} {u}": 200 if m == "GET" else 403 for m, u, _b in _calls(world)}
    assert statuses == expected
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_anonymous_callers_get_401(world, client):
    assert client.get(_api(world) + "/adam/specs").status_code == 401


def test_another_kind_or_name_or_version_is_404(world, login):
    _loaded(world)
    client = login(world.users[BIOSTAT])
    base = _api(world)
    for url in ("/sdtm/specs", "/adam/specs/ADAE", "/adam/specs/ADAE/versions", "/tfl/specs/14-2.01?version=2"):
        assert client.get(base + url).status_code == 404, url
    assert client.get(base + "/adam/specs/14-2.01").status_code == 404  # an output is not a dataset
    assert _post(client, base + "/sdtm/specs", {"text": ADSL}).status_code == 404
    assert _post(client, base + "/adam/specs/ADAE/retire", {}).status_code == 404
    assert AnalysisSpec.objects.filter(study=world.study).count() == 2


def test_the_mapping_specification_routes_still_answer(world, login):
    """`specs/{number}` and `specs/default` are the mapping specification's; `{kind}/specs` does not take them."""
    client = login(world.users[BIOSTAT])
    assert client.get(_api(world) + "/specs").json() == {"items": [], "count": 0}
    assert client.get(_api(world) + "/specs/1").status_code == 404  # no mapping version yet
    assert client.get(_api(world) + "/adam/specs").json() == {"items": [], "count": 0}


# --- reading


def test_the_current_specifications_of_a_kind(world, login):
    w = world
    _loaded(w)
    analysis_spec_save(actor=w.users[UNBLINDED], study=w.study, kind=ADAM, text="# v2\n" + ADSL, note="v2")
    client = login(w.users[BIOSTAT])
    adam = client.get(_api(w) + "/adam/specs").json()
    assert adam["count"] == 1
    (item,) = adam["items"]
    assert {k: item[k] for k in ("kind", "name", "number", "title", "note", "retired", "created_by")} == {
        "kind": "adam",
        "name": "ADSL",
        "number": 2,
        "title": "Subject-Level Analysis Dataset",  # ADSL's label:
        "note": "v2",
        "retired": False,
        "created_by": w.users[UNBLINDED].printed_name,
    }
    assert "text" not in item
    (table,) = client.get(_api(w) + "/tfl/specs").json()["items"]
    assert (table["name"], table["title"]) == ("14-2.01", "Sex by planned treatment")  # titles after the first


def test_one_specification_with_its_text_and_versions(world, login):
    w = world
    _loaded(w)
    commented = "# reviewed with the SAP\n" + ADSL
    analysis_spec_save(actor=w.users[UNBLINDED], study=w.study, kind=ADAM, text=commented, note="SAP review")
    client = login(w.users[BIOSTAT])
    newest = client.get(_api(w) + "/adam/specs/ADSL").json()
    assert (newest["number"], newest["text"], newest["problem"]) == (2, commented, "")  # comments kept
    first = client.get(_api(w) + "/adam/specs/ADSL?version=1").json()
    assert (first["number"], first["text"], first["note"]) == (1, ADSL, "first ADSL")
    versions = client.get(_api(w) + "/adam/specs/ADSL/versions").json()
    assert versions["count"] == 2 and [v["number"] for v in versions["items"]] == [2, 1]
    assert client.get(_api(w) + "/adam/specs/ADSL?version=x").status_code == 422  # not an integer


# --- writing


def test_saving_makes_the_next_version_of_the_one_the_text_names(world, login):
    w = world
    client = login(w.users[UNBLINDED])
    first = _post(client, _api(w) + "/tfl/specs", {"text": TABLE, "note": "from the SAP"})
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["kind"], body["name"], body["number"], body["text"], body["note"]) == (
        "tfl",
        "14-2.01",
        1,
        TABLE,
        "from the SAP",
    )
    assert _post(client, _api(w) + "/tfl/specs", {"text": TABLE}).json()["number"] == 2
    assert [(v.name, v.number) for v in analysis_specs_current(w.study, TFL)] == [("14-2.01", 2)]


@pytest.mark.parametrize(
    ("kind", "text", "located"),
    [
        ("tfl", 'id: "14-2.01"\ntitles: [\n  - a\n', "line 3"),  # PyYAML: a block entry inside a flow sequence
        ("tfl", TABLE.replace("type: count", "type: tally"), "rows[0].type"),
        ("adam", ADSL.replace("type: date", "type: when"), "RANDDT"),
        ("adam", TABLE, "unknown entries columns, id"),  # an output specification is no ADaM one
    ],
)
def test_a_refused_specification_answers_422_located(world, login, kind, text, located):
    response = _post(login(world.users[BIOSTAT]), _api(world) + f"/{kind}/specs", {"text": text})
    assert response.status_code == 422
    errors = response.json()["errors"]["text"]
    assert len(errors) == 1 and located in errors[0], errors
    assert not AnalysisSpec.objects.filter(study=world.study).exists()


def test_a_note_too_long_is_refused_by_the_schema(world, login):
    response = _post(login(world.users[BIOSTAT]), _api(world) + "/tfl/specs", {"text": TABLE, "note": "n" * 301})
    assert response.status_code == 422 and not AnalysisSpec.objects.filter(study=world.study).exists()


# --- retiring


def test_retiring_leaves_the_current_specifications(world, login):
    w = world
    _loaded(w)
    client = login(w.users[UNBLINDED])
    response = _post(client, _api(w) + "/adam/specs/ADSL/retire", {"note": "not in the SAP any more"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["retired"], body["text"], body["note"]) == (2, True, ADSL, "not in the SAP any more")
    assert analysis_specs_current(w.study, ADAM) == []
    assert client.get(_api(w) + "/adam/specs").json() == {"items": [], "count": 0}
    assert client.get(_api(w) + "/adam/specs/ADSL").json()["retired"] is True  # still readable
    again = _post(client, _api(w) + "/adam/specs/ADSL/retire", {})
    assert again.status_code == 422 and again.json()["errors"] == {"__all__": ["ADSL is retired already."]}
    restored = _post(client, _api(w) + "/adam/specs", {"text": ADSL, "note": "back"})
    assert restored.json()["number"] == 3 and restored.json()["retired"] is False
    assert [v.number for v in analysis_specs_current(w.study, ADAM)] == [3]


def test_retiring_with_no_note_says_so(world, login):
    _loaded(world)
    response = _post(login(world.users[BIOSTAT]), _api(world) + "/tfl/specs/14-2.01/retire", {})
    assert response.status_code == 201 and response.json()["note"] == "Retired"
