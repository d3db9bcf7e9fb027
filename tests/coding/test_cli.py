"""`opencro coding load-dictionary`: loads a release, prints what it stored, refuses a broken one."""

import json
import time

import pytest
from typer.testing import CliRunner

from opencro.cli.main import app
from opencro.coding.models import Dictionary, DictionaryTerm
from opencro.formats.coding import write_fictional_meddra, write_fictional_whodrug
from tests.coding.bigdict import write_big_meddra
from tests.conftest import make_user
from tests.formats.coding.helpers import append_line

runner = CliRunner()


@pytest.mark.django_db(transaction=True)
def test_load_meddra_and_whodrug(tmp_path):
    meddra = write_fictional_meddra(tmp_path / "MedAscii", "26.1")
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(meddra)])
    assert result.exit_code == 0, result.output
    assert "Loaded MedDRA 26.1 English: 32 terms (31 current), SHA-256" in " ".join(result.output.split())
    whodrug = write_fictional_whodrug(tmp_path / "who", "C3")
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "whodrug", str(whodrug), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert {k: summary[k] for k in ("kind", "format", "terms", "current")} == {
        "kind": "whodrug",
        "format": "C3",
        "terms": 16,
        "current": 16,
    }
    assert Dictionary.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_broken_release_is_rejected_with_its_problems(tmp_path):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    append_line(folder / "llt.asc", "950000099$Orphan$949999999$$$$$$$Y$$")
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(folder)])
    assert result.exit_code == 1
    assert "llt.asc:33: LLT 950000099 points to PT 949999999" in " ".join(result.output.split())
    assert "nothing was written" in result.output
    assert not DictionaryTerm.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_only_a_system_administrator_is_recorded_as_loader(tmp_path):
    folder = write_fictional_meddra(tmp_path / "m", "26.1")
    make_user("plain")
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(folder), "--user", "plain"])
    assert result.exit_code == 1 and "system administrator" in result.output
    make_user("root", superuser=True)
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(folder), "--user", "root"])
    assert result.exit_code == 0, result.output
    assert Dictionary.objects.get().loaded_by.username == "root"
    again = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(folder)])
    assert again.exit_code == 1 and "already loaded" in again.output


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_80000_llts_load_in_seconds(tmp_path):
    """The size of a licensed MedDRA release; printed for docs/performance.md."""
    folder = write_big_meddra(tmp_path / "big", 80_000)
    started = time.perf_counter()
    result = runner.invoke(app, ["coding", "load-dictionary", "--kind", "meddra", str(folder), "--json"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    print(f"\nloaded {summary['terms']:,} LLTs ({summary['current']:,} current) in {elapsed:.1f} s")
    # 24,336 PTs (each an LLT) + 55,664 other LLTs, one in 50 of those non-current
    assert (summary["terms"], summary["current"]) == (80_000, 80_000 - 1_114)
    assert DictionaryTerm.objects.count() == 80_000
