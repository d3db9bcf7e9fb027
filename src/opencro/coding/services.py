"""Coding writes: load a dictionary, set a study up, code verbatims automatically and by hand, upgrade.

How a verbatim gets coded (in this order): an exact match (case-insensitive, whitespace collapsed)
on exactly one CURRENT term of the version in force (a MedDRA LLT, a WHODrug drug name); else the
study's synonym for that verbatim, when its code is current in that version; else it waits in the
coder's queue. A coder's choice codes every identical open verbatim at their sites and may become a
synonym. Automatic coding is the system's act (actor None), its reason naming the user whose save
caused it, as for automatic queries.

A coder who cannot code a verbatim asks the site to clarify it: coders hold no `data.review`, so the
query is opened by the system (actor None, `opened_by` None, origin manual) with the coder's text
and the coder named in the audit reason; the coded term keeps a link to it.
"""

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.models import AuditAction
from opencro.audit.services import Change, audit_changes, audit_event, audited_delete, audited_save, audited_values
from opencro.coding.changes import REQUEUE_KINDS, change_order, path_changes
from opencro.coding.models import (
    CODED_STATUSES,
    CodedTerm,
    CodePath,
    CodingMethod,
    CodingStatus,
    Dictionary,
    DictionaryKind,
    DictionaryTerm,
    DictionaryUpgrade,
    StudyCoding,
    Synonym,
)
from opencro.coding.selectors import coded_items, coded_items_of, dictionary_kind, study_coding
from opencro.core.bulk import bulk_insert
from opencro.edc.models import BuildVersion, FormData, ItemData, Query, QueryMessage, QueryOrigin
from opencro.edc.models.queries import MessageKind
from opencro.formats.coding import MedDRA, WHODrug, read_meddra, read_whodrug
from opencro.formats.coding.terms import normalise
from opencro.studies.models import Study

TERM_TYPE = "coding.codedterm"
BATCH = 10_000
SYNONYM_MAX = 400
SITE_ROLE = "study_coordinator"
Progress = Callable[[int, int], None]


def _who(actor) -> str:
    return getattr(actor, "username", "") or "system"


def _require(actor: User | None, study, perm: str) -> StudyAccess | None:
    """None for the system (imports, demo, automatic coding); else the actor's access, or PermissionDenied."""
    return None if actor is None else access_require(actor, study, perm)


def _at_site(access: StudyAccess | None, site_id: int) -> None:
    if access is not None and access.site_ids is not None and site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


# ---------------------------------------------------------------------------------------------- loading


def files_digest(directory: str | Path) -> str:
    """SHA-256 over every file of the release folder (name, size, bytes, in name order): what was loaded."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(directory).iterdir() if p.is_file()):
        digest.update(f"{path.name}\0{path.stat().st_size}\0".encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


TERM_COLUMNS = ("code", "term", "name_key", "current", *CodePath.PATH_FIELDS[2:])
Row = tuple  # one DictionaryTerm in TERM_COLUMNS order


def _term_row(code: str, name: str, current: bool, **path) -> Row:
    values = {"code": code, "term": name, "name_key": normalise(name), "current": current, **path}
    values["atc"] = json.dumps(values.get("atc", []))
    return tuple(values.get(column, "") for column in TERM_COLUMNS)


def _meddra_terms(meddra: MedDRA) -> tuple[list[Row], str]:
    """One row per LLT with its PT and the PT's primary HLT, HLGT and SOC."""
    primary = {}
    for pt_code, links in meddra.pt_links.items():
        link = next((item for item in links if item.primary), links[0] if links else None)
        if link is not None:
            hlt, hlgt, soc = meddra.hlts[link.hlt_code], meddra.hlgts[link.hlgt_code], meddra.socs[link.soc_code]
            primary[pt_code] = {
                "hlt_code": str(hlt.code),
                "hlt_name": hlt.name,
                "hlgt_code": str(hlgt.code),
                "hlgt_name": hlgt.name,
                "soc_code": str(soc.code),
                "soc_name": soc.name,
            }
    rows = []
    for code in sorted(meddra.llts):
        llt = meddra.llts[code]
        pt = meddra.pts[llt.pt_code]
        path = primary.get(pt.code, {})
        rows.append(_term_row(str(code), llt.name, llt.current, pt_code=str(pt.code), pt_name=pt.name, **path))
    current = sum(llt.current for llt in meddra.llts.values())
    summary = (
        f"{len(rows)} LLTs ({current} current), {len(meddra.pts)} PTs, {len(meddra.hlts)} HLTs, "
        f"{len(meddra.hlgts)} HLGTs, {len(meddra.socs)} SOCs"
    )
    return rows, summary


