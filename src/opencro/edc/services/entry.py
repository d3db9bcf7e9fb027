"""Data entry: saving a form's values with validation, branching, derivations, checks and audit."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess, access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import Change, audit_batch, audit_changes, audited_save
from opencro.coding.services import coding_terms_sync
from opencro.core.bulk import bulk_update_objects
from opencro.core.retry import transaction_retry
from opencro.edc.checks import form_evaluate
from opencro.edc.entries import ItemEntry, Key, entries_apply, key_label, repeats_of
from opencro.edc.environment import version_names
from opencro.edc.locks import lock_flags_for, visit_entry_refusal
from opencro.edc.models import Casebook, EventData, FormData, FormStatus, ItemData, ItemFile
from opencro.edc.models.data import SdvStatus
from opencro.edc.models.files import file_label
from opencro.edc.sdv import form_sdv_status
from opencro.edc.selectors import current_version
from opencro.edc.services.autoqueries import auto_queries_reconcile
from opencro.edc.services.rerun import forms_recheck
from opencro.edc.services.signoff import casebook_data_changed
from opencro.edc.spec import FormSpec, check_dependents, version_layout
from opencro.edc.uploads import CheckedUpload, Upload, upload_check
from opencro.safety.services.intake import case_intake_from_form
from opencro.subjects.models import Subject

ITEM_TYPE = "edc.itemdata"


@dataclass
class SaveResult:
    """What a save wrote and what the form now shows (so a caller need not read the form again)."""

    form: FormData
    changed: int = 0
    opened: list = field(default_factory=list)
    closed: list = field(default_factory=list)
    spec: FormSpec | None = None
    values: dict[Key, str | None] = field(default_factory=dict)
    not_done: dict[Key, str] = field(default_factory=dict)
    hidden: set[Key] = field(default_factory=set)
    verified: set[Key] = field(default_factory=set)
    item_ids: dict[Key, int] = field(default_factory=dict)
    repeats: dict[str, list[int]] = field(default_factory=dict)


class FormErrors(ValidationError):
    """Values that cannot be stored, keyed "OID" or "OID@repeat"; nothing was written."""

    def __init__(self, errors: dict[str, str]):
        self.field_errors = errors
        super().__init__({key: [message] for key, message in errors.items()})


def _entry_check(actor: User | None, subject: Subject, known: StudyAccess | None = None) -> None:
    if actor is None:
        return
    access = access_require(actor, subject.study_id, Perm.DATA_ENTER, known=known)
    if access.site_ids is not None and subject.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def casebook_for(subject: Subject, *, actor: User | None) -> Casebook:
    """The subject's casebook, opened on the study's current build version at first entry."""
    casebook = Casebook.objects.filter(subject=subject).select_related("version").first()
    if casebook is None:
        casebook = audited_save(
            Casebook(
                subject=subject,
                study_id=subject.study_id,
                site_id=subject.site_id,
                version=current_version(subject.study),
            ),
            actor=actor,
        )
    return casebook


def event_open(
    *,
    actor: User | None,
    subject: Subject,
    event_oid: str,
    repeat: int = 1,
    visit_date: dt.date | None = None,
    reason: str = "",
) -> EventData:
    """Start (or return) a visit of the subject's casebook; record or correct its date."""
    _entry_check(actor, subject)
    with transaction.atomic():
        casebook = casebook_for(subject, actor=actor)
        event = _event(actor, subject, casebook, event_oid, repeat, visit_date, reason)
        casebook_data_changed(actor=actor, subject=subject, reason=reason)
        return event


