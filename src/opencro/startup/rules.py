"""The green-light rule: what still keeps a site from screening and enrolling on a given day.

One function, `green_light_blockers`, answers for the green-light service (which refuses while the list is
not empty) and for the dashboard and the site page (which show the list). Facts are read once per study
(`startup_facts`), so a dashboard of many sites costs a handful of queries.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from opencro.startup.models import (
    REQUIRED_DOCUMENTS,
    DocumentKind,
    EssentialDocument,
    MilestoneKind,
    StaffRole,
    StartupMilestone,
    TrainingRecord,
)
from opencro.studies.models import ProtocolVersion, ProtocolVersionStatus, Site, SiteStatus


@dataclass(frozen=True)
class Blocker:
    """One missing item: `field` names what it is about (a milestone kind, a document kind, `training`)."""

    field: str
    place: str
    message: str
    country: bool = False  # the site's country lacks it (it blocks every site there)

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


@dataclass
class StartupFacts:
    """A study's start-up records, indexed for the rule and the dashboard."""

    country_milestones: dict[tuple[int, str], StartupMilestone] = field(default_factory=dict)
    site_milestones: dict[tuple[int, str], StartupMilestone] = field(default_factory=dict)
    documents: dict[int, list[EssentialDocument]] = field(default_factory=lambda: defaultdict(list))
    training: dict[int, list[TrainingRecord]] = field(default_factory=lambda: defaultdict(list))
    versions: list[ProtocolVersion] = field(default_factory=list)  # approved or superseded, by effective date

    def milestone(self, site: Site, kind: str) -> StartupMilestone | None:
        return self.site_milestones.get((site.pk, kind))

    def country_milestone(self, country_id: int, kind: str) -> StartupMilestone | None:
        return self.country_milestones.get((country_id, kind))


def startup_facts(study_id: int, site_ids: set[int] | None = None) -> StartupFacts:
    """Read the study's milestones, documents, training and approved protocol versions (sites limited if given)."""
    facts = StartupFacts()
    milestones = StartupMilestone.objects.filter(study_id=study_id)
    documents = EssentialDocument.objects.filter(study_id=study_id)
    training = TrainingRecord.objects.filter(study_id=study_id).select_related("protocol_version")
    if site_ids is not None:
        milestones = milestones.filter(site_id__in=site_ids) | milestones.filter(site__isnull=True)
        documents = documents.filter(site_id__in=site_ids)
        training = training.filter(site_id__in=site_ids)
    for m in milestones:
        if m.site_id:
            facts.site_milestones[(m.site_id, m.kind)] = m
        else:
            facts.country_milestones[(m.country_id, m.kind)] = m
    for d in documents.order_by("received_on", "id"):
        facts.documents[d.site_id].append(d)
    for t in training.order_by("trained_on", "id"):
        facts.training[t.site_id].append(t)
    facts.versions = list(
        ProtocolVersion.objects.filter(
            study_id=study_id,
            status__in=(ProtocolVersionStatus.APPROVED, ProtocolVersionStatus.SUPERSEDED),
            effective_date__isnull=False,
        ).order_by("effective_date", "id")
    )
    return facts


def version_in_force(facts: StartupFacts, on: dt.date) -> ProtocolVersion | None:
    """The approved protocol version in force on `on`: the latest effective on or before it."""
    in_force = [v for v in facts.versions if v.effective_date <= on]
    return in_force[-1] if in_force else None


def _dated(milestone: StartupMilestone | None, on: dt.date) -> bool:
    return milestone is not None and milestone.actual_on is not None and milestone.actual_on <= on


def _late_text(milestone: StartupMilestone | None, on: dt.date, missing: str) -> str:
    if milestone is not None and milestone.actual_on is not None and milestone.actual_on > on:
        return _("dated %(date)s, after %(on)s") % {"date": milestone.actual_on.isoformat(), "on": on.isoformat()}
    return missing


