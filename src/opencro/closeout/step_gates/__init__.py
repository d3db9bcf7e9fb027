"""Each close-out step's gate, read from the trial's own data: one function per step, each returning its lines and
the facts signing it now would record.

A signed step is evaluated on what was signed (the package, the report's version, the archive details) and, where
the data could move under it, against the facts recorded at the signature: the last visit's date, the database lock
in force, the archive details. Evaluated for a new signature (`record` None), only the data count.
"""

from opencro.closeout.step_gates.common import STARTED, StudyData
from opencro.closeout.step_gates.data import (
    CURRENT,
    analysis_package_gate,
    csr_candidates,
    csr_gate,
    database_lock_gate,
    lplv_gate,
    unblinding_gate,
)
from opencro.closeout.step_gates.records import approval_gate, archive_details, archiving_gate, tmf_gate
from opencro.closeout.step_gates.sites import final_payments_gate, site_closeout_gate
from opencro.closeout.steps import StepKey

GATES = {
    StepKey.LPLV: lplv_gate,
    StepKey.DATABASE_LOCK: database_lock_gate,
    StepKey.UNBLINDING: unblinding_gate,
    StepKey.ANALYSIS_PACKAGE: analysis_package_gate,
    StepKey.CSR: csr_gate,
    StepKey.SITE_CLOSEOUT: site_closeout_gate,
    StepKey.FINAL_PAYMENTS: final_payments_gate,
    StepKey.TMF_RECONCILIATION: tmf_gate,
    StepKey.ARCHIVING: archiving_gate,
    StepKey.APPROVAL: approval_gate,
}

__all__ = ["CURRENT", "GATES", "STARTED", "StudyData", "archive_details", "csr_candidates"]