def _event(actor, subject, casebook, event_oid, repeat, visit_date, reason) -> EventData:
    event_def = version_layout(casebook.version_id).events.get(event_oid)
    if event_def is None:
        raise ValidationError({"event": _("No event %(oid)s in this casebook's build.") % {"oid": event_oid}})
    if repeat < 1 or (repeat > 1 and not event_def.repeating):
        raise ValidationError({"event": _("Event %(oid)s does not repeat.") % {"oid": event_oid}})
    event = (
        EventData.objects.select_for_update(of=("self",))
        .filter(subject=subject, event_oid=event_oid, repeat_key=repeat)
        .order_by()  # one row by its unique key: no ordering joins
        .first()
    )
    if visit_date not in (None, getattr(event, "visit_date", None)) and (
        refusal := visit_entry_refusal(subject, event)
    ):
        raise ValidationError({"visit_date": refusal})
    if event is None:
        event = audited_save(
            EventData(
                study_id=subject.study_id,
                site_id=subject.site_id,
                subject=subject,
                event_def_id=event_def.event_def_id,
                event_oid=event_oid,
                repeat_key=repeat,
                visit_date=visit_date,
            ),
            actor=actor,
            trusted=("study", "site", "event_def"),  # the subject's, and the casebook build's
            unique_checked=True,  # the visit was looked for, under lock, just above
        )
    elif visit_date is not None and visit_date != event.visit_date:
        if event.visit_date is not None and not reason.strip():
            raise ValidationError({"reason": _("A reason for change is required.")})
        event.visit_date = visit_date
        event = audited_save(event, actor=actor, reason=reason or "visit date entered")
    return event


@transaction_retry()
def form_save(
    *,
    actor: User | None,
    subject: Subject,
    event_oid: str,
    form_oid: str,
    entries: Iterable[ItemEntry],
    event_repeat: int = 1,
    form_repeat: int = 1,
    visit_date: dt.date | None = None,
    reason: str = "",
    today: dt.date | None = None,
    files: Sequence[Upload] = (),
    access: StudyAccess | None = None,
) -> SaveResult:
    """Validate and store a form's values; derive, hide and check; open and close automatic queries.

    All or nothing: any value that does not fit its item (type, code list, hard range) is
    reported with its item and nothing is written. A change to a value already stored needs a
    reason; a change to a verified value resets its verification. `files` go into file items:
    each becomes the item's value (its name and digest) and is stored with the save. `access`: the
    caller's view of the actor's access, if it has one (checked again here, not trusted blindly).
    """
    _entry_check(actor, subject, access)
    entries = list(entries)
    with transaction.atomic(), audit_batch():
        casebook = casebook_for(subject, actor=actor)
        event = _event(actor, subject, casebook, event_oid, event_repeat, visit_date, reason)
        form = _form(actor, event, casebook, form_oid, form_repeat)
        if form.locked or form.frozen:
            raise ValidationError({"form": _("This form is locked.") if form.locked else _("This form is frozen.")})
        spec = version_layout(casebook.version_id).spec(form.form_def_id)
        fields = spec.field_by_oid()
        new_form = form.pk is None
        stored = (
            {}
            if new_form
            else {
                (row.item_def_id, row.group_repeat): row
                for row in ItemData.objects.select_for_update(of=("self",)).filter(form=form)
            }
        )
        by_id = {f.item_id: f for f in fields.values()}
        values: dict[Key, str | None] = {}
        not_done: dict[Key, str] = {}
        for (item_id, repeat), row in stored.items():
            if item_id in by_id:
                key = (by_id[item_id].oid, repeat)
                values[key] = row.value
                if row.not_done_reason:
                    not_done[key] = row.not_done_reason
        checked, file_errors = _uploads(spec, files, entries, values)
        entries += [ItemEntry(c.upload.item_oid, file_label(c.name, c.sha256), c.upload.repeat) for c in checked]
        errors = {**entries_apply(spec, entries, values, not_done, today), **file_errors}
        if errors:
            raise FormErrors(errors)
        repeats = repeats_of(spec, values)
        result = form_evaluate(
            spec,
            values,
            not_done=set(not_done),
            subject_id=subject.pk,
            names=version_names(casebook.version_id),
            event_oid=event_oid,
            repeats=repeats,
            today=today,
        )
        now = timezone.now()
        status = FormStatus.COMPLETE if result.complete else FormStatus.INCOMPLETE
        if new_form:  # born with its state: one audited create, not a create and an update
            form.status, form.first_entered_at, form.updated_at = status, now, now
            audited_save(form, actor=actor, trusted=FORM_REFERENCES, unique_checked=True)  # _form looked for it
        changes = _write_values(actor, form, spec, stored, result.values, not_done, reason, now, subject)
        value_count = sum(row.value is not None for row in stored.values())  # every row of the page, now current
        counted, form.value_count = value_count != form.value_count, value_count
        form_changes = False
        if form.status != status:
            form.status, form_changes = status, True
        if form.first_entered_at is None:
            form.first_entered_at, form_changes = now, True
        if (sdv_status := form_sdv_status(form)) != form.sdv_status:  # a changed verified value needs SDV again
            form.sdv_status, form_changes = sdv_status, True
        if changes and form.reviewed:  # a data change after data-manager review needs review again
            form.reviewed, form_changes = False, True
        if form_changes:
            form.updated_at = now
            audited_save(form, actor=actor, reason=reason or "form saved")
        elif not new_form or counted:
            form.updated_at = now
            FormData.objects.filter(pk=form.pk).update(updated_at=now, value_count=value_count)
        coding_terms_sync(form=form, actor=actor, version_id=spec.version_id)
        case_intake_from_form(actor=actor, form=form, fields=fields.values(), values=result.values)  # SAEs
        rows = {(by_id[i].oid, r): row for (i, r), row in stored.items() if i in by_id}
        _files_store(actor, form, fields, checked, now)
        items = {key: (row.pk, row.value) for key, row in rows.items()}
        opened, closed = auto_queries_reconcile(form=form, firings=result.firings, actor=actor, items=items)
        dependents = check_dependents(spec.version_id)
        touched = {oid for (oid, _r), _v in result.values.items() if oid in dependents}
        if touched:  # checks on other forms that read this form's items
            forms_recheck(
                subject_id=subject.pk,
                form_oids=set().union(*(dependents[oid] for oid in touched)),
                actor=actor,
                exclude=form.pk,
            )
        casebook_data_changed(actor=actor, subject=subject, reason=reason, casebook=casebook)
    return SaveResult(
        form=form,
        changed=sum(c.field == "value" for c in changes),
        opened=opened,
        closed=closed,
        spec=spec,
        values=result.values,
        not_done={key: row.not_done_reason for key, row in rows.items() if row.not_done_reason},
        hidden=result.hidden,
        verified={key for key, row in rows.items() if row.verified},
        item_ids={key: row.pk for key, row in rows.items()},
        repeats=repeats,
    )


