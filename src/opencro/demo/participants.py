"""OPC-301's participants, through the participant services: consent forms, paper consent at screening, the
investigator's eligibility checklist, enrolment, randomisation, re-consent to version 2.0, and the recruitment plan.

Each active site recruits from its green light as a Poisson process with its own rate (`SITE_RATES`, subjects
screened per month), so the enrolment page shows realistic differences: a fast site, slow ones, and one that
screens nobody. A fifth of those screened fail NT-proBNP (inclusion 5). Version 2.0 of the consent form (the
amendment) is approved at load time; about two thirds of the participants re-consented before the data cut-off,
the rest show "re-consent due".
"""

import datetime as dt
import random

from django.utils import timezone

from opencro.accounts.models import User
from opencro.demo import data
from opencro.demo.clock import afternoon, demo_clock
from opencro.recruitment.services import recruitment_plan_save
from opencro.rtsm.services.allocation import subject_randomise
from opencro.studies.models import CriterionKind, Site, Study
from opencro.subjects.consent import consent_sign
from opencro.subjects.consent_forms import consent_form_approve, consent_form_create, consent_form_ethics_record
from opencro.subjects.eligibility import eligibility_confirm
from opencro.subjects.models import ConsentForm
from opencro.subjects.screening import participant_enrol, participant_screen

SITE_RATES = {"101": 1.9, "102": 1.1, "201": 1.5, "202": 0.4, "301": 1.0, "401": 1.3, "501": 2.0, "601": 0.0}
MAX_SCREENED = {"101": 12, "401": 12}  # the sites whose Day 1 kits are dispensed: their first shipment's size
SCREEN_FAIL = 0.2
RECONSENTED = 0.65
ICF_TEXT = (
    "You are invited to take part in OPC-301, a study of OPC-1127 in chronic heart failure. Taking part is "
    "voluntary; you may withdraw at any time without giving a reason and without affecting your care."
)
PLAN = {"target": 240, "rate_mean": 1.2, "rate_cv": 0.6, "last_in": dt.date(2027, 10, 29)}


def load_participants(study: Study, sites: dict[str, Site]) -> None:
    pm = User.objects.get(username="pm")
    first, second = _consent_forms(pm, study)
    rng = random.Random(301)  # noqa: S311 - reproducible demo data, not security
    for number, site in sorted(sites.items()):
        if site.status != "active":
            continue
        for day in _screening_days(rng, site, SITE_RATES.get(number, 1.0), MAX_SCREENED.get(number, 16)):
            _participant(rng, site, first, day)
    second = consent_form_approve(actor=pm, form=second, password=data.DEMO_PASSWORD)
    _reconsent(rng, study, second)
    recruitment_plan_save(actor=pm, study=study, **PLAN)


def _consent_forms(pm: User, study: Study) -> tuple[ConsentForm, ConsentForm]:
    """Version 1.0 (approved before the first green light) and 2.0 for Amendment 1 (ethics-approved, a draft)."""
    first = consent_form_create(
        actor=pm, study=study, version="1.0", language="en", title="Participant information and consent", text=ICF_TEXT
    )
    first = consent_form_ethics_record(actor=pm, form=first, committee="Central IRB", approved_on=dt.date(2025, 11, 20))
    first = consent_form_approve(actor=pm, form=first, password=data.DEMO_PASSWORD)
    second = consent_form_create(
        actor=pm,
        study=study,
        version="2.0",
        language="en",
        title="Participant information and consent (Amendment 1)",
        text=ICF_TEXT + " Amendment 1 adds a blood sample for NT-proBNP at weeks 12 and 24.",
    )
    second = consent_form_ethics_record(
        actor=pm, form=second, committee="Central IRB", approved_on=dt.date(2026, 10, 12)
    )
    return first, second


def _screening_days(rng: random.Random, site: Site, per_month: float, most: int) -> list[dt.date]:
    """Poisson arrivals from the green light (or the first screening) until four weeks before the cut-off."""
    day = max(site.activated_on, data.FIRST_SCREENING)
    last = data.DATA_CUTOFF - dt.timedelta(days=28)
    days: list[dt.date] = []
    if per_month <= 0:
        return days
    while len(days) < most:
        day += dt.timedelta(days=max(1, round(rng.expovariate(per_month / 30.4))))
        if day > last:
            break
        days.append(day)
    return days


def _participant(rng: random.Random, site: Site, form: ConsentForm, screened: dt.date) -> None:
    subject = participant_screen(
        actor=None,
        site=site,
        form=form,
        method="paper",
        paper_signed_on=screened,
        sex=rng.choice("FM"),
        year_of_birth=rng.randint(1942, 1990),
    )
    fails = rng.random() < SCREEN_FAIL
    criteria = site.study.criteria.all()
    answers = {
        c.pk: "not_met" if fails and c.kind == CriterionKind.INCLUSION and c.number == 5 else _fine(c.kind)
        for c in criteria
    }
    with demo_clock(afternoon(screened)):  # the investigator confirms the checklist on the screening day
        eligibility_confirm(actor=None, subject=subject, password="", answers=answers)
    if fails:
        return
    enrolled = screened + dt.timedelta(days=rng.randint(7, 28))
    participant_enrol(actor=None, subject=subject, enrolled_on=enrolled)
    subject.refresh_from_db()
    subject_randomise(
        actor=None,
        subject=subject,
        eligibility_confirmed=True,
        consented_on=screened,
        randomised_at=timezone.make_aware(dt.datetime.combine(enrolled, dt.time(10, 30)), dt.UTC),
    )


def _fine(kind: str) -> str:
    return "met" if kind == CriterionKind.INCLUSION else "not_met"


def _reconsent(rng: random.Random, study: Study, form: ConsentForm) -> None:
    """Most participants still in the study signed version 2.0 at a visit after its ethics approval."""
    for subject in study.subjects.filter(status__in=("screening", "enrolled")).order_by("number"):
        if rng.random() < RECONSENTED:
            signed = form.ethics_approved_on + dt.timedelta(days=rng.randint(3, 35))
            consent_sign(actor=None, subject=subject, form=form, method="paper", paper_signed_on=signed)
