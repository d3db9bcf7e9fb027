"""Emergency unblinding: who may break the blind, what is written, who is told, and who sees the arm afterwards."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.access import access_for
from opencro.accounts.models import Role, Signature, SignatureMeaning, User
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.audit.models import AuditAction, AuditRecord
from opencro.audit.selectors import audit_for_study
from opencro.notices.models import Notice
from opencro.rtsm.models import EmergencyUnblinding
from opencro.rtsm.services.unblinding import NOTICE_KIND, subject_unblind
from opencro.subjects import services as subjects
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db

REASON = "Anaphylaxis in the emergency room: the treating physician must know the treatment"
ARM_NAMES = ("Arm A", "Arm P")
BLINDED = [r for r in DEFAULT_ROLES if Perm.TREATMENT_VIEW not in DEFAULT_ROLES[r] and r != RoleCode.INVESTIGATOR]


@pytest.fixture
def investigator(world) -> User:
    return world.users[RoleCode.INVESTIGATOR]


@pytest.fixture
def physician(world) -> User:
    """The safety physician (the sponsor's medical monitor), with an e-mail address."""
    user = world.users[RoleCode.SAFETY_PHYSICIAN]
    User.objects.filter(pk=user.pk).update(email="monitor@sponsor.example")
    user.refresh_from_db()
    return user


def _url(world, subject) -> str:
    return f"/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/unblind/"


def _api(world, subject, what: str) -> str:
    return f"/api/v1/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/{what}"


def _nothing_written(world) -> None:
    assert not EmergencyUnblinding.objects.exists()
    assert not Notice.objects.exists()
    assert not Signature.objects.filter(meaning=SignatureMeaning.UNBLIND).exists()
    assert not AuditRecord.objects.filter(action=AuditAction.UNBLIND).exists()


def _member(world, username: str, role: str, sites) -> User:
    user = make_user(username)
    accounts.membership_grant(actor=world.admin, user=user, study=world.study, role_code=role, sites=sites)
    return user


# --- the service ---------------------------------------------------------------------------------------------


def test_the_investigator_gets_the_arm_and_the_break_is_recorded_signed_and_audited(
    world, investigator, physician, django_capture_on_commit_callbacks
):
    first = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        arm = subject_unblind(actor=investigator, subject=world.subject_a, reason=f"  {REASON} ", password=PASSWORD)
    assert arm == world.arms[0]
    record = EmergencyUnblinding.objects.get(subject=world.subject_a)
    assert (record.requested_by, record.reason) == (investigator, REASON)
    assert [(n["username"], n["emailed"]) for n in record.notified] == [(physician.username, True)]
    signature = Signature.objects.get(object_id=str(record.pk), meaning=SignatureMeaning.UNBLIND)
    assert (signature.signer, signature.broken_at) == (investigator, None)
    event = AuditRecord.objects.get(action=AuditAction.UNBLIND)
    assert (event.object_type, event.object_id, event.site_id) == (
        "subjects.subject",
        str(world.subject_a.pk),
        world.site_a.pk,
    )
    assert event.reason == REASON
    written = AuditRecord.objects.filter(id__gt=first)
    assert {r.object_type for r in written} == {"rtsm.emergencyunblinding", "subjects.subject"}
    for r in written:
        assert not any(name in f"{r.old_value} {r.new_value} {r.reason} {r.object_repr}" for name in ARM_NAMES), r


def test_a_reason_is_required(world, investigator, physician):
    for reason in ("", "   ", "too short"):
        with pytest.raises(ValidationError) as caught:
            subject_unblind(actor=investigator, subject=world.subject_a, reason=reason, password=PASSWORD)
        assert "reason" in caught.value.message_dict
    _nothing_written(world)


def test_a_wrong_password_is_refused_and_nothing_is_written(
    world, investigator, physician, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password="not-my-password")
    _nothing_written(world)
    assert mailoutbox == []
    assert User.objects.get(pk=investigator.pk).failed_logins == 1  # counted as a failed sign-in


def test_a_subject_of_another_site_is_refused(world, investigator):
    with pytest.raises(PermissionDenied):
        subject_unblind(actor=investigator, subject=world.subject_b, reason=REASON, password=PASSWORD)
    _nothing_written(world)


@pytest.mark.parametrize("role", [r for r in DEFAULT_ROLES if Perm.UNBLIND not in DEFAULT_ROLES[r]])
def test_roles_without_the_permission_are_refused(world, role):
    with pytest.raises(PermissionDenied):
        subject_unblind(actor=world.users[role], subject=world.subject_a, reason=REASON, password=PASSWORD)
    _nothing_written(world)


def test_a_subject_not_randomised_is_refused(world, investigator):
    screened = subjects.subject_screen(actor=None, site=world.site_a, number="A1-002", screened_on=dt.date(2026, 3, 2))
    with pytest.raises(ValidationError) as caught:
        subject_unblind(actor=investigator, subject=screened, reason=REASON, password=PASSWORD)
    assert "subject" in caught.value.message_dict
    _nothing_written(world)


def test_the_medical_monitor_gets_a_notice_and_an_email_without_the_arm(
    world, investigator, physician, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password=PASSWORD)
    assert mailoutbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    notice = Notice.objects.get()
    assert (notice.user, notice.study, notice.kind) == (physician, world.study, NOTICE_KIND)
    assert notice.url == _url(world, world.subject_a)
    assert "A1-001" in notice.title and REASON in notice.body and investigator.printed_name in notice.body
    [email] = mailoutbox
    assert email.to == [physician.email]
    assert email.subject == notice.title
    assert REASON in email.body and "A1-001" in email.body and notice.url in email.body
    for text in (notice.title, notice.body, email.subject, email.body, str(email.message())):
        assert not any(name in text for name in ARM_NAMES), text


def test_only_members_holding_the_notify_permission_and_seeing_the_site_are_told(
    world, physician, django_capture_on_commit_callbacks, mailoutbox
):
    """A monitor role given unblind_notify is told about its own site A1 only; the physician about every site."""
    role = Role.objects.get(study=world.study, code=RoleCode.MONITOR)
    accounts.role_permissions_set(
        actor=world.admin, role=role, permissions={*role.permissions, Perm.UNBLIND_NOTIFY}, reason="test"
    )
    monitor = world.users[RoleCode.MONITOR]
    User.objects.filter(pk=monitor.pk).update(email="cra@cro.example")
    investigator_b = _member(world, "investigator-b1", RoleCode.INVESTIGATOR, [world.site_b])
    with django_capture_on_commit_callbacks(execute=True):
        subject_unblind(actor=investigator_b, subject=world.subject_b, reason=REASON, password=PASSWORD)
    assert list(Notice.objects.values_list("user__username", flat=True)) == [physician.username]
    assert [m.to for m in mailoutbox] == [[physician.email]]
    with django_capture_on_commit_callbacks(execute=True):
        subject_unblind(
            actor=world.users[RoleCode.INVESTIGATOR], subject=world.subject_a, reason=REASON, password=PASSWORD
        )
    told = EmergencyUnblinding.objects.get(subject=world.subject_a).notified
    assert sorted(n["username"] for n in told) == sorted([monitor.username, physician.username])
    assert sorted(m.to[0] for m in mailoutbox[1:]) == ["cra@cro.example", physician.email]


def test_the_record_is_permanent(world, investigator, physician, django_capture_on_commit_callbacks, mailoutbox):
    """Asked again, the investigator sees the arm again and nothing new is written; a colleague is told who did it."""
    with django_capture_on_commit_callbacks(execute=True):
        subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password=PASSWORD)
        again = subject_unblind(actor=investigator, subject=world.subject_a, reason="", password="")
    assert again == world.arms[0]
    assert (EmergencyUnblinding.objects.count(), Notice.objects.count(), len(mailoutbox)) == (1, 1, 1)
    assert Signature.objects.filter(meaning=SignatureMeaning.UNBLIND).count() == 1
    colleague = _member(world, "subinvestigator", RoleCode.INVESTIGATOR, [world.site_a])
    with pytest.raises(ValidationError) as caught:
        subject_unblind(actor=colleague, subject=world.subject_a, reason=REASON, password=PASSWORD)
    assert investigator.printed_name in str(caught.value)
    record = EmergencyUnblinding.objects.get()
    assert (record.requested_by, record.reason) == (investigator, REASON)


