"""The world of the security sweeps, built once for this package's tests on each test process.

The sweeps send hundreds of requests against one study; building the world (15-20 s) for each test, or each module,
would dominate their run time. So `matrix_world` is built once for the package (its tests run one after another on
each worker) inside a transaction that is rolled back when the package ends, and every test still runs in its own
rolled-back savepoint (pytest-django's `db`), so no test sees another's writes. Tests here must therefore not rely
on in-memory state of the world's objects (use their pk, or refresh them), and none may be transactional: a flush
inside the package's transaction would empty the world.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from opencro.accounts import services as accounts
from opencro.accounts.permissions import RoleCode
from opencro.audit.services import audited_save
from opencro.edc.models import ItemDef, ItemFile, Query
from opencro.edc.services.build import build_import
from opencro.edc.services.entry import form_save
from opencro.jobs.services import job_submit
from opencro.studies import services as studies
from opencro.studies.models import (
    ProtocolVersion,
)
from tests.conftest import World, _transactional, make_user, protocol_elements
from tests.conftest import build_world as shared_world
from tests.edc.builds import small_build
from tests.security.extensions import extensions
from tests.security.matrix import QUERY_ACTIONS
from tests.security.world_scheme import scheme_data
from tests.security.world_supply import supply_data
from tests.security.world_unblinding import unblinding_data

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def build_world() -> World:
    """The shared `world` fixture's study, plus what the matrix URLs name: {version} and {user}."""
    w = shared_world()
    study = w.study
    w.version = studies.protocol_item_save(
        actor=None,
        instance=ProtocolVersion(study=study, version="1.0", effective_date=dt.date(2026, 1, 1)),
    )
    w.locked = make_user("locked-out")
    for _attempt in range(5):
        accounts.login_failure_record(username=w.locked.username)
    w.ids = protocol_elements(study)
    w.ids["admin_role"] = study.roles.get(code=RoleCode.SYSTEM_ADMIN).pk
    departing = make_user("departing")
    w.ids["departing"] = accounts.membership_grant(
        actor=w.admin, user=departing, study=study, role_code=RoleCode.SYSTEM_ADMIN
    ).pk
    w.ids["job"] = job_submit(actor=w.users[RoleCode.PROJECT_MANAGER], name="audit.verify", study=study).pk
    w.ids["build"] = build_import(actor=None, study=study, build=small_build()).pk
    w.edc = {"a": _edc_data(w.subject_a), "b": _edc_data(w.subject_b)}
    _coding_data(w)
    _design_data(w)
    unblinding_data(w)
    scheme_data(w)
    supply_data(w)
    for ext in extensions():
        ext.world_data(w)
    return w


def _design_data(w) -> None:
    """Draft designs (as the system): two the read rows show and compare ({design_a}, {design_b}), and one
    per write row that adopts or deletes, so no sweep finds a design another row already changed."""
    from opencro.design.services import design_save

    for key, delta in (("a", 5), ("b", 4), ("adopt_page", 5), ("adopt_api", 5), ("delete_page", 5), ("delete_api", 5)):
        design = design_save(
            actor=None, study=w.study, name=f"matrix {key}", kind="means", inputs={"delta": delta, "sd": 10}
        )
        w.ids[f"design_{key}"] = design.pk


CODING_ROWS = (
    "approve_page",
    "approve_api",
    "code_page",
    "code_api",
    "clarify_page",
    "clarify_api",
    "syn_page",
    "syn_api",
)


