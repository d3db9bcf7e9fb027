"""Benchmark: saving a 50-item form through the API, 20 concurrent clients, PostgreSQL.

    python benchmarks/edc_form_save_load.py [--clients 20] [--seconds 30] [--workers 4] [--think 0]

Creates a fresh PostgreSQL database with the benchmark build (edc_workload.py), 40 subjects and a
site coordinator's API token, serves it with gunicorn (`opencro serve`), then a separate process
(the load generator, on loopback) runs `--clients` threads, each saving whole 50-item forms
(PUT .../forms/...) on its own subjects, changing values each time (with a reason): in a closed
loop by default, or pausing `--think` seconds (0.5-1.5x, random) between saves as users do.
Reports latency percentiles and throughput, and as a reference measured in the same run the
latency of a light authenticated GET (the subject's casebook) under the same load.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from _serve import bench_study, green_light, gunicorn, pct, scratch_postgres, setup_django  # noqa: E402


def prepare(database_url: str) -> dict:
    """Migrate and fill the database; return what the load generator needs."""
    setup_django(database_url)
    import datetime as dt

    from edc_workload import workload_build

    from opencro.accounts import services as accounts
    from opencro.edc.services.build import build_import
    from opencro.studies import services as studies
    from opencro.subjects import services as subjects

    admin = accounts.user_create(actor=None, username="admin", password="Bench-admin-2026!", is_superuser=True)
    study, country = bench_study(admin, "LOAD", "Load")
    site = green_light(
        studies.site_create(
            actor=None,
            study=study,
            number="01",
            institution="One",
            principal_investigator="Dr",
            country=country,
            time_zone="UTC",
        )
    )
    build_import(actor=None, study=study, build=workload_build())
    crc = accounts.user_create(actor=None, username="crc", password="Bench-crc-2026!x")
    accounts.membership_grant(actor=admin, user=crc, study=study, role_code="study_coordinator")
    _token, key = accounts.token_create(actor=crc, user=crc, name="load")
    ids = [
        subjects.subject_screen(actor=None, site=site, number=f"01-{n:03d}", screened_on=dt.date(2026, 1, 5)).pk
        for n in range(40)
    ]
    return {"study": study.pk, "subjects": ids, "token": key}


def load(port: int, setup: dict, clients: int, seconds: float, think: float = 0.0) -> dict:
    """The load generator (run in its own process): PUT and GET latencies.

    With `think` 0 each client saves again as soon as its last request answered (a closed loop: the
    server is saturated and latency measures queueing). With `think` > 0 each client pauses a random
    0.5-1.5 x `think` seconds after each save and read, as a person entering forms does.
    """
    headers = {"Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json"}
    study = setup["study"]
    put_times: list[float] = []
    get_times: list[float] = []
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def client(n: int) -> None:
        rng = random.Random(n)
        own = setup["subjects"][n::clients]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < stop:
            subject = own[count % len(own)]
            event = f"SE.V{(count // len(own)) % 20:02d}"
            items = [{"oid": f"IT.X{i:02d}", "value": _value(i, rng)} for i in range(50)]
            body = json.dumps({"items": items, "reason": "load test correction"})
            path = f"/api/v1/studies/{study}/edc/subjects/{subject}/forms/{event}/1/F.BENCH/1"
            started = time.perf_counter()
            conn.request("PUT", path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                (put_times if response.status == 200 else errors).append(
                    elapsed if response.status == 200 else str(response.status)
                )
            started = time.perf_counter()
            conn.request("GET", f"/api/v1/studies/{study}/edc/subjects/{subject}/casebook", headers=headers)
            response = conn.getresponse()
            response.read()
            with lock:
                get_times.append(time.perf_counter() - started)
            count += 1
            if think:
                time.sleep(think * rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duration = time.monotonic() - began
    return {"put": put_times, "get": get_times, "errors": errors, "duration": duration}


def _value(i: int, rng: random.Random) -> str:
    kind = i % 5
    if kind == 0:
        return str(rng.randint(0, 990))
    if kind == 1:
        return f"{rng.uniform(30, 120):.1f}"
    if kind == 2:
        return f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    if kind == 3:
        return rng.choice("01")
    return f"note {rng.randint(1, 1000)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--think", type=float, default=0.0, help="seconds a client pauses between saves (0: none)")
    parser.add_argument("--generator", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generator:  # the load-generator process
        setup = json.loads(Path(args.generator).read_text())
        result = load(args.port, setup, args.clients, args.seconds, args.think)
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory() as tmp, scratch_postgres("opencro_load") as url:
        os.environ["OPENCRO_VAR_DIR"] = tmp
        setup = prepare(url)
        setup_file = Path(tmp) / "setup.json"
        setup_file.write_text(json.dumps(setup))
        with gunicorn(url, args.port, args.workers):
            warm = [sys.executable, __file__, "--generator", str(setup_file), "--port", str(args.port)]
            subprocess.run([*warm, "--clients", "4", "--seconds", "3"], check=True, capture_output=True)
            out = subprocess.run(
                [*warm, "--clients", str(args.clients), "--seconds", str(args.seconds), "--think", str(args.think)],
                check=True,
                capture_output=True,
                text=True,
            )
            result = json.loads(out.stdout)
    puts, gets = result["put"], result["get"]
    loop = f"think time {args.think:g} s" if args.think else "closed loop (no think time)"
    print(f"{args.clients} clients, {loop}, {args.workers} gunicorn workers, {result['duration']:.1f} s, PostgreSQL")
    print(
        f"PUT 50-item form: n={len(puts)}, {len(puts) / result['duration']:.1f}/s, "
        f"p50 {pct(puts, 50):.0f} ms, p95 {pct(puts, 95):.0f} ms, p99 {pct(puts, 99):.0f} ms, "
        f"mean {statistics.fmean(puts) * 1000:.0f} ms, errors {len(result['errors'])}"
    )
    print(f"GET casebook (reference): p50 {pct(gets, 50):.0f} ms, p95 {pct(gets, 95):.0f} ms")
    print(f"PUT p95 / GET p95: {pct(puts, 95) / pct(gets, 95):.2f}")


if __name__ == "__main__":
    main()
