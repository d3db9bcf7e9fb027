"""Randomising from the casebook page and over the API: blinded callers see the number, never the arm."""

import pytest

from opencro.accounts.permissions import RoleCode
from opencro.rtsm.models import Randomisation
from opencro.subjects.models import TreatmentAssignment
from tests.rtsm.factories import block_scheme, screened
from tests.security.client import bearer_headers

pytestmark = pytest.mark.django_db


def test_the_coordinator_randomises_from_the_casebook_and_sees_no_arm(world, client):
    block_scheme(world)
    subject = screened(world.site_a, "A1-010")
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    casebook = f"/studies/{world.study.pk}/edc/subjects/{subject.pk}/"
    page = client.get(casebook).content.decode()
    assert f"/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/randomise/" in page
    url = f"/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/randomise/"
    refused = client.post(url, {"consented_on": "2026-03-01"})
    assert refused.status_code == 200 and "Confirm that the subject meets" in refused.content.decode()
    assert not Randomisation.objects.filter(subject=subject).exists()
    done = client.post(url, {"consented_on": "2026-03-01", "eligibility_confirmed": "on"}, follow=True)
    text = done.content.decode()
    r = Randomisation.objects.get(subject=subject)
    assert r.number in text
    arm = TreatmentAssignment.objects.get(subject=subject).arm
    assert arm.name not in text and "Arm A" not in text and "Arm P" not in text


def test_an_unblinded_reader_sees_the_arm_on_the_casebook(world, client):
    block_scheme(world)
    subject = screened(world.site_a, "A1-011")
    client.force_login(world.user(RoleCode.STUDY_COORDINATOR))
    client.post(
        f"/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/randomise/",
        {"consented_on": "2026-03-01", "eligibility_confirmed": "on"},
    )
    arm = TreatmentAssignment.objects.get(subject=subject).arm
    client.force_login(world.user(RoleCode.UNBLINDED_STATISTICIAN))
    page = client.get(f"/studies/{world.study.pk}/edc/subjects/{subject.pk}/")
    assert page.status_code == 200 and arm.name in page.content.decode()


def test_api_randomise_and_list(world, client):
    block_scheme(world)
    subject = screened(world.site_a, "A1-012")
    coordinator = bearer_headers(world.user(RoleCode.STUDY_COORDINATOR))
    url = f"/api/v1/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/randomise"
    bad = client.post(url, {"consented_on": "2026-03-01"}, content_type="application/json", headers=coordinator)
    assert bad.status_code == 422 and "eligibility_confirmed" in bad.content.decode()
    ok = client.post(
        url,
        {"consented_on": "2026-03-01", "eligibility_confirmed": True},
        content_type="application/json",
        headers=coordinator,
    )
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert body["number"] == Randomisation.objects.get(subject=subject).number and "arm_code" not in body
    listing = client.get(f"/api/v1/studies/{world.study.pk}/rtsm/randomisations", headers=coordinator).json()
    assert [row["subject"] for row in listing["items"]] == ["A1-012"] and "arm_code" not in listing["items"][0]
    unblinded = bearer_headers(world.user(RoleCode.UNBLINDED_STATISTICIAN))
    rows = client.get(f"/api/v1/studies/{world.study.pk}/rtsm/randomisations", headers=unblinded).json()["items"]
    assert rows[0]["arm_code"] == TreatmentAssignment.objects.get(subject=subject).arm.code
    again = client.post(
        url,
        {"consented_on": "2026-03-01", "eligibility_confirmed": True},
        content_type="application/json",
        headers=coordinator,
    )
    assert again.status_code == 422 and "already randomised" in again.content.decode()


def test_other_sites_subjects_are_not_found(world, client):
    block_scheme(world)
    subject = screened(world.site_b, "B1-013")
    coordinator = bearer_headers(world.user(RoleCode.STUDY_COORDINATOR))
    url = f"/api/v1/studies/{world.study.pk}/rtsm/subjects/{subject.pk}/randomise"
    answer = client.post(url, {"eligibility_confirmed": True}, content_type="application/json", headers=coordinator)
    assert answer.status_code == 404
