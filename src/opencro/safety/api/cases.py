"""Safety API: cases, their versions and content, the workflow, duplicates, submissions and acknowledgements.

Reads need `safety.view`, writes `safety.edit`, approval also `esign.sign`. A case is found through the caller's
scope first (a site-restricted role sees its sites' cases only: 404 elsewhere), then the write permission is
checked (403). Rows of a case (events, products, ...) are those of its latest version; the services refuse a
frozen version with a 422. Nothing here reads a subject's treatment assignment.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.accounts.signatures import signatures_for
from opencro.api.pagination import LimitOffset
from opencro.coding.selectors import dictionary_search, study_coding
from opencro.safety import selectors
from opencro.safety.api import schemas as s
from opencro.safety.models import (
    SERIOUSNESS,
    WORKFLOW,
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseSubmission,
    CaseVersion,
    SafetyCase,
)
from opencro.safety.parts import VersionParts, version_parts
from opencro.safety.services.content import (
    case_event_code,
    case_event_expectedness_set,
    case_part_delete,
    case_part_save,
    case_version_update,
)
from opencro.safety.services.intake import (
    CaseIntake,
    EventInput,
    PatientInput,
    ProductInput,
    ReporterInput,
    case_create,
)
from opencro.safety.services.reporting import submission_ack_record, submission_record
from opencro.safety.services.workflow import (
    case_followup_start,
    case_mark_duplicate,
    case_version_advance,
    case_version_approve,
    step_blockers,
)
from opencro.studies.selectors import site_get
from opencro.subjects.selectors import subject_get

router = Router(tags=["safety"])
BASE = "/{study_id}/safety"
CASE = BASE + "/cases/{case_id}"
FLAG_NAMES = tuple(name for name, _label in SERIOUSNESS)


# ---- finding things ----------------------------------------------------------------------------------------------


def _readable(request, study_id: int, case_id: int) -> tuple[StudyAccess, SafetyCase]:
    access = access_study(request.user, study_id)
    found = selectors.case_get(access, case_id)  # 404 outside the caller's sites, then 403
    access_check(access, Perm.SAFETY_VIEW)
    return access, found


def _writable(request, study_id: int, case_id: int) -> tuple[StudyAccess, SafetyCase, CaseVersion]:
    """The case (404 outside the caller's scope), then `safety.edit` (403), and its latest version."""
    access, case = _readable(request, study_id, case_id)
    access_check(access, Perm.SAFETY_EDIT)
    return access, case, selectors.version_get(case)


def _in_scope(find, access: StudyAccess, pk: int, field: str, message: str):
    """An id given in a body names nothing the caller may see: a 422 on that field, not a 404 of the route."""
    try:
        return find(access, pk)
    except Http404:
        raise ValidationError({field: message}) from None


def _row(rows: list, pk: int):
    """A row of the latest version by id (404 for a row of another case or an older version)."""
    found = next((r for r in rows if r.pk == pk), None)
    if found is None:
        raise Http404(_("No such row in the case's current version."))
    return found


def _changes(payload) -> dict:
    """The fields the client sent (a field left out keeps its stored value)."""
    return payload.model_dump(exclude_unset=True, exclude={"reason"})


def _apply(part, changes: dict):
    for name, value in changes.items():
        setattr(part, name, value)
    return part


def _flags(criteria: list[str]) -> dict[str, bool]:
    return {name: name in criteria for name in FLAG_NAMES}


# ---- output ------------------------------------------------------------------------------------------------------


def _meddra(e: CaseEvent) -> dict | None:
    if not (e.code or e.pt_code):
        return None
    return {
        "version": e.meddra_version,
        "llt_code": e.code,
        "llt_name": e.term,
        "pt_code": e.pt_code,
        "pt_name": e.pt_name,
        "hlt_code": e.hlt_code,
        "hlt_name": e.hlt_name,
        "hlgt_code": e.hlgt_code,
        "hlgt_name": e.hlgt_name,
        "soc_code": e.soc_code,
        "soc_name": e.soc_name,
    }


def _event(e: CaseEvent, parts: VersionParts) -> dict:
    return {
        "id": e.pk,
        "key": e.key,
        "verbatim": e.verbatim,
        "meddra": _meddra(e),
        "onset": e.onset,
        "end": e.end,
        "outcome": e.outcome,
        "criteria": [name for name in FLAG_NAMES if getattr(e, name)],
        "serious": e.serious,
        "medically_confirmed": e.medically_confirmed,
        "country": e.country,
        "severity": e.severity,
        "unexpected": e.unexpected,
        "expectedness_basis": e.expectedness_basis,
        "expectedness_manual": e.expectedness_manual,
        "related": parts.related(e),
    }


def _product(p: CaseProduct) -> dict:
    fields = ("key", "role", "name", "dose", "dose_unit", "frequency", "route", "start", "end", "batch")
    return {
        "id": p.pk,
        "product_id": p.product_id,
        "indication": p.indication,
        "action_taken": p.action_taken,
        "blinded": p.blinded,
        **{name: getattr(p, name) for name in fields},
    }


def _causality(a: CaseCausality | None) -> dict | None:
    if a is None:
        return None
    return {"source": a.source, "method": a.method, "result": a.result, "comment": a.comment}


def _pair(pair: CaseDrugEvent, parts: VersionParts) -> dict:
    assessments = parts.assessments_of(pair)
    return {
        "id": pair.pk,
        "product_id": pair.product_id,
        "product_key": pair.product.key,
        "event_id": pair.event_id,
        "event_key": pair.event.key,
        "dechallenge": pair.dechallenge,
        "rechallenge": pair.rechallenge,
        "reporter": _causality(assessments.get("reporter")),
        "company": _causality(assessments.get("company")),
    }


def _values(row, names: tuple[str, ...]) -> dict:
    return {"id": row.pk, **{name: getattr(row, name) for name in names}}


PATIENT_FIELDS = CasePatient.EDITABLE
REPORTER_FIELDS = ("given_name", "family_name", "organisation", "city", "country", "qualification", "primary")
TEST_FIELDS = ("test", "date", "result", "unit", "low", "high", "comment")
HISTORY_FIELDS = ("term", "code", "start", "continuing", "end", "comment")


def _patient(p: CasePatient) -> dict:
    out = _values(p, PATIENT_FIELDS)
    for name in ("age", "weight_kg", "height_cm"):
        out[name] = None if out[name] is None else float(out[name])
    return out


def _reporter(r: CaseReporter) -> dict:
    return _values(r, (*REPORTER_FIELDS, "investigator"))


def _version(v: CaseVersion) -> dict:
    names = (
        "number",
        "kind",
        "received_on",
        "state",
        "significant",
        "minimum_criteria_on",
        "fatal_or_lt_known_on",
        "narrative",
        "reporter_comment",
        "sender_comment",
        "sender_diagnosis",
        "frozen_at",
        "next_due_on",
        "latest",
    )
    return {name: getattr(v, name) for name in names}


def _workflow(version: CaseVersion) -> dict:
    order = list(WORKFLOW)
    index = order.index(version.state)
    return {
        "state": version.state,
        "next_state": order[index + 1] if index + 1 < len(order) else None,
        "blockers": [str(b) for b in step_blockers(version, version.state)],
    }


def _case(case: SafetyCase, version: CaseVersion) -> dict:
    """The case as the API shows it: `version`'s content, its workflow, every version and every report due."""
    parts = version_parts(version)
    due, missing = selectors.case_due_rows(case)
    return {
        "id": case.pk,
        "number": case.number,
        "source": case.source,
        "status": case.status,
        "subject": case.subject.number if case.subject_id else None,
        "site": case.site.number if case.site_id else None,
        "initial_received_on": case.initial_received_on,
        "site_aware_on": case.site_aware_on,
        "reported_at": case.reported_at,
        "late_from_site": case.late_from_site,
        "duplicate_of": case.duplicate_of.number if case.duplicate_of_id else None,
        "version": _version(version),
        "patient": _patient(parts.patient) if parts.patient else None,
        "reporters": [_reporter(r) for r in parts.reporters],
        "events": [_event(e, parts) for e in parts.events],
        "products": [_product(p) for p in parts.products],
        "pairs": [_pair(p, parts) for p in parts.pairs],
        "tests": [_values(t, TEST_FIELDS) for t in parts.tests],
        "history": [_values(h, HISTORY_FIELDS) for h in parts.history],
        "workflow": _workflow(version),
        "signatures": [
            {
                "printed_name": sig.printed_name,
                "meaning": sig.meaning,
                "signed_at": sig.signed_at,
                "broken": sig.is_broken,
            }
            for sig in signatures_for(version)
        ],
        "versions": [
            {
                "number": v.number,
                "kind": v.kind,
                "received_on": v.received_on,
                "state": v.state,
                "significant": v.significant,
                "frozen": v.frozen,
                "latest": v.latest,
            }
            for v in selectors.case_versions(case)
        ],
        "reports": [
            {
                "rule_set": r.due.rule_set,
                "rule": r.due.rule,
                "recipient": r.due.recipient,
                "kind": r.due.kind,
                "version": r.due.version,
                "day0": r.due.day0,
                "clock_start": r.due.clock_start,
                "days": r.due.days,
                "due_on": r.due.due_on,
                "events": list(r.due.events),
                "reason": r.due.reason,
                "reference": r.due.reference,
                "status": r.status,
                "submission_id": r.submission.pk if r.submission else None,
            }
            for r in due
        ],
        "missing": [
            {
                "version": m.version,
                "event": m.event,
                "term": m.term,
                "missing": list(m.missing),
                "rule_sets": list(m.rule_sets),
                "message": m.message,
            }
            for m in missing
        ],
    }


def _latest(case: SafetyCase) -> dict:
    case.refresh_from_db()
    return _case(case, selectors.version_get(case))


def _submission(sub: CaseSubmission) -> dict:
    names = ("rule_set", "rule", "recipient", "kind", "due_on", "submitted_on", "fmt", "message_id")
    acks = ("ack_batch_code", "ack_code", "ack_received_on", "ack_text")
    return {
        "id": sub.pk,
        "case_id": sub.version.case_id,
        "version": sub.version.number,
        "submitted_by": sub.submitted_by.printed_name,
        **{name: getattr(sub, name) for name in (*names, *acks)},
    }


# ---- the worklist and intake -------------------------------------------------------------------------------------


class _WorklistPage:
    """The worklist, sliced by the paginator before any row is read; each page's seriousness in one query."""

    def __init__(self, versions) -> None:
        self.versions = versions
        self.today = timezone.localdate()

    def __len__(self) -> int:
        return self.versions.count()

    def __getitem__(self, window: slice) -> list[dict]:
        page = list(self.versions[window])
        serious = selectors.versions_seriousness(page)
        return [
            {
                "id": v.case_id,
                "number": v.case.number,
                "subject": v.case.subject.number if v.case.subject_id else None,
                "site": v.case.site.number if v.case.site_id else None,
                "source": v.case.source,
                "status": v.case.status,
                "state": v.state,
                "version": v.number,
                "received_on": v.received_on,
                "next_due_on": v.next_due_on,
                "serious": bool(serious.get(v.pk)),
                "overdue": v.next_due_on is not None and v.next_due_on < self.today,
            }
            for v in page
        ]


@router.get(BASE + "/cases", response=list[s.SafetyCaseRowOut], summary="The safety worklist (latest versions)")
@paginate(LimitOffset)
def list_cases(request, study_id: int, filters: Query[s.SafetyCaseFilters]):
    """Sorted by the next report due (cases with nothing due last), by receipt (newest first) or by number."""
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    criteria = filters.model_dump()
    versions = selectors.case_list(access, site_id=criteria.pop("site"), **criteria)
    return _WorklistPage(versions)


@router.post(BASE + "/cases", response={201: s.SafetyCaseOut}, summary="Enter a case received outside the EDC")
def create_case(request, study_id: int, payload: s.SafetyCaseIn):
    """A spontaneous, literature or partner report, or a study SAE sent by fax or e-mail. Day 0 is the receipt
    when the minimum criteria (patient, reporter, suspect product, event) hold."""
    access = access_study(request.user, study_id, Perm.SAFETY_VIEW)
    access_check(access, Perm.SAFETY_EDIT)
    subject = site = None
    if payload.subject_id is not None:
        subject = _in_scope(subject_get, access, payload.subject_id, "subject_id", _("No such subject."))
    if payload.site_id is not None:
        site = _in_scope(site_get, access, payload.site_id, "site_id", _("No such site."))
    products = []
    for item in payload.products:
        product = None
        if item.product_id is not None:
            product = _in_scope(
                selectors.safety_product_get, access, item.product_id, "products", _("No such product in the study.")
            )
        name = item.name or (product.name if product else "")
        if not name:
            raise ValidationError({"products": _("Name each product, or give a product of the study.")})
        data = item.model_dump(exclude={"product_id", "name"})
        products.append(ProductInput(name=name, product=product, **data))
    intake = CaseIntake(
        source=payload.source,
        received_on=payload.received_on,
        events=[EventInput(**e.model_dump(exclude={"criteria"}), flags=frozenset(e.criteria)) for e in payload.events],
        products=products,
        reporter=ReporterInput(**payload.reporter.model_dump()),
        patient=PatientInput(**payload.patient.model_dump()),
        narrative=payload.narrative,
    )
    case = case_create(actor=request.user, study=access.membership.study, intake=intake, site=site, subject=subject)
    return Status(201, _latest(case))


# ---- one case ----------------------------------------------------------------------------------------------------


@router.get(CASE, response=s.SafetyCaseOut, summary="A case: a version's content, workflow, versions, reports due")
def get_case(request, study_id: int, case_id: int, version: int | None = None):
    """The latest version, or `?version=N`."""
    _access, case = _readable(request, study_id, case_id)
    return _case(case, selectors.version_get(case, version))


@router.patch(CASE + "/version", response=s.SafetyCaseOut, summary="Change the version's narrative, comments, dates")
def patch_version(request, study_id: int, case_id: int, payload: s.SafetyVersionPatch):
    _access, case, version = _writable(request, study_id, case_id)
    case_version_update(actor=request.user, version=version, changes=_changes(payload), reason=payload.reason)
    return _latest(case)


# ---- the version's rows ------------------------------------------------------------------------------------------


def _saved(version: CaseVersion, pk: int, pick, render) -> dict:
    """Read the version again after a write (expectedness and links may have changed) and render one row."""
    parts = version_parts(version)
    return render(_row(pick(parts), pk), parts)


def _event_out(version: CaseVersion, pk: int) -> dict:
    return _saved(version, pk, lambda p: p.events, _event)


@router.post(CASE + "/events", response={201: s.SafetyEventOut}, summary="Add an event")
def create_event(request, study_id: int, case_id: int, payload: s.SafetyEventIn):
    _a, _c, version = _writable(request, study_id, case_id)
    data = payload.model_dump(exclude={"reason", "criteria"})
    event = CaseEvent(version=version, **data, **_flags(payload.criteria))
    event = case_part_save(actor=request.user, part=event, reason=payload.reason)
    return Status(201, _event_out(version, event.pk))


@router.patch(CASE + "/events/{event_id}", response=s.SafetyEventOut, summary="Change an event")
def patch_event(request, study_id: int, case_id: int, event_id: int, payload: s.SafetyEventPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    event = _row(version_parts(version).events, event_id)
    changes = _changes(payload)
    if "criteria" in changes:
        changes.update(_flags(changes.pop("criteria") or []))
    case_part_save(actor=request.user, part=_apply(event, changes), reason=payload.reason)
    return _event_out(version, event_id)


@router.delete(CASE + "/events/{event_id}", response={204: None}, summary="Remove an event (and its pairs)")
def delete_event(request, study_id: int, case_id: int, event_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_row(version_parts(version).events, event_id), reason=payload.reason)
    return Status(204, None)


@router.post(CASE + "/events/{event_id}/code", response=s.SafetyEventOut, summary="Code an event to a MedDRA LLT")
def code_event(request, study_id: int, case_id: int, event_id: int, payload: s.SafetyCodeIn):
    """Give `term_id` (a term of the study's MedDRA version) or `code` (an LLT code); expectedness is re-assessed."""
    access, _c, version = _writable(request, study_id, case_id)
    event = _row(version_parts(version).events, event_id)
    term = None
    if payload.term_id is not None:
        term = selectors.meddra_term_get(access, payload.term_id)
    elif payload.code:
        coding = study_coding(study_id)
        if coding is not None and coding.meddra_id is not None:
            term = next((t for t in dictionary_search(coding.meddra, payload.code) if t.code == payload.code), None)
    else:
        raise ValidationError({"term_id": _("Give a term id or an LLT code.")})
    if term is None:
        field = "term_id" if payload.term_id is not None else "code"
        raise ValidationError({field: _("No such term in the study's MedDRA version.")})
    case_event_code(actor=request.user, event=event, term=term, reason=payload.reason)
    return _event_out(version, event_id)


@router.post(
    CASE + "/events/{event_id}/expectedness", response=s.SafetyEventOut, summary="The medical reviewer's expectedness"
)
def set_expectedness(request, study_id: int, case_id: int, event_id: int, payload: s.SafetyExpectednessIn):
    """Overrides the RSI rule for this event from now on (kept across re-assessments)."""
    _a, _c, version = _writable(request, study_id, case_id)
    event = _row(version_parts(version).events, event_id)
    case_event_expectedness_set(
        actor=request.user, event=event, unexpected=payload.unexpected, basis=payload.basis, reason=payload.reason
    )
    return _event_out(version, event_id)


def _product_out(version: CaseVersion, pk: int) -> dict:
    return _saved(version, pk, lambda p: p.products, lambda row, _parts: _product(row))


@router.post(CASE + "/products", response={201: s.SafetyCaseProductOut}, summary="Add a product to the case")
def create_product(request, study_id: int, case_id: int, payload: s.SafetyCaseProductIn):
    access, _c, version = _writable(request, study_id, case_id)
    data = payload.model_dump(exclude={"reason", "product_id"})
    product = None
    if payload.product_id is not None:
        product = _in_scope(
            selectors.safety_product_get, access, payload.product_id, "product_id", _("No such product in the study.")
        )
        data["name"] = data["name"] or product.name
    if not data["name"]:
        raise ValidationError({"name": _("Name the product, or give a product of the study.")})
    row = CaseProduct(version=version, product=product, blinded=bool(product and product.blinded), **data)
    row = case_part_save(actor=request.user, part=row, reason=payload.reason)
    return Status(201, _product_out(version, row.pk))


@router.patch(CASE + "/products/{product_id}", response=s.SafetyCaseProductOut, summary="Change a product of the case")
def patch_product(request, study_id: int, case_id: int, product_id: int, payload: s.SafetyCaseProductPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).products, product_id)
    case_part_save(actor=request.user, part=_apply(row, _changes(payload)), reason=payload.reason)
    return _product_out(version, product_id)


@router.delete(CASE + "/products/{product_id}", response={204: None}, summary="Remove a product (and its pairs)")
def delete_product(request, study_id: int, case_id: int, product_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).products, product_id)
    case_part_delete(actor=request.user, part=row, reason=payload.reason)
    return Status(204, None)


