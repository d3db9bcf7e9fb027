"""Moving a subject's casebook to a newer build version: audited, and nothing is lost.

Events, forms and items are matched by OID. What the new version no longer has stays attached to
the definitions it was entered under (still stored, exported and audited) and is listed in the
report; nothing is deleted or rewritten.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import Change, audit_changes, audited_save
from opencro.edc.models import BuildStatus, BuildVersion, EventData, EventDef, EventForm, FormData, ItemData, ItemDef
from opencro.edc.services.entry import casebook_for
from opencro.edc.spec import form_spec
from opencro.edc.values import InvalidValue, canonical
from opencro.subjects.models import Subject


@dataclass
class MigrationReport:
    subject: str
    from_version: str
    to_version: str
    events_moved: int = 0
    forms_moved: int = 0
    values_moved: int = 0
    kept: list[str] = field(default_factory=list)  # what stays on the old definitions, and why

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def casebook_migrate(*, actor: User | None, subject: Subject, version: BuildVersion, reason: str) -> MigrationReport:
    """Point the subject's data at `version`'s definitions wherever an OID matches; report the rest."""
    if actor is not None:
        access_require(actor, subject.study, Perm.BUILD_EDIT)
    if version.study_id != subject.study_id or version.status != BuildStatus.PUBLISHED:
        raise ValidationError({"version": _("Choose a published build version of this study.")})
    if not reason.strip():
        raise ValidationError({"reason": _("A reason for change is required.")})
    with transaction.atomic():
        casebook = casebook_for(subject, actor=actor)
        old = casebook.version
        if old.pk == version.pk:
            raise ValidationError({"version": _("The casebook is already on this version.")})
        report = MigrationReport(subject.number, old.oid, version.oid)
        changes: list[Change] = []
        events = {e.oid: e for e in EventDef.objects.filter(version=version)}
        refs = {
            (r.event.oid, r.form.oid): r.form
            for r in EventForm.objects.filter(event__version=version).select_related("event", "form")
        }
        items = {i.oid: i for i in ItemDef.objects.filter(version=version)}
        for event in (
            EventData.objects.select_for_update(of=("self",)).filter(subject=subject).select_related("event_def")
        ):
            target = events.get(event.event_oid)
            if target is None:
                report.kept.append(f"event {event.event_oid}: not in {version.oid}, kept as entered")
                continue
            if event.event_def_id != target.pk:
                changes.append(_repoint(event, "event_def", event.event_def_id, target.pk, subject))
                EventData.objects.filter(pk=event.pk).update(event_def=target)
                report.events_moved += 1
        for form in (
            FormData.objects.select_for_update(of=("self",)).filter(subject=subject).select_related("event", "form_def")
        ):
            target = refs.get((form.event.event_oid, form.form_oid))
            if target is None:
                report.kept.append(
                    f"form {form.event.event_oid}/{form.form_oid}: not in {version.oid}, kept as entered"
                )
                continue
            if form.form_def_id != target.pk:
                changes.append(_repoint(form, "form_def", form.form_def_id, target.pk, subject))
                FormData.objects.filter(pk=form.pk).update(form_def=target)
                report.forms_moved += 1
            on_form = {f.oid: f for f in form_spec(target).fields()}
            for row in ItemData.objects.filter(form=form).select_related("item_def"):
                oid = row.item_def.oid
                if oid not in on_form or oid not in items:
                    report.kept.append(f"{form.form_oid} {oid}: not on the form in {version.oid}, kept as entered")
                    continue
                try:
                    canonical(on_form[oid], row.value)
                except InvalidValue as exc:
                    report.kept.append(f"{form.form_oid} {oid}: value '{row.value}' {exc}; kept as entered")
                    continue
                if row.item_def_id != items[oid].pk:
                    changes.append(_repoint(row, "item_def", row.item_def_id, items[oid].pk, subject))
                    ItemData.objects.filter(pk=row.pk).update(item_def=items[oid])
                    report.values_moved += 1
        audit_changes(actor=actor, changes=changes, reason=reason)
        casebook.version = version
        audited_save(casebook, actor=actor, reason=reason)
    return report


def _repoint(obj, field_name: str, old: int, new: int, subject: Subject) -> Change:
    return Change(
        f"edc.{obj._meta.model_name}",
        obj.pk,
        f"{subject.number} {obj}",
        subject.study_id,
        subject.site_id,
        field_name,
        str(old),
        str(new),
    )
