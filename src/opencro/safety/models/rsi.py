"""The study's products and their Reference Safety Information: which terms are expected, from which date."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class ProductKind(models.TextChoices):
    INVESTIGATIONAL = "investigational", _("Investigational product")
    COMPARATOR = "comparator", _("Active comparator")
    PLACEBO = "placebo", _("Placebo")
    AUXILIARY = "auxiliary", _("Auxiliary medicinal product")


class SafetyProduct(Audited):
    """A product of the study that cases name as suspect, with its regulatory identifiers."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="safety_products")
    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=16, choices=ProductKind.choices)
    active_ingredient = models.CharField(_("active ingredient"), max_length=250, blank=True)
    ind_number = models.CharField(_("IND number"), max_length=20, blank=True)  # FDA.C.5.5a
    blinded = models.BooleanField(_("given blinded in the study"), default=True)

    class Meta:
        ordering = ["study", "name"]
        constraints = [models.UniqueConstraint(fields=["study", "name"], name="safety_product_unique")]

    def __str__(self) -> str:
        return self.name


class ReferenceSafetyInformation(Audited):
    """One version of a product's RSI (e.g. section 7 of investigator's brochure edition 5), in force from a date.

    The version in force on a case's receipt date decides expectedness; a later edition never changes the
    assessment of a case received before it.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(SafetyProduct, on_delete=models.PROTECT, related_name="rsi_versions")
    document = models.CharField(_("document"), max_length=200)
    version = models.CharField(_("version"), max_length=40)
    effective_from = models.DateField(_("in force from"))

    class Meta:
        ordering = ["product", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["product", "effective_from"], name="safety_rsi_one_per_date"),
            models.UniqueConstraint(fields=["product", "version"], name="safety_rsi_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name}: {self.document} {self.version}"


class ExpectedTerm(Audited):
    """A MedDRA preferred term the RSI lists as expected for the product.

    `fatal_expected`: a fatal outcome of this term is itself listed (otherwise a fatal case of an expected term
    is unexpected, as EU guidance and CIOMS III treat it).
    """

    rsi = models.ForeignKey(ReferenceSafetyInformation, on_delete=models.CASCADE, related_name="terms")
    pt_code = models.CharField(_("PT code"), max_length=10, blank=True)
    pt_name = models.CharField(_("preferred term"), max_length=200)
    fatal_expected = models.BooleanField(_("fatal outcome expected"), default=False)

    class Meta:
        ordering = ["rsi", "pt_name"]
        constraints = [models.UniqueConstraint(fields=["rsi", "pt_name"], name="safety_expected_term_unique")]

    def __str__(self) -> str:
        return self.pt_name

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.rsi.study_id, None
