"""The scheme over the API: configure, generate, upload (good and bad), download, activate (signed); the
blinded-safe answer for everyone else."""

import hashlib

import pytest

from opencro.accounts.models import Signature
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.rtsm.models import ListSlot, RandomisationScheme, SchemeStatus
from opencro.stats.randomization import list_to_csv, permuted_block_list
from tests.conftest import PASSWORD, SITE_RESTRICTED
from tests.rtsm.factories import block_scheme, statistician
from tests.security.client import bearer_headers

pytestmark = pytest.mark.django_db

BLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW not in DEFAULT_ROLES[r]]
SUMMARY_KEYS = {
    "method",
    "status",
    "blinded",
    "require_eligibility",
    "require_consent",
    "activated_at",
    "factors",
    "strata",
    "randomised",
    "signatures",
}


class Api:
    """JSON calls under /api/v1/studies/<id>/rtsm/ as one user, with a bearer token."""

    def __init__(self, client, w, user):
        self.client, self.base, self.headers = client, f"/api/v1/studies/{w.study.pk}/rtsm", bearer_headers(user)

    def __call__(self, method: str, tail: str, body=None):
        return self.client.generic(
            method, self.base + tail, "" if body is None else _json(body), "application/json", headers=self.headers
        )


def _json(body) -> str:
    import json

    return json.dumps(body)


def test_configure_generate_and_activate_over_the_api(world, client):
    api = Api(client, world, statistician(world))
    created = api("POST", "/scheme", {"method": "block_list", "block_sizes": [2, 4]})
    assert created.status_code == 200, created.content
    assert created.json()["status"] == "draft" and created.json()["block_sizes"] == [2, 4]
    assert created.json()["problems"] == ["Generate or upload the randomisation list."]
    site = api("POST", "/scheme/factors", {"name": "site", "label": "Site", "source": "site"})
    assert site.status_code == 201 and site.json()["resolved_levels"] == ["A1", "B1"]
    age = api(
        "POST", "/scheme/factors", {"name": "age", "source": "item", "bands": [["<65", None, 65], ["65+", 65, None]]}
    )
    assert age.status_code == 201 and age.json()["resolved_levels"] == ["<65", "65+"]
    unreasoned = api("PATCH", f"/scheme/factors/{age.json()['id']}", {"label": "Age"})
    assert unreasoned.status_code == 422
    changed = api("PATCH", f"/scheme/factors/{age.json()['id']}", {"label": "Age", "reason": "label"})
    assert changed.status_code == 200 and changed.json()["label"] == "Age"
    assert api("DELETE", f"/scheme/factors/{age.json()['id']}?reason=not+needed").status_code == 204
    generated = api("POST", "/scheme/list/generate", {"n_per_stratum": 4, "seed": 31337})
    assert generated.status_code == 200, generated.content
    config = api("GET", "/scheme/config").json()
    assert config["seed"] == "31337" and config["list_slots"] == generated.json()["slots"]
    assert [s["stratum"] for s in config["list_strata"]] == ["A1", "B1"]
    for s in config["list_strata"]:
        assert s["arm_slots"]["A"] == s["arm_slots"]["P"] == s["slots"] // 2  # 1:1 in whole blocks
    assert config["problems"] == []
    download = api("GET", "/scheme/list.csv")
    assert hashlib.sha256(download.content).hexdigest() == config["list_sha256"]
    wrong = api("POST", "/scheme/activate", {"password": "not it"})
    assert wrong.status_code == 403
    assert RandomisationScheme.objects.get(study=world.study).status == SchemeStatus.DRAFT
    active = api("POST", "/scheme/activate", {"password": PASSWORD})
    assert active.status_code == 200 and active.json()["status"] == "active"
    assert [s["meaning"] for s in active.json()["signatures"]] == ["approve"]
    assert Signature.objects.filter(object_id=str(config["id"])).count() == 1
    frozen = api("POST", "/scheme", {"p_best": 0.9, "reason": "late"})
    assert frozen.status_code == 422 and "status" in frozen.json()["errors"]
    again = api("POST", "/scheme/list/generate", {"n_per_stratum": 4})
    assert again.status_code == 422 and "status" in again.json()["errors"]


def test_upload_over_the_api_good_and_bad(world, client):
    api = Api(client, world, statistician(world))
    api("POST", "/scheme", {"method": "block_list", "block_sizes": [2]})
    api("POST", "/scheme/factors", {"name": "site", "source": "site"})
    bad = api(
        "POST",
        "/scheme/list/upload",
        {"filename": "bad.csv", "text": "stratum,block,seq,arm\nA1,1,1,A\n"},
    )
    assert bad.status_code == 422
    problems = bad.json()["errors"]["list"]
    assert (
        "row 1, column sequence: the header has no column 'sequence'; the columns are stratum, block, sequence, arm"
        in problems
    )
    assert not ListSlot.objects.exists()
    unbalanced = "stratum,block,sequence,arm\nA1,1,1,A\nA1,1,2,A\nB1,1,1,A\nB1,1,2,Q\n"
    problems = api("POST", "/scheme/list/upload", {"text": unbalanced}).json()["errors"]["list"]
    assert any(p.startswith("row 2, column arm: block 1 of stratum 'A1'") for p in problems)
    assert any(p.startswith("row 5, column arm: unknown arm 'Q'") for p in problems)
    own = list_to_csv(
        permuted_block_list(["A", "P"], block_sizes=[2], n_per_stratum=4, factors={"site": ["A1", "B1"]}, seed=1)
    )
    good = api("POST", "/scheme/list/upload", {"filename": "own.csv", "text": own})
    assert good.status_code == 200 and good.json() == {
        "slots": 8,
        "list_sha256": hashlib.sha256(own.encode()).hexdigest(),
        "list_source": "Uploaded: own.csv",
    }
    assert api("GET", "/scheme/list.csv").content.decode() == own


def test_blinded_callers_get_the_summary_only(world, client):
    scheme = block_scheme(world, n=4, seed=424242)
    for role in BLINDED:
        api = Api(client, world, world.user(role))
        summary = api("GET", "/scheme")
        assert summary.status_code == 200 and set(summary.json()) == SUMMARY_KEYS, role
        text = summary.content.decode()
        assert "424242" not in text and scheme.list_sha256 not in text and "Arm A" not in text and "Arm P" not in text
        levels = ["A1"] if role in SITE_RESTRICTED else ["A1", "B1"]  # restricted readers: their sites only
        assert summary.json()["factors"] == [{"name": "site", "label": "site", "source": "site", "levels": levels}]
        for method, tail in (("GET", "/scheme/config"), ("GET", "/scheme/list.csv")):
            assert api(method, tail).status_code == 403, (role, tail)
        assert api("POST", "/scheme/list/generate", {"n_per_stratum": 2}).status_code == 403
    restricted = Api(client, world, world.user(RoleCode.INVESTIGATOR)).__call__("GET", "/scheme").json()
    assert [s["stratum"] for s in restricted["strata"]] == ["A1"]
    assert restricted["factors"][0]["levels"] == ["A1"]


def test_a_study_without_a_scheme(world, client):
    api = Api(client, world, statistician(world))
    assert api("GET", "/scheme").status_code == 404
    assert api("POST", "/scheme/factors", {"name": "x", "source": "sex"}).status_code == 404
    missing = api("POST", "/scheme", {"blinded": True})
    assert missing.status_code == 422 and "method" in missing.json()["errors"]
