"""The sites' gates: close-out visits and closed sites, final payments."""

from collections import Counter

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from opencro.closeout.gate_lines import Found, GateLine, Item, Selection, iso, limited
from opencro.closeout.models import CloseoutStep
from opencro.closeout.step_gates.common import StudyData, site_item
from opencro.monitoring.models import MonitoringVisit, VisitFinding, VisitPurpose, VisitStatus
from opencro.payments.earnings import earnings_due
from opencro.payments.models import ContractStatus, PaymentRun, RunStatus, SiteContract
from opencro.studies.models import Site, SiteStatus

OPEN_RUNS = (RunStatus.DRAFT, RunStatus.APPROVED, RunStatus.EXPORTED)


def _counted(counts: Counter, by_id: dict[int, Site], text) -> tuple[Item, ...]:
    """One item per site with its count (`text(n)` the phrase), in site order."""
    ordered = sorted(counts.items(), key=lambda kv: by_id[kv[0]].number)
    return limited([site_item(by_id[site_id], text(n) % {"n": n}) for site_id, n in ordered])


def site_closeout_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    approved = (
        MonitoringVisit.objects.filter(study=d.study, purpose=VisitPurpose.CLOSE_OUT, status=VisitStatus.APPROVED)
        .select_related("site")
        .order_by("site_id", "-approved_at", "-pk")
    )
    latest: dict[int, MonitoringVisit] = {}
    for visit in approved:
        latest.setdefault(visit.site_id, visit)
    started = d.started_sites
    without = [s for s in started if s.pk not in latest]
    open_findings = Counter(
        dict(
            VisitFinding.objects.filter(visit__in=list(latest.values()), resolved_on__isnull=True)
            .values_list("visit__site_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    by_id = {s.pk: s for s in d.sites}
    not_closed = [s for s in d.sites if s.status != SiteStatus.CLOSED]
    n_open = sum(open_findings.values())
    lines = [
        GateLine(
            "visits",
            _("Every site that started had its close-out visit, its report approved"),
            not without,
            ngettext(
                "%(n)d site without an approved close-out visit.",
                "%(n)d sites without an approved close-out visit.",
                len(without),
            )
            % {"n": len(without)}
            if without
            else ngettext("%(n)d site visited.", "%(n)d sites visited.", len(latest)) % {"n": len(latest)},
            limited([site_item(s) for s in without]),
        ),
        GateLine(
            "findings",
            _("Every finding of the close-out visits is resolved"),
            n_open == 0,
            ngettext("%(n)d finding open.", "%(n)d findings open.", n_open) % {"n": n_open} if n_open else "",
            _counted(open_findings, by_id, lambda n: ngettext("%(n)d open", "%(n)d open", n)),
        ),
        GateLine(
            "closed",
            _("Every site is closed"),
            not not_closed,
            ngettext(
                "%(n)d site not closed: close it on its start-up page.",
                "%(n)d sites not closed: close them on their start-up pages.",
                len(not_closed),
            )
            % {"n": len(not_closed)}
            if not_closed
            else "",
            limited([site_item(s, s.get_status_display()) for s in not_closed]),
        ),
    ]
    facts = {
        "sites": [
            {
                "site_id": s.pk,
                "site": s.number,
                "visit": latest[s.pk].number if s.pk in latest else None,
                "visited_on": iso(latest[s.pk].visited_on) if s.pk in latest else None,
                "approved_on": iso(timezone.localdate(latest[s.pk].approved_at))
                if s.pk in latest and latest[s.pk].approved_at
                else None,
                "closed": s.status == SiteStatus.CLOSED,
            }
            for s in d.sites
        ],
    }
    return Found(lines, facts)


def final_payments_gate(d: StudyData, record: CloseoutStep | None, selection: Selection | None) -> Found:
    by_id = {s.pk: s for s in d.sites}
    due = earnings_due(d.study.pk, None, d.today)
    due_sites = Counter(e.site_id for e in due)
    runs = PaymentRun.objects.filter(study=d.study)
    still_open = list(runs.filter(status__in=OPEN_RUNS).order_by("number"))
    contracts = SiteContract.objects.filter(study=d.study, status=ContractStatus.SIGNED).select_related("site")
    held = [c for c in contracts if c.holdback_percent > 0 and c.holdback_released_on is None]
    paid = runs.filter(status=RunStatus.PAID)
    last_paid = paid.aggregate(day=Max("paid_on"))["day"]
    lines = [
        GateLine(
            "nothing_due",
            _("Nothing earned is left off a payment run"),
            not due,
            ngettext("%(n)d amount due at %(s)d site(s).", "%(n)d amounts due at %(s)d site(s).", len(due))
            % {"n": len(due), "s": len(due_sites)}
            if due
            else "",
            _counted(due_sites, by_id, lambda n: ngettext("%(n)d amount", "%(n)d amounts", n)),
        ),
        GateLine(
            "runs_paid",
            _("Every payment run is paid or cancelled"),
            not still_open,
            ngettext("%(n)d run not paid yet.", "%(n)d runs not paid yet.", len(still_open)) % {"n": len(still_open)}
            if still_open
            else "",
            limited([Item(f"{run.number}: {run.get_status_display()}") for run in still_open]),
        ),
        GateLine(
            "holdbacks",
            _("Every holdback is released"),
            not held,
            ngettext("%(n)d holdback not released.", "%(n)d holdbacks not released.", len(held)) % {"n": len(held)}
            if held
            else "",
            limited([site_item(c.site) for c in held]),
        ),
        GateLine(
            "contracts",
            _("Site contracts"),
            True,
            ngettext(
                "%(n)d signed contract; %(r)d payment run(s) paid.",
                "%(n)d signed contracts; %(r)d payment run(s) paid.",
                len(contracts),
            )
            % {"n": len(contracts), "r": paid.count()},
            info=True,
        ),
    ]
    facts = {
        "contracts": len(contracts),
        "runs_paid": paid.count(),
        "last_paid_on": iso(last_paid),
        "holdbacks_released": sum(1 for c in contracts if c.holdback_released_on is not None),
    }
    return Found(lines, facts)
