"""Clinical data: casebook, visits (event data), forms and item values.

Study, site and subject ids are copied onto every form so that site scoping and listings are
single-table filters; `event_oid`/`form_oid` are copied so data finds its definitions again in
another build version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.edc.models.build import BuildVersion, EventDef, FormDef, ItemDef


class Casebook(Audited):
    """A subject's CRF: which build version they are on; the investigator signs it as a whole."""

    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="casebook")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(BuildVersion, on_delete=models.PROTECT, related_name="casebooks")
    # SHA-256 over the subject's clinical data, refreshed at sign-off and on every change while signed
    # (edc.signoff): it binds the investigator's signature to the data, not just to this row.
    data_digest = models.CharField(max_length=64, blank=True)

    signature_exclude = ("version",)  # moving to a newer build version keeps the data, and the signature

    def __str__(self) -> str:
        return f"casebook {self.subject}"


class EventStatus(models.TextChoices):
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    NOT_DONE = "not_done", _("Not done")


class EventData(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="events")
    event_def = models.ForeignKey(EventDef, on_delete=models.PROTECT, related_name="+")
    event_oid = models.CharField(max_length=100)
    repeat_key = models.PositiveIntegerField(default=1)
    visit_date = models.DateField(_("visit date"), null=True, blank=True)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.STARTED)
    not_done_reason = models.CharField(_("reason not done"), max_length=200, blank=True)

    class Meta:
        ordering = ["subject", "event_def__order", "repeat_key"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "event_oid", "repeat_key"], name="eventdata_unique"),
        ]

    def __str__(self) -> str:
        suffix = f" #{self.repeat_key}" if self.repeat_key > 1 else ""
        return f"{self.subject_id}:{self.event_oid}{suffix}"


class FormStatus(models.TextChoices):
    INCOMPLETE = "incomplete", _("Incomplete")
    COMPLETE = "complete", _("Complete")


class SdvStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    REQUIRED = "required", _("Required")
    VERIFIED = "verified", _("Verified")


class FormData(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="forms")
    event = models.ForeignKey(EventData, on_delete=models.PROTECT, related_name="forms")
    form_def = models.ForeignKey(FormDef, on_delete=models.PROTECT, related_name="+")
    form_oid = models.CharField(max_length=100)
    repeat_key = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.INCOMPLETE)
    first_entered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    sdv_status = models.CharField(max_length=12, choices=SdvStatus.choices, default=SdvStatus.NOT_REQUIRED)
    reviewed = models.BooleanField(_("data-manager reviewed"), default=False)
    frozen = models.BooleanField(default=False)
    locked = models.BooleanField(default=False)
    # The page's item values that are not empty (value not NULL), kept by the two writers of item values (entry's
    # form_save and the ODM import), so that the KRIs count data points over pages, not over every value. Derived:
    # not audited.
    value_count = models.PositiveIntegerField(default=0)

    audit_exclude = ("updated_at", "value_count")

    class Meta:
        ordering = ["subject", "event", "form_oid", "repeat_key"]
        constraints = [
            models.UniqueConstraint(fields=["event", "form_oid", "repeat_key"], name="formdata_unique"),
        ]
        indexes = [
            models.Index(fields=["study", "site", "form_oid"]),
            # the pages entered after a data cut (KRIs at past cuts): a range, not a scan of the study's pages
            models.Index(fields=["study", "first_entered_at"], name="formdata_study_entered"),
        ]

    def __str__(self) -> str:
        suffix = f" #{self.repeat_key}" if self.repeat_key > 1 else ""
        return f"{self.event}:{self.form_oid}{suffix}"


class ItemData(Audited):
    """One item value; `value` is canonical text (ISO 8601 dates, decimal strings, codes)."""

    # no index of its own: itemdata_unique (form, item_def, group_repeat) serves lookups by form
    form = models.ForeignKey(FormData, on_delete=models.PROTECT, related_name="items", db_index=False)
    item_def = models.ForeignKey(ItemDef, on_delete=models.PROTECT, related_name="+")
    group_repeat = models.PositiveIntegerField(default=1)
    value = models.TextField(null=True, blank=True)
    not_done_reason = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=False)
    updated_at = models.DateTimeField(null=True, blank=True)
    # users are deactivated, never deleted: like AuditRecord.user, no database constraint nor index (an import
    # writes a million rows; on PostgreSQL the check, even of a NULL key, and the index cost ~2.4 µs a row)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )

    audit_exclude = ("updated_at", "updated_by")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "item_def", "group_repeat"], name="itemdata_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.form_id}:{self.item_def_id}[{self.group_repeat}]"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.form.study_id, self.form.site_id
