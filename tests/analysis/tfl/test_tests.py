"""Standalone p-value rows (`type: test`) and listings through every renderer, on the hand-made study.

p-values come from tests/reference/tfl/handmade.json (R calls named there; script handmade.R beside it).
"""

import io
import json
from pathlib import Path

import pandas as pd
import pypdf
import pytest

from opencro.analysis.tfl import SpecError, render, run_output

from .conftest import cell, make_spec, stat
from .test_renderers import ADTTE

REFERENCE = json.loads((Path(__file__).resolve().parents[2] / "reference" / "tfl" / "handmade.json").read_text())


def test_logrank_row(datasets):
    datasets["ADTTE"] = ADTTE
    block = {
        "type": "test",
        "label": "Log-rank p-value",
        "dataset": "ADTTE",
        "time": "AVAL",
        "censor": "CNSR",
        "test": {"method": "logrank", "footnote": "Log-rank test."},
    }
    result = run_output(make_spec([block], columns={"variable": "TRT01P", "order": ["A", "B"]}), datasets)
    # R: survdiff(Surv(time, event) ~ arm) (handmade.json)
    assert stat(result.ard, stat_name="pvalue") == pytest.approx(REFERENCE["logrank"]["p"], rel=1e-9)
    assert stat(result.ard, stat_name="statistic") == pytest.approx(REFERENCE["logrank"]["chisq"], rel=1e-9)
    assert cell(result, "Log-rank p-value", "pvalue") == f"{REFERENCE['logrank']['p']:.4f}"
    assert "Log-rank test." in result.layout.footnotes


def test_chisq_row_in_a_named_column(datasets):
    block = {"type": "test", "label": "Sex, chi-square", "variable": "SEX", "test": "chisq", "column": "B"}
    result = run_output(make_spec([block]), datasets)
    # R: chisq.test(matrix(c(2, 2, 3, 2), 2), correct = FALSE)$p.value = 0.7642 (handmade.json)
    assert cell(result, "Sex, chi-square", "B") == "0.7642"
    assert stat(result.ard, stat_name="pvalue") == pytest.approx(REFERENCE["sex_chisq"]["p"], abs=1e-10)
    with pytest.raises(SpecError, match=r"rows\[0\].column: 'C' is not a column"):
        run_output(make_spec([dict(block, column="C")]), datasets)


def test_cmh_row_needs_its_strata(datasets):
    block = {"type": "test", "label": "CMH", "variable": "SEX", "test": {"method": "cmh", "strata": "SITE"}}
    with pytest.raises(SpecError, match=r"rows\[0\].test.strata: SITE not in ADSL"):
        run_output(make_spec([block]), datasets)


def test_listing_renders_in_every_format(datasets):
    spec = make_spec(
        [],
        type="listing",
        titles=["Listing L-1", "Adverse events"],
        listing={"dataset": "ADAE", "columns": ["USUBJID", "AEDECOD"], "sort": ["USUBJID"]},
    )
    result = run_output(spec, datasets)
    rtf = render(result, "rtf").decode("cp1252")
    assert rtf.startswith("{\\rtf1") and "PRURITUS" in rtf
    text = pypdf.PdfReader(io.BytesIO(render(result, "pdf"))).pages[0].extract_text()
    assert "Listing L-1" in text and "S09" in text and "DIARRHOEA" in text
    html = render(result, "html").decode("utf-8")
    assert '<th scope="row"' not in html and "S06" in html
    frame = pd.DataFrame([r.cells for r in result.layout.rows], columns=["USUBJID", "AEDECOD"])
    # 9 population records (S05's is excluded), sorted by subject: S01 x3 first
    assert len(frame) == 9 and frame["USUBJID"].tolist()[:3] == ["S01", "S01", "S01"]
