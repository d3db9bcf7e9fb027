"""Monitoring plan and monitoring visits: schedule, confirmation letter, report, review, follow-up letter.

The plan sets, per study, how often each site is visited on site and remotely, how much more often when its KRIs are
flagged, the central review interval, and when reports and follow-up letters are due (ICH E6(R3) 3.11.4; the SDV
strategy itself is the EDC's `SdvPlan`). A visit moves planned -> confirmed (letter sent) -> done -> report submitted
(signed by its author) -> approved (signed by the reviewer), or back to the author with comments; cancelled before it
happens.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class MonitoringPlan(Audited):
    """A study's monitoring plan (one per study; changes are audited)."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="+")
    onsite_interval_weeks = models.PositiveSmallIntegerField(_("on-site visit every (weeks)"), default=8)
    remote_interval_weeks = models.PositiveSmallIntegerField(_("remote visit every (weeks)"), default=4)
    flagged_interval_weeks = models.PositiveSmallIntegerField(_("on-site visit every (weeks) when flagged"), default=4)
    central_interval_weeks = models.PositiveSmallIntegerField(_("central review every (weeks)"), default=2)
    report_due_days = models.PositiveSmallIntegerField(_("report due (days after the visit)"), default=10)
    letter_due_days = models.PositiveSmallIntegerField(_("follow-up letter due (days after approval)"), default=5)
    flag_level = models.PositiveSmallIntegerField(_("KRI flag that raises the frequency (1 or 2)"), default=2)
    sdv_strategy = models.TextField(_("SDV strategy"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

    def __str__(self) -> str:
        return "Monitoring plan"


class VisitType(models.TextChoices):
    ONSITE = "onsite", _("On site")
    REMOTE = "remote", _("Remote")
    CENTRAL = "central", _("Central review")


class VisitPurpose(models.TextChoices):
    QUALIFICATION = "qualification", _("Site qualification")
    INITIATION = "initiation", _("Site initiation")
    ROUTINE = "routine", _("Routine monitoring")
    FOR_CAUSE = "for_cause", _("For cause")
    CLOSE_OUT = "close_out", _("Close-out")


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    CONFIRMED = "confirmed", _("Confirmed")
    DONE = "done", _("Visited, report to write")
    SUBMITTED = "submitted", _("Report submitted")
    APPROVED = "approved", _("Report approved")
    CANCELLED = "cancelled", _("Cancelled")


class MonitoringVisit(Audited):
    """One monitoring visit of a site, with its letters and report."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=24)
    visit_type = models.CharField(_("type"), max_length=8, choices=VisitType.choices)
    purpose = models.CharField(_("purpose"), max_length=14, choices=VisitPurpose.choices, default="routine")
    monitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    planned_on = models.DateField(_("planned on"))
    status = models.CharField(_("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED)
    issue = models.ForeignKey(
        "monitoring.OversightIssue", on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    agenda = models.TextField(_("agenda"), blank=True)
    confirmation_letter = models.TextField(_("confirmation letter"), blank=True)
    confirmed_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"), null=True, blank=True)
    report_due_on = models.DateField(_("report due on"), null=True, blank=True)
    # the report: who attended, the site's enrolment and SDV figures at the visit, the monitor's findings and actions
    attendees = models.TextField(_("attendees"), blank=True)
    enrolment_status = models.JSONField(_("enrolment status"), default=dict, blank=True)
    sdv_summary = models.JSONField(_("SDV done"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    actions = models.TextField(_("actions"), blank=True)
    submitted_at = models.DateTimeField(_("report submitted at"), null=True, blank=True)
    # SHA-256 of the findings as submitted (category, finding, action, due date): the signatures cover them too
    findings_digest = models.CharField(max_length=64, blank=True)
    review_comments = models.TextField(_("review comments"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("report approved at"), null=True, blank=True)
    follow_up_letter = models.TextField(_("follow-up letter"), blank=True)
    follow_up_sent_at = models.DateTimeField(_("follow-up letter sent at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    signature_exclude = (
        "status",
        "approved_by",
        "approved_at",
        "review_comments",
        "follow_up_letter",
        "follow_up_sent_at",
    )

    class Meta:
        ordering = ["study", "-planned_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="visit_number_unique")]
        indexes = [models.Index(fields=["site", "status"], name="visit_site_status")]

    def __str__(self) -> str:
        return self.number


class FindingCategory(models.TextChoices):
    CONSENT = "consent", _("Informed consent")
    ELIGIBILITY = "eligibility", _("Eligibility")
    SAFETY = "safety", _("Safety reporting")
    SOURCE = "source", _("Source documents and data")
    PRODUCT = "product", _("Investigational product")
    ISF = "isf", _("Investigator site file")
    FACILITIES = "facilities", _("Facilities and staff")
    PROTOCOL = "protocol", _("Protocol compliance")
    OTHER = "other", _("Other")


class VisitFinding(Audited):
    """A finding of a visit report with its action, owner at the site and due date; resolved later."""

    visit = models.ForeignKey(MonitoringVisit, on_delete=models.CASCADE, related_name="findings")
    category = models.CharField(_("category"), max_length=12, choices=FindingCategory.choices)
    description = models.TextField(_("finding"))
    action = models.TextField(_("action required"), blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    class Meta:
        ordering = ["visit", "id"]

    def __str__(self) -> str:
        return f"{self.visit.number} finding"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.visit.study_id, self.visit.site_id
