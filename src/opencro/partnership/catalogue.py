"""The service catalogue a work order chooses from, and the sponsor duties of ICH E6(R3) a work order may transfer.

ICH E6(R3) (Step 4, 6 January 2025), section 3.6.4: "Any of the sponsor's trial-related activities that are
transferred to and assumed by a service provider should be documented in an agreement. The sponsor's trial-related
activities that are not specifically transferred ... are retained by the sponsor"; 3.6.6: the ultimate
responsibility stays with the sponsor, and 3.9 makes the oversight of what was transferred the sponsor's own. So every
duty below is retained unless a work order says otherwise, and oversight can never be transferred.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Service(models.TextChoices):
    PROJECT_MANAGEMENT = "project_management", _("Project management")
    PROTOCOL_DESIGN = "protocol_design", _("Protocol design")
    SITE_SELECTION = "site_selection", _("Site selection")
    RECRUITMENT = "recruitment", _("Recruitment")
    MONITORING = "monitoring", _("Monitoring")
    DATA_MANAGEMENT = "data_management", _("Data management")
    BIOSTATISTICS = "biostatistics", _("Biostatistics")
    REGULATORY = "regulatory", _("Regulatory affairs")
    SAFETY = "safety", _("Safety and pharmacovigilance")


class BudgetUnit(models.TextChoices):
    """What a budget line is priced per: counted from the trial's data (sites, participants, visits, monitoring
    visits) or recorded as cost entries (pass-through costs and fixed fees)."""

    PER_SITE = "per_site", _("Per site")
    PER_PARTICIPANT = "per_participant", _("Per participant")
    PER_VISIT = "per_visit", _("Per visit")
    PER_MONITORING_VISIT = "per_monitoring_visit", _("Per monitoring visit")
    PASS_THROUGH = "pass_through", _("Pass-through cost")
    FIXED = "fixed", _("Fixed fee")


RECORDED_UNITS = frozenset({BudgetUnit.PASS_THROUGH, BudgetUnit.FIXED})  # actuals are the line's cost entries


class Signatory(models.TextChoices):
    """The two parties of a contract, by name (a change order's proposer)."""

    SPONSOR = "sponsor", _("Sponsor")
    CRO = "cro", _("CRO")


class Party(models.TextChoices):
    SPONSOR = "sponsor", _("Retained by the sponsor")
    CRO = "cro", _("Transferred to the CRO")
    SHARED = "shared", _("Shared (split written in the note)")


@dataclass(frozen=True)
class Duty:
    """A sponsor duty of ICH E6(R3) section 3, and the services whose purchase usually transfers it."""

    code: str
    label: str
    section: str
    services: tuple[str, ...] = ()
    transferable: bool = True


S = Service
DUTIES: tuple[Duty, ...] = (
    Duty("trial_design", _("Trial design and protocol"), "3.1", (S.PROTOCOL_DESIGN,)),
    Duty("allocation", _("Allocation of trial activities and resources"), "3.2, 3.3", (S.PROJECT_MANAGEMENT,)),
    Duty("medical_expertise", _("Medical expertise available for trial questions"), "3.4.1", (S.SAFETY,)),
    Duty("financing", _("Financing and investigator payments"), "3.5", (S.PROJECT_MANAGEMENT,)),
    Duty("site_agreements", _("Agreements with investigators and institutions"), "3.6", (S.SITE_SELECTION,)),
    Duty("investigator_selection", _("Investigator and site selection"), "3.7", (S.SITE_SELECTION,)),
    Duty("submissions", _("Communication with ethics committees and regulators"), "3.8", (S.REGULATORY,)),
    Duty("oversight", _("Oversight of the trial and of service providers"), "3.9", transferable=False),
    Duty("quality_management", _("Quality and risk management"), "3.10", (S.MONITORING,)),
    Duty("quality_assurance", _("Quality assurance and audits"), "3.11.1"),
    Duty("monitoring", _("Monitoring"), "3.11.4", (S.MONITORING,)),
    Duty("non_compliance", _("Handling non-compliance"), "3.12", (S.MONITORING,)),
    Duty("safety_reporting", _("Safety assessment and expedited reporting"), "3.13", (S.SAFETY,)),
    Duty("insurance", _("Insurance, indemnification and compensation"), "3.14"),
    Duty("investigational_product", _("Investigational product supply and accountability"), "3.15"),
    Duty("data_handling", _("Data handling and data management"), "3.16.1", (S.DATA_MANAGEMENT,)),
    Duty("statistics", _("Statistical programming and data analysis"), "3.16.2", (S.BIOSTATISTICS,)),
    Duty("reports", _("Trial reports and clinical study report"), "3.17", (S.BIOSTATISTICS,)),
)
DUTY_BY_CODE = {d.code: d for d in DUTIES}


def default_party(duty: Duty, services: list[str]) -> str:
    """The party a new work order assigns `duty` to: the CRO when it buys a service that carries the duty."""
    return Party.CRO if duty.transferable and set(duty.services) & set(services) else Party.SPONSOR
