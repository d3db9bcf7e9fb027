"""Source data verification: the study's SDV plan, and monitors verifying items and forms (audited).

ICH E6(R3) 5.18 (monitoring per the monitoring plan). Verification is stored on each item
(`ItemData.verified`, audited as field "verified"); the form's `sdv_status` follows from the plan and
its items (`edc.sdv`). A value changed after verification loses it (`form_save`).
"""

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from opencro.accounts.access import access_require
from opencro.accounts.models import User
from opencro.accounts.permissions import Perm
from opencro.audit.services import Change, audit_changes, audited_delete, audited_save
from opencro.edc.models import FormData, FormDef, ItemData, SdvPlan, SdvRequirement
from opencro.edc.sdv import PlanRule, SdvNeed, form_sdv_need, form_sdv_status, sdv_statuses, verifiable_items
from opencro.studies.models import Site, Study

ITEM_TYPE = "edc.itemdata"
FORM_TYPE = "edc.formdata"
CHUNK = 500


def _form_check(actor: User | None, form: FormData, perm: str) -> None:
    if actor is None:
        return
    access = access_require(actor, form.study, perm)
    if access.site_ids is not None and form.site_id not in access.site_ids:
        raise PermissionDenied(_("This site is outside your membership."))


def sdv_plan_set(*, actor: User | None, study: Study, rules: Sequence[PlanRule], reason: str = "") -> list[SdvPlan]:
    """Replace the study's SDV plan with `rules` (all or nothing), then recompute every form's SDV status."""
    if actor is not None:
        access = access_require(actor, study, Perm.BUILD_EDIT)
        if access.site_ids is not None:
            raise PermissionDenied(_("The SDV plan is set for the whole study: it needs access to every site."))
    wanted = _plan_validate(study, rules)
    with transaction.atomic():
        stored = {
            (p.site_id, p.form_oid): p for p in SdvPlan.objects.select_for_update(of=("self",)).filter(study=study)
        }
        updates = [
            (stored[key], rule)
            for key, rule in wanted.items()
            if key in stored
            and (stored[key].requirement, stored[key].first_n_subjects) != (rule.requirement, rule.first_n_subjects)
        ]
        deletes = [plan for key, plan in stored.items() if key not in wanted]
        if (updates or deletes) and not reason.strip():
            raise ValidationError({"reason": _("A reason for change is required.")})
        for plan in deletes:
            audited_delete(plan, actor=actor, reason=reason)
        for plan, rule in updates:
            plan.requirement, plan.first_n_subjects = rule.requirement, rule.first_n_subjects
            audited_save(plan, actor=actor, reason=reason)
        for key, rule in wanted.items():
            if key not in stored:
                audited_save(
                    SdvPlan(
                        study=study,
                        site_id=rule.site_id,
                        form_oid=rule.form_oid,
                        requirement=rule.requirement,
                        first_n_subjects=rule.first_n_subjects,
                    ),
                    actor=actor,
                )
        sdv_statuses_refresh(actor, study, reason.strip() or "SDV plan set")
    return list(SdvPlan.objects.filter(study=study).order_by("site_id", "form_oid"))


def _plan_validate(study: Study, rules: Sequence[PlanRule]) -> dict[tuple[int | None, str], PlanRule]:
    """Check every rule; report all problems at once, keyed rules[n]."""
    sites = set(Site.objects.filter(study=study).values_list("pk", flat=True))
    forms = set(FormDef.objects.filter(version__study=study).values_list("oid", flat=True))
    errors: dict[str, list[str]] = {}
    wanted: dict[tuple[int | None, str], PlanRule] = {}
    for n, rule in enumerate(rules):
        problems = []
        if rule.site_id is not None and rule.site_id not in sites:
            problems.append(_("No such site in this study."))
        if rule.form_oid and rule.form_oid not in forms:
            problems.append(_("No form %(oid)s in this study's build.") % {"oid": rule.form_oid})
        if rule.requirement not in SdvRequirement.values:
            problems.append(_("The requirement is none, targeted or full."))
        if rule.first_n_subjects < 0:
            problems.append(_("The number of subjects cannot be negative."))
        key = (rule.site_id, rule.form_oid)
        if key in wanted:
            problems.append(_("Another rule names the same site and form."))
        if problems:
            errors[f"rules[{n}]"] = problems
        wanted[key] = rule
    if errors:
        raise ValidationError(errors)
    return wanted


