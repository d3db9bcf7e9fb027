"""E-signatures: re-authentication, manifestation, binding to content, and visible breaking."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from tests.conftest import PASSWORD

from opencro.accounts.models import Signature, SignatureMeaning
from opencro.accounts.signatures import content_hash, signature_apply, signatures_for
from opencro.audit.models import AuditAction, AuditRecord
from opencro.studies import services as studies
from opencro.studies.models import ProtocolVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(world):
    return studies.protocol_item_save(
        actor=world.user("project_manager"),
        instance=ProtocolVersion(
            study=world.study, version="1.0", effective_date=dt.date(2026, 1, 1), summary="Original"
        ),
    )


def test_signature_records_manifestation_and_hash(world, version):
    pm = world.user("project_manager")
    signature = signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.APPROVE)
    assert signature.printed_name == pm.printed_name
    assert signature.meaning == "approve"
    assert signature.signed_at is not None
    assert signature.content_hash == content_hash(version)
    assert not signature.is_broken
    assert AuditRecord.objects.filter(action=AuditAction.SIGN, object_id=str(version.pk)).exists()


def test_wrong_password_is_refused_and_counted(world, version):
    pm = world.user("project_manager")
    with pytest.raises(PermissionDenied):
        signature_apply(actor=pm, password="not-the-password", instance=version, meaning=SignatureMeaning.APPROVE)
    assert not Signature.objects.exists()
    pm.refresh_from_db()
    assert pm.failed_logins == 1


def test_role_without_sign_permission_cannot_sign(world, version):
    with pytest.raises(PermissionDenied):
        signature_apply(
            actor=world.user("medical_coder"), password=PASSWORD, instance=version, meaning=SignatureMeaning.REVIEW
        )


def test_outsider_cannot_sign(world, version):
    with pytest.raises(PermissionDenied):
        signature_apply(actor=world.outsider, password=PASSWORD, instance=version, meaning=SignatureMeaning.REVIEW)


def test_change_to_signed_content_breaks_signature_and_is_audited(world, version):
    pm = world.user("project_manager")
    signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.AUTHOR)
    version.summary = "Original, corrected"
    studies.protocol_item_save(actor=pm, instance=version, reason="typo")
    (signature,) = signatures_for(version)
    assert signature.is_broken
    assert AuditRecord.objects.filter(action=AuditAction.SIGNATURE_BROKEN, object_id=str(version.pk)).count() == 1


def test_save_without_change_keeps_signature(world, version):
    pm = world.user("project_manager")
    signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.AUTHOR)
    studies.protocol_item_save(actor=pm, instance=version, reason="no-op")
    assert not signatures_for(version)[0].is_broken


def test_approval_keeps_author_signature_valid(world, version):
    pm = world.user("project_manager")
    signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.AUTHOR)
    studies.protocol_version_approve(actor=pm, version=version, reason="approved")
    version.refresh_from_db()
    approval = signature_apply(
        actor=world.user("sponsor_oversight"), password=PASSWORD, instance=version, meaning=SignatureMeaning.APPROVE
    )
    author, approved = signatures_for(version)
    assert not author.is_broken  # status is workflow, not signed content
    assert approved.pk == approval.pk and not approved.is_broken
    version.effective_date = dt.date(2026, 2, 1)
    studies.protocol_item_save(actor=pm, instance=version, reason="date corrected")
    assert all(s.is_broken for s in signatures_for(version))


def test_pages_show_manifestation_and_broken_state(world, version, login):
    pm = world.user("project_manager")
    signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.APPROVE)
    client = login(pm)
    page = client.get(f"/studies/{world.study.pk}/protocol/").content.decode()
    assert pm.printed_name in page and "I approve" in page and "Valid" in page
    version.summary = "changed"
    studies.protocol_item_save(actor=pm, instance=version, reason="edit")
    page = client.get(f"/studies/{world.study.pk}/protocol/").content.decode()
    assert "Signature broken" in page


def test_sign_page_applies_signature(world, version, login):
    pm = world.user("project_manager")
    client = login(pm)
    url = f"/accounts/sign/{world.study.pk}/studies.protocolversion/{version.pk}/"
    response = client.post(url, {"meaning": "review", "password": PASSWORD})
    assert response.status_code == 302
    assert signatures_for(version)[0].meaning == "review"
    response = client.post(url, {"meaning": "review", "password": "wrong-password"})
    assert response.status_code == 200 and "not correct" in response.content.decode()


def test_sign_page_refuses_objects_of_other_studies(world, login):
    other_version = studies.protocol_item_save(
        actor=None, instance=ProtocolVersion(study=world.other_study, version="9.0", summary="x")
    )
    client = login(world.user("project_manager"))
    url = f"/accounts/sign/{world.study.pk}/studies.protocolversion/{other_version.pk}/"
    assert client.get(url).status_code == 404
    assert client.get(f"/accounts/sign/{world.study.pk}/subjects.subject/{world.subject_a.pk}/").status_code == 404


def test_dashboard_and_api_show_the_manifestation(world, version, login):
    pm = world.user("project_manager")
    signature_apply(actor=pm, password=PASSWORD, instance=version, meaning=SignatureMeaning.APPROVE)
    client = login(world.user("auditor"))
    dashboard = client.get(f"/studies/{world.study.pk}/").content.decode()
    assert pm.printed_name in dashboard and "I approve" in dashboard
    (listed,) = client.get(f"/api/v1/studies/{world.study.pk}/protocol-versions").json()
    (shown,) = listed["signatures"]
    assert (shown["printed_name"], shown["meaning"], shown["broken_at"]) == (pm.printed_name, "approve", None)
