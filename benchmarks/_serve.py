"""What the API load benchmarks share: a scratch PostgreSQL database, gunicorn serving it, percentiles."""

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def scratch_postgres(prefix: str) -> Iterator[str]:
    """Create a fresh PostgreSQL database for the run; drop it afterwards. Yields its URL."""
    name = f"{prefix}_{os.getpid()}"
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        from django.db import connections

        connections.close_all()
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE {name}"], check=False)


def setup_django(database_url: str) -> None:
    """Point Django at `database_url`, set it up and migrate."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def bench_study(admin, protocol_number: str, title: str):
    """A study with one country (US) for a benchmark: (study, country). Django must be set up."""
    from opencro.studies import services as studies
    from opencro.studies.models import Country

    study = studies.study_create(
        actor=admin,
        protocol_number=protocol_number,
        title=title,
        short_title=title,
        phase="III",
        therapeutic_area="x",
        indication="x",
        sponsor="x",
    )
    country = studies.protocol_item_save(
        actor=None, instance=Country(study=study, code="US", name="US", regulator="FDA")
    )
    return study, country


STAT_PASSWORD = "Bench-stat-2026!x"


def green_light(site):
    """Give a site its green light as the rules ask (approvals, documents, SIV, training), dated 2026-01-01."""
    import datetime as dt

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.startup.activation import activate

    return activate(site, dt.date(2026, 1, 1))


def bench_rtsm_study(protocol_number: str, title: str, n_sites: int):
    """A study with `n_sites` active sites, arms A and B 1:1 and an unblinded statistician (password
    STAT_PASSWORD) to configure randomisation: (admin, study, sites, statistician). Django must be set up."""
    from opencro.accounts import services as accounts
    from opencro.studies import services as studies
    from opencro.studies.models import Arm

    admin = accounts.user_create(actor=None, username="admin", password="Bench-admin-2026!", is_superuser=True)
    study, country = bench_study(admin, protocol_number, title)
    sites = [
        studies.site_create(
            actor=None,
            study=study,
            number=f"{i:02d}",
            institution=f"Site {i}",
            principal_investigator="Dr",
            country=country,
            time_zone="UTC",
        )
        for i in range(1, n_sites + 1)
    ]
    sites = [green_light(site) for site in sites]
    for code in ("A", "B"):
        studies.protocol_item_save(actor=None, instance=Arm(study=study, code=code, name=code, type="experimental"))
    stat = accounts.user_create(actor=None, username="stat", password=STAT_PASSWORD)
    accounts.membership_grant(actor=admin, user=stat, study=study, role_code="unblinded_statistician")
    return admin, study, sites, stat


@contextmanager
def gunicorn(database_url: str, port: int, workers: int) -> Iterator[subprocess.Popen]:
    """Serve the app with gunicorn (`workers` sync workers) on 127.0.0.1:`port` until the block ends."""
    from django.db import connections

    connections.close_all()
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "opencro.settings"}
    args = [sys.executable, "-m", "gunicorn", "opencro.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    args += ["--workers", str(workers), "--no-control-socket", "--log-level", "warning"]
    process = subprocess.Popen(args, env=env, cwd=ROOT)
    try:
        for _attempt in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/api/v1/openapi.json")
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("the server did not start")
        yield process
    finally:
        process.terminate()
        process.wait()


def pct(values: list[float], p: float) -> float:
    """The p-th percentile of durations in seconds, in milliseconds (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000 if ordered else float("nan")
