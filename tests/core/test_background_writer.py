"""BackgroundWriter: jobs run in order on the caller's connection and transaction; errors reach the caller."""

import threading

import pytest
from django.db import connection, transaction

from opencro.core.background_writer import BackgroundWriter
from opencro.studies.models import Arm

pytestmark = pytest.mark.django_db


def _arm(study, code: str) -> None:
    Arm.objects.create(study=study, code=code, name=code, type="placebo")


@pytest.mark.parametrize("threaded", [False, True])
def test_jobs_run_in_order_in_the_callers_transaction(world, threaded):
    threads = set()
    with transaction.atomic(), BackgroundWriter(threaded=threaded, depth=1) as writer:
        for n in range(5):
            writer.submit(_arm, world.study, f"W{n}")
            writer.submit(lambda: threads.add(threading.get_ident()))
        codes = writer.call(lambda: list(Arm.objects.filter(code__startswith="W").values_list("code", flat=True)))
        in_transaction = writer.call(lambda: connection.in_atomic_block)
    assert sorted(codes) == [f"W{n}" for n in range(5)] and in_transaction
    assert (threading.get_ident() in threads) is not threaded  # threaded: the jobs ran in the writer


def test_a_jobs_error_reaches_the_caller_and_later_jobs_do_not_run(world):
    def fail() -> None:
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"), transaction.atomic(), BackgroundWriter(threaded=True) as writer:
        writer.submit(fail)
        writer.submit(_arm, world.study, "LATE")
    assert not Arm.objects.filter(code="LATE").exists()


def test_the_callers_error_stops_the_writer_and_rolls_back_its_writes(world):
    with pytest.raises(RuntimeError, match="caller"), transaction.atomic(), BackgroundWriter(threaded=True) as writer:
        writer.submit(_arm, world.study, "GONE")
        writer.call(lambda: None)
        raise RuntimeError("caller")
    assert not Arm.objects.filter(code="GONE").exists()
    assert connection.allow_thread_sharing is False


def test_postgresql_writes_in_a_thread_by_default_sqlite_does_not():
    assert BackgroundWriter().threaded is (connection.vendor == "postgresql")