def _whodrug_terms(whodrug: WHODrug) -> tuple[list[Row], str]:
    """One row per drug name with its record's preferred base name and its ATC classes."""
    rows = []
    for code in sorted(whodrug.drugs):
        try:
            base = whodrug.preferred(code)
        except KeyError:
            base = None
        rows.append(
            _term_row(
                code,
                whodrug.drugs[code].name,
                True,
                base_code=base.drug_code if base else "",
                base_name=base.name if base else "",
                atc=[[a.atc.code, a.atc.text, a.official] for a in whodrug.atc_for_code(code)],
            )
        )
    records = len({code[:6] for code in whodrug.drugs})
    summary = f"{len(rows)} drug names, {records} drug records, {len(whodrug.atc_classes)} ATC classes"
    return rows, summary


def dictionary_load(
    *,
    actor: User | None,
    kind: str,
    directory: str | Path,
    encoding: str | None = None,
    fmt: str | None = None,
    version: str = "",
    language: str = "",
    on_progress: Progress | None = None,
) -> Dictionary:
    """Load one licensed release from its distribution files (system administrators only).

    MedDRA: the `.asc` files of a MedAscii folder; WHODrug: the B3 or C3 text files. The files are
    read whole and checked before anything is written (a FormatError lists every problem); the
    version comes from the release file unless `version` is given. Audited as one event naming the
    counts and the SHA-256 of the files.
    """
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Only a system administrator loads a dictionary."))
    if kind not in DictionaryKind.values:
        raise ValidationError({"kind": _("Choose MedDRA or WHODrug.")})
    folder = Path(directory)
    if kind == DictionaryKind.MEDDRA:
        meddra = read_meddra(folder, encoding=encoding)
        rows, summary = _meddra_terms(meddra)
        found_version, found_language, found_fmt, notes = meddra.version, meddra.language, "ASCII", meddra.notes
    else:
        whodrug = read_whodrug(folder, fmt=fmt, encoding=encoding)
        rows, summary = _whodrug_terms(whodrug)
        found_version, found_language, found_fmt, notes = whodrug.version, "", whodrug.fmt, whodrug.notes
    version = (version or found_version).strip()[:100]
    language = (language or found_language).strip()[:40]
    if not version:
        raise ValidationError({"version": _("The release files name no version: give one.")})
    if Dictionary.objects.filter(kind=kind, version=version, language=language).exists():
        raise ValidationError({"version": _("This version is already loaded.")})
    digest = files_digest(folder)
    with transaction.atomic():
        dictionary = Dictionary(
            kind=kind,
            version=version,
            language=language,
            fmt=found_fmt,
            source_name=folder.name[:255],
            digest=digest,
            term_count=len(rows),
            current_count=sum(bool(row[3]) for row in rows),
            loaded_at=timezone.now(),
            loaded_by=actor,
            notes=list(notes),
        )
        dictionary.full_clean()
        dictionary.save()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            bulk_insert(DictionaryTerm, ("dictionary_id", *TERM_COLUMNS), ((dictionary.pk, *row) for row in chunk))
            if on_progress is not None:
                on_progress(start + len(chunk), len(rows))
        audit_event(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="coding.dictionary",
            object_id=dictionary.pk,
            object_repr=str(dictionary),
            changes={
                "kind": (None, kind),
                "version": (None, version),
                "language": (None, language or None),
                "fmt": (None, found_fmt),
                "term_count": (None, str(dictionary.term_count)),
                "current_count": (None, str(dictionary.current_count)),
                "digest": (None, digest),
            },
            reason=f"dictionary loaded from {folder.name}: {summary}",
        )
    return dictionary


# ------------------------------------------------------------------------------------ applying a code


