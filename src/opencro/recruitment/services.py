"""Writes of the recruitment plan: permission, validation and audit in one transaction."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audited_save
from opencro.recruitment.models import RecruitmentPlan
from opencro.studies.models import Study


def recruitment_plan_save(
    *,
    actor: User | None,
    study: Study,
    target: int,
    rate_mean: float,
    rate_cv: float,
    last_in: dt.date | None = None,
    reason: str = "",
) -> RecruitmentPlan:
    """Create or change the study's plan (a change needs a reason). Study-wide: not for site-restricted roles."""
    if actor is not None:
        access = access_require(actor, study, Perm.STUDY_EDIT)
        if access.site_ids is not None:
            raise PermissionDenied(_("A site-restricted role cannot change the recruitment plan."))
    with transaction.atomic():
        plan = RecruitmentPlan.objects.select_for_update(of=("self",)).filter(
            study=study
        ).order_by().first() or RecruitmentPlan(study=study)
        plan.target, plan.rate_mean, plan.rate_cv, plan.last_in = target, rate_mean, rate_cv, last_in
        return audited_save(plan, actor=actor, reason=reason)
