"""Scheme pages: the unblinded statistician configures the draft scheme (settings, factors, the list generated
or uploaded) and activates it with an e-signature; every other member sees the blinded-safe summary.

A form with errors answers 200 with the page re-rendered, the text as typed and the errors shown; a change that
lands redirects back to the page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opencro.accounts.access import StudyAccess, access_study
from opencro.accounts.permissions import Perm
from opencro.rtsm.models import FactorSource, ImbalanceMeasure, RandomisationScheme, SchemeMethod
from opencro.rtsm.selectors.scheme import (
    access_configure,
    factor_get,
    scheme_config,
    scheme_find,
    scheme_get,
    scheme_list_csv,
    scheme_summary,
)
from opencro.rtsm.services import scheme as services
from opencro.rtsm.views.scheme_forms import factor_values, generate_values, scheme_values

REASON_MAX = 500
MAX_LIST_BYTES = 5 * 1024 * 1024


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}


def _page(request, access: StudyAccess, *, form: str = "", errors=None, posted=None):
    """The scheme page: the editor for those who configure randomisation, else the blinded-safe summary.

    `form` names the form whose `errors` and `posted` text are shown ("settings", "factor-new",
    "factor-<id>", "generate", "upload", "activate")."""
    scheme = scheme_find(access)
    may_configure = access.can(Perm.RTSM_CONFIGURE) and access.sees_treatment
    context = {
        "study": access.membership.study,
        "scheme": scheme,
        "summary": scheme_summary(access, scheme) if scheme else None,
        "config": scheme_config(access, scheme) if scheme and may_configure else None,
        "may_configure": may_configure,
        "form": form,
        "errors": errors or {},
        "posted": posted or {},
        "methods": SchemeMethod.choices,
        "measures": ImbalanceMeasure.choices,
        "sources": FactorSource.choices,
        "settings": _settings_texts(scheme, posted if form == "settings" else None),
    }
    if context["config"] is not None:
        context["factor_rows"] = [
            (f, key, _factor_texts(f) | posted if form == key else _factor_texts(f))
            for f in context["config"].factors
            for key in [f"factor-{f.pk}"]
        ]
        context["new_factor"] = (
            posted if form == "factor-new" else {"weight": "1", "order": str(len(context["factor_rows"]))}
        )
    return render(request, "rtsm/scheme.html", context)


def _factor_texts(factor) -> dict[str, str]:
    """A factor's fields as the edit form shows them (levels comma-separated, a band per line)."""
    bands = "\n".join(
        ", ".join([str(level), *("" if bound is None else f"{bound:g}" for bound in (lower, upper))])
        for level, lower, upper in factor.bands or []
    )
    return {
        "name": factor.name,
        "label": factor.label,
        "source": factor.source,
        "levels": ", ".join(str(level) for level in factor.levels or []),
        "item_oid": factor.item_oid,
        "bands": bands,
        "weight": f"{factor.weight:g}",
        "order": str(factor.order),
    }


def _settings_texts(scheme: RandomisationScheme | None, posted) -> dict[str, str]:
    """The settings form's fields: as posted, else the scheme's values, else the defaults of a new scheme."""
    if posted is not None:
        return dict(posted)
    if scheme is None:
        scheme = RandomisationScheme(method=SchemeMethod.BLOCK_LIST)
    return {
        "method": scheme.method,
        "blinded": "1" if scheme.blinded else "",
        "block_sizes": ", ".join(str(size) for size in scheme.block_sizes or []),
        "imbalance": scheme.imbalance,
        "p_best": f"{scheme.p_best:g}",
        "number_prefix": scheme.number_prefix,
        "require_eligibility": "1" if scheme.require_eligibility else "",
        "require_consent": "1" if scheme.require_consent else "",
    }


def _configurer(request, study_id: int) -> StudyAccess:
    access = access_study(request.user, study_id)
    return access_configure(access)


def _posted(request, names) -> dict[str, str]:
    return {name: request.POST.get(name, "") for name in names}


def _done(request, study_id: int, text: str):
    messages.success(request, text)
    return redirect("rtsm:scheme", study_id=study_id)


@login_required
@require_GET
def scheme(request, study_id: int):
    """The scheme: editor (unblinded statistician) or blinded-safe summary (every member)."""
    return _page(request, access_study(request.user, study_id))


@login_required
@require_POST
def scheme_settings(request, study_id: int):
    """Create the scheme or change its draft settings."""
    access = _configurer(request, study_id)
    posted = _posted(request, (*services.SCHEME_FIELDS, "reason"))
    try:
        values = scheme_values(posted)
        services.scheme_save(
            actor=request.user, study=access.membership.study, reason=posted["reason"][:REASON_MAX], **values
        )
    except ValidationError as exc:
        return _page(request, access, form="settings", errors=_errors(exc), posted=posted)
    return _done(request, study_id, _("Scheme settings saved."))


