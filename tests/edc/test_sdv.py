"""Source data verification: the plan, what it requires of each form, verifying, and losing verification."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencro.audit.models import AuditRecord
from opencro.edc.models import FormData, ItemData, ItemDef, SdvPlan
from opencro.edc.sdv import PlanRule, SdvNeed, form_sdv_need
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.services.locks import data_lock
from opencro.edc.services.sdv import sdv_plan_set, sdv_unverify, sdv_verify
from opencro.edc.spec import spec_cache_clear
from opencro.subjects import services as subjects

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 1)
VITALS = {"IT.WEIGHT": "72.5", "IT.HEIGHT": "180", "IT.SYSBP": "120", "IT.DIABP": "80"}


def save(w, form_oid, values, *, subject=None, event="SE.SCR", reason="", user="study_coordinator"):
    """Save as `user` (None: the system, e.g. for site B1, where the coordinator has no access)."""
    return form_save(
        actor=w.users[user] if user else None,
        subject=subject or w.subject_a,
        event_oid=event,
        form_oid=form_oid,
        entries=[ItemEntry(oid, v) for oid, v in values.items()],
        reason=reason,
        today=TODAY,
    ).form


def plan(w, *rules, reason="monitoring plan v2"):
    return sdv_plan_set(
        actor=w.users["data_manager"], study=w.study, rules=[PlanRule(*r) for r in rules], reason=reason
    )


def verified(form) -> dict[str, bool]:
    return {r.item_def.oid: r.verified for r in ItemData.objects.filter(form=form).select_related("item_def")}


def fresh(form) -> FormData:
    return FormData.objects.get(pk=form.pk)


def test_without_a_plan_nothing_needs_verifying(edc_world):
    form = save(edc_world, "F.VS", VITALS)
    assert form.sdv_status == "not_required"
    assert form_sdv_need(form) == SdvNeed.NONE
    sdv_verify(actor=edc_world.users["monitor"], form=form)  # nothing to verify: nothing written
    assert not AuditRecord.objects.filter(field="verified").exists()


def test_plan_change_recomputes_every_form_and_audits_it(edc_world):
    form = save(edc_world, "F.VS", VITALS)
    plan(edc_world, (None, "", "full"))
    assert fresh(form).sdv_status == "required"
    record = AuditRecord.objects.get(
        object_type="edc.formdata", object_id=str(form.pk), field="sdv_status", action="update"
    )
    assert (record.old_value, record.new_value, record.reason) == ("not_required", "required", "monitoring plan v2")
    assert record.username == "data-manager" and record.site_id == edc_world.site_a.pk
    assert [(p.site_id, p.form_oid, p.requirement) for p in SdvPlan.objects.all()] == [(None, "", "full")]


def test_a_plan_requiring_nothing_returns_every_form_to_not_required_without_counting(edc_world):
    form = save(edc_world, "F.VS", VITALS)
    plan(edc_world, (None, "", "full"))
    assert fresh(form).sdv_status == "required"
    with CaptureQueriesContext(connection) as queries:
        plan(edc_world, (None, "", "none"), reason="no SDV after all")
    assert fresh(form).sdv_status == "not_required"
    assert not [q for q in queries.captured_queries if "edc_itemdata" in q["sql"]]  # no item row was counted
    record = AuditRecord.objects.filter(object_id=str(form.pk), field="sdv_status").latest("id")
    assert (record.old_value, record.new_value, record.reason) == ("required", "not_required", "no SDV after all")


def test_verify_whole_form_verifies_every_entered_item_but_derived_ones(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", VITALS)
    assert form.sdv_status == "required"
    sdv_verify(actor=edc_world.users["monitor"], form=form)
    # BMI is derived (no source to verify against): it stays unverified and is not required
    assert verified(form) == {
        "IT.WEIGHT": True,
        "IT.HEIGHT": True,
        "IT.BMI": False,
        "IT.SYSBP": True,
        "IT.DIABP": True,
    }
    assert fresh(form).sdv_status == "verified"
    records = AuditRecord.objects.filter(object_type="edc.itemdata", field="verified").order_by("id")
    assert [(r.old_value, r.new_value, r.reason, r.username) for r in records] == [
        ("false", "true", "source data verified", "monitor")
    ] * 4
    status = AuditRecord.objects.filter(object_type="edc.formdata", field="sdv_status").latest("id")
    assert (status.old_value, status.new_value) == ("required", "verified")


def test_a_change_after_verification_resets_it_item_and_form(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", VITALS)
    sdv_verify(actor=edc_world.users["monitor"], form=form)
    save(edc_world, "F.VS", {"IT.WEIGHT": "73.0"}, reason="transcription error")
    flags = verified(form)
    assert (flags["IT.WEIGHT"], flags["IT.HEIGHT"]) == (False, True)
    assert fresh(form).sdv_status == "required"
    reset = AuditRecord.objects.filter(object_type="edc.itemdata", field="verified").latest("id")
    assert (reset.old_value, reset.new_value, reset.reason) == ("true", "false", "transcription error")
    status = AuditRecord.objects.filter(object_type="edc.formdata", field="sdv_status").latest("id")
    assert (status.old_value, status.new_value, status.reason) == ("verified", "required", "transcription error")


def test_a_new_value_on_a_verified_form_needs_verifying(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "72.5"})
    sdv_verify(actor=edc_world.users["monitor"], form=form)
    assert fresh(form).sdv_status == "verified"
    save(edc_world, "F.VS", {"IT.SYSBP": "120"})
    assert fresh(form).sdv_status == "required"


def test_targeted_sdv_samples_the_first_subjects_of_each_site_and_critical_items_of_others(edc_world):
    ItemDef.objects.filter(version=edc_world.version, oid="IT.WEIGHT").update(critical=True)
    spec_cache_clear()
    later = subjects.subject_screen(actor=None, site=edc_world.site_a, number="A1-002", screened_on=dt.date(2026, 3, 5))
    plan(edc_world, (None, "", "targeted", 1))
    first = save(edc_world, "F.VS", VITALS)
    second = save(edc_world, "F.VS", VITALS, subject=later)
    assert (form_sdv_need(first), form_sdv_need(second)) == (SdvNeed.ALL, SdvNeed.CRITICAL)
    sdv_verify(actor=edc_world.users["monitor"], form=second)
    assert verified(second) == {
        "IT.WEIGHT": True,
        "IT.HEIGHT": False,
        "IT.BMI": False,
        "IT.SYSBP": False,
        "IT.DIABP": False,
    }
    assert fresh(second).sdv_status == "verified"
    assert fresh(first).sdv_status == "required"
    # a form of a non-sampled subject without critical items needs nothing
    dm = save(edc_world, "F.DM", {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"}, subject=later)
    assert dm.sdv_status == "not_required"


def test_the_most_specific_rule_wins(edc_world):
    later = subjects.subject_screen(actor=None, site=edc_world.site_b, number="B1-002", screened_on=dt.date(2026, 3, 5))
    plan(
        edc_world,
        (None, "", "full"),  # study default
        (None, "F.VS", "none"),  # the vitals come from a device: never verified
        (edc_world.site_b.pk, "", "targeted", 1),  # site B1: its first subject only
        (edc_world.site_b.pk, "F.VS", "full"),  # ...but all its vitals
    )
    a_vs = save(edc_world, "F.VS", VITALS)
    a_dm = save(edc_world, "F.DM", {"IT.SEX": "F", "IT.PREG": "0"})
    dm = {"IT.BRTHDAT": "1960-05-01", "IT.SEX": "F", "IT.PREG": "0"}
    b_form = save(edc_world, "F.DM", dm, subject=later, user=None)
    b_vs = save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, subject=later, user=None)
    assert [form_sdv_need(f) for f in (a_vs, a_dm, b_form, b_vs)] == [
        SdvNeed.NONE,
        SdvNeed.ALL,
        SdvNeed.CRITICAL,
        SdvNeed.ALL,
    ]
    assert [f.sdv_status for f in (a_vs, a_dm, b_form, b_vs)] == [
        "not_required",
        "required",
        "not_required",
        "required",
    ]


def test_unverify_needs_a_reason_and_is_audited(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "72.5", "IT.HEIGHT": "180"})
    sdv_verify(actor=edc_world.users["monitor"], form=form)
    weight = ItemData.objects.get(form=form, item_def__oid="IT.WEIGHT")
    with pytest.raises(ValidationError):
        sdv_unverify(actor=edc_world.users["monitor"], form=form, item_ids=[weight.pk], reason=" ")
    sdv_unverify(actor=edc_world.users["monitor"], form=form, item_ids=[weight.pk], reason="source not available")
    assert verified(form) == {"IT.WEIGHT": False, "IT.HEIGHT": True, "IT.BMI": False}
    assert fresh(form).sdv_status == "required"
    record = AuditRecord.objects.filter(object_type="edc.itemdata", field="verified").latest("id")
    assert (record.object_id, record.old_value, record.new_value, record.reason) == (
        str(weight.pk),
        "true",
        "false",
        "source not available",
    )


def test_verify_named_items_only_entered_ones_of_this_form(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", VITALS)
    other = save(edc_world, "F.DM", {"IT.SEX": "F", "IT.PREG": "0"})
    rows = {r.item_def.oid: r for r in ItemData.objects.filter(form=form).select_related("item_def")}
    monitor = edc_world.users["monitor"]
    with pytest.raises(ValidationError) as exc:
        sdv_verify(actor=monitor, form=form, item_ids=[ItemData.objects.filter(form=other).first().pk])
    assert exc.value.message_dict == {"items": ["An item named is not on this form."]}
    with pytest.raises(ValidationError) as exc:
        sdv_verify(actor=monitor, form=form, item_ids=[rows["IT.BMI"].pk])
    assert "derived" in exc.value.message_dict["items"][0]
    sdv_verify(actor=monitor, form=form, item_ids=[rows["IT.WEIGHT"].pk, rows["IT.SYSBP"].pk])
    assert [k for k, v in verified(form).items() if v] == ["IT.WEIGHT", "IT.SYSBP"]
    assert fresh(form).sdv_status == "required"


def test_sdv_is_site_scoped_and_needs_the_permission(edc_world, login):
    form_b = save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, subject=edc_world.subject_b, user=None)
    monitor = edc_world.users["monitor"]  # restricted to site A1
    with pytest.raises(PermissionDenied):
        sdv_verify(actor=monitor, form=form_b)
    with pytest.raises(PermissionDenied):
        sdv_verify(actor=edc_world.users["data_manager"], form=form_b)  # no SDV permission
    client = login(monitor)
    study = edc_world.study.pk
    assert (
        client.post(f"/api/v1/studies/{study}/edc/forms/{form_b.pk}/verify", {}, "application/json").status_code == 404
    )
    assert client.post(f"/studies/{study}/edc/forms/{form_b.pk}/verify/", {"all": "1"}).status_code == 404
    assert not ItemData.objects.filter(form=form_b, verified=True).exists()


def test_locked_forms_refuse_verification(edc_world):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", VITALS)
    data_lock(actor=edc_world.users["data_manager"], study=edc_world.study, form=form)
    with pytest.raises(ValidationError) as exc:
        sdv_verify(actor=edc_world.users["monitor"], form=form)
    assert exc.value.message_dict == {"form": ["This form is locked."]}


def test_plan_is_validated_all_at_once_and_changes_need_a_reason(edc_world):
    with pytest.raises(ValidationError) as exc:
        plan(
            edc_world,
            (None, "F.NOPE", "full"),
            (edc_world.other_study.sites.first().pk, "", "full"),
            (None, "", "sometimes"),
            (None, "", "none"),
        )
    assert set(exc.value.message_dict) == {"rules[0]", "rules[1]", "rules[2]", "rules[3]"}
    assert exc.value.message_dict["rules[3]"] == ["Another rule names the same site and form."]
    assert not SdvPlan.objects.exists()
    plan(edc_world, (None, "", "full"), reason="")  # creating needs no reason
    with pytest.raises(ValidationError) as exc:
        plan(edc_world, (None, "", "targeted", 3), reason="")
    assert exc.value.message_dict == {"reason": ["A reason for change is required."]}
    plan(edc_world, (None, "F.VS", "none"), reason="vitals from devices")
    assert [(p.form_oid, p.requirement) for p in SdvPlan.objects.all()] == [("F.VS", "none")]
    deleted = AuditRecord.objects.get(object_type="edc.sdvplan", action="delete", field="requirement")
    assert (deleted.old_value, deleted.reason) == ("full", "vitals from devices")


def test_plan_and_verification_through_the_api(edc_world, login):
    form = save(edc_world, "F.VS", VITALS)
    base = f"/api/v1/studies/{edc_world.study.pk}/edc"
    dm = login(edc_world.users["data_manager"])
    body = {"rules": [{"requirement": "full"}, {"form_oid": "F.AE", "requirement": "targeted", "first_n_subjects": 3}]}
    put = dm.put(f"{base}/sdv-plan", body, content_type="application/json")
    assert put.status_code == 200, put.content
    assert put.json() == [
        {"site_id": None, "site_number": None, "form_oid": "", "requirement": "full", "first_n_subjects": 0},
        {"site_id": None, "site_number": None, "form_oid": "F.AE", "requirement": "targeted", "first_n_subjects": 3},
    ]
    monitor = login(edc_world.users["monitor"])
    got = monitor.get(f"{base}/forms/{form.pk}/oversight").json()
    assert (got["sdv_need"], got["sdv_status"]) == ("all", "required")
    assert [(i["oid"], i["required"], i["verified"]) for i in got["items"]] == [
        ("IT.WEIGHT", True, False),
        ("IT.HEIGHT", True, False),
        ("IT.SYSBP", True, False),
        ("IT.DIABP", True, False),
    ]
    weight = got["items"][0]["item_id"]
    one = monitor.post(f"{base}/forms/{form.pk}/verify", {"item_ids": [weight]}, content_type="application/json")
    assert [i["verified"] for i in one.json()["items"]] == [True, False, False, False]
    whole = monitor.post(f"{base}/forms/{form.pk}/verify", {}, content_type="application/json").json()
    assert whole["sdv_status"] == "verified"
    back = monitor.post(
        f"{base}/forms/{form.pk}/unverify",
        {"item_ids": [weight], "reason": "wrong chart"},
        content_type="application/json",
    )
    assert back.json()["sdv_status"] == "required"
    assert monitor.put(f"{base}/sdv-plan", body, content_type="application/json").status_code == 403


def test_form_page_panel_and_worklist(edc_world, login):
    plan(edc_world, (None, "", "full"))
    form = save(edc_world, "F.VS", {"IT.WEIGHT": "72.5", "IT.HEIGHT": "180"})
    save(edc_world, "F.VS", {"IT.WEIGHT": "70"}, subject=edc_world.subject_b, user=None)
    monitor = login(edc_world.users["monitor"])
    study = edc_world.study.pk
    url = f"/studies/{study}/edc/subjects/{edc_world.subject_a.pk}/SE.SCR/1/F.VS/1/"
    html = monitor.get(url).content.decode()
    weight = ItemData.objects.get(form=form, item_def__oid="IT.WEIGHT")
    assert f'name="sdv:{weight.pk}"' in html and "100% SDV" in html
    worklist = monitor.get(f"/studies/{study}/edc/sdv/").content.decode()
    assert "A1-001" in worklist and "B1-001" not in worklist and "0 / 2" in worklist
    posted = monitor.post(f"/studies/{study}/edc/forms/{form.pk}/verify/", {f"sdv:{weight.pk}": "on", "next": url})
    assert posted.status_code == 302 and posted["Location"] == url
    assert verified(form) == {"IT.WEIGHT": True, "IT.HEIGHT": False, "IT.BMI": False}
    monitor.post(f"/studies/{study}/edc/forms/{form.pk}/verify/", {"all": "1"})
    assert fresh(form).sdv_status == "verified"
    assert "Nothing here." in monitor.get(f"/studies/{study}/edc/sdv/").content.decode()


def test_plan_page_edits_the_plan_with_a_reason_and_recomputes(edc_world, login):
    plan(edc_world, (None, "", "targeted", 2))
    form = save(edc_world, "F.VS", VITALS)
    dm = login(edc_world.users["data_manager"])
    url = f"/studies/{edc_world.study.pk}/edc/sdv/plan/"
    html = dm.get(url).content.decode()
    assert 'value="targeted" selected' in html and 'name="first_n-0" value="2"' in html
    assert 'name="rows" value="4"' in html  # the rule and three blank rows
    site = edc_world.site_a.pk
    data = {
        "rows": "3",
        "requirement-0": "targeted",
        "first_n-0": "2",
        "delete-0": "on",  # remove the study default
        "site-1": str(site),
        "form-1": "F.VS",
        "requirement-1": "full",
        "first_n-1": "0",
        "requirement-2": "",  # a blank row: ignored
        "reason": "monitoring plan v3",
    }
    response = dm.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    assert list(SdvPlan.objects.values_list("site_id", "form_oid", "requirement")) == [(site, "F.VS", "full")]
    assert AuditRecord.objects.filter(object_type="edc.sdvplan", reason="monitoring plan v3").exists()
    assert fresh(form).sdv_status == "required"


def test_plan_page_shows_problems_on_their_row_and_changes_nothing(edc_world, login):
    plan(edc_world, (None, "", "full"))
    dm = login(edc_world.users["data_manager"])
    url = f"/studies/{edc_world.study.pk}/edc/sdv/plan/"
    data = {"rows": "2", "requirement-0": "full", "form-1": "F.NOPE", "requirement-1": "full", "reason": "x"}
    response = dm.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "No form F.NOPE in this study" in html and html.count('class="invalid"') == 1
    assert list(SdvPlan.objects.values_list("form_oid", "requirement")) == [("", "full")]
    no_reason = dm.post(url, {"rows": "1", "requirement-0": "targeted", "first_n-0": "x"})
    assert no_reason.status_code == 200 and "whole numbers" in no_reason.content.decode()


def test_plan_page_is_for_the_build_permission_only(edc_world, login):
    url = f"/studies/{edc_world.study.pk}/edc/sdv/plan/"
    assert login(edc_world.users["monitor"]).get(url).status_code == 403
    worklist = login(edc_world.users["data_manager"]).get(f"/studies/{edc_world.study.pk}/edc/sdv/")
    assert 'data-testid="edit-sdv-plan"' in worklist.content.decode()
    assert (
        'data-testid="edit-sdv-plan"'
        not in login(edc_world.users["monitor"]).get(f"/studies/{edc_world.study.pk}/edc/sdv/").content.decode()
    )
