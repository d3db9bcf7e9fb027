"""Organisations API: the caller's own organisation, the organisations (system administrators), their members (an
organisation's administrators), a study's sponsor organisation, and the studies an organisation takes part in."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Status

from opencro.accounts import organisations as services
from opencro.accounts.access import access_org_administered, access_organisation
from opencro.accounts.models import Organisation, OrganisationMember, User
from opencro.accounts.permissions import OrgRole
from opencro.partnership import selectors
from opencro.partnership.api.base import fields_named, org, router
from opencro.partnership.api.schemas import (
    PartnerMemberIn,
    PartnerMemberOut,
    PartnerOrganisationIn,
    PartnerOrganisationOut,
    PartnerOwnOrganisationOut,
    PartnerReasonQuery,
    PartnerSponsorIn,
    PartnerStudyOut,
)
from opencro.studies.models import Study

ONE = "/organisations/{organisation_id}"


def _superuser(request) -> None:
    if not request.user.is_superuser:
        raise PermissionDenied(_("Only a system administrator may manage organisations."))


def _administered(request, organisation_id: int) -> Organisation:
    return access_org_administered(request.user, organisation_id)


def _study_out(study_id: int) -> Study:
    return Study.objects.select_related("sponsor_organisation").get(pk=study_id)


@router.get("/organisation", response=PartnerOwnOrganisationOut, summary="The organisation you work for, your role")
def own_organisation_get(request):
    access = access_organisation(request.user)
    if access is None:
        raise Http404(_("You do not work for an organisation here."))
    member = access.member
    return {
        "organisation": access.organisation,
        "role": member.role,
        "role_label": str(OrgRole(member.role).label),
        "permissions": sorted(access.permissions),
    }


@router.get("/organisations", response=list[PartnerOrganisationOut], summary="Every organisation (administrators)")
def organisations_get(request):
    _superuser(request)
    return list(Organisation.objects.all())


@router.post("/organisations", response={201: PartnerOrganisationOut}, summary="Create a sponsor or a CRO")
def organisation_post(request, payload: PartnerOrganisationIn):
    _superuser(request)
    organisation = services.organisation_create(actor=request.user, **payload.model_dump())
    return Status(201, organisation)


@router.get(ONE + "/members", response=list[PartnerMemberOut], summary="The organisation's members, past ones too")
def members_get(request, organisation_id: int):
    organisation = _administered(request, organisation_id)
    return list(organisation.members.select_related("user"))


@router.post(
    ONE + "/members",
    response={200: PartnerMemberOut, 201: PartnerMemberOut},
    summary="Place a person in the organisation with a role, or change their role (201 when newly placed)",
)
def member_post(request, organisation_id: int, payload: PartnerMemberIn):
    organisation = _administered(request, organisation_id)
    user = User.objects.filter(username=payload.username, is_active=True).first()
    if user is None:
        raise ValidationError({"username": _("No active user has this username.")})
    placed = not organisation.members.filter(user=user, is_active=True).exists()
    with fields_named(user="username"):
        member = services.organisation_member_set(
            actor=request.user, organisation=organisation, user=user, role=payload.role, reason=payload.reason
        )
    return Status(201 if placed else 200, OrganisationMember.objects.select_related("user").get(pk=member.pk))


@router.delete(ONE + "/members/{member_id}", response={204: None}, summary="Take a person out of the organisation")
def member_delete(request, organisation_id: int, member_id: int, query: Query[PartnerReasonQuery]):
    organisation = _administered(request, organisation_id)
    member = organisation.members.select_related("organisation").filter(pk=member_id).first()
    if member is None:
        raise Http404(_("No such member."))
    with fields_named(user="member_id"):
        services.organisation_member_remove(actor=request.user, member=member, reason=query.reason)
    return Status(204, None)


@router.put(
    "/studies/{study_id}/sponsor",
    response=PartnerStudyOut,
    summary="Name the sponsor organisation of a study (administrators)",
)
def study_sponsor_put(request, study_id: int, payload: PartnerSponsorIn):
    _superuser(request)
    study = Study.objects.filter(pk=study_id).first()
    if study is None:
        raise Http404(_("No such study."))
    organisation = None
    if payload.organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.organisation_id).first()
        if organisation is None:
            raise ValidationError({"organisation_id": _("No such organisation.")})
    with fields_named(sponsor_organisation="organisation_id"):
        services.study_sponsor_set(actor=request.user, study=study, organisation=organisation, reason=payload.reason)
    return _study_out(study.pk)


@router.get("/studies", response=list[PartnerStudyOut], summary="The studies your organisation takes part in")
def studies_get(request):
    return list(selectors.organisation_studies(org(request)).select_related("sponsor_organisation"))
