"""Trial supply writes, one module per job.

- `configuration`: study supply settings, site supply levels (min/max per kit type), dispensing visits.
- `inventory`: kit types, lots (and expiry changes), depots, kits created in bulk, destruction.
- `shipments`: depot -> site shipments: create (kits chosen by the service), request, ship, receive, cancel.
- `dispensing`: kits dispensed to a subject at a visit, replacements, returns.
- `resupply`: the per-site resupply check (min/max buffer and forecast) that proposes shipments.
- `excursions`: temperature excursions: report (kits quarantined) and the supply manager's decision.
- `planning` (reads) and `forecast` (pure arithmetic) feed `resupply`.

Blinding: a kit's type reveals its arm. Services take and return kit numbers; every message a blinded
user can see names kit numbers, sites, subjects and visits only. Set-up, shipments to depots and excursion
decisions need `supply.manage` (an unblinded role); site staff with `supply.dispense` dispense, receive and
record returns at their own sites.
"""
