"""Shared fixtures: a small study with two sites and one user per role, built through services."""

import datetime as dt
import fcntl
import importlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import settings as hypothesis_settings
from xdist.scheduler import LoadScopeScheduling

from opencro.accounts import services as accounts
from opencro.accounts.models import User
from opencro.accounts.permissions import DEFAULT_ROLES, RoleCode
from opencro.regulatory.library import library_ensure
from opencro.studies import services as studies
from opencro.studies.models import (
    Activity,
    Arm,
    Country,
    EligibilityCriterion,
    Endpoint,
    Epoch,
    Objective,
    ProtocolVersion,
    Site,
    Study,
    Visit,
)
from opencro.subjects import services as subjects
from opencro.subjects.models import Subject
from tests.startup.activation import activate

PASSWORD = "Test-password-2026"
GREEN_LIGHT = dt.date(2026, 1, 1)  # sites A1 and B1 of every test study may screen from this day
SITE_RESTRICTED = {RoleCode.INVESTIGATOR, RoleCode.STUDY_COORDINATOR, RoleCode.MONITOR, RoleCode.PHARMACIST}


DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server", "django_db_setup", "django_db_reset_sequences"})


def uses_database(item: pytest.Item) -> bool:
    """Whether a test can reach the database: a django_db or database mark, or a fixture (direct or inherited)
    that opens it."""
    marked = item.get_closest_marker("django_db") or item.get_closest_marker("database")
    return marked is not None or bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


# The role sweeps of tests/security on the PostgreSQL run: a site-scoped unblinded role (its pages join the site
# scoping and the treatment columns) and a study-wide blinded one. The SQLite run sweeps every role; what a role may
# do is decided in Python (accounts.access), the same on both databases, and these two cover each kind of scoping
# query (the page and API tests of each app run on PostgreSQL with other roles too).
POSTGRES_SWEEP_ROLES = frozenset({"pharmacist", "data_manager"})
# The tenant sweep's people on the PostgreSQL run: one of a sponsor, one of its contracted CRO (the rule's two paths).
POSTGRES_TENANT_PEOPLE = frozenset({"acme_contracts", "crux_lead"})


DEMO_TESTS = Path(__file__).parent / "demo"


