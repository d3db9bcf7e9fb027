"""A case version on the CIOMS I form: boxes filled from the case, read back from the PDF."""

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from opencro.formats.cioms.model import Answer, ReportSource, ReportType
from opencro.safety.cioms import cioms_form, cioms_write
from opencro.safety.models import CaseDrugEvent, CaseLabResult, CaseProduct
from opencro.safety.parts import version_parts
from opencro.safety.services.content import case_part_save, case_version_update
from tests.safety.conftest import report_sae

pytestmark = pytest.mark.django_db


def test_the_boxes_come_from_the_case(safety_world):
    case = report_sae(safety_world, "Pyrexia", criteria="DTH,HOSP", outcome="FATAL", start="2026-11")
    version = case.versions.get()
    physician = safety_world.users["safety_physician"]
    case_version_update(
        actor=physician, version=version, changes={"narrative": "Fever then death."}, reason="narrative"
    )
    case_part_save(
        actor=physician, part=CaseLabResult(version=version, test="CRP", result="210", unit="mg/L", high="5")
    )
    pair = CaseDrugEvent.objects.get(version=version)
    pair.dechallenge = "positive"
    case_part_save(actor=physician, part=pair, reason="site reply")
    case_part_save(actor=physician, part=CaseProduct(version=version, role="2", name="Aspirin", start="2025"))
    form = cioms_form(version_parts(version), report_date=dt.date(2026, 11, 26))
    assert form.reaction.patient_initials == "A1-001" and form.reaction.country == "US" and form.reaction.sex == "F"
    assert str(form.reaction.onset) == "??-NOV-2026"  # a partial onset stays partial
    assert form.reaction.seriousness.patient_died and form.reaction.seriousness.hospitalisation
    assert not form.reaction.seriousness.life_threatening
    assert [r.term for r in form.reaction.reactions] == ["Pyrexia"]
    assert "CRP: 210 mg/L (normal -5)" in form.reaction.lab_data
    [suspect] = form.suspect_drugs
    assert suspect.name == "Cardiozan" and suspect.abated_after_stopping == Answer.YES
    assert [d.name for d in form.concomitant.drugs] == ["Aspirin"]
    assert form.manufacturer.control_number == case.number and form.manufacturer.report_type == ReportType.INITIAL
    assert form.manufacturer.report_sources == {ReportSource.STUDY, ReportSource.HEALTH_PROFESSIONAL}


def test_the_pdf_says_the_treatment_is_blinded(safety_world):
    case = report_sae(safety_world, "Pyrexia")
    out = io.BytesIO()
    cioms_write(case.versions.get(), out, report_date=dt.date(2026, 11, 26))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(out.getvalue())).pages)
    assert "Blinded study treatment" in text and case.number in text and "Pyrexia" in text
