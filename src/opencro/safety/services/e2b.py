"""E2B(R3) in and out of the safety database: a case version as an ICSR file, ICSR files imported into cases, and the
recipients' acknowledgements recorded on the submissions.

Imports are all or nothing: a file that is not an ICSR batch, or any message with a business-rule error (ICH profile),
or one that cannot become a case, rejects the whole file with every problem located; nothing is written.
"""

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import audit_batch, audited_save
from opencro.coding.models import DictionaryTerm
from opencro.coding.selectors import study_coding
from opencro.formats.e2b.ack import read_ack
from opencro.formats.e2b.model import IcsrMessage
from opencro.formats.e2b.reader import read_icsr_batch
from opencro.formats.e2b.rules import MESSAGE, RuleFailure, check_icsr
from opencro.formats.e2b.schema import SchemaFolderError, validate_against_xsd
from opencro.formats.e2b.writer import icsr_batch_bytes
from opencro.formats.errors import FormatError
from opencro.formats.xmlsafe import parse_xml
from opencro.safety.e2b_in import CaseContent, case_content
from opencro.safety.e2b_out import PROFILES, default_receiver, icsr_for_version, unblinding_failures
from opencro.safety.models import (
    CaseCausality,
    CaseDrugEvent,
    CaseEvent,
    CaseHistory,
    CaseLabResult,
    CasePatient,
    CaseProduct,
    CaseReporter,
    CaseSource,
    CaseStatus,
    CaseSubmission,
    CaseVersion,
    SafetyCase,
    SafetyProduct,
)
from opencro.safety.parts import version_parts
from opencro.safety.rules import minimum_criteria_missing
from opencro.safety.services.common import case_number_next, version_touched
from opencro.safety.services.reporting import submission_ack_record
from opencro.studies.models import Study
from opencro.subjects.models import Subject

IMPORT_PROFILE = "ich"


def _view_require(actor: User | None, version: CaseVersion) -> None:
    """`safety.view` on the case's study, and the case's site for a site-restricted role."""
    if actor is None:
        return
    access = access_require(actor, version.case.study_id, Perm.SAFETY_VIEW)
    if access.site_ids is not None and version.case.site_id not in access.site_ids:
        raise PermissionDenied(_("This case is outside your sites."))


def _schema_failures(data: bytes) -> list[RuleFailure]:
    """XSD failures when OPENCRO_E2B_SCHEMAS names the ICH schema folder (one failure when the folder is unusable)."""
    folder = settings.OPENCRO_E2B_SCHEMAS
    if not folder:
        return []
    try:
        return validate_against_xsd(data, Path(folder))
    except SchemaFolderError as exc:
        return [RuleFailure("", "xsd", str(exc), "error", None, str(folder))]


def case_e2b_bytes(
    *, actor: User | None, version: CaseVersion, profile: str, receiver_id: str = ""
) -> tuple[bytes, list[RuleFailure]]:
    """The version as an E2B(R3) file and the business-rule (and schema) failures of it; writes nothing."""
    _view_require(actor, version)
    if profile not in PROFILES:
        raise ValidationError({"profile": _("Choose one of: %(p)s.") % {"p": ", ".join(PROFILES)}})
    receiver = receiver_id or default_receiver(profile)
    if not receiver:
        raise ValidationError({"receiver_id": _("Name the receiver (N.2.r.3) of the message.")})
    number = CaseSubmission.objects.filter(version=version).count() + 1
    data = icsr_batch_bytes(
        icsr_for_version(version, receiver_id=receiver, message_number=number, profile=profile, reader=actor)
    )
    return data, unblinding_failures(version, actor) + check_icsr(data, profile=profile) + _schema_failures(data)


# ---- import ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Planned:
    """One message of the file, checked and ready to be written."""

    where: str
    xml: str
    content: CaseContent
    worldwide_id: str
    subject: Subject | None


def _located(failure: RuleFailure) -> str:
    """A rule failure as one line: message, line and column, element, what is wrong."""
    message = _("message %(n)s") % {"n": failure.message_index} if failure.message_index else ""
    where = ", ".join(x for x in (message, failure.location, failure.element) if x)
    return f"{where}: {failure.message}" if where else failure.message


def _message_documents(data: bytes) -> list[str]:
    """Each message of the batch as a batch document of its own (the batch header kept), text as received."""
    root = parse_xml(data).getroot()
    count = len(list(root.iterchildren(MESSAGE)))
    documents = []
    for index in range(count):
        single = copy.deepcopy(root)
        for other, node in enumerate(list(single.iterchildren(MESSAGE))):
            if other != index:
                single.remove(node)
        documents.append(etree.tostring(single, xml_declaration=True, encoding="UTF-8").decode())
    return documents


