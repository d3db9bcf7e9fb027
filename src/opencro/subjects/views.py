"""Subject list page: site-scoped, arm column for unblinded roles only."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencro.accounts.access import access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.selectors.unblinding import unblindings_for
from opencro.subjects.selectors import assignments_visible, subject_list


@login_required
def subject_list_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.SUBJECT_VIEW)
    subjects = list(subject_list(access))
    assignments = assignments_visible(access, subjects)
    rows = [(s, assignments.get(s.pk)) for s in subjects]
    return render(
        request,
        "subjects/list.html",
        {
            "study": access.membership.study,
            "rows": rows,
            "unblinded": access.sees_treatment,
            "can_view_data": access.can(Perm.DATA_VIEW),
            "unblinded_ids": set(unblindings_for(access, subjects)),
        },
    )
