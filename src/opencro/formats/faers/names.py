"""Names as counting keys: the same product or event spelled with other case or spacing counts as one."""

import pandas as pd


def normalise_names(values: pd.Series) -> pd.Series:
    """Upper-case, trimmed, inner runs of white space made one space ("  Humira  pen" -> "HUMIRA PEN")."""
    return values.fillna("").astype(str).str.replace(r"\s+", " ", regex=True).str.strip().str.upper()