class _Matcher:
    """Automatic coding against the study's versions in force, remembering each verbatim's answer."""

    def __init__(self, study_id: int, coding: StudyCoding | None):
        self.study_id = study_id
        self.coding = coding
        self._seen: dict[tuple[str, str], tuple[DictionaryTerm | None, str]] = {}

    def match(self, kind: str, key: str) -> tuple[DictionaryTerm | None, str]:
        dictionary = self.coding.dictionary_for(kind) if self.coding else None
        if dictionary is None or not key:
            return None, ""
        if (kind, key) not in self._seen:
            self._seen[kind, key] = self._lookup(dictionary, kind, key)
        return self._seen[kind, key]

    def _lookup(self, dictionary: Dictionary, kind: str, key: str) -> tuple[DictionaryTerm | None, str]:
        exact = list(DictionaryTerm.objects.filter(dictionary=dictionary, name_key=key, current=True)[:2])
        if len(exact) == 1:  # two drug names alike (WHODrug names are not unique): the coder decides
            return exact[0], CodingMethod.EXACT
        if len(key) <= SYNONYM_MAX:
            synonym = Synonym.objects.filter(study_id=self.study_id, kind=kind, verbatim_key=key).first()
            if synonym is not None:
                term = DictionaryTerm.objects.filter(dictionary=dictionary, code=synonym.code, current=True).first()
                if term is not None:
                    return term, CodingMethod.SYNONYM
        return None, ""


def _set_code(term: CodedTerm, source: CodePath, dictionary: Dictionary, method: str, coder, now) -> None:
    for name, value in source.path_values().items():
        setattr(term, name, value)
    term.status = CodingStatus.CODED
    term.method = method
    term.dictionary = dictionary
    term.coded_by = coder if getattr(coder, "pk", None) else None
    term.coded_at = now
    term.approved_by = None
    term.approved_at = None


def _clear_code(term: CodedTerm) -> None:
    for name in CodePath.PATH_FIELDS:
        setattr(term, name, [] if name == "atc" else "")
    term.status = CodingStatus.UNCODED
    term.method = ""
    term.dictionary = None
    term.coded_by = None
    term.coded_at = None
    term.approved_by = None
    term.approved_at = None


def _auto(term: CodedTerm, matcher: _Matcher, now) -> bool:
    found, method = matcher.match(term.kind, term.verbatim_key)
    if found is None:
        return False
    _set_code(term, found, found.dictionary, method, None, now)
    return True


UPDATABLE = (
    *CodePath.PATH_FIELDS,
    "verbatim",
    "verbatim_key",
    "status",
    "method",
    "dictionary",
    "coded_by",
    "coded_at",
    "approved_by",
    "approved_at",
    "clarification",
    "query",
)


def _write_updates(terms: list[CodedTerm], before: dict[int, dict], *, actor, reason: str) -> None:
    """Store changed terms in bulk and audit each changed field (`before`: audited values by pk)."""
    assert reason.strip(), "a change to a coded term needs a reason"
    changes, changed = [], []
    for term in terms:
        after = audited_values(term)
        diffs = [(name, old, after[name]) for name, old in before[term.pk].items() if after[name] != old]
        if not diffs:
            continue
        changed.append(term)
        changes += [
            Change(TERM_TYPE, term.pk, str(term), term.study_id, term.site_id, name, old, new)
            for name, old, new in diffs
        ]
    if changed:
        CodedTerm.objects.bulk_update(changed, UPDATABLE, batch_size=500)
        audit_changes(actor=actor, changes=changes, reason=reason)


def _create_terms(terms: list[CodedTerm], *, actor, reason: str) -> None:
    if not terms:
        return
    CodedTerm.objects.bulk_create(terms, batch_size=500)
    changes = [
        Change(TERM_TYPE, t.pk, str(t), t.study_id, t.site_id, name, None, value, AuditAction.CREATE)
        for t in terms
        for name, value in audited_values(t).items()
        if value is not None
    ]
    audit_changes(actor=actor, changes=changes, reason=reason)


def _new_term(row: ItemData, form: FormData, oid: str, kind: str) -> CodedTerm:
    return CodedTerm(
        item_data=row,
        study_id=form.study_id,
        site_id=form.site_id,
        subject_id=form.subject_id,
        form=form,
        item_oid=oid,
        group_repeat=row.group_repeat,
        kind=kind,
        verbatim=row.value,
        verbatim_key=normalise(row.value or ""),
    )


