"""A safety case and its versions: the initial report and each follow-up, frozen once submitted."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class CaseSource(models.TextChoices):
    """Where the case came from; `e2b_type` maps it to E2B(R3) C.1.3 (type of report)."""

    STUDY = "study", _("Clinical study (EDC)")
    STUDY_MANUAL = "study_manual", _("Clinical study (reported outside the EDC)")
    SPONTANEOUS = "spontaneous", _("Spontaneous report")
    LITERATURE = "literature", _("Literature")
    PARTNER = "partner", _("Partner / licensee")
    E2B_IMPORT = "e2b_import", _("E2B(R3) file received")

    @property
    def e2b_type(self) -> str:
        return {"study": "2", "study_manual": "2", "spontaneous": "1"}.get(self.value, "3")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    NULLIFIED = "nullified", _("Nullified")


class SafetyCase(Audited):
    """One adverse-event case (one patient, one or more events) of a study.

    The content lives in its versions; the case row holds what never changes between them: the number, the
    source, the first receipt and, for an SAE from the EDC, the adverse-event row it came from.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="safety_cases")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    subject = models.ForeignKey(
        "subjects.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="safety_cases"
    )
    number = models.CharField(_("case number"), max_length=40)
    source = models.CharField(_("source"), max_length=16, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    initial_received_on = models.DateField(_("initial receipt date"))
    # An SAE from the EDC: the adverse-event row (form, row) it was created from, and the 24-hour clock.
    edc_form = models.ForeignKey("edc.FormData", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edc_row = models.PositiveIntegerField(null=True, blank=True)
    site_aware_on = models.DateField(_("site aware of the SAE on"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported to the sponsor at"), null=True, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates")
    # The E2B identifiers kept from a received file (C.1.8.1 worldwide unique case id, C.1.1 sender's id).
    worldwide_id = models.CharField(_("worldwide unique case id"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="safety_case_number_unique"),
            models.UniqueConstraint(
                fields=["edc_form", "edc_row"],
                condition=models.Q(edc_form__isnull=False),
                name="safety_case_one_per_edc_row",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def late_from_site(self) -> bool | None:
        """True when the site reported the SAE more than 24 hours (one day) after it became aware of it."""
        if self.site_aware_on is None or self.reported_at is None:
            return None
        return (self.reported_at.date() - self.site_aware_on).days > 1


class VersionState(models.TextChoices):
    """The workflow of a version: each role's step, in order."""

    TRIAGE = "triage", _("Triage")
    DATA_ENTRY = "data_entry", _("Data entry")
    CODING = "coding", _("Coding")
    MEDICAL_REVIEW = "medical_review", _("Medical review")
    APPROVED = "approved", _("Approved")
    REPORTED = "reported", _("Reported")


WORKFLOW = (
    VersionState.TRIAGE,
    VersionState.DATA_ENTRY,
    VersionState.CODING,
    VersionState.MEDICAL_REVIEW,
    VersionState.APPROVED,
    VersionState.REPORTED,
)


class CaseVersion(Audited):
    """The case as known at one receipt of information: 1 is the initial report, then the follow-ups.

    A follow-up starts as a copy of the version before it. A version is frozen once anything was submitted
    from it; approval is an e-signature on `content_digest`, which covers every row of the version, so a
    change after approval breaks the signature visibly.
    """

    case = models.ForeignKey(SafetyCase, on_delete=models.PROTECT, related_name="versions")
    # the case's study and site, copied at creation: the worklist filters and sorts versions without a join
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+", db_index=False)
    site = models.ForeignKey(
        "studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    number = models.PositiveIntegerField(_("version"))
    received_on = models.DateField(_("information received on"))
    state = models.CharField(_("state"), max_length=16, choices=VersionState.choices, default=VersionState.TRIAGE)
    significant = models.BooleanField(_("significant new information"), default=True)
    minimum_criteria_on = models.DateField(_("minimum criteria known on (day 0)"), null=True, blank=True)
    fatal_or_lt_known_on = models.DateField(_("fatal or life-threatening known on"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True, max_length=100000)
    reporter_comment = models.TextField(_("reporter's comments"), blank=True, max_length=20000)
    sender_comment = models.TextField(_("sender's comments"), blank=True, max_length=20000)
    sender_diagnosis = models.CharField(_("sender's diagnosis"), max_length=250, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    # the E2B(R3) message this version was imported from, kept whole: elements the case does not model are written
    # back from it on export, so a received case is passed on with nothing lost
    source_icsr = models.TextField(blank=True)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    next_due_on = models.DateField(_("next report due"), null=True, blank=True)
    latest = models.BooleanField(default=True)  # the case's current version (the worklist shows only these)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    audit_exclude = ("next_due_on", "latest", "source_icsr")  # derived: the clocks' next date, the newest version
    # the workflow itself: approving, reporting and freezing never break the approver's signature
    signature_exclude = ("state", "frozen_at", "assignee")

    class Meta:
        ordering = ["case", "number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="safety_version_unique")]
        indexes = [
            models.Index(fields=["study", "latest", "next_due_on"], name="safety_version_worklist"),
            models.Index(fields=["study", "latest", "state"], name="safety_version_states"),
            models.Index(fields=["site", "latest", "next_due_on"], name="safety_version_site_worklist"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} v{self.number}"

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def kind(self) -> str:
        return "initial" if self.number == 1 else "follow-up"
