"""What a case version holds: patient, reporters, events, products, drug-event assessments, tests, history.

Field groups follow ICH E2B(R3) sections (element numbers in comments) so a case maps to an ICSR and back.
Dates a reporter may know only in part are partial ISO 8601 text (`safety.dates`).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited
from opencro.coding.models import CodePath
from opencro.safety.dates import partial_date_check


class VersionPart(Audited):
    """A row of one case version; its audit scope is the case's study and site."""

    version = models.ForeignKey("safety.CaseVersion", on_delete=models.CASCADE, related_name="+")

    PARTIAL_DATES: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.version.case.study_id, self.version.case.site_id

    def clean(self) -> None:
        errors = {
            name: f"{problem}."
            for name in self.PARTIAL_DATES
            if (problem := partial_date_check(getattr(self, name) or ""))
        }
        if errors:
            raise ValidationError(errors)


class Sex(models.TextChoices):
    MALE = "1", _("Male")
    FEMALE = "2", _("Female")
    UNKNOWN = "", _("Unknown")


class AgeUnit(models.TextChoices):
    YEARS = "a", _("years")
    MONTHS = "mo", _("months")
    WEEKS = "wk", _("weeks")
    DAYS = "d", _("days")


class CasePatient(VersionPart):
    """D: the patient (identified by initials and the study's subject number, never by name)."""

    version = models.OneToOneField("safety.CaseVersion", on_delete=models.CASCADE, related_name="patient")
    initials = models.CharField(_("initials"), max_length=60, blank=True)  # D.1
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)  # D.5
    birth_date = models.CharField(_("date of birth"), max_length=10, blank=True)  # D.2.1
    age = models.DecimalField(_("age at onset"), max_digits=6, decimal_places=2, null=True, blank=True)  # D.2.2a
    age_unit = models.CharField(_("age unit"), max_length=2, choices=AgeUnit.choices, blank=True)  # D.2.2b
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=6, decimal_places=2, null=True, blank=True)  # D.3
    height_cm = models.DecimalField(_("height (cm)"), max_digits=5, decimal_places=1, null=True, blank=True)  # D.4
    last_menstrual_period = models.CharField(_("last menstrual period"), max_length=10, blank=True)  # D.6
    history_text = models.TextField(_("relevant history"), blank=True, max_length=10000)  # D.7.2
    death_date = models.CharField(_("date of death"), max_length=10, blank=True)  # D.9.1
    autopsy = models.BooleanField(_("autopsy done"), null=True, blank=True)  # D.9.3

    PARTIAL_DATES = ("birth_date", "last_menstrual_period", "death_date")
    EDITABLE = (
        "initials",
        "sex",
        "birth_date",
        "age",
        "age_unit",
        "weight_kg",
        "height_cm",
        "last_menstrual_period",
        "history_text",
        "death_date",
        "autopsy",
    )

    def __str__(self) -> str:
        return f"patient {self.initials or '?'}"


class Qualification(models.TextChoices):
    """E2B(R3) C.2.r.4."""

    PHYSICIAN = "1", _("Physician")
    PHARMACIST = "2", _("Pharmacist")
    OTHER_HCP = "3", _("Other health professional")
    LAWYER = "4", _("Lawyer")
    CONSUMER = "5", _("Consumer or other non-health professional")


class CaseReporter(VersionPart):
    """C.2.r: a primary source of the information."""

    given_name = models.CharField(_("given name"), max_length=60, blank=True)  # C.2.r.1.2
    family_name = models.CharField(_("family name"), max_length=60, blank=True)  # C.2.r.1.4
    organisation = models.CharField(_("organisation"), max_length=60, blank=True)  # C.2.r.2.1
    city = models.CharField(_("city"), max_length=35, blank=True)  # C.2.r.2.4
    country = models.CharField(_("country"), max_length=2, blank=True)  # C.2.r.3
    qualification = models.CharField(
        _("qualification"), max_length=1, choices=Qualification.choices, blank=True
    )  # C.2.r.4
    primary = models.BooleanField(_("primary source for regulatory purposes"), default=False)  # C.2.r.5
    investigator = models.BooleanField(_("study investigator"), default=False)

    class Meta:
        ordering = ["version", "-primary", "pk"]

    def __str__(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p) or self.organisation or "reporter"


class Outcome(models.TextChoices):
    """E2B(R3) E.i.7."""

    RECOVERED = "1", _("Recovered / resolved")
    RECOVERING = "2", _("Recovering / resolving")
    NOT_RECOVERED = "3", _("Not recovered / not resolved / ongoing")
    SEQUELAE = "4", _("Recovered / resolved with sequelae")
    FATAL = "5", _("Fatal")
    UNKNOWN = "0", _("Unknown")


