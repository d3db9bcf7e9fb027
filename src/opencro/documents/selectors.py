"""Document reads, always inside what the reader may see (`visibility`), and document bodies read back verified."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.core.blobstore import BlobCorrupt, BlobNotFound, digest_of_key
from opencro.documents.models import (
    Document,
    DocumentReview,
    DocumentVersion,
    TmfArtifact,
    VersionStatus,
)
from opencro.documents.store import document_store
from opencro.documents.tmf_selectors import tmf_structure_current
from opencro.documents.visibility import country_ids, place_filter, version_filter
from opencro.studies.models import Country


class DocumentBodyError(Exception):
    """A version's stored body is missing or no longer matches its SHA-256: it is not served (21 CFR 11.10(a))."""


def document_list(
    access: StudyAccess | None,
    study_id: int | None = None,
    *,
    level: str = "",
    country_id: int | None = None,
    site_id: int | None = None,
    artifact_number: str = "",
    status: str = "",
    qc_status: str = "",
    search: str = "",
) -> QuerySet[Document]:
    """The study's documents the reader may see (`access` None: the system, everything of `study_id`), filtered:
    `status` and `qc_status` match any version the reader sees; by number."""
    study_id = access.membership.study_id if access is not None else study_id
    qs = Document.objects.filter(study_id=study_id).filter(place_filter(access))
    visible = DocumentVersion.objects.filter(document__study_id=study_id).filter(version_filter(access))
    if status:
        visible = visible.filter(status=status)
    if qc_status:
        visible = visible.filter(qc_status=qc_status)
    qs = qs.filter(pk__in=visible.values("document_id"))
    if level:
        qs = qs.filter(level=level)
    if country_id is not None:
        qs = qs.filter(Q(country_id=country_id) | Q(site__country_id=country_id))
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if artifact_number:
        qs = qs.filter(artifact__number=artifact_number)
    if search:
        qs = qs.filter(Q(number__icontains=search) | Q(title__icontains=search))
    return qs.select_related("country", "site", "artifact", "owner").order_by("number")


def document_get(access: StudyAccess, document_id: int) -> Document:
    """One document the reader may see, else 404."""
    document = document_list(access).select_related("study").filter(pk=document_id).order_by().first()
    if document is None:
        raise Http404(_("No such document."))
    return document


def version_list(access: StudyAccess | None, document: Document) -> list[DocumentVersion]:
    """The document's versions the reader may see, newest first, each with `current` (the approved or final one)."""
    qs = DocumentVersion.objects.filter(document=document).filter(version_filter(access)).distinct()
    versions = list(qs.select_related("uploaded_by", "qc_by").order_by("-uploaded_at", "-id"))
    for version in versions:
        version.document = document
    return versions


def version_get(access: StudyAccess, document: Document, version_id: int) -> DocumentVersion:
    """One version of a document the reader already found, if the reader may see it; else 404."""
    version = next((v for v in version_list(access, document) if v.pk == version_id), None)
    if version is None:
        raise Http404(_("No such version."))
    return version


def version_current(versions: list[DocumentVersion]) -> DocumentVersion | None:
    """The version in force: the approved (controlled) or final (record) one."""
    return next((v for v in versions if v.status in (VersionStatus.APPROVED, VersionStatus.FINAL)), None)


def versions_current(access: StudyAccess | None, documents: list[Document]) -> dict[int, DocumentVersion]:
    """{document id: its approved or final version} for a page of documents, in one query."""
    qs = DocumentVersion.objects.filter(
        document__in=documents, status__in=(VersionStatus.APPROVED, VersionStatus.FINAL)
    ).filter(version_filter(access))
    return {v.document_id: v for v in qs.distinct().order_by("uploaded_at", "id")}


@dataclass(frozen=True)
class ReviewRow:
    review: DocumentReview
    signature: object | None  # accounts.Signature of an approval, with `is_broken`


def version_reviews(version: DocumentVersion) -> list[ReviewRow]:
    """The version's reviews in the order asked, each approval with its e-signature."""
    signatures = {s.pk: s for s in signatures_for(version)}
    reviews = DocumentReview.objects.filter(version=version).select_related("reviewer", "requested_by")
    return [ReviewRow(r, signatures.get(r.signature_id)) for r in reviews.order_by("requested_at", "id")]


def review_get(access: StudyAccess, version: DocumentVersion, review_id: int) -> DocumentReview:
    review = DocumentReview.objects.filter(version=version, pk=review_id).select_related("reviewer").first()
    if review is None:
        raise Http404(_("No such review."))
    review.version = version
    return review


def review_mine(version: DocumentVersion, user: User) -> DocumentReview | None:
    """The reader's own review of the version still to decide, if any."""
    review = DocumentReview.objects.filter(version=version, reviewer=user, decision="").first()
    if review is not None:
        review.version = version
    return review


def version_body(version: DocumentVersion) -> bytes:
    """The version's bytes read back from the store, verified against the SHA-256 recorded at upload (the key
    names it and the store re-hashes while reading); `DocumentBodyError` rather than bytes that do not match."""
    try:
        if digest_of_key(version.blob_key) != version.sha256:
            raise DocumentBodyError(_("The stored key of this version does not name its recorded SHA-256."))
        return document_store().read(version.blob_key)
    except BlobCorrupt:
        raise DocumentBodyError(
            _("The stored file no longer matches its SHA-256 %(sha)s: it is not served.") % {"sha": version.sha256}
        ) from None
    except (BlobNotFound, ValueError):
        raise DocumentBodyError(_("The stored file of this version cannot be found.")) from None


def reviewer_choices(access: StudyAccess, document: Document) -> list[User]:
    """Active members who approve documents, sign, and whose membership covers the document."""
    from opencro.accounts.models import Membership

    members = Membership.objects.filter(
        study_id=access.membership.study_id, is_active=True, user__is_active=True
    ).select_related("user", "role")
    chosen = []
    for member in members.prefetch_related("sites"):
        perms = member.role.permissions
        if Perm.DOCUMENT_APPROVE not in perms or Perm.SIGN not in perms:
            continue
        sites = {s.pk for s in member.sites.all()}
        if sites and document.site_id not in sites:
            continue
        chosen.append(member.user)
    return sorted(chosen, key=lambda u: u.printed_name)


def artifact_choices(study_id: int, level: str = "") -> QuerySet[TmfArtifact]:
    """The artifacts of the structure in use (at `level`, when given, checked by the service)."""
    structure = tmf_structure_current(study_id)
    if structure is None:
        return TmfArtifact.objects.none()
    return TmfArtifact.objects.filter(structure=structure).order_by("number")


def country_choices(access: StudyAccess) -> QuerySet[Country]:
    qs = Country.objects.filter(study_id=access.membership.study_id)
    ids = country_ids(access)
    return qs if ids is None else qs.filter(pk__in=ids)
