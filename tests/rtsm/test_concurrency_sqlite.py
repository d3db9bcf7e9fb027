"""On SQLite, concurrent randomisations are serialised: distinct, consecutive slots in list order, no error.

IMMEDIATE transactions make each writer wait (busy timeout) for the one before. The suite's database is an
in-memory one with a shared cache, whose table locks fail instead of waiting, so the race runs in a
subprocess against a SQLite file configured as production configures it (`tests/rtsm/sqlite_race.py`).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
N, CLIENTS = 40, 8


def test_concurrent_randomisations_on_a_sqlite_file_are_serialised(tmp_path, migrated_sqlite):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite race; PostgreSQL's is test_concurrency.py")
    # a throwaway file: no disk flush per commit (the race is about locks, which synchronous leaves alone)
    env = {**os.environ, "OPENCRO_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT), "OPENCRO_SQLITE_SYNCHRONOUS": "OFF"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.rtsm.sqlite_race", str(migrated_sqlite), str(N), str(CLIENTS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["sequences"] == list(range(1, N + 1))
    assert result["distinct_slots"] == N
    assert result["positions"] == {"A1": list(range(1, N // 2 + 1)), "B1": list(range(1, N // 2 + 1))}
    assert result["arms_match_slots"]
