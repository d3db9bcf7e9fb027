"""The demo study's submission package: every XPT (SDTM and ADaM) opens in independent readers (pyreadstat, and R's
haven when Rscript and haven are installed), DM has one record per participant, AE carries the MedDRA coding, both
Define-XML documents pass the project's checks and name every dataset, and every output is there in RTF, PDF and
HTML with its ARD."""

import json
import shutil
import subprocess

import pyreadstat
import pytest
from django.db import transaction
from django.test import override_settings
from lxml import etree

from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.analysis.services import package_build, package_folder, package_start
from opencro.demo.data import PROTOCOL as DEMO_PROTOCOL
from opencro.formats.definexml import check_define, read_define
from opencro.studies.models import Study
from opencro.subjects.models import Subject

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def _built_once(demo_loaded, django_db_blocker, tmp_path_factory):
    """The package, built once for this module's tests (none changes it) in a savepoint rolled back after them."""
    var = tmp_path_factory.mktemp("package-var")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var), transaction.atomic():
        study = Study.objects.get(protocol_number=DEMO_PROTOCOL)
        package = package_build(actor=None, package=package_start(actor=None, study=study, blinded=False))
        assert package.status == PackageStatus.DONE, package.error
        yield package.pk, var
        transaction.set_rollback(True)


@pytest.fixture
def built(_built_once, demo, settings) -> SubmissionPackage:
    pk, settings.VAR_DIR = _built_once
    return SubmissionPackage.objects.get(pk=pk)


def _sdtm(package):
    return package_folder(package) / "m5" / "datasets" / "opc-301" / "tabulations" / "sdtm"


def test_every_xpt_opens_in_pyreadstat_with_the_manifest_counts(built):
    sdtm = _sdtm(built)
    datasets = built.manifest["datasets"]
    for name, counts in datasets.items():
        frame, meta = pyreadstat.read_xport(str(sdtm / f"{name.lower()}.xpt"))
        assert len(frame) == counts["records"], name
        assert all(len(column) <= 8 for column in frame.columns), name
        assert all(len(label or "") <= 40 for label in meta.column_labels), name
    assert {"DM", "AE", "CM", "VS", "LB", "MH", "DS", "EX", "SV", "SE", "TA", "TE", "TV", "TI", "TS"} <= set(datasets)


def test_dm_has_each_participant_once_and_ae_is_coded(built, demo):
    sdtm = _sdtm(built)
    dm, _meta = pyreadstat.read_xport(str(sdtm / "dm.xpt"))
    assert dm["USUBJID"].is_unique
    consented = Subject.objects.filter(study=demo, consents__isnull=False).distinct().count()
    assert len(dm) == consented
    ae, _meta = pyreadstat.read_xport(str(sdtm / "ae.xpt"))
    assert len(ae) > 0
    assert ae["AEDECOD"].replace("", None).notna().any(), "coded adverse events carry their preferred term"
    assert set(ae["USUBJID"]) <= set(dm["USUBJID"])


def test_define_xml_passes_the_checks_and_lists_every_dataset(built):
    sdtm = _sdtm(built)
    document = read_define((sdtm / "define.xml").read_bytes())
    assert check_define(document) == []
    tree = etree.fromstring((sdtm / "define.xml").read_bytes())
    names = {e.get("Name") for e in tree.iter("{*}ItemGroupDef")}
    assert set(built.manifest["datasets"]) <= names


def _adam(package):
    return package_folder(package) / "m5" / "datasets" / "opc-301" / "analysis" / "adam" / "datasets"


def test_adam_datasets_and_their_define_xml(built):
    adam = _adam(built)
    for name, counts in built.manifest["adam"].items():
        frame, _meta = pyreadstat.read_xport(str(adam / f"{name.lower()}.xpt"))
        assert frame.shape == (counts["records"], counts["variables"]), name
    assert {"ADSL", "ADAE", "ADTTE", "ADVS", "ADLB"} <= set(built.manifest["adam"])
    document = read_define((adam / "define.xml").read_bytes())
    assert check_define(document) == []
    assert {g.name for g in document.item_groups} == set(built.manifest["adam"])


def test_every_output_is_rendered_with_its_ard(built):
    tfl = package_folder(built) / "m5" / "53-clin-stud-rep" / "tfl" / "opc-301"
    assert len(built.manifest["outputs"]) >= 9
    for output in built.manifest["outputs"]:
        for suffix in ("rtf", "pdf", "html", "ard.csv", "ard.json"):
            assert (tfl / f"{output['id']}.{suffix}").stat().st_size > 0, (output["id"], suffix)
    assert (tfl / "14-1.01.rtf").read_bytes().startswith(b"{\\rtf1")


def test_the_manifest_on_disk_matches_the_record(built):
    on_disk = json.loads((package_folder(built) / "manifest.json").read_text())
    assert on_disk["datasets"] == built.manifest["datasets"]


R_SCRIPT = """
library(haven)
args <- commandArgs(trailingOnly = TRUE)
for (path in list.files(args[1], pattern = "[.]xpt$", full.names = TRUE)) {
  d <- read_xpt(path)
  cat(basename(path), nrow(d), ncol(d), "\\n")
}
"""


def test_every_xpt_opens_in_r_haven(built, tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None or subprocess.run([rscript, "-e", "library(haven)"], capture_output=True).returncode != 0:
        pytest.skip("R's haven is not installed (apt-get install r-cran-haven)")
    script = tmp_path / "read.R"
    script.write_text(R_SCRIPT)
    for folder, datasets in ((_sdtm(built), built.manifest["datasets"]), (_adam(built), built.manifest["adam"])):
        result = subprocess.run([rscript, str(script), str(folder)], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        read = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in result.stdout.splitlines()}
        for name, counts in datasets.items():
            assert read[f"{name.lower()}.xpt"] == (counts["records"], counts["variables"]), name
