"""Tables, listings and figures from declarative output specifications: an analysis results dataset, rendered to
RTF, PDF and HTML (pure: pandas and ReportLab, no Django).

    spec = load_spec("examples/cdiscpilot01/tables/14-3.01.yaml")
    datasets = load_datasets("adam/", datasets_needed(spec))
    result = run_output(spec, datasets)          # result.ard: one row per statistic; result.layout
    write_output(result, "out/", ("rtf", "pdf", "html"))

The flow is specification (YAML, `spec`) -> ARD (`ard`, computed by the blocks `count`, `summary`, `testing`,
`model`, `repeated` (MMRM), `hazard` (Cox) and `figures` with the statistics of `opencro.stats`) -> layout
(`layout`) -> renderers (`render_rtf`, `render_pdf`, `render_html`), which read only the ARD and the layout.
"""

from opencro.analysis.tfl.ard import ARD_COLUMNS, read_ard_json, write_ard
from opencro.analysis.tfl.data import load_datasets, read_dataset
from opencro.analysis.tfl.engine import (
    FORMATS,
    OutputResult,
    datasets_needed,
    render,
    run_output,
    run_spec_file,
    write_output,
)
from opencro.analysis.tfl.errors import DataError, SpecError, TflError
from opencro.analysis.tfl.layout import TableLayout
from opencro.analysis.tfl.spec import OutputSpec, load_spec, parse_spec

__all__ = [
    "ARD_COLUMNS",
    "FORMATS",
    "DataError",
    "OutputResult",
    "OutputSpec",
    "SpecError",
    "TableLayout",
    "TflError",
    "datasets_needed",
    "load_datasets",
    "load_spec",
    "parse_spec",
    "read_ard_json",
    "read_dataset",
    "render",
    "run_output",
    "run_spec_file",
    "write_ard",
    "write_output",
]
