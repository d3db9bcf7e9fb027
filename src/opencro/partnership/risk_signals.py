"""What feeds a work order's risk register: the signals of the study's oversight and of the contract's milestones,
each with a stable key, so it is raised as a risk once (one risk not closed per key), and the study's oversight issues.

The oversight signals are the ones the monitoring issues are raised from, read through the monitoring selectors, not
computed again:

- a KRI flagged at a site at the latest snapshot (`kris.selectors.kri_flags`), keyed as the oversight dashboard keys
  its issues (`kri:<code>:<site>:<flagged since>`, `oversight.dashboard.flag_key`): one key per unbroken run of a flag;
- a QTL with an open signal or breach (`oversight.selectors.qtl_overview`), `qtl:<breach id>`;
- a site flagged by the latest central statistical monitoring run (`oversight.selectors.csm_latest`),
  `csm:<run id>:<site id>` as the central monitoring page keys its issues;
- important deviations not closed at a site (`monitoring.selectors.deviation_list`), `deviations:<site id>`;
- an oversight issue past its due date (`issues.selectors.issue_list`), `issue:<issue id>`;

and, from the contract, a milestone overdue or at risk (`partnership.milestones.milestones_of`),
`milestone:<kind>`. Each signal proposes a category, a likelihood and an impact (`SUGGESTED`), which whoever raises
it may change.

The oversight data are the study's: they are read for an organisation the tenant rule lets reach the study (the
sponsor that owns it, a CRO holding a live work order on it under an agreement in force: `accounts.tenancy`), through
a read-only view of every site (`oversight_access`) that sees no treatment assignment. An organisation that no longer
reaches the study keeps its register and the milestones, not the study's oversight.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import groupby

from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import Membership, Organisation
from opencro.accounts.permissions import Perm
from opencro.accounts.tenancy import organisation_reaches
from opencro.monitoring.issues.selectors import issue_list, issues_for_keys, issues_overdue_ids
from opencro.monitoring.issues.services import DONE_STATUSES
from opencro.monitoring.kris.selectors import kri_definitions, kri_flags
from opencro.monitoring.models import DeviationStatus, OversightIssue, QtlParameter, QtlStatus
from opencro.monitoring.oversight.central_views import finding_text
from opencro.monitoring.oversight.dashboard import flag_key
from opencro.monitoring.oversight.selectors import csm_latest, qtl_overview
from opencro.monitoring.selectors import deviation_list
from opencro.partnership.milestones import MilestoneStatus, milestones_of
from opencro.partnership.models import ProjectRisk, RiskCategory, RiskSource, WorkOrder
from opencro.partnership.models.risks import ACTIVE_STATUSES
from opencro.studies.models import Study

DETAIL_MAX = 300
RED_FLAG = 2  # |flag| of a KRI beyond its outer threshold
# (source, how strong) -> (likelihood, impact) proposed for the risk
SUGGESTED: dict[tuple[str, str], tuple[int, int]] = {
    (RiskSource.KRI, "red"): (4, 3),
    (RiskSource.KRI, "amber"): (3, 3),
    (RiskSource.QTL, QtlStatus.BREACH): (5, 4),
    (RiskSource.QTL, QtlStatus.SIGNAL): (4, 4),
    (RiskSource.CSM, ""): (3, 3),
    (RiskSource.DEVIATION, ""): (3, 4),
    (RiskSource.MONITORING_ISSUE, ""): (4, 3),
    (RiskSource.MILESTONE, MilestoneStatus.OVERDUE): (5, 3),
    (RiskSource.MILESTONE, MilestoneStatus.AT_RISK): (3, 3),
}
SAFETY_QTLS = frozenset({QtlParameter.SAE_RATE})
OPEN_DEVIATIONS = (DeviationStatus.OPEN, DeviationStatus.CONFIRMED)


@dataclass(frozen=True)
class Signal:
    """One signal the register may be fed: its key, where it comes from, what a risk raised from it says (title,
    detail, category), the proposed likelihood and impact, and the oversight issue open for the same key, if any."""

    key: str
    source: str
    title: str
    detail: str
    category: str
    likelihood: int
    impact: int
    site: str = ""  # the site's number; empty: study-wide
    issue: OversightIssue | None = None

    @property
    def source_label(self) -> str:
        return str(RiskSource(self.source).label)


@dataclass(frozen=True)
class SignalRow:
    """A signal and the risk not closed that the register holds for it (None: not in the register yet)."""

    signal: Signal
    risk: ProjectRisk | None


def oversight_access(study: Study) -> StudyAccess:
    """A read-only view of the study's oversight over every site, for the monitoring selectors: it holds
    `oversight.view` only (no treatment assignment, no participant's contact details). Callers have found the work
    order through the reader's organisation and checked `reaches_study`."""
    return StudyAccess(membership=Membership(study=study), permissions=frozenset({Perm.OVERSIGHT_VIEW}), site_ids=None)


def reaches_study(organisation: Organisation | None, work_order: WorkOrder) -> bool:
    """Whether the organisation may read the work order's study (the tenant rule); None: the system (the CLI)."""
    return organisation is None or organisation_reaches(organisation, work_order.study)


def _cut(text: str) -> str:
    return text[:DETAIL_MAX]


def _kri_signals(access: StudyAccess) -> list[Signal]:
    names = dict(kri_definitions(access).values_list("code", "name"))
    snapshot, rows = kri_flags(access)
    found = []
    for row in rows:
        if not row.run.flag or row.site_id is None:
            continue
        name = names.get(row.kri_code, row.kri_code)
        strength = "red" if abs(row.run.flag) >= RED_FLAG else "amber"
        score = "-" if row.score is None else f"{row.score:.2f}"
        since = row.run.flagged_since.isoformat() if row.run.flagged_since else "-"
        likelihood, impact = SUGGESTED[(RiskSource.KRI, strength)]
        found.append(
            Signal(
                key=flag_key(row),
                source=RiskSource.KRI,
                title=_("%(kri)s flagged at site %(site)s") % {"kri": name, "site": row.group},
                detail=_cut(
                    _("%(code)s flag %(flag)+d, score %(score)s at the cut of %(cut)s, flagged since %(since)s")
                    % {
                        "code": row.kri_code,
                        "flag": row.run.flag,
                        "score": score,
                        "cut": snapshot.cut_on.isoformat(),
                        "since": since,
                    }
                ),
                category=RiskCategory.DATA_QUALITY,
                likelihood=likelihood,
                impact=impact,
                site=row.group,
            )
        )
    return found


def _qtl_signals(access: StudyAccess) -> list[Signal]:
    found = []
    for row in qtl_overview(access):
        breach = row.open_breach
        if breach is None:
            continue
        likelihood, impact = SUGGESTED[(RiskSource.QTL, breach.worst_status)]
        latest = row.latest
        estimate = "-" if latest is None or latest.estimate is None else f"{latest.estimate:.4g}"
        found.append(
            Signal(
                key=f"qtl:{breach.pk}",
                source=RiskSource.QTL,
                title=_("QTL %(code)s: %(status)s")
                % {"code": row.qtl.code, "status": QtlStatus(breach.worst_status).label},
                detail=_cut(
                    _("%(parameter)s: estimate %(estimate)s against a limit of %(limit)s")
                    % {
                        "parameter": row.qtl.get_parameter_display(),
                        "estimate": estimate,
                        "limit": f"{row.qtl.limit:g}",
                    }
                ),
                category=RiskCategory.PATIENT_SAFETY if row.qtl.parameter in SAFETY_QTLS else RiskCategory.DATA_QUALITY,
                likelihood=likelihood,
                impact=impact,
            )
        )
    return found


def _csm_signals(access: StudyAccess) -> list[Signal]:
    run = csm_latest(access)
    if run is None:
        return []
    likelihood, impact = SUGGESTED[(RiskSource.CSM, "")]
    return [
        Signal(
            key=f"csm:{run.pk}:{row['site_id']}",
            source=RiskSource.CSM,
            title=_("Central monitoring: site %(site)s ranked %(rank)d") % {"site": row["site"], "rank": row["rank"]},
            detail=_cut(f"CSM {run.cut_on.isoformat()}: " + "; ".join(finding_text(t) for t in row["top"])),
            category=RiskCategory.DATA_QUALITY,
            likelihood=likelihood,
            impact=impact,
            site=row["site"],
        )
        for row in run.ranking
        if row["flagged"]
    ]


def _deviation_signals(access: StudyAccess) -> list[Signal]:
    rows = deviation_list(access, important=True).filter(status__in=OPEN_DEVIATIONS).order_by("site__number", "number")
    likelihood, impact = SUGGESTED[(RiskSource.DEVIATION, "")]
    found = []
    for (site_id, site_number), group in groupby(rows, key=lambda d: (d.site_id, d.site.number)):
        numbers = [d.number for d in group]
        found.append(
            Signal(
                key=f"deviations:{site_id}",
                source=RiskSource.DEVIATION,
                title=_("Important deviations not closed at site %(site)s") % {"site": site_number},
                detail=_cut(", ".join(numbers)),
                category=RiskCategory.DATA_QUALITY,
                likelihood=likelihood,
                impact=impact,
                site=site_number,
            )
        )
    return found


def _issue_signals(access: StudyAccess) -> list[Signal]:
    likelihood, impact = SUGGESTED[(RiskSource.MONITORING_ISSUE, "")]
    return [
        Signal(
            key=f"issue:{issue.pk}",
            source=RiskSource.MONITORING_ISSUE,
            title=_("Issue %(number)s past its due date: %(title)s") % {"number": issue.number, "title": issue.title},
            detail=_cut(
                _("Due on %(due)s, owned by %(owner)s")
                % {"due": issue.due_on.isoformat(), "owner": issue.owner.printed_name}
            ),
            category=RiskCategory.DATA_QUALITY,
            likelihood=likelihood,
            impact=impact,
            site=issue.site.number if issue.site_id else "",
            issue=issue,
        )
        for issue in issue_list(access, overdue=True).order_by("due_on", "id")
    ]


def _milestone_signals(work_order: WorkOrder, today: dt.date) -> list[Signal]:
    found = []
    for m in milestones_of(work_order, today):
        if m.status not in (MilestoneStatus.OVERDUE, MilestoneStatus.AT_RISK):
            continue
        likelihood, impact = SUGGESTED[(RiskSource.MILESTONE, m.status)]
        found.append(
            Signal(
                key=f"milestone:{m.kind}",
                source=RiskSource.MILESTONE,
                title=_("Milestone “%(label)s”: %(status)s") % {"label": m.label, "status": m.status_label.lower()},
                detail=_("Target %(planned)s, forecast %(forecast)s, variance %(variance)s days")
                % {
                    "planned": m.planned.isoformat() if m.planned else "-",
                    "forecast": m.forecast.isoformat() if m.forecast else "-",
                    "variance": m.variance_text,
                },
                category=RiskCategory.TIMELINE,
                likelihood=likelihood,
                impact=impact,
            )
        )
    return found


def signals_of(work_order: WorkOrder, today: dt.date, *, oversight: bool) -> list[Signal]:
    """Every signal of the work order now: the milestones', and the study's oversight when `oversight` (the reader's
    organisation reaches the study). A KRI or central monitoring signal carries the oversight issue open for it."""
    found = _milestone_signals(work_order, today)
    if not oversight:
        return found
    access = oversight_access(work_order.study)
    study_signals = [
        *_kri_signals(access),
        *_qtl_signals(access),
        *_csm_signals(access),
        *_deviation_signals(access),
        *_issue_signals(access),
    ]
    issues = issues_for_keys(access, [s.key for s in study_signals if s.issue is None])
    found += [replace(s, issue=issues[s.key]) if s.key in issues else s for s in study_signals]
    return found


def signal_rows(work_order: WorkOrder, signals: Iterable[Signal]) -> list[SignalRow]:
    """Each signal with the register's risk not closed for its key (one query)."""
    signals = list(signals)
    held = {
        r.source_key: r
        for r in ProjectRisk.objects.filter(
            work_order=work_order, status__in=ACTIVE_STATUSES, source_key__in=[s.key for s in signals]
        )
    }
    return [SignalRow(s, held.get(s.key)) for s in signals]


def signal_get(work_order: WorkOrder, key: str, today: dt.date, *, oversight: bool) -> Signal | None:
    """The signal of the work order with that key now, or None (no such signal, or no longer)."""
    return next((s for s in signals_of(work_order, today, oversight=oversight) if s.key == key), None)


def study_issues(study: Study) -> tuple[list[OversightIssue], set[int]]:
    """The study's oversight issues not closed or cancelled (due first) and which of them are overdue."""
    access = oversight_access(study)
    issues = list(issue_list(access).exclude(status__in=DONE_STATUSES).order_by("due_on", "id"))
    return issues, issues_overdue_ids(access, issues)


def overdue_issues(studies: Iterable[Study]) -> list[OversightIssue]:
    """The oversight issues past their due date of the studies given (the portfolio's), due first."""
    found: list[OversightIssue] = []
    for study in studies:
        found += issue_list(oversight_access(study), overdue=True).select_related("study")
    return sorted(found, key=lambda issue: (issue.due_on, issue.study.protocol_number, issue.number))
