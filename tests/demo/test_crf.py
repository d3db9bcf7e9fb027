"""The OPC-301 build made in code: consistent, complete, translated, and its rules compute what they say.

Pure: the build and its expressions are checked without a database.
"""

import datetime as dt
import math

import pytest

from opencro.core import logic
from opencro.demo import crf, data
from opencro.demo.crf.rules import egfr_expression
from opencro.edc.expressions import build_expression_problems
from opencro.formats.build import EventType, build_problems

BUILD = crf.opc301_build()
METHODS = {m.oid: m.expression for m in BUILD.methods}
CHECKS = {c.oid: c for c in BUILD.edit_checks}


def run(expression: str, **values):
    """Evaluate with every reference blank unless given: `IT_X=` for [IT.X], `V1_IT_X=` for [SE.V1][IT.X]."""
    env = {}
    for var in logic.references(expression):
        key = var.name.replace(".", "_") if var.event is None else f"{var.event[3:]}_{var.name.replace('.', '_')}"
        env[var.name if var.event is None else (var.event, var.name)] = values.pop(key, None)
    assert not values, f"not referenced: {values}"
    return logic.evaluate(expression, env, today=dt.date(2026, 11, 20))


def test_the_build_imports_without_problems():
    assert build_problems(BUILD) == []
    assert build_expression_problems(BUILD) == []


def test_the_build_has_the_size_of_a_phase_three_ecrf():
    assert (len(BUILD.events), len(BUILD.forms), len(BUILD.item_groups), len(BUILD.items)) == (11, 15, 17, 83)
    assert (len(BUILD.code_lists), len(BUILD.conditions), len(BUILD.methods), len(BUILD.edit_checks)) == (18, 8, 5, 21)
    assert BUILD.languages == ["en", "es", "ja"]


def test_events_are_the_protocol_visits_with_their_days_and_windows():
    events = {e.oid: e for e in BUILD.events}
    for code, name, _epoch, day, before, after, unscheduled in data.VISITS:
        event = events[f"SE.{code}"]
        assert (event.name, event.day_offset, event.repeating) == (name, day, unscheduled)
        if not unscheduled:
            assert (event.window_before, event.window_after) == (before, after)
    assert events["SE.UNS"].type == EventType.UNSCHEDULED
    logs = events[crf.LOG_EVENT]
    assert logs.type == EventType.COMMON
    assert [f.form_oid for f in logs.forms] == ["F.AE", "F.CM", "F.DS"]
    assert [r.event_oid for r in BUILD.protocol] == [*(f"SE.{code}" for code, *_ in data.VISITS), "SE.LOGS"]


def test_visits_carry_the_forms_of_their_scheduled_activities():
    forms = {e.oid: [f.form_oid for f in e.forms] for e in BUILD.events}
    assert forms["SE.V1"] == ["F.IC", "F.IE", "F.DM", "F.MH", "F.VS", "F.PE", "F.EG", "F.ECHO", "F.LB", "F.BNP"]
    assert forms["SE.V2"] == ["F.IE", "F.VS", "F.PE", "F.EG", "F.LB", "F.BNP", "F.KCCQ"]
    assert forms["SE.V3"] == ["F.VS"]
    assert forms["SE.V8"] == ["F.VS", "F.PE", "F.EG", "F.ECHO", "F.LB", "F.BNP", "F.KCCQ", "F.DA"]
    assert forms["SE.UNS"] == ["F.VS", "F.EG", "F.LB"]
    assert all(f.mandatory for e in BUILD.events if e.type == EventType.SCHEDULED for f in e.forms)
    # every form of the build is used somewhere
    assert {f.oid for f in BUILD.forms} == {oid for oids in forms.values() for oid in oids}


def test_every_question_is_in_english_spanish_and_japanese():
    for item in BUILD.items:
        assert set(item.question) == {"en", "es", "ja"}, item.oid
        assert all(item.question.values()), item.oid
    assert BUILD.item("IT.SYSBP").question == {
        "en": "Systolic blood pressure",
        "es": "Presión arterial sistólica",
        "ja": "収縮期血圧",
    }
    assert BUILD.item("IT.IN04").question["en"] == f"Inclusion criterion 4 met: {data.CRITERIA[3][2]}"


