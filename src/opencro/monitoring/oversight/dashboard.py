"""What the oversight dashboard shows, read once for the page and the API: flagged sites and why, funnel plots per
KRI, the site x KRI heat map over time, QTL trends, the central monitoring ranking, open issues and visits due.

Everything is read through the reader's access (site rows of their sites only). A KRI flag's issue is found by its
source key `kri:<code>:<site>:<flagged since>`: one issue per unbroken run of a flag.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.monitoring.issues.selectors import issue_counts_by_site, issues_for_keys
from opencro.monitoring.kris.selectors import FlagRow, kri_definitions, kri_flags, kri_funnel_data, kri_heatmap
from opencro.monitoring.models import CsmRun, IssueSource, KriSnapshot, OversightIssue
from opencro.monitoring.oversight import selectors
from opencro.monitoring.oversight.charts import FunnelPoint, funnel_svg, qtl_trend_svg
from opencro.monitoring.visits.selectors import SiteSchedule, site_schedule
from opencro.studies.selectors import site_scope


def flag_key(row: FlagRow) -> str:
    since = row.run.flagged_since.isoformat() if row.run.flagged_since else ""
    return f"kri:{row.kri_code}:{row.group}:{since}"


@dataclass
class FlagView:
    row: FlagRow
    name: str
    issue: OversightIssue | None
    raise_href: str


@dataclass
class SiteView:
    site_id: int
    number: str
    red: int = 0
    amber: int = 0
    flags: list[FlagView] = field(default_factory=list)
    open_issues: int = 0
    overdue_issues: int = 0
    schedule: SiteSchedule | None = None
    csm_rank: int | None = None
    csm_flagged: bool = False


@dataclass
class Dashboard:
    snapshot: KriSnapshot | None
    sites: list[SiteView]
    funnels: list[tuple[str, str]]  # (KRI code, SVG)
    heatmap_cuts: list
    heatmap: list[tuple[SiteView, list[tuple[str, list[int | None]]]]]
    kri_codes: list[str]
    kri_names: dict[str, str]
    qtls: list
    qtl_charts: dict[int, str]
    csm: CsmRun | None
    csm_rows: list[dict]


def raise_href(study_id: int, row: FlagRow, name: str) -> str:
    """The raise-issue form pre-filled from a KRI flag."""
    score = f"{row.score:.2f}" if row.score is not None else "-"
    metric = f"{row.metric:.4g}" if row.metric is not None else "-"
    query = {
        "site": row.site_id or "",
        "source": IssueSource.KRI,
        "source_detail": f"{row.kri_code} {name}: site {row.group} flag {row.run.flag:+d}, score {score}, "
        f"metric {metric} ({row.numerator:g}/{row.denominator:g})"[:200],
        "source_key": flag_key(row),
        "title": _("%(kri)s flagged at site %(site)s") % {"kri": name, "site": row.group},
    }
    return reverse("oversight:issues:new", args=[study_id]) + "?" + urlencode(query)


def _funnels(access: StudyAccess, snapshot: KriSnapshot, names: dict[str, str]) -> list[tuple[str, str]]:
    study_id = access.membership.study_id
    out = []
    for code in sorted(snapshot.definitions):
        data = kri_funnel_data(access, snapshot, code)
        points = [
            FunnelPoint(
                p.group,
                p.denominator,
                p.metric,
                p.flag,
                reverse("oversight:site", args=[study_id, p.site_id]) if p.site_id else "",
            )
            for p in data.points
            if p.metric is not None
        ]
        if not points:
            continue
        bounds = [(b.threshold, b.denominator, b.metric) for b in data.bounds]
        frozen = snapshot.definitions[code]
        title = f"{code} · {names.get(code, frozen.get('name', code))}"
        out.append((code, funnel_svg(title, points, bounds, x_label=_("Denominator"), y_label=_("Metric"))))
    return out


def dashboard(access: StudyAccess) -> Dashboard:
    study_id = access.membership.study_id
    names = dict(kri_definitions(access).values_list("code", "name"))
    snapshot, rows = kri_flags(access)
    sites = {s.pk: SiteView(s.pk, s.number) for s in site_scope(access).order_by("number")}
    flagged = [r for r in rows if r.run.flag and r.site_id in sites]
    issues = issues_for_keys(access, [flag_key(r) for r in flagged])
    for row in sorted(flagged, key=lambda r: (-abs(r.run.flag), r.kri_code)):
        view = sites[row.site_id]
        name = names.get(row.kri_code, row.kri_code)
        view.flags.append(FlagView(row, name, issues.get(flag_key(row)), raise_href(study_id, row, name)))
        if abs(row.run.flag) >= 2:
            view.red += 1
        else:
            view.amber += 1
    for site_id, counts in issue_counts_by_site(access).items():
        if site_id in sites:
            sites[site_id].open_issues, sites[site_id].overdue_issues = counts.open, counts.overdue
    for schedule in site_schedule(access):
        if schedule.site.pk in sites:
            sites[schedule.site.pk].schedule = schedule
    csm = selectors.csm_latest(access)
    csm_rows = [r for r in (csm.ranking if csm else []) if r["site_id"] in sites]
    for r in csm_rows:
        sites[r["site_id"]].csm_rank, sites[r["site_id"]].csm_flagged = r["rank"], bool(r["flagged"])
    ordered = sorted(sites.values(), key=lambda s: (-s.red, -s.amber, -s.csm_flagged, s.number))
    heat = kri_heatmap(access)
    by_number = {s.number: s for s in sites.values()}
    heatmap = [
        (by_number[group], [(code, heat.flags[group].get(code, [None] * len(heat.cuts))) for code in heat.kri_codes])
        for group in heat.groups
        if group in by_number
    ]
    position = {view.site_id: i for i, view in enumerate(ordered)}
    heatmap.sort(key=lambda item: position[item[0].site_id])
    qtls = selectors.qtl_overview(access)
    charts = {}
    for row in qtls:
        history = selectors.qtl_history(row.qtl)
        if history:
            charts[row.qtl.pk] = qtl_trend_svg(row.qtl, history)
    return Dashboard(
        snapshot=snapshot,
        sites=ordered,
        funnels=_funnels(access, snapshot, names) if snapshot else [],
        heatmap_cuts=heat.cuts,
        heatmap=heatmap,
        kri_codes=heat.kri_codes,
        kri_names=names,
        qtls=qtls,
        qtl_charts=charts,
        csm=csm,
        csm_rows=csm_rows[:10],
    )


def site_flags(access: StudyAccess, site_id: int) -> list[FlagView]:
    """Every KRI of the site at the latest snapshot (flagged or not), with its issue link when flagged."""
    names = dict(kri_definitions(access).values_list("code", "name"))
    _snapshot, rows = kri_flags(access)
    mine = [r for r in rows if r.site_id == site_id]
    issues = issues_for_keys(access, [flag_key(r) for r in mine if r.run.flag])
    study_id = access.membership.study_id
    views = []
    for row in sorted(mine, key=lambda r: r.kri_code):
        name = names.get(row.kri_code, row.kri_code)
        href = raise_href(study_id, row, name) if row.run.flag else ""
        views.append(FlagView(row, name, issues.get(flag_key(row)), href))
    return views
