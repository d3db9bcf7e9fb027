"""Deviation rules over the participants' own records, and detection runs (idempotent, scoped, audited)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.audit.services import audited_save
from opencro.edc.models.data import EventStatus
from opencro.edc.services.build import build_import
from opencro.edc.spec import spec_cache_clear
from opencro.monitoring import services
from opencro.monitoring.models import Deviation, DeviationSource, DeviationStatus
from opencro.monitoring.rules import findings_for
from opencro.subjects.consent_forms import consent_form_approve, consent_form_create, consent_form_ethics_record
from opencro.subjects.eligibility import eligibility_confirm
from opencro.subjects.screening import participant_enrol, participant_screen
from opencro.subjects.services import subject_enrol
from opencro.subjects.withdrawal import consent_withdraw
from tests.conftest import PASSWORD
from tests.followup.conftest import enrol, followup_build, visit
from tests.subjects.factories import approved_form, criteria, screened

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 11, 20)


@pytest.fixture
def fu(world):
    spec_cache_clear()
    world.version = build_import(actor=None, study=world.study, build=followup_build())
    return world


def _rules(subject, today=TODAY) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in findings_for([subject], today=today):
        found.setdefault(finding.rule, []).append(finding)
    return found


def test_visits_outside_their_window_and_visits_not_done(fu):
    p = enrol(fu.site_a, "A1-101", D(2026, 9, 1))  # Week 2 target 15 Sep (13-17), Week 4 29 Sep (26 Sep-2 Oct)
    visit(p, "SE.D1", D(2026, 9, 1))
    visit(p, "SE.W2", D(2026, 9, 12))  # one day early
    visit(p, "SE.W4", D(2026, 10, 3))  # one day late
    skipped = visit(p, "SE.W8", None)
    skipped.status, skipped.not_done_reason = EventStatus.NOT_DONE, "in hospital"
    audited_save(skipped, actor=None, reason="visit not done")
    found = _rules(p)
    window = {f.key: f for f in found["visit_window"]}
    assert set(window) == {f"visit_window:{p.pk}:SE.W2:1", f"visit_window:{p.pk}:SE.W4:1"}
    early, late = window[f"visit_window:{p.pk}:SE.W2:1"], window[f"visit_window:{p.pk}:SE.W4:1"]
    assert early.occurred_on == D(2026, 9, 12) and "before its window opened on 2026-09-13" in early.description
    assert late.occurred_on == D(2026, 10, 3) and "after its window closed on 2026-10-02" in late.description
    assert all(f.category == "visit_schedule" and f.site_id == fu.site_a.pk for f in window.values())
    (missed,) = found["visit_missed"]
    assert missed.key == f"visit_missed:{p.pk}:SE.W8:1" and "Week 8" in missed.description
    # a visit that is merely overdue (nothing entered) is the calendar's business, not a deviation
    assert not any("SE.W12" in f.key for f in findings_for([p], today=D(2027, 1, 30)))


def test_a_participant_loaded_without_consent_or_eligibility_review(world):
    found = _rules(world.subject_a)
    assert set(found) == {"eligibility", "consent_missing"}
    assert found["eligibility"][0].occurred_on == D(2026, 3, 10)
    assert "without an eligibility review" in found["eligibility"][0].description
    assert found["consent_missing"][0].category == "informed_consent"


def test_a_participant_screened_after_consent_and_enrolled_when_eligible_has_no_finding(world):
    crit = criteria(world.study)
    form = approved_form(world.study, sites=[world.site_a])
    subject = screened(world.site_a, form, actor=world.user(RoleCode.STUDY_COORDINATOR))
    answers = {crit["I1"].pk: "met", crit["I2"].pk: "met", crit["E1"].pk: "not_met"}
    eligibility_confirm(actor=world.user(RoleCode.INVESTIGATOR), subject=subject, password=PASSWORD, answers=answers)
    subject = participant_enrol(actor=None, subject=subject, enrolled_on=subject.screened_on)
    assert findings_for([subject], today=timezone.localdate()) == []


def test_consent_signed_after_screening_began(world):
    form = approved_form(world.study, sites=[world.site_a])
    subject = screened(world.site_a, form, actor=world.user(RoleCode.STUDY_COORDINATOR))
    subject.screened_on = subject.screened_on - dt.timedelta(days=3)  # as a record loaded from elsewhere would say
    audited_save(subject, actor=None, reason="loaded from the paper log")
    (finding,) = _rules(subject)["consent_before_screening"]
    assert finding.occurred_on == subject.screened_on and "before the first consent was signed" in finding.description


def _paper_consented(w, form, number_day: dt.date):
    """A participant consented on paper on `number_day`, enrolled a week later by the system (no review)."""
    subject = participant_screen(
        actor=None, site=w.site_a, form=form, method="paper", paper_signed_on=number_day, sex="F"
    )
    return subject_enrol(actor=None, subject=subject, enrolled_on=number_day + dt.timedelta(days=7))


def test_a_visit_after_withdrawal_of_consent_to_follow_up(fu):
    p = _paper_consented(fu, approved_form(fu.study, sites=[fu.site_a]), D(2026, 8, 25))  # Day 1: 1 Sep
    consent_withdraw(actor=None, subject=p, withdrawn_on=D(2026, 9, 20), scope="follow_up", data_may_be_used=True)
    visit(p, "SE.W2", D(2026, 9, 15))  # before: fine
    visit(p, "SE.W4", D(2026, 9, 29))  # after
    found = _rules(p)
    (finding,) = found["visit_after_withdrawal"]
    assert finding.key == f"visit_after_withdrawal:{p.pk}:SE.W4:1"
    assert finding.category == "informed_consent" and "2026-09-20" in finding.description
    assert "consent_missing" not in found and "consent_before_screening" not in found


def test_a_visit_done_after_a_new_consent_version_was_approved_without_re_consent(fu):
    p = _paper_consented(fu, approved_form(fu.study, sites=[fu.site_a]), D(2026, 8, 25))
    new = consent_form_create(
        actor=None, study=fu.study, version="2.0", language="en", title="ICF 2", text="Version 2.", sites=[fu.site_a]
    )
    consent_form_ethics_record(actor=None, form=new, committee="Central IRB", approved_on=D(2026, 9, 18))
    new = consent_form_approve(actor=None, form=new, password=PASSWORD)
    new.approved_at = dt.datetime(2026, 9, 20, 9, tzinfo=dt.UTC)  # as if approved for use then
    audited_save(new, actor=None, reason="approval date of the paper record")
    visit(p, "SE.W2", D(2026, 9, 15))  # before the new version: fine
    visit(p, "SE.W4", D(2026, 9, 29))
    (finding,) = _rules(p)["reconsent"]
    assert finding.key == f"reconsent:{p.pk}:{new.pk}" and "version 2.0" in finding.description
    assert finding.occurred_on == D(2026, 9, 29)


def test_detection_records_new_findings_once_as_deviations_awaiting_review(world):
    pm = world.user(RoleCode.PROJECT_MANAGER)
    run = services.deviations_detect(actor=pm, study=world.study, today=TODAY)
    assert (run.found, len(run.created)) == (4, 4)  # two rules for each of the two loaded participants
    deviation = Deviation.objects.get(rule="eligibility", subject=world.subject_b)
    assert (deviation.source, deviation.status, deviation.reported_by) == (DeviationSource.RULE, "open", None)
    assert deviation.identified_on == TODAY and deviation.site == world.site_b
    assert sorted(Deviation.objects.values_list("number", flat=True)) == ["PD-0001", "PD-0002", "PD-0003", "PD-0004"]
    again = services.deviations_detect(actor=pm, study=world.study, today=TODAY)
    assert (again.found, again.created) == (4, ())
    # a rejected finding stays rejected: the next run does not bring it back
    services.deviation_reject(
        actor=pm, deviation=deviation, rationale="Eligibility was confirmed on paper at the site."
    )
    assert services.deviations_detect(actor=pm, study=world.study, today=TODAY).created == ()
    assert Deviation.objects.get(pk=deviation.pk).status == DeviationStatus.REJECTED


def test_a_site_restricted_reviewer_detects_at_their_sites_and_others_may_not_detect(world):
    run = services.deviations_detect(actor=world.user(RoleCode.MONITOR), study=world.study, today=TODAY)
    assert {d.site_id for d in run.created} == {world.site_a.pk}
    for role in (RoleCode.STUDY_COORDINATOR, RoleCode.DATA_MANAGER, RoleCode.AUDITOR):
        with pytest.raises(PermissionDenied):
            services.deviations_detect(actor=world.user(role), study=world.study)


def test_the_rules_read_in_a_fixed_number_of_queries(fu):
    def queries(subjects) -> int:
        with CaptureQueriesContext(connection) as seen:
            findings_for(subjects, today=TODAY)
        return len(seen.captured_queries)

    form = approved_form(fu.study, sites=[fu.site_a])
    people = [_paper_consented(fu, form, D(2026, 8, 20 + n)) for n in range(3)]
    for p in people:
        visit(p, "SE.W2", p.enrolled_on + dt.timedelta(days=20))  # late
    new = consent_form_create(
        actor=None, study=fu.study, version="2.0", language="en", title="ICF 2", text="Version 2.", sites=[fu.site_a]
    )
    consent_form_ethics_record(actor=None, form=new, committee="Central IRB", approved_on=D(2026, 9, 18))
    consent_form_approve(actor=None, form=new, password=PASSWORD)  # re-consent due for all three
    assert queries(people[:1]) == queries(people)
