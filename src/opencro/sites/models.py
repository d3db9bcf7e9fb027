"""Tables of the site registry (institutions, investigators, capabilities, past trials) and of feasibility.

The registry is shared by every study; it is read and written only by roles with `site.edit` on a study, through
the pages under that study. Registry entries and feasibility writes are audited. Historical trial rows imported
from ClinicalTrials.gov are public reference data: one audit event per import, not one per row.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited

GCP_REFRESH_YEARS = 3  # GCP training refreshed every 3 years (TransCelerate mutual recognition criteria)
CV_CURRENT_YEARS = 2  # a signed CV dated within 2 years, the usual sponsor expectation (ICH E6(R3) 2.1)


class Institution(Audited):
    name = models.CharField(_("name"), max_length=300)
    country_code = models.CharField(_("ISO 3166 country code"), max_length=2)
    country = models.CharField(_("country"), max_length=100, help_text=_("As ClinicalTrials.gov names it."))
    city = models.CharField(_("city"), max_length=100, blank=True)
    ctgov_key = models.CharField(
        _("ClinicalTrials.gov facility key"),
        max_length=400,
        blank=True,
        help_text=_("Matches the institution with its sites in past trials (facility|city|country, folded)."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name", "city"]
        constraints = [
            models.UniqueConstraint(
                fields=["ctgov_key"], condition=~models.Q(ctgov_key=""), name="institution_ctgov_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.city}, {self.country_code})" if self.city else f"{self.name} ({self.country_code})"

    def clean(self) -> None:
        code = self.country_code or ""
        if len(code) != 2 or not code.isalpha() or not code.isupper():
            raise ValidationError({"country_code": _("Two capital letters (ISO 3166-1 alpha-2), e.g. FR.")})


class Investigator(Audited):
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="investigators")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    cv_date = models.DateField(_("CV dated"), null=True, blank=True)
    gcp_training_date = models.DateField(_("GCP training"), null=True, blank=True)
    licence_number = models.CharField(_("licence number"), max_length=60, blank=True)
    licence_expires_on = models.DateField(_("licence expires on"), null=True, blank=True)

    class Meta:
        ordering = ["institution", "name"]

    def __str__(self) -> str:
        return self.name

    def gcp_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.gcp_training_date is not None and _years_after(self.gcp_training_date, GCP_REFRESH_YEARS) >= today

    def cv_current(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.cv_date is not None and _years_after(self.cv_date, CV_CURRENT_YEARS) >= today

    def licence_valid(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.licence_number) and (self.licence_expires_on is None or self.licence_expires_on >= today)


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class CapabilityKind(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    POPULATION = "population", _("Patient population")
    THERAPEUTIC = "therapeutic", _("Therapeutic experience")


class Capability(Audited):
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="capabilities")
    kind = models.CharField(_("kind"), max_length=12, choices=CapabilityKind.choices)
    value = models.CharField(_("value"), max_length=200)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["institution", "kind", "value"]
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class HistoricalTrial(models.Model):
    """A past or current trial from ClinicalTrials.gov: what feasibility needs of it, one row per NCT number."""

    nct_id = models.CharField(max_length=11, unique=True)
    title = models.CharField(max_length=500, blank=True)
    phase = models.CharField(max_length=60, blank=True)  # v2 names joined by commas: "PHASE2,PHASE3"
    status = models.CharField(max_length=30, blank=True)  # v2 OverallStatus
    conditions = models.TextField(blank=True)  # conditions, keywords and MeSH terms, folded, one per line
    enrollment = models.PositiveIntegerField(null=True, blank=True)
    enrollment_actual = models.BooleanField(default=False)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)  # primary completion, else completion
    months = models.FloatField(null=True, blank=True)  # start to end, days / 30.4375
    site_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField()

    class Meta:
        ordering = ["nct_id"]

    def __str__(self) -> str:
        return self.nct_id

    @property
    def share(self) -> float | None:
        """Participants attributed to each site: actual enrolment / sites."""
        if not self.enrollment_actual or self.enrollment is None or not self.site_count:
            return None
        return self.enrollment / self.site_count


class HistoricalSite(models.Model):
    """One site of a historical trial (trial x facility): compact, keyed for matching with institutions."""

    trial = models.ForeignKey(HistoricalTrial, on_delete=models.CASCADE, related_name="sites")
    facility_key = models.CharField(max_length=400, db_index=True)
    name = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=100, db_index=True)
    status = models.CharField(max_length=30, blank=True)  # the site's own recruitment status when published

    class Meta:
        ordering = ["trial", "id"]

    def __str__(self) -> str:
        return f"{self.trial_id}: {self.name or self.city}"


class SiteLink(Audited):
    """Which registry institution (and investigator) a study's site is: the road to past performance."""

    site = models.OneToOneField("studies.Site", on_delete=models.CASCADE, related_name="registry_link")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="site_links")
    investigator = models.ForeignKey(
        Investigator, on_delete=models.PROTECT, null=True, blank=True, related_name="site_links"
    )

    def __str__(self) -> str:
        return f"{self.site} = {self.institution}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.site.study_id, self.site_id

    def clean(self) -> None:
        if self.investigator_id and self.institution_id and self.investigator.institution_id != self.institution_id:
            raise ValidationError({"investigator": _("The investigator works at another institution.")})