# --------------------------------------------------------------------------------------- entry hook


def coding_terms_sync(*, form: FormData, actor: User | None, version_id: int | None = None) -> list[CodedTerm]:
    """Bring the coding of a form's coded items in line with the values just saved; return new/changed terms.

    Called by `form_save` inside its transaction, after the values are written (it checked access);
    `version_id` is the form definition's build version when the caller knows it.
    A new verbatim gets a coded term and automatic coding; a changed verbatim (other than in case or
    spacing) loses its coding, audited, and is coded again; a verbatim emptied removes its term.
    """
    known = version_id is not None  # form_save passes the casebook's version: published, so its items are fixed
    version_id = version_id or form.form_def.version_id
    items = {
        ci.item_id: ci
        for ci in coded_items_of(form.study_id, version_id, form_def_id=form.form_def_id, fixed_version=known)
    }
    if not items:
        return []
    rows = list(ItemData.objects.filter(form=form, item_def_id__in=items))
    for row in rows:
        row.form = form
    terms = CodedTerm.objects.select_for_update(of=("self",)).filter(item_data__in=rows)
    return _reconcile(
        rows, items, terms, _Matcher(form.study_id, study_coding(form.study_id)), f"save by {_who(actor)}"
    )


def coding_terms_sync_study(*, study: Study, actor: User | None, cause: str = "import") -> list[CodedTerm]:
    """The same for every coded item of the study: for writers that bypass `form_save` (ODM imports).

    Runs inside the caller's transaction, after it checked access and wrote the values; `cause`
    names the writer in the audit reasons ("import by jdoe").
    """
    matcher = _Matcher(study.pk, study_coding(study))
    changed: list[CodedTerm] = []
    for version in BuildVersion.objects.filter(study=study):
        items = {ci.item_id: ci for ci in coded_items(version)}
        if not items:
            continue
        rows = ItemData.objects.filter(item_def_id__in=items, form__study=study).select_related("form")
        terms = CodedTerm.objects.select_for_update(of=("self",)).filter(study=study, item_data__item_def_id__in=items)
        changed += _reconcile(list(rows), items, terms, matcher, f"{cause} by {_who(actor)}")
    return changed


def _reconcile(rows: list[ItemData], items: dict, terms, matcher: _Matcher, cause: str) -> list[CodedTerm]:
    """Create, reset, correct or remove the coded terms of `rows` (values of coded items, `form` loaded)."""
    existing = {t.item_data_id: t for t in terms}
    now = timezone.now()
    created, reset, corrected, before = [], [], [], {}
    for row in rows:
        key = normalise(row.value or "")
        term = existing.get(row.pk)
        if term is None:
            if key:
                term = _new_term(row, row.form, items[row.item_def_id].oid, items[row.item_def_id].kind)
                _auto(term, matcher, now)
                created.append(term)
            continue
        if not key:
            audited_delete(term, actor=None, reason=f"verbatim removed on {cause}")
            continue
        if term.verbatim == row.value:
            continue
        before[term.pk] = audited_values(term)
        term.verbatim = row.value
        if term.verbatim_key == key:
            corrected.append(term)
            continue
        term.verbatim_key = key
        _clear_code(term)
        _auto(term, matcher, now)
        reset.append(term)
    _create_terms(created, actor=None, reason=f"automatic coding on {cause}")
    _write_updates(reset, before, actor=None, reason=f"verbatim changed on {cause}; coding redone")
    _write_updates(corrected, before, actor=None, reason=f"verbatim corrected on {cause}; coding kept")
    return created + reset + corrected


def _auto_open(study: Study, coding: StudyCoding, matcher: _Matcher, *, actor, reason: str, kind: str = "") -> int:
    """Code automatically every term still in the queue (after a version or a synonym becomes available)."""
    qs = CodedTerm.objects.select_for_update(of=("self",)).filter(study=study, status=CodingStatus.UNCODED)
    if kind:
        qs = qs.filter(kind=kind)
    now, coded, before = timezone.now(), [], {}
    for term in qs:
        snapshot = audited_values(term)
        if _auto(term, matcher, now):
            before[term.pk] = snapshot
            coded.append(term)
    _write_updates(coded, before, actor=actor, reason=reason)
    return len(coded)


# ---------------------------------------------------------------------------------------- set-up


