"""Queries (discrepancies) on data, and their threaded messages."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.edc.models.build import EditCheck
from opencro.edc.models.data import FormData, ItemData


class QueryState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATES = (QueryState.OPEN, QueryState.ANSWERED)


class QueryOrigin(models.TextChoices):
    MANUAL = "manual", _("Manual")
    EDIT_CHECK = "edit_check", _("Edit check")
    RANGE = "range", _("Range check")
    REQUIRED = "required", _("Required item missing")


class Query(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="queries")
    form = models.ForeignKey(FormData, on_delete=models.PROTECT, related_name="queries")
    item = models.ForeignKey(ItemData, on_delete=models.PROTECT, null=True, blank=True, related_name="queries")
    origin = models.CharField(_("origin"), max_length=12, choices=QueryOrigin.choices)
    edit_check = models.ForeignKey(EditCheck, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    rule_key = models.CharField(max_length=120, blank=True)  # which automatic rule raised it
    state = models.CharField(_("state"), max_length=10, choices=QueryState.choices, default=QueryState.OPEN)
    severity = models.CharField(_("severity"), max_length=10, default="warning")
    assigned_role = models.CharField(_("assigned to"), max_length=40, blank=True)
    text = models.TextField(_("query text"))
    value_at_open = models.TextField(null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(  # None with closed_at set: closed automatically
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["study", "site", "state"]),
            models.Index(fields=["form", "state"]),
        ]
        verbose_name_plural = "queries"

    def __str__(self) -> str:
        return f"Q{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class MessageKind(models.TextChoices):
    OPEN = "open", _("Opened")
    ANSWER = "answer", _("Answered")
    REOPEN = "reopen", _("Re-opened")
    CLOSE = "close", _("Closed")
    CANCEL = "cancel", _("Cancelled")
    COMMENT = "comment", _("Comment")


class QueryMessage(Audited):
    query = models.ForeignKey(Query, on_delete=models.PROTECT, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices)
    text = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["query", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.query_id}:{self.kind}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.query.study_id, self.query.site_id
