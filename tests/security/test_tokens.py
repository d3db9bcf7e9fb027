"""API tokens: `Authorization: Bearer …`, hashed at rest, revocable, dead with their user."""

import hashlib

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from opencro.accounts.models import ApiToken, User
from opencro.accounts.permissions import RoleCode
from opencro.accounts.services import login_failure_record, token_create, token_revoke
from opencro.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(matrix_world):
    return User.objects.get(pk=matrix_world.user(RoleCode.PROJECT_MANAGER).pk)


@pytest.fixture
def key(pm):
    return token_create(actor=pm, user=pm, name="ci")[1]


def _studies(key: str, client: Client | None = None):
    return (client or Client()).get("/api/v1/studies/", headers={"Authorization": f"Bearer {key}"})


def test_only_a_hash_of_the_key_is_stored(pm):
    token, key = token_create(actor=pm, user=pm, name="ci")
    _opc, prefix, secret = key.split("_", 2)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["prefix"] == prefix
    assert row["key_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert not [name for name, value in row.items() if secret in str(value)]
    trail = AuditRecord.objects.filter(object_type="accounts.apitoken", object_id=str(token.pk))
    assert trail.exists()
    assert not [r.pk for r in trail if secret in f"{r.old_value} {r.new_value} {r.object_repr} {r.reason}"]


def test_bearer_token_authenticates(pm, key):
    response = _studies(key)
    assert response.status_code == 200
    assert [s["protocol_number"] for s in response.json()] == ["T-001"]
    assert ApiToken.objects.get(user=pm).last_used_at is not None


def test_last_use_is_written_at_most_once_a_minute(pm, key):
    """Every API call authenticates; recording "last used" on each one would be a write per request."""
    from datetime import timedelta

    assert _studies(key).status_code == 200
    first = ApiToken.objects.get(user=pm).last_used_at
    assert _studies(key).status_code == 200
    assert ApiToken.objects.get(user=pm).last_used_at == first
    ApiToken.objects.filter(user=pm).update(last_used_at=first - timedelta(minutes=2))
    assert _studies(key).status_code == 200
    assert ApiToken.objects.get(user=pm).last_used_at > first


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer opc_nothing", "Bearer not-a-token", "Token {key}", "Basic cG06cGFzcw=="],
)
def test_missing_or_malformed_credentials_get_401(key, header):
    headers = {"Authorization": header.format(key=key)} if header else {}
    assert Client().get("/api/v1/studies/", headers=headers).status_code == 401


def test_wrong_secret_with_the_right_prefix_gets_401(key):
    opc, prefix, secret = key.split("_", 2)
    forged = f"{opc}_{prefix}_{secret[:-1]}{'A' if secret[-1] != 'A' else 'B'}"
    assert _studies(forged).status_code == 401
    assert _studies(key).status_code == 200


def test_revoked_token_gets_401(pm, key):
    assert _studies(key).status_code == 200
    token_revoke(actor=pm, token=ApiToken.objects.get(user=pm))
    assert _studies(key).status_code == 401
    patch = Client().patch(
        f"/api/v1/studies/{pm.memberships.get().study_id}",
        {"reason": "r", "short_title": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert patch.status_code == 401


def test_token_of_a_locked_user_gets_401(pm, key):
    for _attempt in range(5):
        login_failure_record(username=pm.username)
    assert _studies(key).status_code == 401


def test_token_of_an_inactive_user_gets_401(pm, key):
    User.objects.filter(pk=pm.pk).update(is_active=False)
    assert _studies(key).status_code == 401


def test_a_bad_token_does_not_fall_back_to_the_session(matrix_world, pm):
    """A request that presents a token is judged by the token alone."""
    client = Client()
    client.force_login(pm)
    assert client.get("/api/v1/studies/").status_code == 200
    assert _studies("opc_deadbeef_forged", client).status_code == 401


def test_token_of_another_user_is_refused_to_non_admins(matrix_world, pm):
    auditor = matrix_world.user(RoleCode.AUDITOR)
    with pytest.raises(PermissionDenied, match="Only the user"):
        token_create(actor=auditor, user=pm, name="stolen")
    assert not ApiToken.objects.filter(user=pm).exists()
    token, _key = token_create(actor=matrix_world.admin, user=pm, name="issued")
    assert token.user_id == pm.pk and token.revoked_at is None and token.created_at <= timezone.now()
