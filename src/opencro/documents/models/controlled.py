"""Controlled documents: a document of the study, country or site, its versions (bodies kept in the blob store by
their SHA-256, never overwritten), their review and approval by e-signature, and their filing and quality check in
the trial master file."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class DocumentLevel(models.TextChoices):
    TRIAL = "trial", _("Trial")
    COUNTRY = "country", _("Country")
    SITE = "site", _("Site")


class Document(Audited):
    """A document of the study at one level (trial, country or site), classified by its TMF artifact."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="documents")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    level = models.CharField(_("level"), max_length=8, choices=DocumentLevel.choices, default=DocumentLevel.TRIAL)
    country = models.ForeignKey(
        "studies.Country", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    artifact = models.ForeignKey(
        "documents.TmfArtifact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("TMF artifact"),
    )
    requires_approval = models.BooleanField(
        _("controlled (reviewed and approved)"),
        default=True,
        help_text=_("Plans, protocols and consent forms are approved; letters, certificates and CVs are filed final."),
    )
    ectd_section = models.CharField(
        _("eCTD section"), max_length=120, blank=True, help_text=_("e.g. m5-3-5-1, for a leaf of an eCTD sequence")
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="document_number_unique"),
            models.CheckConstraint(
                condition=models.Q(level="trial", country__isnull=True, site__isnull=True)
                | models.Q(level="country", country__isnull=False, site__isnull=True)
                | models.Q(level="site", site__isnull=False),
                name="document_level_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def clean(self) -> None:
        errors = {}
        if self.country_id and self.study_id and self.country.study_id != self.study_id:
            errors["country"] = _("The country belongs to another study.")
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            errors["site"] = _("The site belongs to another study.")
        if self.artifact_id and self.level and self.level not in self.artifact.levels:
            errors["artifact"] = _("Artifact %(number)s is not filed at the %(level)s level.") % {
                "number": self.artifact.number,
                "level": DocumentLevel(self.level).label.lower(),
            }
        if errors:
            raise ValidationError(errors)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")
    FINAL = "final", _("Final (record)")
    SUPERSEDED = "superseded", _("Superseded")


class QcStatus(models.TextChoices):
    PENDING = "pending", _("QC pending")
    PASSED = "passed", _("QC passed")
    REJECTED = "rejected", _("QC rejected")


class DocumentVersion(Audited):
    """One version of a document: its body (by SHA-256 in the blob store), dates, status and TMF filing."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    version = models.CharField(_("version"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    blob_key = models.CharField(_("storage key"), max_length=200)
    document_date = models.DateField(_("document date"), help_text=_("The date the document carries (signed, issued)"))
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    change_summary = models.TextField(_("summary of changes"), blank=True, max_length=4000)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    filed_at = models.DateTimeField(_("filed in the TMF at"), null=True, blank=True)
    qc_status = models.CharField(_("quality check"), max_length=10, choices=QcStatus.choices, blank=True)
    qc_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    qc_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    qc_note = models.TextField(_("QC finding"), blank=True, max_length=2000)

    signature_exclude = ("status", "approved_at", "filed_at", "qc_status", "qc_by", "qc_at", "qc_note")

    class Meta:
        ordering = ["document", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["document", "version"], name="document_version_unique")]
        indexes = [models.Index(fields=["qc_status"], name="docversion_qc")]

    def __str__(self) -> str:
        return f"{self.document.number} v{self.version}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.document.study_id, self.document.site_id

    def clean(self) -> None:
        errors = {}
        if self.effective_on and self.document_date and self.effective_on < self.document_date:
            errors["effective_on"] = _("A document takes effect on or after its date.")
        if self.expires_on and self.document_date and self.expires_on < self.document_date:
            errors["expires_on"] = _("The expiry date is before the document date.")
        if errors:
            raise ValidationError(errors)


class ReviewDecision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    CHANGES = "changes", _("Changes requested")


class DocumentReview(Audited):
    """A review asked of one person for one version; approval is e-signed (meaning "I approve")."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=ReviewDecision.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    signature = models.ForeignKey(
        "accounts.Signature", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["version", "requested_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "reviewer"], name="document_review_once_per_reviewer")
        ]

    def __str__(self) -> str:
        return f"{self.version} review by {self.reviewer}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.version.document.study_id, self.version.document.site_id
