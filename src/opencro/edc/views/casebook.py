"""The subject casebook: visits from the schedule with their forms' states."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.selectors import casebook_grid, casebook_version, subject_get
from opencro.edc.signoff import signoff_state
from opencro.rtsm.selectors.randomisation import randomise_panel
from opencro.rtsm.selectors.unblinding import unblinding_panel
from opencro.rtsm.views.supply_subject import study_drug_panel


@login_required
def casebook_page(request, study_id: int, subject_id: int):
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.DATA_VIEW)
    version = casebook_version(subject)
    rows = casebook_grid(subject, version) if version else []
    return render(
        request,
        "edc/casebook.html",
        {
            "study": access.membership.study,
            "subject": subject,
            "version": version,
            "scheduled": [r for r in rows if not r.is_log],
            "logs": [r for r in rows if r.is_log],
            "can_enter": access.can(Perm.DATA_ENTER),
            "signoff": signoff_state(subject, can_sign=access.can(Perm.SIGNOFF)),
            "rtsm_panel": randomise_panel(access, subject),
            "unblinding": unblinding_panel(access, subject),
            "supply_panel": study_drug_panel(access, subject),
        },
    )
