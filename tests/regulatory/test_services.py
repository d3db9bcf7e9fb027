"""Regulatory writes: permissions, numbering, steps and their order, clocks on questions, the start-up milestones an
approval dates (and so the green light), ethics expiry, and which protocol version a site may use."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts.access import access_study
from opencro.audit.models import AuditRecord
from opencro.regulatory import selectors
from opencro.regulatory.models import ApplicationType, Authority, EthicsCommittee, Submission, SubmissionStatus
from opencro.regulatory.services import submissions as svc
from opencro.startup.models import MilestoneKind, StartupMilestone
from opencro.startup.rules import green_light_blockers, startup_facts
from opencro.studies import services as studies
from opencro.studies.models import Country, ProtocolVersion

pytestmark = pytest.mark.django_db
D = dt.date


def _type(authority: str, code: str) -> ApplicationType:
    return ApplicationType.objects.get(authority__code=authority, code=code)


def _planned(world, *, authority="FDA", code="IND", country=None, actor=None, **extra) -> Submission:
    kind = _type(authority, code)
    submission = Submission(
        study=world.study,
        authority=kind.authority,
        application_type=kind,
        country=country or world.site_a.country,
        title=f"{code} for {world.study}",
        owner=world.admin,
        **extra,
    )
    return svc.submission_create(actor=actor or world.user("regulatory_specialist"), submission=submission)


@pytest.fixture
def germany(world):
    country = studies.protocol_item_save(
        actor=None, instance=Country(study=world.study, code="DE", name="Germany", regulator="BfArM")
    )
    site = studies.site_create(
        actor=None,
        study=world.study,
        number="C1",
        institution="Charite",
        principal_investigator="Dr C",
        country=country,
        time_zone="Europe/Berlin",
    )
    return country, site


def test_the_library_is_installed_with_cited_clocks(world):
    ind = _type("FDA", "IND")
    clock = ind.clocks.get(name="Safe-to-proceed period")
    assert (clock.days, clock.effect) == (30, "may_proceed") and "312.40" in clock.reference
    assert ind.clocks.get(recurs_months=12).days == 60  # the annual report (21 CFR 312.33)
    assert [c.name for c in _type("EU-CTR", "CTA").clocks.order_by("order")][:2] == [
        "Validation",
        "Assessment (Part I)",
    ]
    assert (
        Authority.objects.filter(code__in=["FDA", "EU-CTR", "MHRA", "PMDA", "HC", "CDSCO", "ANVISA", "NMPA"]).count()
        == 8
    )


def test_only_regulatory_editors_of_every_site_write(world):
    with pytest.raises(PermissionDenied):
        _planned(world, actor=world.user("monitor"))
    with pytest.raises(PermissionDenied):
        _planned(world, actor=world.user("investigator"))
    first = _planned(world)
    second = _planned(world, actor=world.user("project_manager"))
    assert (first.number, second.number, first.status) == ("RA-0001", "RA-0002", SubmissionStatus.PLANNED)


def test_steps_follow_the_status_and_refuse_future_dates(world):
    ind = _planned(world)
    actor = world.user("regulatory_specialist")
    with pytest.raises(ValidationError, match="cannot be approved"):
        svc.submission_step(actor=actor, submission=ind, step="approve", on=D(2026, 3, 1))
    with pytest.raises(ValidationError, match="future"):
        svc.submission_step(actor=actor, submission=ind, step="submit", on=D(2099, 1, 1))
    ind = svc.submission_step(actor=actor, submission=ind, step="submit", on=D(2026, 3, 1))
    with pytest.raises(ValidationError, match="before an earlier step"):
        svc.submission_step(actor=actor, submission=ind, step="approve", on=D(2026, 2, 1))
    ind = svc.submission_step(actor=actor, submission=ind, step="approve", on=D(2026, 3, 31), note="may proceed")
    assert (ind.status, ind.decided_on, ind.decision_note) == ("approved", D(2026, 3, 31), "may proceed")
    assert AuditRecord.objects.filter(object_type="regulatory.submission", object_id=str(ind.pk)).exists()


def test_an_initial_approval_dates_the_country_milestone_and_opens_the_green_light(world, germany):
    country, site = germany
    actor = world.user("regulatory_specialist")
    on = D(2026, 4, 1)

    def regulatory_blockers():
        blockers = green_light_blockers(startup_facts(world.study.pk, {site.pk}), site, on)
        return [b for b in blockers if b.field == MilestoneKind.REGULATORY_APPROVAL]

    assert regulatory_blockers()
    cta = _planned(world, authority="EU-CTR", code="CTA", country=country)
    cta = svc.submission_step(actor=actor, submission=cta, step="submit", on=D(2026, 2, 2))
    cta = svc.submission_step(actor=actor, submission=cta, step="validate", on=D(2026, 2, 10))
    cta = svc.submission_step(actor=actor, submission=cta, step="approve", on=D(2026, 3, 20))
    milestones = dict(StartupMilestone.objects.filter(country=country).values_list("kind", "actual_on"))
    assert milestones[MilestoneKind.REGULATORY_SUBMISSION] == D(2026, 2, 2)
    assert milestones[MilestoneKind.REGULATORY_APPROVAL] == D(2026, 3, 20)
    assert regulatory_blockers() == []
    # an amendment's approval is not the country's initial approval
    sm = _planned(world, authority="EU-CTR", code="SM", country=country, parent=cta)
    svc.submission_step(actor=actor, submission=sm, step="submit", on=D(2026, 3, 25))
    svc.submission_step(actor=actor, submission=sm, step="approve", on=D(2026, 3, 30))
    assert StartupMilestone.objects.get(country=country, kind=MilestoneKind.REGULATORY_APPROVAL).actual_on == D(
        2026, 3, 20
    )


def test_a_type_in_effect_once_submitted_is_approved_on_submission(world):
    amendment = _planned(world, code="IND-PA")
    amendment = svc.submission_step(
        actor=world.user("regulatory_specialist"), submission=amendment, step="submit", on=D(2026, 5, 4)
    )
    assert (amendment.status, amendment.decided_on) == (SubmissionStatus.APPROVED, D(2026, 5, 4))
    assert "312.30" in amendment.decision_note


def test_ethics_approvals_expire_by_the_committees_interval_and_date_site_milestones(world, germany):
    country, site = germany
    actor = world.user("regulatory_specialist")
    committee = svc.committee_save(
        actor=actor,
        committee=EthicsCommittee(
            study=world.study,
            name="Ethik-Kommission Berlin",
            scope="local",
            country=country,
            continuing_review_months=12,
        ),
        sites=[site],
    )
    with pytest.raises(ValidationError, match="committee's country"):
        svc.committee_save(actor=actor, committee=committee, sites=[world.site_a], reason="add a US site")
    review = svc.submission_create(
        actor=actor,
        submission=Submission(
            study=world.study,
            committee=committee,
            ethics_kind="initial",
            country=country,
            title="Initial review",
            owner=world.admin,
        ),
    )
    assert review.number == "EC-0001"
    svc.submission_step(actor=actor, submission=review, step="submit", on=D(2026, 2, 1))
    review = svc.submission_step(actor=actor, submission=review, step="approve", on=D(2026, 3, 1))
    assert review.expires_on == D(2027, 2, 28)  # a year less a day (OHRP)
    assert StartupMilestone.objects.get(site=site, kind=MilestoneKind.LOCAL_ETHICS_APPROVAL).actual_on == D(2026, 3, 1)


def test_a_question_on_an_eu_application_is_due_in_twelve_days_and_stops_the_assessment(world, germany):
    country, _site = germany
    actor = world.user("regulatory_specialist")
    cta = _planned(world, authority="EU-CTR", code="CTA", country=country)
    svc.submission_step(actor=actor, submission=cta, step="submit", on=D(2026, 1, 5))
    cta = svc.submission_step(actor=actor, submission=cta, step="validate", on=D(2026, 1, 14))
    question = svc.question_add(actor=actor, submission=cta, received_on=D(2026, 2, 1), text="Justify the dose.")
    assert (question.number, question.response_due_on) == (1, D(2026, 2, 13))
    svc.question_answer(actor=actor, question=question, answered_on=D(2026, 2, 10), answer="See IB section 5.")
    clocks = {c.name: c for c in selectors.submission_clocks(cta, D(2026, 2, 20))}
    assert clocks["Assessment (Part I)"].ends == D(2026, 3, 9)  # 45 days from 14 Jan + 9 stopped days


def test_site_versions_answer_which_protocol_version_a_site_may_use(world):
    actor = world.user("regulatory_specialist")
    v1, v2 = (
        studies.protocol_item_save(
            actor=None,
            instance=ProtocolVersion(
                study=world.study, version=v, status="approved", effective_date=day, is_amendment=v != "1.0"
            ),
        )
        for v, day in (("1.0", D(2026, 1, 1)), ("2.0", D(2026, 6, 1)))
    )
    us = world.site_a.country
    central = svc.committee_save(
        actor=actor,
        committee=EthicsCommittee(
            study=world.study, name="Central IRB", scope="central", country=us, continuing_review_months=12
        ),
    )
    ind = _planned(world, protocol_version=v1)
    svc.submission_step(actor=actor, submission=ind, step="submit", on=D(2026, 1, 2))
    svc.submission_step(actor=actor, submission=ind, step="approve", on=D(2026, 2, 1))
    irb = svc.submission_create(
        actor=actor,
        submission=Submission(
            study=world.study,
            committee=central,
            ethics_kind="initial",
            country=us,
            protocol_version=v1,
            title="IRB initial",
            owner=world.admin,
        ),
    )
    svc.submission_step(actor=actor, submission=irb, step="submit", on=D(2026, 1, 5))
    svc.submission_step(actor=actor, submission=irb, step="approve", on=D(2026, 2, 10))
    pa = _planned(world, code="IND-PA", protocol_version=v2)
    svc.submission_step(actor=actor, submission=pa, step="submit", on=D(2026, 6, 2))
    rows = {(r.site.number, r.version.version): r for r in selectors.site_versions(access_study(actor, world.study.pk))}
    v1_a = rows[("A1", "1.0")]
    assert (v1_a.authority_on, v1_a.ethics_on, v1_a.usable_from) == (D(2026, 2, 1), D(2026, 2, 10), D(2026, 2, 10))
    assert v1_a.usable_on(D(2026, 5, 1)) and not v1_a.usable_on(D(2027, 2, 10))  # the IRB approval lapsed
    v2_a = rows[("A1", "2.0")]
    assert (v2_a.authority_on, v2_a.usable_from, [str(m) for m in v2_a.missing]) == (
        D(2026, 6, 2),
        None,
        ["ethics approval"],
    )
    assert rows[("B1", "1.0")].missing  # Japan: nothing submitted there


def test_a_site_restricted_reader_sees_only_their_countries(world):
    actor = world.user("regulatory_specialist")
    _planned(world)  # United States (site A1)
    _planned(world, authority="PMDA", code="CTN", country=world.site_b.country)
    investigator = access_study(world.user("investigator"), world.study.pk)  # site A1 only
    assert [s.application_type.code for s in selectors.submission_list(investigator)] == ["IND"]
    everyone = access_study(actor, world.study.pk)
    assert selectors.submission_list(everyone).count() == 2


def test_calendar_lists_clocks_answers_commitments_and_expiry(world):
    actor = world.user("regulatory_specialist")
    ind = _planned(world, planned_on=D(2026, 1, 20))
    svc.submission_step(actor=actor, submission=ind, step="submit", on=D(2026, 2, 1))
    svc.commitment_add(
        actor=actor, submission=ind, description="Submit the 12-month toxicology report", due_on=D(2026, 3, 15)
    )
    items = selectors.regulatory_calendar(
        access_study(actor, world.study.pk), since=D(2026, 2, 1), until=D(2026, 4, 30), on=D(2026, 3, 20)
    )
    assert [(i.kind, i.on, i.overdue) for i in items] == [("commitment", D(2026, 3, 15), True)]
    items = selectors.regulatory_calendar(
        access_study(actor, world.study.pk), since=D(2026, 2, 1), until=D(2026, 4, 30), on=D(2026, 2, 15)
    )
    assert [(i.kind, i.on, i.overdue) for i in items] == [
        ("clock", D(2026, 3, 3), False),  # 1 Feb + 30 days: may proceed unless FDA objects
        ("commitment", D(2026, 3, 15), False),
    ]
    assert "may proceed" in items[0].note


def test_the_calendar_costs_the_same_queries_for_more_submissions(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    actor = world.user("regulatory_specialist")
    access = access_study(actor, world.study.pk)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            selectors.regulatory_calendar(access, since=D(2026, 1, 1), until=D(2026, 12, 31), on=D(2026, 2, 15))
        return len(captured)

    def submitted(n: int) -> None:
        for _ in range(n):
            ind = _planned(world)
            svc.submission_step(actor=actor, submission=ind, step="submit", on=D(2026, 2, 1))
            svc.question_add(actor=actor, submission=ind, received_on=D(2026, 2, 2), text="Why?")

    submitted(2)
    few = queries()
    submitted(4)
    assert queries() == few
