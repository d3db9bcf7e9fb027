"""A transaction the database aborted to break a deadlock runs again; other errors do not."""

import pytest
from django.db import OperationalError

from opencro.core.retry import transaction_retry


class _Deadlock(Exception):
    sqlstate = "40P01"


def _aborted() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = _Deadlock()
    return error


def test_a_deadlock_victim_is_run_again():
    calls = []

    @transaction_retry(attempts=4)
    def save():
        calls.append(1)
        if len(calls) < 3:
            raise _aborted()
        return "saved"

    assert save() == "saved" and len(calls) == 3


def test_other_database_errors_are_not_retried():
    calls = []

    @transaction_retry(attempts=4)
    def save():
        calls.append(1)
        raise OperationalError("disk full")

    with pytest.raises(OperationalError):
        save()
    assert len(calls) == 1


def test_it_gives_up_after_the_last_attempt():
    calls = []

    @transaction_retry(attempts=2)
    def save():
        calls.append(1)
        raise _aborted()

    with pytest.raises(OperationalError):
        save()
    assert len(calls) == 2
