"""A database migrated from nothing has the append-only triggers, whatever later migrations rebuilt."""

import sqlite3

import pytest


@pytest.mark.slow
def test_fresh_sqlite_database_keeps_the_append_only_triggers(migrated_sqlite):
    """`migrated_sqlite` is a copy of the file `opencro migrate` made from nothing (tests/conftest.py)."""
    with sqlite3.connect(migrated_sqlite) as db:
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"audit_auditrecord_no_update", "audit_auditrecord_no_delete"} <= triggers
