"""What the issue tests share: the roles they act as, texts long enough for each step, raising an issue."""

import datetime as dt

from opencro.accounts.permissions import RoleCode
from opencro.monitoring.issues import services
from opencro.monitoring.issues.dates import issue_today
from opencro.monitoring.models import OversightIssue

PM, MONITOR, DM, SPONSOR = (
    RoleCode.PROJECT_MANAGER,
    RoleCode.MONITOR,
    RoleCode.DATA_MANAGER,
    RoleCode.SPONSOR_OVERSIGHT,
)
AUDITOR, CRC, PI = RoleCode.AUDITOR, RoleCode.STUDY_COORDINATOR, RoleCode.INVESTIGATOR
ROOT_CAUSE = "Site staff turnover: the new coordinator was never trained on AE entry."
CORRECTIVE = "Retrain the coordinator and review every AE page since March."
PREVENTIVE = "Add AE entry to the onboarding checklist of every new site staff member."
CHECK = "Reviewed 20 visits after retraining: every AE entered within 3 days."
REASON = "The monitor asked for a correction."


def site_of(w, site: str):
    return {"a": w.site_a, "b": w.site_b, "": None}[site]


def raise_issue(
    w,
    *,
    actor=PM,
    site: str = "a",
    owner=None,
    key: str = "",
    due: dt.date | None = None,
    source: str = "kri",
    title: str = "AE rate low at the site",
) -> OversightIssue:
    """An issue raised by `actor` (a role), owned by `owner` (a role; default the actor), due in two weeks."""
    the_site = site_of(w, site)
    return services.issue_raise(
        actor=w.user(actor),
        study=w.study,
        site=the_site,
        title=title,
        description="The AE rate per day on study is flagged at -2.",
        source=source,
        source_detail="kri0001 AE rate, snapshot of today",
        source_key=key,
        owner=w.user(owner or actor),
        due_on=due or issue_today(w.study.pk, the_site) + dt.timedelta(days=14),
    )


def planned(w, issue: OversightIssue, actor=PM) -> OversightIssue:
    return services.issue_plan(
        actor=w.user(actor),
        issue=issue,
        root_cause=ROOT_CAUSE,
        corrective_action=CORRECTIVE,
        preventive_action=PREVENTIVE,
    )


def checking(w, issue: OversightIssue, actor=PM) -> OversightIssue:
    return services.issue_implement(actor=w.user(actor), issue=planned(w, issue, actor))


def closed(w, issue: OversightIssue, actor=PM) -> OversightIssue:
    return services.issue_check(
        actor=w.user(actor), issue=checking(w, issue, actor), effectiveness_check=CHECK, effective=True
    )


def make_overdue(issue: OversightIssue, days: int = 1) -> OversightIssue:
    """Move the due date into the past (the services never accept one; the clock does it in real life)."""
    OversightIssue.objects.filter(pk=issue.pk).update(
        due_on=issue_today(issue.study_id, issue.site) - dt.timedelta(days=days)
    )
    return OversightIssue.objects.select_related("site").get(pk=issue.pk)
