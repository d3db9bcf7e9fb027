"""The demo's protocol deviations: sites differ, most are classified, old ones closed, rule findings await review."""

from opencro.demo import data
from opencro.monitoring.models import Deviation, DeviationSource, DeviationStatus
from opencro.monitoring.services import deviations_detect
from opencro.subjects.models import Subject


def _per_enrolled(demo) -> dict[str, float]:
    enrolled: dict[str, int] = {}
    for number in Subject.objects.filter(study=demo, enrolled_on__isnull=False).values_list("site__number", flat=True):
        enrolled[number] = enrolled.get(number, 0) + 1
    reported = Deviation.objects.filter(study=demo).exclude(source=DeviationSource.RULE)
    counts: dict[str, int] = {}
    for number in reported.values_list("site__number", flat=True):
        counts[number] = counts.get(number, 0) + 1
    return {number: counts.get(number, 0) / n for number, n in enrolled.items()}


def test_sites_differ_in_their_deviation_rates(demo):
    rates = _per_enrolled(demo)
    assert rates["202"] > rates["201"] and rates["501"] > rates["401"]


def test_reported_deviations_are_reviewed_and_the_important_ones_closed_with_an_action(demo):
    reported = Deviation.objects.filter(study=demo).exclude(source=DeviationSource.RULE)
    assert reported.count() >= 20
    reviewed = reported.exclude(status=DeviationStatus.OPEN)
    assert reviewed.count() > reported.count() / 2
    assert reviewed.filter(important=True).exists() and reviewed.filter(important=False).exists()
    closed = reported.filter(status=DeviationStatus.CLOSED)
    assert closed.exists()
    assert not closed.filter(important=True, corrective_action="").exists()
    assert all(d.reviewed_by_id and len(d.rationale) >= 10 for d in reviewed)


def test_the_rules_ran_as_of_the_cut_off_and_running_them_again_adds_nothing(demo):
    detected = Deviation.objects.filter(study=demo, source=DeviationSource.RULE)
    assert detected.exists() and set(detected.values_list("status", flat=True)) == {DeviationStatus.OPEN}
    assert deviations_detect(actor=None, study=demo, today=data.DATA_CUTOFF).created == ()
