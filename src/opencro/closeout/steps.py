"""The steps of a study's close-out, in order: what each records, who signs it (the permission of the person who
owns it in real life, beside `esign.sign`), which steps it waits for, and whether it is signed with a choice (the
analysis package, the clinical study report) or after details recorded on its page (archiving).

ICH E6(R3) 3.16 and Appendix C (essential records at the end of the trial), 3.17 (reports); ICH E3 (the clinical
study report); EU CTR 536/2014 Articles 37 (end of the trial) and 58 (archiving); SCDM Good Clinical Data
Management Practices, "Database Closure".
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from opencro.accounts.permissions import Perm


class StepKey(models.TextChoices):
    LPLV = "lplv", _("Last participant, last visit")
    DATABASE_LOCK = "database_lock", _("Database lock")
    UNBLINDING = "unblinding", _("Unblinding of the study")
    ANALYSIS_PACKAGE = "analysis_package", _("Analysis package")
    CSR = "csr", _("Clinical study report")
    SITE_CLOSEOUT = "site_closeout", _("Site close-out visits")
    FINAL_PAYMENTS = "final_payments", _("Final payments")
    TMF_RECONCILIATION = "tmf_reconciliation", _("TMF reconciliation")
    ARCHIVING = "archiving", _("Archiving")
    APPROVAL = "approval", _("Sponsor approval")


class Choice(models.TextChoices):
    """What a step is signed with, beside the password: nothing, or a record chosen on its page."""

    NONE = "", _("nothing")
    PACKAGE = "package", _("the analysis package")
    CSR = "csr", _("the clinical study report version and its appendices")
    ARCHIVE = "archive", _("the archive details recorded on its page")


@dataclass(frozen=True)
class StepDef:
    """One step: its key, the permission that signs it, the steps it waits for, and what it is for."""

    key: str
    perm: str
    after: tuple[str, ...]
    purpose: Promise
    choice: str = Choice.NONE
    barred: str = ""  # a permission whose holders do not sign the step (who runs the close-out does not approve it)

    def signed_by(self, permissions) -> bool:
        """Whether a holder of `permissions` signs the step: its permission and `esign.sign`, not the barred one."""
        held = set(permissions)
        return self.perm in held and Perm.SIGN in held and not (self.barred and self.barred in held)

    @property
    def label(self) -> str:
        return str(StepKey(self.key).label)

    @property
    def number(self) -> int:
        return ORDER.index(self.key) + 1

    @property
    def on_own_page(self) -> bool:
        """Signed on the step's page (a choice to make or details to record there), not on the checklist."""
        return self.choice != Choice.NONE


K = StepKey
STEPS: tuple[StepDef, ...] = (
    StepDef(
        K.LPLV,
        Perm.CLOSEOUT_MANAGE,
        (),
        _("Every participant has finished: no one in screening or on study, enrolment over, the last visit dated."),
    ),
    StepDef(
        K.DATABASE_LOCK,
        Perm.DATA_LOCK,
        (K.LPLV,),
        _("The EDC's database lock is in force: locked from the lock checklist once nothing was open."),
    ),
    StepDef(
        K.UNBLINDING,
        Perm.TREATMENT_VIEW,
        (K.DATABASE_LOCK,),
        _("The blind is broken for the final analysis, on the locked database; emergency unblindings are counted."),
    ),
    StepDef(
        K.ANALYSIS_PACKAGE,
        Perm.ANALYSIS_RUN,
        (K.UNBLINDING,),
        _("The submission data package with the real treatment arms, built on the lock in force."),
        Choice.PACKAGE,
    ),
    StepDef(
        K.CSR,
        Perm.DOCUMENT_APPROVE,
        (K.ANALYSIS_PACKAGE,),
        _("The approved clinical study report, approved after the package it reports on, with its appendices."),
        Choice.CSR,
    ),
    StepDef(
        K.SITE_CLOSEOUT,
        Perm.VISIT_APPROVE,
        (K.DATABASE_LOCK,),
        _(
            "Every site that started had its close-out visit, the report approved, its findings resolved; every site "
            "is closed."
        ),
    ),
    StepDef(
        K.FINAL_PAYMENTS,
        Perm.PAYMENT_APPROVE,
        (K.SITE_CLOSEOUT,),
        _("Every site is paid: nothing earned left off a run, every run paid, every holdback released."),
    ),
    StepDef(
        K.TMF_RECONCILIATION,
        Perm.TMF_QC,
        (K.CSR, K.SITE_CLOSEOUT),
        _(
            "The trial master file is complete, close-out artifacts included; every document passed its quality "
            "check; the report is filed."
        ),
    ),
    StepDef(
        K.ARCHIVING,
        Perm.REGULATORY_EDIT,
        (
            K.LPLV,
            K.DATABASE_LOCK,
            K.UNBLINDING,
            K.ANALYSIS_PACKAGE,
            K.CSR,
            K.SITE_CLOSEOUT,
            K.FINAL_PAYMENTS,
            K.TMF_RECONCILIATION,
        ),
        _("Where the sponsor's TMF and each site's investigator site file are archived, and until when."),
        Choice.ARCHIVE,
    ),
    StepDef(
        K.APPROVAL,
        Perm.CLOSEOUT_APPROVE,
        tuple(k for k in K.values if k != K.APPROVAL),
        _("The sponsor approves the close-out: the study is closed."),
        barred=Perm.CLOSEOUT_MANAGE,
    ),
)
ORDER: tuple[str, ...] = tuple(s.key for s in STEPS)
BY_KEY: dict[str, StepDef] = {s.key: s for s in STEPS}
SIGNED_HERE = tuple(k for k in ORDER if k != StepKey.APPROVAL)  # signed with `closeout_step_sign`


def step_def(key: str) -> StepDef | None:
    return BY_KEY.get(key)
