"""Payment-run pages: prepare a run (with a preview of what is due up to the cut-off), the run with its lines by
site, approving it with an e-signature, the accounts-payable export, recording the payment, cancelling a draft.

Reading a run needs `payment.view` (a site-scoped member sees their sites' lines only); preparing, exporting and
recording need `payment.manage`, approving `payment.approve`; the services also require the whole study.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opencro.accounts.access import StudyAccess, access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.core.form_steps import run_step, step_form
from opencro.payments import ap_export, forms, selectors
from opencro.payments.models import PaymentRun, RunStatus
from opencro.payments.services import runs as services
from opencro.payments.views.contracts import study_access
from opencro.studies.models import Site

RUN = "payments:run"


def run_found(request: HttpRequest, study_id: int, run_id: int, perm: str) -> tuple[StudyAccess, PaymentRun]:
    access = access_study(request.user, study_id)
    run = selectors.run_get(access, run_id)
    return access_check(access, perm), run


def _sites(access: StudyAccess) -> dict[int, Site]:
    return {s.pk: s for s in Site.objects.filter(study_id=access.membership.study_id)}


@login_required
@require_http_methods(["GET", "POST"])
def run_new(request: HttpRequest, study_id: int) -> HttpResponse:
    access = study_access(request, study_id, Perm.PAYMENT_MANAGE)
    posted = request.method == "POST"
    form = forms.RunNewForm(request.POST if posted else request.GET or None)
    if not posted and not form.is_bound:
        form = forms.RunNewForm(initial={"cutoff": timezone.localdate()})

    def page(form) -> HttpResponse:
        day = form.cleaned_data.get("cutoff") if form.is_bound and form.is_valid() else timezone.localdate()
        due = selectors.due(access, min(day, timezone.localdate()))
        context = {
            "study": access.membership.study,
            "form": form,
            "groups": selectors.by_site(due, _sites(access)),
            "totals": selectors.totals(due),
            "cutoff": day,
        }
        return render(request, "payments/run_new.html", context)

    if not posted:
        return page(form)

    def call(data: dict) -> tuple[str, tuple]:
        run = services.payment_run_create(
            actor=request.user, study=access.membership.study, cutoff=data["cutoff"], note=data["note"], known=access
        )
        return _("Payment run %(number)s prepared: it waits for approval.") % {"number": run.number}, (
            RUN,
            study_id,
            run.pk,
        )

    return run_step(request, form, call, page, ("payments:home", study_id))


def _run_page(request: HttpRequest, access: StudyAccess, run: PaymentRun, **given) -> HttpResponse:
    lines = list(selectors.run_lines(access, run))
    whole = access.site_ids is None
    manage, approve = whole and access.can(Perm.PAYMENT_MANAGE), whole and access.can(Perm.PAYMENT_APPROVE)
    draft = run.status == RunStatus.DRAFT
    context = {
        "study": access.membership.study,
        "run": run,
        "groups": selectors.by_site(lines, _sites(access)),
        "totals": selectors.totals(lines),
        "stale": {line.pk for line in selectors.stale_lines(run)} if draft else set(),
        "approve_form": step_form(
            given, "approve", approve and draft and run.created_by_id != request.user.pk, forms.ApproveForm
        ),
        "cancel_form": step_form(given, "cancel", manage and draft, forms.ReasonForm),
        "can_export": manage and run.status in (RunStatus.APPROVED, RunStatus.EXPORTED, RunStatus.PAID),
        "paid_form": step_form(given, "paid", manage and run.status == RunStatus.EXPORTED, forms.PaidForm),
    }
    return render(request, "payments/run.html", context)


@login_required
@require_http_methods(["GET"])
def run_page(request: HttpRequest, study_id: int, run_id: int) -> HttpResponse:
    access, run = run_found(request, study_id, run_id, Perm.PAYMENT_VIEW)
    return _run_page(request, access, run)


@login_required
@require_POST
def run_approve(request: HttpRequest, study_id: int, run_id: int) -> HttpResponse:
    access, run = run_found(request, study_id, run_id, Perm.PAYMENT_APPROVE)

    def call(data: dict) -> str:
        services.payment_run_approve(actor=request.user, run=run, password=data["password"], known=access)
        return _("Payment run %(number)s approved: export it to accounts payable.") % {"number": run.number}

    form = forms.ApproveForm(request.POST)
    return run_step(request, form, call, lambda f: _run_page(request, access, run, approve=f), (RUN, study_id, run.pk))


@login_required
@require_POST
def run_cancel(request: HttpRequest, study_id: int, run_id: int) -> HttpResponse:
    access, run = run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)

    def call(data: dict) -> str:
        services.payment_run_cancel(actor=request.user, run=run, reason=data["reason"], known=access)
        return _("Payment run %(number)s cancelled: what it held is due again.") % {"number": run.number}

    form = forms.ReasonForm(request.POST)
    return run_step(request, form, call, lambda f: _run_page(request, access, run, cancel=f), (RUN, study_id, run.pk))


@login_required
@require_POST
def run_export(request: HttpRequest, study_id: int, run_id: int) -> HttpResponse:
    """The accounts-payable file of an approved run; the first export marks the run as sent."""
    access, run = run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)
    try:
        run = services.payment_run_export(actor=request.user, run=run, known=access)
    except ValidationError as exc:  # a draft or cancelled run: the run page says why, nothing is exported
        for text in exc.messages:
            messages.error(request, text)
        return _run_page(request, access, run)
    return ap_export.csv_response(run)


@login_required
@require_POST
def run_paid(request: HttpRequest, study_id: int, run_id: int) -> HttpResponse:
    access, run = run_found(request, study_id, run_id, Perm.PAYMENT_MANAGE)

    def call(data: dict) -> str:
        services.payment_run_paid(actor=request.user, run=run, known=access, **data)
        return _("Payment run %(number)s recorded as paid.") % {"number": run.number}

    form = forms.PaidForm(request.POST)
    return run_step(request, form, call, lambda f: _run_page(request, access, run, paid=f), (RUN, study_id, run.pk))
