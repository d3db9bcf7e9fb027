"""The EDC world with the fictional MedDRA 26.1 and 27.0 and WHODrug B3 and C3 loaded, and AETERM coded."""

from dataclasses import dataclass

import pytest

from opencro.coding.models import Dictionary
from opencro.coding.services import dictionary_load, study_coding_configure
from opencro.formats.coding import write_fictional_meddra, write_fictional_whodrug
from tests.edc.conftest import edc_world  # noqa: F401 (the fixture, shared with tests/edc)


@dataclass
class Dictionaries:
    meddra_26: Dictionary
    meddra_27: Dictionary
    whodrug_b3: Dictionary
    whodrug_c3: Dictionary


def load_fictional(root) -> Dictionaries:
    """Write and load the four fictional releases (as the system: actor None)."""
    return Dictionaries(
        meddra_26=dictionary_load(actor=None, kind="meddra", directory=write_fictional_meddra(root / "m261", "26.1")),
        meddra_27=dictionary_load(actor=None, kind="meddra", directory=write_fictional_meddra(root / "m270", "27.0")),
        whodrug_b3=dictionary_load(actor=None, kind="whodrug", directory=write_fictional_whodrug(root / "b3", "B3")),
        whodrug_c3=dictionary_load(actor=None, kind="whodrug", directory=write_fictional_whodrug(root / "c3", "C3")),
    )


@pytest.fixture
def dictionaries(db, tmp_path) -> Dictionaries:
    return load_fictional(tmp_path)


@pytest.fixture
def coding_world(edc_world, dictionaries):  # noqa: F811 (the imported fixture, requested by name)
    """edc_world with MedDRA 26.1 and WHODrug B3 in force and IT.AETERM coded with MedDRA by configuration."""
    study_coding_configure(
        actor=edc_world.users["data_manager"],
        study=edc_world.study,
        meddra=dictionaries.meddra_26,
        whodrug=dictionaries.whodrug_b3,
        items={"IT.AETERM": "MedDRA"},
    )
    edc_world.dictionaries = dictionaries
    return edc_world
