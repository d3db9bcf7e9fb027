"""Oversight pages and the actions their panels post: SDV worklist, verify, review, freeze/lock,
unlock, investigator sign-off, the database-lock checklist and the database lock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.models import SignatureMeaning
from opencro.accounts.permissions import Perm
from opencro.edc.checklist import lock_checklist
from opencro.edc.locks import lock_list, lock_target
from opencro.edc.models import FormData, LockLevel
from opencro.edc.models.data import SdvStatus
from opencro.edc.sdv import SdvCount, SdvPlans, form_get, sdv_counts, sdv_plan_rules, sdv_worklist, subject_ranks
from opencro.edc.selectors import subject_get
from opencro.edc.services import locks as lock_services
from opencro.edc.services.review import form_review, form_unreview
from opencro.edc.services.sdv import sdv_unverify, sdv_verify
from opencro.edc.services.signoff import SIGNOFF_MEANINGS, casebook_signoff
from opencro.studies.selectors import site_list
from opencro.subjects.selectors import subject_list

WORKLIST_LIMIT = 500
LOCK_ACTIONS = ("freeze", "lock", "unfreeze", "unlock")


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def _form_url(form: FormData) -> str:
    return reverse(
        "edc:form",
        args=[
            form.study_id,
            form.subject_id,
            form.event.event_oid,
            form.event.repeat_key,
            form.form_oid,
            form.repeat_key,
        ],
    )


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 16 else None


def _error(request, exc: ValidationError | PermissionDenied) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("Refused."))


@login_required
def sdv_page(request, study_id: int):
    """The monitor's worklist: forms at your sites needing SDV (or verified, or not reviewed)."""
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    state = request.GET.get("state", SdvStatus.REQUIRED)
    if state not in (SdvStatus.REQUIRED, SdvStatus.VERIFIED, "unreviewed", "all"):
        state = SdvStatus.REQUIRED
    site, subject = _int(request.GET.get("site", "")), _int(request.GET.get("subject", ""))
    qs = sdv_worklist(access, state="" if state == "all" else state, site_id=site, subject_id=subject)
    forms = list(qs[:WORKLIST_LIMIT])
    counts = sdv_counts(FormData.objects.filter(pk__in=[f.pk for f in forms]))
    plans, ranks = SdvPlans(study_id), subject_ranks(study_id)
    rows = [  # (form, items SDV requires, of which verified)
        (f, *counts.get(f.pk, SdvCount()).required(plans.need(f.site_id, f.form_oid, ranks.get(f.subject_id))))
        for f in forms
    ]
    subjects = subject_list(access)
    if site:
        subjects = subjects.filter(site_id=site)
    return render(
        request,
        "edc/sdv.html",
        {
            "study": access.membership.study,
            "rows": rows,
            "total": qs.count(),
            "state": state,
            "site": site,
            "subject": subject,
            "sites": site_list(access),
            "subjects": subjects[:1000],
            "states": [
                (SdvStatus.REQUIRED, _("Awaiting SDV")),
                (SdvStatus.VERIFIED, _("Verified")),
                ("unreviewed", _("Not reviewed")),
                ("all", _("All forms")),
            ],
            "plan": [
                r
                for r in sdv_plan_rules(study_id)
                if r.site_id is None or access.site_ids is None or r.site_id in access.site_ids
            ],
            "can_sdv": access.can(Perm.SDV),
            "can_edit_plan": access.can(Perm.BUILD_EDIT) and access.site_ids is None,
        },
    )


@login_required
@require_POST
def form_verify(request, study_id: int, form_id: int):
    """Verify the items ticked (`sdv:<item id>`) or, with `all`, every item the form needs verified."""
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.SDV)
    ids = None if request.POST.get("all") else _ticked(request)
    try:
        if ids == []:
            raise ValidationError(_("Tick the items you verified, or verify the whole form."))
        sdv_verify(actor=request.user, form=form, item_ids=ids)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Source data verification recorded."))
    return redirect(_back(request, _form_url(form)))


def _ticked(request) -> list[int]:
    ids = [_int(name.partition(":")[2]) for name in request.POST if name.startswith("sdv:")]
    return [i for i in ids if i is not None]