def runs_on_postgres(item: pytest.Item) -> bool:
    """Whether the PostgreSQL run keeps a test: it reaches the database, is not a browser test (the pages' queries
    are those of the page tests, which run on both), is not a check of the demo study's content (tests/demo: the
    PostgreSQL run loads the demo through `opencro demo` in tests/cli, the content checks read it the same way on
    both), is not answered by middleware before any query (`answered_before_any_query`) and is not a role sweep of a
    role (or a tenant sweep of a person) outside the two above."""
    if not uses_database(item) or item.path.is_relative_to(DEMO_TESTS):
        return False
    if item.get_closest_marker("browser") or item.get_closest_marker("answered_before_any_query"):
        return False
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "security" in item.path.parts:
        if "role" in callspec.params:
            return str(callspec.params["role"]) in POSTGRES_SWEEP_ROLES
        if item.originalname == "test_tenant_sweep":
            return callspec.params["who"] in POSTGRES_TENANT_PEOPLE
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL run (DATABASE_URL set) leave out what `runs_on_postgres` leaves out: the tests that never
    reach a database (pytest-django blocks their database access, so their outcome cannot depend on it), the browser
    tests and most role sweeps, all of which the SQLite run of the same suite has run. OPENCRO_TEST_ALL=1 keeps all."""
    _TRANSACTIONAL_MODULES.update(item.path for item in items if _transactional(item))
    if not os.environ.get("DATABASE_URL") or os.environ.get("OPENCRO_TEST_ALL"):
        return
    kept = [item for item in items if runs_on_postgres(item)]
    left = [item for item in items if not runs_on_postgres(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


def _worker_groups() -> dict[str, str]:
    """Test files one worker runs together, by group: each group loads the demo study once per process (a load is
    minutes), so tests/demo is one group and the browser tests of the demo (those asking for `demo_study`) another."""
    root = Path(__file__).parent
    groups = {f"tests/{path.relative_to(root).as_posix()}": "demo" for path in DEMO_TESTS.glob("test_*.py")}
    for path in (root / "browser").glob("test_*.py"):
        if "demo_study" in path.read_text(encoding="utf-8"):
            groups[f"tests/browser/{path.name}"] = "browser-demo"
    return groups


class _GroupScheduling(LoadScopeScheduling):
    """`--dist loadgroup` by file: pytest-xdist 3.8 groups the tests it marks `xdist_group` by renaming their node
    ids, which pytest 9.2 ignores (a node id is derived from the test's path), so its groups keep nothing together and
    each worker loaded the demo for itself. Here every other test is a group of its own, as with `load`."""

    def __init__(self, config: pytest.Config, log=None) -> None:
        super().__init__(config, log)
        self.groups = _worker_groups()

    def _split_scope(self, nodeid: str) -> str:
        return self.groups.get(nodeid.split("::", 1)[0], nodeid)


def pytest_xdist_make_scheduler(config: pytest.Config, log) -> LoadScopeScheduling | None:
    """The scheduler of `--dist loadgroup` (see `_GroupScheduling`); any other `--dist` is pytest-xdist's own."""
    return _GroupScheduling(config, log) if config.getvalue("dist") == "loadgroup" else None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """On PostgreSQL the tests' connections commit without waiting for the WAL to reach the disk
    (`synchronous_commit=off`): the test database is thrown away, and the transactional tests commit at every step."""
    from django.db import connections

    db = connections["default"].settings_dict
    if db["ENGINE"] == "django.db.backends.postgresql":
        options = db.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c synchronous_commit=off".strip()


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory, worker_id) -> Path:
    """A SQLite file `opencro migrate` made from nothing, once for the whole run: the first worker to ask makes it
    (a file lock in the run's own temporary folder, which the xdist workers share), the others wait for it."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    template = shared / "migrated-template.sqlite3"
    with (shared / "migrated-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not template.exists():
            var = shared / "migrated-template-var"
            env = {**os.environ, "OPENCRO_VAR_DIR": str(var), "OPENCRO_SQLITE_SYNCHRONOUS": "OFF"}  # a throwaway file
            env.pop("DATABASE_URL", None)
            done = subprocess.run(
                [sys.executable, "-m", "opencro.cli.main", "migrate"], env=env, capture_output=True, text=True
            )
            assert done.returncode == 0, done.stderr[-2000:]
            shutil.move(var / "opencro.sqlite3", template)
    return template


@pytest.fixture
def migrated_sqlite(_migrated_sqlite_template, tmp_path) -> Path:
    """A copy, this test's own, of a SQLite file migrated from nothing (the suite's databases are made from the models,
    `--nomigrations`; a migrate is half a minute, so the tests that need one share it)."""
    path = tmp_path / "migrated.sqlite3"
    shutil.copyfile(_migrated_sqlite_template, path)
    return path


FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# In CI (.ci/run sets CI=true) the property tests draw the same examples every run: a run on a clean clone must not
# pass or fail by chance. Run locally, they keep exploring new examples.
hypothesis_settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """The fast password hasher; the session activity stamped on every request (see below)."""
    settings.PASSWORD_HASHERS = FAST_HASHER
    # every request stamps the session's activity, so a request's queries do not depend on how long the test took
    settings.OPENCRO_SESSION_STAMP_SECONDS = 0


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts, and leaves the thread, in the default language, whatever an earlier test activated."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_form_specs():
    """Compiled eCRF specs are cached by id; rolled-back tests reuse ids, so start each test afresh."""
    from opencro.edc.spec import spec_cache_clear

    spec_cache_clear()


_TRIGGERS = importlib.import_module("opencro.audit.migrations.0002_append_only")


def _transactional(item: pytest.Item) -> bool:
    """Whether a test runs on a committed (then flushed) database rather than in a rolled-back transaction."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _uses_transactional_db(request) -> bool:
    return _transactional(request.node)