def _uploads(
    spec: FormSpec, files: Sequence[Upload], entries: list[ItemEntry], values: dict[Key, str | None]
) -> tuple[list[CheckedUpload], dict[str, str]]:
    """Check each upload against its item; a file item takes no typed value other than the one it holds."""
    fields, checked, errors = spec.field_by_oid(), [], {}
    for upload in files:
        f = fields.get(upload.item_oid)
        where = key_label(upload.item_oid, upload.repeat)
        if f is None or f.control_type != "file":
            errors[where] = _("%(oid)s is not a file item of this form.") % {"oid": upload.item_oid}
            continue
        try:
            checked.append(upload_check(upload))
        except ValueError as exc:
            errors[where] = str(exc)
    for entry in entries:
        f = fields.get(entry.oid)
        if (
            f is not None
            and f.control_type == "file"
            and entry.value not in (None, "", values.get((f.oid, entry.repeat)))
        ):
            errors[key_label(entry.oid, entry.repeat)] = _("Upload a file for this item; it takes no typed value.")
    return checked, errors


def _files_store(actor, form: FormData, fields, checked: list[CheckedUpload], now) -> None:
    for c in checked:
        audited_save(
            ItemFile(
                study_id=form.study_id,
                site_id=form.site_id,
                form=form,
                item_def_id=fields[c.upload.item_oid].item_id,
                group_repeat=c.upload.repeat,
                name=c.name,
                content_type=c.content_type,
                size=len(c.upload.content),
                sha256=c.sha256,
                content=c.upload.content,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                uploaded_at=now,
            ),
            actor=actor,
        )


# a new form's references, copied from its visit and the casebook's build: not looked up again
FORM_REFERENCES = ("study", "site", "subject", "form_def")


