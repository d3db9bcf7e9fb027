"""The study read into the SDTM engine's input frames (opencro.analysis.sources).

The world of tests/conftest.py: T-001 with sites A1 (United States, America/Chicago) and B1 (Japan, Asia/Tokyo), a
randomised subject at each (A1-001 to arm A, B1-001 to arm P), and the small eCRF build of tests/edc/builds.py.
"""

import datetime as dt

import pandas as pd
import pytest

from opencro.analysis.sdtm.inputs import check_inputs
from opencro.analysis.sources import dummy_arm, element_code, study_sources, usubjid
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.rtsm.models import DispensingVisit
from opencro.studies import services as studies
from opencro.studies.dates import site_date
from opencro.studies.models import EligibilityCriterion, Epoch, Visit
from opencro.subjects import services as subjects
from opencro.subjects.models import TreatmentAssignment

pytestmark = pytest.mark.django_db


def _dm(sources, number: str) -> dict:
    frame = sources.subjects.set_index("SUBJID")
    return frame.loc[number].to_dict()


def test_usubjid_is_study_and_subject_number():
    assert usubjid("T-001", "A1-001") == "T-001-A1-001"


def test_element_codes_are_the_epoch_name_in_eight_capitals():
    assert element_code("Follow-up") == "FOLLOWUP"
    assert element_code("Screening") == "SCREENIN"
    assert element_code("—") == "ELEMENT"


def test_subjects_carry_reference_dates_arms_and_alpha3_countries(world):
    sources = study_sources(world.study, blinded=False)
    a = _dm(sources, "A1-001")
    assert a["USUBJID"] == "T-001-A1-001"
    assert (a["STUDYID"], a["SITEID"], a["COUNTRY"]) == ("T-001", "A1", "USA")
    assert (a["ARMCD"], a["ARM"]) == ("A", "Arm A")
    # nothing dispensed: first dose is the randomisation day at the site, and the arm is not an actual arm yet
    randomised = site_date(world.site_a, world.subject_a.assignment.randomised_at).isoformat()
    assert a["RFSTDTC"] == randomised
    assert pd.isna(a["ACTARMCD"]) and a["ARMNRS"] == "ASSIGNED, NOT TREATED"
    assert _dm(sources, "B1-001")["COUNTRY"] == "JPN"
    check_inputs(sources.sdtm_inputs())


def test_a_blinded_read_uses_a_dummy_randomisation_not_the_real_one(world):
    expected = {
        number: dummy_arm("T-001", number, [("A", "Arm A", 1), ("P", "Arm P", 1)])[0] for number in ("A1-001", "B1-001")
    }
    before = study_sources(world.study, blinded=True).subjects.set_index("SUBJID")["ARMCD"].to_dict()
    assert before == expected
    # the real assignments swapped: the dry run's arms do not move
    TreatmentAssignment.objects.filter(subject=world.subject_a).update(arm=world.arms[1])
    TreatmentAssignment.objects.filter(subject=world.subject_b).update(arm=world.arms[0])
    after = study_sources(world.study, blinded=True).subjects.set_index("SUBJID")["ARMCD"].to_dict()
    assert after == expected


def test_the_dummy_randomisation_follows_the_allocation_ratio():
    arms = [("A", "Arm A", 2), ("B", "Arm B", 1), ("P", "Placebo", 1)]
    drawn = [dummy_arm("S-1", f"{n:04d}", arms)[0] for n in range(4000)]
    assert drawn == [dummy_arm("S-1", f"{n:04d}", arms)[0] for n in range(4000)]  # the same in every dry run
    shares = {code: drawn.count(code) / len(drawn) for code in ("A", "B", "P")}
    assert shares["A"] == pytest.approx(0.5, abs=0.03)
    assert shares["B"] == pytest.approx(0.25, abs=0.03) and shares["P"] == pytest.approx(0.25, abs=0.03)


def test_randomisation_is_a_protocol_milestone(world):
    ds = study_sources(world.study, blinded=False).dispositions
    randomised = ds[ds["DSDECOD"] == "RANDOMIZED"]
    assert sorted(randomised["USUBJID"]) == ["T-001-A1-001", "T-001-B1-001"]
    assert set(randomised["DSCAT"]) == {"PROTOCOL MILESTONE"}


def test_collected_values_arrive_with_their_visit(edc_world):
    w = edc_world
    form_save(
        actor=None,
        subject=w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.SYSBP", "120")],
        visit_date=dt.date(2026, 3, 2),
    )
    items = study_sources(w.study, blinded=False).items
    weight = items[items["ITEM_OID"] == "IT.WEIGHT"].iloc[0]
    assert (weight["USUBJID"], weight["VALUE"], weight["VISIT_DATE"]) == ("T-001-A1-001", "70.5", "2026-03-02")
    assert (weight["FORM_OID"], weight["EVENT_OID"]) == ("F.VS", "SE.SCR")


