"""200 concurrent randomisations over the API on PostgreSQL: distinct, consecutive slots, in list order per stratum.

The live server answers each request in its own thread with its own database connection, so the requests really
race for the scheme's row lock. On SQLite the test database is in memory with a shared cache, whose table locks
do not wait, so this test runs on PostgreSQL only (SQLite serialises writers with IMMEDIATE transactions).
"""

import contextlib
import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test.testcases import LiveServerThread, _StaticFilesHandler

from opencro.accounts.services import token_create
from opencro.rtsm.models import ListSlot, Randomisation
from opencro.subjects.models import TreatmentAssignment
from tests.conftest import build_world
from tests.rtsm.factories import block_scheme, coordinator, screened

N = 200
CLIENTS = 40


class _Server(ThreadedWSGIServer):
    request_queue_size = 256  # the default (10) drops connections when 40 clients connect at once


class _Thread(LiveServerThread):
    server_class = _Server


@pytest.fixture
def server_url(transactional_db, django_db_blocker):
    """A threaded live server (a thread and a database connection per request) with a deep listen queue."""
    with django_db_blocker.unblock():
        thread = _Thread("127.0.0.1", _StaticFilesHandler)
        thread.daemon = True
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
        thread.terminate()


def _post(base: str, path: str, token: str, barrier: threading.Barrier) -> tuple[int, dict]:
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    body = json.dumps({"eligibility_confirmed": True, "consented_on": "2026-03-01"})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with contextlib.suppress(threading.BrokenBarrierError):  # fewer than CLIENTS requests left: go anyway
        barrier.wait(timeout=60)
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    raw = response.read()
    try:
        return response.status, json.loads(raw or b"{}")
    except ValueError:
        return response.status, {"body": raw[:300].decode(errors="replace")}


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_randomisations_take_distinct_consecutive_slots(server_url):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency is tested on PostgreSQL (set DATABASE_URL); SQLite serialises writers")
    w = build_world()
    scheme = block_scheme(w, n=N // 2 + 4, sizes=(4, 6))
    tokens = {
        site.pk: token_create(actor=w.admin, user=coordinator(w, site), name="load")[1] for site in (w.site_a, w.site_b)
    }
    subjects = [screened(site, f"{site.number}-L{i:03d}") for i in range(N // 2) for site in (w.site_a, w.site_b)]
    barrier = threading.Barrier(CLIENTS)
    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [
            pool.submit(
                _post,
                server_url,
                f"/api/v1/studies/{w.study.pk}/rtsm/subjects/{s.pk}/randomise",
                tokens[s.site_id],
                barrier,
            )
            for s in subjects
        ]
        answers = [f.result() for f in futures]
    assert [status for status, _ in answers] == [201] * N, [a for a in answers if a[0] != 201][:3]
    done = list(Randomisation.objects.filter(scheme=scheme).select_related("slot__stratum").order_by("sequence"))
    assert [r.sequence for r in done] == list(range(1, N + 1))
    assert len({r.slot_id for r in done}) == N
    for label in ("A1", "B1"):
        positions = [r.slot.position for r in done if r.slot.stratum.label == label]
        assert positions == list(range(1, N // 2 + 1))  # no slot skipped, taken in list order
    arms = dict(TreatmentAssignment.objects.filter(subject__in=subjects).values_list("subject_id", "arm_id"))
    slots = {s.pk: s.arm_id for s in ListSlot.objects.filter(scheme=scheme)}
    assert all(arms[r.subject_id] == slots[r.slot_id] for r in done)
    assert sorted(a["number"] for _, a in answers) == sorted(r.number for r in done)
