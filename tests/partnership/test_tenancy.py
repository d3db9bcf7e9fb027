"""Tenant isolation: a sponsor's people reach only its studies, a CRO's only those it holds a live work order on."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import organisations
from opencro.accounts import services as accounts
from opencro.accounts.access import access_for, access_organisation, access_study_ids
from opencro.accounts.permissions import OrgRole, RoleCode
from opencro.accounts.tenancy import AGREEMENT_IN_FORCE, LIVE_WORK_ORDERS
from opencro.partnership.models import AgreementStatus, WorkOrderStatus
from opencro.partnership.selectors import organisation_studies
from opencro.partnership.services import agreements, work_orders
from tests.conftest import make_user
from tests.partnership.conftest import START

pytestmark = pytest.mark.django_db


def grant(world, user, study=None):
    return accounts.membership_grant(
        actor=world.admin, user=user, study=study or world.study, role_code=RoleCode.SPONSOR_OVERSIGHT
    )


def test_a_sponsors_people_join_only_its_own_studies(world, partners):
    grant(world, partners.acme_viewer)
    assert access_for(partners.acme_viewer, world.study.pk) is not None
    with pytest.raises(ValidationError) as refused:
        grant(world, partners.acme_viewer, world.other_study)  # Borealis's study
    assert "does not own this study" in refused.value.message_dict["user"][0]
    with pytest.raises(ValidationError):
        grant(world, partners.borealis_viewer)  # Acme's study


def test_a_cros_people_join_the_studies_it_is_contracted_on(world, partners):
    grant(world, partners.crux_viewer)  # Crux holds a (draft) work order on T-001
    assert access_for(partners.crux_viewer, world.study.pk) is not None
    with pytest.raises(ValidationError) as refused:
        grant(world, partners.delta_viewer)
    assert "no live work order" in refused.value.message_dict["user"][0]
    with pytest.raises(ValidationError):
        grant(world, partners.crux_viewer, world.other_study)


def test_a_membership_outside_the_rule_grants_nothing(world, partners):
    """When the work order is cancelled the CRO's people lose the study at once, on every page and API route
    (all of them ask access_for)."""
    grant(world, partners.crux_viewer)
    assert world.study.pk in access_study_ids(partners.crux_viewer)
    work_orders.work_order_cancel(
        actor=partners.crux_contracts, work_order=partners.work_order, reason="The sponsor chose another CRO."
    )
    assert access_for(partners.crux_viewer, world.study.pk) is None
    assert world.study.pk not in access_study_ids(partners.crux_viewer)


def test_a_terminated_agreement_closes_the_study_to_the_cro(world, partners):
    grant(world, partners.crux_viewer)
    agreements.agreement_terminate(
        actor=partners.acme_exec, agreement=partners.msa, terminated_on=START, reason="Programme ended."
    )
    assert access_for(partners.crux_viewer, world.study.pk) is None  # its draft work order opens nothing now
    assert list(organisation_studies(access_organisation(partners.crux_viewer))) == []


def test_joining_an_organisation_cuts_off_memberships_outside_it(world, partners):
    person = make_user("consultant")
    grant(world, person, world.other_study)  # works for no organisation yet: memberships alone decide
    assert access_for(person, world.other_study.pk) is not None
    organisations.organisation_member_set(actor=world.admin, organisation=partners.acme, user=person, role="viewer")
    assert access_for(person, world.other_study.pk) is None  # Borealis's study, Acme's person
    organisations.organisation_member_remove(
        actor=world.admin, member=person.organisation_membership, reason="Contract ended."
    )
    assert access_for(person, world.other_study.pk) is not None


def test_people_of_no_organisation_and_unowned_studies(world, partners):
    assert access_for(world.users[RoleCode.INVESTIGATOR], world.study.pk) is not None  # site staff: no organisation
    organisations.study_sponsor_set(actor=world.admin, study=world.other_study, organisation=None)
    grant(world, partners.delta_viewer, world.other_study)  # an unowned study is open to a CRO's people
    with pytest.raises(ValidationError):
        grant(world, partners.borealis_viewer, world.other_study)  # but to no sponsor's


def test_the_sponsor_is_not_changed_under_another_sponsors_people(world, partners):
    grant(world, partners.acme_viewer)
    with pytest.raises(ValidationError) as refused:
        organisations.study_sponsor_set(actor=world.admin, study=world.study, organisation=partners.borealis)
    assert "Acme-Viewer Tester" in refused.value.message_dict["sponsor_organisation"][0]
    with pytest.raises(ValidationError):
        organisations.study_sponsor_set(actor=world.admin, study=world.study, organisation=partners.crux)  # a CRO
    with pytest.raises(PermissionDenied):
        organisations.study_sponsor_set(actor=world.outsider, study=world.study, organisation=None)


def test_organisation_studies_follow_the_same_rule(world, partners):
    assert list(organisation_studies(access_organisation(partners.acme_viewer))) == [world.study]
    assert list(organisation_studies(access_organisation(partners.borealis_viewer))) == [world.other_study]
    assert list(organisation_studies(access_organisation(partners.crux_viewer))) == [world.study]
    assert list(organisation_studies(access_organisation(partners.delta_viewer))) == []


def test_people_and_organisations(world, partners):
    with pytest.raises(PermissionDenied):
        organisations.organisation_create(actor=partners.acme_admin, code="x", name="X", kind="cro")
    newcomer = make_user("newcomer")
    grant(world, newcomer, world.other_study)  # Borealis's study: Acme's administrator may not take them in
    with pytest.raises(ValidationError) as refused:
        organisations.organisation_member_set(
            actor=partners.acme_admin, organisation=partners.acme, user=newcomer, role=OrgRole.CONTRACTS
        )
    assert "cut off: T-002" in refused.value.message_dict["user"][0]
    accounts.membership_revoke(actor=world.admin, membership=newcomer.memberships.get(), reason="Moved to Acme.")
    with pytest.raises(ValidationError, match="own role"):
        organisations.organisation_member_set(
            actor=partners.acme_admin, organisation=partners.acme, user=partners.acme_admin, role=OrgRole.VIEWER
        )
    member = organisations.organisation_member_set(
        actor=partners.acme_admin, organisation=partners.acme, user=newcomer, role=OrgRole.CONTRACTS
    )
    assert access_organisation(newcomer).organisation == partners.acme
    with pytest.raises(PermissionDenied):  # Acme's administrator has no say over Crux
        organisations.organisation_member_set(
            actor=partners.acme_admin, organisation=partners.crux, user=make_user("other"), role=OrgRole.VIEWER
        )
    with pytest.raises(ValidationError) as refused:  # one organisation at a time
        organisations.organisation_member_set(
            actor=world.admin, organisation=partners.crux, user=newcomer, role=OrgRole.VIEWER
        )
    assert "works for Acme Pharma" in refused.value.message_dict["user"][0]
    with pytest.raises(ValidationError):
        organisations.organisation_member_remove(
            actor=partners.acme_admin, member=partners.acme_admin.organisation_membership, reason="Leaving today."
        )
    organisations.organisation_member_remove(actor=partners.acme_admin, member=member, reason="Moved to Crux.")
    assert access_organisation(newcomer) is None
    organisations.organisation_member_set(actor=world.admin, organisation=partners.crux, user=newcomer, role="viewer")
    assert access_organisation(newcomer).organisation == partners.crux
    organisations.organisation_edit(actor=world.admin, organisation=partners.crux, is_active=False, reason="Closed.")
    assert access_organisation(newcomer) is None


def test_the_live_work_orders_are_the_partnerships_draft_and_executed():
    assert set(LIVE_WORK_ORDERS) == {WorkOrderStatus.DRAFT, WorkOrderStatus.EXECUTED}
    assert set(WorkOrderStatus.values) - set(LIVE_WORK_ORDERS) == {WorkOrderStatus.CLOSED, WorkOrderStatus.CANCELLED}
    assert AGREEMENT_IN_FORCE == AgreementStatus.ACTIVE
