"""The partnership API's schemas. Names carry the `Partner` prefix: a schema name is unique across the whole API.

Money is a string with two decimals (a JSON number would lose cents in clients that read it as a float), always with
its currency. Every text and number a client sends is bounded, so the database never sees what it cannot hold.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict

from opencro.accounts.models import Organisation, OrganisationKind, OrganisationMember
from opencro.accounts.permissions import OrgRole
from opencro.partnership.catalogue import DUTIES, Party, Service
from opencro.partnership.models import ChangeOrder, MasterServicesAgreement, WorkOrder
from opencro.partnership.selectors import MatrixRow, responsibility_matrix
from opencro.studies.models import Study

ID_MAX = 2**53
TEXT_MAX = 4000
REASON_MAX = 2000
PASSWORD_MAX = 1000
CURRENCY = r"^[A-Za-z]{3}$"
COUNTRY = r"^([A-Za-z]{2})?$"
MONEY_HELP = "A decimal with two places, as a string"
CHOICES = ConfigDict(use_enum_values=True)  # the services receive plain codes, as the forms give them

DutyCode = Annotated[str, Field(min_length=1, max_length=40)]


def money(value: Decimal) -> str:
    return f"{value:.2f}"


def signature(record, party: str) -> dict:
    signer = getattr(record, f"{party}_signed_by")
    return {"signed_by": signer.printed_name if signer else None, "signed_at": getattr(record, f"{party}_signed_at")}


class PartnerOrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    country: str
    address: str
    is_active: bool


class PartnerOwnOrganisationOut(Schema):
    organisation: PartnerOrganisationOut
    role: str
    role_label: str
    permissions: list[str] = Field(..., description="The organisation permissions the role holds")


class PartnerOrganisationIn(Schema):
    model_config = CHOICES

    code: str = Field(..., min_length=1, max_length=20, description="A slug, unique")
    name: str = Field(..., min_length=1, max_length=200)
    kind: OrganisationKind
    country: str = Field("", pattern=COUNTRY, description="ISO 3166-1 alpha-2 code")
    address: str = Field("", max_length=TEXT_MAX)


class PartnerMemberOut(Schema):
    id: int
    user_id: int
    username: str
    printed_name: str
    role: str
    is_active: bool
    joined_at: dt.datetime

    @staticmethod
    def resolve_username(obj: OrganisationMember) -> str:
        return obj.user.username

    @staticmethod
    def resolve_printed_name(obj: OrganisationMember) -> str:
        return obj.user.printed_name


class PartnerMemberIn(Schema):
    model_config = CHOICES

    username: str = Field(..., min_length=1, max_length=150)
    role: OrgRole
    reason: str = Field("", max_length=REASON_MAX, description="Why an existing member's role changes")


class PartnerReasonQuery(Schema):
    reason: str = Field("", max_length=REASON_MAX)


class PartnerStudyOut(Schema):
    id: int
    protocol_number: str
    short_title: str
    status: str
    sponsor_organisation_id: int | None
    sponsor_organisation: str | None = Field(..., description="The owning sponsor's name; null: none owns it")

    @staticmethod
    def resolve_sponsor_organisation(obj: Study) -> str | None:
        return obj.sponsor_organisation.name if obj.sponsor_organisation_id else None


class PartnerSponsorIn(Schema):
    organisation_id: int | None = Field(..., ge=1, le=ID_MAX, description="A sponsor organisation; null: none")
    reason: str = Field("", max_length=REASON_MAX)


class PartnerPartyOut(Schema):
    id: int
    code: str
    name: str

    @staticmethod
    def of(organisation: Organisation) -> dict:
        return {"id": organisation.pk, "code": organisation.code, "name": organisation.name}


class PartnerSignatureOut(Schema):
    signed_by: str | None = Field(..., description="The signer's printed name; null: not signed for this party")
    signed_at: dt.datetime | None


class _Signed(Schema):
    sponsor_signature: PartnerSignatureOut
    cro_signature: PartnerSignatureOut
    created_by: str
    created_at: dt.datetime

    @staticmethod
    def resolve_sponsor_signature(obj) -> dict:
        return signature(obj, Party.SPONSOR)

    @staticmethod
    def resolve_cro_signature(obj) -> dict:
        return signature(obj, Party.CRO)

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.printed_name


class PartnerAgreementOut(_Signed):
    id: int
    number: str
    title: str
    sponsor: PartnerPartyOut
    cro: PartnerPartyOut
    effective_on: dt.date
    expires_on: dt.date | None
    currency: str
    payment_terms_days: int
    governing_law: str
    status: str
    terminated_on: dt.date | None
    termination_reason: str

    @staticmethod
    def resolve_sponsor(obj: MasterServicesAgreement) -> dict:
        return PartnerPartyOut.of(obj.sponsor)

    @staticmethod
    def resolve_cro(obj: MasterServicesAgreement) -> dict:
        return PartnerPartyOut.of(obj.cro)


class PartnerAgreementIn(Schema):
    counterparty_id: int = Field(..., ge=1, le=ID_MAX, description="An active organisation of the other kind")
    title: str = Field(..., min_length=1, max_length=200)
    effective_on: dt.date
    expires_on: dt.date | None = None
    currency: str = Field("EUR", pattern=CURRENCY, description="ISO 4217 code")
    payment_terms_days: int = Field(30, ge=0, le=32767)
    governing_law: str = Field("", max_length=100)


class PartnerAgreementPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    effective_on: dt.date | None = None
    expires_on: dt.date | None = Field(None, description="Null clears the expiry")
    currency: str | None = Field(None, pattern=CURRENCY)
    payment_terms_days: int | None = Field(None, ge=0, le=32767)
    governing_law: str | None = Field(None, max_length=100)


class PartnerPasswordIn(Schema):
    password: str = Field(..., max_length=PASSWORD_MAX, description="The signer's password, given again")


class PartnerReasonIn(Schema):
    reason: str = Field(..., max_length=REASON_MAX)


class PartnerTerminateIn(Schema):
    terminated_on: dt.date
    reason: str = Field(..., max_length=REASON_MAX)


class PartnerWorkOrderOut(_Signed):
    id: int
    number: str
    agreement_id: int
    agreement_number: str
    sponsor: PartnerPartyOut
    cro: PartnerPartyOut
    study_id: int
    study_protocol_number: str
    title: str
    services: list[str]
    value: str = Field(..., description=MONEY_HELP)
    currency: str
    start_on: dt.date
    end_on: dt.date
    status: str

    @staticmethod
    def resolve_agreement_number(obj: WorkOrder) -> str:
        return obj.agreement.number

    @staticmethod
    def resolve_sponsor(obj: WorkOrder) -> dict:
        return PartnerPartyOut.of(obj.agreement.sponsor)

    @staticmethod
    def resolve_cro(obj: WorkOrder) -> dict:
        return PartnerPartyOut.of(obj.agreement.cro)

    @staticmethod
    def resolve_study_protocol_number(obj: WorkOrder) -> str:
        return obj.study.protocol_number

    @staticmethod
    def resolve_value(obj: WorkOrder) -> str:
        return money(obj.value)


class PartnerResponsibilityOut(Schema):
    duty: str
    label: str
    section: str = Field(..., description="The ICH E6(R3) section of the sponsor duty")
    party: str
    party_label: str
    note: str
    transferable: bool

    @staticmethod
    def of(row: MatrixRow) -> dict:
        duty = row.duty
        return {
            "duty": duty.code,
            "label": str(duty.label),
            "section": duty.section,
            "party": row.party,
            "party_label": str(row.party_label),
            "note": row.note,
            "transferable": duty.transferable,
        }


class PartnerWorkOrderDetailOut(PartnerWorkOrderOut):
    responsibilities: list[PartnerResponsibilityOut] = Field(..., description="Every sponsor duty and who holds it")

    @staticmethod
    def resolve_responsibilities(obj: WorkOrder) -> list[dict]:
        return [PartnerResponsibilityOut.of(row) for row in responsibility_matrix(obj)]


class PartnerWorkOrderIn(Schema):
    model_config = CHOICES

    study_id: int = Field(..., ge=1, le=ID_MAX, description="One of the agreement's sponsor's studies")
    title: str = Field(..., min_length=1, max_length=200)
    services: list[Service] = Field(..., max_length=len(Service))
    value: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, description=MONEY_HELP)
    start_on: dt.date
    end_on: dt.date


class PartnerWorkOrderPatch(Schema):
    model_config = CHOICES

    title: str | None = Field(None, min_length=1, max_length=200)
    services: list[Service] | None = Field(None, max_length=len(Service))
    value: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2, description=MONEY_HELP)
    start_on: dt.date | None = None
    end_on: dt.date | None = None


class PartnerResponsibilityIn(Schema):
    model_config = CHOICES

    party: Party
    note: str = Field("", max_length=TEXT_MAX, description="Required for a shared duty: how it is split")


class PartnerChangeOrderOut(_Signed):
    id: int
    number: str
    work_order_id: int
    title: str
    reason: str
    value_change: str = Field(..., description=MONEY_HELP)
    currency: str
    new_end_on: dt.date | None
    services_added: list[str]
    services_removed: list[str]
    duties: dict[str, str] = Field(..., description="Duty code -> the party it goes to")
    proposing_party: str
    status: str
    decided_at: dt.datetime | None
    decision_reason: str

    @staticmethod
    def resolve_value_change(obj: ChangeOrder) -> str:
        return money(obj.value_change)

    @staticmethod
    def resolve_currency(obj: ChangeOrder) -> str:
        return obj.work_order.currency


class PartnerChangeOrderIn(Schema):
    model_config = CHOICES

    title: str = Field(..., min_length=1, max_length=200)
    reason: str = Field(..., max_length=TEXT_MAX)
    value_change: Decimal = Field(Decimal(0), max_digits=14, decimal_places=2, description=MONEY_HELP)
    new_end_on: dt.date | None = None
    services_added: list[Service] = Field([], max_length=len(Service))
    services_removed: list[Service] = Field([], max_length=len(Service))
    duties: dict[DutyCode, Party] = Field(
        {}, max_length=len(DUTIES), description="Duty code -> the party it goes to (sponsor or cro)"
    )