@pytest.fixture(autouse=True)
def _audit_triggers(request, _django_db_marker):
    """Keep the append-only triggers on during every test, and off only for the flush after a
    transactional test (Django empties tables with DELETE/TRUNCATE, which they rightly refuse)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not {"db", "transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    _TRIGGERS.reverse(None, _RawEditor())
    _TRIGGERS.forward(None, _RawEditor())
    yield
    if _uses_transactional_db(request):
        _TRIGGERS.reverse(None, _RawEditor())


class _RawEditor:
    """The two members of a schema editor the trigger migration uses, on a plain cursor."""

    connection = connection

    @staticmethod
    def execute(sql: str, params=None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@dataclass
class World:
    """Study S with sites A and B; `users[role]` holds a member per role (site-scoped roles on A)."""

    study: Study
    other_study: Study
    site_a: object
    site_b: object
    arms: list
    admin: User
    outsider: User
    users: dict[str, User] = field(default_factory=dict)
    subject_a: object = None
    subject_b: object = None

    def user(self, role: str) -> User:
        return self.users[role]


def make_user(username: str, *, superuser: bool = False, tz: str = "UTC") -> User:
    return accounts.user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        first_name=username.title(),
        last_name="Tester",
        time_zone=tz,
        is_superuser=superuser,
    )


def make_study(admin: User, number: str) -> tuple[Study, dict]:
    study = studies.study_create(
        actor=admin,
        protocol_number=number,
        title=f"Study {number}",
        short_title=number,
        phase="III",
        therapeutic_area="Cardiology",
        indication="Heart failure",
        sponsor="Test sponsor",
    )
    country_us = studies.protocol_item_save(
        actor=None, instance=Country(study=study, code="US", name="United States", regulator="FDA")
    )
    country_jp = studies.protocol_item_save(
        actor=None, instance=Country(study=study, code="JP", name="Japan", regulator="PMDA")
    )
    site_a = studies.site_create(
        actor=None,
        study=study,
        number="A1",
        institution="Alpha Hospital",
        principal_investigator="Dr A",
        country=country_us,
        time_zone="America/Chicago",
    )
    site_b = studies.site_create(
        actor=None,
        study=study,
        number="B1",
        institution="Beta Hospital",
        principal_investigator="Dr B",
        country=country_jp,
        time_zone="Asia/Tokyo",
    )
    site_a, site_b = (activate(site, GREEN_LIGHT) for site in (site_a, site_b))  # active from 2026-01-01
    arms = [
        studies.protocol_item_save(actor=None, instance=Arm(study=study, code=c, name=f"Arm {c}", type="experimental"))
        for c in ("A", "P")
    ]
    studies.protocol_item_save(actor=None, instance=Visit(study=study, code="V1", name="Screening", order=1, day=-14))
    return study, {"site_a": site_a, "site_b": site_b, "arms": arms}


def build_world() -> World:
    """Study T-001 (sites A1, B1, a member per role, a randomised subject per site) and T-002."""
    library_ensure()  # migration 0002's authorities are gone after a transactional test's flush
    admin = make_user("admin", superuser=True)
    study, parts = make_study(admin, "T-001")
    other_study, _other = make_study(admin, "T-002")
    w = World(
        study=study,
        other_study=other_study,
        site_a=parts["site_a"],
        site_b=parts["site_b"],
        arms=parts["arms"],
        admin=admin,
        outsider=make_user("outsider"),
    )
    for role in DEFAULT_ROLES:
        user = make_user(role.replace("_", "-"))
        sites = [w.site_a] if role in SITE_RESTRICTED else []
        accounts.membership_grant(actor=admin, user=user, study=study, role_code=role, sites=sites)
        w.users[role] = user
    # the outsider is a member of the other study only
    accounts.membership_grant(actor=admin, user=w.outsider, study=other_study, role_code=RoleCode.PROJECT_MANAGER)
    w.subject_a = _randomised(w, w.site_a, "A1-001", 0)
    w.subject_b = _randomised(w, w.site_b, "B1-001", 1)
    return w


# Modules with a transactional test: the world is built for each of their tests (a flush would empty a shared one).
_TRANSACTIONAL_MODULES: set[Path] = set()


@pytest.fixture(scope="module")
def _module_world(request, django_db_setup, django_db_blocker):
    """The world of a test module, built once inside a transaction that is rolled back when the module ends; each
    test runs in its own savepoint within it (pytest-django's `db`). None in a module with a transactional test."""
    if request.path in _TRANSACTIONAL_MODULES:
        yield None
        return
    block = transaction.atomic()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER):  # the tests' own hasher
        block.__enter__()
        try:
            built = build_world()
        except BaseException:
            block.__exit__(*sys.exc_info())
            raise
    yield built
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        block.__exit__(None, None, None)


