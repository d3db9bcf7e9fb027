"""Worlds for the analysis app: the shared world with the small eCRF build of tests/edc/builds.py, annotated as a
study builder would annotate it for SDTM (domains on the item groups, SDTM targets on the items)."""

import dataclasses
import datetime as dt

import pytest

from opencro.edc.services.build import build_import
from opencro.edc.services.entry import ItemEntry, form_save
from opencro.edc.spec import spec_cache_clear
from opencro.formats import build as b
from tests.edc.builds import small_build

# A small ADaM and a small output specification over the annotated build's SDTM (DM: USUBJID, ARM, SEX, RFSTDTC)
ADSL_SPEC = """
dataset: ADSL
label: Subject-Level Analysis Dataset
keys: [USUBJID]
base: {source: DM}
variables:
  - {name: USUBJID, label: Unique Subject Identifier, type: text, derivation: {kind: copy}}
  - {name: TRT01P, label: Planned Treatment for Period 01, type: text, derivation: {kind: copy, variable: ARM}}
  - {name: SEX, label: Sex, type: text, derivation: {kind: copy}}
  - name: RANDDT
    label: Date of Randomization
    type: date
    derivation: {kind: date, variable: RFSTDTC}
"""
TABLE_SPEC = """
id: "14-2.01"
titles: ["Table 14-2.01", "Sex by planned treatment"]
population: {label: All subjects, dataset: ADSL}
columns: {variable: TRT01P}
rows:
  - {type: count, label: Sex, variable: SEX}
"""
DOMAINS = {"IG.DM": "DM", "IG.VS": "VS", "IG.AE": "AE"}
TARGETS = {  # item OID -> (SDS_VAR_NAME, SDTM annotation)
    "IT.BRTHDAT": ("BRTHDTC", "DM.BRTHDTC"),
    "IT.SEX": ("SEX", "DM.SEX"),
    "IT.RACE": ("RACE", "DM.RACE"),
    "IT.WEIGHT": ("VSORRES", "VS.VSORRES where VSTESTCD = WEIGHT; VSORRESU = kg"),
    "IT.HEIGHT": ("VSORRES", "VS.VSORRES where VSTESTCD = HEIGHT; VSORRESU = cm"),
    "IT.SYSBP": ("VSORRES", "VS.VSORRES where VSTESTCD = SYSBP; VSORRESU = mmHg"),
    "IT.DIABP": ("VSORRES", "VS.VSORRES where VSTESTCD = DIABP; VSORRESU = mmHg"),
    "IT.AETERM": ("AETERM", "AE.AETERM"),
    "IT.AESTDAT": ("AESTDTC", "AE.AESTDTC"),
    "IT.AEENDAT": ("AEENDTC", "AE.AEENDTC"),
    "IT.AESER": ("AESER", "AE.AESER"),
}


def annotated_build() -> b.StudyBuild:
    """The small build with CDASH/SDTM annotations (ODM ItemGroupDef/@Domain, ItemDef/@SDSVarName, Alias)."""
    build = small_build()
    groups = [dataclasses.replace(g, domain=DOMAINS.get(g.oid, "")) for g in build.item_groups]
    items = []
    for item in build.items:
        if item.oid in TARGETS:
            sds, annotation = TARGETS[item.oid]
            item = dataclasses.replace(item, sds_var_name=sds, aliases=[b.Alias("SDTM", annotation)])
        items.append(item)
    return dataclasses.replace(build, item_groups=groups, items=items)


@pytest.fixture(autouse=True)
def _var(settings, tmp_path):
    """Packages are written under a fresh data folder per test."""
    settings.VAR_DIR = tmp_path


@pytest.fixture
def eager(settings):
    """Jobs run in the request that submits them (once their row is committed), never on a broker."""
    settings.OPENCRO_JOBS_EAGER = True
    settings.OPENCRO_BROKER_URL = ""


@pytest.fixture
def edc_world(world):
    """The shared world with the annotated small build imported and published on T-001."""
    spec_cache_clear()
    world.version = build_import(actor=world.users["data_manager"], study=world.study, build=annotated_build())
    return world


def enter_data(w) -> None:
    """A1-001's screening vital signs (weight, systolic pressure) and sex: enough for VS and DM records."""
    form_save(
        actor=None,
        subject=w.subject_a,
        event_oid="SE.SCR",
        form_oid="F.VS",
        entries=[ItemEntry("IT.WEIGHT", "70.5"), ItemEntry("IT.SYSBP", "120")],
        visit_date=dt.date(2026, 3, 2),
    )
    form_save(actor=None, subject=w.subject_a, event_oid="SE.SCR", form_oid="F.DM", entries=[ItemEntry("IT.SEX", "F")])