# --- pages ---------------------------------------------------------------------------------------------------


def test_the_investigator_breaks_the_blind_on_the_page_and_sees_the_arm(world, investigator, physician, login):
    client = login(investigator)
    page = client.get(_url(world, world.subject_a)).content.decode()
    assert 'data-testid="unblind-form"' in page and "Arm A" not in page
    response = client.post(_url(world, world.subject_a), {"reason": REASON, "password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302 and response["Location"] == _url(world, world.subject_a)
    page = client.get(_url(world, world.subject_a)).content.decode()
    assert 'data-testid="unblinded-arm"' in page and "Arm A" in page
    assert REASON in page and 'data-testid="unblind-form"' not in page


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"reason": REASON, "password": PASSWORD}, "Confirm that"),
        ({"reason": "short", "password": PASSWORD, "confirm": "on"}, "at least 10 characters"),
        ({"reason": REASON, "password": "wrong", "confirm": "on"}, "password is not correct"),
    ],
)
def test_the_page_refuses_incomplete_forms_and_writes_nothing(world, investigator, login, data, field_error):
    response = login(investigator).post(_url(world, world.subject_a), data)
    page = response.content.decode()
    assert response.status_code == 200 and field_error in page and 'data-testid="unblind-form"' in page
    assert "Arm A" not in page
    _nothing_written(world)


def test_the_page_of_a_subject_not_randomised_offers_no_form(world, investigator, login):
    screened = subjects.subject_screen(actor=None, site=world.site_a, number="A1-002", screened_on=dt.date(2026, 3, 2))
    page = login(investigator).get(_url(world, screened)).content.decode()
    assert "has not been randomised" in page and 'data-testid="unblind-form"' not in page