def _refetched(w: World) -> World:
    """The module's world with every object read again, so no test sees another's changes to them in memory."""
    users = User.objects.in_bulk([w.admin.pk, w.outsider.pk, *(u.pk for u in w.users.values())])
    studies_ = Study.objects.in_bulk([w.study.pk, w.other_study.pk])
    sites = Site.objects.in_bulk([w.site_a.pk, w.site_b.pk])
    arms = Arm.objects.in_bulk([arm.pk for arm in w.arms])
    subjects_ = Subject.objects.in_bulk([w.subject_a.pk, w.subject_b.pk])
    return World(
        study=studies_[w.study.pk],
        other_study=studies_[w.other_study.pk],
        site_a=sites[w.site_a.pk],
        site_b=sites[w.site_b.pk],
        arms=[arms[arm.pk] for arm in w.arms],
        admin=users[w.admin.pk],
        outsider=users[w.outsider.pk],
        users={role: users[u.pk] for role, u in w.users.items()},
        subject_a=subjects_[w.subject_a.pk],
        subject_b=subjects_[w.subject_b.pk],
    )


@pytest.fixture
def world(_module_world, db) -> World:
    """Study T-001 and T-002 (see `build_world`): shared by the tests of a module (built once, rolled back after
    each test), built afresh for each test of a module that has a transactional test."""
    return build_world() if _module_world is None else _refetched(_module_world)


def protocol_elements(study) -> dict[str, int]:
    """One element of each kind that nothing refers to (so the matrix may change and delete it)."""

    def save(instance):
        return studies.protocol_item_save(actor=None, instance=instance).pk

    endpoint_objective = Objective(study=study, level="primary", description="Efficacy")
    ids = {
        "arms": save(Arm(study=study, code="X", name="Arm X", type="experimental")),
        "epochs": save(Epoch(study=study, name="Run-in", order=1)),
        "visits": save(Visit(study=study, code="VX", name="Extra", order=99, day=99)),
        "activities": save(Activity(study=study, code="ACT", name="Vitals", kind="assessment")),
        "eligibility": save(EligibilityCriterion(study=study, kind="exclusion", number=1, text="Pregnancy")),
        "countries": save(Country(study=study, code="DE", name="Germany", regulator="BfArM")),
        "objectives": save(Objective(study=study, level="exploratory", description="Biomarkers")),
        "endpoint_objective": save(endpoint_objective),
        "protocol-versions": save(ProtocolVersion(study=study, version="2.0")),
        "soa_activity": save(Activity(study=study, code="SOA", name="ECG", kind="assessment")),
        "soa_visit": Visit.objects.get(study=study, code="V1").pk,
    }
    ids["endpoints"] = save(Endpoint(objective=endpoint_objective, level="primary", type="continuous", description="y"))
    return ids


def _randomised(w: World, site, number: str, arm_index: int):
    subject = subjects.subject_screen(
        actor=None, site=site, number=number, screened_on=dt.date(2026, 3, 1), sex="F", year_of_birth=1960
    )
    subjects.subject_enrol(actor=None, subject=subject, enrolled_on=dt.date(2026, 3, 10))
    subjects.treatment_assign(
        actor=None,
        subject=subject,
        arm=w.arms[arm_index],
        randomisation_number=f"R-{number}",
        randomised_at=timezone.now(),
    )
    return subject


@pytest.fixture
def login(client):
    """Log a user into the Django test client and return the client."""

    def _login(user: User):
        client.force_login(user)
        return client

    return _login
