"""Run by test_concurrency_sqlite in a subprocess: many threads randomise at once against one SQLite file.

A file database behaves as production does (WAL, IMMEDIATE transactions, a busy timeout), which the test
suite's shared-cache in-memory database does not. Prints one JSON object with what the test checks.

    python -m tests.rtsm.sqlite_race DB_FILE N CLIENTS

DB_FILE is migrated (a copy of the suite's `migrated_sqlite`; the migrate here then has nothing to do).
"""

import json
import os
import sys
import threading


def main(path: str, n: int, clients: int) -> dict:
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opencro.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from opencro.rtsm.models import ListSlot, Randomisation
    from opencro.rtsm.services.allocation import subject_randomise
    from opencro.subjects.models import TreatmentAssignment
    from tests.conftest import build_world
    from tests.rtsm.factories import CONSENT, block_scheme, coordinator, screened

    call_command("migrate", verbosity=0)
    w = build_world()
    scheme = block_scheme(w, n=n // 2 + 4, sizes=(4, 6))
    actors = {site.pk: coordinator(w, site) for site in (w.site_a, w.site_b)}
    subjects = [screened(site, f"{site.number}-R{i:03d}") for i in range(n // 2) for site in (w.site_a, w.site_b)]
    connections.close_all()
    barrier = threading.Barrier(clients)
    errors: list[str] = []

    def work(chunk) -> None:
        barrier.wait()
        for subject in chunk:
            try:
                subject_randomise(
                    actor=actors[subject.site_id], subject=subject, eligibility_confirmed=True, consented_on=CONSENT
                )
            except Exception as error:  # reported to the test, which fails on any
                errors.append(repr(error))
        connections.close_all()

    threads = [threading.Thread(target=work, args=(subjects[k::clients],)) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = list(Randomisation.objects.filter(scheme=scheme).select_related("slot__stratum").order_by("sequence"))
    arms = dict(TreatmentAssignment.objects.values_list("subject_id", "arm_id"))
    slots = dict(ListSlot.objects.filter(scheme=scheme).values_list("pk", "arm_id"))
    return {
        "errors": errors,
        "sequences": [r.sequence for r in done],
        "distinct_slots": len({r.slot_id for r in done}),
        "positions": {
            label: [r.slot.position for r in done if r.slot.stratum.label == label] for label in ("A1", "B1")
        },
        "arms_match_slots": all(arms[r.subject_id] == slots[r.slot_id] for r in done),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))))
