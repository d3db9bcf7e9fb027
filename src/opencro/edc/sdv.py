"""Source data verification reads: which items of a form need verifying, and each form's SDV status.

ICH E6(R3) 5.18.3 (monitoring may be targeted, as the monitoring plan says) and TransCelerate's
risk-based monitoring position paper (2013): verify everything for the first subjects of a site, then
only the critical data. A form's `sdv_status` is a function of the plan and its items:
not_required when no item of it needs verifying, verified when every item that does is verified,
else required. Derived (calculated) items are never verified: they have no source.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.edc.models import FormData, GroupItem, ItemData, SdvPlan, SdvRequirement
from opencro.edc.models.data import SdvStatus
from opencro.edc.spec import form_spec
from opencro.formats.build import EXECUTABLE_CONTEXTS, text_of
from opencro.subjects.models import Subject

HAS_DATA = (Q(value__isnull=False) & ~Q(value="")) | ~Q(not_done_reason="")


class SdvNeed(StrEnum):
    """What a form instance needs verified."""

    NONE = "none"
    ALL = "all"  # every entered item (100%, or a sampled subject under targeted SDV)
    CRITICAL = "critical"  # only critical items (targeted SDV, subject outside the sample)


@dataclass(frozen=True)
class PlanRule:
    """One rule of an SDV plan as a caller states it (site_id None: the whole study; form_oid "": all forms)."""

    site_id: int | None
    form_oid: str
    requirement: str
    first_n_subjects: int = 0


class SdvPlans:
    """A study's SDV rules, loaded once and resolved per site and form."""

    def __init__(self, study_id: int):
        self.rules = {(r.site_id, r.form_oid): r for r in SdvPlan.objects.filter(study_id=study_id)}

    def rule(self, site_id: int, form_oid: str) -> SdvPlan | None:
        """The most specific rule: site and form, site, form, study default (None: no rule)."""
        for key in ((site_id, form_oid), (site_id, ""), (None, form_oid), (None, "")):
            if key in self.rules:
                return self.rules[key]
        return None

    def requires_any(self) -> bool:
        """Whether any rule asks for verification (else every form's status is "not required")."""
        return any(r.requirement != SdvRequirement.NONE for r in self.rules.values())

    def need(self, site_id: int, form_oid: str, rank: int | None) -> SdvNeed:
        """`rank`: the subject's place (0 first) among its site's subjects in screening order."""
        rule = self.rule(site_id, form_oid)
        if rule is None or rule.requirement == SdvRequirement.NONE:
            return SdvNeed.NONE
        if rule.requirement == SdvRequirement.FULL:
            return SdvNeed.ALL
        sampled = rank is not None and rank < rule.first_n_subjects
        return SdvNeed.ALL if sampled else SdvNeed.CRITICAL


def subject_ranks(study_id: int) -> dict[int, int]:
    """{subject id: place at its site}, in screening order (date, then entry): stable as subjects are added."""
    ranks: dict[int, int] = {}
    seen: dict[int, int] = {}
    for pk, site_id in (
        Subject.objects.filter(study_id=study_id).order_by("site_id", "screened_on", "pk").values_list("pk", "site_id")
    ):
        ranks[pk] = seen.get(site_id, 0)
        seen[site_id] = ranks[pk] + 1
    return ranks


def subject_rank(subject: Subject) -> int:
    earlier = Q(screened_on__lt=subject.screened_on) | Q(screened_on=subject.screened_on, pk__lt=subject.pk)
    return Subject.objects.filter(site_id=subject.site_id).filter(earlier).count()


def calculated_item_ids(form_def_ids: Iterable[int]) -> set[int]:
    """Items whose value the system derives on these forms (an executable method): nothing to verify."""
    return set(
        GroupItem.objects.filter(
            group__form_refs__form_id__in=list(form_def_ids),
            method__isnull=False,
            method__context__in=EXECUTABLE_CONTEXTS,
        ).values_list("item_id", flat=True)
    )


def verifiable_items(form: FormData) -> QuerySet[ItemData]:
    """Item rows of a form that can be verified against source: entered (or not done), not derived."""
    return (
        ItemData.objects.filter(form=form)
        .filter(HAS_DATA)
        .exclude(item_def_id__in=calculated_item_ids([form.form_def_id]))
    )


@dataclass(frozen=True)
class SdvCount:
    """A form's verifiable items: all of them and the critical ones, and how many are verified."""

    total: int = 0
    verified: int = 0
    critical: int = 0
    critical_verified: int = 0

    def required(self, need: SdvNeed) -> tuple[int, int]:
        """(items needing SDV, of which verified)."""
        if need == SdvNeed.ALL:
            return self.total, self.verified
        if need == SdvNeed.CRITICAL:
            return self.critical, self.critical_verified
        return 0, 0

    def status(self, need: SdvNeed) -> str:
        required, done = self.required(need)
        if required == 0:
            return SdvStatus.NOT_REQUIRED
        return SdvStatus.VERIFIED if done == required else SdvStatus.REQUIRED


