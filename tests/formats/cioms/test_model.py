"""The CIOMS I content model: partial dates print as given, broken input is refused naming its box."""

import dataclasses
import datetime as dt

import pytest

from opencro.formats.cioms.model import (
    Age,
    AgeUnit,
    Answer,
    CiomsForm,
    CiomsFormError,
    ConcomitantAndHistory,
    ConcomitantDrug,
    ManufacturerInformation,
    PartialDate,
    Reaction,
    ReactionInformation,
    ReportSource,
    ReportType,
    Seriousness,
    SuspectDrug,
)


def test_partial_dates_print_only_what_is_known():
    assert str(PartialDate(2026, 3, 5)) == "05-MAR-2026"
    assert str(PartialDate(2026, 3)) == "??-MAR-2026"
    assert str(PartialDate(2026)) == "??-???-2026"
    assert PartialDate(1970, 12).parts() == ("??", "DEC", "1970")
    assert PartialDate.of(dt.date(2026, 1, 31)) == PartialDate(2026, 1, 31)


def test_iso_dates_at_reduced_precision_are_read():
    assert PartialDate.parse("2026") == PartialDate(2026)
    assert PartialDate.parse(" 2026-03 ") == PartialDate(2026, 3)
    assert PartialDate.parse("2026-03-05") == PartialDate(2026, 3, 5)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        PartialDate.parse("03/2026")


def test_month_13_is_refused_naming_the_box():
    with pytest.raises(ValueError, match=r"box 4-6 REACTION ONSET \(onset\): month 13 is not between 1 and 12"):
        ReactionInformation(onset=PartialDate(2026, 13, 1))
    with pytest.raises(CiomsFormError, match=r"box 2 DATE OF BIRTH"):
        ReactionInformation(birth_date=PartialDate(1970, 13))
    with pytest.raises(CiomsFormError, match=r"box 24c DATE RECEIVED BY MANUFACTURER"):
        ManufacturerInformation(date_received=PartialDate(2026, 13))
    with pytest.raises(CiomsFormError, match=r"box 22 CONCOMITANT"):
        ConcomitantDrug("Paracetamol", date_to=PartialDate(2026, 0))


def test_impossible_days_are_refused_and_leap_days_accepted():
    # 2025 is not a leap year (not divisible by 4); 2024 is.
    with pytest.raises(CiomsFormError, match=r"box 18 THERAPY DATES .*day 29 is not between 1 and 28 in FEB 2025"):
        SuspectDrug("Drugix", therapy_from=PartialDate(2025, 2, 29))
    assert SuspectDrug("Drugix", therapy_from=PartialDate(2024, 2, 29)).therapy_from == PartialDate(2024, 2, 29)
    with pytest.raises(CiomsFormError, match="a day is given without a month"):
        Reaction("Rash", onset=PartialDate(2026, None, 5))
    with pytest.raises(CiomsFormError, match="year 26 is not a four-digit year"):
        Reaction("Rash", onset=PartialDate(26, 3))


def test_every_problem_is_reported_at_once():
    with pytest.raises(CiomsFormError) as caught:
        ReactionInformation(onset=PartialDate(2026, 13), weight_kg=-3.0, patient_initials=5)  # type: ignore[arg-type]
    locations = [p.location for p in caught.value.problems]
    assert locations == [
        "box 1 PATIENT INITIALS (first, last) (patient_initials)",
        "box 3a WEIGHT (weight_kg)",
        "box 4-6 REACTION ONSET (onset)",
    ]


@pytest.mark.parametrize(
    ("make", "box", "message"),
    [
        (lambda: ReactionInformation(weight_kg=float("nan")), "box 3a", "not a positive number"),
        (lambda: ReactionInformation(weight_kg=True), "box 3a", "expected float or None, got bool"),
        (lambda: ReactionInformation(age=Age(-1)), "box 2a", "age -1 is not between 0 and 200"),
        (lambda: ReactionInformation(age=Age("56")), "box 2a", "age: expected int, got str"),
        (lambda: ReactionInformation(sex=None), "box 3 ", "expected str, got NoneType"),
        (lambda: ReactionInformation(reactions=("Rash",)), "box 7+13", "item 1: expected Reaction, got str"),
        (lambda: ReactionInformation(seriousness={"patient_died": True}), "box 8-12", "expected Seriousness"),
        (lambda: Seriousness(patient_died="yes"), "box 8-12", "expected bool, got str"),
        (lambda: SuspectDrug("Drugix", abated_after_stopping="maybe"), "box 20", "expected Answer or None"),
        (lambda: SuspectDrug("Drugix", reappeared_after_reintroduction=1), "box 21", "expected Answer or None"),
        (lambda: ManufacturerInformation(report_type="final"), "box 25a", "expected ReportType or None"),
        (lambda: ManufacturerInformation(report_sources={"gossip"}), "box 24d", "item 1: expected ReportSource"),
        (lambda: CiomsForm(reaction=None), "box 1-13", "expected ReactionInformation"),
        (lambda: CiomsForm(ReactionInformation(), suspect_drugs=["Drugix"]), "box 14", "expected SuspectDrug"),
    ],
)
def test_wrong_types_are_refused_naming_the_box(make, box, message):
    with pytest.raises(CiomsFormError) as caught:
        make()
    assert box in str(caught.value)
    assert message in str(caught.value)


def test_obvious_conversions_are_made():
    drug = SuspectDrug("Drugix", abated_after_stopping="yes", reappeared_after_reintroduction="na")
    assert drug.abated_after_stopping is Answer.YES
    assert drug.reappeared_after_reintroduction is Answer.NA
    info = ReactionInformation(reactions=[Reaction("Rash")])
    assert info.reactions == (Reaction("Rash"),)
    maker = ManufacturerInformation(report_sources=["study", ReportSource.LITERATURE], report_type="follow-up")
    assert maker.report_sources == frozenset({ReportSource.STUDY, ReportSource.LITERATURE})
    assert maker.report_type is ReportType.FOLLOW_UP
    history = ConcomitantAndHistory(drugs=[ConcomitantDrug("Paracetamol")])
    assert history.drugs == (ConcomitantDrug("Paracetamol"),)


def test_the_form_is_frozen_and_hashable():
    form = CiomsForm(ReactionInformation(patient_initials="JD"), suspect_drugs=[SuspectDrug("Drugix")])
    with pytest.raises(dataclasses.FrozenInstanceError):
        form.reaction = ReactionInformation()  # type: ignore[misc]
    assert hash(form) == hash(CiomsForm(ReactionInformation(patient_initials="JD"), (SuspectDrug("Drugix"),)))


def test_age_prints_its_unit_unless_years():
    # Box 2a is headed "Years", so a value in years is printed bare.
    assert str(Age(56)) == "56"
    assert str(Age(6, AgeUnit.MONTHS)) == "6 months"
