"""The shared world plus a registry and a feasibility round built through the services (see `feasibility`)."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone, translation

from opencro.accounts.permissions import RoleCode
from opencro.sites.models import HistoricalSite, HistoricalTrial, Institution
from opencro.sites.services import feasibility as feas
from opencro.sites.services import registry
from opencro.studies import services as studies
from opencro.studies.models import Country
from opencro.subjects import services as subjects

PM = RoleCode.PROJECT_MANAGER


@pytest.fixture(autouse=True)
def _english():
    translation.activate("en")
    yield
    translation.activate("en")


def history_rows() -> None:
    """France: rated facilities X (Lyon, 30 in 10 months), Y (Paris, 2 in 4), Z (Nice, 0 in 2), one site each;
    asthma trials recruiting with sites in Lyon (two trials, one with two Lyon sites) and Paris (one); a completed
    asthma trial in Lyon and a recruiting diabetes trial in Lyon (neither competes)."""
    now = timezone.now()

    def trial(nct: str, status: str, conditions: str, enrollment=None, months=None, sites=()):
        t = HistoricalTrial.objects.create(
            nct_id=nct,
            status=status,
            conditions=conditions,
            enrollment=enrollment,
            enrollment_actual=enrollment is not None,
            months=months,
            site_count=len(sites),
            imported_at=now,
        )
        for key, city in sites:
            HistoricalSite.objects.create(
                trial=t, facility_key=key, name=key.split("|")[0], city=city, country="France"
            )

    trial("NCT00000001", "COMPLETED", "copd", 30, 10.0, [("x|lyon|france", "Lyon")])
    trial("NCT00000002", "COMPLETED", "copd", 2, 4.0, [("y|paris|france", "Paris")])
    trial("NCT00000003", "TERMINATED", "copd", 0, 2.0, [("z|nice|france", "Nice")])
    trial("NCT00000011", "RECRUITING", "asthma\nwheeze", None, None,
          [("a|lyon|france", "Lyon"), ("b|lyon|france", "Lyon"), ("c|paris|france", "Paris")])  # fmt: skip
    trial("NCT00000012", "RECRUITING", "severe asthma", None, None, [("d|lyon|france", "LYON")])
    trial("NCT00000013", "COMPLETED", "asthma", None, None, [("e|lyon|france", "Lyon")])
    trial("NCT00000014", "RECRUITING", "diabetes", None, None, [("f|lyon|france", "Lyon")])


@dataclass
class Feasibility:
    world: object
    pm: object
    x: Institution
    y: Institution
    w: Institution
    questionnaire: object = None
    questions: list = field(default_factory=list)
    tokens: dict = field(default_factory=dict)
    invitations: dict = field(default_factory=dict)


def build_feasibility(world) -> Feasibility:
    pm = world.user(PM)
    study = world.study
    history_rows()
    make = registry.institution_create
    f = Feasibility(
        world=world,
        pm=pm,
        x=make(actor=pm, study=study, name="Hôpital X", country_code="FR", city="Lyon", ctgov_key="x|lyon|france"),
        y=make(actor=pm, study=study, name="Clinique Y", country_code="FR", city="Paris", ctgov_key="y|paris|france"),
        w=make(actor=pm, study=study, name="Centre W", country_code="FR", city="Marseille"),
    )
    registry.site_link(actor=pm, site=world.site_a, institution=f.x)  # A1: 1 enrolled (world), 1 screen failure
    failed = subjects.subject_screen(actor=None, site=world.site_a, number="A1-002", screened_on=dt.date(2026, 3, 2))
    subjects.subject_screen_fail(actor=None, subject=failed, reason="not eligible")
    f.questionnaire = feas.questionnaire_save(actor=pm, study=study, title="Asthma feasibility", condition="Asthma")
    f.questions = [
        feas.question_add(actor=pm, questionnaire=f.questionnaire, text="MRI on site?", answer_type="yes_no", weight=2),
        feas.question_add(
            actor=pm, questionnaire=f.questionnaire, text="Patients per month?", answer_type="number", weight=3,
            threshold=10,
        ),
        feas.question_add(
            actor=pm, questionnaire=f.questionnaire, text="Asthma clinics?", answer_type="choice", weight=1,
            choices=[["none", 0], ["some", 50], ["many", 100]],
        ),
    ]  # fmt: skip
    for key, institution in (("x", f.x), ("y", f.y), ("w", f.w)):
        invitation, token = feas.invitation_create(actor=pm, questionnaire=f.questionnaire, institution=institution)
        f.invitations[key], f.tokens[key] = invitation, token
    q1, q2, q3 = (q.pk for q in f.questions)
    feas.invitation_answer(token=f.tokens["x"], respondent="Dr X", values={q1: "yes", q2: "5", q3: "some"})
    feas.invitation_answer(token=f.tokens["y"], respondent="Dr Y", values={q1: "yes", q2: "10", q3: "none"})
    studies.protocol_item_save(actor=None, instance=Country(study=study, code="FR", name="France", regulator="ANSM"))
    return f


@pytest.fixture
def feasibility(world) -> Feasibility:
    return build_feasibility(world)
