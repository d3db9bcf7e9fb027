"""Past performance from OpenCRO's own data: start-up time runs from the site's selection milestone when dated."""

import datetime as dt

import pytest

from opencro.sites.performance import performance_for
from opencro.sites.services import registry
from opencro.startup import services as startup
from opencro.startup.models import MilestoneKind, StartupMilestone

pytestmark = pytest.mark.django_db


def test_start_up_days_run_from_the_selection_milestone(world):
    institution = registry.institution_create(actor=None, study=world.study, name="Alpha Hospital", country_code="US")
    registry.site_link(actor=None, site=world.site_a, institution=institution)
    StartupMilestone.objects.filter(site=world.site_a, kind=MilestoneKind.SITE_SELECTED).delete()
    no_selection = performance_for([institution.pk], member_study_ids=None, today=dt.date(2026, 6, 1))
    (site,) = no_selection[institution.pk].sites
    assert site.startup_days is not None  # from the site's creation (its first audit record)

    startup.site_milestone_set(
        actor=None, site=world.site_a, kind=MilestoneKind.SITE_SELECTED, actual_on=dt.date(2025, 10, 1)
    )
    (site,) = performance_for([institution.pk], member_study_ids=None, today=dt.date(2026, 6, 1))[institution.pk].sites
    assert site.startup_days == (dt.date(2026, 1, 1) - dt.date(2025, 10, 1)).days == 92
    assert site.enrolled == 1 and site.active_months == pytest.approx(151 / 30.4375)


def test_protocol_deviations_per_enrolled_subject_count_confirmed_and_open_but_not_rejected(world):
    from opencro.accounts.permissions import RoleCode
    from opencro.monitoring import services as deviations

    institution = registry.institution_create(actor=None, study=world.study, name="Alpha Hospital", country_code="US")
    registry.site_link(actor=None, site=world.site_a, institution=institution)
    pm = world.user(RoleCode.PROJECT_MANAGER)

    def report(text):
        return deviations.deviation_report(
            actor=pm, site=world.site_a, subject=world.subject_a, category="procedures", description=text,
            occurred_on=dt.date(2026, 4, 1),
        )  # fmt: skip

    important, minor, rejected, _open = (report(t) for t in ("no ECG", "late labs", "not one", "pending"))
    rationale = "Reviewed against the protocol's schedule of assessments."
    deviations.deviation_classify(actor=pm, deviation=important, important=True, rationale=rationale)
    deviations.deviation_classify(actor=pm, deviation=minor, important=False, rationale=rationale)
    deviations.deviation_reject(actor=pm, deviation=rejected, rationale=rationale)
    found = performance_for([institution.pk], member_study_ids=None)[institution.pk]
    (site,) = found.sites
    assert (site.deviations, site.important_deviations, site.enrolled) == (3, 1, 1)
    assert (found.deviation_rate, found.important_deviation_rate) == (3.0, 1.0)