def sdv_statuses_refresh(actor: User | None, study: Study, reason: str) -> int:
    """Store the SDV status every form of the study should have; one audit record per changed form.

    Runs inside writes that already checked permission (plan changes, ODM imports).
    """
    forms = FormData.objects.filter(study=study)
    statuses = sdv_statuses(study.pk, forms)
    changed = {pk: (old, new) for pk, (old, new) in statuses.items() if old != new}
    if not changed:
        return 0
    labels = {
        f.pk: (str(f), f.site_id)
        for f in FormData.objects.filter(pk__in=list(changed))
        .select_related("event")
        .only("pk", "site_id", "subject_id", "form_oid", "repeat_key", "event__event_oid", "event__repeat_key")
    }
    by_status: dict[str, list[int]] = {}
    for pk, (_old, new) in changed.items():
        by_status.setdefault(new, []).append(pk)
    for status, ids in by_status.items():
        for start in range(0, len(ids), CHUNK):
            FormData.objects.filter(pk__in=ids[start : start + CHUNK]).update(sdv_status=status)
    audit_changes(
        actor=actor,
        changes=[
            Change(FORM_TYPE, pk, labels[pk][0], study.pk, labels[pk][1], "sdv_status", old, new)
            for pk, (old, new) in sorted(changed.items())
        ],
        reason=reason,
    )
    return len(changed)


def _items_of(form: FormData, item_ids: Iterable[int] | None, *, verified: bool) -> list[ItemData]:
    """The item rows named (checked to be on the form and verifiable), or by default every one concerned."""
    verifiable = verifiable_items(form).select_related("item_def")
    if item_ids is None:
        if verified:  # unverify: everything verified on the form
            return list(ItemData.objects.filter(form=form, verified=True).select_related("item_def"))
        need = form_sdv_need(form)
        rows = verifiable.filter(verified=False)
        if need == SdvNeed.CRITICAL:
            rows = rows.filter(item_def__critical=True)
        return list(rows) if need != SdvNeed.NONE else []
    ids = set(item_ids)
    rows = {r.pk: r for r in ItemData.objects.filter(form=form, pk__in=ids).select_related("item_def")}
    if set(rows) != ids:
        raise ValidationError({"items": _("An item named is not on this form.")})
    if not verified and ids - set(verifiable.filter(pk__in=ids).values_list("pk", flat=True)):
        raise ValidationError({"items": _("Only entered values can be verified (derived values have no source).")})
    return list(rows.values())


def _verification_write(actor, form: FormData, rows: list[ItemData], value: bool, reason: str) -> FormData:
    """Set `verified` on the rows, audit each, then store the form's resulting SDV status."""
    rows = [r for r in rows if r.verified != value]
    if rows:
        ItemData.objects.filter(pk__in=[r.pk for r in rows]).update(verified=value)
        prefix = f"{form.subject.number} {form.event.event_oid} {form.form_oid}"
        audit_changes(
            actor=actor,
            changes=[
                Change(
                    ITEM_TYPE,
                    r.pk,
                    f"{prefix} {r.item_def.oid}" + (f"@{r.group_repeat}" if r.group_repeat > 1 else ""),
                    form.study_id,
                    form.site_id,
                    "verified",
                    "false" if value else "true",
                    "true" if value else "false",
                )
                for r in rows
            ],
            reason=reason,
        )
    status = form_sdv_status(form)
    if status != form.sdv_status:
        form.sdv_status = status
        audited_save(form, actor=actor, reason=reason)
    return form


def sdv_verify(*, actor: User | None, form: FormData, item_ids: Iterable[int] | None = None) -> FormData:
    """Mark items verified against source; without `item_ids`, every item of the form that SDV requires."""
    _form_check(actor, form, Perm.SDV)
    with transaction.atomic():
        form = FormData.objects.select_for_update(of=("self",)).select_related("subject", "event").get(pk=form.pk)
        if form.locked:
            raise ValidationError({"form": _("This form is locked.")})
        rows = _items_of(form, item_ids, verified=False)
        return _verification_write(actor, form, rows, True, "source data verified")


def sdv_unverify(*, actor: User | None, form: FormData, reason: str, item_ids: Iterable[int] | None = None) -> FormData:
    """Take verification back (a reason is required); without `item_ids`, from every item of the form."""
    _form_check(actor, form, Perm.SDV)
    if not reason.strip():
        raise ValidationError({"reason": _("A reason is required.")})
    with transaction.atomic():
        form = FormData.objects.select_for_update(of=("self",)).select_related("subject", "event").get(pk=form.pk)
        if form.locked:
            raise ValidationError({"form": _("This form is locked.")})
        rows = _items_of(form, item_ids, verified=True)
        return _verification_write(actor, form, rows, False, reason.strip())
