"""Reads of protocol deviations, always inside the reader's sites; counts per site for performance and KRIs."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from opencro.accounts.access import StudyAccess
from opencro.accounts.permissions import Perm
from opencro.monitoring.models import STEP_STATUSES, Deviation, DeviationStatus


def deviation_list(
    access: StudyAccess,
    *,
    site_id: int | None = None,
    subject_id: int | None = None,
    category: str = "",
    status: str = "",
    important: bool | None = None,
    source: str = "",
    search: str = "",
) -> QuerySet[Deviation]:
    """The study's deviations at the reader's sites, newest identified first, filtered as asked."""
    qs = Deviation.objects.filter(study_id=access.membership.study_id).filter(access.site_filter())
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if subject_id is not None:
        qs = qs.filter(subject_id=subject_id)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if important is not None:
        qs = qs.filter(important=important)
    if source:
        qs = qs.filter(source=source)
    if search.strip():
        term = search.strip()
        qs = qs.filter(Q(number__icontains=term) | Q(description__icontains=term) | Q(subject__number__icontains=term))
    return qs.select_related("site", "subject", "reported_by", "reviewed_by").order_by("-identified_on", "-id")


def deviation_get(access: StudyAccess, deviation_id: int) -> Deviation:
    """One deviation at the reader's sites, else 404."""
    deviation = deviation_list(access).filter(pk=deviation_id).order_by().first()
    if deviation is None:
        raise Http404(_("No such deviation."))
    return deviation


def deviation_steps(access: StudyAccess, deviation: Deviation) -> set[str]:
    """The review steps the reader may take on the deviation now: its status allows them (STEP_STATUSES) and the
    reader holds the permission (correcting: deviation.report; the others: deviation.review)."""
    return {
        step
        for step, statuses in STEP_STATUSES.items()
        if deviation.status in statuses
        and access.can(Perm.DEVIATION_REPORT if step == "edit" else Perm.DEVIATION_REVIEW)
    }


@dataclass(frozen=True)
class DeviationSummary:
    """Counts of the deviations a reader sees: by status, by category (rejected ones left out) and by site."""

    by_status: dict[str, int]
    by_category: dict[str, int]
    by_site: dict[str, dict[str, int]]  # site number -> {"all", "important", "open"}


def deviation_summary(access: StudyAccess) -> DeviationSummary:
    qs = deviation_list(access).order_by()
    by_status = dict(qs.values_list("status").annotate(n=Count("id")))
    counted = qs.exclude(status=DeviationStatus.REJECTED)
    by_category = dict(counted.values_list("category").annotate(n=Count("id")))
    by_site = {
        row["site__number"]: {"all": row["all"], "important": row["important"], "open": row["open"]}
        for row in counted.values("site__number")
        .annotate(
            all=Count("id"),
            important=Count("id", filter=Q(important=True)),
            open=Count("id", filter=Q(status=DeviationStatus.OPEN)),
        )
        .order_by("site__number")
    }
    return DeviationSummary(by_status, by_category, by_site)


def deviation_counts(site_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{site id: (deviations, important deviations)}, rejected ones not counted: for site performance and KRIs.

    Not scoped: the caller passes sites it already read through an access check (the registry's performance reads
    every linked study's sites, showing other studies' only as counts).
    """
    rows = (
        Deviation.objects.filter(site_id__in=list(site_ids))
        .exclude(status=DeviationStatus.REJECTED)
        .values("site_id")
        .annotate(n=Count("id"), important=Count("id", filter=Q(important=True)))
        .order_by()
    )
    return {row["site_id"]: (row["n"], row["important"]) for row in rows}
