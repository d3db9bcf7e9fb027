"""Tables of the study core. Every model is audited; writes go through `studies.services`."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.accounts.models import validate_time_zone
from opencro.audit.models import Audited
from opencro.core.expressions import ExpressionError, parse_expression


class Phase(models.TextChoices):
    I = "I", _("Phase I")  # noqa: E741
    I_II = "I/II", _("Phase I/II")
    II = "II", _("Phase II")
    III = "III", _("Phase III")
    IV = "IV", _("Phase IV")


class StudyStatus(models.TextChoices):
    PLANNING = "planning", _("Planning")
    START_UP = "start_up", _("Start-up")
    ENROLLING = "enrolling", _("Enrolling")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


STUDY_STATUS_NEXT = {
    StudyStatus.PLANNING: StudyStatus.START_UP,
    StudyStatus.START_UP: StudyStatus.ENROLLING,
    StudyStatus.ENROLLING: StudyStatus.FOLLOW_UP,
    StudyStatus.FOLLOW_UP: StudyStatus.CLOSED,
}


class Study(Audited):
    protocol_number = models.CharField(_("protocol number"), max_length=40, unique=True)
    title = models.TextField(_("title"))
    short_title = models.CharField(_("short title"), max_length=200)
    phase = models.CharField(_("phase"), max_length=5, choices=Phase.choices)
    therapeutic_area = models.CharField(_("therapeutic area"), max_length=100)
    indication = models.CharField(_("indication"), max_length=200)
    sponsor = models.CharField(_("sponsor"), max_length=200)
    sponsor_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_studies",
        limit_choices_to={"kind": "sponsor"},
        verbose_name=_("sponsor organisation"),
        help_text=_("The sponsor whose people may reach the study; empty: no sponsor organisation owns it"),
    )
    status = models.CharField(_("status"), max_length=12, choices=StudyStatus.choices, default=StudyStatus.PLANNING)
    ind_number = models.CharField(_("IND number"), max_length=20, blank=True)
    eu_ct_number = models.CharField(
        _("EU CT number"),
        max_length=20,
        blank=True,
        help_text=_("EU Clinical Trials Regulation number, e.g. 2024-512345-12-00"),
    )
    nct_number = models.CharField(_("NCT number"), max_length=11, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["protocol_number"]
        verbose_name_plural = _("studies")

    def __str__(self) -> str:
        return self.protocol_number

    def clean(self) -> None:
        if self.nct_number and not (
            self.nct_number.startswith("NCT") and self.nct_number[3:].isdigit() and len(self.nct_number) == 11
        ):
            raise ValidationError({"nct_number": _("An NCT number is 'NCT' followed by 8 digits.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.pk, None


class ProtocolVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class ProtocolVersion(Audited):
    """The original protocol or an amendment, with its effective date and summary of changes."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="protocol_versions")
    version = models.CharField(_("version"), max_length=20)
    is_amendment = models.BooleanField(_("amendment"), default=False)
    effective_date = models.DateField(_("effective date"), null=True, blank=True)
    summary = models.TextField(_("summary of changes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=ProtocolVersionStatus.choices,
        default=ProtocolVersionStatus.DRAFT,
    )

    signature_exclude = ("status",)

    class Meta:
        ordering = ["study", models.F("effective_date").asc(nulls_last=True), "version"]
        constraints = [models.UniqueConstraint(fields=["study", "version"], name="protocol_version_unique")]

    def __str__(self) -> str:
        return f"{self.study} v{self.version}"


class Country(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="countries")
    code = models.CharField(_("ISO 3166 code"), max_length=2)
    name = models.CharField(_("name"), max_length=100)
    regulator = models.CharField(_("regulator"), max_length=200)

    class Meta:
        ordering = ["study", "name"]
        verbose_name_plural = _("countries")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="country_unique_per_study")]

    def __str__(self) -> str:
        return self.name


class SiteStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    SELECTED = "selected", _("Selected")
    INITIATED = "initiated", _("Initiated")
    ACTIVE = "active", _("Active (enrolling)")
    ON_HOLD = "on_hold", _("On hold")
    CLOSED = "closed", _("Closed")


