"""Coding verbatims: which items, automatic coding on save, the coder's choices, clarification, approval."""

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from opencro.accounts import services as accounts
from opencro.audit.models import AuditRecord
from opencro.coding.models import CodedTerm, DictionaryTerm, StudyCoding, Synonym
from opencro.coding.selectors import coded_items, coding_queue, dictionary_kind, uncoded_count
from opencro.coding.services import (
    coding_synonym_delete,
    coding_term_approve,
    coding_term_clarify,
    coding_term_code,
    coding_terms_sync_study,
    study_coding_configure,
)
from opencro.edc.models import BuildVersion, FormData, FormDef, ItemData, Query
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.formats import build as b
from tests.conftest import make_user
from tests.edc.builds import small_build

pytestmark = pytest.mark.django_db


def save_ae(world, terms, *, subject=None, user="study_coordinator", reason=""):
    """Save the AE log of a subject with one row per verbatim (None keeps a row empty)."""
    actor = None if user is None else world.users[user]
    return form_save(
        actor=actor,
        subject=subject or world.subject_a,
        event_oid="SE.AE",
        form_oid="F.AE",
        entries=[ItemEntry("IT.AETERM", term, repeat=n) for n, term in enumerate(terms, start=1)],
        reason=reason,
    )


def term_of(form, repeat=1) -> CodedTerm:
    return CodedTerm.objects.get(form=form, group_repeat=repeat)


def llt(world, code: int) -> DictionaryTerm:
    return DictionaryTerm.objects.get(dictionary=world.dictionaries.meddra_26, code=str(code))


# ------------------------------------------------------------------------------------- coded items


def test_items_are_coded_by_sds_name_code_list_extension_and_configuration(edc_world):
    build = small_build()
    build.code_lists.append(b.CodeList("CL.MEDDRA", "MedDRA", external_dictionary="MEDDRA", external_version="26.1"))
    changes = {
        "IT.AETERM": {"sds_var_name": "AETERM"},
        "IT.AEENDAT": {"code_list_oid": "CL.MEDDRA"},
        "IT.AESTDAT": {"extensions": {"opencro:Coding": "WHODrug"}},
    }
    build = dataclasses.replace(
        build, version_oid="MDV.2", items=[dataclasses.replace(i, **changes.get(i.oid, {})) for i in build.items]
    )
    version = build_import(actor=None, study=edc_world.study, build=build)
    found = {(c.oid, c.kind, c.source) for c in coded_items(version)}
    assert found == {
        ("IT.AEENDAT", "meddra", "code list"),
        ("IT.AESTDAT", "whodrug", "extension"),
        ("IT.AETERM", "meddra", "SDS variable"),
    }
    study_coding_configure(
        actor=None, study=edc_world.study, items={"IT.AESTDAT": "", "IT.SYSBP": "WHODrug", "IT.AETERM": "MedDRA"}
    )
    found = {(c.oid, c.kind, c.source) for c in coded_items(version)}
    assert found == {
        ("IT.AEENDAT", "meddra", "code list"),
        ("IT.AETERM", "meddra", "configuration"),
        ("IT.SYSBP", "whodrug", "configuration"),
    }
    on_vs = coded_items(version, form_def=FormDef.objects.get(version=version, oid="F.VS"))
    assert [c.oid for c in on_vs] == ["IT.SYSBP"]
    first = BuildVersion.objects.get(study=edc_world.study, number=1)
    assert [(c.oid, c.source) for c in coded_items(first)] == [
        ("IT.AETERM", "configuration"),
        ("IT.SYSBP", "configuration"),
    ]


@pytest.mark.parametrize(
    ("label", "kind"),
    [("MedDRA", "meddra"), ("MEDDRA 26.1", "meddra"), ("WHODrug Global", "whodrug"), ("WHO-DD", "whodrug"), ("", None)],
)
def test_dictionary_labels(label, kind):
    assert dictionary_kind(label) == kind


# --------------------------------------------------------------------------------- automatic coding


