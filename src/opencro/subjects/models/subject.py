"""Subjects (screening number, re-screening link) and their treatment assignment (kept apart: blinding)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class SubjectStatus(models.TextChoices):
    SCREENING = "screening", _("Screening")
    SCREEN_FAILED = "screen_failed", _("Screen failed")
    ENROLLED = "enrolled", _("Enrolled")
    COMPLETED = "completed", _("Completed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    UNKNOWN = "U", _("Unknown")


class Subject(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="subjects")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="subjects")
    number = models.CharField(_("subject number"), max_length=20)
    status = models.CharField(
        _("status"), max_length=14, choices=SubjectStatus.choices, default=SubjectStatus.SCREENING
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    year_of_birth = models.PositiveIntegerField(_("year of birth"), null=True, blank=True)
    screened_on = models.DateField(_("screened on"))
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    # allocated per site at screening ("A1-S001"); None only for subjects created by a data import
    # (None rather than "" for both fields below: a subject's creation records only the values it has)
    screening_number = models.CharField(_("screening number"), max_length=24, null=True, blank=True, default=None)
    rescreen_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rescreened_as",
        verbose_name=_("re-screening of"),
    )
    screen_failure_reason = models.TextField(_("screen-failure reason"), null=True, blank=True, default=None)

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="subject_number_unique"),
            models.UniqueConstraint(
                fields=["study", "screening_number"],
                condition=models.Q(screening_number__isnull=False),
                name="subject_screening_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.site_id and self.study_id and self.site.study_id != self.study_id:
            raise ValidationError({"site": _("The site belongs to another study.")})
        if self.enrolled_on and self.enrolled_on < self.screened_on:
            raise ValidationError({"enrolled_on": _("Enrolment cannot precede screening.")})


class TreatmentAssignment(Audited):
    """Which arm a subject was randomised to. Only roles with `treatment.view` ever read it."""

    subject = models.OneToOneField(Subject, on_delete=models.PROTECT, related_name="assignment")
    arm = models.ForeignKey("studies.Arm", on_delete=models.PROTECT, related_name="assignments")
    randomisation_number = models.CharField(_("randomisation number"), max_length=20)
    randomised_at = models.DateTimeField(_("randomised at"))
    detail = models.JSONField(_("allocation detail"), default=dict, blank=True)  # scores, probabilities, slot

    def __str__(self) -> str:
        return f"{self.subject} randomisation {self.randomisation_number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.subject.study_id, self.subject.site_id