def study_coding_configure(
    *,
    actor: User | None,
    study: Study,
    meddra: Dictionary | None = None,
    whodrug: Dictionary | None = None,
    items: dict[str, str] | None = None,
    reason: str = "",
) -> StudyCoding:
    """Choose the MedDRA/WHODrug versions in force and the items coded by OID (None: leave as is).

    Changing a version once terms are coded against another one is an upgrade (which re-maps them),
    not a set-up change. Afterwards, stored values of coded items get their terms and open terms are
    coded automatically against the versions in force.
    """
    if actor is not None and not actor.is_superuser:
        access_require(actor, study, Perm.BUILD_EDIT)
    chosen = {DictionaryKind.MEDDRA: meddra, DictionaryKind.WHODRUG: whodrug}
    for kind, dictionary in chosen.items():
        if dictionary is not None and dictionary.kind != kind:
            raise ValidationError({kind: _("%(name)s is not a %(kind)s version.") % {"name": dictionary, "kind": kind}})
    if items is not None:
        bad = sorted(oid for oid, label in items.items() if label and dictionary_kind(label) is None)
        if bad or any(not oid or len(oid) > 100 for oid in items):
            raise ValidationError({"items": _("Name items by OID, each coded with MedDRA, WHODrug or nothing.")})
    with transaction.atomic():
        coding = StudyCoding.objects.select_for_update(of=("self",)).filter(study=study).first()
        creating = coding is None
        coding = coding or StudyCoding(study=study)
        for kind, dictionary in chosen.items():
            current = coding.dictionary_for(kind) if not creating else None
            if dictionary is None or dictionary == current:
                continue
            coded = CodedTerm.objects.filter(study=study, kind=kind, status__in=CODED_STATUSES)
            if current is not None and coded.exclude(dictionary=dictionary).exists():
                raise ValidationError(
                    {
                        kind: _("Terms are coded with %(name)s: move to another version with an upgrade.")
                        % {"name": current}
                    }
                )
            setattr(coding, "meddra" if kind == DictionaryKind.MEDDRA else "whodrug", dictionary)
        if items is not None:
            coding.items = dict(sorted(items.items()))
        if creating or audited_values(coding) != audited_values(StudyCoding.objects.get(pk=coding.pk)):
            audited_save(coding, actor=actor, reason=reason)
            coding_terms_sync_study(study=study, actor=actor, cause="coding set-up change")
            matcher = _Matcher(study.pk, coding)
            _auto_open(study, coding, matcher, actor=None, reason=f"coding set-up changed by {_who(actor)}")
    return coding


# ----------------------------------------------------------------------------------------- the coder


def coding_term_code(
    *,
    actor: User | None,
    term: CodedTerm,
    dictionary_term: DictionaryTerm,
    apply_to_identical: bool = True,
    add_synonym: bool = False,
    reason: str = "",
) -> list[CodedTerm]:
    """Code a verbatim to a term of the version in force; optionally every identical open verbatim
    at the coder's sites too, and the verbatim as a study synonym. Returns the terms coded.

    Re-coding a coded term needs a reason.
    """
    access = _require(actor, term.study, Perm.CODING)
    _at_site(access, term.site_id)
    coding = study_coding(term.study_id)
    dictionary = coding.dictionary_for(term.kind) if coding else None
    if dictionary is None:
        raise ValidationError({"dictionary": _("No version of this dictionary is in force for the study.")})
    if dictionary_term.dictionary_id != dictionary.pk:
        raise ValidationError({"term": _("Choose a term of %(name)s, the version in force.") % {"name": dictionary}})
    if not dictionary_term.current:
        raise ValidationError({"term": _("This term is not current: choose a current one.")})
    with transaction.atomic():
        term = CodedTerm.objects.select_for_update(of=("self",)).select_related("form").get(pk=term.pk)
        if term.status in CODED_STATUSES and not reason.strip():
            raise ValidationError({"reason": _("A reason is required to change a coding.")})
        if term.form.locked:
            raise ValidationError({"form": _("This form is locked.")})
        targets = [term]
        if apply_to_identical:
            others = CodedTerm.objects.select_for_update(of=("self",)).filter(
                study_id=term.study_id,
                kind=term.kind,
                verbatim_key=term.verbatim_key,
                status=CodingStatus.UNCODED,
                form__locked=False,
            )
            if access is not None:
                others = others.filter(access.site_filter())
            targets += list(others.exclude(pk=term.pk).order_by("id"))
        before = {t.pk: audited_values(t) for t in targets}
        now = timezone.now()
        for target in targets:
            _set_code(target, dictionary_term, dictionary, CodingMethod.MANUAL, actor, now)
        _write_updates(targets[:1], before, actor=actor, reason=reason.strip() or "coded by the coder")
        _write_updates(
            targets[1:], before, actor=actor, reason=f"coded by the coder with the identical verbatim of term {term.pk}"
        )
        if add_synonym:
            _synonym_set(term, dictionary_term, dictionary, actor=actor)
    return targets


