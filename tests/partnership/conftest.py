"""The partnership's test world: two sponsors and two CROs, with people in each, on top of the shared `world`.

Study T-001 belongs to sponsor Acme, T-002 to sponsor Borealis. `partners.msa` is an agreement between Acme and the CRO
Crux, drafted by Crux and in force (signed by both); `partners.work_order` a draft work order on T-001 under it
(monitoring and data management). Delta is a CRO with no agreement. In each organisation: `<org>_contracts` drafts
(contract.edit), `<org>_exec` signs (contract.sign), `<org>_lead` keeps the delivery (project.manage: risks, status
reports), `<org>_viewer` reads; `acme_admin` manages Acme's members.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.test import override_settings

from opencro.accounts import organisations
from opencro.accounts.models import Organisation, User
from opencro.accounts.permissions import OrgRole
from opencro.partnership.models import MasterServicesAgreement, WorkOrder
from opencro.partnership.services.agreements import agreement_create
from opencro.partnership.services.signing import contract_sign
from opencro.partnership.services.work_orders import work_order_create
from tests.conftest import FAST_HASHER, PASSWORD, make_user

START = dt.date(2026, 1, 1)


@dataclass
class Partners:
    acme: Organisation
    borealis: Organisation
    crux: Organisation
    delta: Organisation
    people: dict[str, User] = field(default_factory=dict)
    msa: MasterServicesAgreement | None = None
    work_order: WorkOrder | None = None

    def __getattr__(self, name: str) -> User:
        try:
            return self.__dict__["people"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_partners(world) -> Partners:
    admin = world.admin
    orgs = {
        code: organisations.organisation_create(actor=admin, code=code, name=name, kind=kind, country=country)
        for code, name, kind, country in (
            ("acme", "Acme Pharma", "sponsor", "US"),
            ("borealis", "Borealis Bio", "sponsor", "DE"),
            ("crux", "Crux Research", "cro", "GB"),
            ("delta", "Delta Trials", "cro", "FR"),
        )
    }
    p = Partners(**orgs)
    for code, organisation in orgs.items():
        for role, suffix in (
            (OrgRole.CONTRACTS, "contracts"),
            (OrgRole.EXECUTIVE, "exec"),
            (OrgRole.PROJECT_LEAD, "lead"),
            (OrgRole.VIEWER, "viewer"),
        ):
            user = make_user(f"{code}-{suffix}")
            organisations.organisation_member_set(actor=admin, organisation=organisation, user=user, role=role)
            p.people[f"{code}_{suffix}"] = user
    p.people["acme_admin"] = make_user("acme-admin")
    organisations.organisation_member_set(actor=admin, organisation=p.acme, user=p.acme_admin, role=OrgRole.ADMIN)
    organisations.study_sponsor_set(actor=admin, study=world.study, organisation=p.acme)
    organisations.study_sponsor_set(actor=admin, study=world.other_study, organisation=p.borealis)
    p.msa = agreement_create(
        actor=p.crux_contracts, counterparty=p.acme, title="Clinical services", effective_on=START, currency="USD"
    )
    contract_sign(actor=p.crux_exec, record=p.msa, password=PASSWORD)
    p.msa = contract_sign(actor=p.acme_exec, record=p.msa, password=PASSWORD)
    p.work_order = work_order_create(
        actor=p.crux_contracts,
        agreement=p.msa,
        study=world.study,
        title="T-001 monitoring and data management",
        services=["monitoring", "data_management"],
        value=Decimal("1200000.00"),
        start_on=START,
        end_on=dt.date(2028, 12, 31),
    )
    return p


@pytest.fixture(scope="module")
def _module_partners(_module_world, django_db_blocker):
    """The partnership's world, built once per module inside the module world's transaction (rolled back with it);
    None in a module with a transactional test."""
    if _module_world is None:
        yield None
        return
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):
        yield build_partners(_module_world)


def _refetched(p: Partners) -> Partners:
    """The module's partners read again, so no test sees another's changes to them in memory."""
    orgs = Organisation.objects.in_bulk([p.acme.pk, p.borealis.pk, p.crux.pk, p.delta.pk])
    users = User.objects.in_bulk([u.pk for u in p.people.values()])
    return Partners(
        acme=orgs[p.acme.pk],
        borealis=orgs[p.borealis.pk],
        crux=orgs[p.crux.pk],
        delta=orgs[p.delta.pk],
        people={name: users[u.pk] for name, u in p.people.items()},
        msa=MasterServicesAgreement.objects.get(pk=p.msa.pk),
        work_order=WorkOrder.objects.get(pk=p.work_order.pk),
    )


@pytest.fixture
def partners(world, _module_partners) -> Partners:
    """Built once per module (each test in its own savepoint), afresh in a module with a transactional test."""
    return build_partners(world) if _module_partners is None else _refetched(_module_partners)
