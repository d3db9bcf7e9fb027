"""Trial supply: kit types per arm, lots, depots, kits, shipments, site inventory, dispensing and excursions.

Blinding: a kit's type (and so its lot) reveals the arm; kit numbers are drawn at random across all kit
types so the number reveals nothing. Only roles with `treatment.view` read kit types, lots and the kit rows'
type; blinded site staff see kit numbers, their status and expiry.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, ProhibitNullCharactersValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited

_text = [ProhibitNullCharactersValidator()]


class SupplySettings(Audited):
    """Study-wide supply rules."""

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="supply_settings")
    do_not_ship_days = models.PositiveIntegerField(
        _("do-not-ship window (days before expiry)"),
        default=30,
        help_text=_("A kit expiring within this many days of its expected arrival is not shipped."),
    )
    do_not_dispense_days = models.PositiveIntegerField(
        _("do-not-dispense window (days before expiry)"),
        default=7,
        help_text=_("A kit expiring within this many days is not dispensed."),
    )
    shipping_days = models.PositiveIntegerField(_("shipping time (days)"), default=5)
    forecast_days = models.PositiveIntegerField(_("forecast horizon (days)"), default=56)
    enrolment_per_site_month = models.FloatField(
        _("expected enrolment per site per month"), default=1.0, validators=[MinValueValidator(0.0)]
    )

    def __str__(self) -> str:
        return f"{self.study} supply settings"


class KitType(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="kit_types")
    code = models.CharField(_("code"), max_length=20, validators=_text)
    name = models.CharField(_("name"), max_length=200, validators=_text)
    arm = models.ForeignKey("studies.Arm", on_delete=models.PROTECT, related_name="kit_types")
    units = models.PositiveIntegerField(_("units per kit"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="kit_type_code_unique")]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        if self.arm_id and self.study_id and self.arm.study_id != self.study_id:
            raise ValidationError({"arm": _("The arm belongs to another study.")})


class Lot(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="lots")
    kit_type = models.ForeignKey(KitType, on_delete=models.PROTECT, related_name="lots")
    number = models.CharField(_("lot number"), max_length=40, validators=_text)
    expires_on = models.DateField(_("expiry date"))

    class Meta:
        ordering = ["study", "expires_on", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="lot_number_unique")]

    def __str__(self) -> str:
        return self.number


class Depot(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="depots")
    code = models.CharField(_("code"), max_length=20, validators=_text)
    name = models.CharField(_("name"), max_length=200, validators=_text)
    countries = models.ManyToManyField("studies.Country", blank=True, related_name="depots")

    class Meta:
        ordering = ["study", "code"]
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="depot_code_unique")]

    def __str__(self) -> str:
        return self.code


class KitStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    IN_TRANSIT = "in_transit", _("In transit")
    DISPENSED = "dispensed", _("Dispensed")
    RETURNED = "returned", _("Returned")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")
    QUARANTINED = "quarantined", _("Quarantined")
    DESTROYED = "destroyed", _("Destroyed")


class Kit(Audited):
    """One kit; at a depot, in transit, or at a site (`site` set once received)."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="kits")
    number = models.CharField(_("kit number"), max_length=20)
    kit_type = models.ForeignKey(KitType, on_delete=models.PROTECT, related_name="kits")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="kits")
    status = models.CharField(_("status"), max_length=12, choices=KitStatus.choices, default=KitStatus.AVAILABLE)
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, null=True, blank=True, related_name="kits")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="kits")
    expires_on = models.DateField(_("expiry date"))

    class Meta:
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="kit_number_unique")]
        indexes = [models.Index(fields=["site", "status", "expires_on"], name="kit_site_stock")]

    def __str__(self) -> str:
        return self.number


class ShipmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    REQUESTED = "requested", _("Requested")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class ShipmentTrigger(models.TextChoices):
    MANUAL = "manual", _("Manual")
    INITIAL = "initial", _("Initial supply")
    MINIMUM = "minimum", _("Below minimum buffer")
    FORECAST = "forecast", _("Forecast demand")


class Shipment(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="shipments")
    number = models.CharField(_("shipment number"), max_length=20)
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, related_name="shipments")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PROPOSED
    )
    trigger = models.CharField(_("trigger"), max_length=10, choices=ShipmentTrigger.choices)
    reason = models.TextField(_("reason"), blank=True, validators=_text)
    tracking = models.CharField(_("tracking number"), max_length=60, blank=True, validators=_text)
    created_at = models.DateTimeField(_("created at"))
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["study", "-created_at", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="shipment_number_unique")]

    def __str__(self) -> str:
        return self.number


