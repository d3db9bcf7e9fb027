"""The SDV plan page: the data manager states, per site and form, how much source data verification is due."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from opencro.accounts.access import access_check, access_study
from opencro.accounts.permissions import Perm
from opencro.edc.models import FormDef
from opencro.edc.models.oversight import SdvRequirement
from opencro.edc.sdv import PlanRule, sdv_plan_rules
from opencro.edc.services.sdv import sdv_plan_set
from opencro.studies.selectors import site_list

BLANK_ROWS = 3


@login_required
def sdv_plan_edit(request, study_id: int):
    """Show the plan as editable rows (plus blank ones to add); a POST replaces it, all or nothing."""
    access = access_study(request.user, study_id, Perm.DATA_VIEW)
    access_check(access, Perm.BUILD_EDIT)
    study = access.membership.study
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        rows = _posted_rows(request.POST)
        kept = [n for n, row in enumerate(rows) if not row["delete"] and row["requirement"]]
        try:
            rules = [_rule(rows[n], n) for n in kept]
            sdv_plan_set(actor=request.user, study=study, rules=rules, reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = _by_row(exc.message_dict, kept)
        else:
            messages.success(request, _("SDV plan saved; every form's SDV status was recomputed."))
            return redirect("edc:sdv_plan", study_id=study.pk)
    else:
        rows = [
            {
                "site": str(r.site_id or ""),
                "form": r.form_oid,
                "requirement": r.requirement,
                "first_n": str(r.first_n_subjects),
                "delete": False,
            }
            for r in sdv_plan_rules(study.pk)
        ]
        rows += [{"site": "", "form": "", "requirement": "", "first_n": "0", "delete": False}] * BLANK_ROWS
    forms = FormDef.objects.filter(version__study=study).order_by("oid").values_list("oid", "name").distinct()
    return render(
        request,
        "edc/sdv_plan.html",
        {
            "study": study,
            "rows": [{**row, "errors": errors.get(f"row-{n}", [])} for n, row in enumerate(rows)],
            "errors": errors,
            "sites": site_list(access),
            "forms": sorted(set(forms)),
            "requirements": SdvRequirement.choices,
            "reason": request.POST.get("reason", ""),
        },
    )


def _posted_rows(post) -> list[dict]:
    count = min(int(post.get("rows", "0") or 0), 500) if str(post.get("rows", "0")).isdigit() else 0
    return [
        {
            "site": post.get(f"site-{n}", ""),
            "form": post.get(f"form-{n}", ""),
            "requirement": post.get(f"requirement-{n}", ""),
            "first_n": post.get(f"first_n-{n}", "0") or "0",
            "delete": bool(post.get(f"delete-{n}")),
        }
        for n in range(count)
    ]


def _rule(row: dict, n: int) -> PlanRule:
    """A posted row as a rule; a number that is not one is reported on its row."""
    try:
        site_id = int(row["site"]) if row["site"] else None
        first_n = int(row["first_n"])
    except ValueError:
        raise ValidationError({f"row-{n}": [_("Site and number of subjects must be whole numbers.")]}) from None
    return PlanRule(site_id=site_id, form_oid=row["form"], requirement=row["requirement"], first_n_subjects=first_n)


def _by_row(errors: dict[str, list[str]], kept: list[int]) -> dict[str, list[str]]:
    """The service keys a problem `rules[i]` by its place among the rules given; the page shows it on its row."""
    out: dict[str, list[str]] = {}
    for key, problems in errors.items():
        if key.startswith("rules[") and key[6:-1].isdigit() and int(key[6:-1]) < len(kept):
            key = f"row-{kept[int(key[6:-1])]}"
        out.setdefault(key, []).extend(problems)
    return out
