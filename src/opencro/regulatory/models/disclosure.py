"""What was sent out of the regulatory file: eCTD sequences built, and registry records (ClinicalTrials.gov, the EU
CTR public information) as registered, so what changed since can be shown; the registration details the protocol
does not hold, entered once so the exports are complete."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.formats.ctgov import registration as ctgov


class EctdSequence(Audited):
    """One eCTD sequence built for the study's application (its folder under the application's folder)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="ectd_sequences")
    submission = models.ForeignKey(
        "regulatory.Submission", on_delete=models.PROTECT, null=True, blank=True, related_name="ectd_sequences"
    )
    sequence = models.CharField(_("sequence"), max_length=4)
    package = models.ForeignKey(
        "analysis.SubmissionPackage", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    folder = models.CharField(_("folder"), max_length=500)
    leaves = models.PositiveIntegerField(_("leaves"), default=0)
    regional = models.JSONField(_("US regional information"), default=dict, blank=True)
    manifest = models.JSONField(_("leaves written"), default=list, blank=True)
    problems = models.JSONField(_("validation problems"), default=list, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    built_at = models.DateTimeField(_("built at"))

    class Meta:
        ordering = ["study", "sequence"]
        constraints = [models.UniqueConstraint(fields=["study", "sequence"], name="ectd_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.study} eCTD {self.sequence}"

    @property
    def valid(self) -> bool:
        return not self.problems


class Registry(models.TextChoices):
    CTGOV = "ctgov", _("ClinicalTrials.gov")
    EUCTR = "euctr", _("EU CTR public information (CTIS)")


class RegistryRecord(Audited):
    """What was registered (or updated) on a registry on a date: the exported record kept as sent."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="registry_records")
    registry = models.CharField(_("registry"), max_length=8, choices=Registry.choices)
    registered_on = models.DateField(_("registered on"))
    identifier = models.CharField(_("registry identifier"), max_length=40, blank=True, help_text=_("e.g. NCT number"))
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(_("record as registered"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["study", "registry", "-registered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_registry_display()} {self.registered_on}"


class PrimaryPurpose(models.TextChoices):
    """PRS "Primary Purpose", by its API v2 name (`opencro.formats.ctgov.registration.PrimaryPurpose`)."""

    TREATMENT = ctgov.PrimaryPurpose.TREATMENT.value, _("Treatment")
    PREVENTION = ctgov.PrimaryPurpose.PREVENTION.value, _("Prevention")
    DIAGNOSTIC = ctgov.PrimaryPurpose.DIAGNOSTIC.value, _("Diagnostic")
    ECT = ctgov.PrimaryPurpose.ECT.value, _("Educational/Counseling/Training")
    SUPPORTIVE_CARE = ctgov.PrimaryPurpose.SUPPORTIVE_CARE.value, _("Supportive care")
    SCREENING = ctgov.PrimaryPurpose.SCREENING.value, _("Screening")
    HEALTH_SERVICES_RESEARCH = ctgov.PrimaryPurpose.HEALTH_SERVICES_RESEARCH.value, _("Health services research")
    BASIC_SCIENCE = ctgov.PrimaryPurpose.BASIC_SCIENCE.value, _("Basic science")
    DEVICE_FEASIBILITY = ctgov.PrimaryPurpose.DEVICE_FEASIBILITY.value, _("Device feasibility")
    OTHER = ctgov.PrimaryPurpose.OTHER.value, _("Other")


class InterventionModel(models.TextChoices):
    """PRS "Interventional Study Model" (v2 ``InterventionalAssignment``)."""

    SINGLE_GROUP = ctgov.InterventionModel.SINGLE_GROUP.value, _("Single group assignment")
    PARALLEL = ctgov.InterventionModel.PARALLEL.value, _("Parallel assignment")
    CROSSOVER = ctgov.InterventionModel.CROSSOVER.value, _("Crossover assignment")
    FACTORIAL = ctgov.InterventionModel.FACTORIAL.value, _("Factorial assignment")
    SEQUENTIAL = ctgov.InterventionModel.SEQUENTIAL.value, _("Sequential assignment")


class MaskedRole(models.TextChoices):
    """PRS "Masking": the roles masked (v2 ``WhoMasked``); how many there are gives the masking level."""

    PARTICIPANT = ctgov.WhoMasked.PARTICIPANT.value, _("Participant")
    CARE_PROVIDER = ctgov.WhoMasked.CARE_PROVIDER.value, _("Care provider")
    INVESTIGATOR = ctgov.WhoMasked.INVESTIGATOR.value, _("Investigator")
    OUTCOMES_ASSESSOR = ctgov.WhoMasked.OUTCOMES_ASSESSOR.value, _("Outcomes assessor")


class EligibleSex(models.TextChoices):
    """PRS "Sex/Gender": the sex of the participants eligible (v2 ``Sex``)."""

    ALL = ctgov.Sex.ALL.value, _("All")
    FEMALE = ctgov.Sex.FEMALE.value, _("Female")
    MALE = ctgov.Sex.MALE.value, _("Male")


class CompletionDateType(models.TextChoices):
    """A completion date as the PRS takes it: actual, or anticipated (v2 ``DateType`` ESTIMATED)."""

    ACTUAL = ctgov.DateType.ACTUAL.value, _("Actual")
    ESTIMATED = ctgov.DateType.ESTIMATED.value, _("Anticipated")


class OfficialRole(models.TextChoices):
    """PRS "Overall Study Official" roles (v2 ``OfficialRole``; a sub-investigator is no overall official)."""

    STUDY_CHAIR = ctgov.OfficialRole.STUDY_CHAIR.value, _("Study chair")
    STUDY_DIRECTOR = ctgov.OfficialRole.STUDY_DIRECTOR.value, _("Study director")
    PRINCIPAL_INVESTIGATOR = ctgov.OfficialRole.PRINCIPAL_INVESTIGATOR.value, _("Study principal investigator")


class StopStatus(models.TextChoices):
    """A study stopped early, as its overall status (v2 ``Status``); the study's own status cannot tell."""

    SUSPENDED = ctgov.OverallStatus.SUSPENDED.value, _("Suspended (halted, may resume)")
    TERMINATED = ctgov.OverallStatus.TERMINATED.value, _("Terminated (halted, will not resume)")
    WITHDRAWN = ctgov.OverallStatus.WITHDRAWN.value, _("Withdrawn (halted before the first participant)")


class RegistrationDetails(Audited):
    """What a registration needs and the protocol does not hold, entered once for the study's exports.

    After the PRS "Protocol Registration Data Element Definitions": primary purpose, masked roles, intervention
    model, sex, healthy volunteers, primary completion and study completion dates (actual or anticipated), the
    central contact and its backup, the overall official, and a study stopped early with why it stopped. Empty
    fields stay to be completed in the registry; `registration_details_save` checks them together.
    """

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="registration_details")
    primary_purpose = models.CharField(_("primary purpose"), max_length=32, choices=PrimaryPurpose.choices, blank=True)
    who_masked = models.JSONField(
        _("masked roles"), default=list, blank=True, help_text=_("MaskedRole values; none for an open-label study")
    )
    intervention_model = models.CharField(
        _("intervention model"), max_length=16, choices=InterventionModel.choices, blank=True
    )
    sex = models.CharField(_("sex of the participants"), max_length=8, choices=EligibleSex.choices, blank=True)
    healthy_volunteers = models.BooleanField(_("accepts healthy volunteers"), null=True, blank=True)
    primary_completion_date = models.DateField(_("primary completion date"), null=True, blank=True)
    primary_completion_type = models.CharField(
        _("primary completion date type"), max_length=10, choices=CompletionDateType.choices, blank=True
    )
    completion_date = models.DateField(_("study completion date"), null=True, blank=True)
    completion_type = models.CharField(
        _("study completion date type"), max_length=10, choices=CompletionDateType.choices, blank=True
    )
    contact_name = models.CharField(_("central contact"), max_length=200, blank=True)
    contact_phone = models.CharField(_("central contact phone"), max_length=40, blank=True)
    contact_phone_ext = models.CharField(_("central contact phone extension"), max_length=10, blank=True)
    contact_email = models.EmailField(_("central contact email"), max_length=254, blank=True)
    backup_name = models.CharField(_("backup contact"), max_length=200, blank=True)
    backup_phone = models.CharField(_("backup contact phone"), max_length=40, blank=True)
    backup_phone_ext = models.CharField(_("backup contact phone extension"), max_length=10, blank=True)
    backup_email = models.EmailField(_("backup contact email"), max_length=254, blank=True)
    official_name = models.CharField(_("overall official"), max_length=200, blank=True)
    official_affiliation = models.CharField(_("overall official's affiliation"), max_length=200, blank=True)
    official_role = models.CharField(
        _("overall official's role"), max_length=24, choices=OfficialRole.choices, blank=True
    )
    stop_status = models.CharField(_("stopped early"), max_length=12, choices=StopStatus.choices, blank=True)
    why_stopped = models.CharField(_("why stopped"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("registration details")
        verbose_name_plural = _("registration details")

    def __str__(self) -> str:
        return f"{self.study} registration details"