@login_required
@require_POST
def form_unverify(request, study_id: int, form_id: int):
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.SDV)
    try:
        ids = None if request.POST.get("all") else _ticked(request)
        if ids == []:
            raise ValidationError(_("Tick the items whose verification you take back."))
        sdv_unverify(actor=request.user, form=form, item_ids=ids, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Verification taken back."))
    return redirect(_back(request, _form_url(form)))


@login_required
@require_POST
def form_review_action(request, study_id: int, form_id: int, action: str):
    if action not in ("review", "unreview"):
        raise Http404(_("No such action."))
    access = access_study(request.user, study_id)
    form = form_get(access, form_id)
    access_check(access, Perm.DATA_REVIEW)
    try:
        if action == "review":
            form_review(actor=request.user, form=form)
        else:
            form_unreview(actor=request.user, form=form, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _error(request, exc)
    return redirect(_back(request, _form_url(form)))


@login_required
@require_POST
def lock_action(request, study_id: int, action: str):
    """Freeze, lock, unfreeze or unlock the level posted (`level`, `object_id`); releases need reason and password."""
    if action not in LOCK_ACTIONS:
        raise Http404(_("No such action."))
    access = access_study(request.user, study_id)
    level = request.POST.get("level", "")
    if level not in LockLevel.values:
        raise Http404(_("No such level."))
    target = lock_target(access, level, _int(request.POST.get("object_id", "")))
    access_check(access, Perm.DATA_LOCK)
    service = getattr(lock_services, f"data_{action}")
    kwargs = {"reason": request.POST.get("reason", "")}
    if action in ("unfreeze", "unlock"):
        kwargs["password"] = request.POST.get("password", "")
    try:
        record = service(actor=request.user, study=access.membership.study, **target, **kwargs)
    except ValidationError as exc:
        _error(request, exc)
    except PermissionDenied as exc:  # a wrong password is told on the page it came from, not with a 403
        if "password" not in kwargs:
            raise
        _error(request, exc)
    else:
        messages.success(request, _("%(state)s: %(target)s.") % _done(action, record))
    return redirect(_back(request, reverse("edc:checklist", args=[study_id])))


def _done(action: str, record) -> dict[str, str]:
    words = {"freeze": _("Frozen"), "lock": _("Locked"), "unfreeze": _("Unfrozen"), "unlock": _("Unlocked")}
    return {"state": words[action], "target": record.target_label}


@login_required
@require_POST
def signoff(request, study_id: int, subject_id: int):
    """The investigator signs the casebook: password and meaning (an e-signature bound to the data)."""
    access = access_study(request.user, study_id)
    subject = subject_get(access, subject_id)
    access_check(access, Perm.SIGNOFF)
    meaning = request.POST.get("meaning", SignatureMeaning.APPROVE)
    try:
        if meaning not in SIGNOFF_MEANINGS:
            raise ValidationError(_("Choose what your signature means."))
        casebook_signoff(
            actor=request.user, subject=subject, password=request.POST.get("password", ""), meaning=meaning
        )
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Casebook signed."))
    return redirect(_back(request, reverse("edc:casebook", args=[study_id, subject_id])))


@login_required
def checklist_page(request, study_id: int):
    """The data manager's database-lock checklist, with links to what is open and the lock itself."""
    access = access_study(request.user, study_id, Perm.DATA_LOCK)
    study = access.membership.study
    checklist = lock_checklist(study)
    rows = [
        (line, list(zip(checklist.sites, line.cells, strict=True)) if line.cells is not None else None)
        for line in checklist.lines
    ]
    return render(
        request,
        "edc/checklist.html",
        {
            "study": study,
            "checklist": checklist,
            "rows": rows,
            "locks": lock_list(access)[:200],
            "levels": LockLevel,
        },
    )


@login_required
@require_POST
def database_lock(request, study_id: int):
    access = access_study(request.user, study_id, Perm.DATA_LOCK)
    try:
        lock_services.study_lock(
            actor=request.user,
            study=access.membership.study,
            reason=request.POST.get("reason", ""),
            password=request.POST.get("password", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The database is locked."))
    return redirect(reverse("edc:checklist", args=[study_id]))