def test_exact_matches_are_coded_on_save_and_the_rest_queued(coding_world):
    form = save_ae(coding_world, ["Headache", "  head   ACHE ", "Pounding head"]).form
    headache, head_ache, pounding = term_of(form, 1), term_of(form, 2), term_of(form, 3)
    assert (headache.status, headache.method, headache.code, headache.pt_name, headache.soc_name) == (
        "coded",
        "exact",
        "940000001",
        "Headache",
        "Nervous system conditions",
    )
    assert (head_ache.status, head_ache.method, head_ache.code, head_ache.term, head_ache.pt_code) == (
        "coded",
        "exact",
        "950000001",
        "Head ache",
        "940000001",
    )
    assert head_ache.verbatim == "head   ACHE"  # the EDC strips the ends, the coder still sees the spacing
    assert head_ache.dictionary == coding_world.dictionaries.meddra_26
    assert (pounding.status, pounding.method, pounding.code, pounding.coded_by) == ("uncoded", "", "", None)
    assert (headache.subject, headache.site, headache.item_oid) == (
        coding_world.subject_a,
        coding_world.site_a,
        "IT.AETERM",
    )
    assert uncoded_count(coding_world.study) == 1
    created = AuditRecord.objects.filter(object_type="coding.codedterm", object_id=str(headache.pk), field="code")
    assert [(r.action, r.new_value, r.username, r.reason) for r in created] == [
        ("create", "940000001", "system", "automatic coding on save by study-coordinator")
    ]


def test_items_not_coded_get_no_term(coding_world):
    form_save(
        actor=None,
        subject=coding_world.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "70")],
    )
    assert not CodedTerm.objects.exists()


def test_a_coder_choice_with_synonym_codes_the_next_subject_automatically(coding_world):
    coder = coding_world.users["medical_coder"]
    first = term_of(save_ae(coding_world, ["Pounding head"]).form)
    coded = coding_term_code(actor=coder, term=first, dictionary_term=llt(coding_world, 940000001), add_synonym=True)
    assert [t.pk for t in coded] == [first.pk]
    first.refresh_from_db()
    assert (first.status, first.method, first.code, first.coded_by) == ("coded", "manual", "940000001", coder)
    synonym = Synonym.objects.get()
    assert (synonym.verbatim_key, synonym.code, synonym.term, synonym.created_by) == (
        "pounding head",
        "940000001",
        "Headache",
        coder,
    )
    second = term_of(save_ae(coding_world, ["POUNDING  head"], subject=coding_world.subject_b, user=None).form)
    assert (second.status, second.method, second.code, second.coded_by) == ("coded", "synonym", "940000001", None)
    assert uncoded_count(coding_world.study) == 0


def test_coding_one_codes_identical_open_verbatims_at_the_coders_sites(coding_world):
    a = save_ae(coding_world, ["Heavy head", "heavy HEAD", "Sore belly"]).form
    b_form = save_ae(coding_world, ["Heavy head"], subject=coding_world.subject_b, user=None).form
    restricted = make_user("coder-a1")
    accounts.membership_grant(
        actor=coding_world.admin,
        user=restricted,
        study=coding_world.study,
        role_code="medical_coder",
        sites=[coding_world.site_a],
    )
    coded = coding_term_code(actor=restricted, term=term_of(a, 1), dictionary_term=llt(coding_world, 940000001))
    assert sorted(t.pk for t in coded) == [term_of(a, 1).pk, term_of(a, 2).pk]
    assert term_of(b_form).status == "uncoded"  # site B1 is outside the coder's membership
    assert term_of(a, 3).status == "uncoded"
    with pytest.raises(PermissionDenied):
        coding_term_code(actor=restricted, term=term_of(b_form), dictionary_term=llt(coding_world, 940000001))
    alone = coding_term_code(
        actor=coding_world.users["medical_coder"],
        term=term_of(b_form),
        dictionary_term=llt(coding_world, 940000002),
        apply_to_identical=False,
    )
    assert [t.code for t in alone] == ["940000002"]


