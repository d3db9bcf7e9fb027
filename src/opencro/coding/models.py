"""Coding tables: loaded dictionary versions and their terms, each study's coding set-up, coded verbatims.

A dictionary version is loaded once for the whole installation (it is licensed to the organisation,
not to a study); a study chooses which loaded version is in force for MedDRA and for WHODrug. Codes
and the hierarchy path are copied onto each coded term, so a coded term says what it was coded to
even after the study moves to a newer version.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from opencro.audit.models import Audited


class DictionaryKind(models.TextChoices):
    MEDDRA = "meddra", "MedDRA"
    WHODRUG = "whodrug", "WHODrug"


class Dictionary(Audited):
    """One loaded release of MedDRA or WHODrug; `digest` is SHA-256 over the files it was loaded from."""

    kind = models.CharField(_("dictionary"), max_length=10, choices=DictionaryKind.choices)
    version = models.CharField(_("version"), max_length=100)
    language = models.CharField(_("language"), max_length=40, blank=True)
    fmt = models.CharField(_("file format"), max_length=10, blank=True)  # ASCII (MedDRA), B3 or C3 (WHODrug)
    source_name = models.CharField(_("loaded from"), max_length=255, blank=True)
    digest = models.CharField(max_length=64)
    term_count = models.PositiveIntegerField(default=0)
    current_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    notes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["kind", "-loaded_at", "-id"]
        verbose_name_plural = "dictionaries"
        constraints = [
            models.UniqueConstraint(fields=["kind", "version", "language"], name="dictionary_version_unique"),
        ]

    def __str__(self) -> str:
        language = f" {self.language}" if self.language else ""
        return f"{self.get_kind_display()} {self.version}{language}"


class CodePath(models.Model):
    """What a verbatim is coded to: the term and the path a report needs.

    MedDRA: `code`/`term` are the LLT, then its PT and the PT's primary HLT, HLGT and SOC. WHODrug:
    `code`/`term` are the drug code and name, `base_*` the record's preferred base name, `atc` the ATC
    classes as [code, text, official] lists. Codes are text (MedDRA's numeric codes included).
    """

    code = models.CharField(_("code"), max_length=20, blank=True)
    term = models.CharField(_("term"), max_length=1500, blank=True)
    pt_code = models.CharField(max_length=20, blank=True)
    pt_name = models.CharField(_("preferred term"), max_length=200, blank=True)
    hlt_code = models.CharField(max_length=20, blank=True)
    hlt_name = models.CharField(max_length=200, blank=True)
    hlgt_code = models.CharField(max_length=20, blank=True)
    hlgt_name = models.CharField(max_length=200, blank=True)
    soc_code = models.CharField(max_length=20, blank=True)
    soc_name = models.CharField(_("system organ class"), max_length=200, blank=True)
    base_code = models.CharField(max_length=20, blank=True)
    base_name = models.CharField(_("preferred base name"), max_length=1500, blank=True)
    atc = models.JSONField(default=list, blank=True)

    PATH_FIELDS = (
        "code",
        "term",
        "pt_code",
        "pt_name",
        "hlt_code",
        "hlt_name",
        "hlgt_code",
        "hlgt_name",
        "soc_code",
        "soc_name",
        "base_code",
        "base_name",
        "atc",
    )

    class Meta:
        abstract = True

    def path_values(self) -> dict:
        return {name: getattr(self, name) for name in self.PATH_FIELDS}

    @property
    def atc_codes(self) -> list[str]:
        return [entry[0] for entry in self.atc]


class DictionaryTerm(CodePath):
    """One codable term of a loaded dictionary: a MedDRA LLT or a WHODrug drug name.

    `name_key` is the name case-folded with whitespace collapsed: what "the same name" means for
    automatic coding. Loaded in bulk and never changed, so not audited row by row (the load is).
    """

    dictionary = models.ForeignKey(Dictionary, on_delete=models.CASCADE, related_name="terms")
    name_key = models.CharField(max_length=1500)
    current = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dictionary", "code"], name="dictionaryterm_code_unique")]
        indexes = [models.Index(fields=["dictionary", "name_key"])]

    def __str__(self) -> str:
        return f"{self.term} ({self.code})"


class StudyCoding(Audited):
    """A study's coding set-up: the dictionary versions in force and the items coded by configuration.

    `items` maps item OIDs to "MedDRA", "WHODrug", or "" (not coded, overriding every default).
    """

    study = models.OneToOneField("studies.Study", on_delete=models.PROTECT, related_name="coding")
    meddra = models.ForeignKey(
        Dictionary, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="MedDRA"
    )
    whodrug = models.ForeignKey(
        Dictionary, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="WHODrug"
    )
    items = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"coding set-up of {self.study}"

    def dictionary_for(self, kind: str) -> Dictionary | None:
        return self.meddra if kind == DictionaryKind.MEDDRA else self.whodrug


class CodingStatus(models.TextChoices):
    UNCODED = "uncoded", _("Not coded")
    CLARIFICATION = "clarification", _("Clarification requested")
    CODED = "coded", _("Coded")
    APPROVED = "approved", _("Approved")


OPEN_STATUSES = (CodingStatus.UNCODED, CodingStatus.CLARIFICATION)
CODED_STATUSES = (CodingStatus.CODED, CodingStatus.APPROVED)


class CodingMethod(models.TextChoices):
    EXACT = "exact", _("Exact match")
    SYNONYM = "synonym", _("Study synonym")
    MANUAL = "manual", _("Coder")


class CodedTerm(CodePath, Audited):
    """The coding of one verbatim value: an item value of a coded item (e.g. AETERM), one row per value."""

    item_data = models.OneToOneField("edc.ItemData", on_delete=models.PROTECT, related_name="coding")
    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("studies.Site", on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("subjects.Subject", on_delete=models.PROTECT, related_name="+")
    form = models.ForeignKey("edc.FormData", on_delete=models.PROTECT, related_name="+")
    item_oid = models.CharField(max_length=100)
    group_repeat = models.PositiveIntegerField(default=1)
    kind = models.CharField(_("dictionary"), max_length=10, choices=DictionaryKind.choices)
    verbatim = models.TextField(_("verbatim"))
    verbatim_key = models.TextField()
    status = models.CharField(_("status"), max_length=14, choices=CodingStatus.choices, default=CodingStatus.UNCODED)
    method = models.CharField(_("method"), max_length=10, choices=CodingMethod.choices, blank=True)
    dictionary = models.ForeignKey(Dictionary, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    coded_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    clarification = models.TextField(_("clarification requested"), blank=True)
    query = models.ForeignKey("edc.Query", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    audit_exclude = ("verbatim_key",)

    class Meta:
        ordering = ["study", "kind", "verbatim_key", "id"]
        indexes = [
            models.Index(fields=["study", "kind", "status"]),
            models.Index(fields=["study", "site"]),
        ]

    def __str__(self) -> str:
        suffix = f"@{self.group_repeat}" if self.group_repeat > 1 else ""
        return f"{self.subject} {self.item_oid}{suffix}: {self.verbatim[:80]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Synonym(Audited):
    """A study's standing decision: this verbatim (up to case and spacing) is coded to this code."""

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("dictionary"), max_length=10, choices=DictionaryKind.choices)
    verbatim_key = models.CharField(max_length=400)
    verbatim = models.CharField(_("verbatim"), max_length=400)
    code = models.CharField(_("code"), max_length=20)
    term = models.CharField(_("term"), max_length=1500)
    dictionary = models.ForeignKey(Dictionary, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["study", "kind", "verbatim_key"]
        constraints = [
            models.UniqueConstraint(fields=["study", "kind", "verbatim_key"], name="synonym_verbatim_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.verbatim} -> {self.term} ({self.code})"


class DictionaryUpgrade(Audited):
    """A study's move to a newer dictionary version, with the report of what it changed.

    `changes` lists one entry per change to a coded term (kind, term id, verbatim, code, old, new,
    action "kept" or "queued"); each term's own change is in the audit trail, so the list is not.
    """

    study = models.ForeignKey("studies.Study", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("dictionary"), max_length=10, choices=DictionaryKind.choices)
    from_dictionary = models.ForeignKey(Dictionary, on_delete=models.PROTECT, related_name="+")
    to_dictionary = models.ForeignKey(Dictionary, on_delete=models.PROTECT, related_name="+")
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    performed_at = models.DateTimeField()
    reason = models.TextField(blank=True)
    checked = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    requeued = models.PositiveIntegerField(default=0)
    auto_coded = models.PositiveIntegerField(default=0)
    changes = models.JSONField(default=list, blank=True)

    audit_exclude = ("changes",)

    class Meta:
        ordering = ["study", "-performed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} upgrade {self.from_dictionary.version} -> {self.to_dictionary.version}"
