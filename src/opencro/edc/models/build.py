"""The study build: one `BuildVersion` per ODM MetaDataVersion, immutable once published.

Every definition row belongs to one version. A new version is a new set of rows; data entered
under an older version keeps pointing at that version's definitions (see `edc.migration`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class BuildStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class BuildVersion(Audited):
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="build_versions")
    number = models.PositiveIntegerField(_("version number"))
    oid = models.CharField(_("OID"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=BuildStatus.choices, default=BuildStatus.DRAFT)
    source_format = models.CharField(_("imported from"), max_length=20, blank=True)
    source_name = models.CharField(_("source file"), max_length=255, blank=True)
    odm_study_oid = models.CharField(_("ODM study OID"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    arms = models.JSONField(default=list, blank=True)  # build arms (REDCap): [{oid, name, event_oids}]
    notes = models.JSONField(default=list, blank=True)  # what the import ignored, said plainly

    class Meta:
        ordering = ["study", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "number"], name="build_version_number_unique"),
            models.UniqueConstraint(fields=["study", "oid"], name="build_version_oid_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.oid} v{self.number}"


class _Def(models.Model):
    """A definition inside one build version, named by its ODM OID."""

    version = models.ForeignKey(BuildVersion, on_delete=models.CASCADE, related_name="+")
    oid = models.CharField(_("OID"), max_length=100)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.oid


def _unique_oid(model: str) -> list[models.UniqueConstraint]:
    return [models.UniqueConstraint(fields=["version", "oid"], name=f"{model}_oid_unique_per_version")]


class CodeList(_Def):
    data_type = models.CharField(max_length=20, default="text")
    external_dictionary = models.CharField(max_length=100, blank=True)
    external_version = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = _unique_oid("codelist")


class CodeListItem(models.Model):
    code_list = models.ForeignKey(CodeList, on_delete=models.CASCADE, related_name="items")
    coded_value = models.CharField(max_length=100)
    decode = models.JSONField(default=dict)  # {language: text}
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code_list", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["code_list", "coded_value"], name="codelist_value_unique")]

    def __str__(self) -> str:
        return self.coded_value


class ConditionDef(_Def):
    """Hides what it governs when TRUE (ODM CollectionExceptionCondition)."""

    expression = models.TextField()
    context = models.CharField(max_length=40, default="OpenCRO")
    description = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = _unique_oid("conditiondef")


class MethodDef(_Def):
    """A derivation: the value of a calculated item."""

    expression = models.TextField()
    type = models.CharField(max_length=20, default="Computation")
    context = models.CharField(max_length=40, default="OpenCRO")
    description = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = _unique_oid("methoddef")


class ItemDef(_Def):
    data_type = models.CharField(max_length=24)
    length = models.PositiveIntegerField(null=True, blank=True)
    significant_digits = models.PositiveIntegerField(null=True, blank=True)
    question = models.JSONField(default=dict, blank=True)
    description = models.JSONField(default=dict, blank=True)
    help_text = models.JSONField(default=dict, blank=True)
    units = models.CharField(max_length=100, blank=True)
    code_list = models.ForeignKey(CodeList, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    range_checks = models.JSONField(default=list, blank=True)  # [{comparator, values, soft_hard, message}]
    sds_var_name = models.CharField(max_length=40, blank=True)
    aliases = models.JSONField(default=list, blank=True)  # [{context, name}]
    control_type = models.CharField(max_length=20, default="text")
    validation = models.CharField(max_length=40, blank=True)
    critical = models.BooleanField(default=False)
    origin = models.CharField(max_length=100, blank=True)
    extensions = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = _unique_oid("itemdef")


class ItemGroupDef(_Def):
    repeating = models.BooleanField(default=False)
    domain = models.CharField(max_length=20, blank=True)
    sas_dataset_name = models.CharField(max_length=20, blank=True)
    description = models.JSONField(default=dict, blank=True)
    aliases = models.JSONField(default=list, blank=True)
    extensions = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = _unique_oid("itemgroupdef")


class GroupItem(models.Model):
    group = models.ForeignKey(ItemGroupDef, on_delete=models.CASCADE, related_name="item_refs")
    item = models.ForeignKey(ItemDef, on_delete=models.PROTECT, related_name="group_refs")
    order = models.PositiveIntegerField(default=0)
    mandatory = models.BooleanField(default=False)
    key_sequence = models.PositiveIntegerField(null=True, blank=True)
    method = models.ForeignKey(MethodDef, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    condition = models.ForeignKey(ConditionDef, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    role = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["group", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "item"], name="groupitem_unique")]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.item_id}"


class FormDef(_Def):
    repeating = models.BooleanField(default=False)
    description = models.JSONField(default=dict, blank=True)
    extensions = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = _unique_oid("formdef")


class FormGroup(models.Model):
    form = models.ForeignKey(FormDef, on_delete=models.CASCADE, related_name="group_refs")
    group = models.ForeignKey(ItemGroupDef, on_delete=models.PROTECT, related_name="form_refs")
    order = models.PositiveIntegerField(default=0)
    mandatory = models.BooleanField(default=False)
    condition = models.ForeignKey(ConditionDef, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["form", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "group"], name="formgroup_unique")]

    def __str__(self) -> str:
        return f"{self.form_id}:{self.group_id}"


class EventDef(_Def):
    repeating = models.BooleanField(default=False)
    type = models.CharField(max_length=12, default="Scheduled")
    category = models.CharField(max_length=40, blank=True)
    order = models.PositiveIntegerField(default=0)
    day_offset = models.IntegerField(null=True, blank=True)
    window_before = models.PositiveIntegerField(null=True, blank=True)
    window_after = models.PositiveIntegerField(null=True, blank=True)
    visit = models.ForeignKey("studies.Visit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    description = models.JSONField(default=dict, blank=True)
    extensions = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = _unique_oid("eventdef")


class EventForm(models.Model):
    event = models.ForeignKey(EventDef, on_delete=models.CASCADE, related_name="form_refs")
    form = models.ForeignKey(FormDef, on_delete=models.PROTECT, related_name="event_refs")
    order = models.PositiveIntegerField(default=0)
    mandatory = models.BooleanField(default=False)
    condition = models.ForeignKey(ConditionDef, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["event", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "form"], name="eventform_unique")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.form_id}"


class EditCheck(_Def):
    """A discrepancy rule: when `expression` is TRUE, a query opens on `item`."""

    expression = models.TextField()
    context = models.CharField(max_length=40, default="OpenCRO")
    message = models.JSONField(default=dict)
    item = models.ForeignKey(ItemDef, on_delete=models.PROTECT, related_name="edit_checks")
    severity = models.CharField(max_length=10, default="warning")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = _unique_oid("editcheck")
