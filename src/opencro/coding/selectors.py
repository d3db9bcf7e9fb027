"""Coding reads: which items are coded, the coder's queue, dictionary search, synonyms, upgrade reports.

Reads of study data take a `StudyAccess` and filter by its sites (a coder is not site-restricted by
default, but a membership may be).
"""

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Case, Count, IntegerField, Min, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.coding.changes import PathChange, change_order, path_changes
from opencro.coding.models import (
    OPEN_STATUSES,
    CodedTerm,
    CodingStatus,
    Dictionary,
    DictionaryKind,
    DictionaryTerm,
    DictionaryUpgrade,
    StudyCoding,
    Synonym,
)
from opencro.edc.models import BuildVersion, FormDef, ItemDef
from opencro.formats.coding.terms import normalise
from opencro.studies.models import Study

# Items coded by default, by their SDTM variable (CDISC SDTMIG 3.4: AE, MH and CM verbatim terms).
SDS_DEFAULTS = {
    "AETERM": DictionaryKind.MEDDRA,
    "MHTERM": DictionaryKind.MEDDRA,
    "CMTRT": DictionaryKind.WHODRUG,
    "CMDECOD": DictionaryKind.WHODRUG,
}
CODING_EXTENSION = "opencro:Coding"
SEARCH_LIMIT = 50


def dictionary_kind(label: str | None) -> str | None:
    """The dictionary a label names ("MedDRA", "MEDDRA 26.1", "WHODrug Global", "WHO-DD"), else None."""
    squashed = "".join(ch for ch in (label or "").casefold() if ch.isalnum())
    if squashed.startswith("meddra"):
        return DictionaryKind.MEDDRA
    if squashed.startswith(("whodrug", "whodd")):
        return DictionaryKind.WHODRUG
    return None


@dataclass(frozen=True)
class CodedItem:
    """An item whose values are coded, the dictionary, and why (configuration, code list, extension, SDS)."""

    item_id: int
    oid: str
    name: str
    kind: str
    source: str


def _kind_of(item: ItemDef, configured: dict[str, str]) -> tuple[str | None, str]:
    if item.oid in configured:
        return dictionary_kind(configured[item.oid]), "configuration"
    if item.code_list is not None and (kind := dictionary_kind(item.code_list.external_dictionary)):
        return kind, "code list"
    if kind := dictionary_kind((item.extensions or {}).get(CODING_EXTENSION)):
        return kind, "extension"
    if kind := SDS_DEFAULTS.get(item.sds_var_name.upper()):
        return kind, "SDS variable"
    return None, ""


def coded_items(version: BuildVersion, *, form_def: FormDef | None = None) -> list[CodedItem]:
    """The coded items of a build version (of one of its forms), in OID order; see `coded_items_of`."""
    return coded_items_of(version.study_id, version.pk, form_def_id=form_def.pk if form_def else None)


def coded_items_of(
    study_id: int, version_id: int, *, form_def_id: int | None = None, fixed_version: bool = False
) -> list[CodedItem]:
    """The coded items of a build version (of one of its forms), in OID order.

    An item is coded when the study's coding set-up names its OID ("" there switches coding off),
    else when its code list is an external MedDRA/WHODrug list (ODM ExternalCodeList), else when its
    `opencro:Coding` extension names a dictionary, else by its SDTM variable (AETERM, MHTERM: MedDRA;
    CMTRT, CMDECOD: WHODrug).

    `fixed_version`: the caller knows the version is published (it holds data), so what its items say
    about coding is read once per process; only the study's coding set-up is read each time.
    """
    coding = StudyCoding.objects.filter(study_id=study_id).first()
    configured = dict(coding.items) if coding else {}
    items = (_static_items if fixed_version else _read_static_items)(version_id, form_def_id)
    found = []
    for pk, oid, name, kind, source in items:
        if oid in configured:
            kind, source = dictionary_kind(configured[oid]), "configuration"
        if kind:
            found.append(CodedItem(pk, oid, name, kind, source))
    return found


def _read_static_items(version_id: int, form_def_id: int | None) -> tuple[tuple[int, str, str, str | None, str], ...]:
    """Every item of the version (or form) in OID order, with the coding its definition implies."""
    items = ItemDef.objects.filter(version_id=version_id).select_related("code_list")
    if form_def_id is not None:
        items = items.filter(group_refs__group__form_refs__form_id=form_def_id).distinct()
    return tuple((item.pk, item.oid, item.name, *_kind_of(item, {})) for item in items.order_by("oid"))


_static_items = lru_cache(maxsize=256)(_read_static_items)


def coded_items_cache_clear() -> None:
    """Forget what published versions' items imply (tests that rewrite a build)."""
    _static_items.cache_clear()


def study_coding(study: Study | int) -> StudyCoding | None:
    study_id = study if isinstance(study, int) else study.pk
    return StudyCoding.objects.filter(study_id=study_id).select_related("meddra", "whodrug").first()


def uncoded_count(study: Study) -> int:
    """Verbatims of the study not coded yet (in the queue or waiting for the site's clarification)."""
    return CodedTerm.objects.filter(study=study, status__in=OPEN_STATUSES).count()


def dictionary_list(kind: str = "") -> QuerySet[Dictionary]:
    qs = Dictionary.objects.all()
    return qs.filter(kind=kind) if kind else qs


