"""Project rules a reviewer would otherwise repeat, checked over the source (good and bad examples below)."""

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "opencro"

# Bad:  FormData.objects.select_for_update().filter(event=event).first()
#       With a default ordering through foreign keys the query joins subject and study, and PostgreSQL
#       locks every joined row: each form save then locked the study row (saves ran one at a time).
# Good: FormData.objects.select_for_update(of=("self",)).filter(event=event).order_by().first()
BARE_LOCK = re.compile(r"select_for_update\((?![^)]*\bof=)")


def test_every_row_lock_names_its_own_table():
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if BARE_LOCK.search(line)
    ]
    assert not offenders, f'select_for_update without of=("self",): {offenders}'


def test_the_rule_catches_a_bare_lock():
    assert BARE_LOCK.search("Form.objects.select_for_update().get(pk=1)")
    assert not BARE_LOCK.search('Form.objects.select_for_update(of=("self",)).get(pk=1)')


# Bad:  from django.conf import settings        (in opencro/stats/..., opencro/formats/... or an analysis engine)
# Good: the caller passes what the pure code needs; the engines run from a notebook without a database.
PURE_PACKAGES = ("stats", "formats", "analysis/sdtm", "analysis/adam", "analysis/tfl")
DJANGO_IMPORT = re.compile(
    r"^\s*(from|import)\s+(django|opencro\.(accounts|audit|studies|subjects|edc|rtsm|safety|sites"
    r"|monitoring|jobs|coding|followup|recruitment|startup|notices|demo|api|core\.(?!logic)))\b"
)


def test_the_pure_packages_import_no_django():
    offenders = [
        f"{path.relative_to(SRC)}:{n}"
        for package in PURE_PACKAGES
        for path in (SRC / package).rglob("*.py")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if DJANGO_IMPORT.search(line)
    ]
    assert not offenders, f"Django (or a Django app) imported by pure code: {offenders}"


def test_the_rule_catches_a_django_import():
    assert DJANGO_IMPORT.search("from django.conf import settings")
    assert DJANGO_IMPORT.search("    from opencro.studies.models import Study")
    assert not DJANGO_IMPORT.search("from opencro.core.logic import parse")
    assert not DJANGO_IMPORT.search("from opencro.stats.tables import describe")
