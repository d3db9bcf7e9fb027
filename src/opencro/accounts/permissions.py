"""The permissions a role is made of, and the default roles every new study starts with.

A role is a named set of these codes, stored per study so a study can tailor it. Blinding is a
permission like any other: a role without `treatment.view` never sees a treatment assignment.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Perm(models.TextChoices):
    STUDY_VIEW = "study.view", _("View the study and its protocol")
    STUDY_EDIT = "study.edit", _("Edit the protocol, arms, visits and eligibility")
    STUDY_MANAGE_ACCESS = "study.manage_access", _("Grant and revoke memberships, edit roles")
    SITE_VIEW = "site.view", _("View sites")
    SITE_EDIT = "site.edit", _("Create and edit sites")
    SUBJECT_VIEW = "subject.view", _("View subjects")
    SUBJECT_EDIT = "subject.edit", _("Screen, enrol and update subjects")
    TREATMENT_VIEW = "treatment.view", _("See treatment assignments (unblinded)")
    RANDOMISE = "subject.randomise", _("Randomise subjects")
    UNBLIND = "treatment.unblind", _("Break the blind for one subject in an emergency")
    UNBLIND_NOTIFY = "treatment.unblind_notify", _("Be notified of emergency unblinding (medical monitor)")
    RTSM_CONFIGURE = "rtsm.configure", _("Configure randomisation: scheme, factors, lists (unblinded)")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    SIGN = "esign.sign", _("Apply e-signatures")
    DATA_VIEW = "data.view", _("View clinical data (casebooks, forms, queries)")
    DATA_ENTER = "data.enter", _("Enter clinical data")
    BUILD_EDIT = "edc.build", _("Import, edit and publish the study build (eCRFs, edit checks)")
    SIGNOFF = "data.signoff", _("Sign casebooks as investigator")
    DATA_REVIEW = "data.review", _("Review data, raise and close queries")
    SDV = "data.sdv", _("Source data verification")
    DATA_LOCK = "data.lock", _("Freeze and lock data")
    CODING = "data.code", _("Medical coding")
    SAFETY_VIEW = "safety.view", _("View safety cases")
    SAFETY_EDIT = "safety.edit", _("Process safety cases")
    SAFETY_UNBLIND = "safety.unblind", _("Break the blind of a safety case to decide on expedited reporting")
    REGULATORY_VIEW = (
        "regulatory.view",
        _("View regulatory and ethics submissions, approvals and the trial master file"),
    )
    REGULATORY_EDIT = "regulatory.edit", _("Prepare and track regulatory and ethics submissions; build eCTD sequences")
    DOCUMENT_APPROVE = "document.approve", _("Review and approve controlled documents")
    TMF_FILE = "tmf.file", _("Upload documents and file them in the trial master file")
    TMF_QC = "tmf.qc", _("Quality-check documents filed in the trial master file")
    SUPPLY_MANAGE = "supply.manage", _("Manage trial supply: kits, lots, depots, shipments (unblinded)")
    DISPENSE = "supply.dispense", _("Dispense kits, receive shipments, record returns at a site")
    ANALYSIS_RUN = "analysis.run", _("Run analyses and produce TLFs")
    DEVIATION_REPORT = "deviation.report", _("Report protocol deviations")
    DEVIATION_REVIEW = "deviation.review", _("Confirm, classify and close protocol deviations")
    OVERSIGHT_VIEW = "oversight.view", _("View the oversight dashboard: risks, KRIs, QTLs, issues, monitoring visits")
    RISK_MANAGE = "risk.manage", _("Edit the risk assessment, QTLs, KRIs and monitoring plan; compute snapshots")
    RISK_APPROVE = "risk.approve", _("Approve the risk assessment")
    ISSUE_MANAGE = "issue.manage", _("Raise issues and manage their corrective and preventive actions")
    VISIT_MANAGE = "visit.manage", _("Schedule monitoring visits and write their reports")
    VISIT_APPROVE = "visit.approve", _("Review and approve monitoring visit reports")
    PAYMENT_VIEW = "payment.view", _("See site contracts, what sites have earned and payment runs")
    PAYMENT_MANAGE = "payment.manage", _("Record site contracts and fees; prepare and export payment runs")
    PAYMENT_APPROVE = "payment.approve", _("Approve payment runs")
    CLOSEOUT_MANAGE = "closeout.manage", _("Run the study's close-out: record and sign its steps")
    CLOSEOUT_APPROVE = "closeout.approve", _("Approve the study's close-out (the sponsor's final signature)")


READ_ONLY = {Perm.STUDY_VIEW, Perm.SITE_VIEW, Perm.SUBJECT_VIEW, Perm.DATA_VIEW, Perm.AUDIT_VIEW}
_BLINDED_READ = {Perm.STUDY_VIEW, Perm.SITE_VIEW, Perm.SUBJECT_VIEW, Perm.DATA_VIEW}


class RoleCode(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    PROJECT_MANAGER = "project_manager", _("Project manager")
    SPONSOR_OVERSIGHT = "sponsor_oversight", _("Sponsor oversight")
    MONITOR = "monitor", _("Monitor (CRA)")
    DATA_MANAGER = "data_manager", _("Data manager")
    MEDICAL_CODER = "medical_coder", _("Medical coder")
    BIOSTATISTICIAN = "biostatistician", _("Biostatistician (blinded)")
    UNBLINDED_STATISTICIAN = "unblinded_statistician", _("Unblinded statistician")
    SAFETY_PHYSICIAN = "safety_physician", _("Safety physician")
    REGULATORY_SPECIALIST = "regulatory_specialist", _("Regulatory specialist")
    PHARMACIST = "pharmacist", _("Pharmacist (unblinded)")
    INVESTIGATOR = "investigator", _("Investigator")
    STUDY_COORDINATOR = "study_coordinator", _("Study coordinator")
    AUDITOR = "auditor", _("Auditor (read-only)")


DEFAULT_ROLES: dict[str, set[str]] = {
    RoleCode.SYSTEM_ADMIN: {
        Perm.STUDY_VIEW,
        Perm.SITE_VIEW,
        Perm.SUBJECT_VIEW,
        Perm.STUDY_MANAGE_ACCESS,
        Perm.AUDIT_VIEW,
    },
    RoleCode.PROJECT_MANAGER: {
        *_BLINDED_READ,
        Perm.STUDY_EDIT,
        Perm.SITE_EDIT,
        Perm.AUDIT_VIEW,
        Perm.SIGN,
        Perm.STUDY_MANAGE_ACCESS,
        Perm.DEVIATION_REPORT,
        Perm.DEVIATION_REVIEW,
        Perm.OVERSIGHT_VIEW,
        Perm.RISK_MANAGE,
        Perm.RISK_APPROVE,
        Perm.ISSUE_MANAGE,
        Perm.VISIT_MANAGE,
        Perm.VISIT_APPROVE,
        Perm.REGULATORY_VIEW,
        Perm.REGULATORY_EDIT,
        Perm.DOCUMENT_APPROVE,
        Perm.TMF_FILE,
        Perm.TMF_QC,
        Perm.PAYMENT_VIEW,
        Perm.PAYMENT_MANAGE,
        Perm.PAYMENT_APPROVE,
        Perm.CLOSEOUT_MANAGE,
        Perm.CLOSEOUT_APPROVE,  # to grant the sponsor's oversight role; approving what one ran is refused
    },
    RoleCode.SPONSOR_OVERSIGHT: {
        *_BLINDED_READ,
        Perm.AUDIT_VIEW,
        Perm.SIGN,
        Perm.OVERSIGHT_VIEW,
        Perm.RISK_APPROVE,
        Perm.ISSUE_MANAGE,
        Perm.VISIT_APPROVE,
        Perm.REGULATORY_VIEW,
        Perm.DOCUMENT_APPROVE,
        Perm.PAYMENT_VIEW,
        Perm.PAYMENT_APPROVE,
        Perm.CLOSEOUT_APPROVE,
    },
    RoleCode.MONITOR: {
        *_BLINDED_READ,
        Perm.DATA_REVIEW,
        Perm.SDV,
        Perm.AUDIT_VIEW,
        Perm.SIGN,
        Perm.DEVIATION_REPORT,
        Perm.DEVIATION_REVIEW,
        Perm.OVERSIGHT_VIEW,
        Perm.RISK_MANAGE,
        Perm.ISSUE_MANAGE,
        Perm.VISIT_MANAGE,
        Perm.REGULATORY_VIEW,
        Perm.TMF_FILE,
        Perm.PAYMENT_VIEW,
    },
    RoleCode.DATA_MANAGER: {
        *_BLINDED_READ,
        Perm.DATA_REVIEW,
        Perm.DATA_LOCK,
        Perm.BUILD_EDIT,
        Perm.AUDIT_VIEW,
        Perm.SIGN,
        Perm.DEVIATION_REPORT,
        Perm.OVERSIGHT_VIEW,
        Perm.ISSUE_MANAGE,
        Perm.REGULATORY_VIEW,
    },
    RoleCode.MEDICAL_CODER: {*_BLINDED_READ, Perm.CODING},
    RoleCode.BIOSTATISTICIAN: {*_BLINDED_READ, Perm.ANALYSIS_RUN, Perm.SIGN},
    RoleCode.UNBLINDED_STATISTICIAN: {
        *_BLINDED_READ,
        Perm.TREATMENT_VIEW,
        Perm.RTSM_CONFIGURE,
        Perm.ANALYSIS_RUN,
        Perm.SIGN,
    },
    RoleCode.SAFETY_PHYSICIAN: {
        *_BLINDED_READ,
        Perm.SAFETY_VIEW,
        Perm.SAFETY_EDIT,
        Perm.SAFETY_UNBLIND,
        Perm.SIGN,
        Perm.UNBLIND_NOTIFY,
    },
    RoleCode.REGULATORY_SPECIALIST: {
        *_BLINDED_READ,
        Perm.REGULATORY_VIEW,
        Perm.REGULATORY_EDIT,
        Perm.DOCUMENT_APPROVE,
        Perm.TMF_FILE,
        Perm.TMF_QC,
        Perm.SIGN,
    },
    RoleCode.PHARMACIST: {
        Perm.STUDY_VIEW,
        Perm.SITE_VIEW,
        Perm.SUBJECT_VIEW,
        Perm.TREATMENT_VIEW,
        Perm.SUPPLY_MANAGE,
        Perm.DISPENSE,
    },
    RoleCode.INVESTIGATOR: {
        *_BLINDED_READ,
        Perm.SUBJECT_EDIT,
        Perm.DATA_ENTER,
        Perm.RANDOMISE,
        Perm.UNBLIND,
        Perm.DISPENSE,
        Perm.SAFETY_VIEW,
        Perm.SIGN,
        Perm.SIGNOFF,
        Perm.DEVIATION_REPORT,
        Perm.REGULATORY_VIEW,
        Perm.TMF_FILE,
        Perm.PAYMENT_VIEW,
    },
    RoleCode.STUDY_COORDINATOR: {
        *_BLINDED_READ,
        Perm.SUBJECT_EDIT,
        Perm.DATA_ENTER,
        Perm.RANDOMISE,
        Perm.DISPENSE,
        Perm.DEVIATION_REPORT,
        Perm.REGULATORY_VIEW,
        Perm.TMF_FILE,
        Perm.PAYMENT_VIEW,
    },
    RoleCode.AUDITOR: {*READ_ONLY, Perm.SAFETY_VIEW, Perm.OVERSIGHT_VIEW, Perm.REGULATORY_VIEW, Perm.PAYMENT_VIEW},
}

SITE_SCOPED_ROLES = {RoleCode.INVESTIGATOR, RoleCode.STUDY_COORDINATOR, RoleCode.MONITOR, RoleCode.PHARMACIST}


class OrgPerm(models.TextChoices):
    """What a member may do for their organisation (a sponsor or a CRO), beside any study role they hold."""

    VIEW = "org.view", _("See the organisation's studies, agreements and work orders")
    MEMBERS = "org.members", _("Add and remove the organisation's members")
    CONTRACT_EDIT = "contract.edit", _("Draft agreements, work orders, responsibilities and change orders")
    CONTRACT_SIGN = "contract.sign", _("Sign agreements, work orders and change orders for the organisation")
    PROJECT_MANAGE = (
        "project.manage",
        _("Keep the delivery of work orders: the risk register, status reports, their schedule, comments and approval"),
    )


class OrgRole(models.TextChoices):
    ADMIN = "admin", _("Organisation administrator")
    EXECUTIVE = "executive", _("Executive (signs contracts)")
    CONTRACTS = "contracts", _("Contracts manager")
    PROJECT_LEAD = "project_lead", _("Project lead")
    VIEWER = "viewer", _("Viewer")


# Who drafts a contract does not sign it: the two are separate roles.
ORG_ROLES: dict[str, frozenset[str]] = {
    OrgRole.ADMIN: frozenset({OrgPerm.VIEW, OrgPerm.MEMBERS}),
    OrgRole.EXECUTIVE: frozenset({OrgPerm.VIEW, OrgPerm.CONTRACT_SIGN}),
    OrgRole.CONTRACTS: frozenset({OrgPerm.VIEW, OrgPerm.CONTRACT_EDIT}),
    OrgRole.PROJECT_LEAD: frozenset({OrgPerm.VIEW, OrgPerm.PROJECT_MANAGE}),
    OrgRole.VIEWER: frozenset({OrgPerm.VIEW}),
}