def _coding_data(w) -> None:
    """Dictionaries (MedDRA "25.0" = 26.1 relabelled, 26.1 and 27.0; WHODrug B3 and C3), the study on 26.1
    after an upgrade from 25.0 (its report), and per site an AE log whose rows the matrix acts on, one
    row each: {term_<row>} (the first two auto-coded "Headache", the rest queued), and two synonyms."""
    import tempfile
    from pathlib import Path

    from opencro.coding.models import CodedTerm, DictionaryTerm, Synonym
    from opencro.coding.services import (
        coding_term_code,
        dictionary_load,
        study_coding_configure,
        study_dictionary_upgrade,
    )
    from opencro.edc.services.entry import ItemEntry
    from opencro.formats.coding import write_fictional_meddra, write_fictional_whodrug

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        old = write_fictional_meddra(root / "m25", "26.1")
        (old / "meddra_release.asc").write_text("25.0$English$$\r\n", encoding="latin-1")
        load = dictionary_load
        d = {
            "m25": load(actor=None, kind="meddra", directory=old),
            "m26": load(actor=None, kind="meddra", directory=write_fictional_meddra(root / "m26", "26.1")),
            "m27": load(actor=None, kind="meddra", directory=write_fictional_meddra(root / "m27", "27.0")),
            "b3": load(actor=None, kind="whodrug", directory=write_fictional_whodrug(root / "b3", "B3")),
            "c3": load(actor=None, kind="whodrug", directory=write_fictional_whodrug(root / "c3", "C3")),
        }
    study_coding_configure(actor=None, study=w.study, meddra=d["m25"], whodrug=d["b3"], items={"IT.AETERM": "MedDRA"})
    for site, subject in (("a", w.subject_a), ("b", w.subject_b)):
        verbatims = ["Headache", "Headache", *(f"matrix {site} {row}" for row in CODING_ROWS[2:])]
        form = form_save(
            actor=None,
            subject=subject,
            event_oid="SE.AE",
            form_oid="F.AE",
            entries=[ItemEntry("IT.AETERM", text, repeat=n) for n, text in enumerate(verbatims, start=1)],
        ).form
        terms = {t.group_repeat: t for t in CodedTerm.objects.filter(form=form)}
        w.edc[site].update({f"term_{row}": terms[n].pk for n, row in enumerate(CODING_ROWS, start=1)})
    upgrade = study_dictionary_upgrade(actor=None, study=w.study, kind="meddra", new_dictionary=d["m26"])
    headache = DictionaryTerm.objects.get(dictionary=d["m26"], code="940000001")
    for row in ("syn_page", "syn_api"):
        term = CodedTerm.objects.get(pk=w.edc["a"][f"term_{row}"])
        coding_term_code(actor=None, term=term, dictionary_term=headache, add_synonym=True)
        w.ids[row] = Synonym.objects.get(verbatim_key=term.verbatim_key).pk
    w.ids.update(
        coding_llt=headache.pk,
        meddra_in_force=d["m26"].pk,
        whodrug_in_force=d["b3"].pk,
        meddra_27=d["m27"].pk,
        whodrug_c3=d["c3"].pk,
        coding_upgrade=upgrade.pk,
    )


def _edc_data(subject) -> dict[str, int]:
    """A saved vital-signs form at the subject's site, and one query per matrix action (open, or
    answered for re-opening), so that no sweep finds a query another row already closed."""
    result = form_save(actor=None, subject=subject, event_oid="SE.SCR", form_oid="F.VS", entries=[])
    ids = {"form": result.form.pk, "event": result.form.event_id}
    ids["file"] = audited_save(  # an uploaded file at the subject's site (the download routes)
        ItemFile(
            study_id=subject.study_id,
            site_id=subject.site_id,
            form=result.form,
            item_def=ItemDef.objects.get(version=result.form.form_def.version, oid="IT.WEIGHT"),
            name="matrix.pdf",
            content_type="application/pdf",
            size=9,
            sha256="0" * 64,
            content=b"%PDF-1.4\n",
            uploaded_at=timezone.now(),
        ),
        actor=None,
    ).pk
    for channel in ("page", "api"):
        for action, _perm, name in QUERY_ACTIONS(channel):
            query = audited_save(
                Query(
                    study_id=subject.study_id,
                    site_id=subject.site_id,
                    subject=subject,
                    form=result.form,
                    origin="manual",
                    text=f"matrix query for {channel} {action}",
                    opened_at=timezone.now(),
                    state="answered" if action == "reopen" else "open",
                ),
                actor=None,
            )
            ids[name] = query.pk
    return ids


@pytest.fixture(scope="package")
def matrix_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _matrix_world_needs_db(request):
    """Fail loudly if the package's world was used by a test without its own savepoint, or if a test here is
    transactional (its flush would run inside the world's transaction)."""
    assert not _transactional(request.node), f"{request.node.nodeid}: no transactional tests in tests/security"
    if "matrix_world" in request.fixturenames:
        assert "db" in request.fixturenames or request.node.get_closest_marker("django_db"), request.node.nodeid