def test_other_sites_are_404_and_other_roles_403(world, investigator, login):
    assert login(investigator).get(_url(world, world.subject_b)).status_code == 404
    data = {"reason": REASON, "password": PASSWORD, "confirm": "on"}
    assert login(investigator).post(_url(world, world.subject_b), data).status_code == 404
    assert login(world.users[RoleCode.STUDY_COORDINATOR]).post(_url(world, world.subject_a), data).status_code == 403
    assert login(world.outsider).get(_url(world, world.subject_a)).status_code == 404
    _nothing_written(world)


@pytest.mark.parametrize("role", BLINDED)
def test_blinded_readers_see_that_the_subject_was_unblinded_but_never_the_arm(world, investigator, login, role):
    subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password=PASSWORD)
    user = world.users[role]
    client = login(user)
    access = access_for(user, world.study.pk)
    pages = [_url(world, world.subject_a), f"/studies/{world.study.pk}/subjects/"]
    if access.can(Perm.DATA_VIEW):
        pages.append(f"/studies/{world.study.pk}/edc/subjects/{world.subject_a.pk}/")
    for url in pages:
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert not any(name in page for name in ARM_NAMES), url
        if url == pages[0]:
            assert "Unblinded on" in page and REASON in page and investigator.printed_name in page
        else:
            assert 'data-testid="unblinded-flag"' in page, url
    body = client.get(_api(world, world.subject_a, "unblinding")).content.decode()
    assert '"unblinded": true' in body and not any(name in body for name in ARM_NAMES)


@pytest.mark.parametrize("role", [RoleCode.UNBLINDED_STATISTICIAN, RoleCode.PHARMACIST])
def test_unblinded_roles_see_the_arm_on_the_unblinding_page(world, investigator, login, role):
    subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password=PASSWORD)
    page = login(world.users[role]).get(_url(world, world.subject_a)).content.decode()
    assert 'data-testid="unblinded-arm"' in page and "Arm A" in page


def test_the_casebook_links_investigators_to_the_unblinding_page(world, investigator, login):
    page = login(investigator).get(f"/studies/{world.study.pk}/edc/subjects/{world.subject_a.pk}/").content.decode()
    assert 'data-testid="unblind-link"' in page
    monitor_page = login(world.users[RoleCode.MONITOR]).get(
        f"/studies/{world.study.pk}/edc/subjects/{world.subject_a.pk}/"
    )
    assert 'data-testid="unblind-link"' not in monitor_page.content.decode()


# --- API -----------------------------------------------------------------------------------------------------


def test_the_api_returns_the_arm_to_the_requester_only(world, investigator, physician, client):
    client.force_login(investigator)
    before = client.get(_api(world, world.subject_a, "unblinding")).json()
    assert before["unblinded"] is False and "arm" not in before
    response = client.post(
        _api(world, world.subject_a, "unblind"),
        {"reason": REASON, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["arm"] == {"code": "A", "name": "Arm A"}
    assert (body["unblinded"], body["reason"], body["notified"]) == (True, REASON, [physician.printed_name])
    record = client.get(_api(world, world.subject_a, "unblinding")).json()
    assert record["unblinded_by"] == investigator.printed_name and "arm" not in record


def test_the_api_refuses_bad_requests(world, investigator, client):
    client.force_login(investigator)
    url = _api(world, world.subject_a, "unblind")
    short = client.post(url, {"reason": "short", "password": PASSWORD}, content_type="application/json")
    assert short.status_code == 422 and "reason" in short.json()["errors"]
    wrong = client.post(url, {"reason": REASON, "password": "wrong"}, content_type="application/json")
    assert wrong.status_code == 403
    other_site = _api(world, world.subject_b, "unblind")
    assert (
        client.post(other_site, {"reason": REASON, "password": PASSWORD}, content_type="application/json").status_code
        == 404
    )
    client.force_login(world.users[RoleCode.MONITOR])
    assert (
        client.post(url, {"reason": REASON, "password": PASSWORD}, content_type="application/json").status_code == 403
    )
    _nothing_written(world)


# --- audit trail ---------------------------------------------------------------------------------------------


def test_blinded_auditors_read_the_unblinding_in_the_trail_without_the_arm(world, investigator, login):
    first = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first()
    subject_unblind(actor=investigator, subject=world.subject_a, reason=REASON, password=PASSWORD)
    auditor = world.users[RoleCode.AUDITOR]
    seen = audit_for_study(access_for(auditor, world.study.pk)).filter(id__gt=first)
    assert {r.action for r in seen} >= {AuditAction.CREATE, AuditAction.SIGN, AuditAction.UNBLIND}
    assert seen.count() == AuditRecord.objects.filter(id__gt=first).count()  # nothing of it is hidden
    page = login(auditor).get(f"/studies/{world.study.pk}/audit/subjects.subject/{world.subject_a.pk}/")
    text = page.content.decode()
    assert page.status_code == 200 and REASON in text and not any(name in text for name in ARM_NAMES)
