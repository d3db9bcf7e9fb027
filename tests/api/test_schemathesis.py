"""Fuzz every operation of /api/v1/openapi.json with schemathesis, in-process over WSGI.

A project manager's bearer token on the `world` study authenticates each request. Half of the
generated ids are swapped for the ids of real rows, so that handlers past the 404 are reached too.
No response may be a server error, and each response must conform to the published schema.
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
from opencro.wsgi import application

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


def _real_ids(world) -> dict[str, int]:
    return {"study_id": world.study.pk, "site_id": world.site_a.pk}


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
def test_api_conforms_and_never_fails(case, real, world, token, wsgi_keeps_test_connection):
    if real and case.path_parameters:
        for name, value in _real_ids(world).items():
            if name in case.path_parameters:
                case.path_parameters[name] = value
    with transaction.atomic():  # one savepoint per example: a failed request leaves the next one a usable database
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
