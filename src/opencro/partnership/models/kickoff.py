"""A work order's kick-off plan: the contract's milestones (target dates both parties sign, the CRO's forecast, and an
actual date recorded where the trial's data hold none, or to correct them), the communication plan and the escalation
path. The actual dates the trial's own data give are read by `partnership.milestones`; the writes are in
`partnership.services.kickoff`.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.audit.models import Audited
from opencro.partnership.catalogue import Signatory
from opencro.partnership.models.agreements import WorkOrder

ESCALATION_LEVELS = 5
RESPONSE_DAYS_MAX = 60


class MilestoneKind(models.TextChoices):
    """The trial's milestones a contract sets targets for, in the order they fall."""

    FIRST_SITE_ACTIVATED = "first_site_activated", _("First site activated")
    FIRST_PARTICIPANT_IN = "first_participant_in", _("First participant in")
    LAST_PARTICIPANT_IN = "last_participant_in", _("Last participant in")
    LAST_PARTICIPANT_LAST_VISIT = "last_participant_last_visit", _("Last participant last visit")
    DATABASE_LOCK = "database_lock", _("Database lock")
    TOPLINE_RESULTS = "topline_results", _("Topline results")
    CLINICAL_STUDY_REPORT = "clinical_study_report", _("Clinical study report")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    EVERY_TWO_WEEKS = "every_two_weeks", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    AT_MILESTONES = "at_milestones", _("At milestones")
    AS_NEEDED = "as_needed", _("As needed")


class ContractMilestone(Audited):
    """One milestone of a work order: the contract's target date (`planned_on`, signed with the work order), the
    CRO's current forecast, and an actual date recorded by hand (for a milestone the trial's data do not date, or
    to correct them: it overrides the data)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(_("milestone"), max_length=40, choices=MilestoneKind.choices)
    planned_on = models.DateField(_("target date"), null=True, blank=True)
    forecast_on = models.DateField(_("forecast"), null=True, blank=True)
    actual_on_recorded = models.DateField(_("actual date recorded"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["work_order", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "kind"], name="one_milestone_per_kind")]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.get_kind_display()}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class CommunicationItem(Audited):
    """One line of the communication plan: a meeting or report, how often, which party runs it, for whom, how."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="communication_items")
    what = models.CharField(_("what"), max_length=200)
    frequency = models.CharField(pgettext_lazy("meeting", "frequency"), max_length=20, choices=Frequency.choices)
    owner = models.CharField(_("owned by"), max_length=8, choices=Signatory.choices)
    participants = models.CharField(pgettext_lazy("meeting", "participants"), max_length=500, blank=True)
    channel = models.CharField(_("channel"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["work_order", "id"]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.what}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class EscalationStep(Audited):
    """One level of the escalation path: when an issue goes up to it, who answers for each party, and how soon."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="escalation_steps")
    level = models.PositiveSmallIntegerField(
        pgettext_lazy("escalation", "level"), validators=[MinValueValidator(1), MaxValueValidator(ESCALATION_LEVELS)]
    )
    trigger = models.CharField(pgettext_lazy("escalation", "when"), max_length=300)
    sponsor_contact = models.CharField(_("sponsor contact"), max_length=200)
    cro_contact = models.CharField(_("CRO contact"), max_length=200)
    response_days = models.PositiveSmallIntegerField(
        _("response time (working days)"), validators=[MaxValueValidator(RESPONSE_DAYS_MAX)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["work_order", "level"]
        constraints = [
            models.UniqueConstraint(fields=["work_order", "level"], name="one_escalation_step_per_level"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=ESCALATION_LEVELS), name="escalation_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.work_order.number} level {self.level}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None
