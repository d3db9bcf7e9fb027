"""Coding API under /api/v1/studies/{id}/coding: set-up, the queue, dictionary search, coding, upgrades."""

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.api.pagination import LimitOffset
from opencro.coding import services
from opencro.coding.models import CodedTerm, Dictionary, DictionaryTerm
from opencro.coding.selectors import (
    coded_items,
    coded_term_get,
    coded_term_list,
    coding_queue,
    dictionary_list,
    dictionary_search,
    study_coding,
    synonym_get,
    synonym_list,
    uncoded_count,
    upgrade_get,
    upgrade_list,
)
from opencro.edc.selectors import current_version

router = Router(tags=["coding"])
BASE = "/{study_id}/coding"
ID = Field(..., ge=1, le=2**53)
Kind = Literal["meddra", "whodrug"]


class DictionaryOut(Schema):
    id: int
    kind: str
    version: str
    language: str
    fmt: str
    term_count: int
    current_count: int
    digest: str
    loaded_at: dt.datetime


class CodedItemOut(Schema):
    oid: str
    name: str
    kind: str
    source: str


class SettingsOut(Schema):
    meddra: DictionaryOut | None
    whodrug: DictionaryOut | None
    items: dict[str, str]
    coded_items: list[CodedItemOut]
    uncoded: int


class SettingsIn(Schema):
    meddra_dictionary_id: int | None = Field(None, ge=1, le=2**53)
    whodrug_dictionary_id: int | None = Field(None, ge=1, le=2**53)
    items: dict[str, Literal["MedDRA", "WHODrug", ""]] | None = Field(None, max_length=1000)
    reason: str = Field("", max_length=500)


class AtcOut(Schema):
    code: str
    text: str
    official: bool


class PathOut(Schema):
    code: str
    term: str
    pt_code: str
    pt_name: str
    hlt_code: str
    hlt_name: str
    hlgt_code: str
    hlgt_name: str
    soc_code: str
    soc_name: str
    base_code: str
    base_name: str
    atc: list[AtcOut]

    @staticmethod
    def resolve_atc(obj) -> list[dict]:
        return [{"code": code, "text": text, "official": official} for code, text, official in obj.atc]


class DictionaryTermOut(PathOut):
    id: int
    current: bool


class CodedTermOut(PathOut):
    id: int
    site_number: str
    subject_number: str
    event_oid: str
    form_oid: str
    form_id: int
    item_oid: str
    group_repeat: int
    kind: str
    verbatim: str
    status: str
    method: str
    dictionary: str | None
    coded_by: str | None
    coded_at: dt.datetime | None
    approved_by: str | None
    approved_at: dt.datetime | None
    clarification: str
    query_id: int | None

    @staticmethod
    def resolve_site_number(obj) -> str:
        return obj.site.number

    @staticmethod
    def resolve_subject_number(obj) -> str:
        return obj.subject.number

    @staticmethod
    def resolve_event_oid(obj) -> str:
        return obj.form.event.event_oid

    @staticmethod
    def resolve_form_oid(obj) -> str:
        return obj.form.form_oid

    @staticmethod
    def resolve_dictionary(obj) -> str | None:
        return str(obj.dictionary) if obj.dictionary else None

    @staticmethod
    def resolve_coded_by(obj) -> str | None:
        return obj.coded_by.username if obj.coded_by else None

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return obj.approved_by.username if obj.approved_by else None


class QueueGroupOut(Schema):
    kind: str
    verbatim: str
    verbatim_key: str
    count: int
    clarification: int
    term_id: int


class SynonymOut(Schema):
    id: int
    kind: str
    verbatim: str
    code: str
    term: str
    dictionary: str
    created_by: str | None
    created_at: dt.datetime

    @staticmethod
    def resolve_dictionary(obj) -> str:
        return str(obj.dictionary)

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by else None


class UpgradeChangeOut(Schema):
    kind: str
    term_id: int
    site: str
    subject: str
    item: str
    verbatim: str
    code: str
    term: str
    old: str
    new: str
    action: str


class UpgradeOut(Schema):
    id: int
    kind: str
    from_version: str
    to_version: str
    performed_by: str | None
    performed_at: dt.datetime
    reason: str
    checked: int
    kept: int
    changed: int
    requeued: int
    auto_coded: int

    @staticmethod
    def resolve_from_version(obj) -> str:
        return obj.from_dictionary.version

    @staticmethod
    def resolve_to_version(obj) -> str:
        return obj.to_dictionary.version

    @staticmethod
    def resolve_performed_by(obj) -> str | None:
        return obj.performed_by.username if obj.performed_by else None


