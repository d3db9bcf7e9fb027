"""Issues and CAPA: from a signal to an owner, a root cause, corrective and preventive actions and a check.

An issue is opened from any signal (a KRI flag, a QTL breach, a deviation trend, a central monitoring finding, an
audit finding, a monitoring visit finding) or by hand. It moves open -> action planned (root cause, corrective and
preventive actions) -> effectiveness check -> closed once the check found the actions effective (ICH E6(R3) 3.10.1
and 3.11.4; ICH Q10 3.2.2 for the CAPA steps). Every change is audited.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class IssueSource(models.TextChoices):
    KRI = "kri", _("KRI flag")
    QTL = "qtl", _("QTL breach")
    DEVIATION_TREND = "deviation_trend", _("Deviation trend")
    CENTRAL_MONITORING = "csm", _("Central statistical monitoring")
    MONITORING_VISIT = "visit", _("Monitoring visit finding")
    AUDIT = "audit", _("Audit finding")
    OTHER = "other", _("Other")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PLANNED = "planned", _("Actions planned")
    CHECKING = "checking", _("Effectiveness check")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ISSUE_STEP_STATUSES: dict[str, tuple[str, ...]] = {
    "edit": (IssueStatus.OPEN, IssueStatus.PLANNED),
    "plan": (IssueStatus.OPEN, IssueStatus.PLANNED),
    "implement": (IssueStatus.PLANNED,),
    "check": (IssueStatus.CHECKING,),
    "cancel": (IssueStatus.OPEN, IssueStatus.PLANNED),
    "reopen": (IssueStatus.CLOSED, IssueStatus.CANCELLED),
}


class OversightIssue(Audited):
    """One issue of a study, at one site or study-wide (`site` empty)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    number = models.CharField(_("number"), max_length=24)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=16, choices=IssueSource.choices)
    # what raised it, e.g. "kri0001 site 101 at 2026-11-20": readable, with `source_key` to find issues of a signal
    source_detail = models.CharField(_("signal"), max_length=200, blank=True)
    source_key = models.CharField(max_length=120, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_on = models.DateField(_("raised on"))
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    preventive_action = models.TextField(_("preventive action"), blank=True)
    implemented_on = models.DateField(_("actions implemented on"), null=True, blank=True)
    effectiveness_check = models.TextField(_("effectiveness check"), blank=True)
    effective = models.BooleanField(_("effective"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="issue_number_unique")]
        indexes = [models.Index(fields=["study", "source_key"], name="issue_source_key")]

    def __str__(self) -> str:
        return self.number
