"""Document writes: create a document with its first version, upload a new version, ask for review, decide a review
(approval e-signed), classify a document in the TMF, and record a version's quality check.

Bodies go to the blob store under their SHA-256 before the transaction (write-once and content-addressed, so a body
whose record is then refused is an unreferenced object, never a wrong one). A controlled document's version goes
draft -> in review -> approved when every named reviewer approved it, or back to draft when one asks for changes; a
record (not controlled) is final and filed at upload. Filing makes a version count in the trial master file (ICH
E6(R3) appendix C; EMA/INS/GCP/856758/2018 section 5: documents filed contemporaneously, quality-checked).

Uploading and filing need `tmf.file`, deciding a review `document.approve` (and `esign.sign` for the e-signature),
the quality check `tmf.qc`. A site-restricted member writes only site-level documents of their sites.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_for, access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signature_apply
from opencro.audit.services import audit_batch, audited_save
from opencro.core.text import explanation_required
from opencro.documents.models import (
    Document,
    DocumentLevel,
    DocumentReview,
    DocumentVersion,
    QcStatus,
    ReviewDecision,
    TmfArtifact,
    VersionStatus,
)
from opencro.documents.store import document_store
from opencro.edc.esign import password_confirm
from opencro.edc.uploads import Upload, upload_check
from opencro.studies.models import Country, Site, Study

NUMBER_PREFIX = "DOC-"
EXPLANATION = "Say why in at least %(n)d characters."
FILED = (VersionStatus.APPROVED, VersionStatus.FINAL)
OPEN = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


def _require(
    actor: User | None, study_id: int, level: str, site_id: int | None, perm: str, known: StudyAccess | None
) -> StudyAccess | None:
    """`perm` on the study; a site-restricted member only for site-level documents of their sites."""
    if actor is None:
        return None
    access = access_require(actor, study_id, perm, known=known)
    if access.site_ids is not None and (level != DocumentLevel.SITE or site_id not in access.site_ids):
        raise PermissionDenied(_("Your membership covers site-level documents of your sites only."))
    return access


def _checked_body(file_name: str, content: bytes):
    """The upload as `edc.uploads` accepts it (size, extension, magic bytes), else a located error."""
    try:
        return upload_check(Upload(item_oid="", name=file_name, content=content))
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from None


def _place(study: Study, level: str, country: Country | None, site: Site | None) -> tuple[Country | None, Site | None]:
    """The country and site a document of `level` is kept at (a site's country is the site's own)."""
    if level not in DocumentLevel.values:
        raise ValidationError({"level": _("Choose trial, country or site.")})
    if level == DocumentLevel.TRIAL:
        return None, None
    if level == DocumentLevel.COUNTRY:
        if country is None:
            raise ValidationError({"country": _("Name the country of a country-level document.")})
        if country.study_id != study.pk:
            raise ValidationError({"country": _("The country belongs to another study.")})
        return country, None
    if site is None:
        raise ValidationError({"site": _("Name the site of a site-level document.")})
    if site.study_id != study.pk:
        raise ValidationError({"site": _("The site belongs to another study.")})
    return site.country, site


def _artifact_check(study: Study, artifact: TmfArtifact | None, level: str) -> None:
    if artifact is None:
        return
    if artifact.structure.study_id != study.pk:
        raise ValidationError({"artifact": _("The artifact belongs to another study's TMF structure.")})
    if level not in artifact.levels:
        raise ValidationError(
            {
                "artifact": _("Artifact %(number)s is not filed at the %(level)s level.")
                % {"number": artifact.number, "level": DocumentLevel(level).label.lower()}
            }
        )


def _new_version(
    document: Document,
    *,
    actor: User,
    version: str,
    file_name: str,
    content: bytes,
    document_date: dt.date,
    effective_on: dt.date | None,
    expires_on: dt.date | None,
    change_summary: str,
) -> DocumentVersion:
    """An unsaved version with its body stored (records final and filed now, controlled ones draft)."""
    checked = _checked_body(file_name, content)
    version = (version or "").strip()
    if not version:
        raise ValidationError({"version": _("Give the version (e.g. 1.0).")})
    blob = document_store().put(content, name=checked.name)
    now = timezone.now()
    record = not document.requires_approval
    return DocumentVersion(
        document=document,
        version=version,
        file_name=checked.name,
        content_type=checked.content_type,
        size=blob.size,
        sha256=blob.sha256,
        blob_key=blob.key,
        document_date=document_date,
        effective_on=effective_on,
        expires_on=expires_on,
        status=VersionStatus.FINAL if record else VersionStatus.DRAFT,
        change_summary=(change_summary or "").strip(),
        uploaded_by=actor,
        uploaded_at=now,
        filed_at=now if record else None,
        qc_status=QcStatus.PENDING if record else "",
    )


def document_create(
    *,
    actor: User,
    study: Study,
    title: str,
    file_name: str,
    content: bytes,
    document_date: dt.date,
    level: str = DocumentLevel.TRIAL,
    country: Country | None = None,
    site: Site | None = None,
    artifact: TmfArtifact | None = None,
    requires_approval: bool = True,
    version: str = "1.0",
    effective_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    ectd_section: str = "",
    known: StudyAccess | None = None,
) -> DocumentVersion:
    """Create a document (numbered DOC-0001... per study) and its first version; return the version.

    A controlled document (`requires_approval`) starts as a draft to be reviewed; a record is final and filed in
    the TMF at once.
    """
    _require(actor, study.pk, level, site.pk if site else None, Perm.TMF_FILE, known)
    country, site = _place(study, level, country, site)
    _artifact_check(study, artifact, level)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the document a title.")})
    document = Document(
        study=study,
        title=title,
        level=level,
        country=country,
        site=site,
        artifact=artifact,
        requires_approval=requires_approval,
        ectd_section=(ectd_section or "").strip(),
        owner=actor,
        created_at=timezone.now(),
    )
    first = _new_version(
        document,
        actor=actor,
        version=version,
        file_name=file_name,
        content=content,
        document_date=document_date,
        effective_on=effective_on,
        expires_on=expires_on,
        change_summary="",
    )
    with transaction.atomic(), audit_batch():
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()  # one numbering at a time
        document.number = f"{NUMBER_PREFIX}{Document.objects.filter(study=study).count() + 1:04d}"
        audited_save(document, actor=actor, trusted=("study", "country", "site", "artifact", "owner"))
        first.document = document
        return audited_save(first, actor=actor, trusted=("document", "uploaded_by"))


def _document_locked(document: Document) -> Document:
    return Document.objects.select_for_update(of=("self",)).select_related("study").get(pk=document.pk)


def version_upload(
    *,
    actor: User,
    document: Document,
    version: str,
    file_name: str,
    content: bytes,
    document_date: dt.date,
    change_summary: str = "",
    effective_on: dt.date | None = None,
    expires_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> DocumentVersion:
    """Add a version. Not while one is in review; a draft not yet reviewed is replaced (superseded, never filed);
    a record's new version is final at once and supersedes the previous final one (which stays filed)."""
    _require(actor, document.study_id, document.level, document.site_id, Perm.TMF_FILE, known)
    new = _new_version(
        document,
        actor=actor,
        version=version,
        file_name=file_name,
        content=content,
        document_date=document_date,
        effective_on=effective_on,
        expires_on=expires_on,
        change_summary=change_summary,
    )
    with transaction.atomic(), audit_batch():
        document = _document_locked(document)
        versions = list(DocumentVersion.objects.select_for_update(of=("self",)).filter(document=document))
        if any(v.version == new.version for v in versions):
            raise ValidationError({"version": _("Version %(v)s exists already.") % {"v": new.version}})
        if any(v.status == VersionStatus.IN_REVIEW for v in versions):
            raise ValidationError({"status": _("A version is in review: wait for its reviewers' decisions.")})
        replaced = VersionStatus.DRAFT if document.requires_approval else VersionStatus.FINAL
        for old in versions:
            if old.status == replaced:
                old.status = VersionStatus.SUPERSEDED
                audited_save(old, actor=actor, reason=f"replaced by version {new.version}", trusted=("document",))
        new.document = document
        return audited_save(new, actor=actor, trusted=("document", "uploaded_by"))


