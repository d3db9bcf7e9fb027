"""Reads of the close-out, through the reader's access: the checklist (computed for the whole study, as its gates
must be; a reader restricted to some sites sees only their sites' participants, sites and documents named under
its lines and in its facts), who may sign each step, and the choices a signer makes."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_check
from opencro.accounts.models import Role
from opencro.analysis.models import PackageStatus, SubmissionPackage
from opencro.analysis.selectors import package_list
from opencro.closeout.gate_lines import GateLine
from opencro.closeout.gates import Checklist, StepStatus, checklist_compute
from opencro.closeout.models import Closeout, SiteArchive
from opencro.closeout.step_gates import CURRENT, STARTED, csr_candidates
from opencro.closeout.steps import STEPS, StepDef, step_def
from opencro.documents.models import DocumentLevel, DocumentVersion
from opencro.documents.visibility import country_ids
from opencro.studies.models import Site


def writer_check(access: StudyAccess, *perms: str) -> StudyAccess:
    """Each permission (403), and every site of the study: the close-out is run study-wide (403)."""
    for perm in perms:
        access_check(access, perm)
    if access.site_ids is not None:
        raise PermissionDenied(_("The close-out is run by people who work on every site of the study."))
    return access


def closeout_get(study_id: int) -> Closeout | None:
    return Closeout.objects.filter(study_id=study_id).select_related("started_by").first()


def checklist_read(access: StudyAccess) -> Checklist:
    """The study's checklist now (see `closeout.gates`)."""
    study = access.membership.study
    return checklist_compute(study, closeout_get(study.pk))


def step_found(key: str) -> StepDef:
    """The step named in a URL; 404 for any other name."""
    definition = step_def(key)
    if definition is None:
        raise Http404(_("No such close-out step."))
    return definition


def may_sign(access: StudyAccess, definition: StepDef) -> bool:
    """Whether the reader signs this step: its permission, `esign.sign`, not its barred one, and every site."""
    return access.site_ids is None and definition.signed_by(access.permissions)


def signer_roles(study_id: int) -> dict[str, list[str]]:
    """For each step, the study's roles whose holders sign it (`StepDef.signed_by`)."""
    roles = list(Role.objects.filter(study_id=study_id).order_by("name"))
    return {s.key: [r.label for r in roles if s.signed_by(r.permissions)] for s in STEPS}


@dataclass(frozen=True)
class StepView:
    """A step as one reader sees it: its status, its lines and facts limited to the reader's sites."""

    status: StepStatus
    lines: tuple[GateLine, ...]
    facts: dict
    signers: list[str]
    can_sign: bool

    @property
    def key(self) -> str:
        return self.status.key

    @property
    def definition(self) -> StepDef:
        return self.status.definition

    @property
    def record(self):
        return self.status.record

    @property
    def waiting_for_labels(self) -> list[str]:
        return [step_def(k).label for k in self.status.waiting_for]

    @property
    def sign_here(self) -> bool:
        """The reader may sign it now (the form is offered; the service decides)."""
        return self.can_sign and self.status.signable


def facts_seen(facts: dict, site_ids: frozenset[int] | None) -> dict:
    """The facts with the rows of sites outside the reader's left out."""
    if site_ids is None or "sites" not in facts:
        return facts
    return {**facts, "sites": [row for row in facts["sites"] if row.get("site_id") in site_ids]}


def step_views(access: StudyAccess, checklist: Checklist) -> list[StepView]:
    countries = country_ids(access)
    signers = signer_roles(access.membership.study_id)
    return [
        StepView(
            status=s,
            lines=tuple(line.seen_by(access.site_ids, countries) for line in s.lines),
            facts=facts_seen(s.record.facts if s.record else {}, access.site_ids),
            signers=signers[s.key],
            can_sign=may_sign(access, s.definition),
        )
        for s in checklist.steps
    ]


def package_choices(access: StudyAccess) -> QuerySet[SubmissionPackage]:
    """Built packages the reader sees (an unblinded one only with `treatment.view`), newest first."""
    return package_list(access).filter(status=PackageStatus.DONE).order_by("-number")


def csr_choices(study_id: int) -> QuerySet[DocumentVersion]:
    """Approved trial-level versions of the study: the report is one of them."""
    return csr_candidates(study_id).select_related("document")


def appendix_choices(study_id: int) -> QuerySet[DocumentVersion]:
    """Trial-level versions approved or final (records): the report's appendices are among them."""
    return (
        DocumentVersion.objects.filter(
            document__study_id=study_id, document__level=DocumentLevel.TRIAL, status__in=CURRENT
        )
        .select_related("document")
        .order_by("document__number", "-uploaded_at")
    )


def site_archive_rows(access: StudyAccess, closeout: Closeout | None) -> list[tuple[Site, SiteArchive | None]]:
    """The reader's sites that keep an ISF (they started, or one is recorded), each with its archive if recorded."""
    study_id = access.membership.study_id
    kept = {}
    if closeout is not None:
        kept = {a.site_id: a for a in SiteArchive.objects.filter(access.site_filter(), closeout=closeout)}
    sites = Site.objects.filter(access.site_filter("pk"), study_id=study_id).filter(
        Q(activated_on__isnull=False) | Q(status__in=STARTED) | Q(pk__in=list(kept))
    )
    return [(site, kept.get(site.pk)) for site in sites.order_by("number")]


def site_of_study(access: StudyAccess, site_id: int) -> Site:
    """A site of the study within the reader's sites; 404 otherwise."""
    site = Site.objects.filter(access.site_filter("pk"), study_id=access.membership.study_id, pk=site_id).first()
    if site is None:
        raise Http404(_("No such site."))
    return site
