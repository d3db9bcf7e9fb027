"""A small study whose KRI measures are counted by hand: the shared world (T-001, sites A1 in the US and B1 in
Japan) with three more participants, an eCRF build that carries SDTM targets (an AE log, a lab page with a toxicity
grade), pages entered on known dates, queries, deviations and dispositions.

Participants and what each holds (cut 2026-06-01 unless said):

- A1-001 (screened 1 Mar, enrolled 10 Mar): screening vitals (visit 1 Mar, entered 2 Mar: 5 values with the
  derived BMI), a lab page at screening (grade 3, entered 3 Mar) and at week 4 (visit 7 Apr, grade 1, entered
  30 Apr: 23 days late), two AEs (one serious) on a log entered 2 Apr; queries opened 1 Apr (open) and 25 May
  (open) and one cancelled; deviations: one important, one not, one rejected. Days: 10 Mar - 1 Jun = 84.
- A1-002 (screened 5 Mar): screen failure; 1 day.
- A1-003 (screened 20 Mar, enrolled 25 Mar): early termination 1 May; a withdrawal of consent from treatment
  (15 Apr); days 25 Mar - 1 May = 38; one AE entered 10 Apr.
- B1-001 (screened 1 Mar, enrolled 10 Mar): screening vitals (visit 1 Mar, entered 20 Mar: 19 days late); 84 days.
- B1-002 (screened 1 Apr, enrolled 2 Apr): completed 30 Jun (after the cut); 2 Apr - 1 Jun = 61 days.
"""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from opencro.audit.services import audited_save
from opencro.edc.models import FormData, Query
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.spec import spec_cache_clear
from opencro.followup.services import disposition_record
from opencro.formats import build as b
from opencro.monitoring import services as deviations
from opencro.subjects import services as subjects
from opencro.subjects.models import ConsentWithdrawal
from tests.edc.builds import small_build

D = dt.date
CUT = D(2026, 6, 1)
SDTM = {"IT.AETERM": "AETERM", "IT.AESER": "AESER", "IT.AESTDAT": "AESTDTC"}


def kri_build() -> b.StudyBuild:
    """The small test build with SDTM targets on the AE log and a lab page (result and CTCAE grade) at both visits."""
    build = small_build()
    items = [dataclasses.replace(i, sds_var_name=SDTM.get(i.oid, "")) for i in build.items]
    items += [
        b.ItemDef(oid="IT.HGB", name="hgb", data_type="float", question={"en": "Haemoglobin"}, sds_var_name="LBORRES"),
        b.ItemDef(
            oid="IT.HGBGR",
            name="hgbgr",
            data_type="integer",
            question={"en": "Grade"},
            aliases=[b.Alias("SDTM", "LB.LBTOXGR")],
        ),
    ]
    groups = [dataclasses.replace(g, domain="AE") if g.oid == "IG.AE" else g for g in build.item_groups]
    groups.append(
        b.ItemGroupDef("IG.LB", "Haematology", domain="LB", items=[b.ItemRef("IT.HGB"), b.ItemRef("IT.HGBGR")])
    )
    forms = [*build.forms, b.FormDef("F.LB", "Haematology", item_groups=[b.ItemGroupRef("IG.LB")])]
    events = [
        dataclasses.replace(e, forms=[*e.forms, b.FormRef("F.LB")]) if e.oid in ("SE.SCR", "SE.W4") else e
        for e in build.events
    ]
    return dataclasses.replace(build, items=items, item_groups=groups, forms=forms, events=events)


def _entered(form, moment: dt.datetime) -> None:
    """Date a page's first entry (the test's clock: pages are saved now, the study happened in spring)."""
    FormData.objects.filter(pk=form.pk).update(first_entered_at=moment)


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC)


def _save(subject, event, form, values: dict, visit_date=None, repeat_values=None):
    entries = [ItemEntry(oid, value) for oid, value in values.items()]
    for n, row in enumerate(repeat_values or [], start=1):
        entries += [ItemEntry(oid, value, repeat=n) for oid, value in row.items()]
    return form_save(
        actor=None, subject=subject, event_oid=event, form_oid=form, entries=entries, visit_date=visit_date
    ).form


def _query(subject, form, opened: dt.date, state: str = "open") -> Query:
    return audited_save(
        Query(
            study_id=subject.study_id,
            site_id=subject.site_id,
            subject=subject,
            form=form,
            origin="manual",
            text="Please check.",
            opened_at=_at(opened),
            state=state,
            closed_at=_at(opened) if state == "cancelled" else None,
        ),
        actor=None,
    )