def _pair_out(version: CaseVersion, pk: int) -> dict:
    return _saved(version, pk, lambda p: p.pairs, _pair)


@router.post(CASE + "/pairs", response={201: s.SafetyPairOut}, summary="Pair a product of the case with an event")
def create_pair(request, study_id: int, case_id: int, payload: s.SafetyPairIn):
    _a, _c, version = _writable(request, study_id, case_id)
    parts = version_parts(version)
    product = next((p for p in parts.products if p.pk == payload.product_id), None)
    event = next((e for e in parts.events if e.pk == payload.event_id), None)
    if product is None or event is None:
        field = "product_id" if product is None else "event_id"
        raise ValidationError({field: _("Not a row of the case's current version.")})
    pair = CaseDrugEvent(
        version=version,
        product=product,
        event=event,
        dechallenge=payload.dechallenge,
        rechallenge=payload.rechallenge,
    )
    pair = case_part_save(actor=request.user, part=pair, reason=payload.reason)
    return Status(201, _pair_out(version, pair.pk))


@router.patch(CASE + "/pairs/{pair_id}", response=s.SafetyPairOut, summary="Change a pair's de- and rechallenge")
def patch_pair(request, study_id: int, case_id: int, pair_id: int, payload: s.SafetyPairPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    pair = _row(version_parts(version).pairs, pair_id)
    case_part_save(actor=request.user, part=_apply(pair, _changes(payload)), reason=payload.reason)
    return _pair_out(version, pair_id)


@router.delete(CASE + "/pairs/{pair_id}", response={204: None}, summary="Remove a pair (and its assessments)")
def delete_pair(request, study_id: int, case_id: int, pair_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_row(version_parts(version).pairs, pair_id), reason=payload.reason)
    return Status(204, None)


@router.post(CASE + "/pairs/{pair_id}/causality", response={201: s.SafetyPairOut}, summary="Record a causality")
def create_causality(request, study_id: int, case_id: int, pair_id: int, payload: s.SafetyCausalityIn):
    """One assessment per source: the reporter's (transcribed once, never changed) and the company's."""
    _a, _c, version = _writable(request, study_id, case_id)
    pair = _row(version_parts(version).pairs, pair_id)
    data = payload.model_dump(exclude={"reason"})
    case_part_save(actor=request.user, part=CaseCausality(version=version, pair=pair, **data), reason=payload.reason)
    return Status(201, _pair_out(version, pair_id))


def _assessment(version: CaseVersion, pair_id: int, source: str) -> CaseCausality:
    parts = version_parts(version)
    pair = _row(parts.pairs, pair_id)
    assessment = parts.assessments_of(pair).get(source)
    if assessment is None:
        raise Http404(_("No such assessment."))
    return assessment


@router.patch(
    CASE + "/pairs/{pair_id}/causality/{source}", response=s.SafetyPairOut, summary="Change the company's causality"
)
def patch_causality(request, study_id: int, case_id: int, pair_id: int, source: str, payload: s.SafetyCausalityPatch):
    """The reporter's result cannot be changed by the sponsor (422)."""
    _a, _c, version = _writable(request, study_id, case_id)
    assessment = _assessment(version, pair_id, source)
    case_part_save(actor=request.user, part=_apply(assessment, _changes(payload)), reason=payload.reason)
    return _pair_out(version, pair_id)


@router.delete(CASE + "/pairs/{pair_id}/causality/{source}", response={204: None}, summary="Remove a causality")
def delete_causality(request, study_id: int, case_id: int, pair_id: int, source: str, payload: s.SafetyReasonIn):
    """The company's only: the reporter's assessment cannot be removed by the sponsor (422)."""
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_assessment(version, pair_id, source), reason=payload.reason)
    return Status(204, None)