def test_the_queue_groups_verbatims_with_counts(coding_world):
    save_ae(coding_world, ["Heavy head", "heavy  HEAD", "Sore belly", "Headache"])
    save_ae(coding_world, ["Heavy head"], subject=coding_world.subject_b, user=None)
    access = _access(coding_world, "medical_coder")
    queue = coding_queue(access)
    assert [(g.kind, g.verbatim_key, g.verbatim, g.count, g.clarification) for g in queue] == [
        ("meddra", "heavy head", "Heavy head", 3, 0),
        ("meddra", "sore belly", "Sore belly", 1, 0),
    ]
    restricted = make_user("coder-a1")
    accounts.membership_grant(
        actor=coding_world.admin,
        user=restricted,
        study=coding_world.study,
        role_code="medical_coder",
        sites=[coding_world.site_a],
    )
    assert [(g.verbatim_key, g.count) for g in coding_queue(_access(coding_world, user=restricted))] == [
        ("heavy head", 2),
        ("sore belly", 1),
    ]
    assert coding_queue(access, kind="whodrug") == []


def _access(world, role=None, user=None):
    from opencro.accounts.access import access_for

    return access_for(user or world.users[role], world.study.pk)


def test_a_chosen_term_must_be_current_and_in_the_version_in_force(coding_world):
    coder = coding_world.users["medical_coder"]
    term = term_of(save_ae(coding_world, ["Hot feeling"]).form)
    noncurrent = llt(coding_world, 950000012)
    with pytest.raises(ValidationError, match="not current"):
        coding_term_code(actor=coder, term=term, dictionary_term=noncurrent)
    other_version = DictionaryTerm.objects.get(dictionary=coding_world.dictionaries.meddra_27, code="940000019")
    with pytest.raises(ValidationError, match="version in force"):
        coding_term_code(actor=coder, term=term, dictionary_term=other_version)
    coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 950000011))
    with pytest.raises(ValidationError, match="reason"):
        coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000019))
    recoded = coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000019), reason="PT level")
    assert recoded[0].code == "940000019"
    assert AuditRecord.objects.filter(
        object_id=str(term.pk), object_type="coding.codedterm", reason="PT level"
    ).exists()


def test_roles_without_coding_may_not_code(coding_world):
    term = term_of(save_ae(coding_world, ["Hot feeling"]).form)
    for role in ("data_manager", "monitor", "investigator", "project_manager"):
        with pytest.raises(PermissionDenied):
            coding_term_code(actor=coding_world.users[role], term=term, dictionary_term=llt(coding_world, 950000011))


# ------------------------------------------------------------------------------ changes at the site


def test_a_changed_verbatim_resets_the_coding_and_codes_again(coding_world):
    coder = coding_world.users["medical_coder"]
    form = save_ae(coding_world, ["Pounding head"]).form
    term = term_of(form)
    coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000001))
    save_ae(coding_world, ["Fever"], reason="Transcription error")
    term.refresh_from_db()
    assert (term.verbatim, term.status, term.method, term.code, term.coded_by) == (
        "Fever",
        "coded",
        "exact",
        "950000011",
        None,
    )
    reset = AuditRecord.objects.filter(object_type="coding.codedterm", object_id=str(term.pk), field="code").order_by(
        "id"
    )
    assert [(r.old_value, r.new_value, r.reason) for r in reset][-1] == (
        "940000001",
        "950000011",
        "verbatim changed on save by study-coordinator; coding redone",
    )
    save_ae(coding_world, ["Unclear pain"], reason="Transcription error")
    term.refresh_from_db()
    assert (term.status, term.code, term.term, term.dictionary) == ("uncoded", "", "", None)


def test_a_change_of_case_or_spacing_keeps_the_coding(coding_world):
    coder = coding_world.users["medical_coder"]
    term = term_of(save_ae(coding_world, ["Pounding head"]).form)
    coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000001))
    save_ae(coding_world, ["pounding  HEAD"], reason="Transcription error")
    term.refresh_from_db()
    assert (term.verbatim, term.status, term.method, term.coded_by) == ("pounding  HEAD", "coded", "manual", coder)


def test_an_emptied_verbatim_removes_its_term(coding_world):
    form = save_ae(coding_world, ["Headache", "Nausea"]).form
    gone = term_of(form, 2).pk
    save_ae(coding_world, ["Headache", ""], reason="Transcription error")
    assert list(CodedTerm.objects.values_list("verbatim", flat=True)) == ["Headache"]
    deleted = AuditRecord.objects.filter(object_type="coding.codedterm", object_id=str(gone), action="delete")
    assert {r.reason for r in deleted} == {"verbatim removed on save by study-coordinator"}