def _synonym_set(term: CodedTerm, chosen: DictionaryTerm, dictionary: Dictionary, *, actor) -> Synonym:
    if len(term.verbatim_key) > SYNONYM_MAX:
        raise ValidationError({"synonym": _("This verbatim is too long to keep as a synonym.")})
    synonym = Synonym.objects.select_for_update(of=("self",)).filter(
        study_id=term.study_id, kind=term.kind, verbatim_key=term.verbatim_key
    )
    synonym = synonym.first()
    if synonym is None:
        synonym = Synonym(
            study_id=term.study_id,
            kind=term.kind,
            verbatim_key=term.verbatim_key,
            verbatim=" ".join(term.verbatim.split())[:SYNONYM_MAX],
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=timezone.now(),
        )
    elif synonym.code == chosen.code:
        return synonym
    synonym.code, synonym.term, synonym.dictionary = chosen.code, chosen.term, dictionary
    return audited_save(synonym, actor=actor, reason="synonym changed by the coder")


def coding_term_approve(*, actor: User | None, term: CodedTerm, reason: str = "") -> CodedTerm:
    """Approve a coding (second look); the coder who chose a term by hand does not approve it."""
    access = _require(actor, term.study, Perm.CODING)
    _at_site(access, term.site_id)
    with transaction.atomic():
        term = CodedTerm.objects.select_for_update(of=("self",)).select_related("form").get(pk=term.pk)
        if term.status != CodingStatus.CODED:
            raise ValidationError({"status": _("Only a coded term can be approved.")})
        if term.form.locked:
            raise ValidationError({"form": _("This form is locked.")})
        if actor is not None and term.method == CodingMethod.MANUAL and term.coded_by_id == actor.pk:
            raise ValidationError({"status": _("Another coder approves what you coded.")})
        term.status = CodingStatus.APPROVED
        term.approved_by = actor
        term.approved_at = timezone.now()
        return audited_save(term, actor=actor, reason=reason.strip() or "coding approved")


def coding_term_clarify(*, actor: User | None, term: CodedTerm, text: str) -> CodedTerm:
    """Ask the site to clarify a verbatim: a query on the item, opened by the system for the coder."""
    access = _require(actor, term.study, Perm.CODING)
    _at_site(access, term.site_id)
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Say what needs clarifying.")})
    with transaction.atomic():
        term = CodedTerm.objects.select_for_update(of=("self",)).select_related("form", "item_data").get(pk=term.pk)
        if term.status != CodingStatus.UNCODED:
            raise ValidationError({"status": _("Only a verbatim waiting in the queue can be sent for clarification.")})
        if term.form.locked:
            raise ValidationError({"form": _("This form is locked.")})
        now, why = timezone.now(), f"clarification of a verbatim requested by coder {_who(actor)}"
        query = audited_save(
            Query(
                study_id=term.study_id,
                site_id=term.site_id,
                subject_id=term.subject_id,
                form=term.form,
                item=term.item_data,
                origin=QueryOrigin.MANUAL,
                assigned_role=SITE_ROLE,
                text=text,
                value_at_open=term.item_data.value,
                opened_at=now,
            ),
            actor=None,
            reason=why,
        )
        audited_save(
            QueryMessage(query=query, kind=MessageKind.OPEN, text=text, created_at=now), actor=None, reason=why
        )
        term.status, term.clarification, term.query = CodingStatus.CLARIFICATION, text, query
        return audited_save(term, actor=actor, reason="clarification requested")


