"""The EDC benchmark workload: a 20-visit, 50-item build with 20 edit checks, and its ODM data file."""

import datetime as dt
import random
from pathlib import Path

from opencro.formats import build as b
from opencro.formats.odm import clinical_model as odm
from opencro.formats.odm.clinical_writer import ClinicalWriter

EVENTS = 20
ITEMS = 50
SITES = 10


def item_oid(n: int) -> str:
    return f"IT.X{n:02d}"


def workload_build() -> b.StudyBuild:
    """Items cycle through integer, decimal, date, coded and text; 20 checks read 2-3 items each."""
    items, refs = [], []
    for n in range(ITEMS):
        kind = n % 5
        item = b.ItemDef(item_oid(n), f"x{n:02d}", question={"en": f"Item {n}"})
        if kind == 0:
            item.data_type, item.length = "integer", 4
            item.range_checks = [b.RangeCheck("LE", ["998"], "Soft")]
        elif kind == 1:
            item.data_type, item.significant_digits = "float", 1
        elif kind == 2:
            item.data_type = "date"
        elif kind == 3:
            item.data_type, item.code_list_oid, item.control_type = "text", "CL.NY", "radio"
        else:
            item.data_type, item.length = "text", 40
        items.append(item)
        refs.append(b.ItemRef(item.oid, mandatory=n < 10))
    checks = [
        b.EditCheckDef(
            f"EC.{n:02d}",
            f"check {n}",
            f"[x{(5 * n) % ITEMS:02d}] > [x{(5 * n + 5) % ITEMS:02d}] + 800 and [x{(5 * n + 3) % ITEMS:02d}] = '1'",
            {"en": f"Check {n} fired"},
            item_oid=item_oid((5 * n) % ITEMS),
        )
        for n in range(EVENTS)
    ]
    events = [
        b.StudyEventDef(f"SE.V{e:02d}", f"Visit {e}", forms=[b.FormRef("F.BENCH", True)], day_offset=1 + 14 * e)
        for e in range(EVENTS)
    ]
    return b.StudyBuild(
        study_oid="S.BENCH",
        study_name="BENCH",
        version_oid="MDV.BENCH",
        version_name="Benchmark build",
        events=events,
        protocol=[b.StudyEventRef(e.oid, order=n) for n, e in enumerate(events)],
        forms=[b.FormDef("F.BENCH", "Assessments", item_groups=[b.ItemGroupRef("IG.BENCH")])],
        item_groups=[b.ItemGroupDef("IG.BENCH", "Assessments", items=refs)],
        items=items,
        code_lists=[
            b.CodeList("CL.NY", "No Yes", items=[b.CodeListItem("1", {"en": "Yes"}), b.CodeListItem("0", {"en": "No"})])
        ],
        edit_checks=checks,
    )


def value_for(n: int, rng: random.Random, day: dt.date) -> str:
    kind = n % 5
    if kind == 0:
        return str(rng.randint(0, 999))
    if kind == 1:
        return f"{rng.uniform(30, 120):.1f}"
    if kind == 2:
        return (day + dt.timedelta(days=rng.randint(-3, 3))).isoformat()
    if kind == 3:
        return rng.choice("01")
    return f"note {rng.randint(1, 10_000)}"


def write_data_file(path: Path, subjects: int, *, seed: int = 1) -> int:
    """Write `subjects` x EVENTS x ITEMS values; return how many values."""
    rng = random.Random(seed)
    values = 0
    start = dt.date(2026, 1, 5)
    with ClinicalWriter(
        path,
        file_oid="BENCH",
        study_oid="S.BENCH",
        metadata_version_oid="MDV.BENCH",
        creation_datetime=dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
        indent=False,
    ) as writer:
        for s in range(subjects):
            site = s % SITES + 1
            events = []
            for e in range(EVENTS):
                day = start + dt.timedelta(days=14 * e)
                items = tuple(odm.ItemValue(item_oid(n), value_for(n, rng, day)) for n in range(ITEMS))
                values += len(items)
                group = odm.ItemGroupData("IG.BENCH", items=items)
                events.append(odm.EventData(f"SE.V{e:02d}", forms=(odm.FormData("F.BENCH", groups=(group,)),)))
            writer.write_subject(
                odm.SubjectData(f"{site:02d}-{s:05d}", site_oid=f"SITE.{site:02d}", events=tuple(events))
            )
    return values
