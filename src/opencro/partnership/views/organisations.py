"""The organisation's home page, and the organisation pages of system administrators and organisation
administrators: organisations, their members and roles, the studies a sponsor owns.

An organisation's page is seen by a system administrator or by an administrator (`org.members`) of that
organisation; anyone else gets a 404, so a member of another organisation does not learn it exists.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opencro.accounts import organisations as services
from opencro.accounts.access import access_org, access_org_administered
from opencro.accounts.models import Organisation, OrganisationKind, OrganisationMember, User
from opencro.accounts.permissions import OrgPerm
from opencro.core.form_steps import run_step, step_form
from opencro.partnership import forms, selectors
from opencro.partnership.views.common import NAMESPACE
from opencro.studies.models import Study


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    access = access_org(request.user, OrgPerm.VIEW)
    context = {
        "organisation": access.organisation,
        "access": access,
        "studies": selectors.organisation_studies(access).order_by("protocol_number"),
        "agreements": selectors.agreement_list(access),
        "work_orders": selectors.work_order_list(access),
        "can_edit": access.can(OrgPerm.CONTRACT_EDIT),
        "can_members": access.can(OrgPerm.MEMBERS),
    }
    return render(request, "partnership/home.html", context)


def _superuser(user: User) -> None:
    if not user.is_superuser:
        raise PermissionDenied(_("Only a system administrator may do this."))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_list(request: HttpRequest) -> HttpResponse:
    _superuser(request.user)
    form = forms.OrganisationForm(request.POST if request.method == "POST" else None)

    def call(data: dict) -> str:
        created = services.organisation_create(actor=request.user, **data)
        return _("Organisation %(name)s created.") % {"name": created.name}

    def page(form) -> HttpResponse:
        organisations = Organisation.objects.all()
        return render(request, "partnership/organisations.html", {"organisations": organisations, "form": form})

    if request.method == "GET":
        return page(form)
    return run_step(request, form, call, page, (NAMESPACE + "organisations",))


def _organisation(request: HttpRequest, organisation_id: int) -> Organisation:
    return access_org_administered(request.user, organisation_id)


def _page(request: HttpRequest, organisation: Organisation, **forms_given: object) -> HttpResponse:
    """The organisation's page; `forms_given` replaces a blank form by the refused one."""
    is_sponsor = organisation.kind == OrganisationKind.SPONSOR
    studies = selectors.studies_of(organisation).order_by("protocol_number") if is_sponsor else []
    sponsor_form = step_form(
        forms_given,
        "sponsor_form",
        is_sponsor and request.user.is_superuser,
        lambda: forms.StudySponsorForm(studies=_assignable(organisation)),
    )
    context = {
        "organisation": organisation,
        "members": organisation.members.filter(is_active=True).select_related("user").order_by("user__username"),
        "member_form": forms_given.get("member_form") or forms.MemberForm(),
        "remove_form": forms_given.get("remove_form"),
        "remove_member_id": forms_given.get("remove_member_id"),
        "is_sponsor": is_sponsor,
        "studies": studies,
        "sponsor_form": sponsor_form,
    }
    return render(request, "partnership/organisation.html", context)


def _assignable(organisation: Organisation) -> QuerySet[Study]:
    return Study.objects.exclude(sponsor_organisation=organisation).order_by("protocol_number")


@login_required
@require_GET
def organisation_page(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _page(request, _organisation(request, organisation_id))


@login_required
@require_POST
def member_set(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    form = forms.MemberForm(request.POST)

    def call(data: dict) -> str:
        user = User.objects.filter(username=data["user"].strip()).first()
        if user is None:
            raise ValidationError({"user": _("No user has this username.")})
        member = services.organisation_member_set(
            actor=request.user, organisation=organisation, user=user, role=data["role"], reason=data["reason"]
        )
        return _("%(user)s is now %(role)s.") % {"user": user.printed_name, "role": member.get_role_display()}

    return run_step(
        request,
        form,
        call,
        lambda form: _page(request, organisation, member_form=form),
        (NAMESPACE + "organisation", organisation.pk),
    )


@login_required
@require_POST
def member_remove(request: HttpRequest, organisation_id: int, member_id: int) -> HttpResponse:
    organisation = _organisation(request, organisation_id)
    member = OrganisationMember.objects.filter(pk=member_id, organisation=organisation, is_active=True).first()
    if member is None:
        raise Http404(_("No such member."))
    form = forms.ReasonForm(request.POST, name="remove")

    def call(data: dict) -> str:
        services.organisation_member_remove(actor=request.user, member=member, reason=data["reason"])
        return _("%(user)s no longer works for %(org)s.") % {"user": member.user.printed_name, "org": organisation}

    return run_step(
        request,
        form,
        call,
        lambda form: _page(request, organisation, remove_form=form, remove_member_id=member.pk),
        (NAMESPACE + "organisation", organisation.pk),
    )


@login_required
@require_POST
def study_assign(request: HttpRequest, organisation_id: int) -> HttpResponse:
    _superuser(request.user)  # naming a study's owner is for system administrators, first of all
    organisation = _organisation(request, organisation_id)
    if organisation.kind != OrganisationKind.SPONSOR:
        raise Http404(_("Only a sponsor owns studies."))
    form = forms.StudySponsorForm(request.POST, studies=_assignable(organisation))

    def call(data: dict) -> str:
        study = Study.objects.get(pk=data["study"])  # one of the form's choices
        services.study_sponsor_set(actor=request.user, study=study, organisation=organisation, reason=data["reason"])
        return _("%(study)s now belongs to %(org)s.") % {"study": study.protocol_number, "org": organisation}

    return run_step(
        request,
        form,
        call,
        lambda form: _page(request, organisation, sponsor_form=form),
        (NAMESPACE + "organisation", organisation.pk),
        {"sponsor_organisation": "study"},
    )