def _version_locked(version: DocumentVersion) -> DocumentVersion:
    return (
        DocumentVersion.objects.select_for_update(of=("self",))
        .select_related("document", "document__study")
        .get(pk=version.pk)
    )


def _reviewer_check(document: Document, reviewer: User) -> None:
    access = access_for(reviewer, document.study_id)
    if access is None or not access.can(Perm.DOCUMENT_APPROVE) or not access.can(Perm.SIGN):
        raise ValidationError(
            {"reviewers": _("%(name)s does not approve documents on this study.") % {"name": reviewer.printed_name}}
        )
    if access.site_ids is not None and document.site_id not in access.site_ids:
        raise ValidationError(
            {"reviewers": _("%(name)s's membership does not cover this document.") % {"name": reviewer.printed_name}}
        )


def review_request(
    *,
    actor: User,
    version: DocumentVersion,
    reviewers: list[User],
    due_on: dt.date | None = None,
    known: StudyAccess | None = None,
) -> list[DocumentReview]:
    """Send a draft of a controlled document to named reviewers (members who approve documents and sign; not its
    uploader: four eyes). A draft on which changes were requested is corrected by uploading a new version."""
    document = version.document
    _require(actor, document.study_id, document.level, document.site_id, Perm.TMF_FILE, known)
    people = list({user.pk: user for user in reviewers}.values())
    if not people:
        raise ValidationError({"reviewers": _("Name at least one reviewer.")})
    if any(user.pk == version.uploaded_by_id for user in people):
        raise ValidationError({"reviewers": _("A version is reviewed by someone other than its uploader.")})
    for user in people:
        _reviewer_check(document, user)
    with transaction.atomic(), audit_batch():
        version = _version_locked(version)
        if not version.document.requires_approval:
            raise ValidationError({"status": _("A record is final at upload: it is not reviewed.")})
        if version.status != VersionStatus.DRAFT:
            raise ValidationError({"status": _("Only a draft is sent for review.")})
        if DocumentReview.objects.filter(version=version).exists():
            raise ValidationError({"status": _("Changes were requested on this version: upload a corrected one.")})
        now = timezone.now()
        made = [
            audited_save(
                DocumentReview(version=version, reviewer=user, requested_by=actor, requested_at=now, due_on=due_on),
                actor=actor,
                trusted=("version", "reviewer", "requested_by"),
            )
            for user in people
        ]
        version.status = VersionStatus.IN_REVIEW
        audited_save(version, actor=actor, reason="sent for review", trusted=("document",))
        return made


