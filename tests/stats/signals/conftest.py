"""Shared fixtures: the openEBGM reference files and the CAERS data (skipped when absent)."""

from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "tests" / "reference" / "signals"
CAERS = ROOT.parent / "shared" / "reference" / "signals" / "caers.csv"

# theta printed by openEBGM's vignette 4 ("Empirical Bayes Metrics with openEBGM", 2023-09-14):
# (theta_hat <- hyper_estimates$estimates) -> 3.25379356 0.39988854 2.02612692 1.90807970 0.06534557
VIGNETTE4_THETA = (3.25379356, 0.39988854, 2.02612692, 1.90807970, 0.06534557)


@pytest.fixture(scope="session")
def caers() -> pd.DataFrame:
    if not CAERS.exists():
        pytest.skip(f"CAERS reference data not present: {CAERS}")
    return pd.read_csv(CAERS)


@pytest.fixture(scope="session")
def openebgm_scores() -> pd.DataFrame:
    """openEBGM 0.9.1 scores at VIGNETTE4_THETA for 310 CAERS pairs (tests/reference/signals/openebgm_caers.R)."""
    return pd.read_csv(REFERENCE / "openebgm_caers_scores.csv", keep_default_na=False)


@pytest.fixture(scope="session")
def openebgm_hyper() -> pd.DataFrame:
    """openEBGM 0.9.1 autoHyper fits on CAERS (tests/reference/signals/openebgm_caers.R), indexed by name."""
    return pd.read_csv(REFERENCE / "openebgm_caers_hyper.csv").set_index("name")
