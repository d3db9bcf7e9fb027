"""A database migrated from nothing has the append-only triggers, whatever later migrations rebuilt."""

import os
import sqlite3
import subprocess
import sys

import pytest


@pytest.mark.slow
def test_fresh_sqlite_database_keeps_the_append_only_triggers(tmp_path):
    env = {**os.environ, "OPENCRO_VAR_DIR": str(tmp_path), "OPENCRO_SQLITE_SYNCHRONOUS": "OFF"}  # a throwaway file
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "opencro.cli.main", "migrate"], env=env, check=True, capture_output=True)
    with sqlite3.connect(tmp_path / "opencro.sqlite3") as db:
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"audit_auditrecord_no_update", "audit_auditrecord_no_delete"} <= triggers
