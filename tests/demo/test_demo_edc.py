"""The demo's eCRF build and clinical data: imported, entered through the services, realistic, deterministic."""

from collections import Counter

import pytest
from django.db.models import Count

from opencro.accounts.models import User
from opencro.audit.models import AuditRecord
from opencro.demo import crf, data
from opencro.demo.clinical.logs import AE_TERMS
from opencro.edc.models import (
    BuildStatus,
    BuildVersion,
    Casebook,
    EditCheck,
    EventData,
    EventDef,
    FormData,
    FormDef,
    ItemData,
    ItemDef,
    Query,
    QueryMessage,
)
from opencro.edc.selectors import casebook_grid
from opencro.subjects.models import Subject, SubjectStatus

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def values(oid: str, **filters) -> list[str | None]:
    return list(ItemData.objects.filter(item_def__oid=oid, **filters).values_list("value", flat=True))


def test_the_build_is_imported_published_and_linked_to_the_protocol(demo):
    version = BuildVersion.objects.get(study=demo)
    assert (version.status, version.oid, version.number) == (BuildStatus.PUBLISHED, "MDV.OPC301.1", 1)
    counts = [m.objects.filter(version=version).count() for m in (EventDef, FormDef, ItemDef, EditCheck)]
    assert counts == [11, 15, 83, 21]
    linked = dict(EventDef.objects.filter(version=version).values_list("oid", "visit__code"))
    assert linked == {**{f"SE.{code}": code for code, *_ in data.VISITS}, "SE.LOGS": None}
    assert set(Casebook.objects.filter(study=demo).values_list("version", flat=True)) == {version.pk}
    imported = AuditRecord.objects.filter(object_type="edc.buildversion", object_id=str(version.pk))
    assert set(imported.values_list("username", flat=True)) == {"dm"}


def test_every_subject_has_a_casebook_with_screening_and_the_randomised_their_visits(demo):
    subjects = Subject.objects.filter(study=demo)
    assert Casebook.objects.filter(study=demo).count() == subjects.count() >= 40
    screening = set(FormData.objects.filter(study=demo, event__event_oid="SE.V1").values_list("subject", "form_oid"))
    v1_forms = crf.visit_forms()["V1"]
    assert screening == {(s.pk, form) for s in subjects for form in v1_forms}
    randomised = subjects.filter(status=SubjectStatus.ENROLLED)
    baseline = set(FormData.objects.filter(study=demo, event__event_oid="SE.V2").values_list("subject", flat=True))
    assert baseline == set(randomised.values_list("pk", flat=True))
    failed = subjects.filter(status=SubjectStatus.SCREEN_FAILED)
    assert values("IT.DSDECOD", form__subject__in=failed) == ["SCREEN FAILURE"] * failed.count()
    assert values("IT.IEYN", form__subject__in=failed) == ["N"] * failed.count()
    entered = set(EventData.objects.filter(study=demo).values_list("event_oid", flat=True))
    assert {"SE.V1", "SE.V2", "SE.V3", "SE.V4", "SE.V5", "SE.UNS", "SE.LOGS"} <= entered


def test_visits_due_by_the_cutoff_are_mostly_entered_and_some_are_overdue(demo):
    version = BuildVersion.objects.get(study=demo)
    rows = [row for s in Subject.objects.filter(study=demo, status="enrolled") for row in casebook_grid(s, version)]
    due = [r for r in rows if r.window and r.window[1] < data.DATA_CUTOFF and r.event_def.oid != "SE.V1"]
    started = [r for r in due if r.data is not None]
    assert 0.8 < len(started) / len(due) < 1
    assert sum(r.overdue for r in rows) >= 1
    assert all(r.data.visit_date <= data.DATA_CUTOFF for r in rows if r.data and r.data.visit_date)