SERIOUSNESS = (
    ("death", _("Results in death")),
    ("life_threatening", _("Life-threatening")),
    ("hospitalisation", _("Caused or prolonged hospitalisation")),
    ("disability", _("Disabling / incapacitating")),
    ("congenital_anomaly", _("Congenital anomaly / birth defect")),
    ("medically_important", _("Other medically important condition")),
)


class CaseEvent(CodePath, VersionPart):
    """E.i: one reaction or event, its MedDRA coding (the CodePath: LLT, PT ... SOC) and seriousness.

    `key` ("E1") names the event across versions. `unexpected` is set by the expectedness assessment against
    the reference safety information in force on the case's receipt date, with the reason in
    `expectedness_basis`.
    """

    key = models.CharField(max_length=8)
    verbatim = models.CharField(_("reported term"), max_length=250)  # E.i.1.1a
    meddra_version = models.CharField(_("MedDRA version"), max_length=10, blank=True)  # E.i.2.1a
    onset = models.CharField(_("onset"), max_length=10, blank=True)  # E.i.4
    end = models.CharField(_("end"), max_length=10, blank=True)  # E.i.5
    outcome = models.CharField(_("outcome"), max_length=1, choices=Outcome.choices, default=Outcome.UNKNOWN)  # E.i.7
    death = models.BooleanField(_("results in death"), default=False)  # E.i.3.2a
    life_threatening = models.BooleanField(_("life-threatening"), default=False)  # E.i.3.2b
    hospitalisation = models.BooleanField(_("caused or prolonged hospitalisation"), default=False)  # E.i.3.2c
    disability = models.BooleanField(_("disabling / incapacitating"), default=False)  # E.i.3.2d
    congenital_anomaly = models.BooleanField(_("congenital anomaly / birth defect"), default=False)  # E.i.3.2e
    medically_important = models.BooleanField(_("other medically important condition"), default=False)  # E.i.3.2f
    medically_confirmed = models.BooleanField(_("medically confirmed"), null=True, blank=True)  # E.i.8
    country = models.CharField(_("country where it occurred"), max_length=2, blank=True)  # E.i.9
    severity = models.CharField(_("severity"), max_length=20, blank=True)
    unexpected = models.BooleanField(_("unexpected"), null=True, blank=True)
    expectedness_basis = models.CharField(_("expectedness basis"), max_length=500, blank=True)
    expectedness_manual = models.BooleanField(_("expectedness set by the medical reviewer"), default=False)
    edc_row = models.PositiveIntegerField(null=True, blank=True)  # the AE form row it came from

    PARTIAL_DATES = ("onset", "end")

    class Meta:
        ordering = ["version", "key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="safety_event_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.pt_name or self.verbatim}"

    @property
    def serious(self) -> bool:
        return any(getattr(self, name) for name, _label in SERIOUSNESS)

    @property
    def fatal(self) -> bool:
        return self.death or self.outcome == Outcome.FATAL

    def seriousness_labels(self) -> list[str]:
        return [str(label) for name, label in SERIOUSNESS if getattr(self, name)]


class ProductRole(models.TextChoices):
    """E2B(R3) G.k.1."""

    SUSPECT = "1", _("Suspect")
    CONCOMITANT = "2", _("Concomitant")
    INTERACTING = "3", _("Interacting")
    NOT_ADMINISTERED = "4", _("Drug not administered")


class ActionTaken(models.TextChoices):
    """E2B(R3) G.k.8."""

    WITHDRAWN = "1", _("Drug withdrawn")
    REDUCED = "2", _("Dose reduced")
    INCREASED = "3", _("Dose increased")
    NOT_CHANGED = "4", _("Dose not changed")
    UNKNOWN = "0", _("Unknown")
    NOT_APPLICABLE = "9", _("Not applicable")