def _simple_out(version: CaseVersion, pk: int, pick, names: tuple[str, ...]) -> dict:
    return _saved(version, pk, pick, lambda row, _parts: _values(row, names))


@router.post(CASE + "/tests", response={201: s.SafetyTestOut}, summary="Add a test result")
def create_test(request, study_id: int, case_id: int, payload: s.SafetyTestIn):
    _a, _c, version = _writable(request, study_id, case_id)
    row = CaseLabResult(version=version, **payload.model_dump(exclude={"reason"}))
    row = case_part_save(actor=request.user, part=row, reason=payload.reason)
    return Status(201, _simple_out(version, row.pk, lambda p: p.tests, TEST_FIELDS))


@router.patch(CASE + "/tests/{test_id}", response=s.SafetyTestOut, summary="Change a test result")
def patch_test(request, study_id: int, case_id: int, test_id: int, payload: s.SafetyTestPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).tests, test_id)
    case_part_save(actor=request.user, part=_apply(row, _changes(payload)), reason=payload.reason)
    return _simple_out(version, test_id, lambda p: p.tests, TEST_FIELDS)


@router.delete(CASE + "/tests/{test_id}", response={204: None}, summary="Remove a test result")
def delete_test(request, study_id: int, case_id: int, test_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_row(version_parts(version).tests, test_id), reason=payload.reason)
    return Status(204, None)


