"""Reads for the enrolment page: the visible sites' facts and the study's plan, scoped to the user's sites."""

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from opencro.accounts.access import StudyAccess
from opencro.recruitment.forecasting import (
    EnrolmentForecast,
    Plan,
    SiteFacts,
    SiteState,
    WhatIf,
    enrolment_forecast,
)
from opencro.recruitment.models import RecruitmentPlan
from opencro.startup.models import MilestoneKind, StartupMilestone
from opencro.studies.models import Site, SiteStatus
from opencro.subjects.models import Subject, SubjectStatus

STATE = {
    SiteStatus.ACTIVE: SiteState.OPEN,
    SiteStatus.ON_HOLD: SiteState.STOPPED,
    SiteStatus.CLOSED: SiteState.STOPPED,
}
RECRUITED = (SubjectStatus.ENROLLED, SubjectStatus.COMPLETED, SubjectStatus.WITHDRAWN)


def recruitment_plan_for(access: StudyAccess) -> RecruitmentPlan | None:
    return RecruitmentPlan.objects.filter(study_id=access.membership.study_id).first()


def enrolment_facts(access: StudyAccess) -> list[SiteFacts]:
    """Every site the user may see, with its state, green light dates and its subjects' enrolment dates."""
    return study_enrolment_facts(access.membership.study_id, access.site_filter("pk"), access.site_filter())


def study_enrolment_facts(
    study_id: int, site_filter: Q | None = None, subject_filter: Q | None = None
) -> list[SiteFacts]:
    """The facts of a study's sites (those `site_filter` keeps, on Site) and their subjects (`subject_filter`, on
    Subject, keeping the same sites): every site without filters, for a reader with no site restriction."""
    sites = list(
        Site.objects.filter(study_id=study_id).filter(site_filter or Q()).select_related("country").order_by("number")
    )
    enrolled: dict[int, list[dt.date]] = defaultdict(list)
    subjects = Subject.objects.filter(study_id=study_id, status__in=RECRUITED, enrolled_on__isnull=False)
    for site_id, day in subjects.filter(subject_filter or Q()).values_list("site_id", "enrolled_on"):
        enrolled[site_id].append(day)
    planned = planned_green_lights(sites)
    return [
        SiteFacts(
            site_id=site.pk,
            number=site.number,
            name=site.institution,
            country=site.country.code,
            state=STATE.get(site.status, SiteState.PENDING),
            activated_on=site.activated_on,
            planned_on=planned.get(site.pk),
            enrolled=tuple(sorted(enrolled[site.pk])),
        )
        for site in sites
    ]


def planned_green_lights(sites: list[Site]) -> dict[int, dt.date]:
    """{site id: planned green-light date} from the sites' start-up milestones."""
    rows = StartupMilestone.objects.filter(
        site__in=sites, kind=MilestoneKind.GREEN_LIGHT, planned_on__isnull=False
    ).values_list("site_id", "planned_on")
    return dict(rows)


def enrolment_for(
    access: StudyAccess, as_of: dt.date, *, what_if: WhatIf | None = None, n_sims: int = 10_000
) -> EnrolmentForecast | None:
    """The forecast of the study (only its actuals and site rates for a site-restricted user); None without a plan."""
    plan = recruitment_plan_for(access)
    if plan is None:
        return None
    facts = enrolment_facts(access)
    return enrolment_forecast(
        facts,
        Plan(plan.target, plan.prior, plan.last_in),
        as_of,
        what_if=what_if,
        n_sims=n_sims,
        study_wide=access.site_ids is None,
    )


def site_targets_sum(access: StudyAccess) -> int:
    """The sum of the visible sites' target enrolments: the plan form's suggestion for the study's target."""
    sites = Site.objects.filter(study_id=access.membership.study_id).filter(access.site_filter("pk"))
    return sum(sites.values_list("target_enrolment", flat=True))
