"""Regulatory records for the page and API tests, made through the services on the shared `world` (study T-001:
site A1 in the US, site B1 in Japan; site-restricted roles on A1 only)."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from opencro.accounts.permissions import RoleCode
from opencro.documents.models import Document, DocumentVersion
from opencro.regulatory.models import ApplicationType, EthicsCommittee, Submission
from opencro.regulatory.services import submissions as svc
from opencro.studies import services as studies
from opencro.studies.dates import site_today
from opencro.studies.models import ProtocolVersion

RA = RoleCode.REGULATORY_SPECIALIST


def application_type(authority: str, code: str) -> ApplicationType:
    return ApplicationType.objects.select_related("authority").get(authority__code=authority, code=code)


def document_version(world, number: str, status: str, *, site=None) -> DocumentVersion:
    """A document of the study with one version in `status` (made directly: the documents app's services are
    written at the same time; only the fields the regulatory pages read matter here)."""
    now = timezone.now()
    document = Document.objects.create(
        study=world.study,
        number=number,
        title=f"Document {number}",
        level="site" if site else "trial",
        site=site,
        owner=world.admin,
        created_at=now,
    )
    return DocumentVersion.objects.create(
        document=document,
        version="1.0",
        file_name=f"{number}.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        blob_key="k",
        document_date=dt.date(2026, 1, 1),
        status=status,
        uploaded_by=world.admin,
        uploaded_at=now,
    )


@dataclass
class Reg:
    """Builds regulatory records of the world's study as its regulatory specialist."""

    world: object

    @property
    def actor(self):
        return self.world.user(RA)

    def days_ago(self, n: int, site=None) -> dt.date:
        """`n` days before today at the site (A1 by default): an actual date the services accept."""
        return site_today(site or self.world.site_a) - dt.timedelta(days=n)

    def version(self, version: str = "1.0", *, status: str = "approved") -> ProtocolVersion:
        return studies.protocol_item_save(
            actor=None,
            instance=ProtocolVersion(
                study=self.world.study,
                version=version,
                status=status,
                effective_date=dt.date(2026, 1, 1),
                is_amendment=version != "1.0",
            ),
        )

    def committee(self, name: str, *, country=None, scope: str = "central", sites=(), months=12) -> EthicsCommittee:
        committee = EthicsCommittee(
            study=self.world.study,
            name=name,
            scope=scope,
            country=country or self.world.site_a.country,
            continuing_review_months=months,
        )
        return svc.committee_save(actor=self.actor, committee=committee, sites=list(sites) if sites else None)

    def to_authority(self, authority="FDA", code="IND", *, country=None, **extra) -> Submission:
        kind = application_type(authority, code)
        submission = Submission(
            study=self.world.study,
            authority=kind.authority,
            application_type=kind,
            country=country or self.world.site_a.country,
            title=extra.pop("title", f"{authority} {code}"),
            owner=self.actor,
            **extra,
        )
        return svc.submission_create(actor=self.actor, submission=submission)

    def to_committee(self, committee: EthicsCommittee, kind: str = "initial", **extra) -> Submission:
        submission = Submission(
            study=self.world.study,
            committee=committee,
            ethics_kind=kind,
            country=committee.country,
            title=extra.pop("title", f"{committee.name} {kind}"),
            owner=self.actor,
            **extra,
        )
        return svc.submission_create(actor=self.actor, submission=submission)

    def step(self, submission: Submission, step: str, on: dt.date, **kw) -> Submission:
        return svc.submission_step(actor=self.actor, submission=submission, step=step, on=on, **kw)


@pytest.fixture
def reg(world) -> Reg:
    return Reg(world)
