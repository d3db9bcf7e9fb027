"""The close-out of a study (one per study), its signed steps and where each site's investigator site file is archived.

A step has a row once it is signed: who signed it when, what its gate found true at that moment (`facts`: dates,
counts, the package or document version chosen), and a note; signing it again (after it stopped holding) updates the
row, which breaks the earlier signature, visibly and audited. Whether a step is ready, signed or no longer holds is
computed from the data each time (`closeout.gates`), never stored.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.closeout.retention import YEARS_MAX, RetentionRuleCode
from opencro.closeout.steps import StepKey

validate_sha256 = RegexValidator(r"^[0-9a-f]{64}$", _("Give the SHA-256 as 64 lower-case hexadecimal digits."))


class Closeout(Audited):
    """A study's close-out: started by the project manager, with the sponsor TMF's archive and its retention."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="+")
    target_on = models.DateField(_("target date"), null=True, blank=True, help_text=_("When it should be complete"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    # the sponsor's trial master file, archived
    tmf_location = models.CharField(
        _("TMF archive"), max_length=300, blank=True, help_text=_("Where the sponsor's TMF is archived")
    )
    tmf_reference = models.CharField(_("archive reference"), max_length=100, blank=True)
    tmf_archived_on = models.DateField(_("archived on"), null=True, blank=True)
    tmf_sha256 = models.CharField(
        _("SHA-256 of the archived copy"),
        max_length=64,
        blank=True,
        validators=[validate_sha256],
        help_text=_("Of the inspection-readiness export handed to the archive, if it was"),
    )
    retention_rule = models.CharField(_("retention rule"), max_length=16, choices=RetentionRuleCode.choices, blank=True)
    retention_basis_on = models.DateField(
        _("retention counted from"), null=True, blank=True, help_text=_("The day the rule counts from")
    )
    retention_years = models.PositiveSmallIntegerField(
        _("years (the sponsor's own rule)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(YEARS_MAX)],
    )
    retention_until = models.DateField(_("kept until"), null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.study} close-out"

    def clean(self) -> None:
        if self.retention_until and not self.retention_rule:
            raise ValidationError({"retention_rule": _("Choose the retention rule.")})


class CloseoutStep(Audited):
    """One signed step of a close-out, with what its gate recorded at the signature."""

    closeout = models.ForeignKey(Closeout, on_delete=models.CASCADE, related_name="steps")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    step = models.CharField(_("step"), max_length=20, choices=StepKey.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed at"))
    facts = models.JSONField(_("facts at the signature"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    package = models.ForeignKey(
        "analysis.SubmissionPackage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("analysis package"),
    )
    document_version = models.ForeignKey(
        "documents.DocumentVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clinical study report"),
    )
    appendices = models.JSONField(_("appendices (document versions)"), default=list, blank=True)

    class Meta:
        ordering = ["closeout_id", "id"]
        constraints = [models.UniqueConstraint(fields=["closeout", "step"], name="closeout_step_once")]

    def __str__(self) -> str:
        return f"{self.study_id} close-out: {self.get_step_display()}"


class SiteArchive(Audited):
    """Where one site keeps its investigator site file after the trial, and since when."""

    closeout = models.ForeignKey(Closeout, on_delete=models.CASCADE, related_name="site_archives")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    location = models.CharField(_("ISF archive"), max_length=300, help_text=_("Where the site's ISF is archived"))
    reference = models.CharField(_("archive reference"), max_length=100, blank=True)
    archived_on = models.DateField(_("archived on"))

    class Meta:
        ordering = ["closeout_id", "site_id"]
        constraints = [models.UniqueConstraint(fields=["closeout", "site"], name="closeout_site_archive_once")]

    def __str__(self) -> str:
        return f"{self.site} ISF archive"

    def clean(self) -> None:
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            raise ValidationError({"site": _("The site belongs to another study.")})
