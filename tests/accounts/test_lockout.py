"""Five failed sign-ins lock an account; only a system administrator unlocks it, with a reason."""

import pytest
from django.test import Client

from opencro.accounts import services as accounts
from opencro.accounts.models import User
from opencro.accounts.permissions import RoleCode
from opencro.audit.models import AuditAction, AuditRecord
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

LOCKED_MESSAGE = "This account is locked after too many failed sign-ins"


def _sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _actions(user: User) -> list[str]:
    return list(
        AuditRecord.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .exclude(action__in=[AuditAction.CREATE, AuditAction.UPDATE])
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def alice():
    return make_user("alice")


def _lock_through_the_page(user: User) -> None:
    client = Client()
    for _attempt in range(5):
        response = _sign_in(client, user.username, "not-the-password")
        assert response.status_code == 200 and not _signed_in(client)


def test_five_wrong_passwords_lock_the_account(alice):
    _lock_through_the_page(alice)
    alice.refresh_from_db()
    assert alice.is_locked and alice.failed_logins == 5
    client = Client()
    response = _sign_in(client, "alice", PASSWORD)
    assert not _signed_in(client)
    assert LOCKED_MESSAGE in response.content.decode()
    assert _actions(alice) == [AuditAction.LOGIN_FAILED] * 5 + [AuditAction.LOCK, AuditAction.LOGIN_FAILED]
    lock = AuditRecord.objects.get(action=AuditAction.LOCK, object_id=str(alice.pk))
    assert lock.reason == "5 failed logins"
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED, reason="account locked").count() == 1


def test_four_wrong_passwords_do_not_lock_and_success_resets_the_count(alice):
    client = Client()
    for _attempt in range(4):
        _sign_in(client, "alice", "not-the-password")
    response = _sign_in(client, "alice", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)
    alice.refresh_from_db()
    assert not alice.is_locked and alice.failed_logins == 0
    assert _actions(alice)[-1] == AuditAction.LOGIN


def test_failed_sign_ins_of_an_unknown_user_are_audited():
    _sign_in(Client(), "nobody-here", "whatever-it-is")
    record = AuditRecord.objects.get(action=AuditAction.LOGIN_FAILED, object_repr="nobody-here")
    assert record.reason == "unknown user"


def test_locking_ends_the_accounts_open_sessions(alice):
    session = Client()
    session.force_login(alice)
    assert session.get("/studies/").status_code == 200
    _lock_through_the_page(alice)
    response = session.get("/studies/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert session.get("/api/v1/studies/").status_code == 401


def test_superuser_unlocks_with_a_reason_and_the_user_signs_in_again(alice):
    _lock_through_the_page(alice)
    admin = Client()
    admin.force_login(make_user("root", superuser=True))
    assert "alice" in admin.get("/accounts/users/").content.decode()
    response = admin.post(f"/accounts/users/{alice.pk}/unlock/", {"reason": "identity confirmed by phone"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert not alice.is_locked and alice.failed_logins == 0
    unlock = AuditRecord.objects.get(action=AuditAction.UNLOCK, object_id=str(alice.pk))
    assert (unlock.username, unlock.reason) == ("root", "identity confirmed by phone")
    client = Client()
    assert _sign_in(client, "alice", PASSWORD).status_code == 302 and _signed_in(client)


@pytest.mark.parametrize("reason", ["", "   "])
def test_unlock_without_a_reason_fails(alice, reason):
    _lock_through_the_page(alice)
    admin = Client()
    admin.force_login(make_user("root", superuser=True))
    response = admin.post(f"/accounts/users/{alice.pk}/unlock/", {"reason": reason}, follow=True)
    assert "A reason is required" in response.content.decode()
    assert User.objects.get(pk=alice.pk).is_locked
    assert not AuditRecord.objects.filter(action=AuditAction.UNLOCK).exists()


def test_non_superuser_cannot_unlock(world):
    """Not even a study's project manager, who manages access to the study."""
    locked = make_user("locked-out")
    for _attempt in range(5):
        accounts.login_failure_record(username=locked.username)
    assert User.objects.get(pk=locked.pk).is_locked
    for user in (world.users[RoleCode.PROJECT_MANAGER], world.users[RoleCode.SYSTEM_ADMIN]):
        client = Client()
        client.force_login(user)
        assert client.post(f"/accounts/users/{locked.pk}/unlock/", {"reason": "please"}).status_code == 403
        assert client.get("/accounts/users/").status_code == 403
    assert User.objects.get(pk=locked.pk).is_locked
    assert not AuditRecord.objects.filter(action=AuditAction.UNLOCK).exists()