def _deviation(site, subject, *, important=None, reject=False):
    deviation = deviations.deviation_report(
        actor=None,
        site=site,
        subject=subject,
        category="procedures",
        description="ECG not done.",
        occurred_on=D(2026, 4, 1),
        identified_on=D(2026, 4, 2),
    )
    if reject:
        return deviations.deviation_reject(actor=None, deviation=deviation, rationale="Not a deviation after all.")
    if important is not None:
        deviation = deviations.deviation_classify(
            actor=None, deviation=deviation, important=important, rationale="Classified for the KRI tests."
        )
    return deviation


@pytest.fixture
def kri_world(world):
    spec_cache_clear()
    w = world
    build_import(actor=None, study=w.study, build=kri_build())
    a1, b1 = w.subject_a, w.subject_b
    a2 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-002", screened_on=D(2026, 3, 5), sex="M")
    subjects.subject_screen_fail(actor=None, subject=a2, reason="Exclusion criterion 3.")
    a3 = subjects.subject_screen(actor=None, site=w.site_a, number="A1-003", screened_on=D(2026, 3, 20), sex="F")
    subjects.subject_enrol(actor=None, subject=a3, enrolled_on=D(2026, 3, 25))
    b2 = subjects.subject_screen(actor=None, site=w.site_b, number="B1-002", screened_on=D(2026, 4, 1), sex="F")
    subjects.subject_enrol(actor=None, subject=b2, enrolled_on=D(2026, 4, 2))
    vitals = {"IT.WEIGHT": "70", "IT.HEIGHT": "170", "IT.SYSBP": "120", "IT.DIABP": "80"}
    vs_a1 = _save(a1, "SE.SCR", "F.VS", vitals, visit_date=D(2026, 3, 1))
    _entered(vs_a1, _at(D(2026, 3, 2)))
    _entered(_save(a1, "SE.SCR", "F.LB", {"IT.HGB": "7.1", "IT.HGBGR": "3"}), _at(D(2026, 3, 3)))
    _entered(
        _save(a1, "SE.W4", "F.LB", {"IT.HGB": "11.0", "IT.HGBGR": "1"}, visit_date=D(2026, 4, 7)), _at(D(2026, 4, 30))
    )
    aes = [
        {"IT.AETERM": "Headache", "IT.AESTDAT": "2026-03-15", "IT.AESER": "0"},
        {"IT.AETERM": "Syncope", "IT.AESTDAT": "2026-04-01", "IT.AESER": "1"},
    ]
    ae_a1 = _save(a1, "SE.AE", "F.AE", {}, repeat_values=aes)
    _entered(ae_a1, _at(D(2026, 4, 2)))
    ae_a3 = _save(a3, "SE.AE", "F.AE", {}, repeat_values=[{"IT.AETERM": "Nausea", "IT.AESTDAT": "2026-04-05"}])
    _entered(ae_a3, _at(D(2026, 4, 10)))
    vs_b1 = _save(b1, "SE.SCR", "F.VS", vitals, visit_date=D(2026, 3, 1))
    _entered(vs_b1, _at(D(2026, 3, 20)))
    w.queries = [
        _query(a1, vs_a1, D(2026, 4, 1)),
        _query(a1, vs_a1, D(2026, 5, 25)),
        _query(a1, vs_a1, D(2026, 4, 1), state="cancelled"),
    ]
    w.deviations = [
        _deviation(w.site_a, a1, important=True),
        _deviation(w.site_a, a1, important=False),
        _deviation(w.site_a, a1, reject=True),
        _deviation(w.site_a, None),  # the site as a whole: no participant's
    ]
    disposition_record(
        actor=None, subject=a3, outcome="early_termination", disposition_on=D(2026, 5, 1), reason="adverse_event"
    )
    audited_save(
        ConsentWithdrawal(
            study_id=w.study.pk,
            site_id=w.site_a.pk,
            subject=a3,
            withdrawn_on=D(2026, 4, 15),
            scope="treatment",
            data_may_be_used=True,
            recorded_at=timezone.now(),
        ),
        actor=None,
    )
    disposition_record(actor=None, subject=b2, outcome="completed", disposition_on=D(2026, 6, 30))
    w.more = {"A1-002": a2, "A1-003": a3, "B1-002": b2}
    w.vs_a1 = vs_a1
    return w