def _form(actor, event: EventData, casebook: Casebook, form_oid: str, repeat: int) -> FormData:
    """The form instance to save into: the stored one, locked for update, or a new unsaved one."""
    layout = version_layout(casebook.version_id).events[event.event_oid]
    ref = layout.forms.get(form_oid)
    if ref is None:
        raise ValidationError(
            {"form": _("Form %(form)s is not part of event %(event)s.") % {"form": form_oid, "event": event.event_oid}}
        )
    form_def_id, repeating = ref
    if repeat < 1 or (repeat > 1 and not repeating):
        raise ValidationError({"form": _("Form %(oid)s does not repeat.") % {"oid": form_oid}})
    form = (
        FormData.objects.select_for_update(of=("self",))
        .filter(event=event, form_oid=form_oid, repeat_key=repeat)
        .order_by()  # one row by its unique key: no ordering joins
        .first()
    )
    if form is not None:
        form.event = event  # the row it was found by: no second read
    else:  # a new form, saved by form_save once its status is known
        frozen, locked = lock_flags_for(event)  # born frozen or locked under a frozen or locked visit, subject...
        form = FormData(
            study_id=event.study_id,
            site_id=event.site_id,
            subject_id=event.subject_id,
            event=event,
            form_def_id=form_def_id,
            form_oid=form_oid,
            repeat_key=repeat,
            sdv_status=SdvStatus.NOT_REQUIRED,
            frozen=frozen,
            locked=locked,
        )
    return form


def _write_values(actor, form, spec, stored, values, not_done, reason, now, subject) -> list[Change]:
    """Insert and update item rows; return the audit changes written (value, reason not done, SDV reset).

    `stored` (item id, group row) -> row is brought up to date: new rows are added to it.
    """
    fields = spec.field_by_oid()
    new_rows, updated, changes = [], [], []
    repr_prefix = f"{subject.number} {form.event.event_oid} {form.form_oid}"
    pending: list[tuple[ItemData, list[tuple[str, str | None, str | None]]]] = []
    for (oid, repeat), value in values.items():
        f = fields.get(oid)
        if f is None or f.is_descriptive:
            continue
        reason_nd = not_done.get((oid, repeat), "")
        row = stored.get((f.item_id, repeat))
        if row is None:
            row = ItemData(
                form=form, item_def_id=f.item_id, group_repeat=repeat, value=value, not_done_reason=reason_nd
            )
            row.updated_at, row.updated_by = now, actor if getattr(actor, "pk", None) else None
            new_rows.append(row)
            diffs = [("value", None, value)] if value is not None else []
            diffs += [("not_done_reason", None, reason_nd)] if reason_nd else []
            pending.append((row, diffs))
            continue
        diffs = []
        if row.value != value:
            if row.value is not None and not reason.strip():
                raise FormErrors({key_label(oid, repeat): _("A reason for change is required.")})
            diffs.append(("value", row.value, value))
            if row.verified:
                row.verified = False
                diffs.append(("verified", "true", "false"))
            row.value = value
        if row.not_done_reason != reason_nd:
            diffs.append(("not_done_reason", row.not_done_reason or None, reason_nd or None))
            row.not_done_reason = reason_nd
        if diffs:
            row.updated_at, row.updated_by = now, actor if getattr(actor, "pk", None) else None
            updated.append(row)
            pending.append((row, diffs))
    if new_rows:
        ItemData.objects.bulk_create(new_rows)
        stored.update({(row.item_def_id, row.group_repeat): row for row in new_rows})
    if updated:
        bulk_update_objects(updated, ["value", "not_done_reason", "verified", "updated_at", "updated_by"])
    by_id = {f.item_id: f for f in fields.values()}
    for row, diffs in pending:
        oid = by_id[row.item_def_id].oid
        label = f"{repr_prefix} {key_label(oid, row.group_repeat)}"
        for name, old, new in diffs:
            changes.append(
                Change(
                    ITEM_TYPE,
                    row.pk,
                    label,
                    form.study_id,
                    form.site_id,
                    name,
                    old,
                    new,
                    "create" if old is None and name == "value" else "update",
                )
            )
    audit_changes(actor=actor, changes=changes, reason=reason)
    return changes