# -- feasibility -----------------------------------------------------------------------------------------------


def _weight(default: int, label: str):
    return models.PositiveSmallIntegerField(label, default=default, validators=[MaxValueValidator(100)])


class Questionnaire(Audited):
    """A study's feasibility questionnaire and the weights of the score's components."""

    study = models.OneToOneField("studies.Study", on_delete=models.CASCADE, related_name="feasibility")
    title = models.CharField(
        _("title"), max_length=200, help_text=_("Shown to the sites: no protocol number before a confidentiality.")
    )
    introduction = models.TextField(_("introduction"), blank=True)
    condition = models.CharField(
        _("condition"), max_length=200, blank=True, help_text=_("Matched in past trials' conditions (competition).")
    )
    weight_questionnaire = _weight(35, _("weight of the answers"))
    weight_enrolment = _weight(25, _("weight of the historical enrolment rate"))
    weight_screen_failure = _weight(10, _("weight of the screen-failure rate"))
    weight_query_rate = _weight(5, _("weight of the query rate"))
    weight_deviations = _weight(5, _("weight of the protocol deviation rate"))
    weight_startup = _weight(5, _("weight of the start-up time"))
    weight_competition = _weight(15, _("weight of competing trials"))

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not any(getattr(self, f) for f in WEIGHT_FIELDS):
            raise ValidationError(_("At least one weight must be above zero."))


WEIGHT_FIELDS = (
    "weight_questionnaire",
    "weight_enrolment",
    "weight_screen_failure",
    "weight_query_rate",
    "weight_deviations",
    "weight_startup",
    "weight_competition",
)


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")


class Question(Audited):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    text = models.CharField(_("question"), max_length=500)
    answer_type = models.CharField(_("answer type"), max_length=8, choices=AnswerType.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1, validators=[MinValueValidator(0)])
    yes_is_good = models.BooleanField(_("yes earns the points"), default=True)
    threshold = models.FloatField(_("full points at or above"), null=True, blank=True)
    choices = models.JSONField(_("choices and their points (%)"), default=list, blank=True)  # [[label, 0..100]]

    class Meta:
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text[:80]

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.questionnaire.study_id, None

    def clean(self) -> None:
        if self.answer_type == AnswerType.CHOICE:
            rows = self.choices if isinstance(self.choices, list) else None
            good = bool(rows) and all(
                isinstance(r, list | tuple)
                and len(r) == 2
                and isinstance(r[0], str)
                and r[0].strip()
                and isinstance(r[1], int | float)
                and not isinstance(r[1], bool)
                and 0 <= r[1] <= 100
                for r in rows
            )
            if not good or len({r[0] for r in rows}) != len(rows):
                raise ValidationError({"choices": _("Give distinct choices, each with points from 0 to 100.")})
        elif self.choices:
            raise ValidationError({"choices": _("Only a choice question has choices.")})
        if self.threshold is not None and (self.answer_type != AnswerType.NUMBER or self.threshold < 0):
            raise ValidationError({"threshold": _("A threshold belongs to a number question and is not negative.")})


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")


class Invitation(Audited):
    """A candidate institution asked to answer the questionnaire, through a link carrying a secret token.

    Only the SHA-256 of the token is stored; the token itself is shown once, when the invitation is made.
    """

    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="invitations")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="invitations")
    investigator = models.ForeignKey(
        Investigator, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    respondent = models.CharField(_("answered by"), max_length=200, blank=True)
    site = models.OneToOneField(
        "studies.Site", on_delete=models.SET_NULL, null=True, blank=True, related_name="feasibility_invitation"
    )

    audit_exclude = ("token_hash",)

    class Meta:
        ordering = ["questionnaire", "-sent_at", "-id"]

    def __str__(self) -> str:
        return f"{self.institution.name}: {self.questionnaire.title}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.questionnaire.study_id, self.site_id

    def status_at(self, now: dt.datetime | None = None) -> str:
        if self.answered_at is not None:
            return InvitationStatus.ANSWERED
        if (now or timezone.now()) >= self.expires_at:
            return InvitationStatus.EXPIRED
        return InvitationStatus.SENT

    @property
    def status(self) -> str:
        return self.status_at()

    @property
    def status_label(self) -> str:
        return str(InvitationStatus(self.status).label)


class Answer(Audited):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.CharField(_("answer"), max_length=500, blank=True)

    class Meta:
        ordering = ["invitation", "question__order", "question_id"]
        constraints = [models.UniqueConstraint(fields=["invitation", "question"], name="answer_once_per_question")]

    def __str__(self) -> str:
        return self.value

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.invitation.questionnaire.study_id, None