def _plan(
    actor: User | None, study: Study, message: IcsrMessage, index: int, xml: str, problems: list[str]
) -> _Planned:
    content = case_content(message.report)
    ids = content.ids
    where = _("message %(n)s (C.1.1 %(id)s)") % {"n": index, "id": ids.sender_report_id or "?"}
    if not content.events:
        problems.append(_("%(where)s, E.i: the message reports no reaction.") % {"where": where})
    subject = (
        Subject.objects.filter(study=study, number=ids.investigation_number).select_related("site").first()
        if ids.investigation_number
        else None
    )
    if actor is not None:
        access = access_require(actor, study, Perm.SAFETY_EDIT)
        if access.site_ids is not None and (subject is None or subject.site_id not in access.site_ids):
            problems.append(_("%(where)s, D.1.1.4: the patient is not a subject of your sites.") % {"where": where})
    return _Planned(where, xml, content, ids.worldwide_id or ids.sender_report_id, subject)


def _meddra(study: Study, event: CaseEvent) -> None:
    """Fill the MedDRA path of an event from the study's dictionary when it holds the LLT code sent."""
    coding = study_coding(study)
    if not event.code or coding is None or coding.meddra_id is None:
        return
    term = DictionaryTerm.objects.filter(dictionary_id=coding.meddra_id, code=event.code).first()
    if term is None:
        event.term = event.verbatim[:1500]
        return
    for name, value in term.path_values().items():
        if name != "code":
            setattr(event, name, value)


def _write_rows(study: Study, version: CaseVersion, content: CaseContent, *, actor: User | None) -> None:
    p = content.patient
    audited_save(CasePatient(version=version, **vars(p)), actor=actor)
    for r in content.reporters:
        audited_save(CaseReporter(version=version, **vars(r)), actor=actor)
    events = {}
    for e in content.events:
        event = CaseEvent(version=version, **vars(e))
        event.term = e.verbatim[:1500] if e.code else ""
        _meddra(study, event)
        events[e.key] = audited_save(event, actor=actor)
    known = {x.name.casefold(): x for x in SafetyProduct.objects.filter(study=study)}
    products = {}
    for x in content.products:
        products[x.key] = audited_save(
            CaseProduct(version=version, product=known.get(x.name.casefold()), **vars(x)), actor=actor
        )
    pairs = {}
    for pair in content.pairs:
        pairs[(pair.product_key, pair.event_key)] = audited_save(
            CaseDrugEvent(
                version=version,
                product=products[pair.product_key],
                event=events[pair.event_key],
                rechallenge=pair.rechallenge,
            ),
            actor=actor,
        )
    for a in content.assessments:
        audited_save(
            CaseCausality(
                version=version,
                pair=pairs[(a.product_key, a.event_key)],
                source=a.source,
                method=a.method,
                result=a.result,
            ),
            actor=actor,
        )
    for t in content.tests:
        audited_save(CaseLabResult(version=version, **vars(t)), actor=actor)
    for h in content.history:
        audited_save(CaseHistory(version=version, **vars(h)), actor=actor)


def _version_dates(version: CaseVersion, content: CaseContent, received_on: dt.date, *, actor: User | None) -> None:
    """Day 0 when the minimum criteria hold; the date a fatal or life-threatening outcome became known."""
    changed = False
    if version.minimum_criteria_on is None and not minimum_criteria_missing(version_parts(version)):
        version.minimum_criteria_on, changed = received_on, True
    grave = any(e.death or e.life_threatening or e.outcome == "5" for e in content.events)
    if grave and version.fatal_or_lt_known_on is None:
        version.fatal_or_lt_known_on, changed = received_on, True
    if changed:
        audited_save(version, actor=actor, reason="received in an E2B(R3) file")


def _version_new(
    study: Study, plan: _Planned, *, actor: User | None, source: str, received_on: dt.date
) -> tuple[SafetyCase, CaseVersion]:
    """The case of a message: a new case, or a new version of the study's case with the same worldwide id."""
    case = SafetyCase.objects.filter(study=study, worldwide_id=plan.worldwide_id).order_by("pk").first()
    n = plan.content.narrative
    texts = {
        "narrative": n.narrative,
        "reporter_comment": n.reporter_comment,
        "sender_comment": n.sender_comment,
        "sender_diagnosis": n.sender_diagnosis,
    }
    if case is None:
        Study.objects.select_for_update(of=("self",)).filter(pk=study.pk).first()  # one numbering at a time
        case = audited_save(
            SafetyCase(
                study=study,
                site=plan.subject.site if plan.subject else None,
                subject=plan.subject,
                number=case_number_next(study.pk, study.protocol_number),
                source=source,
                initial_received_on=received_on,
                worldwide_id=plan.worldwide_id,
            ),
            actor=actor,
        )
        number = 1
    else:
        if case.status != CaseStatus.OPEN:
            raise ValidationError(
                {
                    "file": _("%(where)s: case %(case)s is %(s)s.")
                    % {"where": plan.where, "case": case.number, "s": case.get_status_display()}
                }
            )
        latest = case.versions.order_by("-number").first()
        if received_on < latest.received_on:
            raise ValidationError(
                {"file": _("%(where)s: received before the case's latest version.") % {"where": plan.where}}
            )
        if not latest.frozen:
            latest.frozen_at = timezone.now()
            audited_save(latest, actor=actor, reason="superseded by a follow-up received in an E2B(R3) file")
        CaseVersion.objects.filter(pk=latest.pk).update(latest=False)
        number = latest.number + 1
    version = audited_save(
        CaseVersion(
            case=case,
            study_id=case.study_id,
            site_id=case.site_id,
            number=number,
            received_on=received_on,
            source_icsr=plan.xml,
            **texts,
        ),
        actor=actor,
        trusted=("case",),
        unique_checked=True,
    )
    return case, version


