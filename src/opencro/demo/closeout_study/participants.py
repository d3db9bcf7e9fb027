"""OPC-204's participants through the participant services, each on its day: the consent form approved after the
central IRB's approval, a 1:1 permuted-block list stratified by site activated by the unblinded statistician, paper
consent at screening, the eligibility checklist (recorded by the system, as OPC-301's: two screen failures), enrolment
and randomisation two weeks later; at the end of each participant's part, the disposition."""

import datetime as dt

from django.utils import timezone

from opencro.accounts.models import User
from opencro.demo import data as demo_data
from opencro.demo.clock import afternoon, demo_clock
from opencro.demo.closeout_study import data
from opencro.demo.participants import ICF_TEXT
from opencro.followup.services import disposition_record
from opencro.rtsm.services import scheme as schemes
from opencro.rtsm.services.allocation import subject_randomise
from opencro.studies.models import CriterionKind, Site, Study
from opencro.subjects.consent_forms import consent_form_approve, consent_form_create, consent_form_ethics_record
from opencro.subjects.eligibility import eligibility_confirm
from opencro.subjects.models import ConsentForm, Subject
from opencro.subjects.screening import participant_enrol, participant_screen

SCHEME_SEED = 204


def consent_form_approved(pm: User, study: Study) -> ConsentForm:
    version, committee, approved_on = data.CONSENT
    with demo_clock(afternoon(approved_on)):
        form = consent_form_create(
            actor=pm,
            study=study,
            version=version,
            language="en",
            title="Participant information and consent",
            text=ICF_TEXT.replace("OPC-301", data.PROTOCOL),
        )
        form = consent_form_ethics_record(actor=pm, form=form, committee=committee, approved_on=approved_on)
        return consent_form_approve(actor=pm, form=form, password=demo_data.DEMO_PASSWORD)


def randomisation_activate(study: Study) -> None:
    """Blocks of 2 and 4 within each site, generated and activated before the first green light."""
    ustat = User.objects.get(username="ustat")
    with demo_clock(afternoon(data.CONSENT[2])):
        scheme = schemes.scheme_save(actor=ustat, study=study, method="block_list", block_sizes=[2, 4])
        schemes.factor_save(actor=ustat, scheme=scheme, name="site", label="Site", source="site")
        schemes.list_generate(actor=ustat, scheme=scheme, n_per_stratum=12, seed=SCHEME_SEED)
        scheme.refresh_from_db()
        schemes.scheme_activate(actor=ustat, scheme=scheme, password=demo_data.DEMO_PASSWORD)


def _answers(study: Study, fails: bool) -> dict[int, str]:
    """Every criterion met (an exclusion not met), or, for a screen failure, inclusion 2 not met."""
    answers = {}
    for criterion in study.criteria.all():
        inclusion = criterion.kind == CriterionKind.INCLUSION
        unmet = fails and inclusion and criterion.number == 2
        answers[criterion.pk] = "met" if inclusion and not unmet else "not_met"
    return answers


def participants_enrol(study: Study, sites: dict[str, Site], form: ConsentForm) -> list[Subject]:
    """Screen every participant of `data.PARTICIPANTS` and enrol and randomise those who are eligible; returns the
    subjects in that order."""
    subjects = []
    for number, screened, sex, born, outcome, after in data.PARTICIPANTS:
        investigator = User.objects.get(username=data.SITE_INVESTIGATORS[number])
        with demo_clock(afternoon(screened)):
            subject = participant_screen(
                actor=investigator,
                site=sites[number],
                form=form,
                method="paper",
                paper_signed_on=screened,
                sex=sex,
                year_of_birth=born,
            )
            fails = outcome == "screen_failure"
            eligibility_confirm(actor=None, subject=subject, password="", answers=_answers(study, fails))
        if not fails:
            enrolled = screened + dt.timedelta(days=after)
            with demo_clock(afternoon(enrolled)):
                participant_enrol(actor=investigator, subject=subject, enrolled_on=enrolled)
                subject_randomise(
                    actor=None,
                    subject=Subject.objects.get(pk=subject.pk),
                    eligibility_confirmed=True,
                    consented_on=screened,
                    randomised_at=timezone.make_aware(dt.datetime.combine(enrolled, dt.time(10, 30)), dt.UTC),
                )
        subjects.append(Subject.objects.select_related("site__country").get(pk=subject.pk))
    return subjects


def ended_on(subject: Subject, outcome: str | tuple) -> dt.date:
    """The day the participant's part ended: the last visit, the early termination, or screening's end."""
    if outcome == "screen_failure":
        return subject.screened_on + dt.timedelta(days=3)
    if isinstance(outcome, tuple):
        return outcome[1]
    return subject.enrolled_on + dt.timedelta(days=data.VISIT_DAYS["V4"])


def disposition_set(subject: Subject, outcome: str | tuple) -> None:
    """Completed, or terminated early for the reason given, recorded by the site's investigator on the day."""
    if outcome == "screen_failure":
        return
    investigator = User.objects.get(username=data.SITE_INVESTIGATORS[subject.site.number])
    day = ended_on(subject, outcome)
    with demo_clock(afternoon(day)):
        if isinstance(outcome, tuple):
            disposition_record(
                actor=investigator, subject=subject, outcome="early_termination", reason=outcome[0], disposition_on=day
            )
        else:
            disposition_record(actor=investigator, subject=subject, outcome="completed", disposition_on=day)
