"""Input no database can take is refused with a 4xx before it reaches one (not a 500 from it)."""

import pydantic
import pytest

from opencro.accounts.permissions import RoleCode
from opencro.api import api
from opencro.api.pagination import MAX_LIMIT, MAX_OFFSET, LimitOffset
from opencro.studies.models import Site
from tests.security.client import client_for


def _paging_params() -> dict[str, dict]:
    """{"METHOD path param": its schema} for every limit/offset query parameter of the API."""
    found = {}
    for path, ops in api.get_openapi_schema()["paths"].items():
        for method, op in ops.items():
            for param in op.get("parameters", []):
                if param["in"] == "query" and param["name"] in ("limit", "offset"):
                    found[f"{method.upper()} {path} {param['name']}"] = param["schema"]
    return found


@pytest.mark.parametrize(("limit", "offset"), [(MAX_LIMIT + 1, 0), (10, MAX_OFFSET + 1), (10**20, 0), (0, 0)])
def test_out_of_range_paging_is_refused(limit, offset):
    with pytest.raises(pydantic.ValidationError):
        LimitOffset.Input(limit=limit, offset=offset)


def test_paging_within_range_is_accepted():
    assert LimitOffset.Input(limit=MAX_LIMIT, offset=MAX_OFFSET).limit == MAX_LIMIT


def test_every_paginated_operation_is_bounded():
    params = _paging_params()
    assert params, "no paginated operation found"
    unbounded = sorted(name for name, schema in params.items() if "maximum" not in schema)
    assert not unbounded, unbounded


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["US\x00", "\ud8a9x"], ids=["nul", "lone-surrogate"])
def test_unstorable_text_in_a_body_is_400(matrix_world, bad):
    client = client_for(matrix_world.user(RoleCode.PROJECT_MANAGER))
    url = f"/api/v1/studies/{matrix_world.study.pk}/sites/{matrix_world.site_a.pk}"
    for body in ({"reason": "r", "city": bad}, {"reason": "r", "nested": {"deeper": [bad]}}):
        # json.dumps writes both as \u escapes, as a client would send them
        response = client.patch(url, body, content_type="application/json")
        assert response.status_code == 400, response.content
    created = client.post(
        f"/api/v1/studies/{matrix_world.study.pk}/sites",
        {"number": "C1", "institution": "x", "principal_investigator": "x", "country_code": bad, "time_zone": "UTC"},
        content_type="application/json",
    )
    assert created.status_code == 400
    assert Site.objects.get(pk=matrix_world.site_a.pk).city == ""


@pytest.mark.django_db
def test_unstorable_text_in_a_query_is_422(matrix_world):
    client = client_for(matrix_world.user(RoleCode.PROJECT_MANAGER))
    response = client.get(f"/api/v1/studies/{matrix_world.study.pk}/audit?object_id=%00&user=x")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "object_id"]


@pytest.mark.django_db
def test_ordinary_unicode_passes(matrix_world):
    """Control for the tests above: accents and CJK text are stored as sent."""
    client = client_for(matrix_world.user(RoleCode.PROJECT_MANAGER))
    url = f"/api/v1/studies/{matrix_world.study.pk}/sites/{matrix_world.site_a.pk}"
    response = client.patch(url, {"reason": "r", "city": "Zürich 東京"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["city"] == "Zürich 東京"
    assert client.get(f"/api/v1/studies/{matrix_world.study.pk}/audit?user=jos%C3%A9").status_code == 200