def sdv_counts(forms: QuerySet[FormData]) -> dict[int, SdvCount]:
    """{form id: SdvCount} in one aggregate query over the forms' item rows."""
    form_def_ids = set(forms.order_by().values_list("form_def_id", flat=True).distinct())
    calculated = calculated_item_ids(form_def_ids)
    critical = Q(item_def__critical=True)
    rows = (
        ItemData.objects.filter(form__in=forms.order_by().values("pk"))
        .filter(HAS_DATA)
        .exclude(item_def_id__in=calculated)
        .values("form_id")
        .annotate(
            n_total=Count("id"),
            n_verified=Count("id", filter=Q(verified=True)),
            n_critical=Count("id", filter=critical),
            n_critical_verified=Count("id", filter=critical & Q(verified=True)),
        )
        .order_by()
    )
    return {
        r["form_id"]: SdvCount(r["n_total"], r["n_verified"], r["n_critical"], r["n_critical_verified"]) for r in rows
    }


def form_sdv_need(form: FormData, plans: SdvPlans | None = None) -> SdvNeed:
    plans = plans or SdvPlans(form.study_id)
    if plans.rule(form.site_id, form.form_oid) is None:
        return SdvNeed.NONE
    return plans.need(form.site_id, form.form_oid, subject_rank(form.subject))


def form_sdv_status(form: FormData) -> str:
    """The SDV status a form should have now (what form_save and the SDV services store)."""
    need = form_sdv_need(form)
    if need == SdvNeed.NONE:
        return SdvStatus.NOT_REQUIRED
    count = sdv_counts(FormData.objects.filter(pk=form.pk)).get(form.pk, SdvCount())
    return count.status(need)


def sdv_statuses(study_id: int, forms: QuerySet[FormData]) -> dict[int, tuple[str, str]]:
    """{form id: (stored status, computed status)} for many forms (a plan change), without per-form queries."""
    plans = SdvPlans(study_id)
    ranks = subject_ranks(study_id)
    counts = sdv_counts(forms) if plans.requires_any() else {}  # no plan: no need to count a million rows
    out = {}
    for form in forms.only("pk", "site_id", "subject_id", "form_oid", "sdv_status").iterator(chunk_size=2000):
        need = plans.need(form.site_id, form.form_oid, ranks.get(form.subject_id))
        out[form.pk] = (form.sdv_status, counts.get(form.pk, SdvCount()).status(need))
    return out


@dataclass(frozen=True)
class SdvItem:
    """One verifiable item of a form, for the SDV panel."""

    item_id: int
    oid: str
    repeat: int
    label: str
    value: str
    critical: bool
    required: bool
    verified: bool


def sdv_items(form: FormData, *, lang: str = "en") -> tuple[SdvNeed, list[SdvItem]]:
    """The form's need and its verifiable items in form order, each saying whether SDV requires it."""
    need = form_sdv_need(form)
    rows = verifiable_items(form).select_related("item_def")
    order = {f.item_id: n for n, f in enumerate(form_spec(form.form_def).fields())}
    items = []
    for row in sorted(rows, key=lambda r: (r.group_repeat, order.get(r.item_def_id, 10**6), r.pk)):
        item = row.item_def
        required = need == SdvNeed.ALL or (need == SdvNeed.CRITICAL and item.critical)
        items.append(
            SdvItem(
                item_id=row.pk,
                oid=item.oid,
                repeat=row.group_repeat,
                label=text_of(item.question, lang) or item.name,
                value=row.value if row.value is not None else f"({row.not_done_reason})",
                critical=item.critical,
                required=required,
                verified=row.verified,
            )
        )
    return need, items


def sdv_worklist(
    access: StudyAccess, *, state: str = SdvStatus.REQUIRED, site_id: int | None = None, subject_id: int | None = None
) -> QuerySet[FormData]:
    """Forms at the user's sites by SDV state ("" for all, "unreviewed" for forms not yet reviewed)."""
    qs = FormData.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if state == "unreviewed":
        qs = qs.filter(reviewed=False)
    elif state:
        qs = qs.filter(sdv_status=state)
    if site_id:
        qs = qs.filter(site_id=site_id)
    if subject_id:
        qs = qs.filter(subject_id=subject_id)
    return qs.select_related("site", "subject", "event", "form_def").order_by(
        "site__number", "subject__number", "event__event_def__order", "event__repeat_key", "form_oid", "repeat_key"
    )


def sdv_plan_rules(study_id: int) -> list[SdvPlan]:
    return list(SdvPlan.objects.filter(study_id=study_id).select_related("site").order_by("site__number", "form_oid"))


def form_get(access: StudyAccess, form_id: int) -> FormData:
    """A form instance of the study at one of the user's sites, else 404."""
    form = (
        FormData.objects.filter(study_id=access.membership.study_id, pk=form_id)
        .filter(access.site_filter())
        .select_related("subject", "event", "site", "form_def")
        .first()
    )
    if form is None:
        raise Http404(_("No such form."))
    return form
