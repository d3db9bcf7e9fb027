"""The demo's coding set-up: its fictional MedDRA (`demo.meddra`) loaded and put in force for OPC-301.

Loaded before the clinical data, so every adverse-event and medical-history verbatim the sites enter is
coded automatically as it is saved (an exact match on a current LLT, `coding.services`), and a serious
adverse event reaches the safety database already coded to its LLT and PT, which gives it an expectedness
against the investigator's brochure and so its reporting clocks. The demo has no WHODrug: medication
verbatims wait, uncoded, in the coder's queue.
"""

import tempfile
from pathlib import Path

from opencro.coding.models import Dictionary, DictionaryKind
from opencro.coding.services import dictionary_load, files_digest, study_coding_configure
from opencro.demo import meddra
from opencro.studies.models import Study

FOLDER = "opencro-demo-meddra-fictional"


def load_coding(study: Study) -> Dictionary:
    """Load the demo MedDRA (or reuse the identical release already loaded) and code the study's verbatims with it.

    A different release stored under the demo's version name is refused by `dictionary_load`.
    """
    with tempfile.TemporaryDirectory() as directory:
        folder = meddra.write_demo_meddra(Path(directory) / FOLDER)
        loaded = Dictionary.objects.filter(
            kind=DictionaryKind.MEDDRA, version=meddra.VERSION, language=meddra.LANGUAGE
        ).first()
        if loaded is None or loaded.digest != files_digest(folder):
            loaded = dictionary_load(actor=None, kind=DictionaryKind.MEDDRA, directory=folder)
    study_coding_configure(
        actor=None, study=study, meddra=loaded, reason="demo set-up: the fictional demo MedDRA is in force"
    )
    return loaded