# ---------------------------------------------------------------------- set-up after data were entered


def test_configuring_later_codes_the_values_already_stored(edc_world, dictionaries):
    save_ae(edc_world, ["Headache", "Mystery ache"])
    assert not CodedTerm.objects.exists()
    study_coding_configure(actor=None, study=edc_world.study, items={"IT.AETERM": "MedDRA"})
    assert sorted(CodedTerm.objects.values_list("verbatim", "status")) == [
        ("Headache", "uncoded"),  # no MedDRA version in force yet
        ("Mystery ache", "uncoded"),
    ]
    study_coding_configure(
        actor=edc_world.users["data_manager"], study=edc_world.study, meddra=dictionaries.meddra_26, reason="set up"
    )
    assert sorted(CodedTerm.objects.values_list("verbatim", "status", "code")) == [
        ("Headache", "coded", "940000001"),
        ("Mystery ache", "uncoded", ""),
    ]
    assert StudyCoding.objects.get().meddra == dictionaries.meddra_26


def test_the_version_in_force_changes_only_by_upgrade_once_terms_are_coded(coding_world):
    save_ae(coding_world, ["Headache"])
    with pytest.raises(ValidationError, match="upgrade"):
        study_coding_configure(
            actor=None, study=coding_world.study, meddra=coding_world.dictionaries.meddra_27, reason="newer"
        )
    with pytest.raises(ValidationError):
        study_coding_configure(actor=None, study=coding_world.study, meddra=coding_world.dictionaries.whodrug_b3)
    with pytest.raises(ValidationError):
        study_coding_configure(actor=None, study=coding_world.study, items={"IT.AETERM": "ICD-10"})
    with pytest.raises(PermissionDenied):
        study_coding_configure(actor=coding_world.users["medical_coder"], study=coding_world.study, items={})


def test_whodrug_exact_names_that_are_not_unique_wait_for_the_coder(coding_world):
    study_coding_configure(actor=None, study=coding_world.study, items={"IT.AETERM": "WHODrug"}, reason="drugs")
    form = save_ae(coding_world, ["fictofen", "PAINAWAY"]).form
    fictofen, painaway = term_of(form, 1), term_of(form, 2)
    assert (fictofen.kind, fictofen.status, fictofen.code, fictofen.base_name, fictofen.atc_codes) == (
        "whodrug",
        "coded",
        "90000101002",
        "FICTOPROFEN",
        ["X01AA"],
    )
    assert (painaway.status, painaway.code) == ("uncoded", "")  # two drug records carry this name


# ------------------------------------------------------------------------- clarification, approval


def test_clarification_opens_a_system_query_for_the_site(coding_world):
    coder = coding_world.users["medical_coder"]
    term = term_of(save_ae(coding_world, ["Bad thing"]).form)
    coding_term_clarify(actor=coder, term=term, text="Please give the medical term for 'bad thing'.")
    term.refresh_from_db()
    query = Query.objects.get(origin="manual")
    assert (term.status, term.clarification, term.query) == (
        "clarification",
        "Please give the medical term for 'bad thing'.",
        query,
    )
    assert (query.origin, query.opened_by, query.item, query.assigned_role, query.value_at_open) == (
        "manual",
        None,
        term.item_data,
        "study_coordinator",
        "Bad thing",
    )
    assert query.text == "Please give the medical term for 'bad thing'."
    opened = AuditRecord.objects.filter(object_type="edc.query", object_id=str(query.pk), field="text").get()
    assert (opened.username, opened.reason) == (
        "system",
        "clarification of a verbatim requested by coder medical-coder",
    )
    assert uncoded_count(coding_world.study) == 1
    with pytest.raises(ValidationError):
        coding_term_clarify(actor=coder, term=term, text="again")
    # the site answers by correcting the verbatim: it is coded again
    save_ae(coding_world, ["Nausea"], reason="Corrected per query")
    term.refresh_from_db()
    assert (term.status, term.code, term.query) == ("coded", "940000006", query)
    with pytest.raises(ValidationError, match="clarifying"):
        coding_term_clarify(actor=coder, term=term, text="  ")


