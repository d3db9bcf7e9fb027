"""Fuzz every operation of /api/v1/openapi.json with schemathesis, in-process over WSGI.

A project manager's bearer token on the `world` study authenticates each request. The study gets
one row of every protocol element, and half of the generated ids are swapped for the ids of real
rows, so that handlers past the 404 are reached too. No response may be a server error, and each
response must conform to the published schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from opencro.accounts.services import token_create
from opencro.studies import services as studies
from opencro.studies.models import (
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    Visit,
)
from opencro.wsgi import application
from tests.conftest import protocol_elements

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def token(world) -> str:
    pm = world.user("project_manager")
    _token, key = token_create(actor=pm, user=pm, name="schemathesis")
    return key


@pytest.fixture
def wsgi_keeps_test_connection():
    """Stop each request from closing the test's database connection, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# the collection in a path like /studies/{study_id}/arms/{item_id} -> the model {item_id} names
COLLECTIONS = {
    "arms": Arm,
    "epochs": Epoch,
    "visits": Visit,
    "activities": Activity,
    "eligibility": EligibilityCriterion,
    "countries": Country,
    "objectives": Objective,
    "endpoints": Endpoint,
    "protocol-versions": ProtocolVersion,
}


@pytest.fixture
def real_ids(world) -> dict[str, dict[str, int]]:
    """Give the study one row of each protocol element; return real ids by path parameter and collection."""
    study = world.study
    ids = protocol_elements(study)
    studies.schedule_set(
        actor=None,
        visit=Visit.objects.get(pk=ids["soa_visit"]),
        activity=Activity.objects.get(pk=ids["soa_activity"]),
        planned=True,
    )
    items = {collection: ids[collection] for collection in COLLECTIONS}
    assert set(items) == set(COLLECTIONS)
    params = {
        "study_id": study.pk,
        "site_id": world.site_a.pk,
        "version_id": ids["protocol-versions"],
        "activity_id": ids["soa_activity"],
        "visit_id": ids["soa_visit"],
    }
    return {"params": params, "items": items}


def _use_real_ids(case, real_ids) -> None:
    for name, value in real_ids["params"].items():
        if name in case.path_parameters:
            case.path_parameters[name] = value
    if "item_id" in case.path_parameters:
        collection = case.operation.path.split("/{item_id}")[0].rsplit("/", 1)[-1]
        case.path_parameters["item_id"] = real_ids["items"][collection]


@pytest.mark.django_db
@schema.parametrize()
@schema.given(real=st.booleans())
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_and_never_fails(case, real, real_ids, token, wsgi_keeps_test_connection):
    if real and case.path_parameters:
        _use_real_ids(case, real_ids)
    with transaction.atomic():  # one savepoint per example: a failed request leaves the next one a usable database
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
