"""The tenant rule read two ways gives one answer: `access_for` (one study, applied in Python on every request) and
`access_study_ids` (the list, applied in SQL), for each kind of person and study (see accounts.tenancy)."""

import pytest

from opencro.accounts.access import access_for, access_study_ids
from opencro.accounts.models import Membership
from opencro.accounts.permissions import RoleCode
from opencro.partnership.models import WorkOrder
from opencro.studies.models import Study

pytestmark = pytest.mark.django_db


def _member(user, study) -> None:
    """A membership as a stored row, past the grant's own tenancy check: the rule must still refuse it when read."""
    Membership.objects.create(user=user, study=study, role=study.roles.get(code=RoleCode.MONITOR), is_active=True)


def _reaches(user, study) -> bool:
    one = access_for(user, study.pk) is not None
    listed = study.pk in access_study_ids(user)
    assert one == listed, f"access_for says {one}, the study list {listed}"
    return one


@pytest.mark.parametrize(
    ("person", "study", "reaches"),
    [
        ("outsider", "study", True),  # of no organisation: their memberships alone
        ("acme_viewer", "study", True),  # the sponsor's own study
        ("acme_viewer", "other_study", False),  # another sponsor's
        ("borealis_viewer", "study", False),
        ("crux_viewer", "study", True),  # a live work order under an agreement in force
        ("crux_viewer", "other_study", False),  # no work order there
        ("delta_viewer", "study", False),  # a CRO with no agreement
    ],
)
def test_the_rule_by_organisation(world, partners, person, study, reaches):
    user = world.outsider if person == "outsider" else getattr(partners, person)
    target = getattr(world, study)
    Membership.objects.filter(user=user, study=target).delete()
    _member(user, target)
    assert _reaches(user, target) is reaches


def test_a_cro_loses_the_study_with_its_work_order_and_reaches_unsponsored_ones(world, partners):
    crux, acme = partners.crux_viewer, partners.acme_viewer
    _member(crux, world.study)
    assert _reaches(crux, world.study)
    WorkOrder.objects.filter(pk=partners.work_order.pk).update(status="cancelled")
    assert not _reaches(crux, world.study)
    Study.objects.filter(pk=world.other_study.pk).update(sponsor_organisation=None)
    other = Study.objects.get(pk=world.other_study.pk)
    _member(crux, other)
    _member(acme, other)
    assert _reaches(crux, other)  # no sponsor organisation owns it
    assert not _reaches(acme, other)  # a sponsor's people reach their sponsor's studies only