def test_item_metadata_and_code_lists_come_from_the_build(edc_world):
    sources = study_sources(edc_world.study, blinded=False)
    meta = sources.item_meta.set_index("ITEM_OID")
    assert meta.loc["IT.WEIGHT", "UNITS"] == "kg"
    assert meta.loc["IT.SEX", "CODELIST_OID"] == "CL.SEX"
    assert meta.loc["IT.WEIGHT", "GROUP_OID"]
    decodes = sources.codelists.set_index(["CODELIST_OID", "CODED_VALUE"])["DECODE"]
    assert decodes[("CL.SEX", "F")] == "Female"


def test_trial_design_from_the_protocol(world):
    study = world.study
    save = lambda instance: studies.protocol_item_save(actor=None, instance=instance)  # noqa: E731
    screening, treatment, follow_up = (
        save(Epoch(study=study, name=name, order=n)) for n, name in enumerate(("Screening", "Treatment", "Follow-up"))
    )
    Visit.objects.filter(study=study, code="V1").update(epoch=screening)
    day1 = save(Visit(study=study, code="V2", name="Day 1", order=2, day=1, epoch=treatment))
    save(
        Visit(study=study, code="V3", name="Week 12", order=3, day=85, window_before=7, window_after=7, epoch=treatment)
    )
    save(Visit(study=study, code="V4", name="Follow-up", order=4, day=113, epoch=follow_up))
    DispensingVisit.objects.create(study=study, visit=day1, kits=1)  # study drug is dispensed in Treatment
    save(EligibilityCriterion(study=study, kind="exclusion", number=1, text="Pregnancy"))
    save(EligibilityCriterion(study=study, kind="inclusion", number=1, text="Adult"))

    protocol = study_sources(study, blinded=False).protocol
    assert [e.etcd for e in protocol.elements] == ["SCREENIN", "A", "P", "FOLLOWUP"]
    treatment_element = next(e for e in protocol.elements if e.etcd == "A")
    assert (treatment_element.element, treatment_element.tedur) == ("Arm A", "P85D")  # days 1 to 85
    path = [(p.taetord, p.etcd, p.epoch, p.tabranch) for p in protocol.arm_elements if p.armcd == "P"]
    assert path == [
        (1, "SCREENIN", "SCREENING", "Randomised to Arm P"),
        (2, "P", "TREATMENT", ""),
        (3, "FOLLOWUP", "FOLLOW-UP", ""),
    ]
    assert [(v.visitnum, v.visit, v.visitdy) for v in protocol.visits][:2] == [
        (1.0, "Screening", -14),
        (2.0, "Day 1", 1),
    ]
    assert protocol.visits[2].tvstrl == "Day 85 (window -7/+7 days)"
    assert [(c.ietestcd, c.iecat) for c in protocol.criteria] == [("IN01", "INCLUSION"), ("EX01", "EXCLUSION")]
    parameters = {p.tsparmcd: p.tsval for p in protocol.parameters}
    assert parameters["TPHASE"] == "PHASE III TRIAL"
    assert (parameters["NARMS"], parameters["RANDOM"]) == ("2", "Y")


def test_a_screen_failure_is_a_disposition_event_on_its_day(world):
    subject = subjects.subject_screen(
        actor=None, site=world.site_a, number="A1-009", screened_on=dt.date(2026, 3, 4), sex="M", year_of_birth=1970
    )
    subjects.subject_screen_fail(actor=None, subject=subject, reason="eGFR below 30")
    sources = study_sources(world.study, blinded=False)
    ds = sources.dispositions.set_index("USUBJID")
    row = ds.loc["T-001-A1-009"]
    assert (row["DSDECOD"], row["DSTERM"], row["DSCAT"]) == ("SCREEN FAILURE", "eGFR below 30", "DISPOSITION EVENT")
    assert row["DSSTDTC"] == "2026-03-04"  # no eligibility confirmation: the screening day
    dm = sources.subjects.set_index("SUBJID").loc["A1-009"]
    assert dm["ARMNRS"] == "SCREEN FAILURE" and pd.isna(dm["ARMCD"])


def test_a_withdrawal_of_all_consent_ends_the_study_for_rfendtc(world):
    """Withdrawal from all further data collection is the end of study; from treatment only it is not."""
    from django.utils import timezone

    from opencro.subjects.models import ConsentWithdrawal

    for subject, scope in ((world.subject_a, "treatment"), (world.subject_b, "all")):
        ConsentWithdrawal.objects.create(
            study=world.study,
            site=subject.site,
            subject=subject,
            withdrawn_on=dt.date(2026, 9, 1),
            scope=scope,
            data_may_be_used=True,
            recorded_at=timezone.now(),
        )
    sources = study_sources(world.study, blinded=True)
    assert _dm(sources, "B1-001")["RFENDTC"] == "2026-09-01"
    assert _dm(sources, "A1-001")["RFENDTC"] != "2026-09-01"
