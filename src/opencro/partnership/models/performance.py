"""How a work order's delivery is measured and reported: the contract's KPI targets, and the status reports the CRO
issues to the sponsor (generated from the trial's data on demand or on a schedule, frozen once issued, commented on
and approved by the sponsor).

The KPIs themselves (what each measures, from which data, and which way is better) are in `partnership.kpis`; the
report's content in `partnership.status_report`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opencro.audit.models import Audited
from opencro.partnership.catalogue import Signatory
from opencro.partnership.models.agreements import WorkOrder


class KpiCode(models.TextChoices):
    """The KPIs a contract can set targets for (their definitions: `partnership.kpis.DEFINITIONS`)."""

    SITE_ACTIVATION_DAYS = "site_activation_days", _("Site activation cycle time")
    ENROLMENT_VS_PLAN = "enrolment_vs_plan", _("Enrolment against plan")
    SCREEN_FAILURE_RATE = "screen_failure_rate", _("Screen-failure rate")
    QUERY_RESOLUTION_DAYS = "query_resolution_days", _("Query resolution time")
    DATA_ENTRY_LAG_DAYS = "data_entry_lag_days", _("Data entry lag")
    MONITORING_REPORT_DAYS = "monitoring_report_days", _("Monitoring report turnaround")
    SAE_REPORTING_ON_TIME = "sae_reporting_on_time", _("SAE reporting timeliness")
    TMF_COMPLETENESS = "tmf_completeness", _("TMF completeness")
    MILESTONE_VARIANCE_DAYS = "milestone_variance_days", _("Milestone variance")


class KpiTarget(Audited):
    """A KPI's target in the contract and its tolerance: within the target is green, beyond it by no more than the
    tolerance amber, further red. Set with the work order's terms (while it is an unsigned draft)."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="kpi_targets")
    kpi = models.CharField(_("KPI"), max_length=40, choices=KpiCode.choices)
    target = models.DecimalField(_("target"), max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    tolerance = models.DecimalField(
        _("tolerance"), max_digits=9, decimal_places=2, default=Decimal(0), validators=[MinValueValidator(0)]
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["work_order", "id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "kpi"], name="one_target_per_kpi")]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.get_kpi_display()}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", pgettext_lazy("report", "Returned")


class StatusReport(Audited):
    """One status report of a work order as of a day: drafted by the CRO (generated from the data, with a summary),
    issued to the sponsor (the HTML and PDF frozen then, with their digest), approved or returned by the sponsor.
    A scheduled report is generated and issued in one step."""

    work_order = models.ForeignKey(WorkOrder, on_delete=models.PROTECT, related_name="status_reports")
    number = models.CharField(_("number"), max_length=20)
    as_of = models.DateField(_("as of"))
    period_start = models.DateField(_("period from"))
    summary = models.TextField(_("summary"), blank=True)
    scheduled = models.BooleanField(_("scheduled"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    html = models.TextField(blank=True)
    pdf = models.BinaryField(blank=True, default=bytes)
    content_sha256 = models.CharField(max_length=64, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    signature_exclude = ("status", "decided_by", "decided_at")
    audit_exclude = ("html", "pdf")  # their digest, content_sha256, is audited and signed

    class Meta:
        ordering = ["work_order", "-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["work_order", "number"], name="one_status_report_number")]

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None


class ReportComment(Audited):
    """A comment on an issued status report, by someone of either party (the sponsor's decision carries one)."""

    report = models.ForeignKey(StatusReport, on_delete=models.PROTECT, related_name="comments")
    party = models.CharField(_("party"), max_length=8, choices=Signatory.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report} comment {self.pk}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.report.work_order.study_id, None


class ReportCadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    EVERY_TWO_WEEKS = "every_two_weeks", _("Every two weeks")
    MONTHLY = "monthly", _("Monthly")


class ReportSchedule(Audited):
    """When the work order's status reports are generated and issued by themselves: from `next_on`, every period."""

    work_order = models.OneToOneField(WorkOrder, on_delete=models.PROTECT, related_name="report_schedule")
    cadence = models.CharField(_("cadence"), max_length=20, choices=ReportCadence.choices)
    next_on = models.DateField(_("next report on"))
    active = models.BooleanField(_("active"), default=True)

    def __str__(self) -> str:
        return f"{self.work_order.number} {self.get_cadence_display()}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.work_order.study_id, None
