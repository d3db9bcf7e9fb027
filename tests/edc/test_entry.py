import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.audit.models import AuditRecord
from opencro.edc.models import FormData, ItemData, Query, QueryState
from opencro.edc.services.entry import FormErrors, ItemEntry, form_save

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)


def save(world, form_oid, values, *, event="SE.SCR", user="study_coordinator", reason="", subject=None, **kw):
    entries = [ItemEntry(oid, v) if not isinstance(v, ItemEntry) else v for oid, v in values.items()]
    return form_save(
        actor=world.users[user],
        subject=subject or world.subject_a,
        event_oid=event,
        form_oid=form_oid,
        entries=entries,
        reason=reason,
        today=TODAY,
        **kw,
    )


def value(form, oid, repeat=1):
    return ItemData.objects.get(form=form, item_def__oid=oid, group_repeat=repeat).value


def test_save_stores_canonical_values_derives_and_audits(edc_world):
    result = save(edc_world, "F.VS", {"IT.WEIGHT": "72.5", "IT.HEIGHT": "180", "IT.SYSBP": "120", "IT.DIABP": "80"})
    form = result.form
    assert value(form, "IT.WEIGHT") == "72.5"
    # 72.5 / 1.8^2 = 22.376... -> one decimal place
    assert value(form, "IT.BMI") == "22.4"
    assert form.status == "complete"
    records = AuditRecord.objects.filter(object_type="edc.itemdata", field="value").order_by("id")
    assert {r.new_value for r in records} == {"72.5", "180", "22.4", "120", "80"}
    assert all(r.username == "study-coordinator" for r in records)
    assert result.opened == []


def test_invalid_values_are_all_reported_and_nothing_is_written(edc_world):
    with pytest.raises(FormErrors) as exc:
        save(edc_world, "F.VS", {"IT.WEIGHT": "heavy", "IT.HEIGHT": "1.80", "IT.SYSBP": "1200"})
    assert set(exc.value.field_errors) == {"IT.WEIGHT", "IT.HEIGHT", "IT.SYSBP"}
    assert "whole number" in exc.value.field_errors["IT.HEIGHT"]
    assert not ItemData.objects.exists()
    assert not FormData.objects.exists()


def test_hard_range_refuses_soft_range_opens_a_query(edc_world):
    with pytest.raises(FormErrors) as exc:
        save(edc_world, "F.VS", {"IT.WEIGHT": "251"})
    assert exc.value.field_errors == {"IT.WEIGHT": "Weight above 250 kg is not plausible."}
    result = save(edc_world, "F.VS", {"IT.WEIGHT": "28"})
    assert [(q.origin, q.text, q.value_at_open) for q in result.opened] == [
        ("range", "Weight below 30 kg: please confirm.", "28")
    ]


def test_change_needs_a_reason_and_fixing_data_closes_the_automatic_query(edc_world):
    first = save(edc_world, "F.VS", {"IT.WEIGHT": "70", "IT.SYSBP": "80", "IT.DIABP": "90"})
    assert [q.rule_key for q in first.opened] == ["ec:EC.BP"]
    with pytest.raises(FormErrors) as exc:
        save(edc_world, "F.VS", {"IT.DIABP": "60"})
    assert exc.value.field_errors == {"IT.DIABP": "A reason for change is required."}
    second = save(edc_world, "F.VS", {"IT.DIABP": "60"}, reason="transcription error")
    assert [q.pk for q in second.closed] == [first.opened[0].pk]
    query = Query.objects.get(pk=first.opened[0].pk)
    assert query.state == QueryState.CLOSED and query.closed_by is None
    change = AuditRecord.objects.filter(object_type="edc.itemdata", field="value", old_value="90").get()
    assert (change.new_value, change.reason) == ("60", "transcription error")


