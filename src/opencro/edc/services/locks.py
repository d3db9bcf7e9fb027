"""Freeze, lock, unfreeze and unlock data at form, visit, subject, site or study level; database lock.

21 CFR 11.10(e) and (k), EU Annex 11 (12, 14), ICH E6(R3) 4.2.3: a freeze or lock is recorded as a
`DataLock` and applied to the flags of every form it covers (one audit record per form and flag).
Releasing one is the regulated act: it needs a reason and the person's password (an e-signature on
the record). The database lock (`study_lock`) refuses while the lock checklist has anything open.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import SignatureMeaning, User
from opencro.accounts.permissions import Perm
from opencro.audit.services import Change, audit_changes, audited_save
from opencro.edc.esign import password_confirm, signature_record
from opencro.edc.locks import LockScope, lock_covers, lock_scope
from opencro.edc.models import DataLock, EventData, FormData, LockLevel, LockState
from opencro.studies.models import Site, Study
from opencro.subjects.models import Subject

FORM_TYPE = "edc.formdata"
CHUNK = 500


def _check(actor: User | None, scope: LockScope) -> None:
    if actor is None:
        return
    access = access_require(actor, scope.study, Perm.DATA_LOCK)
    if access.site_ids is None:
        return
    if scope.site_id is None:
        raise PermissionDenied(_("Freezing or locking the whole study needs access to every site."))
    if scope.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def _form_repr(subject_id: int, event_oid: str, event_repeat: int, form_oid: str, repeat: int) -> str:
    """What str(FormData) says, built from values (bulk writes never load the forms)."""
    event = f"{subject_id}:{event_oid}" + (f" #{event_repeat}" if event_repeat > 1 else "")
    return f"{event}:{form_oid}" + (f" #{repeat}" if repeat > 1 else "")


def _flags_apply(*, actor: User | None, scope: LockScope, reason: str) -> int:
    """Set every form under `scope` to the flags the active records give it; audit each change.

    Runs inside the freeze/lock services (which checked permission); returns how many forms changed.
    """
    covers = lock_covers(scope.study.pk)
    fields = ("pk", "site_id", "subject_id", "event_id", "event__event_oid", "event__repeat_key", "form_oid")
    fields += ("repeat_key", "frozen", "locked")
    groups: dict[tuple[bool, bool], list[int]] = {}
    changes: list[Change] = []
    for pk, site_id, subject_id, event_id, event_oid, event_repeat, form_oid, repeat, frozen, locked in (
        scope.forms().order_by("pk").values_list(*fields).iterator(chunk_size=2000)
    ):
        where = {"site_id": site_id, "subject_id": subject_id, "event_id": event_id, "form_id": pk}
        want = (covers[LockState.FROZEN].covers(**where), covers[LockState.LOCKED].covers(**where))
        if want == (frozen, locked):
            continue
        groups.setdefault(want, []).append(pk)
        label = _form_repr(subject_id, event_oid, event_repeat, form_oid, repeat)
        for name, old, new in (("frozen", frozen, want[0]), ("locked", locked, want[1])):
            if old != new:
                changes.append(Change(FORM_TYPE, pk, label, scope.study.pk, site_id, name, _flag(old), _flag(new)))
    for (frozen, locked), ids in groups.items():
        for start in range(0, len(ids), CHUNK):
            FormData.objects.filter(pk__in=ids[start : start + CHUNK]).update(frozen=frozen, locked=locked)
    audit_changes(actor=actor, changes=changes, reason=reason)
    return sum(len(ids) for ids in groups.values())


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _set(actor: User | None, scope: LockScope, state: str, reason: str) -> DataLock:
    """Record a freeze or lock on the scope (a lock upgrades a freeze there) and apply it to the forms."""
    reason = reason.strip()
    with transaction.atomic():
        record = (
            DataLock.objects.select_for_update(of=("self",)).filter(
                study=scope.study, scope=scope.key, released_at__isnull=True
            )
        ).first()
        if record is not None and (record.state == state or record.state == LockState.LOCKED):
            raise ValidationError(
                {"state": _("This is already locked.") if record.state == LockState.LOCKED else _("Already frozen.")}
            )
        now = timezone.now()
        default = "locked" if state == LockState.LOCKED else "frozen"
        if record is None:
            record = scope.record(state)
            record.reason, record.set_at, record.set_by = reason, now, _user(actor)
            audited_save(record, actor=actor)
        else:  # frozen -> locked on the same scope
            record.state, record.reason, record.set_at, record.set_by = state, reason, now, _user(actor)
            audited_save(record, actor=actor, reason=reason or default)
        _flags_apply(actor=actor, scope=scope, reason=reason or f"{default} at {scope.level} level")
    return record


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


def _release(actor: User, scope: LockScope, state: str, reason: str, password: str) -> DataLock:
    """Release the scope's active record of `state` after re-authentication; sign it; recompute the forms."""
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    record = scope.active()
    if record is None or record.state != state:
        raise ValidationError({"state": _release_refusal(scope, state, record)})
    password_confirm(actor, password)
    with transaction.atomic():
        record = DataLock.objects.select_for_update(of=("self",)).get(pk=record.pk)
        if record.released_at is not None:
            raise ValidationError({"state": _("Already released.")})
        record.released_at, record.released_by, record.release_reason = timezone.now(), actor, reason.strip()
        audited_save(record, actor=actor, reason=reason.strip())
        signature_record(actor=actor, instance=record, meaning=SignatureMeaning.APPROVE)
        _flags_apply(actor=actor, scope=scope, reason=reason.strip())
    return record


