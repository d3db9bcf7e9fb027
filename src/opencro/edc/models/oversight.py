"""Data oversight tables: the SDV plan, and freeze/lock records at each level of the data.

ICH E6(R3) 5.18 (monitoring, risk-based: how much source data verification, where) and 21 CFR
11.10(e)/(k) (freezing and locking data, unlocking only by a signed, reasoned act). The flags on
`FormData` (`sdv_status`, `frozen`, `locked`) are what entry checks; these rows are why they are set.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class SdvRequirement(models.TextChoices):
    NONE = "none", _("Not required")
    TARGETED = "targeted", _("Targeted")
    FULL = "full", _("100%")


class SdvPlan(Audited):
    """One SDV rule: for a study (site empty) or one site, for every form (form_oid blank) or one form.

    The most specific rule wins: site and form, then site, then form, then the study default; with
    no rule at all SDV is not required. Targeted SDV verifies every item of the first
    `first_n_subjects` subjects of each site (in screening order) and the critical items
    (`ItemDef.critical`) of every other subject.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    form_oid = models.CharField(_("form OID"), max_length=100, blank=True)
    requirement = models.CharField(_("SDV requirement"), max_length=10, choices=SdvRequirement.choices)
    first_n_subjects = models.PositiveIntegerField(_("first subjects per site fully verified"), default=0)

    class Meta:
        ordering = ["study", "site", "form_oid"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "form_oid"], condition=Q(site__isnull=True), name="sdvplan_study_form_unique"
            ),
            models.UniqueConstraint(
                fields=["study", "site", "form_oid"], condition=Q(site__isnull=False), name="sdvplan_site_form_unique"
            ),
        ]

    def __str__(self) -> str:
        where = f"site {self.site}" if self.site_id else "study"
        return f"SDV {where} {self.form_oid or 'all forms'}: {self.requirement}"


class LockLevel(models.TextChoices):
    STUDY = "study", _("Study")
    SITE = "site", _("Site")
    SUBJECT = "subject", _("Subject")
    EVENT = "event", _("Visit")
    FORM = "form", _("Form")


class LockState(models.TextChoices):
    FROZEN = "frozen", _("Frozen")  # no data entry; queries still allowed
    LOCKED = "locked", _("Locked")  # nothing changes


class DataLock(Audited):
    """A freeze or lock set on a study, site, subject, visit or form, until it is released.

    A form is frozen (locked) while any active record covering it is; forms created later under a
    frozen subject, site or study are born frozen. Releasing (unfreeze, unlock) takes a reason and
    an e-signature; the record stays, with who released it and why.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("level"), max_length=8, choices=LockLevel.choices)
    scope = models.CharField(max_length=40)  # "study", "site:<id>", "subject:<id>", "event:<id>", "form:<id>"
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    event = models.ForeignKey("edc.EventData", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    form = models.ForeignKey("edc.FormData", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    state = models.CharField(_("state"), max_length=6, choices=LockState.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.CharField(_("reason for release"), max_length=500, blank=True)

    # A signature binds the act of freezing or locking; releasing it is signed on its own.
    signature_exclude = ("released_at", "released_by", "release_reason")

    class Meta:
        ordering = ["study", "-set_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "scope"], condition=Q(released_at__isnull=True), name="datalock_one_active_per_scope"
            ),
        ]
        indexes = [models.Index(fields=["study", "released_at"])]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.target_label}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    @property
    def target_label(self) -> str:
        """What is frozen or locked, for people: "study", "site A1", "subject A1-001", "SE.SCR"..."""
        if self.level == LockLevel.STUDY:
            return "study"
        if self.level == LockLevel.SITE:
            return f"site {self.site.number}"
        if self.level == LockLevel.SUBJECT:
            return f"subject {self.subject.number}"
        if self.level == LockLevel.EVENT:
            return f"subject {self.subject.number} {self.event.event_oid}"
        return f"subject {self.subject.number} {self.form.event.event_oid} {self.form.form_oid}"