def dictionary_search(
    dictionary: Dictionary, text: str, *, limit: int = 20, include_noncurrent: bool = False
) -> list[DictionaryTerm]:
    """Terms whose name contains `text` (or whose code is `text`): exact, prefix, word start, substring.

    The ranking of `opencro.formats.coding.terms.rank_matches`, done by the database.
    """
    needle = normalise(text)
    if not needle or limit <= 0:
        return []
    match = Q(name_key__contains=needle) | Q(code=needle)
    qs = DictionaryTerm.objects.filter(match, dictionary=dictionary)
    if not include_noncurrent:
        qs = qs.filter(current=True)
    rank = Case(
        When(code=needle, then=Value(0)),
        When(name_key=needle, then=Value(0)),
        When(name_key__startswith=needle, then=Value(1)),
        When(Q(name_key__contains=f" {needle}") | Q(name_key__contains=f"-{needle}"), then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )
    return list(qs.annotate(rank=rank).order_by("rank", "name_key", "code")[: min(limit, SEARCH_LIMIT)])


@dataclass(frozen=True)
class QueueGroup:
    """Identical verbatims (up to case and spacing) waiting for a coder: one line of the queue."""

    kind: str
    verbatim_key: str
    verbatim: str
    count: int
    clarification: int
    first_term_id: int


def coding_queue(access: StudyAccess, *, kind: str = "") -> list[QueueGroup]:
    """Open verbatims at the user's sites grouped by text, the most frequent first."""
    qs = CodedTerm.objects.filter(study_id=access.membership.study_id, status__in=OPEN_STATUSES)
    qs = qs.filter(access.site_filter())
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(
        qs.values("kind", "verbatim_key")
        .annotate(
            n=Count("id"),
            first=Min("id"),
            clarification=Count("id", filter=Q(status=CodingStatus.CLARIFICATION)),
        )
        .order_by("-n", "kind", "verbatim_key")
    )
    texts = dict(CodedTerm.objects.filter(pk__in=[r["first"] for r in rows]).values_list("pk", "verbatim"))
    return [
        QueueGroup(r["kind"], r["verbatim_key"], texts[r["first"]], r["n"], r["clarification"], r["first"])
        for r in rows
    ]


def coded_term_list(
    access: StudyAccess,
    *,
    status: str = "",
    kind: str = "",
    site_id: int | None = None,
    verbatim_key: str | None = None,
) -> QuerySet[CodedTerm]:
    qs = CodedTerm.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if verbatim_key is not None:
        qs = qs.filter(verbatim_key=verbatim_key)
    return qs.select_related("site", "subject", "form__event", "dictionary", "coded_by", "approved_by").order_by(
        "kind", "verbatim_key", "site__number", "subject__number", "id"
    )


def coded_term_get(access: StudyAccess, term_id: int) -> CodedTerm:
    """A coded term of the study at one of the user's sites, else 404."""
    term = coded_term_list(access).filter(pk=term_id).first()
    if term is None:
        raise Http404(_("No such coded term."))
    return term


def synonym_list(access: StudyAccess, *, kind: str = "") -> QuerySet[Synonym]:
    qs = Synonym.objects.filter(study_id=access.membership.study_id).select_related("dictionary", "created_by")
    return qs.filter(kind=kind) if kind else qs


def synonym_get(access: StudyAccess, synonym_id: int) -> Synonym:
    synonym = synonym_list(access).filter(pk=synonym_id).first()
    if synonym is None:
        raise Http404(_("No such synonym."))
    return synonym


def upgrade_list(access: StudyAccess) -> QuerySet[DictionaryUpgrade]:
    return DictionaryUpgrade.objects.filter(study_id=access.membership.study_id).select_related(
        "from_dictionary", "to_dictionary", "performed_by"
    )


def upgrade_get(access: StudyAccess, upgrade_id: int) -> DictionaryUpgrade:
    """An upgrade report; its entries are filtered to the user's sites."""
    upgrade = upgrade_list(access).filter(pk=upgrade_id).first()
    if upgrade is None:
        raise Http404(_("No such upgrade."))
    if access.site_ids is not None:
        upgrade.changes = [c for c in upgrade.changes if c.get("site_id") in access.site_ids]
    return upgrade


@dataclass(frozen=True)
class TermChange:
    """One code whose meaning differs between two loaded versions (dictionary level, not study level)."""

    code: str
    term: str
    change: PathChange


def dictionary_changes(old: Dictionary, new: Dictionary) -> list[TermChange]:
    """Every term of `old` that `new` moves, renames, retires or drops: the database twin of
    `opencro.formats.coding.meddra_version_changes` for codable terms (LLTs, drug names)."""
    if old.kind != new.kind:
        raise ValueError("compare two versions of the same dictionary")
    fields = ("current", *DictionaryTerm.PATH_FIELDS)
    after = {row["code"]: row for row in DictionaryTerm.objects.filter(dictionary=new).values(*fields)}
    found = []
    for row in DictionaryTerm.objects.filter(dictionary=old).values(*fields).order_by("code"):
        if not row["current"]:
            continue  # nothing is coded to a term that was already non-current
        found += [TermChange(row["code"], row["term"], c) for c in path_changes(old.kind, row, after.get(row["code"]))]
    found.sort(key=lambda c: (change_order(c.change.kind), c.code))
    return found