def test_items_carry_cdash_and_sdtm_names_and_criticality():
    items = {i.oid: i for i in BUILD.items}
    assert {oid: items[oid].sds_var_name for oid in ("IT.AETERM", "IT.MHTERM", "IT.CMTRT")} == {
        "IT.AETERM": "AETERM",
        "IT.MHTERM": "MHTERM",
        "IT.CMTRT": "CMTRT",
    }
    assert {i.oid for i in BUILD.items if i.critical} == {
        "IT.ICDAT",
        "IT.IEYN",
        "IT.LVEF",
        "IT.NTPROBNP",
        "IT.AETERM",
        "IT.AESER",
        "IT.DSDECOD",
    }
    assert [(a.context, a.name) for a in items["IT.SYSBP"].aliases] == [
        ("CDASH", "SYSBP_VSORRES"),
        ("SDTM", "VS.VSORRES where VSTESTCD = SYSBP; VSORRESU = mmHg"),
    ]
    assert (items["IT.BRTHDAT"].data_type, items["IT.AESTDAT"].data_type) == ("partialDate", "partialDate")
    assert items["IT.RACE"].control_type == "checkbox"


def test_range_checks_are_soft_and_hard_with_units():
    weight = BUILD.item("IT.WEIGHT")
    assert [(r.comparator, r.values, r.soft_hard) for r in weight.range_checks] == [
        ("GE", ["35"], "Soft"),
        ("LE", ["150"], "Soft"),
        ("GE", ["25"], "Hard"),
        ("LE", ["300"], "Hard"),
    ]
    assert weight.range_checks[0].message["en"] == "Below 35 kg: please confirm the value."
    assert weight.units == ["kg"]
    assert [(r.values, r.soft_hard) for r in BUILD.item("IT.ICDAT").range_checks] == [(["today"], "Hard")]


def test_branching_hides_what_the_case_does_not_need():
    refs = {(g.oid, r.item_oid): r for g in BUILD.item_groups for r in g.items}
    conditions = {c.oid: c.expression for c in BUILD.conditions}
    end_date = refs[("IG.AE", "IT.AEENDAT")]
    assert run(conditions[end_date.collection_exception_condition_oid], IT_AEONGO="Y") is True
    assert run(conditions[end_date.collection_exception_condition_oid], IT_AEONGO="N") is False
    description = refs[("IG.PE", "IT.PEDESC")].collection_exception_condition_oid
    assert (run(conditions[description], IT_PEABN="N"), run(conditions[description], IT_PEABN="Y")) == (True, False)
    height = refs[("IG.VS", "IT.HEIGHT")].collection_exception_condition_oid
    assert (run(conditions[height]), run(conditions[height], IT_ICDAT=dt.date(2026, 5, 4))) == (True, False)


def test_every_edit_check_reads_its_own_form_or_names_the_visit():
    """A bare [item] reads the form being saved (or its visit); anything else must name its event."""
    form_items = {}
    groups = {g.oid: g for g in BUILD.item_groups}
    for form in BUILD.forms:
        oids = {r.item_oid for ref in form.item_groups for r in groups[ref.item_group_oid].items}
        form_items.update(dict.fromkeys(oids, oids))
    events = {e.oid for e in BUILD.events}
    for check in BUILD.edit_checks:
        for var in logic.references(check.expression):
            if var.event is None:
                assert var.name in form_items[check.item_oid], (check.oid, var.name)
            else:
                assert var.event in events and BUILD.item(var.name) is not None, (check.oid, var)


@pytest.mark.parametrize(
    ("check", "fires", "passes"),
    [
        ("EC.VS.DBP_SBP", {"IT_SYSBP": 82, "IT_DIABP": 118}, {"IT_SYSBP": 118, "IT_DIABP": 82}),
        ("EC.VS.WEIGHT_CHANGE", {"IT_WEIGHT": 87.4, "V1_IT_WEIGHT": 78.4}, {"IT_WEIGHT": 80.1, "V1_IT_WEIGHT": 78.4}),
        ("EC.EG.QTCF", {"IT_QTCF": 512}, {"IT_QTCF": 500}),
        ("EC.LB.POTASSIUM", {"IT_K": 5.8}, {"IT_K": 5.5}),
        ("EC.LB.LIVER", {"IT_ALT": 35, "IT_AST": 121}, {"IT_ALT": 120, "IT_AST": 40}),
        (
            "EC.LB.PRECONSENT",
            {"IT_LBDAT": dt.date(2026, 5, 3), "V1_IT_ICDAT": dt.date(2026, 5, 4)},
            {"IT_LBDAT": dt.date(2026, 5, 4), "V1_IT_ICDAT": dt.date(2026, 5, 4)},
        ),
        (
            "EC.AE.DATES",
            {"IT_AESTDAT": dt.date(2026, 1, 10), "IT_AEENDAT": dt.date(2025, 1, 14)},
            {"IT_AESTDAT": "2026-01", "IT_AEENDAT": dt.date(2026, 1, 4)},  # a partial date is not compared
        ),
        ("EC.AE.END_MISSING", {"IT_AEONGO": "N"}, {"IT_AEONGO": "Y"}),
        ("EC.AE.SAE_OUTCOME", {"IT_AESER": "Y"}, {"IT_AESER": "Y", "IT_AEOUT": "RECOVERING/RESOLVING"}),
        ("EC.AE.FATAL", {"IT_AEOUT": "FATAL", "IT_AESER": "N"}, {"IT_AEOUT": "FATAL", "IT_AESER": "Y"}),
        ("EC.DA.RETURNED", {"IT_DADSP": 42, "IT_DARET": 43}, {"IT_DADSP": 42, "IT_DARET": 3}),
        ("EC.DA.COMPLIANCE", {"IT_DACOMPL": 79}, {"IT_DACOMPL": 80}),
        ("EC.DM.AGE", {"IT_AGE": 86}, {"IT_AGE": 85}),
        (
            "EC.IE.NTPROBNP",
            {"IT_IN05": "Y", "V1_IT_NTPROBNP": 850, "V1_IT_RHYTHM": "AF"},
            {"IT_IN05": "Y", "V1_IT_NTPROBNP": 850, "V1_IT_RHYTHM": "SINUS"},
        ),
        ("EC.IE.SBP", {"IT_EX02": "N", "V1_IT_SYSBP": 94}, {"IT_EX02": "Y", "V1_IT_SYSBP": 94}),
    ],
)
def test_edit_checks_fire_on_the_discrepancy_only(check, fires, passes):
    assert run(CHECKS[check].expression, **fires) is True
    assert run(CHECKS[check].expression, **passes) is False