@router.post(CASE + "/history", response={201: s.SafetyHistoryOut}, summary="Add a condition of the medical history")
def create_history(request, study_id: int, case_id: int, payload: s.SafetyHistoryIn):
    _a, _c, version = _writable(request, study_id, case_id)
    row = CaseHistory(version=version, **payload.model_dump(exclude={"reason"}))
    row = case_part_save(actor=request.user, part=row, reason=payload.reason)
    return Status(201, _simple_out(version, row.pk, lambda p: p.history, HISTORY_FIELDS))


@router.patch(CASE + "/history/{history_id}", response=s.SafetyHistoryOut, summary="Change a medical-history entry")
def patch_history(request, study_id: int, case_id: int, history_id: int, payload: s.SafetyHistoryPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).history, history_id)
    case_part_save(actor=request.user, part=_apply(row, _changes(payload)), reason=payload.reason)
    return _simple_out(version, history_id, lambda p: p.history, HISTORY_FIELDS)


@router.delete(CASE + "/history/{history_id}", response={204: None}, summary="Remove a medical-history entry")
def delete_history(request, study_id: int, case_id: int, history_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_row(version_parts(version).history, history_id), reason=payload.reason)
    return Status(204, None)


def _reporter_out(version: CaseVersion, pk: int) -> dict:
    return _saved(version, pk, lambda p: p.reporters, lambda row, _parts: _reporter(row))