def green_light_blockers(facts: StartupFacts, site: Site, on: dt.date) -> list[Blocker]:
    """Every item that keeps `site` from its green light on `on` (empty: it may be given)."""
    blockers: list[Blocker] = []
    country = site.country
    country_place = _("Country %(code)s") % {"code": country.code}
    site_place = _("Site %(site)s") % {"site": site.number}
    if site.status == SiteStatus.CLOSED:
        blockers.append(Blocker("status", site_place, _("the site is closed")))
    approval = facts.country_milestone(country.pk, MilestoneKind.REGULATORY_APPROVAL)
    if not _dated(approval, on):
        text = _late_text(approval, on, _("no regulatory approval recorded (%(regulator)s)"))
        blockers.append(
            Blocker(
                MilestoneKind.REGULATORY_APPROVAL, country_place, text % {"regulator": country.regulator}, country=True
            )
        )
    central = facts.country_milestone(country.pk, MilestoneKind.CENTRAL_ETHICS_APPROVAL)
    local = facts.milestone(site, MilestoneKind.LOCAL_ETHICS_APPROVAL)
    if not (_dated(central, on) or _dated(local, on)):
        blockers.append(
            Blocker(
                MilestoneKind.LOCAL_ETHICS_APPROVAL,
                site_place,
                _("no ethics approval: neither a central approval for the country nor a local one for the site"),
            )
        )
    for kind, missing in (
        (MilestoneKind.CDA_SIGNED, _("the confidentiality agreement is not signed")),
        (MilestoneKind.CONTRACT_SIGNED, _("the contract and budget are not signed")),
        (MilestoneKind.INITIATION_VISIT, _("the site initiation visit has not taken place")),
    ):
        milestone = facts.milestone(site, kind)
        if not _dated(milestone, on):
            text = _late_text(milestone, on, "")
            text = f"{MilestoneKind(kind).label}: {text}" if text else missing
            blockers.append(Blocker(kind, site_place, text))
    blockers.extend(_document_blockers(facts.documents.get(site.pk, []), site_place, on))
    blockers.extend(_training_blockers(facts, site, site_place, on))
    return blockers


def _document_blockers(documents: list[EssentialDocument], place: str, on: dt.date) -> list[Blocker]:
    blockers = []
    for kind in REQUIRED_DOCUMENTS:
        label = DocumentKind(kind).label
        of_kind = [d for d in documents if d.kind == kind and d.received_on <= on]
        if any(d.valid_on(on) for d in of_kind):
            continue
        approved = [d for d in of_kind if d.approved_on is not None and d.approved_on <= on]
        if approved:
            last = max(d.expires_on for d in approved if d.expires_on is not None)
            text = _("%(document)s expired on %(date)s") % {"document": label, "date": last.isoformat()}
        elif of_kind:
            text = _("%(document)s received but not approved") % {"document": label}
        else:
            text = _("%(document)s not received") % {"document": label}
        blockers.append(Blocker(kind, place, text))
    return blockers


def _training_blockers(facts: StartupFacts, site: Site, place: str, on: dt.date) -> list[Blocker]:
    trained = [
        t for t in facts.training.get(site.pk, []) if t.role == StaffRole.PRINCIPAL_INVESTIGATOR and t.trained_on <= on
    ]
    version = version_in_force(facts, on)
    if version is None and facts.versions:
        first = facts.versions[0]
        text = _("no approved protocol version is in force on %(on)s (version %(version)s is effective from %(date)s)")
        values = {"on": on.isoformat(), "version": first.version, "date": first.effective_date.isoformat()}
        return [Blocker("training", place, text % values)]
    if version is not None:
        trained = [t for t in trained if t.protocol_version_id == version.pk]
    if trained:
        return []
    if version is None:
        text = _("no protocol training of the principal investigator recorded")
        return [Blocker("training", place, text)]
    text = _("the principal investigator is not trained on protocol version %(version)s")
    return [Blocker("training", place, text % {"version": version.version})]
