"""What blinded users may know about a randomisation, and the record of an emergency unblinding.

`Randomisation` is the blinded-safe half of an allocation: who randomised whom, when, in which stratum, with
which number. The arm lives only in `subjects.TreatmentAssignment`, which blinded roles never read.
"""

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class Randomisation(Audited):
    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="randomisation")
    scheme = models.ForeignKey("rtsm.RandomisationScheme", on_delete=models.PROTECT, related_name="randomisations")
    stratum = models.ForeignKey("rtsm.Stratum", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    levels = models.JSONField(_("stratification levels"), default=dict, blank=True)
    sequence = models.PositiveIntegerField(_("allocation sequence"))
    number = models.CharField(_("randomisation number"), max_length=20)
    slot = models.OneToOneField(
        "rtsm.ListSlot", on_delete=models.PROTECT, null=True, blank=True, related_name="randomisation"
    )
    randomised_at = models.DateTimeField(_("randomised at"))
    randomised_by = models.ForeignKey(  # None: recorded by the system (a load of earlier randomisations)
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    consented_on = models.DateField(_("consent signed on"), null=True, blank=True)
    eligibility_confirmed = models.BooleanField(_("eligibility confirmed"), default=False)
    protocol_version = models.ForeignKey(
        "studies.ProtocolVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["scheme", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "sequence"], name="randomisation_sequence_unique"),
            models.UniqueConstraint(fields=["scheme", "number"], name="randomisation_number_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.subject.study_id, self.subject.site_id


class AllocationState(models.Model):
    """The counts a dynamic scheme's next allocation depends on (arm totals, and per factor level for
    minimisation), as `Minimisation.state()` gives them, after `counts["n"]` allocations.

    Derived data, not a record: kept in the allocation's transaction under the scheme lock so an
    allocation reads one row instead of replaying every earlier one, and rebuilt from the allocations
    whenever its n is not theirs. Unblinded information (counts per arm): never shown, never audited.
    """

    scheme = models.OneToOneField("rtsm.RandomisationScheme", on_delete=models.CASCADE, related_name="+")
    counts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"allocation state of scheme {self.scheme_id}"


class EmergencyUnblinding(Audited):
    """An investigator broke the blind for one subject: why, when, signed; permanent."""

    subject = models.OneToOneField("subjects.Subject", on_delete=models.PROTECT, related_name="unblinding")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), validators=[ProhibitNullCharactersValidator()])
    unblinded_at = models.DateTimeField(_("unblinded at"))
    notified = models.JSONField(_("notified users"), default=list, blank=True)

    def __str__(self) -> str:
        return f"{self.subject} unblinded"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.subject.study_id, self.subject.site_id
