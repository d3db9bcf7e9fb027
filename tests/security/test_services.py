"""Every write service checks permission: without it, or without a membership, PermissionDenied.

`CASES` names every public function of the write-service modules (or `EXEMPT` says why it needs
no check); a new service without a row here fails `test_every_write_service_has_a_case`.
"""

import datetime as dt
import functools
import inspect
import io
import tempfile
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from opencro.accounts import services as accounts
from opencro.accounts import signatures
from opencro.accounts.models import ApiToken, Membership, Role, User
from opencro.accounts.permissions import DEFAULT_ROLES, Perm, RoleCode
from opencro.coding import services as coding
from opencro.coding.models import CodedTerm, Dictionary, DictionaryTerm, Synonym
from opencro.design import services as design
from opencro.edc.models import BuildVersion, FormData, Query
from opencro.edc.sdv import PlanRule
from opencro.edc.services import autoqueries as edc_autoqueries
from opencro.edc.services import build as edc_build
from opencro.edc.services import entry as edc_entry
from opencro.edc.services import locks as edc_locks
from opencro.edc.services import migration as edc_migration
from opencro.edc.services import odm_import as edc_odm_import
from opencro.edc.services import queries as edc_queries
from opencro.edc.services import rerun as edc_rerun
from opencro.edc.services import review as edc_review
from opencro.edc.services import sdv as edc_sdv
from opencro.edc.services import signoff as edc_signoff
from opencro.formats.coding import write_fictional_meddra
from opencro.notices import services as notices
from opencro.rtsm.models import (
    Depot,
    Dispensation,
    DispensingVisit,
    KitType,
    Lot,
    RandomisationScheme,
    Shipment,
    SiteSupplyLevel,
    StratificationFactor,
    TemperatureExcursion,
)
from opencro.rtsm.services import scheme as rtsm_scheme
from opencro.rtsm.services import unblinding as rtsm_unblinding
from opencro.rtsm.services.supply import configuration as supply_configuration
from opencro.rtsm.services.supply import dispensing as supply_dispensing
from opencro.rtsm.services.supply import excursions as supply_excursions
from opencro.rtsm.services.supply import inventory as supply_inventory
from opencro.rtsm.services.supply import resupply as supply_resupply
from opencro.rtsm.services.supply import shipments as supply_shipments
from opencro.studies import services as studies
from opencro.studies.models import Activity, Arm, Country, ProtocolVersion, Site, Study, Visit
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject
from tests.conftest import PASSWORD
from tests.edc.builds import small_build
from tests.security.cases import ADMIN, OWNER, Case
from tests.security.extensions import extensions

pytestmark = pytest.mark.django_db

MODULES = {
    "studies": studies,
    "subjects": subjects,
    "accounts": accounts,
    "signatures": signatures,
    "edc_build": edc_build,
    "edc_entry": edc_entry,
    "edc_queries": edc_queries,
    "edc_autoqueries": edc_autoqueries,
    "edc_migration": edc_migration,
    "edc_rerun": edc_rerun,
    "edc_odm_import": edc_odm_import,
    "edc_sdv": edc_sdv,
    "edc_review": edc_review,
    "edc_locks": edc_locks,
    "edc_signoff": edc_signoff,
    "coding": coding,
    "design": design,
    "rtsm_unblinding": rtsm_unblinding,
    "rtsm_scheme": rtsm_scheme,
    "supply_configuration": supply_configuration,
    "supply_inventory": supply_inventory,
    "supply_shipments": supply_shipments,
    "supply_dispensing": supply_dispensing,
    "supply_resupply": supply_resupply,
    "supply_excursions": supply_excursions,
    "notices": notices,
}
EXEMPT = {
    "accounts.login_success_record": "an authentication event, recorded by the login backend",
    "accounts.login_failure_record": "an authentication event, recorded by the login backend",
    "accounts.token_authenticate": "a read: resolves a presented key to its user",
    "accounts.user_preferences_update": "changes only the actor's own time zone and language",
    "signatures.content_hash": "a pure function",
    "signatures.signatures_for": "a read",
    "signatures.signatures_for_many": "a read",
    "signatures.signatures_recheck": "runs inside a write whose service already checked permission",
    "edc_build.build_digest": "a pure function",
    "edc_entry.casebook_for": "runs inside a write whose service already checked permission",
    "edc_autoqueries.auto_queries_reconcile": "runs inside form_save, which already checked permission",
    "edc_rerun.forms_recheck": "runs inside form_save, which already checked permission",
    "edc_sdv.sdv_statuses_refresh": "runs inside sdv_plan_set and clinical_import, which checked permission",
    "edc_autoqueries.queries_reconcile": "runs inside form_save and checks_rerun, which already checked permission",
    "edc_signoff.casebook_data_changed": "runs inside form_save and event_open, which already checked permission",
    "coding.coding_terms_sync": "runs inside form_save, which already checked permission",
    "coding.coding_terms_sync_study": "runs inside imports and the coding set-up, which already checked permission",
    "coding.files_digest": "a read of files: the digest a dictionary load records",
    "design.design_compute": "a pure function: computes a design, writes nothing",
    "rtsm_scheme.scheme_arms": "a read: the study's arms in the scheme's order",
    "rtsm_scheme.scheme_problems": "a read: what keeps a draft scheme from activation",
    "supply_shipments.depot_serves": "a read: whether a depot supplies a site's country",
    "supply_shipments.shippable_kits": "a read (row-locked) inside shipment_create and resupply_check",
    "supply_shipments.build_shipment": "runs inside shipment_create and resupply_check, which checked permission",
    "supply_dispensing.visit_window": "a pure function: a visit's dates from Day 1",
    "notices.notice_send": "runs inside writes whose service checked permission; writes to the users it is given",
    "notices.notice_mark_all_read": "changes only the actor's own notices",
}