def _release_refusal(scope: LockScope, state: str, record: DataLock | None) -> str:
    if record is not None:  # the other state
        return _("This is locked: unlock it.") if record.state == LockState.LOCKED else _("This is frozen, not locked.")
    wider = [
        r
        for r in DataLock.objects.filter(study=scope.study, released_at__isnull=True, state=state)
        if scope.level != LockLevel.STUDY and r.level in _wider(scope.level) and _contains(r, scope)
    ]
    if wider:
        return _("It is %(state)s at the %(level)s level: release it there.") % {
            "state": wider[0].get_state_display().lower(),
            "level": wider[0].get_level_display().lower(),
        }
    return _("Not frozen at this level.") if state == LockState.FROZEN else _("Not locked at this level.")


def _wider(level: str) -> list[str]:
    order = list(LockLevel.values)
    return order[: order.index(level)]


def _contains(record: DataLock, scope: LockScope) -> bool:
    if record.level == LockLevel.STUDY:
        return True
    if record.level == LockLevel.SITE:
        return record.site_id == scope.site_id
    if record.level == LockLevel.SUBJECT:
        return scope.subject is not None and record.subject_id == scope.subject.pk
    return scope.event is not None and record.event_id == scope.event.pk


def data_freeze(
    *,
    actor: User | None,
    study: Study,
    site: Site | None = None,
    subject: Subject | None = None,
    event: EventData | None = None,
    form: FormData | None = None,
    reason: str = "",
) -> DataLock:
    """Freeze the study, a site, a subject, a visit or a form: no data entry below it; queries continue."""
    scope = lock_scope(study, site=site, subject=subject, event=event, form=form)
    _check(actor, scope)
    return _set(actor, scope, LockState.FROZEN, reason)


def data_lock(
    *,
    actor: User | None,
    study: Study,
    site: Site | None = None,
    subject: Subject | None = None,
    event: EventData | None = None,
    form: FormData | None = None,
    reason: str = "",
) -> DataLock:
    """Lock a site, a subject, a visit or a form: nothing changes below it. The study: `study_lock`."""
    scope = lock_scope(study, site=site, subject=subject, event=event, form=form)
    _check(actor, scope)
    if scope.level == LockLevel.STUDY:
        raise ValidationError({"level": _("Lock the database from the lock checklist: it checks what is open.")})
    return _set(actor, scope, LockState.LOCKED, reason)


def data_unfreeze(
    *,
    actor: User,
    study: Study,
    reason: str,
    password: str,
    site: Site | None = None,
    subject: Subject | None = None,
    event: EventData | None = None,
    form: FormData | None = None,
) -> DataLock:
    """Release a freeze (reason and e-signature); forms stay frozen where another record still covers them."""
    scope = lock_scope(study, site=site, subject=subject, event=event, form=form)
    _check(actor, scope)
    return _release(actor, scope, LockState.FROZEN, reason, password)


def data_unlock(
    *,
    actor: User,
    study: Study,
    reason: str,
    password: str,
    site: Site | None = None,
    subject: Subject | None = None,
    event: EventData | None = None,
    form: FormData | None = None,
) -> DataLock:
    """Release a lock, the study's database lock included (reason and e-signature)."""
    scope = lock_scope(study, site=site, subject=subject, event=event, form=form)
    _check(actor, scope)
    return _release(actor, scope, LockState.LOCKED, reason, password)


def study_lock(*, actor: User, study: Study, reason: str, password: str) -> DataLock:
    """Lock the database: refused (listing what is open) unless the lock checklist is clear; e-signed."""
    from opencro.edc.checklist import lock_checklist

    scope = lock_scope(study)
    _check(actor, scope)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    record = scope.active()
    if record is not None and record.state == LockState.LOCKED:
        raise ValidationError({"state": _("The database is already locked.")})
    problems = lock_checklist(study).problems()
    if problems:
        raise ValidationError({"checklist": problems})
    password_confirm(actor, password)
    with transaction.atomic():
        record = _set(actor, scope, LockState.LOCKED, reason)
        signature_record(actor=actor, instance=record, meaning=SignatureMeaning.APPROVE)
    return record