@router.post(CASE + "/reporters", response={201: s.SafetyReporterOut}, summary="Add a reporter (primary source)")
def create_reporter(request, study_id: int, case_id: int, payload: s.SafetyReporterIn):
    _a, _c, version = _writable(request, study_id, case_id)
    row = CaseReporter(version=version, **payload.model_dump(exclude={"reason"}))
    row = case_part_save(actor=request.user, part=row, reason=payload.reason)
    return Status(201, _reporter_out(version, row.pk))


@router.patch(CASE + "/reporters/{reporter_id}", response=s.SafetyReporterOut, summary="Change a reporter")
def patch_reporter(request, study_id: int, case_id: int, reporter_id: int, payload: s.SafetyReporterPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).reporters, reporter_id)
    case_part_save(actor=request.user, part=_apply(row, _changes(payload)), reason=payload.reason)
    return _reporter_out(version, reporter_id)


@router.delete(CASE + "/reporters/{reporter_id}", response={204: None}, summary="Remove a reporter")
def delete_reporter(request, study_id: int, case_id: int, reporter_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    row = _row(version_parts(version).reporters, reporter_id)
    case_part_delete(actor=request.user, part=row, reason=payload.reason)
    return Status(204, None)


def _patient_of(version: CaseVersion) -> CasePatient:
    patient = version_parts(version).patient
    if patient is None:
        raise Http404(_("The case has no patient yet."))
    return patient


def _patient_out(version: CaseVersion) -> dict:
    return _patient(_patient_of(version))


@router.post(CASE + "/patient", response={201: s.SafetyPatientOut}, summary="Record the patient (one per version)")
def create_patient(request, study_id: int, case_id: int, payload: s.SafetyPatientIn):
    _a, _c, version = _writable(request, study_id, case_id)
    if version_parts(version).patient is not None:
        raise ValidationError({"patient": _("The case has a patient already; change it instead.")})
    patient = CasePatient(version=version, **payload.model_dump(exclude={"reason"}))
    case_part_save(actor=request.user, part=patient, reason=payload.reason)
    return Status(201, _patient_out(version))


@router.patch(CASE + "/patient", response=s.SafetyPatientOut, summary="Change the patient")
def patch_patient(request, study_id: int, case_id: int, payload: s.SafetyPatientPatch):
    _a, _c, version = _writable(request, study_id, case_id)
    patient = _patient_of(version)
    case_part_save(actor=request.user, part=_apply(patient, _changes(payload)), reason=payload.reason)
    return _patient_out(version)


@router.delete(CASE + "/patient", response={204: None}, summary="Remove the patient")
def delete_patient(request, study_id: int, case_id: int, payload: s.SafetyReasonIn):
    _a, _c, version = _writable(request, study_id, case_id)
    case_part_delete(actor=request.user, part=_patient_of(version), reason=payload.reason)
    return Status(204, None)


# ---- workflow ----------------------------------------------------------------------------------------------------


@router.post(CASE + "/advance", response=s.SafetyCaseOut, summary="Move the version one step on, or send it back")
def advance(request, study_id: int, case_id: int, payload: s.SafetyAdvanceIn):
    """Forward one step when nothing blocks it (422 listing the blockers); back any number of steps with a reason."""
    _a, case, version = _writable(request, study_id, case_id)
    case_version_advance(actor=request.user, version=version, to_state=payload.to_state, reason=payload.reason)
    return _latest(case)


@router.post(CASE + "/approve", response=s.SafetyCaseOut, summary="Approve the version (e-signature)")
def approve(request, study_id: int, case_id: int, payload: s.SafetyApproveIn):
    """Re-authenticates the signer: a wrong password is a 403 and signs nothing."""
    access, case, version = _writable(request, study_id, case_id)
    access_check(access, Perm.SIGN)
    case_version_approve(actor=request.user, version=version, password=payload.password)
    return _latest(case)


@router.post(CASE + "/follow-ups", response={201: s.SafetyCaseOut}, summary="Start a follow-up version")
def follow_up(request, study_id: int, case_id: int, payload: s.SafetyFollowUpIn):
    """A copy of the approved latest version (which is frozen from now on), for the new information."""
    _a, case, _v = _writable(request, study_id, case_id)
    case_followup_start(
        actor=request.user,
        case=case,
        received_on=payload.received_on,
        significant=payload.significant,
        reason=payload.reason,
    )
    return Status(201, _latest(case))


@router.post(CASE + "/duplicate", response=s.SafetyCaseOut, summary="Mark the case a duplicate of another")
def mark_duplicate(request, study_id: int, case_id: int, payload: s.SafetyDuplicateIn):
    access, case, _v = _writable(request, study_id, case_id)
    of_case = _in_scope(selectors.case_get, access, payload.of_case, "of_case", _("No such case."))
    case_mark_duplicate(actor=request.user, case=case, of_case=of_case, reason=payload.reason)
    return _latest(case)


@router.get(CASE + "/duplicates", response=list[s.SafetyDuplicateOut], summary="Possible duplicates of the case")
def list_duplicates(request, study_id: int, case_id: int):
    """Open cases of the same patient with a common suspect product and an event whose onset may be the same day."""
    access, case = _readable(request, study_id, case_id)
    found = selectors.case_duplicates(access, selectors.version_get(case))
    return [{"case_id": d.case.pk, "number": d.case.number, "reasons": [str(r) for r in d.reasons]} for d in found]


# ---- submissions -------------------------------------------------------------------------------------------------


@router.get(CASE + "/submissions", response=list[s.SafetySubmissionOut], summary="Reports sent for the case")
def list_submissions(request, study_id: int, case_id: int):
    _access, case = _readable(request, study_id, case_id)
    return [_submission(sub) for sub in selectors.case_submissions(case)]


@router.post(CASE + "/submissions", response={201: s.SafetySubmissionOut}, summary="Record a report sent")
def create_submission(request, study_id: int, case_id: int, payload: s.SafetySubmissionIn):
    """For a report due (rule set, rule, recipient, kind) of an approved version; the version is frozen."""
    _a, case, latest = _writable(request, study_id, case_id)
    version = latest
    if payload.version is not None:
        try:
            version = selectors.version_get(case, payload.version)
        except Http404:
            raise ValidationError({"version": _("No such version.")}) from None
    data = payload.model_dump(exclude={"version"})
    submission = submission_record(actor=request.user, version=version, **data)
    return Status(201, _submission(submission))


@router.post(BASE + "/submissions/{submission_id}/ack", response=s.SafetySubmissionOut, summary="Record an ACK")
def acknowledge(request, study_id: int, submission_id: int, payload: s.SafetyAckIn):
    """The recipient's acknowledgement, ICH ACK codes: AA, AE or AR for the batch; CA or CR for the case."""
    access = access_study(request.user, study_id)
    submission = selectors.submission_get(access, submission_id)
    access_check(access, Perm.SAFETY_EDIT)
    submission = submission_ack_record(actor=request.user, submission=submission, **payload.model_dump())
    return _submission(submission)