class Site(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sites")
    number = models.CharField(_("site number"), max_length=10)
    institution = models.CharField(_("institution"), max_length=200)
    principal_investigator = models.CharField(_("principal investigator"), max_length=200)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="sites")
    city = models.CharField(_("city"), max_length=100, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    status = models.CharField(_("status"), max_length=10, choices=SiteStatus.choices, default=SiteStatus.PLANNED)
    target_enrolment = models.PositiveIntegerField(_("target enrolment"), default=0)
    activated_on = models.DateField(
        _("green light"), null=True, blank=True, help_text=_("The date the site may start screening and enrolling.")
    )

    class Meta:
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="site_number_unique_per_study")]

    def __str__(self) -> str:
        return f"{self.number} {self.institution}"

    def clean(self) -> None:
        if self.country_id and self.study_id and self.country.study_id != self.study_id:
            raise ValidationError({"country": _("The country belongs to another study.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.study_id, self.pk


class ObjectiveLevel(models.TextChoices):
    PRIMARY = "primary", _("Primary")
    SECONDARY = "secondary", _("Secondary")
    EXPLORATORY = "exploratory", _("Exploratory")


class Objective(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="objectives")
    level = models.CharField(_("level"), max_length=12, choices=ObjectiveLevel.choices)
    description = models.TextField(_("description"))
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["study", "order"]

    def __str__(self) -> str:
        return self.description[:80]


class EndpointType(models.TextChoices):
    CONTINUOUS = "continuous", _("Continuous")
    BINARY = "binary", _("Binary")
    TIME_TO_EVENT = "time_to_event", _("Time to event")
    COUNT = "count", _("Count")
    ORDINAL = "ordinal", _("Ordinal")


class Endpoint(Audited):
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="endpoints")
    level = models.CharField(_("level"), max_length=12, choices=ObjectiveLevel.choices)
    type = models.CharField(_("type"), max_length=16, choices=EndpointType.choices)
    description = models.TextField(_("description"))
    timeframe = models.CharField(_("time frame"), max_length=200, blank=True)

    class Meta:
        ordering = ["objective", "id"]

    def __str__(self) -> str:
        return self.description[:80]

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.objective.study_id, None


class ArmType(models.TextChoices):
    EXPERIMENTAL = "experimental", _("Experimental")
    ACTIVE_COMPARATOR = "active_comparator", _("Active comparator")
    PLACEBO = "placebo", _("Placebo comparator")
    NO_INTERVENTION = "no_intervention", _("No intervention")


class Arm(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="arms")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=20, choices=ArmType.choices)
    description = models.TextField(_("description"), blank=True)
    allocation_ratio = models.PositiveIntegerField(_("allocation ratio"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="arm_code_unique_per_study")]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Epoch(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="epochs")
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["study", "order"]

    def __str__(self) -> str:
        return self.name


class Visit(Audited):
    """A planned visit: day offset from day 1 (randomisation) and its window; or unscheduled."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="visits")
    epoch = models.ForeignKey(Epoch, on_delete=models.PROTECT, related_name="visits", null=True, blank=True)
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveIntegerField(default=0)
    day = models.IntegerField(_("day"), null=True, blank=True)
    window_before = models.PositiveIntegerField(_("window before (days)"), default=0)
    window_after = models.PositiveIntegerField(_("window after (days)"), default=0)
    is_unscheduled = models.BooleanField(_("unscheduled"), default=False)

    class Meta:
        ordering = ["study", "order"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="visit_code_unique_per_study")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if not self.is_unscheduled and self.day is None:
            raise ValidationError({"day": _("A scheduled visit needs a day.")})
        if self.is_unscheduled and (self.day is not None or self.window_before or self.window_after):
            raise ValidationError({"day": _("An unscheduled visit has no day or window.")})

    @property
    def window_label(self) -> str:
        if self.is_unscheduled:
            return ""
        return f"-{self.window_before}/+{self.window_after}"


class ActivityKind(models.TextChoices):
    PROCEDURE = "procedure", _("Procedure")
    FORM = "form", _("Case report form")
    ASSESSMENT = "assessment", _("Assessment")
    LAB = "lab", _("Laboratory sample")
    DISPENSING = "dispensing", _("Drug dispensing")


class Activity(Audited):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="activities")
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ActivityKind.choices)
    order = models.PositiveIntegerField(default=0)
    visits = models.ManyToManyField(Visit, through="ScheduledActivity", related_name="activities")

    class Meta:
        ordering = ["study", "order"]
        verbose_name_plural = _("activities")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="activity_code_unique_per_study")]

    def __str__(self) -> str:
        return self.name


class ScheduledActivity(Audited):
    """One cell of the schedule of activities: this activity happens at this visit."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="scheduled")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="scheduled")
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "activity"], name="activity_once_per_visit")]

    def __str__(self) -> str:
        return f"{self.activity} at {self.visit}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.visit.study_id, None


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", _("Inclusion")
    EXCLUSION = "exclusion", _("Exclusion")


class EligibilityCriterion(Audited):
    """An inclusion or exclusion criterion, optionally computable from screening data."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="criteria")
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    number = models.PositiveIntegerField(_("number"))
    text = models.TextField(_("text"))
    expression = models.CharField(
        _("computable expression"),
        max_length=500,
        blank=True,
        help_text=_("e.g. age >= 18 and age <= 85 and egfr > 30"),
    )

    class Meta:
        ordering = ["study", "-kind", "number"]  # inclusion before exclusion
        verbose_name_plural = _("eligibility criteria")
        constraints = [models.UniqueConstraint(fields=["study", "kind", "number"], name="criterion_unique")]

    def __str__(self) -> str:
        prefix = "I" if self.kind == CriterionKind.INCLUSION else "E"
        return f"{prefix}{self.number}"

    def clean(self) -> None:
        if self.expression:
            try:
                parse_expression(self.expression)
            except ExpressionError as exc:
                raise ValidationError({"expression": str(exc)}) from exc