def review_decide(
    *,
    actor: User,
    review: DocumentReview,
    decision: str,
    comment: str = "",
    password: str = "",
    known: StudyAccess | None = None,
) -> DocumentReview:
    """The reviewer's decision. Approval is e-signed "I approve", bound to the version's content (its SHA-256,
    file name, version and dates: `DocumentVersion.signature_exclude` leaves out only the workflow fields), the
    password re-checked (21 CFR 11.200(a)); the version is approved and filed once every reviewer approved it, the
    previously approved version superseded. Asking for changes (with a comment) sends the version back to draft."""
    document = review.version.document
    access_require(actor, document.study_id, Perm.DOCUMENT_APPROVE, known=known)
    if review.reviewer_id != actor.pk:
        raise PermissionDenied(_("Only the named reviewer decides this review."))
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": _("Approve or request changes.")})
    if decision == ReviewDecision.CHANGES:
        comment = explanation_required(comment, field="comment", message=_(EXPLANATION))
    else:
        password_confirm(actor, password)  # outside the transaction: a wrong password is a failed login
    with transaction.atomic(), audit_batch():
        version = _version_locked(review.version)
        review = DocumentReview.objects.select_for_update(of=("self",)).get(pk=review.pk)
        review.version = version
        if version.status != VersionStatus.IN_REVIEW:
            raise ValidationError({"status": _("This version is not in review.")})
        if review.decision:
            raise ValidationError({"decision": _("You have decided this review already.")})
        now = timezone.now()
        review.decision, review.comment, review.decided_at = decision, (comment or "").strip(), now
        if decision == ReviewDecision.CHANGES:
            audited_save(review, actor=actor, reason=review.comment, trusted=("version",))
            version.status = VersionStatus.DRAFT
            audited_save(version, actor=actor, reason=f"changes requested: {review.comment}", trusted=("document",))
            return review
        review.signature = signature_apply(
            actor=actor, password=password, instance=version, meaning=SignatureMeaning.APPROVE
        )
        audited_save(review, actor=actor, reason="approved (e-signed)", trusted=("version", "signature"))
        pending = DocumentReview.objects.filter(version=version).exclude(decision=ReviewDecision.APPROVED)
        if not pending.exists():
            _approve(version, actor, now)
        return review


