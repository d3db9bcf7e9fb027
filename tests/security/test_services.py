"""Every write service checks permission: without it, or without a membership, PermissionDenied.

`CASES` names every public function of the write-service modules (or `EXEMPT` says why it needs
no check); a new service without a row here fails `test_every_write_service_has_a_case`.
"""

import datetime as dt
import functools
import inspect
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
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
from opencro.studies import services as studies
from opencro.studies.models import Activity, Arm, Country, ProtocolVersion, Site, Study, Visit
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject
from tests.conftest import PASSWORD
from tests.edc.builds import small_build

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
}
ADMIN, OWNER = "admin", "owner"  # who may call a service that no study permission opens


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


@dataclass(frozen=True)
class Case:
    """A call of one service as `actor`; `perm` opens it (or ADMIN / OWNER); `allowed` succeeds."""

    name: str
    call: Callable
    perm: str
    allowed: str = RoleCode.PROJECT_MANAGER


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
BY_NAME = {c.name: c for c in CASES + EDC_CASES + CODING_CASES + OVERSIGHT_CASES}


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
