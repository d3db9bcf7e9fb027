"""Team API: a study's roles (permissions editable per study) and its members."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status

from opencro.accounts import services
from opencro.accounts.access import access_study
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.accounts.selectors import study_roles, team_members

router = Router(tags=["team"])


class RoleOut(Schema):
    id: int
    code: str
    name: str
    permissions: list[str]
    is_blinded: bool


class RolePatch(Schema):
    permissions: list[str]
    reason: str


class MemberOut(Schema):
    id: int
    username: str
    printed_name: str
    role_code: str
    site_numbers: list[str]

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.username

    @staticmethod
    def resolve_printed_name(obj) -> str:
        return obj.user.printed_name

    @staticmethod
    def resolve_role_code(obj) -> str:
        return obj.role.code

    @staticmethod
    def resolve_site_numbers(obj) -> list[str]:
        return sorted(site.number for site in obj.sites.all())


class MemberIn(Schema):
    username: str
    role_code: str
    site_numbers: list[str] = []
    reason: str = ""


class Reason(Schema):
    reason: str


@router.get("/{study_id}/roles", response=list[RoleOut], summary="The study's roles and their permissions")
def list_roles(request, study_id: int):
    return list(study_roles(access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)))


@router.patch("/{study_id}/roles/{role_id}", response=RoleOut, summary="Set a role's permissions (reason required)")
def patch_role(request, study_id: int, role_id: int, payload: RolePatch):
    access = access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)
    role = get_object_or_404(study_roles(access), pk=role_id)
    return services.role_permissions_set(
        actor=request.user, role=role, permissions=payload.permissions, reason=payload.reason
    )


@router.get("/{study_id}/members", response=list[MemberOut], summary="Who holds which role, at which sites")
def list_members(request, study_id: int):
    return list(team_members(access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)))


@router.post("/{study_id}/members", response={201: MemberOut}, summary="Grant a user a role, optionally at some sites")
def grant_member(request, study_id: int, payload: MemberIn):
    access = access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)
    study = access.membership.study
    user = get_object_or_404(User, username=payload.username, is_active=True)
    sites = [get_object_or_404(study.sites, number=number) for number in payload.site_numbers]
    get_object_or_404(study.roles, code=payload.role_code)
    membership = services.membership_grant(
        actor=request.user, user=user, study=study, role_code=payload.role_code, sites=sites, reason=payload.reason
    )
    return Status(201, membership)


@router.delete("/{study_id}/members/{membership_id}", response={204: None}, summary="Revoke access (reason required)")
def revoke_member(request, study_id: int, membership_id: int, reason: Query[Reason]):
    access = access_study(request.user, study_id, Perm.STUDY_MANAGE_ACCESS)
    membership = get_object_or_404(team_members(access), pk=membership_id)
    services.membership_revoke(actor=request.user, membership=membership, reason=reason.reason)
    return Status(204, None)
