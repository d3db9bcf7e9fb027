"""The submission tracker: the study's authority and ethics submissions with their next clock, and planning one.

Reads need `regulatory.view` (a site-restricted reader sees their countries' authority submissions and the
submissions to committees reviewing for their sites); planning needs `regulatory.edit`. A refused plan answers 200
with the errors beside the fields; a plan that lands redirects to the new submission.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from opencro.accounts.access import StudyAccess, access_check
from opencro.accounts.permissions import Perm
from opencro.core.form_errors import errors_to_form
from opencro.regulatory import forms, selectors
from opencro.regulatory.models import Authority, Submission
from opencro.regulatory.services import submissions as services
from opencro.regulatory.services._access import country_today
from opencro.regulatory.views._common import clock_row, next_clock, reader

LIST_LIMIT = 500


def plan_form(access: StudyAccess, data=None, initial=None) -> forms.PlanForm:
    """The plan form with the reader's choices: active authorities' types, their committees and countries."""
    return forms.PlanForm(
        data,
        initial=initial,
        types=list(selectors.application_types()),
        committees=list(selectors.committee_list(access)),
        countries=list(selectors.countries_of(access)),
        versions=list(selectors.protocol_versions(access)),
        parents=list(selectors.submission_list(access).order_by("number")),
    )


def plan_instance(access: StudyAccess, data: dict, owner) -> Submission:
    """The planned submission from the form's values (each one among the form's choices)."""
    return selectors.submission_planned(
        access,
        owner=owner,
        country_id=data["country"],
        title=data["title"],
        application_type_id=data.get("application_type"),
        committee_id=data.get("committee"),
        ethics_kind=data.get("ethics_kind") or "",
        protocol_version_id=data.get("protocol_version"),
        parent_id=data.get("parent"),
        product=data.get("product", ""),
        planned_on=data.get("planned_on"),
    )


def _rows(access: StudyAccess, found) -> list:
    """Each submission with its next clock and open questions; today is read once per country."""
    found = found.annotate(
        open_questions=Count("questions", filter=Q(questions__answered_on__isnull=True), distinct=True)
    )
    submissions = list(found.prefetch_related(*selectors.CLOCK_PREFETCH)[:LIST_LIMIT])
    today = {}
    for s in submissions:
        if s.country_id not in today:
            today[s.country_id] = country_today(s.country)
        clock = next_clock(selectors.submission_clocks(s, today[s.country_id]))
        s.next_clock = clock_row(clock) if clock else None
    return submissions


@login_required
@require_http_methods(["GET", "POST"])
def tracker(request: HttpRequest, study_id: int) -> HttpResponse:
    access = reader(request, study_id)
    can_edit = access.can(Perm.REGULATORY_EDIT)
    form = None
    if request.method == "POST":
        access_check(access, Perm.REGULATORY_EDIT)
        form = plan_form(access, request.POST)
        if form.is_valid():
            try:
                submission = services.submission_create(
                    actor=request.user, submission=plan_instance(access, form.cleaned_data, request.user)
                )
            except ValidationError as exc:
                errors_to_form(form, exc)
            else:
                messages.success(request, _("Submission %(number)s planned.") % {"number": submission.number})
                return redirect("regulatory:submission", study_id, submission.pk)
    elif can_edit:
        form = plan_form(access)
    countries = list(selectors.countries_of(access))
    committees = list(selectors.committee_list(access))
    visible = selectors.submission_list(access).order_by().values("pk")
    authorities = list(Authority.objects.filter(submissions__in=visible).distinct().order_by("code"))
    filters = forms.TrackerFilter(
        request.GET or None, countries=countries, authorities=authorities, committees=committees
    )
    values = filters.cleaned_data if filters.is_valid() else {}
    recipient = filters.chosen_recipient() if filters.is_valid() else None
    found = selectors.submission_list(
        access,
        country_id=values.get("country"),
        authority_id=recipient[1] if recipient and recipient[0] == forms.AUTHORITY else None,
        status=values.get("status", ""),
    )
    if recipient and recipient[0] == forms.COMMITTEE:
        found = found.filter(committee_id=recipient[1])
    context = {
        "study": access.membership.study,
        "filter": filters,
        "submissions": _rows(access, found),
        "total": found.count(),
        "limit": LIST_LIMIT,
        "form": form,
        "can_edit": can_edit,
    }
    return render(request, "regulatory/tracker.html", context)