class ItemCondition(models.TextChoices):
    RECEIVED = "received", _("Received in good condition")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")


class ShipmentItem(Audited):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    kit = models.ForeignKey(Kit, on_delete=models.PROTECT, related_name="shipment_items")
    condition = models.CharField(_("condition"), max_length=10, choices=ItemCondition.choices, blank=True)

    class Meta:
        ordering = ["shipment", "kit__number"]
        constraints = [models.UniqueConstraint(fields=["shipment", "kit"], name="shipment_item_unique")]

    def __str__(self) -> str:
        return f"{self.shipment} {self.kit}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.shipment.study_id, self.shipment.site_id


class DispensingVisit(Audited):
    """A visit at which kits are dispensed, and how many."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="dispensing_visits")
    visit = models.OneToOneField("studies.Visit", on_delete=models.PROTECT, related_name="dispensing")
    kits = models.PositiveIntegerField(_("kits dispensed"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["study", "visit__order"]

    def __str__(self) -> str:
        return f"{self.visit}: {self.kits}"


class Dispensation(Audited):
    """A kit given to a subject at a visit, and what came back."""

    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="dispensations")
    kit = models.OneToOneField(Kit, on_delete=models.PROTECT, related_name="dispensation")
    visit = models.ForeignKey("studies.Visit", on_delete=models.PROTECT, related_name="+")
    visit_date = models.DateField(_("visit date"))
    dispensed_at = models.DateTimeField(_("dispensed at"))
    dispensed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaces = models.OneToOneField(  # the dispensation whose kit was damaged or lost and this one replaced
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by"
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    units_returned = models.PositiveIntegerField(_("units returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_note = models.TextField(_("return note"), blank=True, validators=_text)

    class Meta:
        ordering = ["subject", "dispensed_at"]

    def __str__(self) -> str:
        return f"{self.subject} {self.kit}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.subject.study_id, self.subject.site_id


class SiteSupplyLevel(Audited):
    """Resupply trigger for one kit type at one site: ship up to `maximum` when stock falls below `minimum`."""

    site = models.ForeignKey("studies.Site", on_delete=models.CASCADE, related_name="supply_levels")
    kit_type = models.ForeignKey(KitType, on_delete=models.CASCADE, related_name="site_levels")
    minimum = models.PositiveIntegerField(_("minimum buffer"))
    maximum = models.PositiveIntegerField(_("maximum buffer"))

    class Meta:
        ordering = ["site", "kit_type"]
        constraints = [models.UniqueConstraint(fields=["site", "kit_type"], name="supply_level_unique")]

    def __str__(self) -> str:
        return f"{self.site} {self.kit_type} {self.minimum}-{self.maximum}"

    def clean(self) -> None:
        if self.maximum is not None and self.minimum is not None and self.maximum < self.minimum:
            raise ValidationError({"maximum": _("The maximum cannot be below the minimum.")})

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.site.study_id, self.site_id


class ExcursionDecision(models.TextChoices):
    PENDING = "pending", _("Pending assessment")
    RELEASED = "released", _("Released for use")
    DESTROYED = "destroyed", _("Not usable: destroy")


class TemperatureExcursion(Audited):
    """Storage outside the labelled range at a site, a depot or in a shipment; its kits are quarantined."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="excursions")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    depot = models.ForeignKey(Depot, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    lowest = models.DecimalField(_("lowest temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True)
    highest = models.DecimalField(_("highest temperature (°C)"), max_digits=5, decimal_places=1, null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=_text)
    kits = models.ManyToManyField(Kit, related_name="excursions", blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(_("reported at"))
    decision = models.CharField(
        _("decision"), max_length=10, choices=ExcursionDecision.choices, default=ExcursionDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["study", "-started_at"]

    def __str__(self) -> str:
        return f"{self.study} excursion {self.started_at:%Y-%m-%d}"

    def clean(self) -> None:
        if sum(x is not None for x in (self.site_id, self.depot_id, self.shipment_id)) != 1:
            raise ValidationError(_("An excursion happens at one site, one depot or in one shipment."))
