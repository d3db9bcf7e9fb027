"""Moving a study to a newer dictionary version: every coded term re-mapped, the changes reported."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.accounts.access import access_for
from opencro.audit.models import AuditRecord
from opencro.coding.models import CodedTerm, DictionaryUpgrade, StudyCoding
from opencro.coding.selectors import upgrade_get
from opencro.coding.services import (
    coding_term_approve,
    coding_term_code,
    study_coding_configure,
    study_dictionary_upgrade,
)
from tests.coding.test_coding import llt, save_ae, term_of
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coded(coding_world):
    """Site A: three exact matches and a manual coding to the LLT that 27.0 moves (approved); site B: one."""
    w = coding_world
    coder = w.users["medical_coder"]
    w.second = make_user("coder-two")
    accounts.membership_grant(actor=w.admin, user=w.second, study=w.study, role_code="medical_coder")
    form = save_ae(w, ["Spinning sensation", "Throwing up", "Headache", "Room spinning", "Puking"]).form
    coding_term_code(actor=coder, term=term_of(form, 4), dictionary_term=llt(w, 950000003))
    coding_term_code(actor=coder, term=term_of(form, 5), dictionary_term=llt(w, 950000005), add_synonym=True)
    coding_term_approve(actor=w.second, term=term_of(form, 3))
    coding_term_approve(actor=w.second, term=term_of(form, 4))
    w.form_a = form
    w.form_b = save_ae(w, ["spinning  sensation"], subject=w.subject_b, user=None).form
    return w


def test_upgrade_lists_the_moved_and_non_current_llts_exactly(coded):
    w = coded
    upgrade = study_dictionary_upgrade(
        actor=w.users["medical_coder"], study=w.study, kind="meddra", new_dictionary=w.dictionaries.meddra_27
    )
    a = {n: term_of(w.form_a, n) for n in range(1, 6)}
    b = term_of(w.form_b)
    moved = ("Dizziness (940000004)", "Vertigo (940000005)")
    assert [
        (c["kind"], c["term_id"], c["code"], c["verbatim"], c["old"], c["new"], c["action"]) for c in upgrade.changes
    ] == [
        ("llt_moved", a[1].pk, "950000003", "Spinning sensation", *moved, "kept"),
        ("llt_moved", a[4].pk, "950000003", "Room spinning", *moved, "kept"),
        ("llt_moved", b.pk, "950000003", "spinning  sensation", *moved, "kept"),
        ("llt_noncurrent", a[2].pk, "950000005", "Throwing up", "current", "non-current", "queued"),
        ("llt_noncurrent", a[5].pk, "950000005", "Puking", "current", "non-current", "queued"),
    ]
    assert [(c["site"], c["subject"], c["item"]) for c in upgrade.changes][2] == ("B1", "B1-001", "IT.AETERM")
    assert (upgrade.checked, upgrade.kept, upgrade.changed, upgrade.requeued, upgrade.auto_coded) == (6, 1, 3, 2, 0)
    assert (upgrade.from_dictionary, upgrade.to_dictionary) == (w.dictionaries.meddra_26, w.dictionaries.meddra_27)
    # moved: still coded to the same LLT, with the new PT; an approval is withdrawn for a second look
    assert (a[1].status, a[1].code, a[1].pt_code, a[1].pt_name, a[1].dictionary) == (
        "coded",
        "950000003",
        "940000005",
        "Vertigo",
        w.dictionaries.meddra_27,
    )
    assert (a[4].status, a[4].approved_by, a[4].method, a[4].pt_name) == ("coded", None, "manual", "Vertigo")
    # non-current: back in the queue, the synonym no longer applies
    assert (a[2].status, a[2].code, a[2].pt_code, a[2].dictionary) == ("uncoded", "", "", None)
    assert (a[5].status, a[5].method) == ("uncoded", "")
    # unchanged: kept as it was, approval included, now under 27.0
    assert (a[3].status, a[3].code, a[3].approved_by, a[3].dictionary) == (
        "approved",
        "940000001",
        w.second,
        w.dictionaries.meddra_27,
    )
    assert StudyCoding.objects.get(study=w.study).meddra == w.dictionaries.meddra_27
    reasons = set(
        AuditRecord.objects.filter(object_type="coding.codedterm", field="dictionary").values_list("reason", flat=True)
    )
    assert "MedDRA upgrade 26.1 -> 27.0" in reasons
    moved_audit = AuditRecord.objects.get(
        object_type="coding.codedterm", object_id=str(a[1].pk), field="pt_code", action="update"
    )
    assert (moved_audit.old_value, moved_audit.new_value, moved_audit.username) == (
        "940000004",
        "940000005",
        "medical-coder",
    )
    again = term_of(save_ae(w, ["spinning  sensation", "Puking"], subject=w.subject_b, user=None).form, 2)
    assert (again.verbatim, again.status) == ("Puking", "uncoded")


def test_a_site_restricted_coder_reads_only_their_sites_of_a_report(coded):
    w = coded
    upgrade = study_dictionary_upgrade(
        actor=None, study=w.study, kind="meddra", new_dictionary=w.dictionaries.meddra_27, reason="annual"
    )
    assert upgrade.reason == "annual"
    restricted = make_user("coder-a1")
    accounts.membership_grant(
        actor=w.admin, user=restricted, study=w.study, role_code="medical_coder", sites=[w.site_a]
    )
    seen = upgrade_get(access_for(restricted, w.study.pk), upgrade.pk)
    assert {c["site"] for c in seen.changes} == {"A1"} and len(seen.changes) == 4
    assert len(DictionaryUpgrade.objects.get(pk=upgrade.pk).changes) == 5
    with pytest.raises(PermissionDenied, match="all sites"):
        study_dictionary_upgrade(
            actor=restricted, study=w.study, kind="meddra", new_dictionary=w.dictionaries.meddra_26
        )


def test_upgrade_refusals(coded):
    w = coded
    coder = w.users["medical_coder"]
    with pytest.raises(PermissionDenied):
        study_dictionary_upgrade(
            actor=w.users["data_manager"], study=w.study, kind="meddra", new_dictionary=w.dictionaries.meddra_27
        )
    with pytest.raises(ValidationError, match="already in force"):
        study_dictionary_upgrade(actor=coder, study=w.study, kind="meddra", new_dictionary=w.dictionaries.meddra_26)
    with pytest.raises(ValidationError, match="same dictionary"):
        study_dictionary_upgrade(actor=coder, study=w.study, kind="meddra", new_dictionary=w.dictionaries.whodrug_c3)
    assert CodedTerm.objects.filter(dictionary=w.dictionaries.meddra_27).count() == 0
    assert not DictionaryUpgrade.objects.exists()


def test_upgrade_needs_a_version_in_force(edc_world, dictionaries):
    with pytest.raises(ValidationError, match="No version"):
        study_dictionary_upgrade(
            actor=None, study=edc_world.study, kind="meddra", new_dictionary=dictionaries.meddra_27
        )


def test_whodrug_b3_to_c3_keeps_identical_codings(coding_world):
    w = coding_world
    study_coding_configure(actor=None, study=w.study, items={"IT.AETERM": "WHODrug"}, reason="drugs")
    form = save_ae(w, ["Fictofen", "Duopain"]).form
    upgrade = study_dictionary_upgrade(
        actor=None, study=w.study, kind="whodrug", new_dictionary=w.dictionaries.whodrug_c3
    )
    assert upgrade.changes == []
    assert (upgrade.checked, upgrade.kept, upgrade.changed, upgrade.requeued) == (2, 2, 0, 0)
    duopain = term_of(form, 2)
    assert (duopain.dictionary, duopain.code, duopain.atc_codes) == (
        w.dictionaries.whodrug_c3,
        "90000501002",
        ["X01AA", "X01AB"],
    )