class UpgradeReportOut(UpgradeOut):
    changes: list[UpgradeChangeOut]


def _dictionary(dictionary_id: int | None, field: str) -> Dictionary | None:
    if dictionary_id is None:
        return None
    dictionary = Dictionary.objects.filter(pk=dictionary_id).first()
    if dictionary is None:
        raise ValidationError({field: "No such dictionary."})
    return dictionary


def _settings(study) -> dict:
    coding = study_coding(study)
    try:
        items = coded_items(current_version(study))
    except ValidationError:  # no published build yet
        items = []
    return {
        "meddra": coding.meddra if coding else None,
        "whodrug": coding.whodrug if coding else None,
        "items": coding.items if coding else {},
        "coded_items": items,
        "uncoded": uncoded_count(study),
    }


@router.get(f"{BASE}/dictionaries", response=list[DictionaryOut], summary="Loaded dictionary versions")
def list_dictionaries(request, study_id: int, kind: Kind | Literal[""] = ""):
    access_study(request.user, study_id, Perm.DATA_VIEW)
    return list(dictionary_list(kind))


@router.get(f"{BASE}/settings", response=SettingsOut, summary="Versions in force and the coded items")
def get_settings(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    return _settings(access.membership.study)


@router.put(f"{BASE}/settings", response=SettingsOut, summary="Choose the versions in force and coded items")
def put_settings(request, study_id: int, body: SettingsIn):
    """Changing a version once terms are coded is an upgrade (POST .../coding/upgrades): refused here."""
    access = access_study(request.user, study_id, Perm.BUILD_EDIT)
    study = access.membership.study
    services.study_coding_configure(
        actor=request.user,
        study=study,
        meddra=_dictionary(body.meddra_dictionary_id, "meddra_dictionary_id"),
        whodrug=_dictionary(body.whodrug_dictionary_id, "whodrug_dictionary_id"),
        items=body.items,
        reason=body.reason,
    )
    return _settings(study)


@router.get(f"{BASE}/queue", response=list[QueueGroupOut], summary="Verbatims waiting for a coder, grouped")
@paginate(LimitOffset)
def queue(request, study_id: int, kind: Kind | Literal[""] = ""):
    access = access_study(request.user, study_id, Perm.CODING)
    return [
        QueueGroupOut(
            kind=g.kind,
            verbatim=g.verbatim,
            verbatim_key=g.verbatim_key,
            count=g.count,
            clarification=g.clarification,
            term_id=g.first_term_id,
        )
        for g in coding_queue(access, kind=kind)
    ]


class TermFilters(Schema):
    status: Literal["", "uncoded", "clarification", "coded", "approved"] = ""
    kind: Kind | Literal[""] = ""
    site_id: int | None = Field(None, ge=1, le=2**53)


@router.get(f"{BASE}/terms", response=list[CodedTermOut], summary="Coded terms at your sites")
@paginate(LimitOffset)
def list_terms(request, study_id: int, filters: Query[TermFilters]):
    access = access_study(request.user, study_id, Perm.CODING)
    return coded_term_list(access, **filters.model_dump())


class SearchFilters(Schema):
    kind: Kind
    q: str = Field(..., min_length=1, max_length=200)
    limit: int = Field(20, ge=1, le=50)
    include_noncurrent: bool = False


@router.get(f"{BASE}/search", response=list[DictionaryTermOut], summary="Search the version in force")
def search(request, study_id: int, filters: Query[SearchFilters]):
    """MedDRA: LLTs with their PT and primary path; WHODrug: drug names with base name and ATC. By name or code."""
    access = access_study(request.user, study_id, Perm.CODING)
    coding = study_coding(access.membership.study)
    dictionary = coding.dictionary_for(filters.kind) if coding else None
    if dictionary is None:
        raise ValidationError({"kind": "No version of this dictionary is in force for the study."})
    return dictionary_search(dictionary, filters.q, limit=filters.limit, include_noncurrent=filters.include_noncurrent)


class CodeIn(Schema):
    dictionary_term_id: int = ID
    apply_to_identical: bool = True
    add_synonym: bool = False
    reason: str = Field("", max_length=500)


def _term(request, study_id: int, term_id: int) -> tuple:
    access = access_study(request.user, study_id)
    term = coded_term_get(access, term_id)
    access_check(access, Perm.CODING)
    return access, term


def _terms_out(access, ids: list[int]) -> list[CodedTerm]:
    return list(coded_term_list(access).filter(pk__in=ids))


@router.post(f"{BASE}/terms/{{term_id}}/code", response=list[CodedTermOut], summary="Code a verbatim")
def code_term(request, study_id: int, term_id: int, body: CodeIn):
    """Codes every identical open verbatim at your sites too, unless apply_to_identical is false."""
    access, term = _term(request, study_id, term_id)
    chosen = DictionaryTerm.objects.filter(pk=body.dictionary_term_id).first()
    if chosen is None:
        raise ValidationError({"dictionary_term_id": "No such dictionary term."})
    coded = services.coding_term_code(
        actor=request.user,
        term=term,
        dictionary_term=chosen,
        apply_to_identical=body.apply_to_identical,
        add_synonym=body.add_synonym,
        reason=body.reason,
    )
    return _terms_out(access, [t.pk for t in coded])


class CodingReasonIn(Schema):
    reason: str = Field("", max_length=500)


@router.post(f"{BASE}/terms/{{term_id}}/approve", response=CodedTermOut, summary="Approve a coding")
def approve_term(request, study_id: int, term_id: int, body: CodingReasonIn):
    access, term = _term(request, study_id, term_id)
    services.coding_term_approve(actor=request.user, term=term, reason=body.reason)
    return coded_term_get(access, term_id)


class ClarifyIn(Schema):
    text: str = Field(..., min_length=1, max_length=4000)


@router.post(f"{BASE}/terms/{{term_id}}/clarify", response=CodedTermOut, summary="Ask the site to clarify")
def clarify_term(request, study_id: int, term_id: int, body: ClarifyIn):
    """Opens a query on the item (by the system, for the coder) and marks the verbatim as awaiting it."""
    access, term = _term(request, study_id, term_id)
    services.coding_term_clarify(actor=request.user, term=term, text=body.text)
    return coded_term_get(access, term_id)


@router.get(f"{BASE}/synonyms", response=list[SynonymOut], summary="The study's synonym list")
@paginate(LimitOffset)
def list_synonyms(request, study_id: int, kind: Kind | Literal[""] = ""):
    access = access_study(request.user, study_id, Perm.CODING)
    return synonym_list(access, kind=kind)


class DeleteReason(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


@router.delete(f"{BASE}/synonyms/{{synonym_id}}", response={204: None}, summary="Withdraw a synonym")
def delete_synonym(request, study_id: int, synonym_id: int, reason: Query[DeleteReason]):
    access = access_study(request.user, study_id, Perm.CODING)
    services.coding_synonym_delete(actor=request.user, synonym=synonym_get(access, synonym_id), reason=reason.reason)
    return Status(204, None)


@router.get(f"{BASE}/upgrades", response=list[UpgradeOut], summary="Dictionary upgrades of the study")
def list_upgrades(request, study_id: int):
    access = access_study(request.user, study_id, Perm.CODING)
    return list(upgrade_list(access))


class UpgradeIn(Schema):
    kind: Kind
    dictionary_id: int = ID
    reason: str = Field("", max_length=500)


@router.post(f"{BASE}/upgrades", response={201: UpgradeReportOut}, summary="Move to another dictionary version")
def create_upgrade(request, study_id: int, body: UpgradeIn):
    """Re-maps every coded term; non-current codes go back to the queue. Answers the report."""
    access = access_study(request.user, study_id, Perm.CODING)
    upgrade = services.study_dictionary_upgrade(
        actor=request.user,
        study=access.membership.study,
        kind=body.kind,
        new_dictionary=_dictionary(body.dictionary_id, "dictionary_id"),
        reason=body.reason,
    )
    return Status(201, upgrade_get(access, upgrade.pk))


@router.get(f"{BASE}/upgrades/{{upgrade_id}}", response=UpgradeReportOut, summary="An upgrade's report")
def get_upgrade(request, study_id: int, upgrade_id: int):
    access = access_study(request.user, study_id, Perm.CODING)
    return upgrade_get(access, upgrade_id)
