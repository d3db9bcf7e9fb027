"""The study-level parameters a QTL watches: what each counts, over what, and under which distribution.

Proportions of participants are over the participants enrolled by the cut (the KRI measures,
`opencro.monitoring.kris.measures`); the SAE rate is per participant-year on study; missed visits are over the
visits expected by the cut (the follow-up calendar's states, `opencro.followup.risk.site_retention`). A participant
counts once however many deviations they have.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from opencro.followup.risk import site_retention
from opencro.followup.selectors import visits_by_subject
from opencro.monitoring.kris.measures import Participant, participant_measures
from opencro.monitoring.models import Deviation, DeviationCategory, DeviationStatus, QtlParameter
from opencro.studies.models import Study
from opencro.subjects.models import Subject

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class Parameter:
    distribution: str  # "binomial" or "poisson"
    numerator: str
    denominator: str


PARAMETERS: dict[str, Parameter] = {
    QtlParameter.IMPORTANT_DEVIATION: Parameter("binomial", "participants with an important deviation", "enrolled"),
    QtlParameter.STUDY_DISCONTINUATION: Parameter("binomial", "participants discontinued", "enrolled"),
    QtlParameter.TREATMENT_DISCONTINUATION: Parameter("binomial", "participants off treatment", "enrolled"),
    QtlParameter.INELIGIBLE_RANDOMISED: Parameter(
        "binomial", "participants with an important eligibility deviation", "enrolled"
    ),
    QtlParameter.CONSENT_DEVIATION: Parameter("binomial", "participants with a consent deviation", "enrolled"),
    QtlParameter.SAE_RATE: Parameter("poisson", "serious adverse events", "participant-years on study"),
    QtlParameter.MISSED_VISITS: Parameter("binomial", "visits missed", "visits expected"),
}


def _with_deviation(study: Study, cut_on: dt.date, enrolled: set[int], **filters) -> int:
    rows = (
        Deviation.objects.filter(study=study, subject_id__in=enrolled, identified_on__lte=cut_on, **filters)
        .exclude(status=DeviationStatus.REJECTED)
        .values("subject_id")
        .annotate(n=Count("id"))
    )
    return len(rows)


def _missed_visits(study: Study, cut_on: dt.date) -> tuple[float, float]:
    subjects = Subject.objects.filter(study=study, enrolled_on__lte=cut_on).select_related("site")
    states = [v.state for visits in visits_by_subject(subjects, cut_on).values() for v in visits]
    summary = site_retention(enrolled=0, early_terminations=0, risks=(), visits=states)
    return float(summary.visits_missed), float(summary.visits_expected)


def parameter_counts(study: Study, cut_on: dt.date, wanted: Iterable[str]) -> dict[str, tuple[float, float]]:
    """{parameter: (numerator, denominator)} at the cut, for the parameters asked."""
    wanted = set(wanted)
    counts: dict[str, tuple[float, float]] = {}
    if not wanted:
        return counts
    people: list[Participant] = participant_measures(study, cut_on)
    enrolled = [p for p in people if p.values.get("enrolled")]
    ids = {p.subject_id for p in enrolled}
    n = float(len(enrolled))

    def total(code: str, among: list[Participant] = enrolled) -> float:
        return float(sum(p.values.get(code, 0) for p in among))

    for parameter in wanted:
        if parameter == QtlParameter.IMPORTANT_DEVIATION:
            counts[parameter] = (float(sum(1 for p in enrolled if p.values.get("deviations_important"))), n)
        elif parameter == QtlParameter.STUDY_DISCONTINUATION:
            counts[parameter] = (total("study_discontinued"), n)
        elif parameter == QtlParameter.TREATMENT_DISCONTINUATION:
            counts[parameter] = (total("treatment_discontinued"), n)
        elif parameter == QtlParameter.INELIGIBLE_RANDOMISED:
            found = _with_deviation(study, cut_on, ids, category=DeviationCategory.ELIGIBILITY, important=True)
            counts[parameter] = (float(found), n)
        elif parameter == QtlParameter.CONSENT_DEVIATION:
            counts[parameter] = (
                float(_with_deviation(study, cut_on, ids, category=DeviationCategory.INFORMED_CONSENT)),
                n,
            )
        elif parameter == QtlParameter.SAE_RATE:
            counts[parameter] = (total("saes", people), total("days_on_study", people) / DAYS_PER_YEAR)
        elif parameter == QtlParameter.MISSED_VISITS:
            counts[parameter] = _missed_visits(study, cut_on)
    return counts
