"""Coding pages: the coder's queue with the dictionary browser, the synonym list, upgrades and their reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.api.parser import UNSTORABLE
from opencro.coding import services
from opencro.coding.models import OPEN_STATUSES, CodingStatus, Dictionary, DictionaryKind, DictionaryTerm
from opencro.coding.selectors import (
    coded_term_get,
    coded_term_list,
    coding_queue,
    dictionary_list,
    dictionary_search,
    study_coding,
    synonym_get,
    synonym_list,
    uncoded_count,
    upgrade_get,
    upgrade_list,
)

CHANGE_LABELS = {
    "llt_moved": gettext_lazy("LLT moved to another PT"),
    "llt_noncurrent": gettext_lazy("LLT no longer current"),
    "llt_renamed": gettext_lazy("LLT renamed"),
    "llt_removed": gettext_lazy("LLT absent"),
    "pt_renamed": gettext_lazy("PT renamed"),
    "primary_soc_changed": gettext_lazy("Primary SOC changed"),
    "path_changed": gettext_lazy("HLT or HLGT changed"),
    "drug_noncurrent": gettext_lazy("Drug name no longer current"),
    "drug_removed": gettext_lazy("Drug code absent"),
    "drug_renamed": gettext_lazy("Drug name changed"),
    "base_changed": gettext_lazy("Preferred base name changed"),
    "atc_changed": gettext_lazy("ATC classes changed"),
}
ACTION_LABELS = {"kept": gettext_lazy("Kept, new path"), "queued": gettext_lazy("Back to the queue")}
REVIEW_LIMIT = 200


def _text(value: str, limit: int = 200) -> str:
    """A search text the database can take: no NUL or lone surrogate, bounded."""
    return UNSTORABLE.sub("", value)[:limit]


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) and target.startswith("/"):
        return target
    return fallback


def _errors(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@login_required
def queue_page(request, study_id: int):
    """The queue grouped by verbatim; choosing one opens the dictionary browser on its text."""
    access = access_study(request.user, study_id, Perm.CODING)
    study = access.membership.study
    kind = request.GET.get("kind", "")
    kind = kind if kind in DictionaryKind.values else ""
    coding = study_coding(study)
    context = {
        "study": study,
        "kind": kind,
        "kinds": DictionaryKind.choices,
        "groups": coding_queue(access, kind=kind),
        "uncoded": uncoded_count(study),
        "coding": coding,
        "review": coded_term_list(access, status=CodingStatus.CODED)[:REVIEW_LIMIT],
        "selected": None,
    }
    term_id = request.GET.get("term", "")
    if term_id.isdigit() and len(term_id) < 16:
        selected = coded_term_get(access, int(term_id))
        dictionary = coding.dictionary_for(selected.kind) if coding else None
        query = _text(request.GET.get("q", selected.verbatim))
        context.update(
            selected=selected,
            dictionary=dictionary,
            q=query,
            results=dictionary_search(dictionary, query, limit=25) if dictionary else [],
            identical=coded_term_list(access, kind=selected.kind, verbatim_key=selected.verbatim_key).filter(
                status__in=OPEN_STATUSES
            ),
        )
    return render(request, "coding/queue.html", context)


def _term(request, study_id: int, term_id: int):
    access = access_study(request.user, study_id)
    term = coded_term_get(access, term_id)
    access_check(access, Perm.CODING)
    return term


@login_required
@require_POST
def term_code(request, study_id: int, term_id: int):
    term = _term(request, study_id, term_id)
    chosen_id = request.POST.get("dictionary_term", "")
    valid = chosen_id.isdigit() and len(chosen_id) < 16
    chosen = DictionaryTerm.objects.filter(pk=int(chosen_id)).first() if valid else None
    fallback = reverse("coding:queue", args=[study_id])
    if chosen is None:
        messages.error(request, _("Choose a dictionary term."))
        return redirect(_back(request, fallback))
    try:
        coded = services.coding_term_code(
            actor=request.user,
            term=term,
            dictionary_term=chosen,
            apply_to_identical=bool(request.POST.get("identical")),
            add_synonym=bool(request.POST.get("synonym")),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(_back(request, fallback))
    messages.success(
        request,
        _("%(n)d verbatims coded to %(term)s (%(code)s).")
        % {"n": len(coded), "term": chosen.term, "code": chosen.code},
    )
    return redirect(fallback)


@login_required
@require_POST
def term_clarify(request, study_id: int, term_id: int):
    term = _term(request, study_id, term_id)
    try:
        services.coding_term_clarify(actor=request.user, term=term, text=request.POST.get("text", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("A query asks the site to clarify the verbatim."))
    return redirect(_back(request, reverse("coding:queue", args=[study_id])))


@login_required
@require_POST
def term_approve(request, study_id: int, term_id: int):
    term = _term(request, study_id, term_id)
    try:
        services.coding_term_approve(actor=request.user, term=term, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(_back(request, reverse("coding:queue", args=[study_id])))


@login_required
def synonyms_page(request, study_id: int):
    access = access_study(request.user, study_id, Perm.CODING)
    return render(
        request,
        "coding/synonyms.html",
        {"study": access.membership.study, "synonyms": synonym_list(access).order_by("kind", "verbatim_key")},
    )


@login_required
@require_POST
def synonym_delete(request, study_id: int, synonym_id: int):
    access = access_study(request.user, study_id, Perm.CODING)
    synonym = synonym_get(access, synonym_id)
    try:
        services.coding_synonym_delete(actor=request.user, synonym=synonym, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("coding:synonyms", study_id=study_id)


@login_required
def upgrades_page(request, study_id: int):
    """Versions in force, loaded versions, past upgrades; POST moves the study to another version."""
    access = access_study(request.user, study_id, Perm.CODING)
    study = access.membership.study
    if request.method == "POST":
        chosen_id = request.POST.get("dictionary", "")
        valid = chosen_id.isdigit() and len(chosen_id) < 16
        dictionary = Dictionary.objects.filter(pk=int(chosen_id)).first() if valid else None
        if dictionary is None:
            messages.error(request, _("Choose the version to move to."))
            return redirect("coding:upgrades", study_id=study_id)
        try:
            upgrade = services.study_dictionary_upgrade(
                actor=request.user,
                study=study,
                kind=dictionary.kind,
                new_dictionary=dictionary,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            _errors(request, exc)
            return redirect("coding:upgrades", study_id=study_id)
        return redirect("coding:upgrade", study_id=study_id, upgrade_id=upgrade.pk)
    coding = study_coding(study)
    in_force = {coding.meddra_id, coding.whodrug_id} if coding else set()
    return render(
        request,
        "coding/upgrades.html",
        {
            "study": study,
            "coding": coding,
            "dictionaries": dictionary_list(),
            "choices": [d for d in dictionary_list() if d.pk not in in_force],
            "upgrades": upgrade_list(access),
            "may_upgrade": access.site_ids is None,
        },
    )


@login_required
def upgrade_page(request, study_id: int, upgrade_id: int):
    access = access_study(request.user, study_id, Perm.CODING)
    upgrade = upgrade_get(access, upgrade_id)
    rows = [
        {**c, "label": CHANGE_LABELS.get(c["kind"], c["kind"]), "action_label": ACTION_LABELS.get(c["action"], "")}
        for c in upgrade.changes
    ]
    return render(request, "coding/upgrade.html", {"study": access.membership.study, "upgrade": upgrade, "rows": rows})
