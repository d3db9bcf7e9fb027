"""The per-participant measures at a data cut, counted by hand on the study of conftest.py."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencro.edc.models import FormData, Query
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.monitoring.kris.measures import CODES, MEASURES, participant_measures, role_items
from opencro.studies.dates import site_today
from opencro.subjects import services as subjects
from tests.monitoring.kris.conftest import CUT, D, _at

pytestmark = pytest.mark.django_db


def _by_number(study, cut_on):
    return {p.number: p for p in participant_measures(study, cut_on)}


def _nonzero(participant) -> dict[str, float]:
    return {code: value for code, value in participant.values.items() if value}


def test_the_catalogue_names_each_measure_once_with_its_kind():
    assert len(CODES) == len(set(CODES)) == len(MEASURES)
    kinds = {m.code: m.kind for m in MEASURES}
    assert kinds["days_on_study"] == "days" and kinds["enrolled"] == "participants" and kinds["aes"] == "count"


def test_measures_at_the_cut_as_counted_by_hand(kri_world):
    people = _by_number(kri_world.study, CUT)
    assert set(people) == {"A1-001", "A1-002", "A1-003", "B1-001", "B1-002"}
    a1 = people["A1-001"]
    assert (a1.site_number, a1.country, a1.site_id) == ("A1", "US", kri_world.site_a.pk)
    assert _nonzero(a1) == {
        "screened": 1,
        "enrolled": 1,
        "days_on_study": 84,  # 10 Mar (enrolment) to 1 Jun inclusive
        "aes": 2,
        "saes": 1,  # AESER "1" on the test build's No/Yes list
        "deviations": 2,  # the rejected one left out
        "deviations_important": 1,
        "deviations_not_important": 1,
        "lab_samples": 2,
        "lab_high_grade": 1,  # grade 3 at screening; grade 1 at week 4
        "queries": 2,  # the cancelled one left out
        "queries_old": 1,  # opened 1 Apr: 61 days at the cut; 25 May: 7 days
        "data_points": 15,  # vitals 5 (BMI derived), labs 2 + 2, AE log 2 rows x 3
        "data_pages": 4,
        "data_pages_late": 1,  # week-4 labs: visit 7 Apr, entered 30 Apr
    }
    assert _nonzero(people["A1-002"]) == {"screened": 1, "screen_failed": 1, "days_on_study": 1}
    assert _nonzero(people["A1-003"]) == {
        "screened": 1,
        "enrolled": 1,
        "study_discontinued": 1,  # early termination 1 May
        "treatment_discontinued": 1,  # and withdrawal from treatment 15 Apr
        "days_on_study": 38,  # 25 Mar to 1 May
        "aes": 1,
        "data_points": 2,
        "data_pages": 1,
    }
    assert _nonzero(people["B1-001"]) == {
        "screened": 1,
        "enrolled": 1,
        "days_on_study": 84,
        "data_points": 5,
        "data_pages": 1,
        "data_pages_late": 1,  # visit 1 Mar, entered 20 Mar
    }
    # completed 30 June, after the cut: still on study at the cut
    assert _nonzero(people["B1-002"]) == {"screened": 1, "enrolled": 1, "days_on_study": 61}
    assert people["B1-002"].country == "JP"


def test_an_earlier_cut_counts_only_what_existed_then(kri_world):
    people = _by_number(kri_world.study, D(2026, 3, 31))
    assert "B1-002" not in people  # screened 1 April
    assert _nonzero(people["A1-001"]) == {
        "screened": 1,
        "enrolled": 1,
        "days_on_study": 22,  # 10 to 31 March
        "data_points": 7,  # vitals and screening labs; week-4 labs and the AE log came later
        "data_pages": 2,
        "lab_samples": 1,
        "lab_high_grade": 1,
    }
    assert _nonzero(people["A1-003"]) == {"screened": 1, "enrolled": 1, "days_on_study": 7}
    assert _nonzero(people["B1-001"])["data_pages"] == 1
    assert _nonzero(people["B1-001"])["data_pages_late"] == 1
    before = _by_number(kri_world.study, D(2026, 3, 4))
    assert set(before) == {"A1-001", "B1-001"}  # A1-002 screened 5 March
    # enrolled 10 March, no consent record: not yet on study (days count from consent, else enrolment)
    assert _nonzero(before["A1-001"]) == {
        "screened": 1,
        "data_points": 7,
        "data_pages": 2,
        "lab_samples": 1,
        "lab_high_grade": 1,
    }


def test_a_moment_counts_by_the_calendar_of_its_site(kri_world):
    """31 March 23:30 UTC is 31 March in Chicago (A1) but 1 April in Tokyo (B1)."""
    moment = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)
    FormData.objects.filter(subject__number__in=["A1-001", "B1-001"], form_oid="F.VS").update(first_entered_at=moment)
    people = _by_number(kri_world.study, D(2026, 3, 31))
    vitals_a = people["A1-001"].values["data_points"] - 2  # the screening labs, entered 3 March
    assert (vitals_a, people["B1-001"].values["data_points"]) == (5, 0)
    assert people["B1-001"].values["data_pages"] == 0


def test_a_changed_value_counts_from_the_day_of_its_change(kri_world):
    vitals = {"IT.WEIGHT": "70", "IT.HEIGHT": "170", "IT.SYSBP": "125", "IT.DIABP": "80"}
    form_save(
        actor=None,
        subject=kri_world.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry(oid, v) for oid, v in vitals.items()],
        reason="transcription error",
    )
    today = site_today(kri_world.site_a)
    assert _by_number(kri_world.study, today)["A1-001"].values["data_points_changed"] == 1  # SYSBP only
    assert _by_number(kri_world.study, CUT)["A1-001"].values["data_points_changed"] == 0  # changed after the cut
    assert _by_number(kri_world.study, today)["B1-001"].values["data_points_changed"] == 0


def test_a_value_changed_twice_is_one_changed_data_point(kri_world):
    for systolic in ("125", "130"):
        form_save(
            actor=None,
            subject=kri_world.subject_a,
            event_oid="SE.SCR",
            form_oid="F.VS",
            entries=[ItemEntry("IT.SYSBP", systolic)],
            reason="transcription error",
        )
    today = site_today(kri_world.site_a)
    assert _by_number(kri_world.study, today)["A1-001"].values["data_points_changed"] == 1


def test_the_items_are_found_by_their_sdtm_targets(kri_world):
    roles = role_items(kri_world.study)
    assert set(roles) == {"AETERM", "AESER", "LBORRES", "LBTOXGR"}  # LBTOXGR through its annotation LB.LBTOXGR
    assert all(len(pks) == 1 for pks in roles.values())


def test_the_number_of_queries_does_not_grow_with_the_participants(kri_world):
    with CaptureQueriesContext(connection) as few:
        participant_measures(kri_world.study, CUT)
    for n in range(4, 10):
        subject = subjects.subject_screen(
            actor=None, site=kri_world.site_b, number=f"B1-00{n}", screened_on=D(2026, 4, 1), sex="F"
        )
        subjects.subject_enrol(actor=None, subject=subject, enrolled_on=D(2026, 4, 2))
        form = form_save(
            actor=None,
            subject=subject,
            event_oid="SE.SCR",
            form_oid="F.VS",
            entries=[ItemEntry("IT.WEIGHT", "60")],
            visit_date=D(2026, 4, 2),
        ).form
        FormData.objects.filter(pk=form.pk).update(first_entered_at=_at(D(2026, 4, 3)))
    with CaptureQueriesContext(connection) as many:
        people = participant_measures(kri_world.study, CUT)
    assert len(people) == 11
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_query_is_outstanding_when_open_more_than_30_days_at_the_cut(kri_world):
    """gsm's kri0009 counts queries open > 30 days: opened 2 May is 30 days old on 1 June, 1 May is 31."""
    second = kri_world.queries[1]
    Query.objects.filter(pk=second.pk).update(opened_at=_at(D(2026, 5, 2)))
    assert _by_number(kri_world.study, CUT)["A1-001"].values["queries_old"] == 1
    Query.objects.filter(pk=second.pk).update(opened_at=_at(D(2026, 5, 1)))
    assert _by_number(kri_world.study, CUT)["A1-001"].values["queries_old"] == 2
    Query.objects.filter(pk=second.pk).update(state="closed", closed_at=_at(D(2026, 5, 31)))
    assert _by_number(kri_world.study, CUT)["A1-001"].values["queries_old"] == 1  # closed before the cut
    Query.objects.filter(pk=second.pk).update(closed_at=_at(D(2026, 6, 2)))
    assert _by_number(kri_world.study, CUT)["A1-001"].values["queries_old"] == 2  # still open at the cut
