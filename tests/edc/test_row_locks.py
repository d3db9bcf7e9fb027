"""What a form save locks on PostgreSQL: its own rows, never the study's or the subject's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opencro.edc.services.entry import ItemEntry, form_save


@pytest.mark.django_db
def test_a_form_save_locks_no_study_or_subject_row(edc_world):
    """On PostgreSQL, read what a save sends: no FOR UPDATE that joins the study or the subject."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks exist on PostgreSQL only (SQLite serialises writers)")
    with CaptureQueriesContext(connection) as ctx:
        for value in ("70", "71"):
            form_save(
                actor=edc_world.users["study_coordinator"],
                subject=edc_world.subject_a,
                event_oid="SE.SCR",
                form_oid="F.VS",
                entries=[ItemEntry("IT.WEIGHT", value)],
                reason="correction",
            )
    locks = [q["sql"] for q in ctx.captured_queries if "FOR UPDATE" in q["sql"]]
    assert locks
    assert not [sql for sql in locks if '"studies_study"' in sql or '"subjects_subject"' in sql]
