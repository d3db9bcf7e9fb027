"""A study's SDTM mapping specification and its ADaM and output specifications, versioned, and the submission
packages built from them.

Each specification is data (the document `opencro.analysis.sdtm` loads and dumps): each saved change is a new
version, the older ones stay readable, and every package names the version it was built with. A package is one
build of SDTM, ADaM, Define-XML and the tables, listings and figures in the eCTD module 5 folder layout; its
manifest lists every file with its size and SHA-256, the records per dataset and the conformance findings.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.audit.models import Audited


class SpecOrigin(models.TextChoices):
    DEFAULT = "default", _("Generated from the eCRF's CDASH/SDTM annotations")
    EDITED = "edited", _("Edited")


class MappingSpec(Audited):
    """One version of a study's SDTM mapping specification."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("version"))
    origin = models.CharField(
        pgettext_lazy("where a specification comes from", "origin"), max_length=10, choices=SpecOrigin.choices
    )
    content = models.JSONField(_("specification"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["study", "-number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="mapping_spec_number_unique")]

    def __str__(self) -> str:
        return f"SDTM mapping v{self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class AnalysisSpecKind(models.TextChoices):
    ADAM = "adam", _("ADaM dataset derivation")
    TFL = "tfl", _("Table, listing or figure")


class AnalysisSpec(Audited):
    """One version of one ADaM derivation specification (named by its dataset, ADSL) or output specification
    (named by its output id, 14-1.01), kept as the YAML text its author wrote (comments included)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=4, choices=AnalysisSpecKind.choices)
    name = models.CharField(_("name"), max_length=40)
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("specification (YAML)"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    retired = models.BooleanField(_("retired"), default=False)  # the newest version of a spec no longer used
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["study", "kind", "name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "kind", "name", "number"], name="analysis_spec_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None


class PackageStatus(models.TextChoices):
    RUNNING = "running", _("Building")
    DONE = "done", _("Built")
    FAILED = "failed", _("Failed")


class SubmissionPackage(Audited):
    """One build of the study's submission data package."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(_("number"))
    spec = models.ForeignKey(MappingSpec, on_delete=models.PROTECT, related_name="packages")
    blinded = models.BooleanField(_("blinded (dry run)"))
    data_locked = models.BooleanField(_("database locked when built"))
    status = models.CharField(_("status"), max_length=10, choices=PackageStatus.choices, default=PackageStatus.RUNNING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    manifest = models.JSONField(_("manifest"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["study", "-number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="submission_package_number_unique")]

    def __str__(self) -> str:
        return f"package {self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, None