def test_approval_needs_a_second_coder_for_manual_codes(coding_world):
    coder = coding_world.users["medical_coder"]
    second = make_user("coder-two")
    accounts.membership_grant(
        actor=coding_world.admin, user=second, study=coding_world.study, role_code="medical_coder"
    )
    form = save_ae(coding_world, ["Pounding head", "Headache"]).form
    manual, auto = term_of(form, 1), term_of(form, 2)
    coding_term_code(actor=coder, term=manual, dictionary_term=llt(coding_world, 940000001))
    with pytest.raises(ValidationError, match="Another coder"):
        coding_term_approve(actor=coder, term=manual)
    approved = coding_term_approve(actor=second, term=manual)
    assert (approved.status, approved.approved_by) == ("approved", second)
    assert coding_term_approve(actor=coder, term=auto).status == "approved"  # the system coded it
    with pytest.raises(ValidationError, match="Only a coded term"):
        coding_term_approve(actor=second, term=auto)


def test_a_synonym_is_withdrawn_with_a_reason(coding_world):
    coder = coding_world.users["medical_coder"]
    term = term_of(save_ae(coding_world, ["Pounding head"]).form)
    coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000001), add_synonym=True)
    coding_term_code(actor=coder, term=term, dictionary_term=llt(coding_world, 940000002), add_synonym=True, reason="r")
    synonym = Synonym.objects.get()
    assert (synonym.code, synonym.term) == ("940000002", "Migraine")
    with pytest.raises(ValidationError):
        coding_synonym_delete(actor=coder, synonym=synonym, reason=" ")
    with pytest.raises(PermissionDenied):
        coding_synonym_delete(actor=coding_world.users["data_manager"], synonym=synonym, reason="wrong")
    coding_synonym_delete(actor=coder, synonym=synonym, reason="too broad")
    assert not Synonym.objects.exists()
    term.refresh_from_db()
    assert term.code == "940000002"  # the coding made through it stays
    other = term_of(save_ae(coding_world, ["Pounding head"], subject=coding_world.subject_b, user=None).form)
    assert other.status == "uncoded"


def test_terms_on_a_locked_form_are_not_coded_again(coding_world):
    coder = coding_world.users["medical_coder"]
    locked = save_ae(coding_world, ["Pounding head", "Headache"]).form
    open_form = save_ae(coding_world, ["Pounding head"], subject=coding_world.subject_b, user=None).form
    FormData.objects.filter(pk=locked.pk).update(locked=True)  # as a lock record leaves it
    with pytest.raises(ValidationError, match="locked"):
        coding_term_code(actor=coder, term=term_of(locked, 1), dictionary_term=llt(coding_world, 940000001))
    with pytest.raises(ValidationError, match="locked"):
        coding_term_approve(actor=coder, term=term_of(locked, 2))
    with pytest.raises(ValidationError, match="locked"):
        coding_term_clarify(actor=coder, term=term_of(locked, 1), text="which?")
    coded = coding_term_code(actor=coder, term=term_of(open_form), dictionary_term=llt(coding_world, 940000001))
    assert [t.pk for t in coded] == [term_of(open_form).pk]  # the identical verbatim on the locked form stays
    assert term_of(locked, 1).status == "uncoded"


def test_values_written_around_form_save_are_synced_for_the_whole_study(coding_world):
    """An import writes item values in bulk; the study-wide sync then does what form_save's hook does."""
    form = save_ae(coding_world, ["Headache", "Nausea"]).form
    rows = {r.group_repeat: r for r in ItemData.objects.filter(form=form, item_def__oid="IT.AETERM")}
    ItemData.objects.filter(pk=rows[1].pk).update(value="Fever")
    ItemData.objects.filter(pk=rows[2].pk).update(value=None)
    changed = coding_terms_sync_study(study=coding_world.study, actor=None, cause="ODM import")
    assert [(t.verbatim, t.code) for t in changed] == [("Fever", "950000011")]
    assert list(CodedTerm.objects.values_list("verbatim", flat=True)) == ["Fever"]
    reasons = AuditRecord.objects.filter(object_type="coding.codedterm", action__in=["update", "delete"])
    assert {r.reason for r in reasons} == {
        "verbatim changed on ODM import by system; coding redone",
        "verbatim removed on ODM import by system",
    }
    assert coding_terms_sync_study(study=coding_world.study, actor=None) == []
