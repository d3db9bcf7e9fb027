"""A user restricted to site A1 cannot write at site B1, through a service or the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from opencro.accounts import services as accounts
from opencro.accounts.models import Role
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.studies import services as studies
from opencro.studies.models import Country, Site
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject, TreatmentAssignment
from tests.security.client import client_for

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 1)


def _screening(site, number: str) -> Subject:
    return subjects.subject_screen(actor=None, site=site, number=number, screened_on=DAY)


def _enrolled(site, number: str) -> Subject:
    return subjects.subject_enrol(actor=None, subject=_screening(site, number), enrolled_on=DAY)


def _subject_writes(actor, site, prefix: str, arm) -> dict:
    return {
        "screen": lambda: subjects.subject_screen(actor=actor, site=site, number=f"{prefix}-101", screened_on=DAY),
        "enrol": lambda: subjects.subject_enrol(
            actor=actor, subject=_screening(site, f"{prefix}-102"), enrolled_on=DAY
        ),
        "screen_fail": lambda: subjects.subject_screen_fail(
            actor=actor, subject=_screening(site, f"{prefix}-103"), reason="r"
        ),
        "assign": lambda: subjects.treatment_assign(
            actor=actor,
            subject=_enrolled(site, f"{prefix}-104"),
            arm=arm,
            randomisation_number=f"R-{prefix}-104",
            randomised_at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
        ),
    }


@pytest.mark.parametrize("role", [RoleCode.INVESTIGATOR, RoleCode.STUDY_COORDINATOR])
def test_subject_writes_stop_at_the_users_sites(matrix_world, role):
    actor = matrix_world.user(role)
    arm = matrix_world.arms[0]
    for write in _subject_writes(actor, matrix_world.site_b, "B1", arm).values():
        with pytest.raises(PermissionDenied):
            write()
    at_b = dict(Subject.objects.filter(number__startswith="B1-10").values_list("number", "status"))
    assert at_b == {"B1-102": "screening", "B1-103": "screening", "B1-104": "enrolled"}  # as set up, unchanged
    assert not TreatmentAssignment.objects.filter(subject__number="B1-104").exists()
    for write in _subject_writes(actor, matrix_world.site_a, "A1", arm).values():
        write()  # control: the same writes at the user's own site succeed
    assert Subject.objects.filter(study=matrix_world.study, number__startswith="A1-10").count() == 4


@pytest.fixture
def monitor_with_site_edit(matrix_world):
    """The site-restricted monitor, given `site.edit` by a system administrator."""
    role = Role.objects.get(study=matrix_world.study, code=RoleCode.MONITOR)
    accounts.role_permissions_set(
        actor=matrix_world.admin,
        role=role,
        permissions={*DEFAULT_ROLES[RoleCode.MONITOR], Perm.SITE_EDIT},
        reason="test: site edit for monitors",
    )
    return matrix_world.user(RoleCode.MONITOR)


def test_site_edit_stops_at_the_users_sites(matrix_world, monitor_with_site_edit):
    monitor = monitor_with_site_edit
    with pytest.raises(PermissionDenied):
        studies.site_update(
            actor=monitor, site=Site.objects.get(pk=matrix_world.site_b.pk), changes={"city": "Kyoto"}, reason="r"
        )
    with pytest.raises(PermissionDenied):
        studies.site_create(
            actor=monitor,
            study=matrix_world.study,
            number="C1",
            institution="Gamma",
            principal_investigator="Dr C",
            country=Country.objects.get(study=matrix_world.study, code="US"),
            time_zone="UTC",
        )
    studies.site_update(
        actor=monitor, site=Site.objects.get(pk=matrix_world.site_a.pk), changes={"city": "Dallas"}, reason="r"
    )
    assert list(Site.objects.filter(study=matrix_world.study).values_list("number", "city")) == [
        ("A1", "Dallas"),
        ("B1", ""),
    ]


def test_site_edit_over_the_api_stops_at_the_users_sites(matrix_world, monitor_with_site_edit):
    client = client_for(monitor_with_site_edit)
    url = f"/api/v1/studies/{matrix_world.study.pk}/sites/{{}}"
    body = {"reason": "r", "city": "Elsewhere"}
    assert client.patch(url.format(matrix_world.site_b.pk), body, content_type="application/json").status_code == 404
    assert client.patch(url.format(matrix_world.site_a.pk), body, content_type="application/json").status_code == 200
    assert Site.objects.get(pk=matrix_world.site_b.pk).city == ""