def _odm_of(w) -> bytes:
    """The world's own clinical data as ODM: importing it again changes nothing, which is enough here."""
    from opencro.edc.odm_export import clinical_export

    out = io.BytesIO()
    clinical_export(w.study, out)
    return out.getvalue()


def _fresh(model, pk):
    return model.objects.get(pk=pk)


def _screening(w, site, number: str) -> Subject:
    return subjects.subject_screen(actor=None, site=site, number=number, screened_on=dt.date(2026, 4, 1))


def _enrolled(w, site, number: str) -> Subject:
    subject = _screening(w, site, number)
    return subjects.subject_enrol(actor=None, subject=subject, enrolled_on=dt.date(2026, 4, 2))


def _activity(w) -> Activity:
    return studies.protocol_item_save(actor=None, instance=Activity(study=w.study, code="ECG", name="ECG", kind="lab"))


def _site_in(w) -> dict:
    country = Country.objects.get(study=w.study, code="US")
    return {"number": "C1", "institution": "Gamma", "principal_investigator": "Dr C", "country": country}


CASES = [
    Case(
        "studies.study_create",
        lambda w, u: studies.study_create(
            actor=u,
            protocol_number="T-009",
            title="New",
            short_title="New",
            phase="III",
            therapeutic_area="x",
            indication="x",
            sponsor="x",
        ),
        ADMIN,
        ADMIN,
    ),
    Case(
        "studies.study_update",
        lambda w, u: studies.study_update(
            actor=u, study=_fresh(Study, w.study.pk), changes={"short_title": "New"}, reason="r"
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.study_status_advance",
        lambda w, u: studies.study_status_advance(actor=u, study=_fresh(Study, w.study.pk), reason="r"),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.protocol_item_save",
        lambda w, u: studies.protocol_item_save(
            actor=u, instance=Arm(study=w.study, code="Z", name="Arm Z", type="experimental")
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.protocol_item_delete",
        lambda w, u: studies.protocol_item_delete(
            actor=u, instance=Visit.objects.get(study=w.study, code="V1"), reason="r"
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.schedule_set",
        lambda w, u: studies.schedule_set(
            actor=u, visit=Visit.objects.get(study=w.study, code="V1"), activity=_activity(w), planned=True
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.protocol_version_approve",
        lambda w, u: studies.protocol_version_approve(
            actor=u, version=_fresh(ProtocolVersion, w.version.pk), reason="r"
        ),
        Perm.STUDY_EDIT,
    ),
    Case(
        "studies.site_create",
        lambda w, u: studies.site_create(actor=u, study=w.study, time_zone="UTC", **_site_in(w)),
        Perm.SITE_EDIT,
    ),
    Case(
        "studies.site_update",
        lambda w, u: studies.site_update(
            actor=u, site=_fresh(Site, w.site_a.pk), changes={"city": "Springfield"}, reason="r"
        ),
        Perm.SITE_EDIT,
    ),
    Case(
        "subjects.subject_screen",
        lambda w, u: subjects.subject_screen(actor=u, site=w.site_a, number="A1-009", screened_on=dt.date(2026, 4, 1)),
        Perm.SUBJECT_EDIT,
        RoleCode.INVESTIGATOR,
    ),
    Case(
        "subjects.subject_enrol",
        lambda w, u: subjects.subject_enrol(
            actor=u, subject=_screening(w, w.site_a, "A1-009"), enrolled_on=dt.date(2026, 4, 2)
        ),
        Perm.SUBJECT_EDIT,
        RoleCode.INVESTIGATOR,
    ),
    Case(
        "subjects.subject_screen_fail",
        lambda w, u: subjects.subject_screen_fail(actor=u, subject=_screening(w, w.site_a, "A1-009"), reason="r"),
        Perm.SUBJECT_EDIT,
        RoleCode.INVESTIGATOR,
    ),
    Case(
        "subjects.treatment_assign",
        lambda w, u: subjects.treatment_assign(
            actor=u,
            subject=_enrolled(w, w.site_a, "A1-009"),
            arm=w.arms[0],
            randomisation_number="R-A1-009",
            randomised_at=dt.datetime(2026, 4, 3, tzinfo=dt.UTC),
        ),
        Perm.SUBJECT_EDIT,
        RoleCode.INVESTIGATOR,
    ),
    Case(
        "accounts.user_create",
        lambda w, u: accounts.user_create(actor=u, username="newcomer", password="Unusual-passphrase-77"),
        ADMIN,
        ADMIN,
    ),
    Case("accounts.user_unlock", lambda w, u: accounts.user_unlock(actor=u, user=w.locked, reason="r"), ADMIN, ADMIN),
    Case("accounts.roles_seed", lambda w, u: accounts.roles_seed(actor=u, study=w.study), ADMIN, ADMIN),
    Case(
        "accounts.role_permissions_set",
        lambda w, u: accounts.role_permissions_set(
            actor=u,
            role=Role.objects.get(study=w.study, code=RoleCode.SPONSOR_OVERSIGHT),
            permissions=[Perm.STUDY_VIEW],
            reason="r",
        ),
        Perm.STUDY_MANAGE_ACCESS,
    ),
    Case(
        "accounts.membership_grant",
        lambda w, u: accounts.membership_grant(
            actor=u, user=w.locked, study=w.study, role_code=RoleCode.SPONSOR_OVERSIGHT
        ),
        Perm.STUDY_MANAGE_ACCESS,
    ),
    Case(
        "accounts.membership_revoke",
        lambda w, u: accounts.membership_revoke(
            actor=u, membership=Membership.objects.get(pk=w.ids["departing"]), reason="r"
        ),
        Perm.STUDY_MANAGE_ACCESS,
    ),
    Case(
        "accounts.token_create",
        lambda w, u: accounts.token_create(actor=u, user=w.user(RoleCode.PROJECT_MANAGER), name="x"),
        OWNER,
    ),
    Case(
        "accounts.token_revoke",
        lambda w, u: accounts.token_revoke(
            actor=u,
            token=accounts.token_create(actor=w.admin, user=w.user(RoleCode.PROJECT_MANAGER), name="x")[0],
        ),
        OWNER,
    ),
    Case(
        "signatures.signature_apply",
        lambda w, u: signatures.signature_apply(actor=u, password=PASSWORD, instance=w.version, meaning="approve"),
        Perm.SIGN,
    ),
]
EDC_CASES = [
    Case(
        "edc_migration.casebook_migrate",
        lambda w, u: edc_migration.casebook_migrate(
            actor=u,
            subject=w.subject_a,
            version=edc_build.build_import(actor=None, study=w.study, build=small_build()),
            reason="r",
        ),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_rerun.checks_rerun",
        lambda w, u: edc_rerun.checks_rerun(actor=u, study=w.study),
        Perm.DATA_REVIEW,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_odm_import.clinical_import",
        lambda w, u: edc_odm_import.clinical_import(actor=u, study=w.study, source=io.BytesIO(_odm_of(w))),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_build.build_import",
        lambda w, u: edc_build.build_import(actor=u, study=w.study, build=small_build()),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_build.build_publish",
        lambda w, u: edc_build.build_publish(
            actor=u,
            version=edc_build.build_import(actor=None, study=w.study, build=small_build(), publish=False),
            reason="r",
        ),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_build.build_retire",
        lambda w, u: edc_build.build_retire(actor=u, version=_fresh(BuildVersion, w.ids["build"]), reason="r"),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_entry.form_save",
        lambda w, u: edc_entry.form_save(
            actor=u,
            subject=w.subject_a,
            event_oid="SE.SCR",
            form_oid="F.VS",
            entries=[edc_entry.ItemEntry("IT.HEIGHT", "170")],
        ),
        Perm.DATA_ENTER,
        RoleCode.STUDY_COORDINATOR,
    ),
    Case(
        "edc_entry.event_open",
        lambda w, u: edc_entry.event_open(
            actor=u, subject=w.subject_a, event_oid="SE.W4", visit_date=dt.date(2026, 4, 7)
        ),
        Perm.DATA_ENTER,
        RoleCode.STUDY_COORDINATOR,
    ),
    Case(
        "edc_queries.query_open",
        lambda w, u: edc_queries.query_open(actor=u, form=_fresh(FormData, w.edc["a"]["form"]), text="check"),
        Perm.DATA_REVIEW,
        RoleCode.MONITOR,
    ),
    *(
        Case(
            f"edc_queries.query_{action}",
            lambda w, u, action=action: getattr(edc_queries, f"query_{action}")(
                actor=u, query=_fresh(Query, w.edc["a"][f"q_api_{action}"]), text="t"
            ),
            perm,
            RoleCode.STUDY_COORDINATOR if perm == Perm.DATA_ENTER else RoleCode.MONITOR,
        )
        for action, perm in (
            ("answer", Perm.DATA_ENTER),
            ("close", Perm.DATA_REVIEW),
            ("reopen", Perm.DATA_REVIEW),
            ("cancel", Perm.DATA_REVIEW),
        )
    ),
]


@functools.cache
def _meddra_release() -> Path:
    """A fictional MedDRA release, written once for the whole run (each load names its own version)."""
    folder = Path(tempfile.mkdtemp(prefix="opencro-meddra-"))
    return write_fictional_meddra(folder, "26.1")


def _term(w, row: str) -> CodedTerm:
    return CodedTerm.objects.get(pk=w.edc["a"][f"term_{row}"])


CODING_CASES = [
    Case(
        "coding.dictionary_load",
        lambda w, u: coding.dictionary_load(actor=u, kind="meddra", directory=_meddra_release(), version="case"),
        ADMIN,
        ADMIN,
    ),
    Case(
        "coding.study_coding_configure",
        lambda w, u: coding.study_coding_configure(
            actor=u, study=w.study, items={"IT.AETERM": "MedDRA", "IT.SYSBP": ""}, reason="r"
        ),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "coding.coding_term_code",
        lambda w, u: coding.coding_term_code(
            actor=u, term=_term(w, "code_api"), dictionary_term=DictionaryTerm.objects.get(pk=w.ids["coding_llt"])
        ),
        Perm.CODING,
        RoleCode.MEDICAL_CODER,
    ),
    Case(
        "coding.coding_term_approve",
        lambda w, u: coding.coding_term_approve(actor=u, term=_term(w, "approve_api")),
        Perm.CODING,
        RoleCode.MEDICAL_CODER,
    ),
    Case(
        "coding.coding_term_clarify",
        lambda w, u: coding.coding_term_clarify(actor=u, term=_term(w, "clarify_api"), text="t"),
        Perm.CODING,
        RoleCode.MEDICAL_CODER,
    ),
    Case(
        "coding.coding_synonym_delete",
        lambda w, u: coding.coding_synonym_delete(
            actor=u, synonym=Synonym.objects.get(pk=w.ids["syn_api"]), reason="r"
        ),
        Perm.CODING,
        RoleCode.MEDICAL_CODER,
    ),
    Case(
        "coding.study_dictionary_upgrade",
        lambda w, u: coding.study_dictionary_upgrade(
            actor=u, study=w.study, kind="meddra", new_dictionary=Dictionary.objects.get(pk=w.ids["meddra_27"])
        ),
        Perm.CODING,
        RoleCode.MEDICAL_CODER,
    ),
]


def _vitals(w) -> FormData:
    return _fresh(FormData, w.edc["a"]["form"])


def _frozen(w, state: str = "frozen") -> FormData:
    """Site A1's vitals form, frozen (or locked) by the system, for the release services."""
    form = _vitals(w)
    (edc_locks.data_freeze if state == "frozen" else edc_locks.data_lock)(actor=None, study=w.study, form=form)
    return form


def _study_lock(w, u):
    """The database lock with its checklist stubbed clear (the world has open queries): this case is
    about who may lock; tests/edc/test_checklist.py covers the checklist."""
    clear = SimpleNamespace(problems=lambda: [])
    with mock.patch("opencro.edc.checklist.lock_checklist", return_value=clear):
        return edc_locks.study_lock(actor=u, study=w.study, reason="r", password=PASSWORD)


def _draft_design(w, name: str):
    """A draft design saved by the system, for the design cases to adopt or delete."""
    return design.design_save(actor=None, study=w.study, name=name, kind="means", inputs={"delta": 5, "sd": 10})


OVERSIGHT_CASES = [
    Case(
        "edc_sdv.sdv_plan_set",
        lambda w, u: edc_sdv.sdv_plan_set(actor=u, study=w.study, rules=[PlanRule(None, "", "full")], reason="r"),
        Perm.BUILD_EDIT,
        RoleCode.DATA_MANAGER,
    ),
    Case("edc_sdv.sdv_verify", lambda w, u: edc_sdv.sdv_verify(actor=u, form=_vitals(w)), Perm.SDV, RoleCode.MONITOR),
    Case(
        "edc_sdv.sdv_unverify",
        lambda w, u: edc_sdv.sdv_unverify(actor=u, form=_vitals(w), reason="r"),
        Perm.SDV,
        RoleCode.MONITOR,
    ),
    Case(
        "edc_review.form_review",
        lambda w, u: edc_review.form_review(actor=u, form=_vitals(w)),
        Perm.DATA_REVIEW,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_review.form_unreview",
        lambda w, u: edc_review.form_unreview(actor=u, form=_vitals(w), reason="r"),
        Perm.DATA_REVIEW,
        RoleCode.MONITOR,
    ),
    Case(
        "edc_locks.data_freeze",
        lambda w, u: edc_locks.data_freeze(actor=u, study=w.study, subject=w.subject_a),
        Perm.DATA_LOCK,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_locks.data_lock",
        lambda w, u: edc_locks.data_lock(actor=u, study=w.study, site=w.site_a),
        Perm.DATA_LOCK,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_locks.data_unfreeze",
        lambda w, u: edc_locks.data_unfreeze(actor=u, study=w.study, form=_frozen(w), reason="r", password=PASSWORD),
        Perm.DATA_LOCK,
        RoleCode.DATA_MANAGER,
    ),
    Case(
        "edc_locks.data_unlock",
        lambda w, u: edc_locks.data_unlock(
            actor=u, study=w.study, form=_frozen(w, "locked"), reason="r", password=PASSWORD
        ),
        Perm.DATA_LOCK,
        RoleCode.DATA_MANAGER,
    ),
    Case("edc_locks.study_lock", _study_lock, Perm.DATA_LOCK, RoleCode.DATA_MANAGER),
    Case(
        "edc_signoff.casebook_signoff",
        lambda w, u: edc_signoff.casebook_signoff(actor=u, subject=w.subject_a, password=PASSWORD),
        Perm.SIGNOFF,
        RoleCode.INVESTIGATOR,
    ),
    # design workspace
    Case(
        "design.design_save",
        lambda w, u: design.design_save(
            actor=u, study=w.study, name="case", kind="means", inputs={"delta": 5, "sd": 10}
        ),
        Perm.ANALYSIS_RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "design.design_adopt",
        lambda w, u: design.design_adopt(
            actor=u,
            design=_draft_design(w, "case adopt"),
            protocol_version=ProtocolVersion.objects.get(pk=w.version.pk),
            password=PASSWORD,
        ),
        Perm.ANALYSIS_RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
    Case(
        "design.design_delete",
        lambda w, u: design.design_delete(actor=u, design=_draft_design(w, "case delete"), reason="r"),
        Perm.ANALYSIS_RUN,
        RoleCode.BIOSTATISTICIAN,
    ),
]


def _pm_notice(w):
    """A notice addressed to the project manager, the owner in the case below."""
    pm = w.user(RoleCode.PROJECT_MANAGER)
    return notices.notice_send(users=[pm], study=w.study, kind="test", title="t", body="b")[0]


UNBLINDING_CASES = [
    Case(
        "rtsm_unblinding.subject_unblind",
        lambda w, u: rtsm_unblinding.subject_unblind(
            actor=u, subject=_fresh(Subject, w.subject_a.pk), reason="Anaphylaxis: must know", password=PASSWORD
        ),
        Perm.UNBLIND,
        RoleCode.INVESTIGATOR,
    ),
    Case("notices.notice_mark_read", lambda w, u: notices.notice_mark_read(actor=u, notice=_pm_notice(w)), OWNER),
]


def _draft_scheme(w, **changes) -> RandomisationScheme:
    """The world's active scheme (world_scheme.py) put back to draft, inside the case's rolled-back savepoint."""
    RandomisationScheme.objects.filter(study=w.study).update(status="draft", **changes)
    return RandomisationScheme.objects.get(study=w.study)


def _block_draft(w) -> RandomisationScheme:
    """As a block-list draft: the world has three arms (A, P and the matrix's X), so blocks of 3."""
    return _draft_scheme(w, method="block_list", block_sizes=[3])


SITE_LIST = "stratum,block,sequence,arm\n" + "".join(
    f"{s},1,{i},{a}\n" for s in ("A1", "B1") for i, a in enumerate("APX", 1)
)
SCHEME_CASES = [
    Case(
        "rtsm_scheme.scheme_save",
        lambda w, u: rtsm_scheme.scheme_save(actor=u, study=_draft_scheme(w).study, reason="r", p_best=0.7),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
    Case(
        "rtsm_scheme.factor_save",
        lambda w, u: rtsm_scheme.factor_save(actor=u, scheme=_draft_scheme(w), name="sex", source="sex"),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
    Case(
        "rtsm_scheme.factor_delete",
        lambda w, u: rtsm_scheme.factor_delete(
            actor=u,
            factor=StratificationFactor.objects.get(pk=w.ids["rtsm_factor"], scheme=_draft_scheme(w)),
            reason="r",
        ),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
    Case(
        "rtsm_scheme.list_generate",
        lambda w, u: rtsm_scheme.list_generate(actor=u, scheme=_block_draft(w), n_per_stratum=3, seed=1),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
    Case(
        "rtsm_scheme.list_upload",
        lambda w, u: rtsm_scheme.list_upload(actor=u, scheme=_block_draft(w), text=SITE_LIST, filename="l.csv"),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
    Case(
        "rtsm_scheme.scheme_activate",
        lambda w, u: rtsm_scheme.scheme_activate(actor=u, scheme=_draft_scheme(w), password=PASSWORD),
        Perm.RTSM_CONFIGURE,
        RoleCode.UNBLINDED_STATISTICIAN,
    ),
]


def _supply(model, w, key: str, site: str | None = "a"):
    """A supply object of the world (tests/security/world_supply.py), read afresh."""
    return model.objects.get(pk=w.edc[site][key] if site else w.ids[key])


def _today(w) -> dt.date:
    return dt.date.fromisoformat(w.edc["a"]["sup_today"])


SUPPLY_MANAGER, DISPENSER = RoleCode.PHARMACIST, RoleCode.STUDY_COORDINATOR
SUPPLY_CASES = [
    Case(name, call, perm, allowed)
    for name, call, perm, allowed in (
        (
            "supply_configuration.supply_settings_save",
            lambda w, u: supply_configuration.supply_settings_save(
                actor=u,
                study=w.study,
                do_not_ship_days=30,
                do_not_dispense_days=7,
                shipping_days=4,
                forecast_days=56,
                enrolment_per_site_month=1.0,
                reason="r",
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_configuration.site_supply_level_save",
            lambda w, u: supply_configuration.site_supply_level_save(
                actor=u,
                site=w.site_a,
                kit_type=_supply(KitType, w, "supply_kt_a", None),
                minimum=2,
                maximum=5,
                reason="matrix",
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_configuration.site_supply_level_delete",
            lambda w, u: supply_configuration.site_supply_level_delete(
                actor=u, level=SiteSupplyLevel.objects.get(site=w.site_a, kit_type_id=w.ids["supply_kt_p"]), reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_configuration.dispensing_visit_save",
            lambda w, u: supply_configuration.dispensing_visit_save(
                actor=u, visit=_supply(Visit, w, "supply_visit_v3", None), kits=3, reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_configuration.dispensing_visit_delete",
            lambda w, u: supply_configuration.dispensing_visit_delete(
                actor=u, dispensing_visit=DispensingVisit.objects.get(visit_id=w.ids["supply_visit_free"]), reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.kit_type_create",
            lambda w, u: supply_inventory.kit_type_create(actor=u, study=w.study, code="KZ", name="Z", arm=w.arms[0]),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.kit_type_update",
            lambda w, u: supply_inventory.kit_type_update(
                actor=u, kit_type=_supply(KitType, w, "supply_kt_a", None), name="Kit", reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.lot_create",
            lambda w, u: supply_inventory.lot_create(
                actor=u, kit_type=_supply(KitType, w, "supply_kt_a", None), number="LZ", expires_on=dt.date(2099, 1, 1)
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.lot_expiry_change",
            lambda w, u: supply_inventory.lot_expiry_change(
                actor=u, lot=_supply(Lot, w, "supply_lot_a", None), expires_on=dt.date(2099, 1, 1), reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.depot_create",
            lambda w, u: supply_inventory.depot_create(actor=u, study=w.study, code="DZ", name="Z"),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.depot_update",
            lambda w, u: supply_inventory.depot_update(
                actor=u, depot=_supply(Depot, w, "supply_depot", None), name="Z", reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.kits_create",
            lambda w, u: supply_inventory.kits_create(
                actor=u, depot=_supply(Depot, w, "supply_depot", None), lots={_supply(Lot, w, "supply_lot_a", None): 2}
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_inventory.kits_destroy",
            lambda w, u: supply_inventory.kits_destroy(
                actor=u, study=w.study, numbers=[w.ids["supply_kit_returned"]], reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_shipments.shipment_create",
            lambda w, u: supply_shipments.shipment_create(
                actor=u,
                depot=_supply(Depot, w, "supply_depot", None),
                site=w.site_a,
                quantities={_supply(KitType, w, "supply_kt_a", None): 1},
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        *(
            (
                f"supply_shipments.shipment_{step}",
                lambda w, u, step=step, extra=extra: getattr(supply_shipments, f"shipment_{step}")(
                    actor=u, shipment=_supply(Shipment, w, f"sup_shp_{step}"), **extra
                ),
                Perm.SUPPLY_MANAGE,
                SUPPLY_MANAGER,
            )
            for step, extra in (("request", {}), ("ship", {}), ("cancel", {"reason": "r"}))
        ),
        (
            "supply_shipments.shipment_receive",
            lambda w, u: supply_shipments.shipment_receive(
                actor=u, shipment=_supply(Shipment, w, "sup_shp_receive"), conditions={}, default="received"
            ),
            Perm.DISPENSE,
            DISPENSER,
        ),
        (
            "supply_dispensing.kit_dispense",
            lambda w, u: supply_dispensing.kit_dispense(
                actor=u,
                subject=_fresh(Subject, w.subject_a.pk),
                visit=_supply(Visit, w, "supply_visit_v2", None),
                visit_date=_today(w),
            ),
            Perm.DISPENSE,
            DISPENSER,
        ),
        (
            "supply_dispensing.kit_replace",
            lambda w, u: supply_dispensing.kit_replace(
                actor=u, dispensation=_supply(Dispensation, w, "sup_disp_replace"), condition="damaged", reason="r"
            ),
            Perm.DISPENSE,
            DISPENSER,
        ),
        (
            "supply_dispensing.dispensation_return",
            lambda w, u: supply_dispensing.dispensation_return(
                actor=u,
                dispensation=_supply(Dispensation, w, "sup_disp_return"),
                units_returned=1,
                returned_on=_today(w),
            ),
            Perm.DISPENSE,
            DISPENSER,
        ),
        (
            "supply_resupply.resupply_check",
            lambda w, u: supply_resupply.resupply_check(actor=u, site=w.site_a),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_resupply.resupply_run_all",
            lambda w, u: supply_resupply.resupply_run_all(actor=u, study=w.study),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
        (
            "supply_excursions.excursion_report",
            lambda w, u: supply_excursions.excursion_report(
                actor=u,
                study=w.study,
                shipment=_supply(Shipment, w, "sup_shp_excursion"),
                started_at=dt.datetime.fromisoformat(w.ids["supply_earlier"]),
                highest=12,
            ),
            Perm.DISPENSE,
            DISPENSER,
        ),
        (
            "supply_excursions.excursion_decide",
            lambda w, u: supply_excursions.excursion_decide(
                actor=u, excursion=_supply(TemperatureExcursion, w, "sup_exc"), decision="released", reason="r"
            ),
            Perm.SUPPLY_MANAGE,
            SUPPLY_MANAGER,
        ),
    )
]
for _ext in extensions():
    MODULES.update(_ext.MODULES)
    EXEMPT.update(_ext.EXEMPT)
BY_NAME = {
    c.name: c
    for c in CASES
    + EDC_CASES
    + CODING_CASES
    + OVERSIGHT_CASES
    + UNBLINDING_CASES
    + SCHEME_CASES
    + SUPPLY_CASES
    + [c for ext in extensions() for c in ext.CASES]
}


class _Undo(Exception):
    """Raised inside a savepoint to roll back a service call that was allowed."""


def attempt(case: Case, world, actor) -> Exception | None:
    """Call the service in a savepoint that is always rolled back; return what it raised, if anything."""
    try:
        with transaction.atomic():
            case.call(world, actor)
            raise _Undo
    except _Undo:
        return None
    except Exception as exc:  # the caller asserts on the kind
        return exc


def denied_actors(case: Case, world) -> list:
    """Members of the study that the case's rule shuts out (all of them for ADMIN services)."""
    if case.perm == ADMIN:
        return list(world.users.values())
    if case.perm == OWNER:
        return [u for role, u in world.users.items() if role != RoleCode.PROJECT_MANAGER]
    return [world.user(role) for role, perms in DEFAULT_ROLES.items() if case.perm not in perms]


def allowed_actor(case: Case, world):
    return world.admin if case.allowed == ADMIN else world.user(case.allowed)


def test_every_write_service_has_a_case():
    found = {
        f"{label}.{name}"
        for label, module in MODULES.items()
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_")
    }
    assert found - set(EXEMPT) - set(BY_NAME) == set(), "write services without a case in tests/security"
    assert set(BY_NAME) | set(EXEMPT) <= found, "cases for services that no longer exist"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_service_refuses_roles_without_the_permission(matrix_world, name):
    case = BY_NAME[name]
    actors = denied_actors(case, matrix_world)
    assert actors
    results = {a.username: attempt(case, matrix_world, a) for a in actors}
    wrong = {who: repr(exc) for who, exc in results.items() if not isinstance(exc, PermissionDenied)}
    assert not wrong, wrong


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_service_refuses_a_user_without_membership(matrix_world, name):
    assert isinstance(attempt(BY_NAME[name], matrix_world, matrix_world.outsider), PermissionDenied)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_service_allows_the_permitted_actor(matrix_world, name):
    """Control for the two tests above: the same call succeeds for a user who may make it."""
    case = BY_NAME[name]
    assert attempt(case, matrix_world, allowed_actor(case, matrix_world)) is None


@pytest.mark.parametrize("name", sorted(n for n, c in BY_NAME.items() if c.perm not in (ADMIN, OWNER)))
def test_service_refuses_a_locked_member(matrix_world, name):
    case = BY_NAME[name]
    username = allowed_actor(case, matrix_world).username
    for _attempt in range(5):
        accounts.login_failure_record(username=username)
    actor = User.objects.get(username=username)  # a new instance: the module's world stays as it was
    assert actor.is_locked
    assert isinstance(attempt(case, matrix_world, actor), PermissionDenied)


def test_revoked_tokens_stay_revoked_for_others(matrix_world):
    """token_revoke by someone else than the owner leaves the token usable (nothing was written)."""
    pm = matrix_world.user(RoleCode.PROJECT_MANAGER)
    token, _key = accounts.token_create(actor=pm, user=pm, name="mine")
    with pytest.raises(PermissionDenied):
        accounts.token_revoke(actor=matrix_world.user(RoleCode.AUDITOR), token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