def test_branching_hides_and_clears(edc_world):
    save(edc_world, "F.DM", {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"})
    result = save(edc_world, "F.DM", {"IT.SEX": "M"}, reason="wrong sex entered")
    assert value(result.form, "IT.PREG") is None
    assert result.form.status == "complete"  # the hidden mandatory item is not missing


def test_required_missing_opens_a_query_and_not_done_satisfies_it(edc_world):
    result = save(edc_world, "F.DM", {"IT.SEX": "F", "IT.PREG": "0"})
    assert [q.rule_key for q in result.opened] == ["required:IT.BRTHDAT"]
    assert result.form.status == "incomplete"
    again = save(edc_world, "F.DM", {"IT.BRTHDAT": ItemEntry("IT.BRTHDAT", None, not_done_reason="not known")})
    assert [q.rule_key for q in again.closed] == ["required:IT.BRTHDAT"]
    assert again.form.status == "complete"


def test_checkbox_and_partial_dates(edc_world):
    result = save(edc_world, "F.DM", {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0", "IT.RACE": "3,1"})
    assert value(result.form, "IT.RACE") == "1,3"
    ae = save(
        edc_world,
        "F.AE",
        {"IT.AETERM": "Headache", "IT.AESTDAT": "UN-MAR-2026", "IT.AEENDAT": "2026-02"},
        event="SE.AE",
    )
    assert value(ae.form, "IT.AESTDAT") == "2026-03"
    # partial dates compare as text here: "2026-02" < "2026-03" -> the end-before-start check fires
    assert [q.rule_key for q in ae.opened] == ["ec:EC.AEDATES"]


def test_repeating_group_rows_are_checked_separately(edc_world):
    entries = [
        ItemEntry("IT.AETERM", "Headache"),
        ItemEntry("IT.AESTDAT", "2026-03-01"),
        ItemEntry("IT.AETERM", "Nausea", repeat=2),
        ItemEntry("IT.AESTDAT", "2026-03-05", repeat=2),
        ItemEntry("IT.AEENDAT", "2026-03-02", repeat=2),
    ]
    result = form_save(
        actor=edc_world.users["investigator"],
        subject=edc_world.subject_a,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=entries,
        today=TODAY,
    )
    assert [(q.rule_key, q.item.group_repeat) for q in result.opened] == [("ec:EC.AEDATES", 2)]
    assert value(result.form, "IT.AETERM", 2) == "Nausea"


def test_cross_visit_check_reads_the_screening_value(edc_world):
    save(edc_world, "F.VS", {"IT.WEIGHT": "70"})
    result = save(edc_world, "F.VS", {"IT.WEIGHT": "82"}, event="SE.W4")
    assert [q.rule_key for q in result.opened] == ["ec:EC.WTCHANGE"]


def test_query_closed_by_a_person_is_not_raised_again_on_the_same_value(edc_world):
    from opencro.edc.services.queries import query_answer, query_close

    first = save(edc_world, "F.VS", {"IT.WEIGHT": "28"})
    query = first.opened[0]
    query_answer(actor=edc_world.users["study_coordinator"], query=query, text="Confirmed: the patient weighs 28 kg.")
    query_close(actor=edc_world.users["monitor"], query=query)
    again = save(edc_world, "F.VS", {"IT.SYSBP": "110"})
    assert again.opened == []
    third = save(edc_world, "F.VS", {"IT.WEIGHT": "27"}, reason="re-weighed")
    assert [q.rule_key for q in third.opened] == ["range:IT.WEIGHT:0"]


def test_entry_is_refused_outside_role_and_site(edc_world):
    with pytest.raises(PermissionDenied):
        save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, user="monitor")
    with pytest.raises(PermissionDenied):
        save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, subject=edc_world.subject_b)


def test_unknown_form_event_and_repeats_are_refused(edc_world):
    with pytest.raises(ValidationError):
        save(edc_world, "F.DM", {"IT.SEX": "F"}, event="SE.W4")
    with pytest.raises(ValidationError):
        save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, event="SE.NOPE")
    with pytest.raises(FormErrors) as exc:
        save(edc_world, "F.VS", {"IT.NOPE": "1", "IT.BMI": "20"})
    assert set(exc.value.field_errors) == {"IT.NOPE", "IT.BMI"}


def test_a_cross_form_check_follows_the_form_it_reads(edc_world):
    """EC.XFORM sits on demographics but reads vital signs: correcting the vitals closes its query."""
    from opencro.edc.services.build import build_import
    from opencro.formats import build as b
    from tests.edc.builds import small_build

    build = small_build()
    build.version_oid = "MDV.X"
    build.edit_checks.append(
        b.EditCheckDef(
            "EC.XFORM", "Heavy female", "[sex] = 'F' and [weight] > 150", {"en": "Check the weight."}, "IT.SEX"
        )
    )
    build_import(actor=None, study=edc_world.study, build=build)
    subject = edc_world.subject_b
    form_save(actor=None, subject=subject, event_oid="SE.SCR", form_oid="F.VS", entries=[ItemEntry("IT.WEIGHT", "160")])
    dm = form_save(
        actor=None,
        subject=subject,
        event_oid="SE.SCR",
        form_oid="F.DM",
        entries=[ItemEntry("IT.SEX", "F"), ItemEntry("IT.PREG", "0"), ItemEntry("IT.BRTHDAT", "1970-01-01")],
    )
    assert [q.rule_key for q in dm.opened] == ["ec:EC.XFORM"]
    form_save(
        actor=None,
        subject=subject,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "60")],
        reason="decimal point misplaced",
    )
    query = Query.objects.get(pk=dm.opened[0].pk)
    assert query.state == QueryState.CLOSED and query.closed_by is None
