"""Benchmark: 200 concurrent randomisations over the API on PostgreSQL.

    python benchmarks/rtsm_randomise_load.py [--subjects 200] [--workers 4] [--rate 0] [--method block_list]

Creates a fresh PostgreSQL database with a study of 4 sites, arms 1:1, an active block-list scheme stratified by
site (or minimisation on site and sex with `--method minimisation`), `--subjects` screened subjects and a study
coordinator's API token; serves it with gunicorn; then a separate process (the load generator, on loopback)
sends one POST .../randomise per subject, each from its own thread and connection:

- burst (default, `--rate 0`): every request released at the same instant by a barrier, the worst case: all
  wait for the scheme's row lock, so latency is queueing behind the others;
- `--rate R`: requests arrive at random (Poisson, R per second on average), as coordinators at many sites do.

Reference measured in the same run, same concurrency and arrival pattern: a light authenticated GET
(the first page of randomisations). Reports errors, latency percentiles, throughput, and checks that the
allocations are distinct and consecutive.
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

from _serve import STAT_PASSWORD, bench_rtsm_study, gunicorn, pct, scratch_postgres, setup_django  # noqa: E402

SITES = 4


def prepare(database_url: str, n: int, method: str) -> dict:
    """Migrate and fill the database; return what the load generator needs."""
    setup_django(database_url)
    import datetime as dt

    from opencro.accounts import services as accounts
    from opencro.rtsm.models import RandomisationScheme
    from opencro.rtsm.services import scheme as schemes
    from opencro.subjects import services as subjects

    admin, study, sites, stat = bench_rtsm_study("RAND", "Randomisation load", SITES)
    scheme = schemes.scheme_save(actor=stat, study=study, method=method, block_sizes=[4, 6])
    schemes.factor_save(actor=stat, scheme=scheme, name="site", source="site", order=0)
    if method == "minimisation":
        schemes.factor_save(actor=stat, scheme=scheme, name="sex", source="sex", order=1)
    else:
        schemes.list_generate(actor=stat, scheme=scheme, n_per_stratum=n // SITES + 12, seed=2026)
    schemes.scheme_activate(actor=stat, scheme=RandomisationScheme.objects.get(pk=scheme.pk), password=STAT_PASSWORD)
    crc = accounts.user_create(actor=None, username="crc", password="Bench-crc-2026!x")
    accounts.membership_grant(actor=admin, user=crc, study=study, role_code="study_coordinator")
    _token, key = accounts.token_create(actor=crc, user=crc, name="load")
    ids = [
        subjects.subject_screen(
            actor=None, site=sites[k % SITES], number=f"S{k:04d}", screened_on=dt.date(2026, 1, 5), sex="FM"[k % 2]
        ).pk
        for k in range(n)
    ]
    return {"study": study.pk, "subjects": ids, "token": key}


def fire(port: int, setup: dict, rate: float, make_request) -> dict:
    """One thread and connection per subject; released together (rate 0) or at Poisson arrival times."""
    n = len(setup["subjects"])
    times: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(n)
    rng = random.Random(7)
    offsets, t = [], 0.0
    for _ in range(n):
        offsets.append(t)
        t += rng.expovariate(rate) if rate else 0.0

    def one(k: int) -> None:
        method, path, body = make_request(setup, setup["subjects"][k])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        barrier.wait()
        time.sleep(offsets[k])
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json"}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read()
        elapsed = time.perf_counter() - started
        with lock:
            if response.status in (200, 201):
                times.append(elapsed)
            else:
                errors.append(f"{response.status} {text[:200]!r}")

    threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
    for th in threads:
        th.start()
    began = time.monotonic()
    for th in threads:
        th.join()
    return {"times": times, "errors": errors, "duration": time.monotonic() - began}


def _randomise(setup: dict, subject: int) -> tuple[str, str, str]:
    body = json.dumps({"eligibility_confirmed": True, "consented_on": "2026-01-05"})
    return "POST", f"/api/v1/studies/{setup['study']}/rtsm/subjects/{subject}/randomise", body


def _read(setup: dict, subject: int) -> tuple[str, str, None]:
    return "GET", f"/api/v1/studies/{setup['study']}/rtsm/randomisations?limit=1", None


def check(database_url: str, n: int) -> str:
    """Distinct, consecutive allocations: the figures the run must leave in the database."""
    from opencro.rtsm.models import Randomisation

    seqs = sorted(Randomisation.objects.values_list("sequence", flat=True))
    slots = [s for s in Randomisation.objects.values_list("slot_id", flat=True) if s is not None]
    ok = seqs == list(range(1, n + 1)) and len(set(slots)) == len(slots)
    return f"{len(seqs)} randomisations, sequences 1..{n} {'consecutive' if ok else 'NOT consecutive'}, slots distinct"


def report(label: str, result: dict) -> None:
    times = result["times"]
    print(
        f"{label}: n={len(times)}, errors {len(result['errors'])}, p50 {pct(times, 50):.0f} ms, "
        f"p95 {pct(times, 95):.0f} ms, p99 {pct(times, 99):.0f} ms, max {max(times) * 1000:.0f} ms, "
        f"mean {statistics.fmean(times) * 1000:.0f} ms, {len(times) / result['duration']:.1f}/s over "
        f"{result['duration']:.2f} s"
    )
    for error in result["errors"][:3]:
        print("  error:", error)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--subjects", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--rate", type=float, default=0.0, help="mean arrivals per second (0: all at once)")
    parser.add_argument("--method", choices=("block_list", "minimisation"), default="block_list")
    parser.add_argument("--generator", help=argparse.SUPPRESS)
    parser.add_argument("--read", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generator:  # the load-generator process
        setup = json.loads(Path(args.generator).read_text())
        print(json.dumps(fire(args.port, setup, args.rate, _read if args.read else _randomise)))
        return
    with tempfile.TemporaryDirectory() as tmp, scratch_postgres("opencro_rand") as url:
        os.environ["OPENCRO_VAR_DIR"] = tmp
        setup = prepare(url, args.subjects, args.method)
        setup_file = Path(tmp) / "setup.json"
        setup_file.write_text(json.dumps(setup))
        generator = [sys.executable, __file__, "--generator", str(setup_file), "--port", str(args.port)]
        generator += ["--rate", str(args.rate)]
        with gunicorn(url, args.port, args.workers):
            runs = {}
            for label, extra in (("warm-up", ["--read"]), ("reference", ["--read"]), ("randomise", [])):
                out = subprocess.run([*generator, *extra], check=True, capture_output=True, text=True)
                runs[label] = json.loads(out.stdout)
        summary = check(url, args.subjects)
    pattern = f"Poisson arrivals at {args.rate:g}/s" if args.rate else "all released at once"
    print(f"{args.subjects} concurrent requests, {pattern}, {args.workers} gunicorn workers, PostgreSQL, {args.method}")
    report("POST randomise", runs["randomise"])
    report("GET randomisations (reference)", runs["reference"])
    ratio = pct(runs["randomise"]["times"], 95) / pct(runs["reference"]["times"], 95)
    print(f"randomise p95 / reference p95: {ratio:.2f}")
    print(summary)


if __name__ == "__main__":
    main()