FACTOR_FIELDS = ("name", "label", "source", "levels", "item_oid", "bands", "weight", "order", "reason")


@login_required
@require_POST
def factor_add(request, study_id: int):
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    access_configure(access)
    posted = _posted(request, FACTOR_FIELDS)
    try:
        services.factor_save(actor=request.user, scheme=found, **factor_values(posted))
    except ValidationError as exc:
        return _page(request, access, form="factor-new", errors=_errors(exc), posted=posted)
    return _done(request, study_id, _("Factor %(name)s added.") % {"name": posted["name"]})


@login_required
@require_POST
def factor_edit(request, study_id: int, factor_id: int):
    access = access_study(request.user, study_id)
    factor = factor_get(scheme_get(access), factor_id)
    access_configure(access)
    posted = _posted(request, FACTOR_FIELDS)
    try:
        services.factor_save(
            actor=request.user,
            scheme=factor.scheme,
            factor=factor,
            reason=posted["reason"][:REASON_MAX],
            **factor_values(posted),
        )
    except ValidationError as exc:
        return _page(request, access, form=f"factor-{factor_id}", errors=_errors(exc), posted=posted)
    return _done(request, study_id, _("Factor %(name)s changed.") % {"name": factor.name})


@login_required
@require_POST
def factor_delete(request, study_id: int, factor_id: int):
    access = access_study(request.user, study_id)
    factor = factor_get(scheme_get(access), factor_id)
    access_configure(access)
    reason = request.POST.get("reason", "")[:REASON_MAX]
    try:
        services.factor_delete(actor=request.user, factor=factor, reason=reason)
    except ValidationError as exc:
        return _page(request, access, form=f"factor-{factor_id}", errors=_errors(exc), posted={"reason": reason})
    return _done(request, study_id, _("Factor %(name)s deleted.") % {"name": factor.name})


@login_required
@require_POST
def list_generate(request, study_id: int):
    """Generate the permuted-block list: n slots per stratum, from the seed given or a fresh one."""
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    access_configure(access)
    posted = _posted(request, ("n_per_stratum", "seed"))
    try:
        n_per_stratum, seed = generate_values(posted)
        slots = services.list_generate(actor=request.user, scheme=found, n_per_stratum=n_per_stratum, seed=seed)
    except ValidationError as exc:
        return _page(request, access, form="generate", errors=_errors(exc), posted=posted)
    return _done(request, study_id, _("List generated: %(n)d slots.") % {"n": slots})


@login_required
@require_POST
def list_upload(request, study_id: int):
    """Load a list from a CSV file (or pasted text); every problem is listed with its row and column."""
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    access_configure(access)
    posted = _posted(request, ("text",))
    try:
        text, filename = _list_text(request)
        slots = services.list_upload(actor=request.user, scheme=found, text=text, filename=filename)
    except ValidationError as exc:
        return _page(request, access, form="upload", errors=_errors(exc), posted=posted)
    return _done(request, study_id, _("List loaded from %(name)s: %(n)d slots.") % {"name": filename, "n": slots})


def _list_text(request) -> tuple[str, str]:
    upload = request.FILES.get("file")
    if upload is None:
        text = request.POST.get("text", "")
        if not text.strip():
            raise ValidationError({"list": _("Choose a CSV file or paste the list.")})
        return text, _("pasted text")
    if upload.size > MAX_LIST_BYTES:
        raise ValidationError({"list": _("The file is larger than %(n)d MB.") % {"n": MAX_LIST_BYTES // 2**20}})
    try:
        return upload.read().decode("utf-8-sig"), upload.name or "list.csv"
    except UnicodeDecodeError:
        raise ValidationError({"list": _("The file is not UTF-8 text.")}) from None


def list_csv_response(access: StudyAccess, found: RandomisationScheme) -> HttpResponse:
    """The list as a CSV download, never cached (pages and the API share it)."""
    response = HttpResponse(scheme_list_csv(access, found), content_type="text/csv; charset=utf-8")
    number = access.membership.study.protocol_number
    response["Content-Disposition"] = content_disposition_header(True, f"{number}-randomisation-list.csv")
    add_never_cache_headers(response)
    return response


@login_required
@require_GET
def list_download(request, study_id: int):
    access = access_study(request.user, study_id)
    return list_csv_response(access, scheme_get(access))


@login_required
@require_POST
def activate(request, study_id: int):
    """Activate the scheme, signed with the password (meaning: I approve); it is frozen from then on."""
    access = access_study(request.user, study_id)
    found = scheme_get(access)
    access_configure(access)
    try:
        services.scheme_activate(actor=request.user, scheme=found, password=request.POST.get("password", ""))
    except ValidationError as exc:
        return _page(request, access, form="activate", errors=_errors(exc))
    except PermissionDenied as exc:  # the password was wrong (the role was checked above)
        return _page(request, access, form="activate", errors={"password": [str(exc)]})
    return _done(request, study_id, _("The scheme is active and signed."))
