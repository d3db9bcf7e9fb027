"""A study's saved designs: the parameters a statistician gave, what the design library answered, and
whether the design is the one adopted into the protocol.

A design is computed again by the server whenever it is saved (the client never supplies a result).
Adopting it into a draft protocol version is e-signed ("I approve") by the statistician; the signature
binds the inputs, the result, the protocol version and the adoption time. `status` is the signing
workflow itself and is left out of the signed content, so a design later superseded by another keeps
a valid signature.
"""

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class DesignKind(models.TextChoices):
    MEANS = "means", _("Two means")
    PROPORTIONS = "proportions", _("Two proportions")
    SURVIVAL = "survival", _("Time to event")
    COUNTS = "counts", _("Event counts")
    GSD = "gsd", _("Group-sequential")
    BOIN = "boin", "BOIN"
    CRM = "crm", "CRM"
    THREE_PLUS_THREE = "three_plus_three", "3+3"


class DesignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")
    SUPERSEDED = "superseded", _("Superseded")


class Design(Audited):
    """One computed design of a study; at most one per study is adopted at a time."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="designs")
    name = models.CharField(_("name"), max_length=200, validators=[ProhibitNullCharactersValidator()])
    kind = models.CharField(_("kind"), max_length=20, choices=DesignKind.choices)
    inputs = models.JSONField(_("inputs"), default=dict)
    result = models.JSONField(_("result"), default=dict)
    notes = models.TextField(_("notes"), blank=True, validators=[ProhibitNullCharactersValidator()])
    status = models.CharField(_("status"), max_length=12, choices=DesignStatus.choices, default=DesignStatus.DRAFT)
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designs",
        verbose_name=_("protocol version"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)

    signature_exclude = ("status",)

    class Meta:
        ordering = ["study", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["study", "name"], name="design_name_unique_per_study"),
            models.UniqueConstraint(
                fields=["study"], condition=models.Q(status="adopted"), name="design_one_adopted_per_study"
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(protocol_version__isnull=False, adopted_at__isnull=False),
                name="design_adopted_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def is_draft(self) -> bool:
        return self.status == DesignStatus.DRAFT