class CaseProduct(VersionPart):
    """G.k: a drug in the case. A blinded study drug is named as the blinded product until unblinded."""

    key = models.CharField(max_length=8)
    role = models.CharField(_("role"), max_length=1, choices=ProductRole.choices)  # G.k.1
    product = models.ForeignKey(
        "safety.SafetyProduct", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("product as reported"), max_length=250)  # G.k.2.2
    dose = models.CharField(_("dose"), max_length=20, blank=True)  # G.k.4.r.1a
    dose_unit = models.CharField(_("dose unit"), max_length=20, blank=True)  # G.k.4.r.1b
    frequency = models.CharField(_("frequency"), max_length=60, blank=True)  # G.k.4.r.2-3 / G.k.4.r.8
    route = models.CharField(_("route"), max_length=60, blank=True)  # G.k.4.r.10.1
    start = models.CharField(_("start"), max_length=10, blank=True)  # G.k.4.r.4
    end = models.CharField(_("end"), max_length=10, blank=True)  # G.k.4.r.5
    batch = models.CharField(_("batch / lot"), max_length=35, blank=True)  # G.k.4.r.7
    indication = models.CharField(_("indication"), max_length=250, blank=True)  # G.k.7.r.1
    action_taken = models.CharField(
        _("action taken"), max_length=1, choices=ActionTaken.choices, default=ActionTaken.UNKNOWN
    )  # G.k.8
    blinded = models.BooleanField(_("blinded study drug"), default=False)

    PARTIAL_DATES = ("start", "end")

    class Meta:
        ordering = ["version", "key"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="safety_product_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"


class Challenge(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEGATIVE = "negative", _("Negative")
    UNKNOWN = "unknown", _("Unknown")
    NOT_APPLICABLE = "na", _("Not applicable / not done")


class AssessmentSource(models.TextChoices):
    REPORTER = "reporter", _("Reporter (investigator)")
    COMPANY = "company", _("Company (sponsor)")


class Relatedness(models.TextChoices):
    RELATED = "related", _("Related (reasonable possibility)")
    NOT_RELATED = "not_related", _("Not related")


class CaseDrugEvent(VersionPart):
    """G.k.9.i: a drug-event pair with dechallenge and rechallenge; its causality assessments hang below."""

    product = models.ForeignKey(CaseProduct, on_delete=models.CASCADE, related_name="pairs")
    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="pairs")
    dechallenge = models.CharField(
        _("dechallenge"), max_length=10, choices=Challenge.choices, default=Challenge.UNKNOWN
    )
    rechallenge = models.CharField(
        _("rechallenge"), max_length=10, choices=Challenge.choices, default=Challenge.NOT_APPLICABLE
    )  # G.k.9.i.4

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "event"], name="safety_drug_event_unique")]

    def __str__(self) -> str:
        return f"{self.product.key} x {self.event.key}"


class CaseCausality(VersionPart):
    """G.k.9.i.2.r: one causality assessment of a drug-event pair, by the reporter or by the company.

    Both are kept; the company's never replaces the reporter's (a case is a suspected adverse reaction when
    either says there is a reasonable possibility).
    """

    pair = models.ForeignKey(CaseDrugEvent, on_delete=models.CASCADE, related_name="assessments")
    source = models.CharField(_("assessed by"), max_length=10, choices=AssessmentSource.choices)
    method = models.CharField(_("method"), max_length=60, blank=True, default="Global introspection")
    result = models.CharField(_("result"), max_length=12, choices=Relatedness.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pair", "source"], name="safety_causality_per_source")]

    def __str__(self) -> str:
        return f"{self.pair}: {self.get_source_display()} {self.get_result_display()}"


class CaseLabResult(VersionPart):
    """F.r: a test or procedure relevant to the case."""

    test = models.CharField(_("test"), max_length=250)  # F.r.2.1
    date = models.CharField(_("date"), max_length=10, blank=True)  # F.r.1
    result = models.CharField(_("result"), max_length=60, blank=True)  # F.r.3.2 / F.r.3.4
    unit = models.CharField(_("unit"), max_length=20, blank=True)  # F.r.3.3
    low = models.CharField(_("normal low"), max_length=20, blank=True)  # F.r.4
    high = models.CharField(_("normal high"), max_length=20, blank=True)  # F.r.5
    comment = models.CharField(_("comment"), max_length=2000, blank=True)  # F.r.6

    PARTIAL_DATES = ("date",)

    class Meta:
        ordering = ["version", "date", "pk"]

    def __str__(self) -> str:
        return f"{self.test} {self.result} {self.unit}".strip()


class CaseHistory(VersionPart):
    """D.7.1.r: a condition of the patient's medical history."""

    term = models.CharField(_("condition"), max_length=250)
    code = models.CharField(_("MedDRA LLT code"), max_length=10, blank=True)  # D.7.1.r.1b
    start = models.CharField(_("start"), max_length=10, blank=True)  # D.7.1.r.2
    continuing = models.BooleanField(_("continuing"), null=True, blank=True)  # D.7.1.r.3
    end = models.CharField(_("end"), max_length=10, blank=True)  # D.7.1.r.4
    comment = models.CharField(_("comment"), max_length=2000, blank=True)  # D.7.1.r.5

    PARTIAL_DATES = ("start", "end")

    class Meta:
        ordering = ["version", "start", "pk"]

    def __str__(self) -> str:
        return self.term
