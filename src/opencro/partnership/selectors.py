"""Reads of the partnership: what an organisation's people see of agreements, work orders and change orders.

An organisation sees the agreements it is a party to (as sponsor or as CRO), the work orders under them and their
change orders; any other is a 404, as a study outside a membership is. The studies a work order may cover are the
sponsor's own.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import OrgAccess
from opencro.accounts.models import Organisation, OrganisationKind
from opencro.accounts.tenancy import LIVE_WORK_ORDERS
from opencro.partnership.catalogue import DUTIES, DUTY_BY_CODE, Duty, Party
from opencro.partnership.models import AgreementStatus, ChangeOrder, MasterServicesAgreement, WorkOrder
from opencro.studies.models import Study


def _party_q(access: OrgAccess, prefix: str = "") -> Q:
    return Q(**{f"{prefix}sponsor_id": access.organisation_id}) | Q(**{f"{prefix}cro_id": access.organisation_id})


def agreement_list(access: OrgAccess) -> QuerySet[MasterServicesAgreement]:
    return MasterServicesAgreement.objects.filter(_party_q(access)).select_related("sponsor", "cro")


def agreement_get(access: OrgAccess, agreement_id: int) -> MasterServicesAgreement:
    found = agreement_list(access).filter(pk=agreement_id).first()
    if found is None:
        raise Http404(_("No such agreement."))
    return found


def work_order_list(access: OrgAccess) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(_party_q(access, "agreement__")).select_related(
        "agreement__sponsor", "agreement__cro", "study"
    )


def work_order_get(access: OrgAccess, work_order_id: int) -> WorkOrder:
    found = work_order_list(access).filter(pk=work_order_id).first()
    if found is None:
        raise Http404(_("No such work order."))
    return found


def change_order_get(work_order: WorkOrder, change_order_id: int) -> ChangeOrder:
    found = work_order.change_orders.filter(pk=change_order_id).first()
    if found is None:
        raise Http404(_("No such change order."))
    return found


def counterparties(access: OrgAccess) -> QuerySet[Organisation]:
    """The active organisations of the other kind: whom an agreement may be made with."""
    other = OrganisationKind.CRO if access.organisation.kind == OrganisationKind.SPONSOR else OrganisationKind.SPONSOR
    return Organisation.objects.filter(kind=other, is_active=True)


def contractable_studies(agreement: MasterServicesAgreement) -> QuerySet[Study]:
    """The studies a work order under `agreement` may cover: the sponsor's own, once the agreement is in force (a CRO
    learns which studies a sponsor runs only when the sponsor has signed with it)."""
    if agreement.status != AgreementStatus.ACTIVE:
        return Study.objects.none()
    return Study.objects.filter(sponsor_organisation=agreement.sponsor_id)


def studies_of(organisation: Organisation) -> QuerySet[Study]:
    """The studies an organisation takes part in: a sponsor's own; for a CRO, those it holds a live work order on."""
    if organisation.kind == OrganisationKind.SPONSOR:
        return Study.objects.filter(sponsor_organisation=organisation)
    return Study.objects.filter(
        work_orders__agreement__cro=organisation,
        work_orders__agreement__status=AgreementStatus.ACTIVE,
        work_orders__status__in=LIVE_WORK_ORDERS,
    ).distinct()


def organisation_studies(access: OrgAccess) -> QuerySet[Study]:
    return studies_of(access.organisation)


@dataclass(frozen=True)
class MatrixRow:
    duty: Duty
    party: str
    note: str

    @property
    def party_label(self) -> str:
        return Party(self.party).label


def responsibility_matrix(work_order: WorkOrder) -> list[MatrixRow]:
    """Every sponsor duty with who holds it under the work order (a duty the matrix does not name is retained)."""
    held = {r.duty: r for r in work_order.responsibilities.all()}
    return [
        MatrixRow(duty, held[duty.code].party, held[duty.code].note)
        if duty.code in held
        else MatrixRow(duty, Party.SPONSOR, "")
        for duty in DUTIES
    ]


def duty_label(code: str) -> str:
    duty = DUTY_BY_CODE.get(code)
    return str(duty.label) if duty else code
