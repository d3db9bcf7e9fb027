"""Start-up tables: milestones (per country or per site), essential documents and protocol training.

Every model is audited; writes go through `startup.services`. The green light itself is `studies.Site`'s
status and `activated_on`, set only by `startup.services.green_light_give`.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class MilestoneKind(models.TextChoices):
    # country level
    REGULATORY_SUBMISSION = "regulatory_submission", _("Regulatory submission")
    REGULATORY_APPROVAL = "regulatory_approval", _("Regulatory approval")
    CENTRAL_ETHICS_SUBMISSION = "central_ethics_submission", _("Central ethics submission")
    CENTRAL_ETHICS_APPROVAL = "central_ethics_approval", _("Central ethics approval")
    # site level
    SITE_SELECTED = "site_selected", _("Site selected")
    CDA_SIGNED = "cda_signed", _("Confidentiality agreement signed")
    LOCAL_ETHICS_APPROVAL = "local_ethics_approval", _("Local ethics approval")
    CONTRACT_SIGNED = "contract_signed", _("Contract and budget signed")
    DOCUMENTS_COMPLETE = "documents_complete", _("Essential documents complete")
    INITIATION_VISIT = "initiation_visit", _("Site initiation visit")
    GREEN_LIGHT = "green_light", _("Green light")


COUNTRY_MILESTONES = (
    MilestoneKind.REGULATORY_SUBMISSION,
    MilestoneKind.REGULATORY_APPROVAL,
    MilestoneKind.CENTRAL_ETHICS_SUBMISSION,
    MilestoneKind.CENTRAL_ETHICS_APPROVAL,
)
SITE_MILESTONES = (
    MilestoneKind.SITE_SELECTED,
    MilestoneKind.CDA_SIGNED,
    MilestoneKind.LOCAL_ETHICS_APPROVAL,
    MilestoneKind.CONTRACT_SIGNED,
    MilestoneKind.DOCUMENTS_COMPLETE,
    MilestoneKind.INITIATION_VISIT,
    MilestoneKind.GREEN_LIGHT,
)


class StartupMilestone(Audited):
    """One start-up milestone of a country or of a site: its planned and actual dates."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="startup_milestones")
    country = models.ForeignKey(
        "studies.Country", on_delete=models.CASCADE, null=True, blank=True, related_name="startup_milestones"
    )
    site = models.ForeignKey(
        "studies.Site", on_delete=models.CASCADE, null=True, blank=True, related_name="startup_milestones"
    )
    kind = models.CharField(_("milestone"), max_length=32, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("planned date"), null=True, blank=True)
    actual_on = models.DateField(_("actual date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["study", "country", "site", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["country", "kind"], name="startup_milestone_unique_per_country"),
            models.UniqueConstraint(fields=["site", "kind"], name="startup_milestone_unique_per_site"),
            models.CheckConstraint(
                condition=models.Q(country__isnull=True, site__isnull=False)
                | models.Q(country__isnull=False, site__isnull=True),
                name="startup_milestone_country_or_site",
            ),
        ]

    def __str__(self) -> str:
        where = self.site.number if self.site_id else (self.country.code if self.country_id else "")
        return f"{where} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.site_id and self.kind not in SITE_MILESTONES:
            raise ValidationError({"kind": _("This milestone belongs to a country, not a site.")})
        if self.country_id and self.kind not in COUNTRY_MILESTONES:
            raise ValidationError({"kind": _("This milestone belongs to a site, not a country.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, self.site_id


class DocumentKind(models.TextChoices):
    PI_CV = "pi_cv", _("Principal investigator's CV")
    SUB_INVESTIGATOR_CV = "sub_investigator_cv", _("Sub-investigator CV")
    MEDICAL_LICENCE = "medical_licence", _("Medical licence")
    GCP_CERTIFICATE = "gcp_certificate", _("GCP training certificate")
    INVESTIGATOR_STATEMENT = "investigator_statement", _("FDA 1572 or equivalent investigator statement")
    FINANCIAL_DISCLOSURE = "financial_disclosure", _("Financial disclosure")
    LAB_NORMAL_RANGES = "lab_normal_ranges", _("Laboratory normal ranges")
    LAB_CERTIFICATION = "lab_certification", _("Laboratory certification")
    PROTOCOL_SIGNATURE_PAGE = "protocol_signature_page", _("Signed protocol signature page")
    ETHICS_APPROVAL_LETTER = "ethics_approval_letter", _("Ethics approval letter")


# What a site must have approved (and not expired) on the day of its green light.
REQUIRED_DOCUMENTS = (
    DocumentKind.PI_CV,
    DocumentKind.MEDICAL_LICENCE,
    DocumentKind.INVESTIGATOR_STATEMENT,
    DocumentKind.FINANCIAL_DISCLOSURE,
    DocumentKind.LAB_NORMAL_RANGES,
)


class EssentialDocument(Audited):
    """An essential document of a site (ICH E6(R3) appendix C): received, reviewed and approved, maybe expiring."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="essential_documents")
    site = models.ForeignKey("studies.Site", on_delete=models.CASCADE, related_name="essential_documents")
    kind = models.CharField(_("document"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("e.g. whose CV, which laboratory"))
    received_on = models.DateField(_("received on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("reviewer")
    )
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["site", "kind", "received_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}{': ' + self.title if self.title else ''}"

    def clean(self) -> None:
        errors = {}
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            errors["site"] = _("The site belongs to another study.")
        if self.approved_on and self.received_on and self.approved_on < self.received_on:
            errors["approved_on"] = _("A document is approved on or after the day it is received.")
        if self.expires_on and self.received_on and self.expires_on < self.received_on:
            errors["expires_on"] = _("The expiry date is before the day the document was received.")
        if errors:
            raise ValidationError(errors)

    def valid_on(self, day) -> bool:
        """Approved on or before `day` and not expired on it."""
        return (
            self.approved_on is not None
            and self.approved_on <= day
            and (self.expires_on is None or self.expires_on >= day)
        )


class StaffRole(models.TextChoices):
    PRINCIPAL_INVESTIGATOR = "principal_investigator", _("Principal investigator")
    SUB_INVESTIGATOR = "sub_investigator", _("Sub-investigator")
    COORDINATOR = "coordinator", _("Study coordinator")
    PHARMACIST = "pharmacist", _("Pharmacist")
    NURSE = "nurse", _("Study nurse")
    OTHER = "other", _("Other")


class TrainingRecord(Audited):
    """A member of the site staff trained on a protocol version (none when the study keeps no approved version)."""

    study = models.ForeignKey("studies.Study", on_delete=models.CASCADE, related_name="training_records")
    site = models.ForeignKey("studies.Site", on_delete=models.CASCADE, related_name="training_records")
    staff_name = models.CharField(_("staff member"), max_length=200)
    role = models.CharField(_("role at the site"), max_length=32, choices=StaffRole.choices)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_records",
        verbose_name=_("protocol version"),
    )
    trained_on = models.DateField(_("trained on"))
    note = models.TextField(_("note"), blank=True, max_length=2000)

    class Meta:
        ordering = ["site", "trained_on", "staff_name", "id"]

    def __str__(self) -> str:
        version = f" v{self.protocol_version.version}" if self.protocol_version_id else ""
        return f"{self.staff_name} ({self.get_role_display()}){version}"

    def clean(self) -> None:
        errors = {}
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            errors["site"] = _("The site belongs to another study.")
        if self.protocol_version_id and self.study_id and self.protocol_version.study_id != self.study_id:
            errors["protocol_version"] = _("The protocol version belongs to another study.")
        if errors:
            raise ValidationError(errors)