def test_eligibility_checks_read_every_criterion():
    met = {f"IT_IN{n:02d}": "Y" for n in range(1, 6)} | {f"IT_EX{n:02d}": "N" for n in range(1, 5)}
    eligible, not_eligible = CHECKS["EC.IE.ELIGIBLE"].expression, CHECKS["EC.IE.NOT_ELIGIBLE"].expression
    assert run(eligible, IT_IEYN="Y", **met) is False
    assert run(eligible, IT_IEYN="Y", **(met | {"IT_EX03": "Y"})) is True
    assert run(not_eligible, IT_IEYN="N", **met) is True
    assert run(not_eligible, IT_IEYN="N", **(met | {"IT_IN05": "N"})) is False


def _ckd_epi_2021(creatinine_umol: float, age: int, female: bool) -> float:
    """Inker et al. 2021 (doi:10.1056/NEJMoa2102953), written out directly for comparison."""
    scr = creatinine_umol / 88.4
    kappa, alpha = (0.7, -0.241) if female else (0.9, -0.302)
    value = 142 * min(scr / kappa, 1) ** alpha * max(scr / kappa, 1) ** -1.2 * 0.9938**age
    return value * (1.012 if female else 1)


@pytest.mark.parametrize(("creatinine", "age", "sex"), [(106, 50, "M"), (62, 71, "F"), (150, 84, "F"), (75, 45, "M")])
def test_egfr_is_ckd_epi_2021(creatinine, age, sex):
    expected = round(_ckd_epi_2021(creatinine, age, sex == "F"))
    assert run(egfr_expression(), IT_CREAT=creatinine, V1_IT_SEX=sex, V1_IT_AGE=age) == expected
    assert run(egfr_expression(), IT_CREAT=creatinine, V1_IT_AGE=age) == ""  # sex unknown: blank, not male


def test_derivations():
    # 80 kg / 1.75 m^2 = 26.12
    assert math.isclose(run(METHODS["MT.BMI"], IT_WEIGHT=80, V1_IT_HEIGHT=175), 26.122448979591837)
    consent = dt.date(2026, 5, 4)
    assert run(METHODS["MT.AGE"], IT_BRTHDAT=dt.date(1950, 5, 5), V1_IT_ICDAT=consent) == 75  # birthday tomorrow
    assert run(METHODS["MT.AGE"], IT_BRTHDAT=dt.date(1950, 5, 3), V1_IT_ICDAT=consent) == 76
    assert run(METHODS["MT.AGE"], IT_BRTHDAT="1950-07", V1_IT_ICDAT=consent) == 76  # year only: 2026 - 1950
    # (2 + 3 + 3 + 4) / 4 = 3 -> (3 - 1) / 4 * 100 = 50
    assert run(METHODS["MT.KCCQ"], IT_KCCQ_PL=2, IT_KCCQ_SF=3, IT_KCCQ_SL=3, IT_KCCQ_QL=4) == 50
    # 84 tablets, 6 back after 84 days: 78 taken in 84 days = 92.9%
    compliance = run(
        METHODS["MT.COMPLIANCE"],
        IT_DADSP=84,
        IT_DARET=6,
        IT_DADSPDAT=dt.date(2026, 6, 1),
        IT_DARETDAT=dt.date(2026, 8, 24),
    )
    assert compliance == 93
