"""What the kick-off tests share: the contract's target dates, set on the partners' draft work order, and a small
trial built on T-001 whose data date the milestones.

T-001 of the shared world: sites A1 and B1 active from 2026-01-01; A1-001 and B1-001 screened 2026-03-01 and enrolled
2026-03-10. `trial_until_lpi_due` adds a recruitment plan (target 4 participants), A1-002 (enrolled 2026-04-15),
A1-003 (screen failure) and visits; `trial_lpi` site C1 (green light 2026-07-01) and C1-001 (enrolled 2026-08-01, the
4th: the target is reached); `trial_ended` every participant's disposition.

Visits (dates in the EDC): A1-001 2026-03-01, 2026-04-07; B1-001 2026-03-02; A1-002 2026-04-10, 2026-05-13; C1-001
2026-08-05, 2026-09-02 (the latest).
"""

import datetime as dt

from opencro.edc.services.build import build_import
from opencro.edc.services.entry import event_open
from opencro.followup.services import disposition_record
from opencro.partnership.models import WorkOrder
from opencro.partnership.services import kickoff
from opencro.recruitment.services import recruitment_plan_save
from opencro.studies import services as studies
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject
from tests.edc.builds import small_build
from tests.startup.activation import activate

D = dt.date
TARGETS = {
    "first_site_activated": D(2025, 12, 15),
    "first_participant_in": D(2026, 3, 15),
    "last_participant_in": D(2026, 6, 30),
    "last_participant_last_visit": D(2026, 9, 30),
    "database_lock": D(2026, 10, 31),
    "topline_results": D(2026, 11, 20),
    "clinical_study_report": D(2027, 2, 28),
}


def set_targets(p, work_order: WorkOrder | None = None, actor=None) -> None:
    for kind, day in TARGETS.items():
        kickoff.milestone_set(
            actor=actor or p.crux_contracts, work_order=work_order or p.work_order, kind=kind, planned_on=day
        )


def trial_until_lpi_due(w) -> None:
    """The recruitment plan (4 participants), A1-002 and A1-003, the EDC build and the first visits."""
    recruitment_plan_save(actor=None, study=w.study, target=4, rate_mean=1.0, rate_cv=0.5)
    a2 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-002", screened_on=D(2026, 4, 1))
    subjects.subject_enrol(actor=None, subject=a2, enrolled_on=D(2026, 4, 15))
    a3 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-003", screened_on=D(2026, 4, 2))
    subjects.subject_screen_fail(actor=None, subject=a3, reason="Not eligible: exclusion 1.")
    build_import(actor=None, study=w.study, build=small_build())
    for subject, event, day in (
        (w.subject_a, "SE.SCR", D(2026, 3, 1)),
        (w.subject_a, "SE.W4", D(2026, 4, 7)),
        (w.subject_b, "SE.SCR", D(2026, 3, 2)),
        (a2, "SE.SCR", D(2026, 4, 10)),
        (a2, "SE.W4", D(2026, 5, 13)),
    ):
        event_open(actor=None, subject=subject, event_oid=event, visit_date=day)


def trial_lpi(w) -> Subject:
    """Site C1 (green light 2026-07-01) and C1-001, the 4th participant (enrolled 2026-08-01), and its visits."""
    c1 = studies.site_create(
        actor=None,
        study=w.study,
        number="C1",
        institution="Gamma Clinic",
        principal_investigator="Dr C",
        country=w.site_a.country,
        time_zone="UTC",
    )
    c1 = activate(c1, D(2026, 7, 1))
    c1_001 = subjects.subject_screen(actor=None, site=c1, number="C1-001", screened_on=D(2026, 8, 1))
    subjects.subject_enrol(actor=None, subject=c1_001, enrolled_on=D(2026, 8, 1))
    event_open(actor=None, subject=c1_001, event_oid="SE.SCR", visit_date=D(2026, 8, 5))
    event_open(actor=None, subject=c1_001, event_oid="SE.W4", visit_date=D(2026, 9, 2))
    return c1_001


def trial_ended(w) -> None:
    """Every enrolled participant's disposition: B1-001 terminated early, the others completed."""
    numbers = ("A1-001", "B1-001", "A1-002", "C1-001")
    for subject in Subject.objects.filter(study=w.study, number__in=numbers).order_by("number"):
        if subject.number == "B1-001":
            disposition_record(
                actor=None,
                subject=subject,
                outcome="early_termination",
                reason="withdrawal_by_subject",
                disposition_on=D(2026, 5, 1),
            )
        else:
            disposition_record(actor=None, subject=subject, outcome="completed", disposition_on=D(2026, 9, 10))
