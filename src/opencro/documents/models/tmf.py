"""The trial master file's structure (loaded from the TMF Reference Model spreadsheet or a sponsor's file plan in
its layout) and what is expected in it, at which level and by which milestone."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.documents.models.controlled import DocumentLevel


class TmfStructure(Audited):
    """One loaded artifact list of a study (the latest is in use); the file it came from is identified by digest."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="tmf_structures")
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("version"), max_length=40, blank=True)
    source_file = models.CharField(_("source file"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the source file"), max_length=64)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    loaded_at = models.DateTimeField(_("loaded at"))

    class Meta:
        ordering = ["study", "-loaded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class TmfArtifact(Audited):
    """One artifact of the structure (e.g. 04.01.02 IRB or IEC Approval), with its zone, section and levels."""

    structure = models.ForeignKey(TmfStructure, on_delete=models.PROTECT, related_name="artifacts")
    number = models.CharField(_("number"), max_length=12)
    name = models.CharField(_("name"), max_length=300)
    zone_number = models.CharField(_("zone"), max_length=4)
    zone_name = models.CharField(_("zone name"), max_length=200)
    section_number = models.CharField(_("section"), max_length=8)
    section_name = models.CharField(_("section name"), max_length=200)
    levels = models.JSONField(_("levels"), default=list, help_text=_("trial, country and/or site"))
    core = models.BooleanField(_("core"), default=False)
    definition = models.TextField(_("definition"), blank=True)
    sub_artifacts = models.JSONField(_("sub-artifacts"), default=list, blank=True)

    class Meta:
        ordering = ["structure", "number"]
        constraints = [models.UniqueConstraint(fields=["structure", "number"], name="tmf_artifact_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.structure.study_id, None


class TmfMilestone(models.TextChoices):
    """When an expected artifact must be in the file (ICH E6(R3) appendix C: before, during and after the trial)."""

    TRIAL_START = "trial_start", _("Before the trial starts")
    SITE_ACTIVATION = "site_activation", _("Before the site's green light")
    CONDUCT = "conduct", _("During the trial")
    CLOSE_OUT = "close_out", _("At close-out")


class TmfExpectation(Audited):
    """An artifact the study expects at a level, due by a milestone (at every country or site of that level)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="tmf_expectations")
    artifact = models.ForeignKey(TmfArtifact, on_delete=models.PROTECT, related_name="expectations")
    level = models.CharField(_("level"), max_length=8, choices=DocumentLevel.choices)
    milestone = models.CharField(_("due by"), max_length=16, choices=TmfMilestone.choices)

    class Meta:
        ordering = ["study", "artifact__number", "level"]
        constraints = [models.UniqueConstraint(fields=["study", "artifact", "level"], name="tmf_expectation_unique")]

    def __str__(self) -> str:
        return f"{self.artifact} ({self.level})"
