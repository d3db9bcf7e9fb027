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
