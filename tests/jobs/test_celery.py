"""A real round trip: `opencro jobs run` queues a job on Redis and a separate `opencro worker` runs it.

Everything runs as subprocesses on a fresh database (a temporary SQLite file, or a temporary
PostgreSQL database when DATABASE_URL points at PostgreSQL) and a queue of its own on Redis db 15.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

REDIS = ("127.0.0.1", 6379)
BROKER_URL = "redis://127.0.0.1:6379/15"
STEP_TIMEOUT = 120  # seconds for any one subprocess step

pytestmark = pytest.mark.celery


def _redis_is_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def _opencro() -> list[str]:
    script = Path(sys.executable).with_name("opencro")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from opencro.cli.main import run; run()"]


@pytest.fixture
def database_url(request, tmp_path):
    """A database nobody else uses: a migrated SQLite file (`migrated_sqlite`, so the test's migrate has nothing left
    to do), or a new PostgreSQL database dropped afterwards."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{request.getfixturevalue('migrated_sqlite')}"
        return
    import psycopg

    name = f"opencro_jobs_celery_{uuid.uuid4().hex[:12]}"
    server = urlsplit(configured)
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def queue():
    """A queue name of this test's own; its Redis keys are removed afterwards."""
    name = f"opencro-test-{uuid.uuid4().hex[:12]}"
    yield name
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)


class Worker:
    """`opencro worker` in its own process group, its output collected by a reader thread."""

    def __init__(self, command: list[str], env: dict) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if " ready." in self.log:
                return
            if self.process.poll() is not None:
                pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log}")
            time.sleep(0.1)
        pytest.fail(f"the worker was not ready after {timeout} s:\n{self.log}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self._reader.join(timeout=5)


@pytest.mark.database
def test_a_celery_worker_runs_the_job(tmp_path, database_url, queue):
    if not _redis_is_up():
        pytest.skip("Redis is not reachable on 127.0.0.1:6379; start it to run the Celery round trip")
    env = {k: v for k, v in os.environ.items() if k not in {"OPENCRO_JOBS_EAGER", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=database_url,
        OPENCRO_VAR_DIR=str(tmp_path),
        OPENCRO_SECRET_KEY="celery-round-trip-test-key",
        OPENCRO_BROKER_URL=BROKER_URL,
        OPENCRO_JOBS_QUEUE=queue,
        OPENCRO_SQLITE_SYNCHRONOUS="OFF",  # a throwaway SQLite file: no disk flush per commit while it migrates
    )
    opencro = _opencro()
    migrated = subprocess.run(
        [*opencro, "migrate", "-q"], env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
    )
    assert migrated.returncode == 0, migrated.stderr

    worker_name = f"{queue}@{socket.gethostname()}"
    worker = Worker([*opencro, "worker", "--concurrency", "1", "--hostname", worker_name], env)
    try:
        worker.wait_until_ready(timeout=STEP_TIMEOUT)
        run = subprocess.Popen(
            [*opencro, "jobs", "run", "audit.verify", "--json", "--timeout", "90"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        stdout, stderr = run.communicate(timeout=STEP_TIMEOUT)
        assert run.returncode == 0, f"{stderr}\nworker log:\n{worker.log}"
        job = json.loads(stdout)

        listed = subprocess.run(
            [*opencro, "jobs", "list", "--json"], env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
        )
        assert listed.returncode == 0, listed.stderr
        (row,) = json.loads(listed.stdout)
    finally:
        worker.stop()

    assert row["id"] == job["id"] and row["status"] == job["status"] == "succeeded"
    assert row["result"]["ok"] is True and row["result"]["checked"] >= 1  # at least the job's own audit record
    host, _, pid = row["worker"].partition(" pid ")
    assert host == worker_name, row["worker"]
    assert int(pid) not in {run.pid, os.getpid()}  # run by the worker, not by the process that submitted it
    assert "Task opencro.jobs.run[" in worker.log and "succeeded" in worker.log