def case_import_e2b(
    *,
    actor: User | None,
    study: Study,
    data: bytes,
    source: str = CaseSource.E2B_IMPORT,
    received_on: dt.date,
) -> list[SafetyCase]:
    """Make a case (or a follow-up version of the case with the same C.1.8.1) of every message of an ICSR batch.

    The subject is the study's subject whose number is D.1.1.4; the version keeps its message whole
    (`source_icsr`). Returns the cases, in message order.
    """
    if actor is not None:
        access_require(actor, study, Perm.SAFETY_EDIT)
    if source not in CaseSource.values or source == CaseSource.STUDY:
        raise ValidationError({"source": _("Choose the source of the report.")})
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The receipt date cannot be in the future.")})
    try:
        batch = read_icsr_batch(data)
        failures = check_icsr(data, profile=IMPORT_PROFILE) + _schema_failures(data)
        documents = _message_documents(data)
    except FormatError as exc:
        raise ValidationError({"file": [str(p) for p in exc.problems]}) from None
    problems = [_located(f) for f in failures if f.severity == "error"]
    plans = [
        _plan(actor, study, message, index, xml, problems)
        for index, (message, xml) in enumerate(zip(batch.messages, documents, strict=True), start=1)
    ]
    if problems:
        raise ValidationError({"file": problems})
    cases: list[SafetyCase] = []
    with transaction.atomic(), audit_batch():
        for plan in plans:
            try:
                case, version = _version_new(study, plan, actor=actor, source=source, received_on=received_on)
                _write_rows(study, version, plan.content, actor=actor)
                _version_dates(version, plan.content, received_on, actor=actor)
                version_touched(version, actor=actor, reason="received in an E2B(R3) file")
            except ValidationError as exc:
                messages = (
                    exc.messages
                    if not hasattr(exc, "error_dict")
                    else [f"{name}: {m}" for name, ms in exc.message_dict.items() for m in ms]
                )
                problems += [m if m.startswith(plan.where) else f"{plan.where}: {m}" for m in messages]
                continue
            cases.append(case)
        if problems:
            raise ValidationError({"file": problems})  # rolls back every message written before
    return cases


# ---- acknowledgements --------------------------------------------------------------------------------------------


def submission_ack_import(*, actor: User | None, study: Study, data: bytes) -> list[CaseSubmission]:
    """Record an ICH acknowledgement on the study's submissions it names (ACK.B.r.1 = the message id sent).

    A batch rejected whole (AR, no message acknowledgement) is recorded on the submission of its batch number.
    Any id that names no submission of the study rejects the file; nothing is recorded.
    """
    if actor is not None:
        access_require(actor, study, Perm.SAFETY_EDIT)
    try:
        ack = read_ack(data)
    except FormatError as exc:
        raise ValidationError({"file": [str(p) for p in exc.problems]}) from None
    sent = {
        s.message_id: s
        for s in CaseSubmission.objects.filter(version__case__study=study).select_related("version__case")
        if s.message_id
    }
    found: list[tuple[CaseSubmission, str, str]] = []
    problems = []
    for index, message in enumerate(ack.messages, start=1):
        submission = next((sent[i] for i in message.identifiers if i in sent), None)
        if submission is None:
            problems.append(
                _("ACK.B.r.1 (acknowledgement %(n)s): no submission of this study has message id %(id)s.")
                % {"n": index, "id": message.message_id or "?"}
            )
        else:
            found.append((submission, message.code, message.detail or ""))
    if not ack.messages:
        batch_id = ack.batch_id.removeprefix("B-")
        if batch_id in sent:
            found.append((sent[batch_id], "", ack.detail or ""))
        else:
            problems.append(
                _("ACK.A.1: no submission of this study was sent in batch %(id)s.") % {"id": ack.batch_id or "?"}
            )
    if problems:
        raise ValidationError({"file": problems})
    today = timezone.localdate()
    with transaction.atomic(), audit_batch():
        return [
            submission_ack_record(
                actor=actor, submission=s, batch_code=ack.code, case_code=code, received_on=today, text=text
            )
            for s, code, text in found
        ]
