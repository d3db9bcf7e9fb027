"""Audit test helpers: give roles audit.view, switch off the append-only triggers to tamper, and
read what an export produced. (tests/conftest.py keeps the triggers on around every test.)"""

import base64
import contextlib
import csv
import importlib
import io
import re
import zlib

from django.db import connection

from opencro.accounts.models import Role
from opencro.accounts.permissions import Perm
from opencro.accounts.services import role_permissions_set

_TRIGGERS = importlib.import_module("opencro.audit.migrations.0002_append_only")


def grant_audit_view(world, *role_codes: str) -> None:
    """Add audit.view to these roles of the test study (the default roles leave it out for some)."""
    for code in role_codes:
        role = Role.objects.get(study=world.study, code=code)
        role_permissions_set(
            actor=world.admin,
            role=role,
            permissions=[*role.permissions, Perm.AUDIT_VIEW],
            reason="test: this role reads the trail",
        )


def triggers_off() -> None:
    """Let this connection UPDATE and DELETE audit rows, as someone with database access could.

    Inside a test's transaction, so rolled back with it: SQLite drops the triggers (its DDL is
    transactional), PostgreSQL disables them (ALTER TABLE is transactional too).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER USER")
        else:
            for statement in _TRIGGERS.SQLITE_REVERSE:
                cursor.execute(statement)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def streamed(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def pdf_text(data: bytes) -> str:
    """The content streams of a ReportLab PDF, decoded (ASCII85, Flate) where encoded."""
    assert data.startswith(b"%PDF-")
    texts = []
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        body = match.group(1).strip()
        if body.endswith(b"~>"):
            body = base64.a85decode(body[:-2])
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
        texts.append(body.decode("latin-1"))
    return "\n".join(texts)