def _approve(version: DocumentVersion, actor: User, now: dt.datetime) -> None:
    for old in DocumentVersion.objects.select_for_update(of=("self",)).filter(
        document_id=version.document_id, status=VersionStatus.APPROVED
    ):
        old.status = VersionStatus.SUPERSEDED
        audited_save(old, actor=actor, reason=f"superseded by version {version.version}", trusted=("document",))
    version.status = VersionStatus.APPROVED
    version.approved_at = version.filed_at = now
    version.qc_status = QcStatus.PENDING
    audited_save(version, actor=actor, reason="approved by every reviewer; filed", trusted=("document",))


def document_file(
    *,
    actor: User | None,
    document: Document,
    artifact: TmfArtifact,
    level: str | None = None,
    country: Country | None = None,
    site: Site | None = None,
    reason: str = "",
    known: StudyAccess | None = None,
) -> Document:
    """Classify a document in the TMF: its artifact and the level (and country or site) it is filed at; the
    artifact must be filed at that level (TMF Reference Model User Guide v1.0 section 4.1.9)."""
    level = level or document.level
    target_site = site if level == DocumentLevel.SITE else None
    _require(actor, document.study_id, document.level, document.site_id, Perm.TMF_FILE, known)
    _require(actor, document.study_id, level, target_site.pk if target_site else document.site_id, Perm.TMF_FILE, known)
    with transaction.atomic():
        document = _document_locked(document)
        study = document.study
        if level == DocumentLevel.SITE and site is None:
            site = document.site
        if level == DocumentLevel.COUNTRY and country is None:
            country = document.country
        country, site = _place(study, level, country, site)
        _artifact_check(study, artifact, level)
        first = document.artifact_id is None
        document.artifact, document.level, document.country, document.site = artifact, level, country, site
        why = (reason or "").strip() or (
            f"filed as {artifact.number}" if first else f"reclassified as {artifact.number} ({level})"
        )
        return audited_save(document, actor=actor, reason=why, trusted=("study", "country", "site", "artifact"))


def qc_record(
    *,
    actor: User,
    version: DocumentVersion,
    passed: bool,
    finding: str = "",
    known: StudyAccess | None = None,
) -> DocumentVersion:
    """Record the quality check of a filed version: passed, or rejected with the finding (then it does not count as
    present in the TMF until replaced). The checker is not the version's uploader. A check may be recorded again
    (the trail keeps the earlier one)."""
    document = version.document
    access_require(actor, document.study_id, Perm.TMF_QC, known=known)
    if actor.pk == version.uploaded_by_id:
        raise PermissionDenied(_("A version is quality-checked by someone other than its uploader."))
    finding = (finding or "").strip()
    if not passed:
        finding = explanation_required(finding, field="finding", message=_(EXPLANATION))
    with transaction.atomic():
        version = _version_locked(version)
        if version.filed_at is None:
            raise ValidationError({"status": _("Only a filed version is quality-checked.")})
        again = version.qc_status in (QcStatus.PASSED, QcStatus.REJECTED)
        version.qc_status = QcStatus.PASSED if passed else QcStatus.REJECTED
        version.qc_by, version.qc_at, version.qc_note = actor, timezone.now(), finding
        why = ("QC passed" if passed else f"QC rejected: {finding}") + (" (checked again)" if again else "")
        return audited_save(version, actor=actor, reason=why, trusted=("document", "qc_by"))
