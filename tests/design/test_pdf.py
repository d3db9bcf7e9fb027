"""The design report PDF: study, design, inputs, results, boundaries, charts, signature, references."""

import datetime as dt
import re

import pytest
from django.http import HttpResponse
from django.utils import translation

from opencro.accounts.signatures import signatures_for
from opencro.design.pdf import design_report_pdf, report_filename
from opencro.design.services import design_adopt
from tests.conftest import PASSWORD
from tests.design.conftest import saved
from tests.security.client import text as text_of

pytestmark = pytest.mark.django_db
PRINTED = dt.datetime(2026, 3, 5, 1, 0, tzinfo=dt.UTC)


def pdf_text(design, **kw) -> str:
    """The report with uncompressed page streams, as text (ReportLab writes Helvetica strings as they are)."""
    content = design_report_pdf(
        design,
        signatures=signatures_for(design),
        printed_by="Stat Tester (biostatistician)",
        printed_at=PRINTED,
        compress=False,
        **kw,
    )
    assert content.startswith(b"%PDF-")
    return content.decode("latin-1")


def test_group_sequential_report(design_world):
    w = design_world
    design = saved(w, "Three looks", kind="gsd", inputs={"k": 3, "n_fixed": 128})
    text = pdf_text(design)
    for expected in ("T-001", "Three looks", "Design report", "Inputs", "Results", "Boundaries per look"):
        assert f"({expected}" in text or expected in text, expected
    assert "3.7103" in text and "Inflation factor" in text and "Lan KKG, DeMets DL \\(1983\\)" in text
    assert "Group-sequential boundaries" in text and "Power against the true effect" in text  # both charts
    assert "The design is not signed." in text
    assert (
        len(
            re.findall(
                rb"/Type /Page\b",
                design_report_pdf(design, signatures=[], printed_by="x", printed_at=PRINTED, compress=False),
            )
        )
        >= 2
    )


def test_adopted_design_shows_the_signature(design_world):
    w = design_world
    design = saved(w)
    design_adopt(actor=w.stat, design=design, protocol_version=w.draft, password=PASSWORD)
    design.refresh_from_db()
    text = pdf_text(design)
    assert w.stat.printed_name in text and "I approve" in text and "valid" in text
    assert "Adoption signature" in text and "Power curve" in text


def test_dose_report_and_compressed_output(design_world):
    w = design_world
    design = saved(w, "BOIN", kind="boin", inputs={"n_sims": 300})
    text = pdf_text(design)
    assert "Operating characteristics per dose" in text and "BOIN decision table" in text
    compressed = design_report_pdf(design, signatures=[], printed_by="x", printed_at=PRINTED)
    assert "T-001" in text_of(HttpResponse(compressed, content_type="application/pdf"))  # the page streams, inflated


def test_japanese_report(design_world):
    w = design_world
    design = saved(w)
    with translation.override("ja"):
        content = design_report_pdf(design, signatures=[], printed_by="x", printed_at=PRINTED)
    assert content.startswith(b"%PDF-")


def test_filename(design_world):
    design = saved(design_world)
    assert report_filename(design, PRINTED) == f"design-T-001-{design.pk}-20260305T010000Z.pdf"
