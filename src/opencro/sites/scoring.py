"""The ranked shortlist: each invited candidate scored against the questionnaire's weighted criteria.

Components (weights on the questionnaire; see `opencro.stats.feasibility.weighted_score`):

- answers: the questions' points, each question's weight x the fraction its answer earns (0 when unanswered);
- enrolment: the institution's historical rate from ClinicalTrials.gov, shrunk toward its country (Marshall 1991),
  against the country's median (equal: half the points, twice or more: all); without history, its rate in
  OpenCRO's own studies against the candidates' median;
- screen failures: 1 - the screen-failure rate in OpenCRO's studies;
- query rate, protocol deviations per enrolled subject and start-up time in OpenCRO's studies, against the
  candidates' medians (lower is better);
- competition: 1 / (1 + trials recruiting for the questionnaire's condition in the same city).

A component without data counts half (neutral), and its reason says so.
"""

import statistics
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_study_ids
from opencro.sites.history import history_aggregate
from opencro.sites.models import Invitation, Question, Questionnaire
from opencro.sites.performance import InstitutionPerformance, performance_for
from opencro.stats.feasibility import (
    Component,
    FacilityHistory,
    History,
    QuestionRule,
    Score,
    competition_fraction,
    question_points,
    ratio_fraction,
    weighted_score,
)


@dataclass(frozen=True)
class AnswerPoints:
    question: Question
    value: str | None
    fraction: float


@dataclass(frozen=True)
class Candidate:
    rank: int
    invitation: Invitation
    score: Score
    answers: tuple[AnswerPoints, ...]
    facility: FacilityHistory | None
    performance: InstitutionPerformance | None


def question_rule(question: Question) -> QuestionRule:
    return QuestionRule(
        answer_type=question.answer_type,
        yes_is_good=question.yes_is_good,
        threshold=question.threshold,
        choices=tuple((str(label), float(points) / 100.0) for label, points in question.choices),
    )


def _median(values: list[float | None]) -> float | None:
    found = [v for v in values if v is not None]
    return float(statistics.median(found)) if found else None


def shortlist(
    access: StudyAccess | None, questionnaire: Questionnaire, *, history: History | None = None
) -> list[Candidate]:
    """Every invitation of the questionnaire, scored and ranked (best first; ties by institution name).

    `access`: the reader's (protocol numbers of studies they are not a member of stay hidden); None for the
    system (the command line).
    """
    invitations = list(
        Invitation.objects.filter(questionnaire=questionnaire)
        .select_related("institution", "investigator", "site")
        .prefetch_related("answers")
    )
    if not invitations:
        return []
    questions = list(questionnaire.questions.all())
    institutions = {inv.institution_id: inv.institution for inv in invitations}
    if history is None:
        history = history_aggregate(
            countries={i.country for i in institutions.values()}, condition=questionnaire.condition
        )
    members = access_study_ids(access.membership.user) if access is not None else None
    performance = performance_for(institutions, member_study_ids=members, today=timezone.localdate())
    medians = {
        "rate": _median([p.rate for p in performance.values()]),
        "query_rate": _median([p.query_rate for p in performance.values()]),
        "deviation_rate": _median([p.deviation_rate for p in performance.values()]),
        "startup_days": _median([p.startup_days for p in performance.values()]),
    }
    scored = []
    for invitation in invitations:
        institution = invitation.institution
        facility = history.facility(institution.ctgov_key) if institution.ctgov_key else None
        perf = performance.get(institution.pk)
        answers = _answers(invitation, questions)
        components = [
            _answers_component(questionnaire, invitation, answers),
            _enrolment(questionnaire, history, institution.country, facility, perf, medians["rate"]),
            _screen_failures(questionnaire, perf),
            _query_rate(questionnaire, perf, medians["query_rate"]),
            _deviations(questionnaire, perf, medians["deviation_rate"]),
            _startup(questionnaire, perf, medians["startup_days"]),
            _competition(questionnaire, history, institution.country, institution.city),
        ]
        scored.append((weighted_score(components), invitation, tuple(answers), facility, perf))
    scored.sort(key=lambda row: (-row[0].total, row[1].institution.name, row[1].pk))
    return [
        Candidate(rank, invitation, score, answers, facility, perf)
        for rank, (score, invitation, answers, facility, perf) in enumerate(scored, start=1)
    ]


def _answers(invitation: Invitation, questions: list[Question]) -> list[AnswerPoints]:
    given = {a.question_id: a.value for a in invitation.answers.all()}
    return [AnswerPoints(q, given.get(q.pk), question_points(question_rule(q), given.get(q.pk))) for q in questions]


