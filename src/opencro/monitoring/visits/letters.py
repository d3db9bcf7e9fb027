"""The letters of a monitoring visit, as plain text rendered from templates: the confirmation letter sent to the site
before the visit and the follow-up letter sent after the report is approved (ICH E6(R3) 3.11.4.5: the findings and
the actions agreed with the site)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from opencro.accounts.models import User
from opencro.monitoring.models import FindingCategory, MonitoringVisit, VisitFinding, VisitType

CONFIRMATION_TEMPLATE = "monitoring/visits/letters/confirmation.txt"
FOLLOW_UP_TEMPLATE = "monitoring/visits/letters/follow_up.txt"


def _to_prepare(visit_type: str) -> list[str]:
    """What the site makes ready for a visit of this type."""
    common = [
        _("The investigator site file (ISF), with the current protocol, consent forms and approvals."),
        _("Answers to the open data queries of your participants."),
    ]
    if visit_type == VisitType.ONSITE:
        return [
            _("The source documents and medical records of the participants to be verified."),
            *common,
            _("The investigational product, its accountability logs and temperature records."),
            _("A room with access to the EDC, and time with the investigator and the study coordinator."),
        ]
    if visit_type == VisitType.REMOTE:
        return [
            _("Remote access to the source (eSource, or certified copies) of the participants to be verified."),
            *common,
            _("A video call with the investigator and the study coordinator at the agreed time."),
        ]
    return [_("No preparation at the site: the review is of the data already in the EDC."), *common[1:]]


def confirmation_letter(visit: MonitoringVisit) -> str:
    """The confirmation letter of a visit: site, investigator, date, type, monitor, agenda and what to prepare."""
    context = {
        "visit": visit,
        "study": visit.study,
        "site": visit.site,
        "monitor": visit.monitor.printed_name,
        "monitor_email": visit.monitor.email,
        "type": visit.get_visit_type_display(),
        "purpose": visit.get_purpose_display(),
        "agenda": visit.agenda.strip(),
        "prepare": _to_prepare(visit.visit_type),
    }
    return render_to_string(CONFIRMATION_TEMPLATE, context).strip() + "\n"


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one category, in the category's order."""

    label: str
    findings: list[VisitFinding]


def findings_by_category(findings: list[VisitFinding]) -> list[FindingGroup]:
    """Group findings by category in the order of `FindingCategory` (empty categories left out)."""
    return [
        FindingGroup(str(label), [f for f in findings if f.category == value])
        for value, label in FindingCategory.choices
        if any(f.category == value for f in findings)
    ]


def follow_up_letter(visit: MonitoringVisit, findings: list[VisitFinding], approver: User) -> str:
    """The follow-up letter of an approved report: the enrolment and SDV figures, the findings by category with each
    action and its due date, and the general actions."""
    context = {
        "visit": visit,
        "study": visit.study,
        "site": visit.site,
        "monitor": visit.monitor.printed_name,
        "approver": approver.printed_name,
        "type": visit.get_visit_type_display(),
        "groups": findings_by_category(findings),
        "actions": visit.actions.strip(),
        "enrolment": visit.enrolment_status,
        "sdv": visit.sdv_summary,
    }
    return render_to_string(FOLLOW_UP_TEMPLATE, context).strip() + "\n"
