"""Feasibility pages of a study: overview (invitations, study sites and their registry links), the questionnaire
and its questions, invitations, the ranked shortlist with the reasons of each score, and selection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.sites.models import WEIGHT_FIELDS, AnswerType, Institution, Investigator, Questionnaire
from opencro.sites.scoring import shortlist
from opencro.sites.selectors import (
    institution_get,
    invitation_get,
    invitation_list,
    question_get,
    questionnaire_get,
    registry_access,
    study_site_get,
    study_sites_with_links,
)
from opencro.sites.services import feasibility, registry
from opencro.sites.views._forms import choices_from_text, errors_of, number_or_none, object_id, text, whole


def _home(request, access, **extra):
    context = {
        "study": access.membership.study,
        "questionnaire": questionnaire_get(access),
        "invitations": invitation_list(access),
        "sites": study_sites_with_links(access),
        "institutions": Institution.objects.order_by("name")[:1000],
        "errors": {},
        **extra,
    }
    return render(request, "sites/home.html", context)


@login_required
def home(request, study_id: int):
    return _home(request, registry_access(request.user, study_id))


def _questionnaire_page(request, access, **extra):
    questionnaire = questionnaire_get(access)
    study = access.membership.study
    context = {
        "study": study,
        "questionnaire": questionnaire,
        "questions": questionnaire.questions.all() if questionnaire else [],
        "sent": bool(questionnaire and questionnaire.invitations.exists()),
        "answer_types": AnswerType.choices,
        "weights": [
            (
                name,
                Questionnaire._meta.get_field(name).verbose_name,
                getattr(questionnaire, name, None) if questionnaire else Questionnaire._meta.get_field(name).default,
            )
            for name in WEIGHT_FIELDS
        ],
        "default_title": _("Feasibility questionnaire: %(area)s") % {"area": study.indication},
        "errors": {},
        **extra,
    }
    return render(request, "sites/questionnaire.html", context)


@login_required
def questionnaire_page(request, study_id: int):
    access = registry_access(request.user, study_id)
    if request.method != "POST":
        return _questionnaire_page(request, access)
    post = request.POST
    try:
        weights = {name: whole(post, name, 0, high=100) for name in WEIGHT_FIELDS if name in post}
        feasibility.questionnaire_save(
            actor=request.user,
            study=access.membership.study,
            title=text(post, "title", 200),
            introduction=text(post, "introduction", 4000),
            condition=text(post, "condition", 200),
            weights=weights,
            reason=text(post, "reason"),
        )
    except ValidationError as exc:
        return _questionnaire_page(request, access, errors=errors_of(exc))
    messages.success(request, _("Questionnaire saved."))
    return redirect("feasibility:questionnaire", study_id=study_id)


@login_required
@require_POST
def question_add(request, study_id: int):
    access = registry_access(request.user, study_id)
    questionnaire = questionnaire_get(access)
    post = request.POST
    try:
        if questionnaire is None:
            raise ValidationError(_("Save the questionnaire first."))
        feasibility.question_add(
            actor=request.user,
            questionnaire=questionnaire,
            text=text(post, "text"),
            answer_type=text(post, "answer_type", 8),
            weight=whole(post, "weight", 1, high=100),
            yes_is_good=text(post, "yes_is_good", 3) != "no",
            threshold=number_or_none(post, "threshold"),
            choices=choices_from_text(text(post, "choices", 4000)),
        )
    except ValidationError as exc:
        return _questionnaire_page(request, access, errors=errors_of(exc))
    messages.success(request, _("Question added."))
    return redirect("feasibility:questionnaire", study_id=study_id)


@login_required
@require_POST
def question_delete(request, study_id: int, question_id: int):
    access = registry_access(request.user, study_id)
    question = question_get(access, question_id)
    try:
        feasibility.question_delete(actor=request.user, question=question, reason=text(request.POST, "reason"))
    except ValidationError as exc:
        return _questionnaire_page(request, access, errors=errors_of(exc))
    messages.success(request, _("Question removed."))
    return redirect("feasibility:questionnaire", study_id=study_id)


@login_required
@require_POST
def invitation_create(request, study_id: int):
    """Invite an institution; the link is shown once, on the next page."""
    access = registry_access(request.user, study_id)
    post = request.POST
    try:
        questionnaire = questionnaire_get(access)
        if questionnaire is None:
            raise ValidationError(_("Save the questionnaire first."))
        institution_id = object_id(post, "institution")
        if institution_id is None:
            raise ValidationError({"institution": _("Choose an institution.")})
        institution = institution_get(access, institution_id)
        investigator_id = object_id(post, "investigator")
        investigator = Investigator.objects.filter(pk=investigator_id).first() if investigator_id else None
        _invitation, token = feasibility.invitation_create(
            actor=request.user,
            questionnaire=questionnaire,
            institution=institution,
            investigator=investigator,
            contact_email=text(post, "contact_email", 254),
            days=whole(post, "days", 30, low=1, high=feasibility.DAYS_MAX),
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as exc:
        return _home(request, access, errors=errors_of(exc))
    link = request.build_absolute_uri(reverse("feasibility_respond", kwargs={"token": token}))
    messages.success(
        request,
        _("Invitation made. Send this link to the site; it is shown only now: %(link)s") % {"link": link},
    )
    return redirect("feasibility:home", study_id=study_id)


@login_required
def shortlist_page(request, study_id: int):
    access = registry_access(request.user, study_id)
    questionnaire = questionnaire_get(access)
    candidates = shortlist(access, questionnaire) if questionnaire else []
    context = {"study": access.membership.study, "questionnaire": questionnaire, "candidates": candidates}
    return render(request, "sites/shortlist.html", context)


@login_required
@require_POST
def candidate_select(request, study_id: int, invitation_id: int):
    access = registry_access(request.user, study_id)
    invitation = invitation_get(access, invitation_id)
    post = request.POST
    try:
        feasibility.candidate_select(
            actor=request.user,
            invitation=invitation,
            number=text(post, "number", 10),
            time_zone=text(post, "time_zone", 64),
            target_enrolment=whole(post, "target_enrolment", 0, high=100000),
            principal_investigator=text(post, "principal_investigator", 200),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(m for ms in errors_of(exc).values() for m in ms))
        return shortlist_page(request, study_id)
    messages.success(
        request, _("%(name)s is now a selected site of the study.") % {"name": invitation.institution.name}
    )
    return redirect("feasibility:shortlist", study_id=study_id)


@login_required
@require_POST
def site_link(request, study_id: int, site_id: int):
    """Link a study site to its registry institution (its past performance then counts for the institution)."""
    access = access_study(request.user, study_id)
    site = study_site_get(access, site_id)  # 404 outside the user's sites, before the permission's 403
    access_check(access, Perm.SITE_EDIT)
    access = registry_access(request.user, study_id)
    post = request.POST
    try:
        institution_id = object_id(post, "institution")
        if institution_id is None:
            raise ValidationError({"institution": _("Choose an institution.")})
        institution = institution_get(access, institution_id)
        investigator_id = object_id(post, "investigator")
        investigator = Investigator.objects.filter(pk=investigator_id).first() if investigator_id else None
        registry.site_link(
            actor=request.user,
            site=site,
            institution=institution,
            investigator=investigator,
            reason=text(post, "reason"),
        )
    except ValidationError as exc:
        return _home(request, access, errors=errors_of(exc))
    messages.success(
        request, _("Site %(number)s linked to %(name)s.") % {"number": site.number, "name": institution.name}
    )
    return redirect("feasibility:home", study_id=study_id)
