"""The security sweeps' extension modules: one per app that came after the sweeps were written.

Each module `tests/security/ext_<name>.py` defines:
- `PAGES`, `API`: its rows of the route matrix (see matrix.py);
- `MODULES`, `EXEMPT`, `CASES`: its write-service modules and their cases (see test_services.py);
- `world_data(w)`: what its rows need in the matrix world (ids into `w.ids`, site variants into `w.edc[site]`).
"""

import importlib
from types import ModuleType

NAMES = (
    "startup",
    "sites",
    "participants",
    "recruitment",
    "followup",
    "safety",
    "unblinding",
    "signals",
    "signal_runs",
    "deviations",
    "analysis",
    "oversight",
    "kris",
    "issues",
    "visits",
    "registry",
    "documents",
    "regulatory",
    "partnership",
    "performance",
    "payments",
    "closeout",
    "risks",
)


def extensions() -> list[ModuleType]:
    return [importlib.import_module(f"tests.security.ext_{name}") for name in NAMES]