def _answers_component(questionnaire: Questionnaire, invitation: Invitation, answers: list[AnswerPoints]) -> Component:
    weight = questionnaire.weight_questionnaire
    name = _("Answers")
    if invitation.answered_at is None:
        return Component(name, weight, 0.0, _("Not answered: no points."))
    total = sum(a.question.weight for a in answers)
    if not total:
        return Component(name, weight, None, _("The questions carry no weight: neutral."))
    earned = sum(a.question.weight * a.fraction for a in answers)
    parts = "; ".join(
        f"{a.question.text} → {a.value or '—'}: {a.question.weight * a.fraction:g}/{a.question.weight}" for a in answers
    )
    return Component(
        name,
        weight,
        earned / total,
        _("%(earned)g of %(total)d points (%(parts)s).") % {"earned": round(earned, 2), "total": total, "parts": parts},
    )


def _enrolment(questionnaire, history: History, country: str, facility, perf, median_rate) -> Component:
    weight = questionnaire.weight_enrolment
    name = _("Enrolment rate")
    place = history.country(country)
    if facility is not None and facility.shrunk_rate is not None and place.median_rate:
        fraction = ratio_fraction(facility.shrunk_rate, place.median_rate, higher_is_better=True)
        reason = _(
            "%(rate).2f participants per site-month in past trials (raw %(raw).2f over %(trials)d trials, "
            "%(months).0f site-months, shrunk toward %(country)s); %(country)s median %(median).2f."
        ) % {
            "rate": facility.shrunk_rate,
            "raw": facility.rate,
            "trials": facility.rate_trials,
            "months": facility.months,
            "country": country,
            "median": place.median_rate,
        }
        return Component(name, weight, fraction, reason)
    if perf is not None and perf.rate is not None and median_rate:
        fraction = ratio_fraction(perf.rate, median_rate, higher_is_better=True)
        reason = _(
            "No past trials with actual enrolment; %(rate).2f per active month in OpenCRO studies against the "
            "candidates' median %(median).2f."
        ) % {"rate": perf.rate, "median": median_rate}
        return Component(name, weight, fraction, reason)
    return Component(name, weight, None, _("No enrolment history (past trials or OpenCRO studies): neutral."))


def _screen_failures(questionnaire, perf) -> Component:
    name = _("Screen failures")
    if perf is None or perf.screen_failure_rate is None:
        return Component(
            name, questionnaire.weight_screen_failure, None, _("No subjects screened in OpenCRO: neutral.")
        )
    rate = perf.screen_failure_rate
    reason = _("%(rate).0f%% of subjects screened in OpenCRO studies failed screening.") % {"rate": 100 * rate}
    return Component(name, questionnaire.weight_screen_failure, 1.0 - rate, reason)


def _below_median(name: str, weight: int, value: float | None, median: float | None, reason: str) -> Component:
    """A component where less is better, against the candidates' median (neutral without either)."""
    fraction = ratio_fraction(value, median, higher_is_better=False)
    return Component(name, weight, fraction, reason if fraction is not None else reason + " " + _("Neutral."))


def _query_rate(questionnaire, perf, median) -> Component:
    name, weight = _("Query rate"), questionnaire.weight_query_rate
    if perf is None or perf.query_rate is None:
        return Component(name, weight, None, _("No enrolled subjects in OpenCRO: neutral."))
    reason = _("%(rate).1f queries per enrolled subject; candidates' median %(median).1f.") % {
        "rate": perf.query_rate,
        "median": median or 0.0,
    }
    return _below_median(name, weight, perf.query_rate, median, reason)


def _deviations(questionnaire, perf, median) -> Component:
    name, weight = _("Protocol deviations"), questionnaire.weight_deviations
    if perf is None or perf.deviation_rate is None:
        return Component(name, weight, None, _("No enrolled subjects in OpenCRO: neutral."))
    reason = _(
        "%(rate).2f deviations per enrolled subject (%(important).2f important); candidates' median %(median).2f."
    ) % {"rate": perf.deviation_rate, "important": perf.important_deviation_rate or 0.0, "median": median or 0.0}
    return _below_median(name, weight, perf.deviation_rate, median, reason)


def _startup(questionnaire, perf, median) -> Component:
    name, weight = _("Start-up time"), questionnaire.weight_startup
    if perf is None or perf.startup_days is None:
        return Component(name, weight, None, _("No site activated in OpenCRO: neutral."))
    reason = _("%(days).0f days from site creation to green light (median); candidates' median %(median).0f.") % {
        "days": perf.startup_days,
        "median": median or 0.0,
    }
    return _below_median(name, weight, perf.startup_days, median, reason)


def _competition(questionnaire, history: History, country: str, city: str) -> Component:
    name = _("Competing trials")
    weight = questionnaire.weight_competition
    if not questionnaire.condition:
        return Component(name, weight, None, _("No condition set on the questionnaire: neutral."))
    in_city = history.competing(country, city) if city else 0
    in_country = history.country(country).competing_trials
    reason = _("%(city)d trials recruiting for “%(condition)s” in %(place)s, %(country_count)d in %(country)s.") % {
        "city": in_city,
        "condition": questionnaire.condition,
        "place": city or _("the same city"),
        "country_count": in_country,
        "country": country,
    }
    return Component(name, weight, competition_fraction(in_city), reason)