def test_values_are_plausible_and_derived(demo):
    weights = Counter()
    for subject in Subject.objects.filter(study=demo, status="enrolled"):
        series = [float(v) for v in values("IT.WEIGHT", form__subject=subject) if v]
        weights[max(series) / min(series) < 1.2] += 1
    assert weights[True] >= 0.9 * weights.total()  # weight drifts; a jump is a query, not the rule
    assert all(v is not None for v in values("IT.BMI"))  # derived at every visit from the screening height
    assert all(v is not None for v in values("IT.EGFR"))
    assert None not in values("IT.HEIGHT", form__event__event_oid="SE.V1")
    assert set(values("IT.HEIGHT", form__event__event_oid__in=["SE.V2", "SE.V3"])) == {None}  # hidden after screening
    lvef = [int(v) for v in values("IT.LVEF", form__event__event_oid="SE.V1")]
    assert max(lvef) <= 40  # inclusion criterion 4
    assert min(int(v) for v in values("IT.SYSBP", form__event__event_oid="SE.V1")) >= 95  # exclusion criterion 2


def test_adverse_events_and_medications_are_logged(demo):
    randomised = Subject.objects.filter(study=demo, status="enrolled").count()
    events = ItemData.objects.filter(item_def__oid="IT.AETERM", form__study=demo)
    with_events = events.values("form__subject").distinct().count()
    assert 0.3 <= with_events / randomised <= 0.55
    assert "Y" in values("IT.AESER")
    assert set(values("IT.AETERM")) <= set(AE_TERMS)
    medications = set(values("IT.CMTRT"))
    assert {"Furosemide", "Bisoprolol", "Sacubitril/valsartan"} <= medications
    per_subject = ItemData.objects.filter(item_def__oid="IT.CMTRT").values("form__subject").distinct().count()
    assert per_subject == Subject.objects.filter(study=demo).count()


def test_queries_cover_the_whole_workflow(demo):
    queries = Query.objects.filter(study=demo)
    states = dict(queries.values_list("state").annotate(n=Count("id")))
    assert states["open"] > 0 and states["answered"] > 0 and states["closed"] > 0
    origins = set(queries.values_list("origin", flat=True))
    assert origins == {"edit_check", "range", "required", "manual"}
    closed = queries.filter(state="closed")
    assert closed.filter(closed_by=None).exists()  # the data were corrected: closed automatically
    assert set(closed.exclude(closed_by=None).values_list("closed_by__username", flat=True)) <= {"cra", "cra.us", "dm"}
    assert closed.exclude(closed_by=None).exists()
    answers = QueryMessage.objects.filter(query__study=demo, kind="answer")
    assert set(answers.values_list("author__username", flat=True)) == {"crc", "inv.jp"}
    manual = queries.filter(origin="manual")
    assert set(manual.values_list("opened_by__username", flat=True)) == {"cra", "cra.us", "dm"}
    assert QueryMessage.objects.filter(query__study=demo, kind="reopen").exists()


def test_site_101_enters_as_its_coordinator_and_other_sites_as_the_system(demo):
    crc = User.objects.get(username="crc")
    at_101 = ItemData.objects.filter(form__study=demo, form__site__number="101")
    assert set(at_101.values_list("updated_by", flat=True)) == {crc.pk}
    elsewhere = ItemData.objects.filter(form__study=demo).exclude(form__site__number="101")
    assert set(elsewhere.values_list("updated_by", flat=True)) == {None}


def test_the_load_is_deterministic(demo):
    """Counts fixed by the seeds: a second load into a fresh database gives exactly these."""
    queries = Query.objects.filter(study=demo)
    counts = {
        "events": EventData.objects.filter(study=demo).count(),
        "forms": FormData.objects.filter(study=demo).count(),
        "items": ItemData.objects.filter(form__study=demo).exclude(value=None).count(),
        "adverse events": len(values("IT.AETERM", form__study=demo)),
        "queries": dict(queries.values_list("state").annotate(n=Count("id"))),
        "origins": dict(queries.values_list("origin").annotate(n=Count("id"))),
    }
    assert counts == {
        "events": 241,
        "forms": 1113,
        "items": 8710,
        "adverse events": 23,
        "queries": {"open": 16, "answered": 5, "closed": 26},
        "origins": {"edit_check": 25, "range": 6, "required": 7, "manual": 9},
    }
