"""The risk and issue register of a work order: the delivery risks the sponsor and the CRO keep together, each with an
owner from either party, a due date and its plans; a risk that happens is *realised* and stays in the register as an
issue until it is closed.

Scoring. ICH Q9(R1) (2023) defines risk as "the combination of the probability of occurrence of harm and the
severity of that harm" and lists risk ranking as a tool (Annex I.4); TransCelerate's Risk Assessment and
Categorization Tool (RACT, 2013), used for the study's own risk assessment (`monitoring.models.risks`), scores a risk
by multiplying ordinal scales. The register does the same on the common 5 x 5 project matrix: likelihood 1-5 times
impact 1-5, so a score of 1-25, read as a level: low up to `MEDIUM_FROM - 1`, medium up to `HIGH_FROM - 1`, high from
`HIGH_FROM`. Neither guideline prescribes these cut-offs: they are the register's convention, kept here and nowhere
else (`risk_level`, `level_range`).

The writes are in `partnership.services.risks`; the reads in `partnership.risk_reads` and, for the signals that feed
the register, `partnership.risk_signals`.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.audit.models import Audited
from opencro.partnership.catalogue import Signatory
from opencro.partnership.models.agreements import WorkOrder

SCALE_MAX = 5  # likelihood and impact are each 1..5
MEDIUM_FROM = 5  # the lowest score that is medium
HIGH_FROM = 15  # the lowest score that is high (no product of 1..5 falls on 13 or 14)
NUMBER_PREFIX = "RSK-"


class RiskLevel(models.TextChoices):
    LOW = "low", pgettext_lazy("risk level", "Low")
    MEDIUM = "medium", pgettext_lazy("risk level", "Medium")
    HIGH = "high", pgettext_lazy("risk level", "High")


def risk_level(score: int) -> str:
    """The level of a score (likelihood x impact)."""
    if score >= HIGH_FROM:
        return RiskLevel.HIGH
    return RiskLevel.MEDIUM if score >= MEDIUM_FROM else RiskLevel.LOW


def level_range(level: str) -> tuple[int, int]:
    """The scores (lowest, highest) of a level."""
    return {
        RiskLevel.LOW: (1, MEDIUM_FROM - 1),
        RiskLevel.MEDIUM: (MEDIUM_FROM, HIGH_FROM - 1),
        RiskLevel.HIGH: (HIGH_FROM, SCALE_MAX * SCALE_MAX),
    }[level]


class Scored:
    """The score and level of anything with a `likelihood` and an `impact` (a risk, a cell of the heat map)."""

    likelihood: int
    impact: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        return risk_level(self.score)

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label)


class RiskCategory(models.TextChoices):
    RECRUITMENT = "recruitment", _("Recruitment")
    TIMELINE = "timeline", _("Timeline")
    BUDGET = "budget", _("Budget")
    DATA_QUALITY = "data_quality", _("Data quality")
    PATIENT_SAFETY = "patient_safety", _("Patient safety")
    REGULATORY = "regulatory", _("Regulatory")
    SUPPLY = "supply", _("Supply")
    VENDOR = "vendor", _("Vendor")
    OTHER = "other", _("Other")


class RiskStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("risk", "Open")
    MITIGATING = "mitigating", _("Mitigating")
    REALISED = "realised", _("Realised (an issue)")
    CLOSED = "closed", pgettext_lazy("risk", "Closed")


ACTIVE_STATUSES = (RiskStatus.OPEN, RiskStatus.MITIGATING, RiskStatus.REALISED)  # everything but closed


class RiskSource(models.TextChoices):
    """Where a risk came from: by hand, or one of the signals the register is fed by (`risk_signals`)."""

    MANUAL = "manual", _("Raised by hand")
    KRI = "kri", _("KRI flag")
    QTL = "qtl", _("QTL signal or breach")
    CSM = "csm", _("Central statistical monitoring")
    DEVIATION = "deviation", _("Important deviations")
    MONITORING_ISSUE = "monitoring_issue", _("Monitoring issue")
    MILESTONE = "milestone", _("Milestone")
    OTHER = "other", _("Other")


class ProjectRisk(Scored, Audited):
    """One risk (or, once realised, issue) of a work order: RSK-001 ..., scored likelihood x impact, owned by a person
    of one of the two parties, due for review or mitigation on a day. `source_key` names the signal it was raised
    from; a work order holds one risk not closed per key."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="risks")
    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=RiskCategory.choices)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=[MinValueValidator(1), MaxValueValidator(SCALE_MAX)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), validators=[MinValueValidator(1), MaxValueValidator(SCALE_MAX)]
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    owner_party = models.CharField(_("owning party"), max_length=8, choices=Signatory.choices)
    due_on = models.DateField(_("due on"), help_text=_("The next review, or when the mitigation is due."))
    mitigation = models.TextField(_("mitigation plan"), blank=True)
    contingency = models.TextField(_("contingency plan"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    source = models.CharField(_("source"), max_length=20, choices=RiskSource.choices, default=RiskSource.MANUAL)
    source_key = models.CharField(_("signal key"), max_length=120, blank=True)
    source_detail = models.CharField(_("signal"), max_length=300, blank=True)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"))
    realised_on = models.DateField(_("realised on"), null=True, blank=True)
    realisation_note = models.TextField(_("what happened"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_note = models.TextField(_("closing note"), blank=True)

    class Meta:
        ordering = ["work_order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "number"], name="one_risk_number_per_work_order"),
            models.UniqueConstraint(
                fields=["work_order", "source_key"],
                condition=~models.Q(source_key="") & ~models.Q(status="closed"),
                name="one_open_risk_per_source_key",
            ),
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=SCALE_MAX), name="risk_likelihood_1_to_5"
            ),
            models.CheckConstraint(condition=models.Q(impact__gte=1, impact__lte=SCALE_MAX), name="risk_impact_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.number}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None
