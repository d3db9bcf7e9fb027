"""The demo's analysis specifications, entered by its biostatistician: the SDTM mapping made from the eCRF's
annotations, then reviewed (version 2, below), and the ADaM and output specifications shipped in `demo/analysis/`
(adam/*.yaml, tables/*.yaml).

The review does what a statistical programmer does with the default mapping's notes: the informed consent form is
left out of DS (the platform's eConsent records give the consent milestone; two sources cannot both fill DSSTDTC),
the end-of-study record takes its coded term as DSTERM (an "other" reason goes to SUPPDS as DSTERMOT) and DSCAT
"DISPOSITION EVENT", the physical examination is one test (PEALL: NORMAL or ABNORMAL, the description of abnormal
findings in SUPPPE), and IE is left out (it must hold only the criteria not met, which the engine cannot select
yet: eligibility stays in the platform's checklist).
"""

import copy
from importlib import resources

import yaml

from opencro.accounts.models import User
from opencro.analysis.models import AnalysisSpecKind
from opencro.analysis.services import analysis_spec_save, mapping_spec_create_default, mapping_spec_save
from opencro.studies.models import Study

FOLDERS = {AnalysisSpecKind.ADAM: "adam", AnalysisSpecKind.TFL: "tables"}


def load_analysis_specs(study: Study) -> None:
    statistician = User.objects.get(username="stat")
    default = mapping_spec_create_default(actor=statistician, study=study, note="from the eCRF annotations")
    reviewed = yaml.safe_dump(reviewed_mapping(default.content), sort_keys=False, allow_unicode=True)
    mapping_spec_save(actor=statistician, study=study, text=reviewed, note="reviewed: DS, PE; no IE")
    root = resources.files("opencro.demo") / "analysis"
    for kind, folder in FOLDERS.items():
        for entry in sorted((root / folder).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".yaml"):
                text = entry.read_text(encoding="utf-8")
                analysis_spec_save(actor=statistician, study=study, kind=kind, text=text, note=f"demo/{entry.name}")


def reviewed_mapping(content: dict) -> dict:
    """The demo statistician's edits of the default mapping (see the module docstring)."""
    spec = copy.deepcopy(content)
    spec["domains"] = [d for d in spec["domains"] if d["domain"] != "IE"]
    for domain in spec["domains"]:
        if domain["domain"] == "DS":
            domain["sources"] = [s for s in domain["sources"] if s != "IG.IC"]
            domain["variables"] = [
                {"name": "DSTERM", "item": "IT.DSDECOD"},
                {"name": "DSDECOD", "item": "IT.DSDECOD"},
                {"name": "DSCAT", "origin": "assigned", "value": "DISPOSITION EVENT"},
                {"name": "DSSTDTC", "item": "IT.DSSTDAT"},
            ]
            domain["supp"] = [{"qnam": "DSTERMOT", "qlabel": "Other Reason for Discontinuation", "item": "IT.DSTERM"}]
        if domain["domain"] == "PE":
            domain["tests"] = [
                {
                    "testcd": "PEALL",
                    "test": "Physical Examination",
                    "item": "IT.PEABN",
                    "values": {"Y": "ABNORMAL", "N": "NORMAL"},
                }
            ]
            domain["variables"] = [v for v in domain.get("variables", []) if v.get("item") != "IT.PEDESC"]
            domain["supp"] = [{"qnam": "PEABNDSC", "qlabel": "Description of Abnormal Findings", "item": "IT.PEDESC"}]
    spec.setdefault("notes", []).append("Reviewed: DS from the end-of-study form only; PE as one test; IE left out.")
    return spec