def coding_synonym_delete(*, actor: User | None, synonym: Synonym, reason: str) -> None:
    """Withdraw a study synonym (terms already coded through it keep their coding)."""
    _require(actor, synonym.study, Perm.CODING)
    with transaction.atomic():
        audited_delete(synonym, actor=actor, reason=reason)


# ------------------------------------------------------------------------------------------- upgrade


def study_dictionary_upgrade(
    *, actor: User | None, study: Study, kind: str, new_dictionary: Dictionary, reason: str = ""
) -> DictionaryUpgrade:
    """Move a study to another version of MedDRA or WHODrug, re-mapping every coded term; report it.

    A code still current in the new version keeps its coding with the new path (a change of PT,
    name or primary SOC is reported, and an approval is withdrawn for re-review); a code that is
    non-current or absent goes back to the queue. Open verbatims are then coded automatically
    against the new version. Needs access to every site: it re-codes all of them.
    """
    access = _require(actor, study, Perm.CODING)
    if access is not None and access.site_ids is not None:
        raise PermissionDenied(_("An upgrade re-codes the terms of every site: it needs access to all sites."))
    if kind not in DictionaryKind.values or new_dictionary.kind != kind:
        raise ValidationError({"dictionary": _("Choose a version of the same dictionary.")})
    with transaction.atomic():
        coding = StudyCoding.objects.select_for_update(of=("self",)).filter(study=study).first()
        old = coding.dictionary_for(kind) if coding else None
        if old is None:
            raise ValidationError({"dictionary": _("No version is in force yet: set one up first.")})
        if old.pk == new_dictionary.pk:
            raise ValidationError({"dictionary": _("This version is already in force.")})
        why = f"{DictionaryKind(kind).label} upgrade {old.version} -> {new_dictionary.version}"
        why += f": {reason.strip()}" if reason.strip() else ""
        terms = list(
            CodedTerm.objects.select_for_update(of=("self",))
            .filter(study=study, kind=kind, status__in=CODED_STATUSES)
            .select_related("site", "subject")
            .order_by("id")
        )
        fields = ("current", *CodePath.PATH_FIELDS)
        codes = sorted({t.code for t in terms})
        after: dict[str, dict] = {}
        for start in range(0, len(codes), 500):
            rows = DictionaryTerm.objects.filter(dictionary=new_dictionary, code__in=codes[start : start + 500])
            after.update({row["code"]: row for row in rows.values(*fields)})
        report, before, kept, requeued, changed = [], {}, 0, 0, 0
        for term in terms:
            before[term.pk] = audited_values(term)
            found = path_changes(kind, term.path_values(), after.get(term.code))
            back = any(c.kind in REQUEUE_KINDS for c in found)
            report += [
                {
                    "kind": c.kind,
                    "term_id": term.pk,
                    "site_id": term.site_id,
                    "site": term.site.number,
                    "subject": term.subject.number,
                    "item": term.item_oid,
                    "verbatim": term.verbatim,
                    "code": term.code,
                    "term": term.term,
                    "old": c.old,
                    "new": c.new,
                    "action": "queued" if back else "kept",
                }
                for c in found
            ]
            if back:
                _clear_code(term)
                requeued += 1
                continue
            row = after[term.code]
            for name in CodePath.PATH_FIELDS:
                setattr(term, name, row[name])
            term.dictionary = new_dictionary
            if found:
                changed += 1
                if term.status == CodingStatus.APPROVED:
                    term.status, term.approved_by, term.approved_at = CodingStatus.CODED, None, None
            else:
                kept += 1
        _write_updates(terms, before, actor=actor, reason=why)
        setattr(coding, kind, new_dictionary)
        audited_save(coding, actor=actor, reason=why)
        auto = _auto_open(study, coding, _Matcher(study.pk, coding), actor=None, reason=why, kind=kind)
        report.sort(key=lambda entry: (change_order(entry["kind"]), entry["code"], entry["term_id"]))
        return audited_save(
            DictionaryUpgrade(
                study=study,
                kind=kind,
                from_dictionary=old,
                to_dictionary=new_dictionary,
                performed_by=actor,
                performed_at=timezone.now(),
                reason=reason.strip(),
                checked=len(terms),
                kept=kept,
                changed=changed,
                requeued=requeued,
                auto_coded=auto,
                changes=report,
            ),
            actor=actor,
        )
